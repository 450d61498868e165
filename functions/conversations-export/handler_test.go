package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/deps"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const codeAnswer = "Here it is:\n\n```go\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n```\n\nThat's all."

func TestExport(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	const bound = 20_000
	t.Setenv("EXPORT_MAX_BYTES", "20000")
	h := testenv.Wire(t, wire)
	ctx := context.Background()
	pool := testenv.Pool(t, dbURL)
	owner, other := uuid.NewString(), uuid.NewString()

	// A turn, stored as the chat turn stores it (the seq trigger orders it).
	turn := func(convID, user, q, a, status string, answered store.Answered) {
		t.Helper()
		var qID string
		if err := pool.QueryRow(ctx, `INSERT INTO messages (conversation_id, user_id, role, content)
			VALUES ($1, $2, 'user', $3) RETURNING id::text`, convID, user, q).Scan(&qID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.AddAssistantMessage(ctx, pool, user, convID, uuid.NewString(), qID, a, status, answered); err != nil {
			t.Fatal(err)
		}
	}
	conv, err := store.CreateConversation(ctx, pool, owner, `Go: "hello" / world?`)
	if err != nil {
		t.Fatal(err)
	}
	turn(conv.ID, owner, "How do I print in Go?", codeAnswer, "complete",
		store.Answered{Model: "small", Usage: store.Usage{PromptTokens: 12, CompletionTokens: 34}, Duration: time.Second})
	turn(conv.ID, owner, "And a loop?", "Like this:\n\n```go\nfor i := 0; i < 3; i++ {", "incomplete",
		store.Answered{Model: "small", Usage: store.Usage{PromptTokens: 5, CompletionTokens: 6}})
	empty, _ := store.CreateConversation(ctx, pool, owner, "日本語の会話")

	// Over the bound in the database: the store stops reading.
	big, _ := store.CreateConversation(ctx, pool, owner, "big")
	for range 3 {
		turn(big.ID, owner, strings.Repeat("q", 4000), strings.Repeat("a", 4000), "complete", store.Answered{Model: "small"})
	}
	// Under it in the database, over it once rendered as JSON (every quote escaped).
	quotes, _ := store.CreateConversation(ctx, pool, owner, "quotes")
	turn(quotes.ID, owner, strings.Repeat(`"`, bound/2-100), strings.Repeat(`"`, bound/2-100), "complete", store.Answered{Model: "small"})

	get := func(user, id string, query map[string]string) apitest.Response {
		t.Helper()
		return apitest.Do(t, h, apitest.Event("GET", "/conversations/"+id+"/export", nil,
			apitest.WithUser(user, ""), apitest.WithPathParameter("id", id), apitest.WithQuery(query)))
	}

	t.Run("markdown", func(t *testing.T) {
		for _, query := range []map[string]string{nil, {"format": "markdown"}} {
			resp := get(owner, conv.ID, query)
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, resp.Body)
			}
			if ct := resp.Headers["Content-Type"]; ct != "text/markdown; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := resp.Headers["Content-Disposition"]; cd != `attachment; filename="Go-hello-world.md"` {
				t.Errorf("Content-Disposition %q", cd)
			}
			md := resp.Body
			for _, want := range []string{
				"# Go: \"hello\" / world?\n",
				"- Created: " + conv.CreatedAt.UTC().Format("2006-01-02"),
				"- Updated: ",
				"**You** · ",
				"How do I print in Go?\n",
				"**Assistant** · ",
				" · small · 12 prompt + 34 completion tokens\n",
				codeAnswer + "\n",                 // verbatim, fences and all
				"for i := 0; i < 3; i++ {\n```\n", // the cut-off block closed
				"_Incomplete:",
			} {
				if !strings.Contains(md, want) {
					t.Errorf("markdown lacks %q:\n%s", want, md)
				}
			}
			if strings.Index(md, "How do I print") > strings.Index(md, "And a loop?") {
				t.Errorf("out of order:\n%s", md)
			}
			if n := strings.Count(md, "```"); n%2 != 0 {
				t.Errorf("%d fences: one is left open:\n%s", n, md)
			}
			if strings.Count(md, "_Incomplete:") != 1 {
				t.Errorf("only the cut-off answer is incomplete:\n%s", md)
			}
		}
	})

	t.Run("json round trip", func(t *testing.T) {
		resp := get(owner, conv.ID, map[string]string{"format": "json"})
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		if ct := resp.Headers["Content-Type"]; ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := resp.Headers["Content-Disposition"]; cd != `attachment; filename="Go-hello-world.json"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		var out export
		apitest.Decode(t, resp, &out)
		if out.Format != "macro-ai.conversation.v1" || out.ExportedAt.IsZero() {
			t.Errorf("format %q exportedAt %v", out.Format, out.ExportedAt)
		}
		if out.Conversation.ID != conv.ID || out.Conversation.Title != conv.Title || out.Conversation.MessageCount != 4 {
			t.Errorf("conversation %+v", out.Conversation)
		}
		// The body decodes into the schema's types and encodes back to itself.
		if again, _ := json.Marshal(out); string(again) != resp.Body {
			t.Errorf("round trip:\n got %s\nwant %s", again, resp.Body)
		}
		want := []struct {
			role, content, status string
			usage                 *store.Usage
		}{
			{"user", "How do I print in Go?", "complete", nil},
			{"assistant", codeAnswer, "complete", &store.Usage{PromptTokens: 12, CompletionTokens: 34}},
			{"user", "And a loop?", "complete", nil},
			{"assistant", "Like this:\n\n```go\nfor i := 0; i < 3; i++ {", "incomplete", &store.Usage{PromptTokens: 5, CompletionTokens: 6}},
		}
		if len(out.Messages) != len(want) {
			t.Fatalf("%d messages, want %d", len(out.Messages), len(want))
		}
		for i, m := range out.Messages {
			w := want[i]
			if m.Role != w.role || m.Content != w.content || m.Status != w.status || m.CreatedAt.IsZero() ||
				(w.usage == nil) != (m.Usage == nil) || w.usage != nil && *m.Usage != *w.usage ||
				w.role == "assistant" && (m.Model == nil || *m.Model != "small") {
				t.Errorf("message %d: %+v", i, m)
			}
			// Each message follows the one before it; the first, none.
			if i == 0 && m.ParentID != nil || i > 0 && (m.ParentID == nil || *m.ParentID != out.Messages[i-1].ID) {
				t.Errorf("message %d's parent %v", i, m.ParentID)
			}
		}
		// Every message carries parentId, null or not.
		var raw struct{ Messages []map[string]json.RawMessage }
		apitest.Decode(t, resp, &raw)
		if p, ok := raw.Messages[0]["parentId"]; !ok || string(p) != "null" {
			t.Errorf("parentId of the first message: %s", p)
		}
	})

	t.Run("an empty conversation, a title that is not ASCII", func(t *testing.T) {
		resp := get(owner, empty.ID, map[string]string{"format": "json"})
		var out export
		apitest.Decode(t, resp, &out)
		if resp.StatusCode != 200 || out.Messages == nil || len(out.Messages) != 0 {
			t.Errorf("%d %s", resp.StatusCode, resp.Body)
		}
		if cd := resp.Headers["Content-Disposition"]; cd != `attachment; filename="conversation.json"` {
			t.Errorf("Content-Disposition %q", cd)
		}
	})

	for _, tt := range []struct {
		name, user, id string
		query          map[string]string
		status         int
		code, field    string
	}{
		{"another user's", other, conv.ID, nil, 404, "not_found", ""},
		{"another user's, json", other, conv.ID, map[string]string{"format": "json"}, 404, "not_found", ""},
		{"malformed id", owner, "not-a-uuid", nil, 404, "not_found", ""},
		{"unknown id", owner, uuid.NewString(), nil, 404, "not_found", ""},
		{"bad format", owner, conv.ID, map[string]string{"format": "pdf"}, 400, "validation_failed", "format"},
		{"empty format", owner, conv.ID, map[string]string{"format": ""}, 400, "validation_failed", "format"},
		{"format in capitals", owner, conv.ID, map[string]string{"format": "JSON"}, 400, "validation_failed", "format"},
		{"too large in the database", owner, big.ID, nil, 413, "payload_too_large", ""},
		{"too large once rendered", owner, quotes.ID, map[string]string{"format": "json"}, 413, "payload_too_large", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(tt.user, tt.id, tt.query)
			e := apitest.ErrorOf(t, resp)
			if resp.StatusCode != tt.status || e.Code != tt.code {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, resp.Body, tt.status, tt.code)
			}
			if tt.field != "" && (len(e.Details) == 0 || e.Details[0].Field != tt.field) {
				t.Errorf("details %+v, want %s", e.Details, tt.field)
			}
			if tt.status == 413 && !strings.Contains(e.Message, "too large to export") {
				t.Errorf("message %q", e.Message)
			}
		})
	}

	t.Run("one round trip", func(t *testing.T) {
		db := &testenv.CountingDB{DB: pool}
		h := deps.StoreErrors((&handler{db: db, maxBytes: bound, now: time.Now}).Serve)
		resp := apitest.Do(t, h, apitest.Event("GET", "/conversations/"+conv.ID+"/export", nil,
			apitest.WithUser(owner, ""), apitest.WithPathParameter("id", conv.ID)))
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		if n := db.RoundTrips(); n != 1 {
			t.Errorf("%d round trips, want 1", n)
		}
	})
}

func TestOpenFence(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"no code", ""},
		{"```\ncode\n```", ""},
		{"```go\ncode", "```"},
		{"````\n```\nstill code", "````"},
		{"~~~\ncode\n```", "~~~"},
		{"```\ncode\n```\n\n```py\nmore", "```"},
		{"inline ```not a fence``` here", ""},
		{"    ```\nindented code, not a fence", ""},
		{"``` a`b\nnot opened", ""},
	} {
		if got := openFence(tt.in); got != tt.want {
			t.Errorf("openFence(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFilename(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Hello world", "Hello-world"},
		{`a"b/c\d`, "a-b-c-d"},
		{"../etc/passwd", "etc-passwd"},
		{"日本語", "conversation"},
		{"", "conversation"},
		{"café au lait", "caf-au-lait"},
		{strings.Repeat("x", 200), strings.Repeat("x", 80)},
	} {
		if got := Filename(tt.in); got != tt.want {
			t.Errorf("Filename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
