package e2e

import (
	"net/url"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/local/faultproxy"
)

// TestDependencyFaults is the short fault matrix of `make load`, through the
// gateway and the real bootstraps: a hung or stopped PostgreSQL is a 503
// database_unavailable in the one error shape within 3 s; a hung or stopped
// Redis costs at most one timeout per instance (the circuit breaker), and the
// route still answers; after each fault the stack serves again.
func TestDependencyFaults(t *testing.T) {
	var pg, rd *faultproxy.Proxy
	through := func(raw string) (string, *faultproxy.Proxy) {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		p, err := faultproxy.Start(u.Host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		u.Host = p.Addr()
		return u.String(), p
	}
	s := newStack(t, func(v map[string]string) {
		v["DATABASE_URL"], pg = through(v["DATABASE_URL"])
		v["REDIS_URL"], rd = through(v["REDIS_URL"])
	})
	token, _, _ := s.signIn(t)
	list := func() (response, time.Duration) {
		start := time.Now()
		r := s.do("GET", "/conversations", token, nil)
		return r, time.Since(start)
	}
	if r, _ := list(); r.status != 200 {
		t.Fatalf("before any fault: %d %s", r.status, r.body)
	}
	tests := []struct {
		name       string
		proxy      **faultproxy.Proxy
		mode       faultproxy.Mode
		wantStatus int
		within     time.Duration
		// then is the bound on the next request on the same instance.
		then time.Duration
	}{
		{"PostgreSQL hung", &pg, faultproxy.Hang, 503, 3 * time.Second, 3 * time.Second},
		{"PostgreSQL down", &pg, faultproxy.Down, 503, 3 * time.Second, 3 * time.Second},
		{"Redis hung: one timeout, then the breaker", &rd, faultproxy.Hang, 200, 2 * time.Second, 300 * time.Millisecond},
		{"Redis down", &rd, faultproxy.Down, 200, 2 * time.Second, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := *tt.proxy
			if err := p.Set(tt.mode); err != nil {
				t.Fatal(err)
			}
			for i, bound := range []time.Duration{tt.within, tt.then} {
				r, took := list()
				if r.status != tt.wantStatus || took > bound {
					t.Fatalf("request %d: %d %s after %v; want %d within %v", i+1, r.status, r.body, took, tt.wantStatus, bound)
				}
				if r.status == 503 {
					if code := r.errorCode(t); code != "database_unavailable" {
						t.Errorf("request %d: code %q, want database_unavailable", i+1, code)
					}
				}
			}
			if err := p.Set(faultproxy.Pass); err != nil {
				t.Fatal(err)
			}
			// The stack serves again (Redis's breaker may still be open:
			// the route answers without it).
			deadline := time.Now().Add(10 * time.Second)
			for {
				r, _ := list()
				if r.status == 200 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("10 s after the fault: %d %s", r.status, r.body)
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}
