// Command me serves GET /me: the caller's account.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "me"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind a signed-in
// caller's checks.
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
	return d.User(h.Serve), nil
}
