// Command auth-sign-out serves POST /auth/sign-out: sign out everywhere.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/config"
)

func main() { api.Start("auth-sign-out", wire) }

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
	h := &handler{cognito: cognito.New(cognitoCfg)}
	return api.RequireUser(api.LimitByUser(limiter, "auth-sign-out", limits.DefaultPerMinute, h.Serve)), nil
}
