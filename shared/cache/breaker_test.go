package cache

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/config"
)

// hungRedis accepts connections and never answers, as a stopped server or
// a partition looks to a client.
func hungRedis(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "redis://" + ln.Addr().String() + "/0"
}

// TestBreaker: a hung Redis costs one timeout, then every command fails at
// once until the cooldown is over, then Redis is tried again.
func TestBreaker(t *testing.T) {
	const timeout = 200 * time.Millisecond
	ctx := context.Background()
	b := newBreaker(time.Hour)
	rdb, err := open(ctx, config.Redis{URL: hungRedis(t), Timeout: timeout}, b)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	now := time.Now()
	b.now = func() time.Time { return now }

	start := time.Now()
	if err := rdb.Get(ctx, "k").Err(); err == nil {
		t.Fatal("a GET of a hung Redis succeeded")
	}
	if took := time.Since(start); took < timeout/2 || took > timeout+time.Second {
		t.Errorf("the first command took %v, want about the %v timeout", took, timeout)
	}
	start = time.Now()
	for range 20 {
		if err := rdb.Set(ctx, "k", "v", 0).Err(); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("with the breaker open: %v, want ErrUnavailable", err)
		}
	}
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error { p.Get(ctx, "a"); return nil }); !errors.Is(err, ErrUnavailable) {
		t.Errorf("a pipeline with the breaker open: %v", err)
	}
	if took := time.Since(start); took > 50*time.Millisecond {
		t.Errorf("21 commands with the breaker open took %v; want no waiting", took)
	}
	now = now.Add(time.Hour + time.Second) // the cooldown is over: Redis is tried again
	start = time.Now()
	if err := rdb.Get(ctx, "k").Err(); errors.Is(err, ErrUnavailable) || time.Since(start) < timeout/2 {
		t.Errorf("after the cooldown: %v after %v; want a real try", err, time.Since(start))
	}
}
