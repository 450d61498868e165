package main

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/store"
)

// maxRange bounds a query: a year and a day.
const maxRange = 367 * 24 * time.Hour

type handler struct {
	db     store.DB
	prices map[string]config.Price // USD per million tokens
	now    func() time.Time
}

// modelUsage is one model's line: its totals and their estimated cost.
type modelUsage struct {
	store.ModelUsage
	CostUSD *float64 `json:"costUsd"` // null when the model has no price
}

type totals struct {
	Answers          int     `json:"answers"`
	PromptTokens     int64   `json:"promptTokens"`
	CompletionTokens int64   `json:"completionTokens"`
	CostUSD          float64 `json:"costUsd"` // of the models with a price
}

type response struct {
	From   time.Time    `json:"from"`
	To     time.Time    `json:"to"`
	Models []modelUsage `json:"models"`
	Total  totals       `json:"total"`
}

// Serve: GET /me/usage?from=&to= (auth) → 200 {from, to, models: [{model,
// answers, promptTokens, completionTokens, costUsd}], total}. from and to
// are RFC 3339 times or dates (YYYY-MM-DD, midnight UTC); from defaults to
// the first of this month (UTC), to to now; to is exclusive, after from, at
// most 367 days later. Cost is estimated from OPENAI_PRICES. One round trip.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	now := h.now().UTC()
	var f api.Fields
	from := parseTime(&f, "from", req.QueryStringParameters["from"], time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC))
	to := parseTime(&f, "to", req.QueryStringParameters["to"], now)
	if err := f.Err(); err != nil {
		return api.Response{}, err
	}
	switch {
	case !to.After(from):
		f.Add("to", "must be after from")
	case to.Sub(from) > maxRange:
		f.Add("to", "must be at most 367 days after from")
	}
	if err := f.Err(); err != nil {
		return api.Response{}, err
	}
	usage, err := store.UsageBetween(ctx, h.db, api.UserID(req), from, to)
	if err != nil {
		return api.Response{}, err
	}
	out := response{From: from, To: to, Models: make([]modelUsage, 0, len(usage))}
	for _, u := range usage {
		line := modelUsage{ModelUsage: u}
		if p, ok := h.prices[u.Model]; ok {
			cost := roundCents(float64(u.PromptTokens)*p.Input/1e6 + float64(u.CompletionTokens)*p.Output/1e6)
			line.CostUSD = &cost
			out.Total.CostUSD += cost
		}
		out.Total.Answers += u.Answers
		out.Total.PromptTokens += u.PromptTokens
		out.Total.CompletionTokens += u.CompletionTokens
		out.Models = append(out.Models, line)
	}
	out.Total.CostUSD = roundCents(out.Total.CostUSD)
	return api.JSON(http.StatusOK, out), nil
}

// parseTime reads an RFC 3339 time or a date; def when raw is empty.
func parseTime(f *api.Fields, field, raw string, def time.Time) time.Time {
	if raw == "" {
		return def
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, raw); err == nil && t.Year() >= 2000 && t.Year() <= 9999 {
			return t.UTC()
		}
	}
	f.Add(field, "must be an RFC 3339 time or a date (YYYY-MM-DD)")
	return def
}

// roundCents rounds to a hundredth of a cent: enough for a hobby bill.
func roundCents(usd float64) float64 { return math.Round(usd*10000) / 10000 }
