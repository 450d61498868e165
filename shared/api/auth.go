package api

import (
	"context"
	"strings"
)

// UserID is the verified caller's id (the token's sub), as the HTTP API's JWT
// authorizer passed it, or "" when the request carries no verified claims.
func UserID(req *Request) string {
	if a := req.RequestContext.Authorizer; a != nil && a.JWT != nil && a.JWT.Claims["token_use"] == "access" {
		return a.JWT.Claims["sub"]
	}
	return "" // none, or an ID token: the API takes access tokens only
}

// BearerToken is the token of the Authorization header, or "".
func BearerToken(req *Request) string {
	h := req.Headers["authorization"]
	if h == "" {
		h = req.Headers["Authorization"]
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// RequireUser answers 401 unless the request carries a verified caller (the
// HTTP API's authorizer already refuses such requests: this is the second lock).
func RequireUser(h HandlerFunc) HandlerFunc {
	return func(ctx context.Context, req *Request) (Response, error) {
		if UserID(req) == "" {
			return Response{}, Unauthorized()
		}
		return h(ctx, req)
	}
}
