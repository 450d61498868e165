package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct{ cognito *cognito.Client }

// Serve: POST /auth/mfa/verify {code} (auth) → 200 {"mfaEnabled":true}.
// VerifySoftwareToken checks the code against the secret POST /auth/mfa/setup
// gave (a wrong one is 400 on code: 401 would read as a session that ended),
// then SetUserMFAPreference turns TOTP on and preferred: from the next
// sign-in, a code is asked for. The code is never logged.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.MFACodeRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	token := api.BearerToken(req)
	if token == "" {
		return api.Response{}, api.Unauthorized()
	}
	if err := h.cognito.VerifySoftwareToken(ctx, token, body.Code); err != nil {
		if cognito.ExceptionName(err) == "InvalidParameterException" {
			// No secret waits for a code: setup was not called.
			return api.Response{}, api.Errorf(http.StatusConflict, "mfa_not_set_up",
				"set up the authenticator app first").WithCause(err)
		}
		if cognito.ExceptionName(err) == "NotAuthorizedException" {
			return api.Response{}, cognito.APIError(err) // the token, not the code
		}
		return api.Response{}, cognito.WrongMFACode(err, "the code is wrong; check the app's clock and try the newest code")
	}
	if err := h.cognito.SetSoftwareTokenMFA(ctx, token, true); err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	return api.JSON(http.StatusOK, map[string]bool{"mfaEnabled": true}), nil
}
