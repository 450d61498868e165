package main

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type fixture struct {
	h     api.HandlerFunc
	model *devmodel.Server
	pool  *pgxpool.Pool
}

func setup(t *testing.T) *fixture {
	t.Helper()
	stack := testenv.Get(t)
	dbURL := stack.NewDatabase(t)
	stack.Setenv(t, dbURL)
	model, baseURL := devmodel.NewTestServer(t, devmodel.Config{Dimensions: stack.EmbeddingDimensions})
	t.Setenv("OPENAI_API_KEY", "k")
	t.Setenv("OPENAI_BASE_URL", baseURL)
	h := testenv.Wire(t, wire)
	pool := testenv.Pool(t, dbURL)
	return &fixture{h: h, model: model, pool: pool}
}

// say stores a message of user in conversation with the dev model's vector.
func (f *fixture) say(t *testing.T, user, conversation, content string) string {
	t.Helper()
	ctx := context.Background()
	var id string
	if err := f.pool.QueryRow(ctx, `INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, 'user', $3) RETURNING id::text`,
		conversation, user, content).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := store.StoreEmbeddings(ctx, f.pool, user, "devmodel", []store.Embedding{{MessageID: id, Vector: devmodel.Embed(content, 512)}}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) search(t *testing.T, user string, query map[string]string) (int, []store.Related, apitest.Response) {
	t.Helper()
	resp := apitest.Do(t, f.h, apitest.Event("GET", "/search", nil, apitest.WithUser(user, ""), apitest.WithQuery(query)))
	var out response
	if resp.StatusCode == 200 {
		apitest.Decode(t, resp, &out)
	}
	return resp.StatusCode, out.Items, resp
}

func TestSearch(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b := uuid.NewString(), uuid.NewString()
	travel, _ := store.CreateConversation(ctx, f.pool, a, "Travel")
	kitchen, _ := store.CreateConversation(ctx, f.pool, a, "Kitchen")
	bConv, _ := store.CreateConversation(ctx, f.pool, b, "B's")
	paris := f.say(t, a, travel.ID, "The capital of France is Paris, we stay near the Louvre.")
	f.say(t, a, travel.ID, "Our train to Lisbon leaves on Friday morning.")
	bread := f.say(t, a, kitchen.ID, "To bake bread you need flour, water, salt and yeast.")
	f.say(t, b, bConv.ID, "The capital of France is Paris and I live there.")

	status, items, resp := f.search(t, a, map[string]string{"q": "what is the capital of France?"})
	if status != 200 || len(items) == 0 {
		t.Fatalf("%d %s", status, resp.Body)
	}
	if items[0].MessageID != paris || items[0].ConversationTitle != "Travel" || items[0].ConversationID != travel.ID || items[0].Role != "user" {
		t.Errorf("best match %+v, want the Paris message", items[0])
	}
	for i, it := range items {
		if it.ConversationID == bConv.ID {
			t.Error("another user's message was returned")
		}
		if it.Score < -1 || it.Score > 1.0001 || (i > 0 && it.Score > items[i-1].Score+1e-9) {
			t.Errorf("scores not best first in [-1, 1]: %v", items)
		}
	}

	_, narrowed, _ := f.search(t, a, map[string]string{"q": "capital of France", "conversationId": kitchen.ID})
	if len(narrowed) != 1 || narrowed[0].MessageID != bread {
		t.Errorf("narrowed to Kitchen: %+v", narrowed)
	}
	_, limited, _ := f.search(t, a, map[string]string{"q": "bread", "limit": "1"})
	if len(limited) != 1 || limited[0].MessageID != bread {
		t.Errorf("limit 1: %+v", limited)
	}
	if _, none, resp := f.search(t, uuid.NewString(), map[string]string{"q": "Paris"}); len(none) != 0 || !strings.Contains(resp.Body, `"items":[]`) {
		t.Errorf("a user with no messages: %s", resp.Body)
	}
}

func TestSearchRejects(t *testing.T) {
	f := setup(t)
	a, b := uuid.NewString(), uuid.NewString()
	bConv, _ := store.CreateConversation(context.Background(), f.pool, b, "B's")
	tests := []struct {
		name   string
		query  map[string]string
		status int
		code   string
	}{
		{"no q", map[string]string{}, 400, "validation_failed"},
		{"blank q", map[string]string{"q": "   "}, 400, "validation_failed"},
		{"q over 1 000", map[string]string{"q": strings.Repeat("a", 1001)}, 400, "validation_failed"},
		{"limit 51", map[string]string{"q": "x", "limit": "51"}, 400, "validation_failed"},
		{"limit 0", map[string]string{"q": "x", "limit": "0"}, 400, "validation_failed"},
		{"another user's conversation", map[string]string{"q": "x", "conversationId": bConv.ID}, 404, "not_found"},
		{"malformed conversation id", map[string]string{"q": "x", "conversationId": "nope"}, 404, "not_found"},
		{"provider fails", map[string]string{"q": "x " + devmodel.Marker(devmodel.FailEmbedding)}, 502, "upstream_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, resp := f.search(t, a, tt.query)
			if status != tt.status || apitest.ErrorOf(t, resp).Code != tt.code {
				t.Errorf("%d %s, want %d %s", status, resp.Body, tt.status, tt.code)
			}
		})
	}
}

