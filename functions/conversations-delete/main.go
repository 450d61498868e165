// Command conversations-delete serves DELETE /conversations/{id}: delete a conversation with its messages.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/deps"
)

func main() { api.Start("conversations-delete", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.LoadUserRoutes(ctx, "conversations-delete")
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.Store, rdb: d.Redis}
	return d.Route("conversations-delete", h.Serve), nil
}
