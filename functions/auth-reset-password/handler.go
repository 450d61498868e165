package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/auth"
)

type handler struct{ cognito *auth.Cognito }

// Serve: POST /auth/reset-password {email, code, newPassword} → 204. The new
// password meets the policy before Cognito is called; a wrong code, or an
// unknown e-mail, is 400 on "code".
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body auth.ResetPasswordRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	if err := h.cognito.ResetPassword(ctx, body.Email, body.Code, body.NewPassword); err != nil {
		if auth.ExceptionName(err) == "UserNotFoundException" {
			return api.Response{}, api.ValidationFailed(api.FieldError{Field: "code", Message: "the code is wrong"})
		}
		return api.Response{}, auth.APIError(err)
	}
	return api.NoContent(), nil
}
