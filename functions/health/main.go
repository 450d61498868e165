// Command health serves GET /health: whether the database and the cache answer.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
)

func main() { api.Start("health", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	h, err := newHandler(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load[config.Health]()
	if err != nil {
		return nil, err
	}
	return api.LimitByIP(&cache.LocalLimiter{}, "health", cfg.PerMinute, h.Serve), nil
}
