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
