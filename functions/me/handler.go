package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/db"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct {
	cognito *cognito.Client
	db      store.DB
}

// Serve: GET /me (auth) → 200 {id, email, createdAt}: one round trip. A caller
// whose row does not exist yet (the sign-in could not write it), or was
// created without its e-mail by a first conversation, gets it completed now
// with the e-mail from Cognito.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	userID := api.UserID(req)
	u, err := store.GetUser(ctx, h.db, userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Email == "") {
		email, cerr := h.cognito.Email(ctx, api.BearerToken(req))
		if cerr != nil {
			return api.Response{}, cognito.APIError(cerr)
		}
		u, err = store.UpsertUser(ctx, h.db, userID, email)
	}
	if err != nil {
		if db.IsUnavailable(err) {
			return api.Response{}, api.DatabaseUnavailable().WithCause(err)
		}
		return api.Response{}, err
	}
	return api.JSON(http.StatusOK, u), nil
}
