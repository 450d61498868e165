package main

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/macro-ai/macro-ai/local/bench"
	"github.com/macro-ai/macro-ai/local/template"
)

// AWS list prices (us-east-1, November 2026; eu-west-2's differ by a few
// per cent) and the always-free allowances that apply to every account.
const (
	lambdaGBSecondARM   = 0.0000133334 // USD per GB-second, arm64
	lambdaPerRequest    = 0.20 / 1e6   // USD
	httpAPIPerRequest   = 1.00 / 1e6   // USD, first 300 million a month
	logsPerGB           = 0.50         // USD ingested
	freeGBSeconds       = 400_000
	freeRequests        = 1_000_000
	freeLogsGB          = 5
	logBytesPerInvoke   = 1200 // START, END, REPORT and our access line, JSON
	daysPerMonth        = 30
	scheduledEvery5Min  = daysPerMonth * 24 * 12
	billingGranularityM = 1.0 // Lambda bills by the millisecond
)

// CostAssumptions are what the bench cannot measure here.
type CostAssumptions struct {
	RequestsPerDay  int     `json:"requestsPerDay"`
	ChatShare       float64 `json:"chatShare"`       // of the requests, chat turns
	ModelSeconds    float64 `json:"modelSeconds"`    // a real model streaming one answer
	EmbeddingMs     float64 `json:"embeddingMs"`     // a real provider's embeddings call
	NetworkRTTMs    float64 `json:"networkRttMs"`    // Lambda to Neon / Upstash, per round trip
	RoundTripsOther float64 `json:"roundTripsOther"` // database + cache round trips of a non-chat request
}

// CostLine is one row of the estimate.
type CostLine struct {
	What        string  `json:"what"`
	PerMonth    float64 `json:"invocationsPerMonth"`
	BilledMs    float64 `json:"billedMs"`
	MemoryMB    int     `json:"memoryMB"`
	GBSeconds   float64 `json:"gbSeconds"`
	HTTPAPIReqs float64 `json:"httpApiRequests"`
}

// CostResult is the monthly estimate.
type CostResult struct {
	Assumptions   CostAssumptions `json:"assumptions"`
	Lines         []CostLine      `json:"lines"`
	GBSeconds     float64         `json:"gbSeconds"`
	Invocations   float64         `json:"invocations"`
	LogsGB        float64         `json:"logsGB"`
	WithFreeTier  float64         `json:"usdWithFreeTier"`
	NoFreeTier    float64         `json:"usdWithoutFreeTier"`
	LambdaFreePct float64         `json:"lambdaFreeTierUsedPct"`
}

