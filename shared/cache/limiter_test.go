package cache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func newLimiter(t *testing.T, url string) *Limiter {
	t.Helper()
	rdb, err := Open(context.Background(), config.Redis{URL: url, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	return NewLimiter(rdb)
}

func TestLimiter(t *testing.T) {
	env := testenv.Get(t)
	stopped := testenv.StartRedisT(t)
	stoppedURL := stopped.URL(0)
	stopped.Stop()

	tests := []struct {
		name string
		url  string
	}{
		{"redis", env.RedisURL},
		{"redis down: in-memory fallback", stoppedURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(t, tt.url)
			ctx := context.Background()
			key := "test:" + t.Name() + time.Now().String()
			start := time.Now()
			for i := range 3 {
				if d := l.Allow(ctx, key, 3); !d.Allowed {
					t.Fatalf("request %d refused within the limit", i+1)
				}
			}
			d := l.Allow(ctx, key, 3)
			if d.Allowed {
				t.Fatal("request over the limit allowed")
			}
			if d.RetryAfter <= 0 || d.RetryAfter > 21*time.Second {
				t.Errorf("RetryAfter = %s, want (0, 20s]", d.RetryAfter)
			}
			if other := l.Allow(ctx, key+":other", 3); !other.Allowed {
				t.Error("another key was limited")
			}
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("5 checks took %s", elapsed)
			}
		})
	}
}

func TestLimiterSharedAcrossInstances(t *testing.T) {
	env := testenv.Get(t)
	a, b := newLimiter(t, env.RedisURL), newLimiter(t, env.RedisURL)
	key := "test:shared:" + time.Now().String()
	ctx := context.Background()
	a.Allow(ctx, key, 2)
	b.Allow(ctx, key, 2)
	if a.Allow(ctx, key, 2).Allowed {
		t.Error("two instances did not share the limit through Redis")
	}
}

// TestLocalLimiterEvictsTheOldest: beyond its bound the in-memory fallback
// forgets the least recently used key, not every key: a flood of new keys
// (new IPs) cannot reset the bucket of the one being limited.
func TestLocalLimiterEvictsTheOldest(t *testing.T) {
	var m localLimiter
	for i := range maxLocalKeys {
		m.allow(fmt.Sprint("filler-", i), 1)
	}
	if !m.allow("victim", 1).Allowed || m.allow("victim", 1).Allowed {
		t.Fatal("a limit of 1 a minute: the first allowed, the second not")
	}
	m.allow("one-more", 1) // over the bound: the oldest filler goes
	if m.allow("victim", 1).Allowed {
		t.Error("the limited key was reset by a new one")
	}
	if len(m.buckets) != maxLocalKeys || m.lru.Len() != maxLocalKeys {
		t.Errorf("%d keys (%d in the list), want %d", len(m.buckets), m.lru.Len(), maxLocalKeys)
	}
	if _, ok := m.buckets["filler-0"]; ok {
		t.Error("the least recently used key is still there")
	}
}

// TestAllowMetered: the daily quotas and the rate limit in one command.
func TestAllowMetered(t *testing.T) {
	env := testenv.Get(t)
	limits := Usage{Turns: 3, Tokens: 1000, StoredBytes: 50} // EmbedChars: not checked
	tests := []struct {
		name      string
		perMinute int
		charges   []Usage // each allowed
		next      Usage   // then refused, or allowed when quota is ""
		quota     string
		rateOnly  bool // refused by the rate limit
	}{
		{"turns used up", 60, []Usage{{Turns: 1}, {Turns: 1}, {Turns: 1}}, Usage{Turns: 1}, "turns", false},
		{"tokens spent by earlier turns", 60, []Usage{{Turns: 1, Tokens: 1200}}, Usage{Turns: 1}, "tokens", false},
		{"the last charge may overshoot; the next is refused", 60, []Usage{{StoredBytes: 49}, {StoredBytes: 40}}, Usage{StoredBytes: 1}, "stored", false},
		{"a quota without a limit is not checked", 60, []Usage{{EmbedChars: 1 << 40}}, Usage{EmbedChars: 1}, "", false},
		{"rate limit", 2, []Usage{{Turns: 1}, {Turns: 1}}, Usage{Turns: 1}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			l := newLimiter(t, env.RedisURL)
			user := "u-" + fmt.Sprint(time.Now().UnixNano())
			for i, c := range tt.charges {
				spent := Usage{Tokens: c.Tokens, EmbedChars: c.EmbedChars} // known once a turn is done
				c.Tokens, c.EmbedChars = 0, 0
				if d := l.AllowMetered(ctx, "test:"+user, tt.perMinute, user, limits, c); !d.Allowed {
					t.Fatalf("charge %d refused: %+v", i+1, d)
				}
				l.Spend(ctx, user, spent)
			}
			d := l.AllowMetered(ctx, "test:"+user, tt.perMinute, user, limits, tt.next)
			switch {
			case tt.quota == "" && !tt.rateOnly:
				if !d.Allowed {
					t.Fatalf("refused: %+v", d)
				}
			case tt.rateOnly:
				if d.Allowed || d.Quota != nil || d.RetryAfter <= 0 || d.RetryAfter > 31*time.Second {
					t.Fatalf("got %+v, want a rate-limit refusal within 30 s", d)
				}
			default:
				if d.Allowed || d.Quota == nil || d.Quota.Quota != tt.quota {
					t.Fatalf("got %+v, want quota %q used up", d, tt.quota)
				}
				midnight := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
				if !d.Quota.ResetsAt.Equal(midnight) || d.RetryAfter <= 0 || d.RetryAfter > 24*time.Hour {
					t.Errorf("resets at %s in %s, want %s", d.Quota.ResetsAt, d.RetryAfter, midnight)
				}
			}
		})
	}
}

