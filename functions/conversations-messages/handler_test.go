package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/deps"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestMessages(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).NewPool(t)
	db := &testenv.CountingDB{DB: pool}
	h := deps.StoreErrors((&handler{db: db}).Serve)
	a, b := uuid.NewString(), uuid.NewString()
	conv, _ := store.CreateConversation(ctx, pool, a, "chat")
	for i := range 60 {
		if _, err := pool.Exec(ctx, `INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, $3, $4)`,
			conv.ID, a, []string{"user", "assistant"}[i%2], fmt.Sprint("m", i)); err != nil {
			t.Fatal(err)
		}
	}
	get := func(user, id string, query map[string]string) (int, store.Page[store.Message], string) {
		resp := apitest.Do(t, h, apitest.Event("GET", "/conversations/"+id+"/messages", nil,
			apitest.WithUser(user, ""), apitest.WithPathParameter("id", id), apitest.WithQuery(query)))
		var page store.Page[store.Message]
		if resp.StatusCode == 200 {
			apitest.Decode(t, resp, &page)
		}
		return resp.StatusCode, page, resp.Body
	}

	db.RoundTrips()
	status, page, _ := get(a, conv.ID, nil)
	if status != 200 || len(page.Items) != 50 || page.NextCursor == nil {
		t.Fatalf("default page: %d, %d items", status, len(page.Items))
	}
	if n := db.RoundTrips(); n != 1 {
		t.Errorf("%d round trips, want 1", n)
	}
	if page.Items[0].Content != "m10" || page.Items[49].Content != "m59" {
		t.Errorf("first page spans %s..%s, want m10..m59 oldest first", page.Items[0].Content, page.Items[49].Content)
	}
	m := page.Items[0]
	if m.Role != "user" || m.Status != "complete" || uuid.Validate(m.ID) != nil {
		t.Errorf("message = %+v", m)
	}
	_, older, _ := get(a, conv.ID, map[string]string{"before": *page.NextCursor})
	if len(older.Items) != 10 || older.Items[0].Content != "m0" || older.Items[9].Content != "m9" || older.NextCursor != nil {
		t.Errorf("older page: %d items", len(older.Items))
	}

	for _, tt := range []struct {
		name, user, id string
		query          map[string]string
		want           int
	}{
		{"another user's conversation", b, conv.ID, nil, 404},
		{"malformed id", a, "abc", nil, 404},
		{"unknown id", a, uuid.NewString(), nil, 404},
		{"limit 201", a, conv.ID, map[string]string{"limit": "201"}, 400},
		{"limit -1", a, conv.ID, map[string]string{"limit": "-1"}, 400},
		{"bad before", a, conv.ID, map[string]string{"before": "xyz"}, 400},
		{"limit 200", a, conv.ID, map[string]string{"limit": "200"}, 200},
	} {
		if status, _, body := get(tt.user, tt.id, tt.query); status != tt.want {
			t.Errorf("%s: status %d, want %d: %s", tt.name, status, tt.want, body)
		}
	}
}
