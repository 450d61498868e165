package main

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/deps"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestGet(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).NewPool(t)
	db := &testenv.CountingDB{DB: pool}
	h := deps.StoreErrors((&handler{db: db}).Serve)
	a, b := uuid.NewString(), uuid.NewString()
	conv, _ := store.CreateConversation(ctx, pool, a, "A's")
	deleted, _ := store.CreateConversation(ctx, pool, a, "gone")
	store.DeleteConversation(ctx, pool, a, deleted.ID)

	tests := []struct {
		name, user, id string
		wantStatus     int
	}{
		{"owner", a, conv.ID, 200},
		{"another user", b, conv.ID, 404},
		{"malformed id", a, "not-a-uuid", 404},
		{"unknown id", a, uuid.NewString(), 404},
		{"deleted id", a, deleted.ID, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db.RoundTrips()
			resp := apitest.Do(t, h, apitest.Event("GET", "/conversations/"+tt.id, nil,
				apitest.WithUser(tt.user, ""), apitest.WithPathParameter("id", tt.id)))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantStatus == 404 {
				if apitest.ErrorOf(t, resp).Code != "not_found" {
					t.Errorf("body = %s", resp.Body)
				}
				return
			}
			var c store.Conversation
			apitest.Decode(t, resp, &c)
			if c.ID != conv.ID || c.Title != "A's" {
				t.Errorf("conversation = %+v", c)
			}
			if n := db.RoundTrips(); n > 1 {
				t.Errorf("%d round trips, want 1", n)
			}
		})
	}
}
