// Command conversations-messages serves GET /conversations/{id}/messages: a page of a conversation's messages.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/deps"
)

func main() { api.Start("conversations-messages", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.LoadUserRoutes(ctx, "conversations-messages")
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.Store}
	return d.Route("conversations-messages", h.Serve), nil
}
