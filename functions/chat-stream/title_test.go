package main

import (
	"context"
	"testing"

	"github.com/macro-ai/macro-ai/shared/store"
)

// TestTitleByTheModel: after the first answer of a conversation that its
// first message titled, one short call to the model names it (the dev model
// answers with the message's first six words); a title of the user's, or a
// later turn, is never replaced, and CHAT_MODEL_TITLES=false keeps the
// first line.
func TestTitleByTheModel(t *testing.T) {
	ask := "Plan a weekend in Lisbon with good food, please"
	tests := []struct {
		name  string
		env   map[string]string
		title string // the conversation's title before the turn
		want  string
	}{
		{"a new conversation is named by the model", nil, store.DefaultTitle, "Plan a weekend in Lisbon with"},
		{"the user's own title stays", nil, "My trip", "My trip"},
		{"titles by the model turned off: the first line", map[string]string{"CHAT_MODEL_TITLES": "false"}, store.DefaultTitle, ask},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.env)
			conv := f.conversation(tt.title)
			if status, body := f.stream(conv, map[string]string{"content": ask}); status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			c, err := store.GetConversation(context.Background(), f.db, f.userID, conv)
			if err != nil {
				t.Fatal(err)
			}
			if c.Title != tt.want {
				t.Errorf("title %q, want %q", c.Title, tt.want)
			}
			// A second turn never renames it.
			if status, body := f.stream(conv, map[string]string{"content": "And in Porto?"}); status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			if c2, _ := store.GetConversation(context.Background(), f.db, f.userID, conv); c2.Title != tt.want {
				t.Errorf("after a second turn: %q, want %q", c2.Title, tt.want)
			}
		})
	}
}
