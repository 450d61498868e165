package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct{ cognito *cognito.Client }

// wrong is the one answer to a wrong password and to a wrong code: it never
// tells which of the two was right.
const wrong = "the password or the code is wrong"

// Serve: POST /auth/mfa/disable {password, code} (auth) → 200
// {"mfaEnabled":false}.
//
// Cognito checks a code of an enrolled app only inside a sign-in, so the
// check is one: USER_PASSWORD_AUTH with the caller's e-mail and password,
// then the SOFTWARE_TOKEN_MFA challenge with the code. A wrong password and a
// wrong code are the same 400 on code (400, not 401: the web client reads 401
// as a session that ended). The check's own refresh token is revoked; then
// SetUserMFAPreference turns TOTP off. MFA that is off is 409
// mfa_not_enabled. Neither the password nor the code is logged.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.MFADisableRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	token := api.BearerToken(req)
	if token == "" {
		return api.Response{}, api.Unauthorized()
	}
	email, err := h.cognito.Email(ctx, token)
	if err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	check, err := h.cognito.SignIn(ctx, email, body.Password)
	switch {
	case err == nil:
		h.revoke(ctx, check)
		return api.Response{}, cognito.MFANotEnabled()
	case !cognito.PasswordRight(err):
		return api.Response{}, cognito.WrongMFACode(err, wrong)
	}
	challenge := err.(*cognito.MFARequired)
	check, err = h.cognito.RespondMFA(ctx, email, challenge.Session, body.Code)
	if err != nil {
		return api.Response{}, cognito.WrongMFACode(err, wrong)
	}
	h.revoke(ctx, check)
	if err := h.cognito.SetSoftwareTokenMFA(ctx, token, false); err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	return api.JSON(http.StatusOK, map[string]bool{"mfaEnabled": false}), nil
}

// revoke ends the session the check opened: nobody holds its tokens.
func (h *handler) revoke(ctx context.Context, t *cognito.Tokens) {
	if t == nil || t.RefreshToken == "" {
		return
	}
	if err := h.cognito.RevokeToken(ctx, t.RefreshToken); err != nil {
		slog.WarnContext(ctx, "mfa disable: revoking the check's refresh token failed", "error", err.Error())
	}
}
