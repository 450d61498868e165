package main

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/deps"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestRename(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).NewPool(t)
	db := &testenv.CountingDB{DB: pool}
	h := deps.StoreErrors((&handler{db: db}).Serve)
	a, b := uuid.NewString(), uuid.NewString()
	conv, _ := store.CreateConversation(ctx, pool, a, "old")

	tests := []struct {
		name, user, id string
		body           any
		wantStatus     int
		wantTitle      string
	}{
		{"empty title", a, conv.ID, map[string]string{"title": ""}, 400, "old"},
		{"missing title", a, conv.ID, map[string]string{}, 400, "old"},
		{"256 characters", a, conv.ID, map[string]string{"title": strings.Repeat("x", 256)}, 400, "old"},
		{"another user's conversation", b, conv.ID, map[string]string{"title": "stolen"}, 404, "old"},
		{"malformed id", a, "1", map[string]string{"title": "x"}, 404, "old"},
		{"owner renames", a, conv.ID, map[string]string{"title": " new name "}, 200, "new name"},
		{"255 characters", a, conv.ID, map[string]string{"title": strings.Repeat("y", 255)}, 200, strings.Repeat("y", 255)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db.RoundTrips()
			resp := apitest.Do(t, h, apitest.Event("PATCH", "/conversations/"+tt.id, tt.body,
				apitest.WithUser(tt.user, ""), apitest.WithPathParameter("id", tt.id)))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantStatus == 400 {
				if e := apitest.ErrorOf(t, resp); len(e.Details) == 0 || e.Details[0].Field != "title" {
					t.Errorf("details = %+v", e.Details)
				}
			}
			got, err := store.GetConversation(ctx, pool, a, conv.ID)
			if err != nil || got.Title != tt.wantTitle {
				t.Errorf("stored title = %q (%v), want %q", got.Title, err, tt.wantTitle)
			}
			if tt.wantStatus == 200 {
				if n := db.RoundTrips(); n > 1 {
					t.Errorf("%d round trips, want 1", n)
				}
				if !got.UpdatedAt.After(got.CreatedAt) {
					t.Error("updatedAt did not move")
				}
			}
		})
	}
}
