// Command auth-mfa-challenge serves POST /auth/mfa/challenge: the code of the
// authenticator app completes a sign-in that answered mfa_required.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "auth-mfa-challenge"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind the public
// routes' per-IP limit.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.New(ctx, name, deps.Database)
	if err != nil {
		return nil, err
	}
	users, err := cognito.FromEnv()
	if err != nil {
		return nil, err
	}
	h := &handler{cognito: users, db: d.Store}
	return d.Public(h.Serve), nil
}
