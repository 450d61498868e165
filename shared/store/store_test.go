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
		{"messages page", `SELECT id FROM messages WHERE conversation_id = $1 AND seq < $2
			ORDER BY seq DESC LIMIT 51`, "messages_conversation_seq_key", []any{conv.ID, 1000}},
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

// TestTurnOrderIsCausal: an answer stored late (a stopped stream noticed
// after the user asked again) still sits right after the question it
// answers, in a page, across pages, and in the history a turn sees; and
// neither answer moves the conversation in the sidebar.
func TestTurnOrderIsCausal(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	user := newUser(t, pool)
	conv, err := store.CreateConversation(ctx, pool, user, "order")
	if err != nil {
		t.Fatal(err)
	}
	ask := func(content string) store.UserTurn {
		t.Helper()
		u, err := store.AddUserMessage(ctx, pool, user, conv.ID, content, nil, content, time.Minute, store.Parent{})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	answer := func(q store.UserTurn, content, status string) {
		t.Helper()
		if _, err := store.AddAssistantMessage(ctx, pool, user, conv.ID, uuid.NewString(), q.MessageID, content, status, store.Answered{Model: "m", Usage: store.Usage{PromptTokens: 3, CompletionTokens: 4}, Duration: 5 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	q1 := ask("q1")
	q2 := ask("q2")
	answer(q2, "a2", "complete")
	before, err := store.GetConversation(ctx, pool, user, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The other conversation is touched after q2; then the stopped answer to
	// q1 lands, late.
	other, err := store.CreateConversation(ctx, pool, user, "newer")
	if err != nil {
		t.Fatal(err)
	}
	answer(q1, "a1 (stopped)", "incomplete")
	q3 := ask("q3")

	want := []string{"q1", "a1 (stopped)", "q2", "a2", "q3"}
	page, err := store.ListMessages(ctx, pool, user, conv.ID, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(page.Items); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("one page: %v, want %v", got, want)
	}
	for _, m := range page.Items {
		switch {
		case m.Role == "user" && (m.Model != nil || m.Usage != nil || m.DurationMs != nil):
			t.Errorf("user message %q carries an answer's model or usage", m.Content)
		case m.Role == "assistant" && m.Status == "complete" &&
			(m.Model == nil || *m.Model != "m" || m.Usage == nil || *m.Usage != (store.Usage{PromptTokens: 3, CompletionTokens: 4}) || m.DurationMs == nil || *m.DurationMs != 5):
			t.Errorf("answer %q: model %v usage %v duration %v, want m, 3+4, 5 ms", m.Content, m.Model, m.Usage, m.DurationMs)
		}
	}
	// Two at a time, toward older messages: the same order.
	var walked []string
	var cursor *store.Cursor
	for range 5 {
		p, err := store.ListMessages(ctx, pool, user, conv.ID, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		walked = append(contents(p.Items), walked...)
		if p.NextCursor == nil {
			break
		}
		if cursor, err = store.DecodeCursor(user, *p.NextCursor); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(walked, ",") != strings.Join(want, ",") {
		t.Errorf("paged: %v, want %v", walked, want)
	}
	// The history of the turn answering q3: everything before it, newest first.
	history, err := store.RecentMessages(ctx, pool, user, conv.ID, q3.MessageID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(contents(history), ","); got != "a2,q2,a1 (stopped),q1" {
		t.Errorf("history before q3: %s", got)
	}
	// A retried q1 sees only what came before it.
	if history, _ = store.RecentMessages(ctx, pool, user, conv.ID, q1.MessageID, 10); len(history) != 0 {
		t.Errorf("history before q1: %v", contents(history))
	}

	// The sidebar: answers never move a conversation; the user's message does.
	after, _ := store.GetConversation(ctx, pool, user, conv.ID)
	if after.MessageCount != 5 {
		t.Errorf("message count %d, want 5", after.MessageCount)
	}
	if !after.UpdatedAt.After(other.UpdatedAt) {
		t.Errorf("q3 (after the other conversation) left updatedAt at %v, the other's is %v", after.UpdatedAt, other.UpdatedAt)
	}
	if !before.UpdatedAt.Equal(q2.CreatedAt) {
		t.Errorf("after a2, updatedAt %v; want q2's time %v (an answer does not move it)", before.UpdatedAt, q2.CreatedAt)
	}
	answerOnly, _ := store.CreateConversation(ctx, pool, user, "answer only")
	q := func() store.UserTurn {
		u, err := store.AddUserMessage(ctx, pool, user, answerOnly.ID, "x", nil, "x", time.Minute, store.Parent{})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}()
	newest, _ := store.CreateConversation(ctx, pool, user, "newest")
	if _, err := store.AddAssistantMessage(ctx, pool, user, answerOnly.ID, uuid.NewString(), q.MessageID, "late", "incomplete", store.Answered{}); err != nil {
		t.Fatal(err)
	}
	list, err := store.ListConversations(ctx, pool, user, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if list.Items[0].ID != newest.ID || list.Items[1].ID != answerOnly.ID {
		t.Errorf("sidebar after a late answer: %v first, want %q then %q", titles(list.Items), "newest", "answer only")
	}
}

// TestConcurrentTurnsTakeDistinctPlaces: user messages sent at once to one
// conversation each get their own place (the conversation's row serialises
// them); none fails.
func TestConcurrentTurnsTakeDistinctPlaces(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	user := newUser(t, pool)
	conv, _ := store.CreateConversation(ctx, pool, user, "busy")
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := store.AddUserMessage(ctx, pool, user, conv.ID, fmt.Sprint("m", i), nil, "t", time.Minute, store.Parent{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n, distinct int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT seq) FROM messages WHERE conversation_id = $1`, conv.ID).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != 20 || distinct != 20 {
		t.Errorf("%d messages with %d distinct places, want 20 and 20", n, distinct)
	}
}

func contents(ms []store.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Content
	}
	return out
}

func titles(cs []store.Conversation) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Title
	}
	return out
}

// TestNonCanonicalIDsAreNotFound: the other spellings of a UUID the uuid
// package reads (PostgreSQL refuses them) are no row of the caller's: 404,
// never a database error (a 500).
func TestNonCanonicalIDsAreNotFound(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	user := newUser(t, pool)
	c, err := store.CreateConversation(ctx, pool, user, "mine")
	if err != nil {
		t.Fatal(err)
	}
	bare := strings.ReplaceAll(c.ID, "-", "")
	for _, id := range []string{"urn:uuid:" + c.ID, "{" + c.ID + "}", bare, strings.ToUpper(c.ID) + " ", ""} {
		calls := map[string]func() error{
			"get":      func() error { _, err := store.GetConversation(ctx, pool, user, id); return err },
			"rename":   func() error { _, err := store.RenameConversation(ctx, pool, user, id, "x"); return err },
			"delete":   func() error { return store.DeleteConversation(ctx, pool, user, id) },
			"messages": func() error { _, err := store.ListMessages(ctx, pool, user, id, 10, nil); return err },
			"add": func() error {
				_, err := store.AddUserMessage(ctx, pool, user, id, "hi", nil, "t", time.Minute, store.Parent{})
				return err
			},
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s(%q): %v, want ErrNotFound", name, id, err)
			}
		}
	}
	if _, err := store.GetConversation(ctx, pool, user, strings.ToUpper(c.ID)); err != nil {
		t.Errorf("the canonical form in upper case: %v", err)
	}
}

// TestRetitleConversation: a title is replaced only while it is still the
// one the turn set: a user's rename meanwhile wins.
func TestRetitleConversation(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	user := uuid.NewString()
	conv, err := store.CreateConversation(ctx, pool, user, "First line")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := store.RetitleConversation(ctx, pool, uuid.NewString(), conv.ID, "First line", "Stolen"); err != nil || ok {
		t.Fatalf("another user's: %v %v", ok, err)
	}
	renamed, err := store.RenameConversation(ctx, pool, user, conv.ID, "Mine")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := store.RetitleConversation(ctx, pool, user, conv.ID, "First line", "By the model"); err != nil || ok {
		t.Fatalf("after a rename: %v %v", ok, err)
	}
	if ok, err := store.RetitleConversation(ctx, pool, user, conv.ID, "Mine", "By the model"); err != nil || !ok {
		t.Fatalf("unchanged title: %v %v", ok, err)
	}
	got, _ := store.GetConversation(ctx, pool, user, conv.ID)
	if got.Title != "By the model" || !got.UpdatedAt.Equal(renamed.UpdatedAt) {
		t.Errorf("title %q updated %s, want By the model, not moved from %s", got.Title, got.UpdatedAt, renamed.UpdatedAt)
	}
}
