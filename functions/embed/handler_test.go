package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func setup(t *testing.T, env map[string]string) (*handler, *devmodel.Server, *pgxpool.Pool) {
	t.Helper()
	stack := testenv.Get(t)
	dbURL := stack.NewDatabase(t)
	stack.Setenv(t, dbURL)
	model, baseURL := devmodel.NewTestServer(t, devmodel.Config{Dimensions: stack.EmbeddingDimensions})
	t.Setenv("OPENAI_API_KEY", "k")
	t.Setenv("OPENAI_BASE_URL", baseURL)
	t.Setenv("OPENAI_EMBEDDING_TIMEOUT", "2s")
	t.Setenv("BACKFILL_GRACE", "0s")
	for k, v := range env {
		t.Setenv(k, v)
	}
	h := testenv.Wire(t, wire)
	pool := testenv.Pool(t, dbURL)
	return h, model, pool
}

func (h *handler) http(t *testing.T, body any) apitest.Response {
	t.Helper()
	req := apitest.Event("POST", "/embeddings", body, apitest.WithUser(uuid.NewString(), ""))
	raw, _ := json.Marshal(req)
	out, err := h.Invoke(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	return out.(apitest.Response)
}

func TestEmbeddingsRoute(t *testing.T) {
	h, _, _ := setup(t, nil)
	tests := []struct {
		name    string
		body    any
		status  int
		n       int
		field   string
		errCode string
	}{
		{"one string", map[string]any{"input": "hello world"}, 200, 1, "", ""},
		{"an array", map[string]any{"input": []string{"a cat", "a dog", "a bird"}}, 200, 3, "", ""},
		{"64 items", map[string]any{"input": make64("x")}, 200, 64, "", ""},
		{"65 items", map[string]any{"input": append(make64("x"), "y")}, 400, 0, "input", "validation_failed"},
		{"empty array", map[string]any{"input": []string{}}, 400, 0, "input", "validation_failed"},
		{"8 001 characters", map[string]any{"input": []string{"ok", strings.Repeat("a", 8001)}}, 400, 0, "input[1]", "validation_failed"},
		{"an empty string", map[string]any{"input": ""}, 400, 0, "input[0]", "validation_failed"},
		{"missing", map[string]any{}, 400, 0, "input", "validation_failed"},
		{"a number", map[string]any{"input": 5}, 400, 0, "input", "validation_failed"},
		{"provider fails", map[string]any{"input": "x " + devmodel.Marker(devmodel.FailEmbedding)}, 502, 0, "", "upstream_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.http(t, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.status, resp.Body)
			}
			if tt.status != 200 {
				e := apitest.ErrorOf(t, resp)
				if e.Code != tt.errCode || (tt.field != "" && (len(e.Details) == 0 || e.Details[0].Field != tt.field)) {
					t.Errorf("error %+v", e)
				}
				return
			}
			var out response
			apitest.Decode(t, resp, &out)
			if len(out.Data) != tt.n || out.Dimensions != 512 || out.Model == "" {
				t.Fatalf("%d vectors, %d dimensions, model %q", len(out.Data), out.Dimensions, out.Model)
			}
			for i, d := range out.Data {
				var norm float64
				for _, x := range d.Embedding {
					norm += float64(x) * float64(x)
				}
				if d.Index != i || len(d.Embedding) != 512 || math.Abs(norm-1) > 1e-3 {
					t.Errorf("vector %d: index %d, %d dims, norm %f", i, d.Index, len(d.Embedding), norm)
				}
			}
		})
	}
}

func make64(s string) []string {
	out := make([]string, 64)
	for i := range out {
		out[i] = fmt.Sprint(s, i)
	}
	return out
}

