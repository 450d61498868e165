package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct{ cognito *cognito.Client }

// Serve: POST /auth/sign-out (auth) → 204. Global sign-out: every refresh
// token of the caller is revoked, so no session can be renewed; access tokens
// already issued live until they expire (at most an hour), as with Cognito.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	token := api.BearerToken(req)
	if token == "" {
		return api.Response{}, api.Unauthorized()
	}
	if err := h.cognito.SignOut(ctx, token); err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	return api.NoContent(), nil
}
