package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/db"
	"github.com/macro-ai/macro-ai/shared/observe"
)

// pinger is a dependency that can say whether it answers.
type pinger func(ctx context.Context) error

// handler checks the database (essential) and the cache (non-essential).
type handler struct {
	database pinger
	cache    pinger
	timeout  time.Duration
	cacheFor time.Duration // a deep check younger than this is answered again
	now      func() time.Time

	mu       sync.Mutex
	last     report
	lastCode int
	lastAt   time.Time
}

// check is one dependency's result.
type check struct {
	Status    string  `json:"status"` // "ok" or "down"
	LatencyMs float64 `json:"latencyMs"`
	Error     string  `json:"error,omitempty"`
}

// report is the body of GET /health.
type report struct {
	Status    string           `json:"status"` // "ok", "degraded" or "unhealthy"
	Checks    map[string]check `json:"checks"`
	Version   string           `json:"version"`
	Timestamp time.Time        `json:"timestamp"`
}

// Serve answers GET /health: 200 "ok" when everything answers, 200 "degraded"
// when only the cache is down, 503 "unhealthy" when the database is down. Both
// checks run at once, each bounded by the check timeout. A check younger than
// cacheFor is answered again without pinging (its timestamp says when it ran).
func (h *handler) Serve(ctx context.Context, _ *api.Request) (api.Response, error) {
	h.mu.Lock()
	defer h.mu.Unlock() // one check at a time per instance; others wait for it
	if !h.lastAt.IsZero() && h.now().Sub(h.lastAt) < h.cacheFor {
		return api.JSON(h.lastCode, h.last), nil
	}
	var (
		wg            sync.WaitGroup
		database, rdb check
	)
	wg.Add(2)
	go func() { defer wg.Done(); database = h.run(ctx, h.database) }()
	go func() { defer wg.Done(); rdb = h.run(ctx, h.cache) }()
	wg.Wait()

	r := report{
		Status:    "ok",
		Checks:    map[string]check{"database": database, "cache": rdb},
		Version:   observe.Version,
		Timestamp: h.now().UTC(),
	}
	status := http.StatusOK
	switch {
	case database.Status != "ok":
		r.Status, status = "unhealthy", http.StatusServiceUnavailable
	case rdb.Status != "ok":
		r.Status = "degraded"
	}
	h.last, h.lastCode, h.lastAt = r, status, h.now()
	return api.JSON(status, r), nil
}

func (h *handler) run(ctx context.Context, ping pinger) check {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	start := time.Now()
	err := ping(ctx)
	c := check{Status: "ok", LatencyMs: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		c.Status, c.Error = "down", describe(err)
	}
	return c
}

// describe names the kind of failure without echoing the error itself, which
// may carry host or user names.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &ne), db.IsUnavailable(err):
		return "unreachable"
	default:
		return "error"
	}
}
