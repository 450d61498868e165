// Package cache opens the Redis client (Upstash over rediss://, or any Redis)
// with timeouts short enough that a dead cache degrades a request instead of
// stalling it, and a circuit breaker so that a hung one costs a timeout per
// instance per cooldown, not one per request.
package cache

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/lifecycle"
)

// Open returns a client for cfg, closed with ctx's lifecycle scope. It does
// not connect until first used.
func Open(ctx context.Context, cfg config.Redis) (*redis.Client, error) {
	return open(ctx, cfg, newBreaker(cfg.BreakerCooldown))
}

func open(ctx context.Context, cfg config.Redis, b *breaker) (*redis.Client, error) {
	opt, err := redis.ParseURL(cfg.URL)
	if err != nil {
		// ParseURL's errors name the scheme or the option, never the password.
		return nil, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	opt.DialTimeout = cfg.Timeout
	opt.ReadTimeout = cfg.Timeout
	opt.WriteTimeout = cfg.Timeout
	opt.ContextTimeoutEnabled = true
	opt.PoolSize = 2 // one request at a time per Lambda instance
	opt.MaxRetries = 0
	opt.DisableIdentity = true // skip CLIENT SETINFO: one round trip less per connection
	routeLogs.Do(func() { redis.SetLogger(slogLogger{}) })
	rdb := redis.NewClient(opt)
	rdb.AddHook(b)
	lifecycle.OnClose(ctx, func() { _ = rdb.Close() })
	return rdb, nil
}

// HistoryKey is where a conversation's recent-messages window is cached
// (shared/chat): deleting the conversation deletes it too.
func HistoryKey(conversationID string) string { return "chat:history:" + conversationID }

// routeLogs sends go-redis's own log lines through slog (JSON, with the
// request id) instead of the standard logger.
var routeLogs sync.Once

type slogLogger struct{}

func (slogLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.WarnContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}
