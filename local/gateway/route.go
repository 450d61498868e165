package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/macro-ai/macro-ai/shared/auth"
)

func splitPath(p string) []string {
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

// match finds the route for method and the escaped path the way HTTP API
// does: the most specific match wins (a literal segment over {param} over
// {greedy+}, left to right), a route's own method over ANY, and the $default
// route last. Path parameters come back decoded.
func (g *Gateway) match(method, escapedPath string) (*route, map[string]string) {
	segs := splitPath(escapedPath)
	var best *route
	var bestScore []int
	var fallback *route
	for _, rt := range g.routes {
		if rt.Path == "$default" {
			fallback = rt
			continue
		}
		if rt.Method != "ANY" && rt.Method != method {
			continue
		}
		score, ok := matchSegs(rt.segs, segs)
		if !ok {
			continue
		}
		methodScore := 1
		if rt.Method == "ANY" {
			methodScore = 0
		}
		score = append(score, methodScore)
		if best == nil || slices.Compare(score, bestScore) > 0 {
			best, bestScore = rt, score
		}
	}
	if best == nil {
		best = fallback
	}
	if best == nil {
		return nil, nil
	}
	if best.Path == "$default" {
		return best, nil
	}
	return best, pathParams(best.segs, segs)
}

// matchSegs reports whether path segments match route segments, with a
// per-segment score: 2 literal, 1 {param}, 0 {greedy+}.
func matchSegs(route, path []string) ([]int, bool) {
	score := make([]int, 0, len(route))
	for i, rs := range route {
		if isGreedy(rs) {
			if i >= len(path) || (len(path) == i+1 && path[i] == "") {
				return nil, false // {proxy+} needs at least one segment
			}
			return append(score, 0), true
		}
		if i >= len(path) {
			return nil, false
		}
		switch {
		case isParam(rs):
			if path[i] == "" {
				return nil, false
			}
			score = append(score, 1)
		case rs == path[i]:
			score = append(score, 2)
		default:
			return nil, false
		}
	}
	return score, len(route) == len(path)
}

func isParam(seg string) bool  { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }
func isGreedy(seg string) bool { return isParam(seg) && strings.HasSuffix(seg, "+}") }

func pathParams(route, path []string) map[string]string {
	params := map[string]string{}
	for i, rs := range route {
		if !isParam(rs) {
			continue
		}
		name := strings.TrimSuffix(strings.Trim(rs, "{}"), "+")
		raw := path[i]
		if isGreedy(rs) {
			raw = strings.Join(path[i:], "/")
		}
		if v, err := url.PathUnescape(raw); err == nil {
			raw = v
		}
		params[name] = raw
	}
	if len(params) == 0 {
		return nil
	}
	return params
}

// authorize runs the JWT authorizer the way HTTP API does: the bearer token
// from Authorization, verified against the issuer's JWKS (RS256 signature,
// iss, exp/nbf/iat, aud or else client_id among the audience), then the
// route's scopes. On failure it writes API Gateway's 401 (or 403 for missing
// scopes) with its www-authenticate header and returns false.
func (g *Gateway) authorize(w http.ResponseWriter, r *http.Request, rt *route) (*Authorizer, bool) {
	header := r.Header.Get("Authorization")
	if header == "" {
		writeMessage(w, http.StatusUnauthorized, "Unauthorized")
		return nil, false
	}
	token := header
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	if g.verifier == nil {
		g.logf("route %s needs the JWT authorizer, but none is configured (COGNITO_* settings missing)", rt.Key())
		unauthorized(w, "the authorizer is not configured")
		return nil, false
	}
	claims, err := g.verifier.VerifyAudience(r.Context(), token, g.cfg.Authorizer.Audience)
	if err != nil {
		desc := "the token is invalid"
		switch {
		case errors.Is(err, auth.ErrTokenExpired):
			desc = "the token has expired"
		case strings.Contains(err.Error(), "audience"):
			desc = "the token does not have a valid audience"
		case strings.Contains(err.Error(), "issuer"):
			desc = "the token does not have a valid issuer"
		case errors.Is(err, auth.ErrKeysUnavailable):
			g.logf("authorizer: %v", err)
			desc = "the signing keys could not be fetched"
		}
		unauthorized(w, desc)
		return nil, false
	}
	if len(rt.Scopes) > 0 && !slices.ContainsFunc(rt.Scopes, func(s string) bool { return slices.Contains(claims.Scopes, s) }) {
		w.Header().Set("Www-Authenticate", fmt.Sprintf(`Bearer scope="%s" error="insufficient_scope" error_description="the token does not have the required scopes"`, strings.Join(rt.Scopes, " ")))
		writeMessage(w, http.StatusForbidden, "Forbidden")
		return nil, false
	}
	scopes := claims.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return &Authorizer{JWT: &JWT{Claims: claims.StringClaims(), Scopes: scopes}}, true
}

func unauthorized(w http.ResponseWriter, desc string) {
	w.Header().Set("Www-Authenticate", fmt.Sprintf(`Bearer scope="" error="invalid_token" error_description="%s"`, desc))
	writeMessage(w, http.StatusUnauthorized, "Unauthorized")
}
