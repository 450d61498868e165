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

func TestList(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).NewPool(t)
	db := &testenv.CountingDB{DB: pool}
	h := deps.StoreErrors((&handler{db: db}).Serve)
	a, b := uuid.NewString(), uuid.NewString()
	for i := range 25 {
		store.CreateConversation(ctx, pool, a, fmt.Sprint("A ", i))
	}
	store.CreateConversation(ctx, pool, b, "B's only")
	list := func(user string, query map[string]string) (int, store.Page[store.Conversation], string) {
		resp := apitest.Do(t, h, apitest.Event("GET", "/conversations", nil, apitest.WithUser(user, ""), apitest.WithQuery(query)))
		var page store.Page[store.Conversation]
		if resp.StatusCode == 200 {
			apitest.Decode(t, resp, &page)
		}
		return resp.StatusCode, page, resp.Body
	}

	status, first, _ := list(a, nil)
	if status != 200 || len(first.Items) != 20 || first.NextCursor == nil {
		t.Fatalf("default page: %d, %d items, cursor %v", status, len(first.Items), first.NextCursor)
	}
	if n := db.RoundTrips(); n != 1 {
		t.Errorf("%d round trips, want 1", n)
	}
	status, second, _ := list(a, map[string]string{"cursor": *first.NextCursor})
	if status != 200 || len(second.Items) != 5 || second.NextCursor != nil {
		t.Fatalf("second page: %d, %d items, cursor %v", status, len(second.Items), second.NextCursor)
	}
	for _, c := range append(first.Items, second.Items...) {
		if c.Title == "B's only" {
			t.Error("A sees B's conversation")
		}
	}
	if _, bPage, _ := list(b, nil); len(bPage.Items) != 1 || bPage.Items[0].Title != "B's only" {
		t.Errorf("B's list = %+v", bPage.Items)
	}
	if _, empty, body := list(uuid.NewString(), nil); len(empty.Items) != 0 || empty.NextCursor != nil || body != `{"items":[],"nextCursor":null}` {
		t.Errorf("a new user's list = %s", body)
	}

	bad := []struct {
		name  string
		query map[string]string
		field string
	}{
		{"limit 0", map[string]string{"limit": "0"}, "limit"},
		{"limit 101", map[string]string{"limit": "101"}, "limit"},
		{"limit not a number", map[string]string{"limit": "ten"}, "limit"},
		{"garbage cursor", map[string]string{"cursor": "garbage!"}, "cursor"},
		{"another user's cursor", map[string]string{"cursor": *first.NextCursor}, "cursor"},
	}
	for _, tt := range bad {
		user := a
		if tt.name == "another user's cursor" {
			user = b
		}
		resp := apitest.Do(t, h, apitest.Event("GET", "/conversations", nil, apitest.WithUser(user, ""), apitest.WithQuery(tt.query)))
		if resp.StatusCode != 400 {
			t.Errorf("%s: status %d, want 400", tt.name, resp.StatusCode)
			continue
		}
		if e := apitest.ErrorOf(t, resp); e.Code != "validation_failed" || e.Details[0].Field != tt.field {
			t.Errorf("%s: %+v", tt.name, e)
		}
	}
	if status, page, _ := list(a, map[string]string{"limit": "100"}); status != 200 || len(page.Items) != 25 {
		t.Errorf("limit 100: %d, %d items", status, len(page.Items))
	}
}
