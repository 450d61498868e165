// Command conversations-update serves PATCH /conversations/{id}: rename a conversation.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "conversations-update"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind a signed-in
// caller's checks.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.New(ctx, name, deps.Database)
	if err != nil {
		return nil, err
	}
	models, err := config.Load[config.Models]()
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.Store, models: models}
	return d.User(h.Serve), nil
}
