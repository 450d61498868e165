package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/macro-ai/macro-ai/local/bench"
	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/local/gateway"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// LatencyTargets are the round trips a warm request may wait for on its
// critical path (docs/operating.md).
type LatencyTargets struct {
	ChatTurn float64 `json:"chatTurn"` // before the first token
	Route    float64 `json:"route"`    // every other warm route
}

// DefaultLatencyTargets: at most 2 round trips before a warm turn's first
// token, 1 for every other warm route.
var DefaultLatencyTargets = LatencyTargets{ChatTurn: 2, Route: 1}

// LatencyResult is the warm routes and the chat turn with a delay line in
// front of PostgreSQL and Redis and a slow embedding, the way production
// feels them (Neon and Upstash a few milliseconds away, a provider's
// embeddings call 100–300 ms).
type LatencyResult struct {
	// RTTsMs are the delays measured, each added to every round trip to
	// PostgreSQL and to Redis; EmbeddingMs the dev model's embeddings
	// latency in every run; FirstTokenMs its chat first-token delay.
	RTTsMs       []float64       `json:"rttsMs"`
	EmbeddingMs  float64         `json:"embeddingMs"`
	FirstTokenMs float64         `json:"firstTokenMs"`
	Requests     int             `json:"requestsPerRouteAndDelay"`
	Routes       []*RouteLatency `json:"routes"`
	Targets      LatencyTargets  `json:"targets"`
	Missed       []string        `json:"missed,omitempty"`
	Method       string          `json:"method"`
}

// RouteLatency is one route at each delay: for the chat turn the time to
// the first delta over the model's own first-token time (the turn's
// overhead), for the others the whole request.
type RouteLatency struct {
	Route string       `json:"route"`
	Write bool         `json:"write,omitempty"`
	At    []bench.Dist `json:"at"` // one per RTTsMs
	// TTFT is the chat turn's time to the first delta, one per RTTsMs.
	TTFT []bench.Dist `json:"ttft,omitempty"`
	// RoundTrips is the critical path's round trips: the p50's growth from
	// the first delay to the last, over the delay's growth.
	RoundTrips float64 `json:"criticalRoundTrips"`
	Target     float64 `json:"target"`
	Missed     string  `json:"missed,omitempty"`
}

const latencyMethod = "a delay line (TCP proxy) holds each chunk from the function to PostgreSQL and to Redis for the delay, in order, " +
	"so that every round trip costs it; the dev model answers embeddings after a fixed delay. Each route is warmed, then timed; " +
	"round trips on the critical path = (p50 at the largest delay − p50 at the smallest) / (the delays' difference). " +
	"The chat turn's p50 is its overhead (the client's time to the first delta less the model's own first-token time)"

