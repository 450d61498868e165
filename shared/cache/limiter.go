package cache

import (
	"container/list"
	"context"
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
	RetryAfter time.Duration  // when not allowed: how long until one more is
	Quota      *QuotaExceeded // when a daily quota refused (AllowMetered)
}

// Limiter is a per-key rate limiter in Redis (GCRA, one round trip per check).
// When Redis fails it falls back to a per-instance in-memory limiter with the
// same limits, logs that, and leaves Redis alone for a while: a cache outage
// neither locks everyone out nor opens the gate wide, and does not add a
// timeout to every request.
type Limiter struct {
	rdb       *redis.Client
	redis     *redis_rate.Limiter
	local     localLimiter
	skipUntil atomic.Int64 // unix nanos; Redis is not asked before then
	backoff   time.Duration
}

// NewLimiter returns a limiter over rdb.
func NewLimiter(rdb *redis.Client) *Limiter {
	return &Limiter{rdb: rdb, redis: redis_rate.NewLimiter(rdb), backoff: 10 * time.Second}
}

// Allow counts one event for key against perMinute events a minute (bursts up
// to perMinute).
func (l *Limiter) Allow(ctx context.Context, key string, perMinute int) Decision {
	return l.allow(ctx, key, redis_rate.PerMinute(perMinute))
}

// AllowPerHour counts one event for key against perHour events an hour
// (bursts up to perHour): for what must stay rare, such as e-mails sent to
// one address.
func (l *Limiter) AllowPerHour(ctx context.Context, key string, perHour int) Decision {
	return l.allow(ctx, key, redis_rate.PerHour(perHour))
}

func (l *Limiter) allow(ctx context.Context, key string, limit redis_rate.Limit) Decision {
	if time.Now().UnixNano() >= l.skipUntil.Load() {
		res, err := l.redis.Allow(ctx, "rl:"+key, limit)
		if err == nil {
			return Decision{Allowed: res.Allowed > 0, RetryAfter: res.RetryAfter}
		}
		l.redisFailed(ctx, err)
	}
	return l.local.allowLimit(key, limit)
}

// LocalLimiter limits in this instance's memory only: for a route that must
// not spend a Redis command per request (/health, called by anyone).
type LocalLimiter struct{ local localLimiter }

// Allow counts one event for key against perMinute events a minute.
func (l *LocalLimiter) Allow(_ context.Context, key string, perMinute int) Decision {
	return l.local.allow(key, perMinute)
}

// maxLocalKeys bounds the in-memory fallback: an instance never grows
// without end.
const maxLocalKeys = 10000

// localLimiter is the in-memory fallback: one token bucket per key, the
// least recently used dropped beyond maxLocalKeys (never all of them: a
// flood of new keys must not reset the buckets of the ones being limited).
type localLimiter struct {
	mu      sync.Mutex
	buckets map[string]*list.Element // of *localBucket
	lru     list.List                // front: most recently used
}

type localBucket struct {
	key     string
	limiter *rate.Limiter
}

func (m *localLimiter) allow(key string, perMinute int) Decision {
	return m.allowLimit(key, redis_rate.PerMinute(perMinute))
}

func (m *localLimiter) allowLimit(key string, limit redis_rate.Limit) Decision {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buckets == nil {
		m.buckets = map[string]*list.Element{}
	}
	var b *rate.Limiter
	if e, ok := m.buckets[key]; ok {
		m.lru.MoveToFront(e)
		b = e.Value.(*localBucket).limiter
	} else {
		b = rate.NewLimiter(rate.Limit(float64(limit.Rate)/limit.Period.Seconds()), limit.Burst)
		m.buckets[key] = m.lru.PushFront(&localBucket{key: key, limiter: b})
		if m.lru.Len() > maxLocalKeys {
			oldest := m.lru.Back()
			m.lru.Remove(oldest)
			delete(m.buckets, oldest.Value.(*localBucket).key)
		}
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
	rdb, err := OpenFromEnv(ctx)
	if err != nil {
		return nil, err
	}
	return NewLimiter(rdb), nil
}

// OpenFromEnv loads the Redis settings and opens the client.
func OpenFromEnv(ctx context.Context) (*redis.Client, error) {
	cfg, err := config.Load[config.Redis]()
	if err != nil {
		return nil, err
	}
	return Open(ctx, cfg)
}
