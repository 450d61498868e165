package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct{ db store.DB }

// Serve: GET /conversations/{id}/messages?limit=1..200 (50)&before= → 200
// {items, nextCursor}: the newest messages before the cursor, oldest first;
// nextCursor pages toward older ones. 404 for a conversation that is not the
// caller's.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	userID := api.UserID(req)
	var f api.Fields
	limit := f.Int("limit", req.QueryStringParameters["limit"], 50, 1, 200)
	before, err := store.DecodeCursor(userID, req.QueryStringParameters["before"])
	if err != nil || (before != nil && before.Seq == 0) { // 0: a conversations cursor
		f.Add("before", "is not a cursor this API gave you")
	}
	if err := f.Err(); err != nil {
		return api.Response{}, err
	}
	page, err := store.ListMessages(ctx, h.db, userID, req.PathParameters["id"], limit, before)
	if err != nil {
		return api.Response{}, err
	}
	return api.JSON(http.StatusOK, page), nil
}
