package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct{ db store.DB }

type request struct {
	Title string `json:"title"`
}

// Normalize implements api.Normalizer.
func (r *request) Normalize() { r.Title = strings.TrimSpace(r.Title) }

// Validate implements api.Validator.
func (r *request) Validate() error {
	var f api.Fields
	f.Required("title", r.Title, api.CharsBetween(1, 255))
	return f.Err()
}

// Serve: PATCH /conversations/{id} {title} → 200 conversation. The title is
// 1–255 characters once trimmed; 404 for an id that is not the caller's.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body request
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	c, err := store.RenameConversation(ctx, h.db, api.UserID(req), req.PathParameters["id"], body.Title)
	if err != nil {
		return api.Response{}, err
	}
	return api.JSON(http.StatusOK, c), nil
}
