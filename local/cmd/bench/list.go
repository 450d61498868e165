package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/macro-ai/macro-ai/local/bench"
	"github.com/macro-ai/macro-ai/local/gateway"
	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// roundTripMethod says how ListResult counts SQL round trips.
const roundTripMethod = "a TCP proxy between the function and PostgreSQL counts the client's Sync and Query messages: " +
	"each is one wait for the server (a pipelined batch is one)"

// ListResult is GET /conversations through the local gateway as a signed-in user.
type ListResult struct {
	Request       string `json:"request"`
	Conversations int    `json:"conversations"`
	Items         int    `json:"items"` // in each response
	// Latency is what the HTTP client sees, through the gateway and its JWT
	// check; Duration is the function's own (the REPORT line's).
	Latency  bench.Dist `json:"latency"`
	Duration bench.Dist `json:"duration"`
	// RoundTrips per warm request: the fewest, the most, the mean.
	RoundTripsMin  int64   `json:"roundTripsMin"`
	RoundTripsMax  int64   `json:"roundTripsMax"`
	RoundTripsMean float64 `json:"roundTripsMean"`
	// ColdRoundTrips are the first request's, after ColdConnections
	// connections were opened (their set-up is not counted).
	ColdRoundTrips  int64  `json:"coldRoundTrips"`
	ColdConnections int64  `json:"coldConnections"`
	Method          string `json:"method"`
}

// benchList signs a user up, gives it o.conversations conversations, and
// times o.requests warm GET /conversations?limit=N through the gateway.
func benchList(ctx context.Context, tpl *template.Template, o options, env testenv.Env, fnLog io.Writer) (*ListResult, error) {
	token, _, _, err := bench.SeedUser(ctx, env, o.conversations)
	if err != nil {
		return nil, err
	}

	pg, err := bench.NewPGCounter(fmt.Sprintf("127.0.0.1:%d", env.PgBouncerPort))
	if err != nil {
		return nil, err
	}
	defer pg.Close()
	vars := env.Vars()
	// The functions reach PostgreSQL through the pooler, as on AWS (exec mode:
	// no prepared statements), counted on the way.
	u, err := url.Parse(env.PooledDatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	u.Host = pg.Addr()
	vars["DATABASE_URL"] = u.String()
	vars["RATE_LIMIT_PER_MINUTE"] = "1000000" // one user sends more than a minute's 120 requests

	var mu sync.Mutex
	var durations []time.Duration
	g, err := gateway.New(gateway.Config{
		Template: tpl, BuildDir: o.buildDir, Env: vars, Authorizer: gateway.CognitoAuthorizer(vars),
		Region: env.CognitoRegion, Log: io.Discard, FunctionOutput: fnLog,
		OnReport: func(r lambdaemu.Report) {
			if !r.Cold {
				mu.Lock()
				durations = append(durations, r.Duration)
				mu.Unlock()
			}
		},
	})
	if err != nil {
		return nil, err
	}
	defer g.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: g}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	res := &ListResult{
		Request:       fmt.Sprintf("GET /conversations?limit=%d", min(o.conversations, 100)),
		Conversations: o.conversations,
		Method:        roundTripMethod,
	}
	target := fmt.Sprintf("http://%s/conversations?limit=%d", ln.Addr(), min(o.conversations, 100))
	var latencies []time.Duration
	var trips []int64
	for i := range o.requests + 1 {
		before := pg.RoundTrips()
		t0 := time.Now()
		items, err := get(ctx, target, token)
		if err != nil {
			return nil, err
		}
		took := time.Since(t0)
		n := pg.RoundTrips() - before
		if i == 0 {
			res.Items, res.ColdRoundTrips, res.ColdConnections = items, n, pg.Connections()
			continue
		}
		latencies, trips = append(latencies, took), append(trips, n)
	}
	res.Latency = bench.Summarize(latencies)
	mu.Lock()
	res.Duration = bench.Summarize(durations)
	mu.Unlock()
	var sum int64
	for _, n := range trips {
		sum += n
	}
	res.RoundTripsMin, res.RoundTripsMax = slices.Min(trips), slices.Max(trips)
	res.RoundTripsMean = float64(sum) / float64(len(trips))
	return res, nil
}

// get fetches a page and returns how many items it holds.
func get(ctx context.Context, target, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET /conversations: %s: %.300s", resp.Status, body)
	}
	var page struct{ Items []json.RawMessage }
	if err := json.Unmarshal(body, &page); err != nil {
		return 0, fmt.Errorf("GET /conversations: %w", err)
	}
	return len(page.Items), nil
}