// TestRepeatedQueryServedFromRedis: the same query twice costs one upstream call.
func TestRepeatedQueryServedFromRedis(t *testing.T) {
	f := setup(t)
	q := map[string]string{"q": "a query nobody asked before " + uuid.NewString()}
	user := uuid.NewString()
	for range 3 {
		if status, _, resp := f.search(t, user, q); status != 200 {
			t.Fatalf("%d %s", status, resp.Body)
		}
	}
	if n := len(f.model.Requests()); n != 1 {
		t.Errorf("%d embedding requests for three identical searches, want 1", n)
	}
}

// TestEmbeddingQuota: a query's characters count against the day's
// embedding quota; once it is used up, 429 quota_exceeded with Retry-After,
// and the model is not asked.
func TestEmbeddingQuota(t *testing.T) {
	t.Setenv("QUOTA_EMBED_CHARS_PER_DAY", "10")
	f := setup(t)
	user := uuid.NewString()
	if status, _, resp := f.search(t, user, map[string]string{"q": "bread and salt"}); status != 200 {
		t.Fatalf("first search: %d %s", status, resp.Body)
	}
	calls := len(f.model.Requests())
	status, _, resp := f.search(t, user, map[string]string{"q": "flour"})
	if e := apitest.ErrorOf(t, resp); status != 429 || e.Code != "quota_exceeded" || resp.Headers["Retry-After"] == "" {
		t.Fatalf("%d %s (Retry-After %q), want 429 quota_exceeded", status, resp.Body, resp.Headers["Retry-After"])
	}
	if len(f.model.Requests()) != calls {
		t.Error("the model was asked for a refused query")
	}
	if status, _, _ := f.search(t, uuid.NewString(), map[string]string{"q": "flour"}); status != 200 {
		t.Errorf("another user's quota: %d", status)
	}
}

