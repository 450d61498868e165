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

func TestSwitchBranch(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	h := testenv.Wire(t, wire)
	pool := testenv.Pool(t, dbURL)
	ctx := context.Background()
	user := uuid.NewString()
	conv, _ := store.CreateConversation(ctx, pool, user, "t")
	q1, err := store.AddUserMessage(ctx, pool, user, conv.ID, "q1", nil, "q1", time.Minute, store.Parent{})
	if err != nil {
		t.Fatal(err)
	}
	edit, err := store.AddUserMessage(ctx, pool, user, conv.ID, "q1 edited", nil, "q1", time.Minute, store.Parent{Set: true})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, user, conv string
		body             any
		status           int
		leaf             string // the conversation's leaf after
	}{
		{"back to the first branch", user, conv.ID, map[string]string{"messageId": q1.MessageID}, 200, q1.MessageID},
		{"another user's conversation", uuid.NewString(), conv.ID, map[string]string{"messageId": edit.MessageID}, 404, q1.MessageID},
		{"a message of another conversation", user, conv.ID, map[string]string{"messageId": uuid.NewString()}, 404, q1.MessageID},
		{"not an id", user, conv.ID, map[string]string{"messageId": "urn:uuid:" + edit.MessageID}, 400, q1.MessageID},
		{"missing", user, conv.ID, map[string]string{}, 400, q1.MessageID},
		{"to the edit", user, conv.ID, map[string]string{"messageId": edit.MessageID}, 200, edit.MessageID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("PUT", "/conversations/"+tt.conv+"/leaf", tt.body,
				apitest.WithUser(tt.user, ""), apitest.WithPathParameter("id", tt.conv)))
			if resp.StatusCode != tt.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, resp.Body, tt.status)
			}
			page, err := store.ListMessages(ctx, pool, user, conv.ID, 10, nil)
			if err != nil || len(page.Items) == 0 || page.Items[len(page.Items)-1].ID != tt.leaf {
				t.Errorf("branch shown %+v (%v), want it to end at %s", page.Items, err, tt.leaf)
			}
		})
	}
}
