package main

import (
	"context"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct {
	db  store.DB
	rdb *redis.Client // nil: no cache
}

// Serve: DELETE /conversations/{id} → 204; its messages and vectors go with
// it. 404 for an id that is not the caller's (or already deleted).
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	id := req.PathParameters["id"]
	if err := store.DeleteConversation(ctx, h.db, api.UserID(req), id); err != nil {
		return api.Response{}, err
	}
	// Its cached history window goes too (a cache that is down: it expires
	// within hours, and no request can read it: the conversation is gone).
	if h.rdb != nil {
		if err := h.rdb.Del(ctx, cache.HistoryKey(id)).Err(); err != nil {
			slog.WarnContext(ctx, "cached history not deleted", "error", err.Error())
		}
	}
	return api.NoContent(), nil
}
