package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct{ db store.DB }

// Serve: GET /conversations/{id} → 200 conversation; 404 for an id that is
// not the caller's (another user's, malformed, deleted).
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	c, err := store.GetConversation(ctx, h.db, api.UserID(req), req.PathParameters["id"])
	if err != nil {
		return api.Response{}, err
	}
	return api.JSON(http.StatusOK, c), nil
}
