package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct{ db store.DB }

// Serve: GET /conversations?limit=1..100 (20)&cursor= → 200 {items,
// nextCursor}: the caller's conversations, newest updatedAt first, keyset
// paginated. A cursor that is malformed or not the caller's is 400.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	userID := api.UserID(req)
	var f api.Fields
	limit := f.Int("limit", req.QueryStringParameters["limit"], 20, 1, 100)
	cursor, err := store.DecodeCursor(userID, req.QueryStringParameters["cursor"])
	if err != nil {
		f.Add("cursor", "is not a cursor this API gave you")
	}
	if err := f.Err(); err != nil {
		return api.Response{}, err
	}
	page, err := store.ListConversations(ctx, h.db, userID, limit, cursor)
	if err != nil {
		return api.Response{}, err
	}
	return api.JSON(http.StatusOK, page), nil
}