// benchLatency measures o.latencyRequests warm requests of each route, and
// as many chat turns, at each delay of o.rtts.
func benchLatency(ctx context.Context, tpl *template.Template, o options, env testenv.Env, fnLog io.Writer) (*LatencyResult, error) {
	token, sub, convs, err := bench.SeedUser(ctx, env, 4)
	if err != nil {
		return nil, err
	}
	if err := seedBranches(ctx, env.DatabaseURL, sub, convs[:1], 40); err != nil {
		return nil, err
	}
	c, err := newCounted(env, devmodel.Config{Dimensions: env.EmbeddingDimensions, FirstTokenDelay: o.firstToken, EmbeddingDelay: o.embedLatency})
	if err != nil {
		return nil, err
	}
	defer c.close()
	pg, rc, timer, vars := c.pg, c.rc, c.timer, c.vars
	vars["RATE_LIMIT_PER_MINUTE"], vars["RATE_LIMIT_CHAT_PER_MINUTE"] = "1000000", "1000000"
	vars["QUOTA_TURNS_PER_DAY"], vars["QUOTA_TOKENS_PER_DAY"], vars["QUOTA_EMBED_CHARS_PER_DAY"] = "0", "0", "0"

	g, err := gateway.New(gateway.Config{
		Template: tpl, BuildDir: o.buildDir, Env: vars, Authorizer: gateway.CognitoAuthorizer(vars),
		Region: env.CognitoRegion, Log: io.Discard, FunctionOutput: fnLog,
	})
	if err != nil {
		return nil, err
	}
	defer g.Close()
	apiURL, stopAPI, err := serve(g)
	if err != nil {
		return nil, err
	}
	defer stopAPI()
	fu, err := g.FunctionURL("chat-stream")
	if err != nil {
		return nil, err
	}
	streamURL, stopStream, err := serve(fu)
	if err != nil {
		return nil, err
	}
	defer stopStream()

	conv := convs[0]
	routes := []struct {
		name, method, path, body string
	}{
		{"GET /conversations", http.MethodGet, "/conversations?limit=20", ""},
		{"GET /conversations/{id}", http.MethodGet, "/conversations/" + conv, ""},
		{"GET /conversations/{id}/messages", http.MethodGet, "/conversations/" + conv + "/messages?limit=50", ""},
		{"GET /me", http.MethodGet, "/me", ""},
		{"GET /models", http.MethodGet, "/models", ""},
		{"GET /me/usage", http.MethodGet, "/me/usage", ""},
		{"GET /search (keyword)", http.MethodGet, "/search?mode=keyword&q=long+conversation", ""},
		{"PATCH /conversations/{id}", http.MethodPatch, "/conversations/" + conv, `{"title":"Renamed by the bench"}`},
	}
	res := &LatencyResult{EmbeddingMs: ms(o.embedLatency), FirstTokenMs: ms(o.firstToken), Requests: o.latencyRequests,
		Targets: DefaultLatencyTargets, Method: latencyMethod}
	for _, d := range o.rtts {
		res.RTTsMs = append(res.RTTsMs, ms(d))
	}
	results := make([]*RouteLatency, len(routes))
	for i, r := range routes {
		results[i] = &RouteLatency{Route: r.name, Write: r.method != http.MethodGet, Target: res.Targets.Route}
	}
	chatTurn := &RouteLatency{Route: "chat turn (POST …/messages, warm, to the first delta)", Write: true, Target: res.Targets.ChatTurn}
	for _, rtt := range o.rtts {
		pg.SetDelay(rtt)
		rc.SetDelay(rtt)
		step(fmt.Sprintf("latency: %s per round trip to PostgreSQL and Redis, embeddings after %s", rtt, o.embedLatency))
		for i, r := range routes {
			var took []time.Duration
			for j := range 2 + o.latencyRequests { // the first two warm the instance and its connections
				t0 := time.Now()
				if err := call(ctx, r.method, apiURL+r.path, token, r.body); err != nil {
					return nil, fmt.Errorf("%s: %w", r.name, err)
				}
				if j >= 2 {
					took = append(took, time.Since(t0))
				}
			}
			results[i].At = append(results[i].At, bench.Summarize(took))
		}
		// Chat turns in a conversation of their own, after two that warm
		// the instance and cache the conversation's window.
		var overhead, ttft []time.Duration
		for j := range 2 + o.latencyRequests {
			timer.take()
			t, err := turn(ctx, streamURL+"/conversations/"+convs[1]+"/messages", token, fmt.Sprintf("Latency turn %d at %s: what next?", j, rtt))
			if err != nil {
				return nil, fmt.Errorf("chat turn: %w", err)
			}
			quiet(pg.RoundTrips, rc.Commands)
			chat, _ := timer.take()
			if len(chat) < 1 {
				return nil, fmt.Errorf("chat turn %d: the model saw no chat request", j)
			}
			if j >= 2 {
				overhead, ttft = append(overhead, t.firstDelta-chat[0]), append(ttft, t.firstDelta)
			}
		}
		chatTurn.At, chatTurn.TTFT = append(chatTurn.At, bench.Summarize(overhead)), append(chatTurn.TTFT, bench.Summarize(ttft))
	}
	pg.SetDelay(0)
	rc.SetDelay(0)
	res.Routes = append([]*RouteLatency{chatTurn}, results...)
	if len(o.rtts) > 1 {
		span := ms(o.rtts[len(o.rtts)-1] - o.rtts[0])
		for _, r := range res.Routes {
			r.RoundTrips = (r.At[len(r.At)-1].P50Ms - r.At[0].P50Ms) / span
			if r.RoundTrips > r.Target+0.5 { // half a trip of noise: the count is a whole number
				r.Missed = fmt.Sprintf("%.1f round trips on the critical path > %.0f", r.RoundTrips, r.Target)
				res.Missed = append(res.Missed, r.Route+": "+r.Missed)
			}
		}
	}
	return res, nil
}

// call sends one request and wants a 2xx.
func call(ctx context.Context, method, target, token, body string) error {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %.300s", method, target, resp.Status, b)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
