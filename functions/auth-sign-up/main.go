// Command auth-sign-up serves POST /auth/sign-up: create an account.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/config"
)

func main() { api.Start("auth-sign-up", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	r, err := cognito.NewPublicRoute(ctx)
	if err != nil {
		return nil, err
	}
	signUp, err := config.Load[config.SignUp]()
	if err != nil {
		return nil, err
	}
	policy, err := cognito.ParseSignUpPolicy(signUp.Allowed)
	if err != nil {
		return nil, err
	}
	h := &handler{cognito: r.Cognito, policy: policy, emails: r.Limiter, perHour: r.EmailPerHour}
	return api.LimitByIP(r.Limiter, "auth-sign-up", r.PerMinute, h.Serve), nil
}
