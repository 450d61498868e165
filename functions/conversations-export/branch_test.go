package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// TestExportOfABranchedConversation: the Markdown, for people, is the
// branch shown; the JSON keeps the whole tree and says where its leaf is.
func TestExportOfABranchedConversation(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	h := testenv.Wire(t, wire)
	ctx := context.Background()
	pool := testenv.Pool(t, dbURL)
	user := uuid.NewString()
	conv, _ := store.CreateConversation(ctx, pool, user, "Branched")
	ask := func(content string, parent store.Parent) string {
		t.Helper()
		u, err := store.AddUserMessage(ctx, pool, user, conv.ID, content, nil, content, time.Minute, parent)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.AddAssistantMessage(ctx, pool, user, conv.ID, uuid.NewString(), u.MessageID, "answer to "+content, "complete", store.Answered{Model: "m"}); err != nil {
			t.Fatal(err)
		}
		return u.MessageID
	}
	ask("the original question", store.Parent{})
	ask("the edited question", store.Parent{Set: true}) // an edit of the first message: the branch shown

	get := func(format string) apitest.Response {
		return apitest.Do(t, h, apitest.Event("GET", "/conversations/"+conv.ID+"/export", nil, apitest.WithUser(user, ""),
			apitest.WithPathParameter("id", conv.ID), apitest.WithQuery(map[string]string{"format": format})))
	}
	md := get("markdown")
	if md.StatusCode != 200 || !strings.Contains(md.Body, "the edited question") || strings.Contains(md.Body, "the original question") {
		t.Errorf("Markdown: %d, want the branch shown only:\n%s", md.StatusCode, md.Body)
	}
	var out struct {
		Conversation struct{ LeafID string }
		Messages     []struct{ Content string }
	}
	js := get("json")
	if err := json.Unmarshal([]byte(js.Body), &out); err != nil || len(out.Messages) != 4 || out.Conversation.LeafID == "" {
		t.Errorf("JSON: %v, want the 4 messages of the tree and the leaf: %s", err, js.Body)
	}
}
