package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct {
	db     store.DB
	models config.Models // what a conversation's model may be
}

// request is a PATCH body: each field absent (left), null (cleared; not the
// title) or a value.
type request struct {
	Title        api.Patch[string] `json:"title"`
	Model        api.Patch[string] `json:"model"`
	SystemPrompt api.Patch[string] `json:"systemPrompt"`
	models       config.Models
}

// Normalize implements api.Normalizer.
func (r *request) Normalize() {
	r.Title.Value = strings.TrimSpace(r.Title.Value)
	r.Model.Value = strings.TrimSpace(r.Model.Value)
	r.SystemPrompt.Value = strings.TrimSpace(r.SystemPrompt.Value)
}

// Validate implements api.Validator.
func (r *request) Validate() error {
	var f api.Fields
	if !r.Title.Set && !r.Model.Set && !r.SystemPrompt.Set {
		f.Add("title", "give at least one of title, model and systemPrompt")
	}
	if r.Title.Set {
		if r.Title.Null {
			f.Add("title", "cannot be null")
		} else {
			f.Required("title", r.Title.Value, api.CharsBetween(1, 255))
		}
	}
	if r.Model.Set && !r.Model.Null && !r.models.Allows(r.Model.Value) {
		f.Add("model", "must be one of GET /models: "+strings.Join(r.models.List(), ", "))
	}
	if r.SystemPrompt.Set && !r.SystemPrompt.Null {
		f.Required("systemPrompt", r.SystemPrompt.Value, api.CharsBetween(1, 4000))
	}
	return f.Err()
}

// Serve: PATCH /conversations/{id} {title?, model?, systemPrompt?} → 200
// conversation. The title is 1–255 characters once trimmed (a rename moves
// the conversation to the top of the list); model is one of GET /models or
// null (the user's default); systemPrompt is 1–4 000 characters or null
// (none). 404 for an id that is not the caller's.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	body := request{models: h.models}
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	change := store.ConversationChange{}
	if body.Title.Set {
		change.Title = &body.Title.Value
	}
	if body.Model.Set {
		m := body.Model.Ptr()
		change.Model = &m
	}
	if body.SystemPrompt.Set {
		p := body.SystemPrompt.Ptr()
		change.SystemPrompt = &p
	}
	c, err := store.UpdateConversation(ctx, h.db, api.UserID(req), req.PathParameters["id"], change)
	if err != nil {
		return api.Response{}, err
	}
	return api.JSON(http.StatusOK, c), nil
}
