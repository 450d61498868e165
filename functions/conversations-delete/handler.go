package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct{ db store.DB }

// Serve: DELETE /conversations/{id} → 204; its messages and vectors go with
// it. 404 for an id that is not the caller's (or already deleted).
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	if err := store.DeleteConversation(ctx, h.db, api.UserID(req), req.PathParameters["id"]); err != nil {
		return api.Response{}, err
	}
	return api.NoContent(), nil
}
