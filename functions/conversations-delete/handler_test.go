package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/deps"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestDelete(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).NewPool(t)
	db := &testenv.CountingDB{DB: pool}
	opt, err := redis.ParseURL(testenv.Get(t).RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	h := deps.StoreErrors((&handler{db: db, rdb: rdb}).Serve)
	a, b := uuid.NewString(), uuid.NewString()
	conv, _ := store.CreateConversation(ctx, pool, a, "doomed")
	var msgID string
	if err := pool.QueryRow(ctx, `INSERT INTO messages (conversation_id, user_id, role, content)
		VALUES ($1, $2, 'user', 'hi') RETURNING id::text`, conv.ID, a).Scan(&msgID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO message_embeddings (message_id, user_id, conversation_id, model, embedding)
		VALUES ($1, $2, $3, 'test', array_fill(0.5, ARRAY[512])::halfvec)`, msgID, a, conv.ID); err != nil {
		t.Fatal(err)
	}

	// The chat turn's cached history window of the conversation.
	if err := rdb.Set(ctx, cache.HistoryKey(conv.ID), `{"c":1,"m":[]}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, user, id string
		wantStatus     int
	}{
		{"another user", b, conv.ID, 404},
		{"malformed id", a, "zzz", 404},
		{"owner", a, conv.ID, 204},
		{"again", a, conv.ID, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db.RoundTrips()
			resp := apitest.Do(t, h, apitest.Event("DELETE", "/conversations/"+tt.id, nil,
				apitest.WithUser(tt.user, ""), apitest.WithPathParameter("id", tt.id)))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if n := db.RoundTrips(); n > 1 {
				t.Errorf("%d round trips, want 1", n)
			}
		})
	}
	var left int
	pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM conversations WHERE id = $1)
		+ (SELECT count(*) FROM messages WHERE id = $2) + (SELECT count(*) FROM message_embeddings WHERE message_id = $2)`,
		conv.ID, msgID).Scan(&left)
	if left != 0 {
		t.Errorf("%d rows survived the delete", left)
	}
	if n, err := rdb.Exists(ctx, cache.HistoryKey(conv.ID)).Result(); err != nil || n != 0 {
		t.Errorf("the cached history window survived the delete (%d, %v)", n, err)
	}
}
