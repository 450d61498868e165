package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct {
	cognito *cognito.Client
	db      store.DB
}

// Serve: POST /auth/mfa/challenge {email, session, code} → 200 the tokens, as
// POST /auth/sign-in answers them. Cognito's RespondToAuthChallenge
// (SOFTWARE_TOKEN_MFA) checks the session (3 minutes, a few tries) and the
// code. A wrong code, an expired or spent session and an unknown e-mail are
// all the one 401 invalid_credentials of a wrong password. As sign-in does,
// it creates the user's row. Neither the session nor the code is logged.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.MFAChallengeRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	tokens, err := h.cognito.RespondMFA(ctx, body.Email, body.Session, body.Code)
	if err != nil {
		return api.Response{}, cognito.ChallengeError(err)
	}
	if sub, email, err := cognito.IdentityOf(tokens.IDToken); err != nil {
		slog.WarnContext(ctx, "mfa challenge: id token unreadable; user row not upserted", "error", err.Error())
	} else if _, err := store.UpsertUser(ctx, h.db, sub, email); err != nil {
		slog.WarnContext(ctx, "mfa challenge: user row not upserted", "error", err.Error())
	}
	return api.JSON(http.StatusOK, tokens), nil
}
