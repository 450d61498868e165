package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
)

type handler struct {
	models []string // the default first
}

// model is one item of GET /models.
type model struct {
	ID      string `json:"id"`
	Default bool   `json:"default"`
}

type response struct {
	Items []model `json:"items"`
}

// Serve: GET /models (auth) → 200 {items: [{id, default}]}, the chat models
// a conversation (PATCH /conversations/{id}) or a user's default
// (PATCH /me) may name, in the deployment's order (OPENAI_CHAT_MODELS), the
// default first. No database, no model call.
func (h *handler) Serve(_ context.Context, _ *api.Request) (api.Response, error) {
	items := make([]model, len(h.models))
	for i, id := range h.models {
		items[i] = model{ID: id, Default: i == 0}
	}
	return api.JSON(http.StatusOK, response{Items: items}), nil
}
