package cognito

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
)

// PublicRoute is what every public auth route is wired with: the Cognito
// client, the rate limiter and the per-IP limit.
type PublicRoute struct {
	Cognito   *Client
	Limiter   *cache.Limiter
	PerMinute int
}

// NewPublicRoute loads the Cognito, Redis and rate-limit settings and builds
// the clients; nothing connects until first used.
func NewPublicRoute(ctx context.Context) (*PublicRoute, error) {
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
	return &PublicRoute{Cognito: New(cognitoCfg), Limiter: limiter, PerMinute: limits.AuthPerMinute}, nil
}
