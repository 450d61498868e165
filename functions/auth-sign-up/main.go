// Command auth-sign-up serves POST /auth/sign-up: create an account.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "auth-sign-up"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind the public
// routes' per-IP limit.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.New(ctx, name)
	if err != nil {
		return nil, err
	}
	users, err := cognito.FromEnv()
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
	h := &handler{cognito: users, policy: policy, emails: d.Limiter, perHour: d.Limits.AuthEmailPerHour}
	return d.Public(h.Serve), nil
}
