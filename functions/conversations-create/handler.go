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
	Title *string `json:"title"`
}

// Normalize implements api.Normalizer.
func (r *request) Normalize() {
	if r.Title != nil {
		t := strings.TrimSpace(*r.Title)
		r.Title = &t
	}
}

// Validate implements api.Validator.
func (r *request) Validate() error {
	var f api.Fields
	if r.Title != nil {
		f.Required("title", *r.Title, api.CharsBetween(1, 255))
	}
	return f.Err()
}

// Serve: POST /conversations {title?} → 201 conversation. The title is 1–255
// characters once trimmed; without one it is "New conversation" (and the first
// message names it). An empty body is an untitled conversation.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body request
	if strings.TrimSpace(req.Body) != "" {
		if err := api.DecodeJSON(req, &body); err != nil {
			return api.Response{}, err
		}
	}
	title := store.DefaultTitle
	if body.Title != nil {
		title = *body.Title
	}
	c, err := store.CreateConversation(ctx, h.db, api.UserID(req), title)
	if err != nil {
		return api.Response{}, err
	}
	return api.JSON(http.StatusCreated, c), nil
}
