package chat

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/store"
)

// historyTTL bounds how long an idle conversation's window stays cached.
const historyTTL = 6 * time.Hour

// historyCache keeps each conversation's recent messages in Redis (one GET on
// a hit, one SET after a turn, in the same command as the turn's spending
// when quotas are counted). An entry records the id of its newest message;
// it is used only for a turn whose message follows exactly that one, so a
// write the cache did not see (another tab's turn, an edit that branches
// off, a regenerated answer) makes it miss instead of serving another
// branch's history.
type historyCache struct{ rdb *redis.Client }

type historyEntry struct {
	Leaf     string          `json:"l"` // the newest message's id
	Messages []store.Message `json:"m"` // newest first
	// Vector is the embedding of the window's newest question, if it was
	// made: what the next turn searches related messages by without waiting
	// for its own message's embedding (docs/chat-turn.md).
	Vector []float32 `json:"v,omitempty"`
}

// decodeEntry reads a cached window; nil when b is empty or unreadable.
func decodeEntry(b []byte) *historyEntry {
	if len(b) == 0 {
		return nil
	}
	var e historyEntry
	if json.Unmarshal(b, &e) != nil || e.Leaf == "" {
		return nil
	}
	return &e
}

func historyKey(conversationID string) string { return cache.HistoryKey(conversationID) }

// get returns the cached window if its newest message is leaf.
func (h historyCache) get(ctx context.Context, conversationID, leaf string) ([]store.Message, bool) {
	if h.rdb == nil || leaf == "" {
		return nil, false
	}
	b, err := h.rdb.Get(ctx, historyKey(conversationID)).Bytes()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			slog.WarnContext(ctx, "history cache unavailable", "error", err.Error())
		}
		return nil, false
	}
	var e historyEntry
	if json.Unmarshal(b, &e) != nil || e.Leaf != leaf {
		return nil, false
	}
	return e.Messages, true
}

// entry encodes the window (newest first) and the vector of its newest
// question (nil if none), as set stores it.
func (h historyCache) entry(messages []store.Message, vector []float32) ([]byte, bool) {
	if h.rdb == nil || len(messages) == 0 {
		return nil, false
	}
	b, err := json.Marshal(historyEntry{Leaf: messages[0].ID, Messages: messages, Vector: vector})
	return b, err == nil
}

// set stores the window (newest first) and its question's vector.
func (h historyCache) set(ctx context.Context, conversationID string, messages []store.Message, vector []float32) {
	b, ok := h.entry(messages, vector)
	if !ok {
		return
	}
	if err := h.rdb.Set(ctx, historyKey(conversationID), b, historyTTL).Err(); err != nil {
		slog.WarnContext(ctx, "history cache not updated", "error", err.Error())
	}
}
