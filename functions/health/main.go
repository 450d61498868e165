// Command health serves GET /health: whether the database and the cache answer.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
)

func main() { api.Start("health", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	h, err := newHandler(ctx)
	if err != nil {
		return nil, err
	}
	return h.Serve, nil
}
