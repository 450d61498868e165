package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct{ cognito *cognito.Client }

// issuer names the account in the authenticator app.
const issuer = "Macro AI"

// setup is the answer: the secret to type in, and the otpauth:// URI the web
// app shows as a QR code.
type setup struct {
	Secret string `json:"secret"`
	URI    string `json:"otpauthUri"`
}

// Serve: POST /auth/mfa/setup (auth, no body) → 200 {secret, otpauthUri}.
// Cognito's AssociateSoftwareToken makes a new secret, which counts only once
// POST /auth/mfa/verify confirms a code of it. While MFA is on, enrolling
// again is 409 mfa_enabled: a stolen access token must not move the second
// factor to another phone (turning it off needs the password and a code).
// The secret is never logged.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	token := api.BearerToken(req)
	if token == "" {
		return api.Response{}, api.Unauthorized()
	}
	email, on, err := h.cognito.Account(ctx, token)
	if err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	if on {
		return api.Response{}, cognito.MFAEnabledConflict()
	}
	secret, err := h.cognito.AssociateSoftwareToken(ctx, token)
	if err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	return api.JSON(http.StatusOK, setup{Secret: secret, URI: cognito.OTPAuthURI(issuer, email, secret)}), nil
}
