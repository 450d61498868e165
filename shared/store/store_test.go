package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func newPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), testenv.Get(t).NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func newUser(t *testing.T, db store.DB) string {
	t.Helper()
	id := uuid.NewString()
	if _, err := store.UpsertUser(context.Background(), db, id, id[:8]+"@example.com"); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestListConversationsPagination walks 120 conversations 7 at a time while
// other conversations are created between pages: every original one is seen
// exactly once, in order.
func TestListConversationsPagination(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	user := newUser(t, pool)
	want := map[string]bool{}
	for i := range 120 {
		c, err := store.CreateConversation(ctx, pool, user, fmt.Sprint("conversation ", i))
		if err != nil {
			t.Fatal(err)
		}
		want[c.ID] = true
	}
	seen := map[string]bool{}
	var cursor *store.Cursor
	var prev *store.Conversation
	for pages := 0; ; pages++ {
		if pages > 40 {
			t.Fatal("pagination does not end")
		}
		page, err := store.ListConversations(ctx, pool, user, 7, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Items {
			if seen[c.ID] {
				t.Fatalf("conversation %s seen twice", c.ID)
			}
			seen[c.ID] = true
			if prev != nil && (c.UpdatedAt.After(prev.UpdatedAt) || (c.UpdatedAt.Equal(prev.UpdatedAt) && c.ID > prev.ID)) {
				t.Fatalf("out of order: %v after %v", c, *prev)
			}
			c := c
			prev = &c
		}
		// Concurrent writers between pages: new conversations sort before the
		// cursor and must not disturb the rest of the walk.
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := store.CreateConversation(ctx, pool, user, "inserted between pages"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if page.NextCursor == nil {
			break
		}
		cursor, err = store.DecodeCursor(user, *page.NextCursor)
		if err != nil {
			t.Fatal(err)
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("conversation %s never listed (gap)", id)
		}
	}
}

func TestCursors(t *testing.T) {
	user, other := uuid.NewString(), uuid.NewString()
	good := store.EncodeCursor(user, store.Cursor{Time: time.Now(), ID: uuid.New()})
	tests := []struct {
		name   string
		cursor string
		ok     bool
	}{
		{"none", "", true},
		{"issued to the caller", good, true},
		{"issued to another user", store.EncodeCursor(other, store.Cursor{Time: time.Now(), ID: uuid.New()}), false},
		{"not base64", "%%%", false},
		{"base64 of garbage", "aGVsbG8", false},
		{"tampered", good[:len(good)-3] + "abc", false},
		{"huge", strings.Repeat("a", 5000), false},
	}
	for _, tt := range tests {
		_, err := store.DecodeCursor(user, tt.cursor)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("%s: err = %v, want ErrBadCursor", tt.name, err)
		}
	}
}

func TestIsolation(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	a, b := newUser(t, pool), newUser(t, pool)
	conv, err := store.CreateConversation(ctx, pool, a, "A's secret")
	if err != nil {
		t.Fatal(err)
	}
	addMessages(t, pool, a, conv.ID, 3)

	if _, err := store.GetConversation(ctx, pool, b, conv.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get: %v", err)
	}
	if _, err := store.RenameConversation(ctx, pool, b, conv.ID, "mine now"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rename: %v", err)
	}
	if err := store.DeleteConversation(ctx, pool, b, conv.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete: %v", err)
	}
	if _, err := store.ListMessages(ctx, pool, b, conv.ID, 10, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("messages: %v", err)
	}
	page, err := store.ListConversations(ctx, pool, b, 100, nil)
	if err != nil || len(page.Items) != 0 {
		t.Errorf("B's list = %+v, %v; want empty", page.Items, err)
	}
	// A still has everything.
	got, err := store.GetConversation(ctx, pool, a, conv.ID)
	if err != nil || got.Title != "A's secret" || got.MessageCount != 3 {
		t.Errorf("A's conversation = %+v, %v", got, err)
	}
}

func TestListMessagesPagesTowardOlder(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	user := newUser(t, pool)
	conv, _ := store.CreateConversation(ctx, pool, user, "t")
	ids := addMessages(t, pool, user, conv.ID, 25)

	var got []string
	var before *store.Cursor
	for {
		page, err := store.ListMessages(ctx, pool, user, conv.ID, 10, before)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(page.Items); i++ {
			if page.Items[i].CreatedAt.Before(page.Items[i-1].CreatedAt) {
				t.Fatal("a page is not oldest → newest")
			}
		}
		var pageIDs []string
		for _, m := range page.Items {
			pageIDs = append(pageIDs, m.ID)
		}
		got = append(pageIDs, got...)
		if page.NextCursor == nil {
			break
		}
		before, _ = store.DecodeCursor(user, *page.NextCursor)
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("walking back gave %d messages out of order; want %d", len(got), len(ids))
	}
	empty, _ := store.CreateConversation(ctx, pool, user, "empty")
	page, err := store.ListMessages(ctx, pool, user, empty.ID, 10, nil)
	if err != nil || len(page.Items) != 0 || page.NextCursor != nil {
		t.Errorf("empty conversation: %+v, %v", page, err)
	}
}

func TestDeleteCascades(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	user := newUser(t, pool)
	conv, _ := store.CreateConversation(ctx, pool, user, "t")
	ids := addMessages(t, pool, user, conv.ID, 4)
	for _, id := range ids {
		if _, err := pool.Exec(ctx, `INSERT INTO message_embeddings (message_id, user_id, conversation_id, model, embedding)
			VALUES ($1, $2, $3, 'test', array_fill(0.1, ARRAY[512])::halfvec)`, id, user, conv.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.DeleteConversation(ctx, pool, user, conv.ID); err != nil {
		t.Fatal(err)
	}
	var left int
	pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM messages WHERE conversation_id = $1)
		+ (SELECT count(*) FROM message_embeddings WHERE conversation_id = $1)`, conv.ID).Scan(&left)
	if left != 0 {
		t.Errorf("%d messages/vectors survived", left)
	}
	if err := store.DeleteConversation(ctx, pool, user, conv.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
}

// TestQueriesUseIndexes reads the plans of the list queries on a table big
// enough for the planner to prefer an index.
func TestQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	user := newUser(t, pool)
	if _, err := pool.Exec(ctx, `
		INSERT INTO users (id, email) SELECT gen_random_uuid(), 'x' FROM generate_series(1, 200);
		INSERT INTO conversations (user_id, title, updated_at)
		  SELECT u.id, 'c', now() - (random() * interval '30 days') FROM users u, generate_series(1, 50);
		INSERT INTO messages (conversation_id, user_id, role, content)
		  SELECT c.id, c.user_id, 'user', 'hello' FROM conversations c, generate_series(1, 4);
		ANALYZE`); err != nil {
		t.Fatal(err)
	}
	conv, _ := store.CreateConversation(ctx, pool, user, "t")
	// A long conversation: paging it must walk the index, not sort it.
	if _, err := pool.Exec(ctx, `INSERT INTO messages (conversation_id, user_id, role, content)
		SELECT $1, $2, 'user', 'hi' FROM generate_series(1, 2000)`, conv.ID, user); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, sql, index string
		args             []any
	}{
		{"conversations page", `SELECT id FROM conversations WHERE user_id = $1 AND (updated_at, id) < ($2, $3)
			ORDER BY updated_at DESC, id DESC LIMIT 21`, "conversations_user_updated_idx", []any{user, time.Now(), uuid.New()}},
		{"messages page", `SELECT id FROM messages WHERE conversation_id = $1 AND (created_at, id) < ($2, $3)
			ORDER BY created_at DESC, id DESC LIMIT 51`, "messages_conversation_created_idx", []any{conv.ID, time.Now(), uuid.New()}},
	}
	for _, tt := range tests {
		rows, err := pool.Query(ctx, "EXPLAIN "+tt.sql, tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		plan, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		if !strings.Contains(strings.Join(plan, "\n"), tt.index) {
			t.Errorf("%s does not use %s:\n%s", tt.name, tt.index, strings.Join(plan, "\n"))
		}
	}
}

// addMessages inserts n alternating user/assistant messages and returns their
// ids oldest first.
func addMessages(t *testing.T, db store.DB, user, conv string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		role := []string{"user", "assistant"}[i%2]
		var id string
		if err := db.QueryRow(context.Background(), `INSERT INTO messages (conversation_id, user_id, role, content)
			VALUES ($1, $2, $3, $4) RETURNING id::text`, conv, user, role, fmt.Sprint("message ", i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// TestIterativeScanIsSetForTheSearch checks that the batch's set_config
// reaches the statement after it (one implicit transaction) and no further.
func TestIterativeScanIsSetForTheSearch(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('hnsw.iterative_scan', $1, true)`, store.IterativeScan)
	b.Queue(`SELECT current_setting('hnsw.iterative_scan')`)
	br := conn.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		t.Fatal(err)
	}
	var inBatch string
	if err := br.QueryRow().Scan(&inBatch); err != nil {
		t.Fatal(err)
	}
	br.Close()
	var after string
	if err := conn.QueryRow(ctx, `SELECT current_setting('hnsw.iterative_scan')`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if inBatch != store.IterativeScan || after == store.IterativeScan {
		t.Errorf("iterative scan in the batch %q, after it %q", inBatch, after)
	}
}
