package api

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/cache"
)

// gateLimiter decides only when its test says so, and records the order of
// events: "decided" when it answers.
type gateLimiter struct {
	release chan struct{}
	allowed bool
	events  chan string
}

func (g *gateLimiter) Allow(context.Context, string, int) cache.Decision {
	<-g.release
	g.events <- "decided"
	return cache.Decision{Allowed: g.allowed, RetryAfter: 3 * time.Second}
}

func TestLimitOverlapsReadsAndGatesWrites(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		allowed bool
		// want is the order of events: the handler's "handled" before the
		// limiter's "decided" proves they overlapped.
		want       []string
		wantStatus int // of the *Error; 0: the handler's answer
	}{
		{"a read runs beside the decision", http.MethodGet, true, []string{"handled", "decided"}, 0},
		{"a refused read's answer is dropped", http.MethodGet, false, []string{"handled", "decided"}, http.StatusTooManyRequests},
		{"HEAD is a read", http.MethodHead, true, []string{"handled", "decided"}, 0},
		{"a write waits for the decision", http.MethodPost, true, []string{"decided", "handled"}, 0},
		{"a refused write never runs", http.MethodPatch, false, []string{"decided"}, http.StatusTooManyRequests},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := make(chan string, 4)
			l := &gateLimiter{release: make(chan struct{}), allowed: tt.allowed, events: events}
			h := func(context.Context, *Request) (Response, error) {
				events <- "handled"
				close(l.release) // a write would deadlock here had it not been decided first
				return JSON(http.StatusOK, map[string]string{"ok": "yes"}), nil
			}
			req := &Request{}
			req.RequestContext.HTTP.Method = tt.method
			req.RequestContext.HTTP.SourceIP = "192.0.2.1"
			if !isRead(req) {
				// A write is decided before the handler: let the limiter answer at once.
				h = func(context.Context, *Request) (Response, error) {
					events <- "handled"
					return JSON(http.StatusOK, nil), nil
				}
				close(l.release)
			}
			resp, err := LimitByIP(l, "route", 10, h)(context.Background(), req)
			close(events)
			var got []string
			for e := range events {
				got = append(got, e)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("events %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("events %v, want %v", got, tt.want)
				}
			}
			var apiErr *Error
			switch {
			case tt.wantStatus == 0 && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantStatus == 0 && resp.StatusCode != http.StatusOK:
				t.Fatalf("status %d", resp.StatusCode)
			case tt.wantStatus != 0 && (!errors.As(err, &apiErr) || apiErr.Status != tt.wantStatus || apiErr.RetryAfter != 3):
				t.Fatalf("err %v, want %d with Retry-After 3", err, tt.wantStatus)
			case tt.wantStatus != 0 && resp.Body != "":
				t.Fatalf("a refused request answered %q", resp.Body)
			}
		})
	}
}
