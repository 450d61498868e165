// Command auth-reset-password serves POST /auth/reset-password: set a new password with a code.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "auth-reset-password"

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
	h := &handler{cognito: users}
	return d.Public(h.Serve), nil
}
