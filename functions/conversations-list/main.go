// Command conversations-list serves GET /conversations: the caller's conversations, newest first.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/deps"
)

func main() { api.Start("conversations-list", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.LoadUserRoutes(ctx, "conversations-list")
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.Store}
	return d.Route("conversations-list", h.Serve), nil
}
