package cognito

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
)

// PublicRoute is what every public auth route is wired with: the Cognito
// client, the rate limiter and the per-IP limit.
type PublicRoute struct {
	Cognito   *Client
	Limiter   *cache.Limiter
	PerMinute int
	// EmailPerHour limits the routes that e-mail a code, per address.
	EmailPerHour int
}

// EmailLimiter is the part of the limiter LimitEmail needs.
type EmailLimiter interface {
	AllowPerHour(ctx context.Context, key string, perHour int) cache.Decision
}

// LimitEmail counts one e-mail to address for route against perHour an hour:
// a 429 beyond it, whoever asks (an address can be mail-bombed, and
// Cognito's e-mail quota drained, from many IPs). The address is hashed in
// the key, so that Redis holds no e-mail addresses.
func LimitEmail(ctx context.Context, l EmailLimiter, route, address string, perHour int) error {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(address))))
	if d := l.AllowPerHour(ctx, route+":email:"+hex.EncodeToString(sum[:12]), perHour); !d.Allowed {
		return api.RateLimited(d.RetryAfter)
	}
	return nil
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
	return &PublicRoute{Cognito: New(cognitoCfg), Limiter: limiter, PerMinute: limits.AuthPerMinute,
		EmailPerHour: limits.AuthEmailPerHour}, nil
}
