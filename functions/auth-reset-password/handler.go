package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct{ cognito *cognito.Client }

// Serve: POST /auth/reset-password {email, code, newPassword} → 204. The new
// password meets the policy before Cognito is called; a wrong code, or an
// unknown e-mail, is 400 on "code".
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.ResetPasswordRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	if err := h.cognito.ResetPassword(ctx, body.Email, body.Code, body.NewPassword); err != nil {
		if cognito.ExceptionName(err) == "UserNotFoundException" {
			return api.Response{}, api.ValidationFailed(api.FieldError{Field: "code", Message: "the code is wrong"})
		}
		return api.Response{}, cognito.APIError(err)
	}
	return api.NoContent(), nil
}
