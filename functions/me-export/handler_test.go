package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/local/s3local"
	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/importer"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// node is a message of a tree, by content: its parent's content and role.
type node struct{ role, content, parent string }

// tree reads a user's conversations as titles → their messages by content
// and the leaf's content: ids differ between accounts, shapes must not.
func tree(t *testing.T, pool *pgxpool.Pool, user string) map[string][]node {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT c.title || ' → ' || coalesce(l.content, ''), m.role, m.content, coalesce(p.content, '')
		FROM conversations c
		LEFT JOIN messages l ON l.id = c.leaf_id
		LEFT JOIN messages m ON m.conversation_id = c.id
		LEFT JOIN messages p ON p.id = m.parent_id
		WHERE c.user_id = $1
		ORDER BY c.title, m.seq`, user)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]node{}
	for rows.Next() {
		var title string
		var role, content, parent *string
		if err := rows.Scan(&title, &role, &content, &parent); err != nil {
			t.Fatal(err)
		}
		if role == nil {
			out[title] = append(out[title], node{})
			continue
		}
		out[title] = append(out[title], node{*role, *content, *parent})
	}
	for _, nodes := range out { // the order of siblings' subtrees may differ
		slices.SortFunc(nodes, func(a, b node) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	}
	return out
}

// TestExportRoundTrip: GET /me/export writes every conversation of the
// caller (and no one else's) with its whole tree, paged through small
// pages; importing the document into another account gives the same
// conversations, trees and leaves.
func TestExportRoundTrip(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	s3local.ServeForTest(t, s3local.Config{Buckets: []s3local.Bucket{{Name: "macro-ai-data"}}})
	t.Setenv("DATA_BUCKET", "macro-ai-data")
	conversationPage, messagePage = 2, 3 // page boundaries inside and between conversations
	t.Cleanup(func() { conversationPage, messagePage = 200, 2000 })
	h := testenv.Wire(t, wire)
	ctx := context.Background()
	pool := testenv.Pool(t, dbURL)
	owner, other, copyTo := uuid.NewString(), uuid.NewString(), uuid.NewString()

	ask := func(user, convID, content string, parent store.Parent) string {
		t.Helper()
		u, err := store.AddUserMessage(ctx, pool, user, convID, content, nil, content, time.Minute, parent)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.AddAssistantMessage(ctx, pool, user, convID, uuid.NewString(), u.MessageID, "answer to "+content, "complete",
			store.Answered{Model: "m", Usage: store.Usage{PromptTokens: 3, CompletionTokens: 4}}); err != nil {
			t.Fatal(err)
		}
		return u.MessageID
	}
	for i := range 4 {
		c, err := store.CreateConversation(ctx, pool, owner, fmt.Sprintf("Conversation %d", i))
		if err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			continue // one without messages
		}
		first := ask(owner, c.ID, fmt.Sprintf("q%d.1", i), store.Parent{})
		ask(owner, c.ID, fmt.Sprintf("q%d.2", i), store.Parent{})
		if i == 1 { // an edit of the first question: a second branch, shown
			ask(owner, c.ID, "q1.1 edited", store.Parent{Set: true})
			_ = first
		}
	}
	theirs, _ := store.CreateConversation(ctx, pool, other, "Not yours")
	ask(other, theirs.ID, "private", store.Parent{})

	resp := apitest.Do(t, h, apitest.Event("GET", "/me/export", nil, apitest.WithUser(owner, "")))
	var link response
	apitest.Decode(t, resp, &link)
	if resp.StatusCode != 200 || link.Conversations != 4 || link.Messages != 14 || link.Bytes <= 0 || !link.ExpiresAt.After(time.Now()) {
		t.Fatalf("%d %+v", resp.StatusCode, link)
	}
	got, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != 200 || int64(len(doc)) != link.Bytes || strings.Contains(string(doc), "private") {
		t.Fatalf("download: %d, %d bytes of %d: %.300s", got.StatusCode, len(doc), link.Bytes, doc)
	}
	var parsed struct {
		Format        string
		Usage         []store.ModelUsage
		Conversations []struct {
			Conversation store.Conversation
			Messages     []store.ExportedMessage
		}
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if parsed.Format != importer.FormatAccount || len(parsed.Conversations) != 4 || len(parsed.Usage) != 1 || parsed.Usage[0].Answers != 7 {
		t.Errorf("document: %s %d conversations, usage %+v", parsed.Format, len(parsed.Conversations), parsed.Usage)
	}

	// Back in, into another account.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO users (id, email) VALUES ($1, '')`, copyTo); err != nil {
		t.Fatal(err)
	}
	p := importer.NewParser(strings.NewReader(string(doc)), 0)
	if err := p.Parse(func(c store.ImportedConversation) error {
		_, _, err := store.ImportConversation(ctx, tx, copyTo, c)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	want, have := tree(t, pool, owner), tree(t, pool, copyTo)
	if fmt.Sprint(want) != fmt.Sprint(have) {
		t.Errorf("after the round trip:\n%v\nwant\n%v", have, want)
	}
	if len(want) != 4 {
		t.Errorf("%d conversations in the tree, want 4: %v", len(want), want)
	}
}