// seed stores n messages without vectors for a new user.
func seed(t *testing.T, pool *pgxpool.Pool, n int, content func(i int) string) (user string, ids []string) {
	t.Helper()
	ctx := context.Background()
	user = uuid.NewString()
	conv, err := store.CreateConversation(ctx, pool, user, "t")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var id string
		if err := pool.QueryRow(ctx, `INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, 'user', $3) RETURNING id::text`,
			conv.ID, user, content(i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return user, ids
}

func backfill(t *testing.T, h *handler) backfillResult {
	t.Helper()
	out, err := h.Invoke(context.Background(), json.RawMessage(`{"version":"0","source":"aws.events","detail-type":"Scheduled Event","detail":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	return out.(backfillResult)
}

func unembedded(t *testing.T, pool *pgxpool.Pool) int {
	var n int
	pool.QueryRow(context.Background(), `SELECT count(*) FROM messages m
		WHERE m.embedded_at IS NULL OR NOT EXISTS (SELECT 1 FROM message_embeddings e WHERE e.message_id = m.id)`).Scan(&n)
	return n
}

func TestBackfillAfterAnOutage(t *testing.T) {
	h, model, pool := setup(t, map[string]string{"BACKFILL_BATCH_SIZE": "10"})
	seed(t, pool, 25, func(i int) string { return fmt.Sprint("message ", i) })

	model.SetFailEmbeddings(true) // the provider is down: nothing is lost, nothing blocks
	res := backfill(t, h)
	if res.Embedded != 0 || res.Failed == 0 {
		t.Fatalf("during the outage: %+v", res)
	}
	var attempts int
	pool.QueryRow(context.Background(), `SELECT max(embed_attempts) FROM messages`).Scan(&attempts)
	if attempts != 1 {
		t.Errorf("max attempts %d, want 1", attempts)
	}

	model.SetFailEmbeddings(false)
	res = backfill(t, h)
	if res.Embedded != 25 || res.Failed != 0 || unembedded(t, pool) != 0 {
		t.Fatalf("after the outage: %+v, %d left", res, unembedded(t, pool))
	}
	if res := backfill(t, h); res.Embedded != 0 || res.Batches != 0 {
		t.Errorf("a third run found work: %+v", res)
	}
}

// TestBackfillPoisonMessageDoesNotBlock: a message the provider always
// refuses fails alone; the others of its batch are embedded.
func TestBackfillPoisonMessageDoesNotBlock(t *testing.T) {
	h, _, pool := setup(t, map[string]string{"BACKFILL_BATCH_SIZE": "8"})
	_, ids := seed(t, pool, 20, func(i int) string {
		if i == 0 {
			return "poison " + devmodel.Marker(devmodel.FailEmbedding)
		}
		return fmt.Sprint("fine message ", i)
	})
	res := backfill(t, h)
	if res.Embedded != 19 || res.Failed != 1 {
		t.Fatalf("%+v, want 19 embedded and the poison one failed", res)
	}
	var poisonAttempts int
	pool.QueryRow(context.Background(), `SELECT embed_attempts FROM messages WHERE id = $1`, ids[0]).Scan(&poisonAttempts)
	if poisonAttempts != 1 || unembedded(t, pool) != 1 {
		t.Errorf("poison attempts %d, %d unembedded", poisonAttempts, unembedded(t, pool))
	}
}

// TestConcurrentBackfillsNeverEmbedTwice: two runs at once embed every
// message exactly once between them.
func TestConcurrentBackfillsNeverEmbedTwice(t *testing.T) {
	h, model, pool := setup(t, map[string]string{"BACKFILL_BATCH_SIZE": "16"})
	seed(t, pool, 200, func(i int) string { return fmt.Sprint("concurrent ", i) })
	var wg sync.WaitGroup
	results := make([]backfillResult, 2)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = backfill(t, h) }()
	}
	wg.Wait()
	if total := results[0].Embedded + results[1].Embedded; total != 200 {
		t.Errorf("runs embedded %d + %d, want 200 in all", results[0].Embedded, results[1].Embedded)
	}
	seen := map[string]int{}
	for _, r := range model.Requests() {
		for _, in := range r.Input {
			seen[in]++
		}
	}
	for text, n := range seen {
		if n > 1 {
			t.Errorf("%q sent to the provider %d times", text, n)
		}
	}
	if len(seen) != 200 || unembedded(t, pool) != 0 {
		t.Errorf("%d distinct texts embedded, %d left", len(seen), unembedded(t, pool))
	}
}

func TestWarmup(t *testing.T) {
	h, model, _ := setup(t, nil)
	out, err := h.Invoke(context.Background(), json.RawMessage(`{"warmup":true}`))
	if err != nil || out.(apitest.Response).StatusCode != 200 || len(model.Requests()) != 0 {
		t.Errorf("%v %v", out, err)
	}
}