// estimateCost prices a month at the assumed traffic from the measured
// durations (warm p95, plus the network the local stack does not have) and
// the template's memory sizes.
func estimateCost(rep *Report, tpl *template.Template, a CostAssumptions) *CostResult {
	warmP95 := func(name string) float64 {
		for _, r := range rep.Rows {
			if r.Name == name && r.Kind == bench.KindFunction && r.Error == "" {
				return r.Warm.P95Ms
			}
		}
		return 0
	}
	memory := func(dir string) int {
		if f, ok := tpl.Function(dir); ok {
			return f.MemorySize
		}
		return 128
	}
	billed := func(ms float64) float64 { return math.Max(billingGranularityM, math.Ceil(ms)) }

	perMonth := float64(a.RequestsPerDay * daysPerMonth)
	chatTurns := perMonth * a.ChatShare
	other := perMonth - chatTurns

	// A chat turn: the model's streaming, the measured overhead to the
	// first delta and after the last, and its round trips over the network.
	// Two embedding calls (the question's, before the model; both
	// messages', after the stream) are a real provider's time too.
	chatMs := a.ModelSeconds*1000 + 2*a.EmbeddingMs
	if c := rep.Chat; c != nil {
		chatMs += math.Max(0, c.Duration.P95Ms-c.ModelFirstToken.P95Ms) + (c.SQLMean+c.RedisMean)*a.NetworkRTTMs
	}
	otherMs := warmP95("conversations-list") + a.RoundTripsOther*a.NetworkRTTMs
	if l := rep.List; l != nil {
		otherMs = l.Duration.P95Ms + a.RoundTripsOther*a.NetworkRTTMs
	}
	httpFns := 0
	for _, f := range tpl.Functions {
		if len(f.Routes) > 0 {
			httpFns++
		}
	}
	lines := []CostLine{
		{What: "chat turns (Function URL: no gateway charge)", PerMonth: chatTurns, BilledMs: billed(chatMs), MemoryMB: memory("chat-stream")},
		{What: "other API requests (HTTP API)", PerMonth: other, BilledMs: billed(otherMs), MemoryMB: 128, HTTPAPIReqs: other},
		{What: "warmup runs (every 5 min)", PerMonth: scheduledEvery5Min, BilledMs: billed(warmP95("warmup") + a.NetworkRTTMs*2), MemoryMB: memory("warmup")},
		{What: fmt.Sprintf("warmup pings (%d functions)", httpFns), PerMonth: float64(scheduledEvery5Min * httpFns), BilledMs: billed(warmP95("health")), MemoryMB: 128},
		{What: "embedding backfill (every 5 min)", PerMonth: scheduledEvery5Min, BilledMs: billed(warmP95("embed") + 2*a.NetworkRTTMs), MemoryMB: memory("embed")},
	}
	res := &CostResult{Assumptions: a}
	httpReqs := 0.0
	for i := range lines {
		l := &lines[i]
		l.GBSeconds = l.PerMonth * l.BilledMs / 1000 * float64(l.MemoryMB) / 1024
		res.GBSeconds += l.GBSeconds
		res.Invocations += l.PerMonth
		httpReqs += l.HTTPAPIReqs
	}
	res.Lines = lines
	res.LogsGB = res.Invocations * logBytesPerInvoke / 1e9
	lambda := res.GBSeconds*lambdaGBSecondARM + res.Invocations*lambdaPerRequest
	api := httpReqs * httpAPIPerRequest
	logs := res.LogsGB * logsPerGB
	res.NoFreeTier = lambda + api + logs
	res.WithFreeTier = math.Max(0, res.GBSeconds-freeGBSeconds)*lambdaGBSecondARM +
		math.Max(0, res.Invocations-freeRequests)*lambdaPerRequest + api + math.Max(0, res.LogsGB-freeLogsGB)*logsPerGB
	res.LambdaFreePct = 100 * math.Max(res.GBSeconds/freeGBSeconds, res.Invocations/freeRequests)
	return res
}

func printCost(w io.Writer, c *CostResult) {
	if c == nil {
		return
	}
	a := c.Assumptions
	fmt.Fprintf(w, "\nWhat a month costs at %d requests a day (%.0f%% chat turns of %.0f s of model streaming and 2 embedding calls of %.0f ms; %.0f ms to Neon/Upstash per round trip; measured warm p95 durations; the template's memory sizes):\n",
		a.RequestsPerDay, a.ChatShare*100, a.ModelSeconds, a.EmbeddingMs, a.NetworkRTTMs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tinvocations/month\tbilled ms\tMB\tGB-s")
	for _, l := range c.Lines {
		fmt.Fprintf(tw, "  %s\t%.0f\t%.0f\t%d\t%.1f\n", l.What, l.PerMonth, l.BilledMs, l.MemoryMB, l.GBSeconds)
	}
	fmt.Fprintf(tw, "  total\t%.0f\t\t\t%.1f\n", c.Invocations, c.GBSeconds)
	tw.Flush()
	fmt.Fprintf(w, "  Lambda's always-free tier used: %.1f%%; logs %.2f GB (5 GB free)\n", c.LambdaFreePct, c.LogsGB)
	fmt.Fprintf(w, "  USD a month: %.2f with the free tiers (HTTP API requests are only free in the first year), %.2f with none\n", c.WithFreeTier, c.NoFreeTier)
	fmt.Fprintln(w, "  (Cognito ≤ 10 000 users, Parameter Store standard, X-Ray ≤ 100 000 traces, Neon and Upstash free tiers: 0)")
}
