package cache

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/macro-ai/macro-ai/shared/config"
)

// Decision is a rate limiter's answer.
type Decision struct {
	Allowed    bool
	RetryAfter time.Duration // when not allowed: how long until one more is
}

// Limiter is a per-key rate limiter in Redis (GCRA, one round trip per check).
// When Redis fails it falls back to a per-instance in-memory limiter with the
// same limits, logs that, and leaves Redis alone for a while: a cache outage
// neither locks everyone out nor opens the gate wide, and does not add a
// timeout to every request.
type Limiter struct {
	redis     *redis_rate.Limiter
	local     localLimiter
	skipUntil atomic.Int64 // unix nanos; Redis is not asked before then
	backoff   time.Duration
}

// NewLimiter returns a limiter over rdb.
func NewLimiter(rdb *redis.Client) *Limiter {
	return &Limiter{redis: redis_rate.NewLimiter(rdb), backoff: 10 * time.Second}
}

// Allow counts one event for key against perMinute events a minute (bursts up
// to perMinute).
func (l *Limiter) Allow(ctx context.Context, key string, perMinute int) Decision {
	if time.Now().UnixNano() >= l.skipUntil.Load() {
		res, err := l.redis.Allow(ctx, "rl:"+key, redis_rate.PerMinute(perMinute))
		if err == nil {
			return Decision{Allowed: res.Allowed > 0, RetryAfter: res.RetryAfter}
		}
		l.skipUntil.Store(time.Now().Add(l.backoff).UnixNano())
		slog.WarnContext(ctx, "rate limiter: Redis failed, limiting in memory", "error", err.Error(),
			"retryRedisIn", l.backoff.String())
	}
	return l.local.allow(key, perMinute)
}

// localLimiter is the in-memory fallback: one token bucket per key.
type localLimiter struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func (m *localLimiter) allow(key string, perMinute int) Decision {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buckets == nil || len(m.buckets) > 10000 {
		m.buckets = map[string]*rate.Limiter{} // bounded: an instance never grows without end
	}
	b, ok := m.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Limit(float64(perMinute)/60), perMinute)
		m.buckets[key] = b
	}
	r := b.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return Decision{Allowed: false, RetryAfter: d}
	}
	return Decision{Allowed: true}
}

// RetryAfterSeconds rounds d up to whole seconds, at least 1, for Retry-After.
func RetryAfterSeconds(d time.Duration) int {
	return int(math.Max(1, math.Ceil(d.Seconds())))
}

// LimiterFromEnv opens the Redis client from REDIS_URL and returns a limiter on it.
func LimiterFromEnv(ctx context.Context) (*Limiter, error) {
	cfg, err := config.Load[config.Redis]()
	if err != nil {
		return nil, err
	}
	rdb, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return NewLimiter(rdb), nil
}
