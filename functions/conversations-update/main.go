// Command conversations-update serves PATCH /conversations/{id}: rename a conversation.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/deps"
)

func main() { api.Start("conversations-update", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.LoadUserRoutes(ctx, "conversations-update")
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.Store}
	return d.Route("conversations-update", h.Serve), nil
}
