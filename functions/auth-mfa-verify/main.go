// Command auth-mfa-verify serves POST /auth/mfa/verify: a code of the
// authenticator app being enrolled confirms it and turns MFA on.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "auth-mfa-verify"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind a signed-in
// caller's checks and the auth routes' rate limit (per IP and per user), so
// that codes cannot be guessed faster than passwords.
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
