package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct {
	cognito *cognito.Client
	// emails limits the codes sent to one address (nil: no limit).
	emails  cognito.EmailLimiter
	perHour int
}

// Serve: POST /auth/resend-code {email} → 204, also for an unknown or an
// already confirmed e-mail (no account enumeration).
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.EmailRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	if h.emails != nil {
		if err := cognito.LimitEmail(ctx, h.emails, "auth-resend-code", body.Email, h.perHour); err != nil {
			return api.Response{}, err
		}
	}
	if err := h.cognito.ResendCode(ctx, body.Email); err != nil {
		switch cognito.ExceptionName(err) {
		case "UserNotFoundException", "InvalidParameterException", "NotAuthorizedException":
			return api.NoContent(), nil
		}
		return api.Response{}, cognito.APIError(err)
	}
	return api.NoContent(), nil
}