// TestAllowMeteredCountsWhatIsAllowed: the usage hash holds exactly what was
// allowed (a refusal counts nothing) and expires after the day.
func TestAllowMeteredCountsWhatIsAllowed(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	l := newLimiter(t, env.RedisURL)
	user := "u-" + fmt.Sprint(time.Now().UnixNano())
	limits := Usage{Turns: 2}
	for range 4 {
		l.AllowMetered(ctx, "test:"+user, 60, user, limits, Usage{Turns: 1, StoredBytes: 10})
	}
	l.Spend(ctx, user, Usage{Tokens: 7})
	key := QuotaKey(user, time.Now().UTC().Truncate(24*time.Hour))
	got, err := l.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"turns": "2", "stored": "20", "tokens": "7"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("usage %v, want %v", got, want)
	}
	ttl, err := l.rdb.TTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl < time.Hour || ttl > 25*time.Hour {
		t.Errorf("TTL %s, want the rest of the day and an hour", ttl)
	}
}

// TestAllowMeteredRead: the value is read in the same command when the
// request is allowed, and only then.
func TestAllowMeteredRead(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	l := newLimiter(t, env.RedisURL)
	user := "u-" + fmt.Sprint(time.Now().UnixNano())
	key := "test:read:" + user
	if err := l.rdb.Set(ctx, key, "the window", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		readKey string
		allowed bool
		want    string // "" is nil
	}{
		{"allowed: the value", key, true, "the window"},
		{"allowed, unset key: nil", key + ":none", true, ""},
		{"allowed, no key: nil", "", true, ""},
		{"refused: nil", key, false, ""}, // the fourth of three a minute
	}
	for _, tt := range tests {
		d, v := l.AllowMeteredRead(ctx, "test:"+user, 3, user, Usage{}, Usage{Turns: 1}, tt.readKey)
		if d.Allowed != tt.allowed || string(v) != tt.want || (tt.want == "") != (v == nil) {
			t.Errorf("%s: allowed %v, value %q; want %v, %q", tt.name, d.Allowed, v, tt.allowed, tt.want)
		}
	}
}

// TestAllowMeteredRedisDown: the rate limit holds in memory; the quotas,
// which need every instance's count, are not enforced.
func TestAllowMeteredRedisDown(t *testing.T) {
	stopped := testenv.StartRedisT(t)
	url := stopped.URL(0)
	stopped.Stop()
	l := newLimiter(t, url)
	ctx := context.Background()
	limits := Usage{Turns: 1}
	for i := range 2 {
		if d := l.AllowMetered(ctx, "test:down", 2, "u", limits, Usage{Turns: 1}); !d.Allowed {
			t.Fatalf("turn %d refused with Redis down: %+v", i+1, d)
		}
	}
	if d := l.AllowMetered(ctx, "test:down", 2, "u", limits, Usage{Turns: 1}); d.Allowed || d.Quota != nil {
		t.Fatalf("got %+v, want the in-memory rate limit to refuse", d)
	}
}

// TestSpendAndSet: the spending and the cache entry in one command.
func TestSpendAndSet(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	l := newLimiter(t, env.RedisURL)
	user := "u-" + fmt.Sprint(time.Now().UnixNano())
	key := "test:window:" + user
	l.SpendAndSet(ctx, user, Usage{Tokens: 42, StoredBytes: 7}, key, []byte(`{"c":2}`), time.Minute)
	if got, err := l.rdb.Get(ctx, key).Result(); err != nil || got != `{"c":2}` {
		t.Errorf("cache entry %q, %v", got, err)
	}
	if ttl := l.rdb.PTTL(ctx, key).Val(); ttl <= 50*time.Second || ttl > time.Minute {
		t.Errorf("cache entry TTL %s, want a minute", ttl)
	}
	usage := l.rdb.HGetAll(ctx, QuotaKey(user, time.Now().UTC().Truncate(24*time.Hour))).Val()
	if usage["tokens"] != "42" || usage["stored"] != "7" || len(usage) != 2 {
		t.Errorf("usage %v", usage)
	}
}
