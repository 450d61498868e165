// Command conversations-create serves POST /conversations: start a conversation.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/deps"
)

func main() { api.Start("conversations-create", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.LoadUserRoutes(ctx, "conversations-create")
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.Store}
	return d.Route("conversations-create", h.Serve), nil
}
