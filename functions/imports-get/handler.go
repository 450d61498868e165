package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct {
	db store.DB
}

// Serve: GET /imports/{id} (auth) → 200 the import: status pending (not
// uploaded yet), running, done or failed (with error, a sentence for the
// user), its counts and bytes read; 404 for an id that is not the
// caller's. One round trip.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	imp, err := store.GetImport(ctx, h.db, api.UserID(req), req.PathParameters["id"])
	if err != nil {
		return api.Response{}, err
	}
	resp := api.JSON(http.StatusOK, imp)
	resp.Headers["Cache-Control"] = "no-store"
	return resp, nil
}
