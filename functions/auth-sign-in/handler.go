package main

import (
	"context"
	"errors"
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

// Serve: POST /auth/sign-in {email, password} → 200 {accessToken, idToken,
// refreshToken, expiresIn, tokenType}, or, for a user with MFA on, 200
// {"challenge":"mfa_required","session"} (openapi.yaml's MFAChallenge),
// answered with the code by POST /auth/mfa/challenge. A wrong password and an unknown e-mail
// are the same 401 invalid_credentials; an unconfirmed account is 403.
//
// The user's row is created (or its e-mail updated) here, so that every later
// query can be scoped by user id. If the database is down the sign-in still
// succeeds: GET /me creates the row on first use.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.SignInRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	tokens, err := h.cognito.SignIn(ctx, body.Email, body.Password)
	var mfa *cognito.MFARequired
	if errors.As(err, &mfa) {
		// The password was right; the code of the app finishes the sign-in
		// (POST /auth/mfa/challenge). No row is touched before that.
		return api.JSON(http.StatusOK, mfa.Challenge()), nil
	}
	if err != nil {
		if cognito.ExceptionName(err) == "InvalidPasswordException" {
			// cognito-local's answer to a wrong password; Cognito's is NotAuthorized.
			return api.Response{}, cognito.InvalidCredentials().WithCause(err)
		}
		return api.Response{}, cognito.APIError(err)
	}
	if sub, email, err := cognito.IdentityOf(tokens.IDToken); err != nil {
		slog.WarnContext(ctx, "sign-in: id token unreadable; user row not upserted", "error", err.Error())
	} else if _, err := store.UpsertUser(ctx, h.db, sub, email); err != nil {
		slog.WarnContext(ctx, "sign-in: user row not upserted", "error", err.Error())
	}
	return api.JSON(http.StatusOK, tokens), nil
}
