// Command auth-mfa-setup serves POST /auth/mfa/setup: a signed-in caller
// starts enrolling an authenticator app (TOTP).
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "auth-mfa-setup"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind a signed-in
// caller's checks and the auth routes' rate limit (per IP and per user).
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.New(ctx, name)
	if err != nil {
		return nil, err
	}
	users, err := cognito.FromEnv()
	if err != nil {
		return nil, err
	}
	h := &handler{cognito: users}
	return d.Credential(h.Serve), nil
}
