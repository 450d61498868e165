package main

import (
	"context"
	"net/http"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/blob"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct {
	db       store.DB
	bucket   *blob.Store
	maxBytes int64
	ttl      time.Duration
}

// request is POST /imports's body: the size of the file to upload, in bytes.
type request struct {
	Size *int64 `json:"size"`
}

// upload is where and how to PUT the file.
type upload struct {
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

type response struct {
	Import store.Import `json:"import"`
	Upload upload       `json:"upload"`
}

// ObjectKey is where the file of import id of userID is uploaded: the
// import function reads the user and the import from it.
func ObjectKey(userID, id string) string { return "imports/" + userID + "/" + id + ".json" }

// Serve: POST /imports {size} (auth) → 201 {import, upload: {url, method,
// headers, expiresAt}}: PUT exactly size bytes to url with headers before
// expiresAt (the length is signed: S3 refuses any other), then follow
// GET /imports/{id}. 400 on size; 413 payload_too_large over
// IMPORT_MAX_BYTES. One round trip and a local signature.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body request
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	var f api.Fields
	switch {
	case body.Size == nil:
		f.Add("size", "is required")
	case *body.Size < 1:
		f.Add("size", "must be at least 1")
	}
	if err := f.Err(); err != nil {
		return api.Response{}, err
	}
	if *body.Size > h.maxBytes {
		return api.Response{}, api.Errorf(http.StatusRequestEntityTooLarge, "payload_too_large",
			"the file is larger than an import may be (%d bytes)", h.maxBytes)
	}
	userID := api.UserID(req)
	imp, err := store.CreateImport(ctx, h.db, userID, *body.Size)
	if err != nil {
		return api.Response{}, err
	}
	p, err := h.bucket.PresignPut(ctx, ObjectKey(userID, imp.ID), *body.Size, "application/json", h.ttl)
	if err != nil {
		return api.Response{}, err
	}
	return api.JSON(http.StatusCreated, response{Import: imp, Upload: upload{URL: p.URL, Method: p.Method, Headers: p.Headers, ExpiresAt: p.ExpiresAt.UTC()}}), nil
}
