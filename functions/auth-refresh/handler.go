package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct{ cognito *cognito.Client }

// Serve: POST /auth/refresh {refreshToken} → 200 {accessToken, idToken,
// expiresIn, tokenType}. A revoked (signed out) or unknown refresh token is 401.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.RefreshRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	tokens, err := h.cognito.Refresh(ctx, body.RefreshToken)
	if err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	tokens.RefreshToken = "" // refresh answers without one
	return api.JSON(http.StatusOK, tokens), nil
}
