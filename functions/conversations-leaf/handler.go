package main

import (
	"context"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct{ db store.DB }

type request struct {
	MessageID string `json:"messageId"`
}

// Validate implements api.Validator.
func (r *request) Validate() error {
	var f api.Fields
	f.Required("messageId", r.MessageID, api.UUID)
	return f.Err()
}

type response struct {
	LeafID string `json:"leafId"`
}

// Serve: PUT /conversations/{id}/leaf {messageId} → 200 {leafId}: the branch
// through messageId becomes the one shown — GET …/messages lists it and the
// next message follows its end, the newest message below messageId (follow
// the newest child down). A message that is not of the caller's
// conversation is 404. One round trip.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body request
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	leaf, err := store.SwitchBranch(ctx, h.db, api.UserID(req), req.PathParameters["id"], body.MessageID)
	if err != nil {
		return api.Response{}, err
	}
	return api.JSON(http.StatusOK, response{LeafID: leaf}), nil
}
