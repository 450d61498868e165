package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct{ cognito *cognito.Client }

// Serve: POST /auth/confirm {email, code} → 204. A wrong or expired code is
// 400 with a detail on "code"; an unknown or already confirmed e-mail answers
// like a wrong code, so that the route does not tell which accounts exist.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.ConfirmRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	if err := h.cognito.ConfirmSignUp(ctx, body.Email, body.Code); err != nil {
		switch cognito.ExceptionName(err) {
		case "UserNotFoundException", "NotAuthorizedException":
			return api.Response{}, api.ValidationFailed(api.FieldError{Field: "code", Message: "the code is wrong"})
		}
		return api.Response{}, cognito.APIError(err)
	}
	return api.NoContent(), nil
}
