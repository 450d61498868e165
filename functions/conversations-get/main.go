// Command conversations-get serves GET /conversations/{id}: one conversation.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/deps"
)

func main() { api.Start("conversations-get", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.LoadUserRoutes(ctx, "conversations-get")
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.Store}
	return d.Route("conversations-get", h.Serve), nil
}
