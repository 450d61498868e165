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
	models config.Models // what a default model may be
}

// request is a PATCH body: each field absent (left), null (cleared) or a
// value.
type request struct {
	Instructions api.Patch[string] `json:"instructions"`
	DefaultModel api.Patch[string] `json:"defaultModel"`
	models       config.Models
}

// Normalize implements api.Normalizer.
func (r *request) Normalize() {
	r.Instructions.Value = strings.TrimSpace(r.Instructions.Value)
	r.DefaultModel.Value = strings.TrimSpace(r.DefaultModel.Value)
}

// Validate implements api.Validator.
func (r *request) Validate() error {
	var f api.Fields
	if !r.Instructions.Set && !r.DefaultModel.Set {
		f.Add("instructions", "give at least one of instructions and defaultModel")
	}
	if r.Instructions.Set && !r.Instructions.Null {
		f.Required("instructions", r.Instructions.Value, api.CharsBetween(1, 4000))
	}
	if r.DefaultModel.Set && !r.DefaultModel.Null && !r.models.Allows(r.DefaultModel.Value) {
		f.Add("defaultModel", "must be one of GET /models: "+strings.Join(r.models.List(), ", "))
	}
	return f.Err()
}

// Serve: PATCH /me {instructions?, defaultModel?} → 200 the caller (as GET
// /me). instructions (1–4 000 characters, or null) join the system prompt of
// every conversation; defaultModel (one of GET /models, or null: the
// deployment's default) is the model of a conversation that names none.
// One round trip.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	body := request{models: h.models}
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	var settings store.UserSettings
	if body.Instructions.Set {
		v := body.Instructions.Ptr()
		settings.Instructions = &v
	}
	if body.DefaultModel.Set {
		v := body.DefaultModel.Ptr()
		settings.DefaultModel = &v
	}
	u, err := store.UpdateUserSettings(ctx, h.db, api.UserID(req), settings)
	if err != nil {
		return api.Response{}, err
	}
	return api.JSON(http.StatusOK, u), nil
}