// TestSearchModes: every mode finds only the caller's messages, keyword
// mode never asks the model, and an exact identifier that the embedding
// misses ranks first in keyword and hybrid mode (the dev model's bag of
// words puts a short message sharing one word of it first).
func TestSearchModes(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b := uuid.NewString(), uuid.NewString()
	logs, _ := store.CreateConversation(ctx, f.pool, a, "Logs")
	chat, _ := store.CreateConversation(ctx, f.pool, a, "Chat")
	bConv, _ := store.CreateConversation(ctx, f.pool, b, "B's")
	const token = "ERR_7f3a9c01"
	target := f.say(t, a, logs.ID, "Yesterday the nightly deploy of the billing service to the staging cluster failed halfway "+
		"through the database migration step, the pods restarted three times and the log finally said "+token+
		" before the rollback finished, so we paged the on-call engineer and postponed the release until Monday.")
	decoy := f.say(t, a, chat.ID, "Err on the side of caution.")
	f.say(t, a, chat.ID, "Bread needs flour, water, salt and yeast.")
	other := f.say(t, b, bConv.ID, token+" happened to me too.")

	// The embedding misses: semantic search puts the decoy first.
	_, sem, resp := f.search(t, a, map[string]string{"q": token, "mode": "semantic"})
	if len(sem) == 0 || sem[0].MessageID == target {
		t.Fatalf("semantic search found the identifier's message first, so this test proves nothing: %s", resp.Body)
	}
	if sem[0].MessageID != decoy {
		t.Logf("semantic best: %+v", sem[0])
	}

	tests := []struct {
		name      string
		query     map[string]string
		first     string // "" for no result
		modelCall bool
	}{
		{"hybrid by default", map[string]string{"q": token}, target, true},
		{"hybrid", map[string]string{"q": token, "mode": "hybrid"}, target, true},
		{"keyword", map[string]string{"q": token, "mode": "keyword"}, target, false},
		{"keyword, lower case", map[string]string{"q": strings.ToLower(token), "mode": "keyword"}, target, false},
		{"keyword, narrowed to its conversation", map[string]string{"q": token, "mode": "keyword", "conversationId": logs.ID}, target, false},
		{"keyword, narrowed to another conversation", map[string]string{"q": token, "mode": "keyword", "conversationId": chat.ID}, "", false},
		{"hybrid, narrowed to its conversation", map[string]string{"q": token, "conversationId": logs.ID}, target, true},
		{"keyword, no match", map[string]string{"q": "ERR_0000dead", "mode": "keyword"}, "", false},
		{"keyword, no words at all", map[string]string{"q": "!!! ???", "mode": "keyword"}, "", false},
		{"keyword, websearch syntax", map[string]string{"q": `"paged the on-call" -pizza`, "mode": "keyword"}, target, false},
		{"semantic, the caller's only", map[string]string{"q": "happened to me too", "mode": "semantic"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.model.Requests())
			status, items, resp := f.search(t, a, tt.query)
			if status != 200 {
				t.Fatalf("%d %s", status, resp.Body)
			}
			if called := len(f.model.Requests()) > before; called && !tt.modelCall {
				t.Error("keyword mode asked the model")
			}
			for i, it := range items {
				if it.MessageID == other || it.ConversationID == bConv.ID {
					t.Errorf("another user's message returned: %+v", it)
				}
				if i > 0 && it.Score > items[i-1].Score {
					t.Errorf("not best first: %+v", items)
				}
				if it.Score < -1 || it.Score > 1 {
					t.Errorf("score %v out of [-1, 1]", it.Score)
				}
			}
			switch {
			case tt.first == "" && tt.query["mode"] == "keyword" && len(items) != 0:
				t.Errorf("want nothing, got %+v", items)
			case tt.first != "" && (len(items) == 0 || items[0].MessageID != tt.first):
				t.Errorf("want %s first, got %s", tt.first, resp.Body)
			}
		})
	}

	// The other user finds only their own message, in every mode.
	for _, mode := range []string{"semantic", "keyword", "hybrid"} {
		_, items, resp := f.search(t, b, map[string]string{"q": token, "mode": mode})
		if len(items) != 1 || items[0].MessageID != other {
			t.Errorf("%s: user b got %s, want only their own message", mode, resp.Body)
		}
	}
}

func TestSearchBadMode(t *testing.T) {
	f := setup(t)
	for _, mode := range []string{"fuzzy", "HYBRID", " keyword", ""} {
		before := len(f.model.Requests())
		status, _, resp := f.search(t, uuid.NewString(), map[string]string{"q": "x", "mode": mode})
		if e := apitest.ErrorOf(t, resp); status != 400 || e.Code != "validation_failed" || !strings.Contains(resp.Body, "mode") {
			t.Errorf("mode %q: %d %s, want 400 validation_failed on mode", mode, status, resp.Body)
		}
		if len(f.model.Requests()) != before {
			t.Errorf("mode %q: the model was asked", mode)
		}
	}
}

// TestKeywordModeSkipsQuota: keyword mode embeds nothing, so a used-up
// embedding quota does not refuse it.
func TestKeywordModeSkipsQuota(t *testing.T) {
	t.Setenv("QUOTA_EMBED_CHARS_PER_DAY", "3")
	f := setup(t)
	user := uuid.NewString()
	if status, _, resp := f.search(t, user, map[string]string{"q": "flour and salt", "mode": "semantic"}); status != 200 {
		t.Fatalf("first search: %d %s", status, resp.Body)
	}
	if status, _, resp := f.search(t, user, map[string]string{"q": "flour and salt", "mode": "hybrid"}); status != 429 {
		t.Fatalf("hybrid over the quota: %d %s", status, resp.Body)
	}
	if status, _, resp := f.search(t, user, map[string]string{"q": "flour and salt", "mode": "keyword"}); status != 200 {
		t.Errorf("keyword over the quota: %d %s", status, resp.Body)
	}
}
