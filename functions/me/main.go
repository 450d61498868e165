// Command me serves GET /me: the caller's account.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/db"
)

func main() { api.Start("me", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	cognitoCfg, err := config.Load[config.Cognito]()
	if err != nil {
		return nil, err
	}
	limits, err := config.Load[config.RateLimits]()
	if err != nil {
		return nil, err
	}
	limiter, err := cache.LimiterFromEnv(ctx)
	if err != nil {
		return nil, err
	}
	_, pool, err := db.OpenBoundedFromEnv(ctx, "me")
	if err != nil {
		return nil, err
	}
	h := &handler{cognito: cognito.New(cognitoCfg), db: pool}
	return api.RequireUser(api.LimitByUser(limiter, "me", limits.DefaultPerMinute, h.Serve)), nil
}
