package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// hangingServer accepts connections and never answers: a dependency that is
// up at the TCP level but stuck, the worst case for a timeout.
func hangingServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func TestHealth(t *testing.T) {
	env := testenv.Get(t)
	// Private servers, so that stopping them affects no other test.
	pg := testenv.StartPostgresT(t)
	redis := testenv.StartRedisT(t)
	stoppedPG := testenv.StartPostgresT(t)
	stoppedPGURL := stoppedPG.URL("postgres")
	stoppedPG.Stop()
	stoppedRedis := testenv.StartRedisT(t)
	stoppedRedisURL := stoppedRedis.URL(0)
	stoppedRedis.Stop()
	hung := hangingServer(t)

	tests := []struct {
		name         string
		databaseURL  string
		redisURL     string
		wantStatus   int
		wantHealth   string
		wantDatabase string
		wantCache    string
	}{
		{"all up (shared stack)", env.DatabaseURL, env.RedisURL, 200, "ok", "ok", "ok"},
		{"all up (private servers)", pg.URL("postgres"), redis.URL(0), 200, "ok", "ok", "ok"},
		{"redis stopped", pg.URL("postgres"), stoppedRedisURL, 200, "degraded", "ok", "down"},
		{"redis hangs", pg.URL("postgres"), "redis://" + hung + "/0", 200, "degraded", "ok", "down"},
		{"postgres stopped", stoppedPGURL, redis.URL(0), 503, "unhealthy", "down", "ok"},
		{"postgres hangs", "postgres://u@" + hung + "/db?sslmode=disable", redis.URL(0), 503, "unhealthy", "down", "ok"},
		{"everything down", stoppedPGURL, stoppedRedisURL, 503, "unhealthy", "down", "down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DATABASE_URL", tt.databaseURL)
			t.Setenv("REDIS_URL", tt.redisURL)
			cfg, err := config.Load[config.Health]()
			if err != nil {
				t.Fatal(err)
			}
			h, err := newHandler(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			resp, err := api.Wrap(h.Serve)(context.Background(),
				json.RawMessage(`{"rawPath":"/health","requestContext":{"requestId":"r","http":{"method":"GET","path":"/health"}}}`))
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if elapsed > 2*time.Second {
				t.Errorf("answered in %s, want under 2s", elapsed)
			}
			var r report
			if err := json.Unmarshal([]byte(resp.Body), &r); err != nil {
				t.Fatalf("body %q: %v", resp.Body, err)
			}
			if resp.StatusCode != tt.wantStatus || r.Status != tt.wantHealth {
				t.Errorf("got %d %q, want %d %q: %s", resp.StatusCode, r.Status, tt.wantStatus, tt.wantHealth, resp.Body)
			}
			if got := r.Checks["database"].Status; got != tt.wantDatabase {
				t.Errorf("checks.database = %q, want %q", got, tt.wantDatabase)
			}
			if got := r.Checks["cache"].Status; got != tt.wantCache {
				t.Errorf("checks.cache = %q, want %q", got, tt.wantCache)
			}
			if r.Version == "" || time.Since(r.Timestamp) > time.Minute {
				t.Errorf("version %q, timestamp %s", r.Version, r.Timestamp)
			}
			if resp.Headers["X-Request-Id"] != "r" || resp.Headers["Content-Type"] != "application/json" {
				t.Errorf("headers = %v", resp.Headers)
			}
		})
	}
}

// TestWarmupTouchesNoDependency answers a warmup event with dependencies that
// would fail the test if called.
func TestWarmupTouchesNoDependency(t *testing.T) {
	called := func(name string) pinger {
		return func(context.Context) error { t.Errorf("%s was checked on warmup", name); return fmt.Errorf("no") }
	}
	h := &handler{database: called("database"), cache: called("cache"), timeout: time.Second, now: time.Now}
	resp, err := api.Wrap(h.Serve)(context.Background(), json.RawMessage(`{"warmup":true}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("warmup: %d %v", resp.StatusCode, err)
	}
}

// TestDeepCheckIsCachedAndLimited: /health is public, and each deep check
// wakes the database and spends a cache command: an instance answers its last
// check for cacheFor, and limits each IP in memory (no Redis command).
func TestDeepCheckIsCachedAndLimited(t *testing.T) {
	var pings atomic.Int32
	ping := func(context.Context) error { pings.Add(1); return nil }
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h := &handler{database: ping, cache: ping, timeout: time.Second, cacheFor: 5 * time.Second,
		now: func() time.Time { return now }}
	serve := api.Wrap(api.LimitByIP(&cache.LocalLimiter{}, "health", 3, h.Serve))
	call := func(ip string) api.Response {
		t.Helper()
		resp, err := serve(context.Background(), json.RawMessage(
			`{"rawPath":"/health","requestContext":{"requestId":"r","http":{"method":"GET","path":"/health","sourceIp":"`+ip+`"}}}`))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for i := range 3 {
		if r := call("192.0.2.1"); r.StatusCode != 200 {
			t.Fatalf("call %d: %d %s", i+1, r.StatusCode, r.Body)
		}
	}
	if n := pings.Load(); n != 2 {
		t.Errorf("%d pings for 3 calls within 5 s, want 2 (one check of each dependency)", n)
	}
	if r := call("192.0.2.1"); r.StatusCode != 429 {
		t.Errorf("a 4th call from one IP within the minute: %d, want 429", r.StatusCode)
	}
	now = now.Add(6 * time.Second)
	if r := call("192.0.2.2"); r.StatusCode != 200 || pings.Load() != 4 {
		t.Errorf("after the cache time, another IP: %d with %d pings, want 200 and a new check", r.StatusCode, pings.Load())
	}
}
