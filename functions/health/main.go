// Command health serves GET /health: whether the database and the cache answer.
package main

import (
	"context"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "health"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the deep check of PostgreSQL
// and Redis, limited per IP in the instance's memory (a public route that
// must not spend a Redis command per call).
func wire(ctx context.Context) (api.HandlerFunc, error) {
	cfg, err := config.Load[config.Health]()
	if err != nil {
		return nil, err
	}
	h, err := newHandler(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return api.LimitByIP(&cache.LocalLimiter{}, name, cfg.PerMinute, h.Serve), nil
}

// newHandler builds the checks; neither client connects until first used.
func newHandler(ctx context.Context, cfg config.Health) (*handler, error) {
	d, err := deps.New(ctx, name, deps.Database)
	if err != nil {
		return nil, err
	}
	return &handler{
		database: d.DB.Ping,
		cache:    func(ctx context.Context) error { return d.Redis.Ping(ctx).Err() },
		timeout:  cfg.CheckTimeout,
		cacheFor: cfg.CacheFor,
		now:      time.Now,
	}, nil
}
