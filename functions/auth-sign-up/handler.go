package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct {
	cognito *cognito.Client
	policy  cognito.SignUpPolicy // who may sign up
	// emails limits the codes sent to one address (nil: no limit).
	emails  cognito.EmailLimiter
	perHour int
}

type response struct {
	UserSub   string `json:"userSub"`
	Confirmed bool   `json:"confirmed"`
}

// Serve: POST /auth/sign-up {email, password} → 201 {userSub, confirmed}. The
// e-mail is trimmed and lower-cased and the password policy checked before
// Cognito is called; a taken e-mail is 409 user_exists. An address the
// deployment's SIGN_UP_ALLOWED does not list is 403 sign_up_closed, before
// any e-mail is sent.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.Credentials
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	if !h.policy.Allows(body.Email) {
		return api.Response{}, cognito.SignUpClosed()
	}
	if h.emails != nil { // a sign-up e-mails a code to the address
		if err := cognito.LimitEmail(ctx, h.emails, "auth-sign-up", body.Email, h.perHour); err != nil {
			return api.Response{}, err
		}
	}
	sub, confirmed, err := h.cognito.SignUp(ctx, body.Email, body.Password)
	if err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	return api.JSON(http.StatusCreated, response{UserSub: sub, Confirmed: confirmed}), nil
}
