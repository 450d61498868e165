package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestUsage(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	t.Setenv("OPENAI_PRICES", "small=1/2, large=10/20")
	h := testenv.Wire(t, wire)
	ctx := context.Background()
	pool := testenv.Pool(t, dbURL)
	user, other := uuid.NewString(), uuid.NewString()
	answer := func(u, model string, prompt, completion int, at time.Time) {
		t.Helper()
		conv, err := store.CreateConversation(ctx, pool, u, "t")
		if err != nil {
			t.Fatal(err)
		}
		q, err := store.AddUserMessage(ctx, pool, u, conv.ID, "q", nil, "q", time.Minute, store.Parent{})
		if err != nil {
			t.Fatal(err)
		}
		a, err := store.AddAssistantMessage(ctx, pool, u, conv.ID, uuid.NewString(), q.MessageID, "a", "complete",
			store.Answered{Model: model, Usage: store.Usage{PromptTokens: prompt, CompletionTokens: completion}, Duration: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `UPDATE messages SET created_at = $2 WHERE id = $1`, a.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	answer(user, "small", 1_000_000, 500_000, day("2026-11-03"))
	answer(user, "small", 1_000_000, 500_000, day("2026-11-20"))
	answer(user, "large", 100_000, 10_000, day("2026-11-21"))
	answer(user, "unpriced", 7, 8, day("2026-11-22"))
	answer(user, "small", 5, 5, day("2026-10-31"))          // before the range
	answer(other, "large", 9_000_000, 0, day("2026-11-10")) // another user's

	var out response
	resp := apitest.Do(t, h, apitest.Event("GET", "/me/usage", nil, apitest.WithUser(user, ""),
		apitest.WithQuery(map[string]string{"from": "2026-11-01", "to": "2026-12-01"})))
	apitest.Decode(t, resp, &out)
	if len(out.Models) != 3 {
		t.Fatalf("%s", resp.Body)
	}
	want := map[string]struct {
		answers int
		cost    *float64
	}{"small": {2, ptr(2*1 + 1*2.0)}, "large": {1, ptr(1 + 0.2)}, "unpriced": {1, nil}}
	for _, m := range out.Models {
		w := want[m.Model]
		if m.Answers != w.answers || (m.CostUSD == nil) != (w.cost == nil) || (m.CostUSD != nil && *m.CostUSD != *w.cost) {
			t.Errorf("%s: %d answers, cost %v; want %d, %v", m.Model, m.Answers, m.CostUSD, w.answers, w.cost)
		}
	}
	if out.Models[0].Model != "small" {
		t.Errorf("most tokens first: %s", out.Models[0].Model)
	}
	if out.Total.Answers != 4 || out.Total.CostUSD != 5.2 || out.Total.PromptTokens != 2_100_007 {
		t.Errorf("total %+v", out.Total)
	}

	for _, tt := range []struct {
		name  string
		query map[string]string
		field string
	}{
		{"not a time", map[string]string{"from": "yesterday"}, "from"},
		{"to before from", map[string]string{"from": "2026-11-02", "to": "2026-11-01"}, "to"},
		{"over a year", map[string]string{"from": "2024-01-01", "to": "2026-01-01"}, "to"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("GET", "/me/usage", nil, apitest.WithUser(user, ""), apitest.WithQuery(tt.query)))
			if e := apitest.ErrorOf(t, resp); resp.StatusCode != 400 || len(e.Details) == 0 || e.Details[0].Field != tt.field {
				t.Errorf("%d %s, want 400 on %s", resp.StatusCode, resp.Body, tt.field)
			}
		})
	}
	t.Run("no answers yet: empty, this month", func(t *testing.T) {
		var out response
		apitest.Decode(t, apitest.Do(t, h, apitest.Event("GET", "/me/usage", nil, apitest.WithUser(uuid.NewString(), ""))), &out)
		if len(out.Models) != 0 || out.From.Day() != 1 || out.Total.Answers != 0 {
			t.Errorf("%+v", out)
		}
	})
}

func ptr(f float64) *float64 { return &f }
