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
// when quotas are counted). An entry records the conversation's
// message_count when it was written; it is used only if the count is still the
// same, so any write the cache did not see (another tab's turn, a deleted
// answer) makes it miss instead of serving stale history.
type historyCache struct{ rdb *redis.Client }

type historyEntry struct {
	Count    int             `json:"c"`
	Messages []store.Message `json:"m"` // newest first
}

func historyKey(conversationID string) string { return cache.HistoryKey(conversationID) }

// get returns the cached window if it was written at messageCount.
func (h historyCache) get(ctx context.Context, conversationID string, messageCount int) ([]store.Message, bool) {
	if h.rdb == nil {
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
	if json.Unmarshal(b, &e) != nil || e.Count != messageCount {
		return nil, false
	}
	return e.Messages, true
}

// entry encodes the window as of messageCount, as set stores it.
func (h historyCache) entry(messageCount int, messages []store.Message) ([]byte, bool) {
	if h.rdb == nil {
		return nil, false
	}
	b, err := json.Marshal(historyEntry{Count: messageCount, Messages: messages})
	return b, err == nil
}

// set stores the window as of messageCount.
func (h historyCache) set(ctx context.Context, conversationID string, messageCount int, messages []store.Message) {
	b, ok := h.entry(messageCount, messages)
	if !ok {
		return
	}
	if err := h.rdb.Set(ctx, historyKey(conversationID), b, historyTTL).Err(); err != nil {
		slog.WarnContext(ctx, "history cache not updated", "error", err.Error())
	}
}
