package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
)

type handler struct {
	db       *pgxpool.Pool
	model    *ai.Client
	backfill config.Backfill
	route    api.HandlerFunc
}

// Invoke tells the three events apart: warmup, the schedule (or a manual
// {"backfill": true}), and HTTP API requests.
func (h *handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	if api.IsWarmup(raw) {
		return api.WarmupResponse(), nil
	}
	if isBackfill(raw) {
		return h.runBackfill(ctx)
	}
	return api.Wrap(h.route)(ctx, raw)
}

func isBackfill(raw []byte) bool {
	if !bytes.Contains(raw, []byte(`"aws.events"`)) && !bytes.Contains(raw, []byte(`"backfill"`)) {
		return false
	}
	var ev struct {
		Source   string `json:"source"`
		Backfill bool   `json:"backfill"`
	}
	return json.Unmarshal(raw, &ev) == nil && (ev.Source == "aws.events" || ev.Backfill)
}

// request is the body; input is OpenAI's: one string or an array of strings.
type request struct {
	Input  json.RawMessage `json:"input"`
	inputs []string
}

// Validate implements api.Validator; it also reads input into inputs.
func (r *request) Validate() error {
	var f api.Fields
	var one string
	switch {
	case len(r.Input) == 0 || string(r.Input) == "null":
		f.Add("input", "is required")
	case json.Unmarshal(r.Input, &one) == nil:
		r.inputs = []string{one}
	case json.Unmarshal(r.Input, &r.inputs) != nil:
		f.Add("input", "must be a string or an array of strings")
	}
	if r.inputs != nil && (len(r.inputs) == 0 || len(r.inputs) > 64) {
		f.Add("input", "must hold 1 to 64 strings")
	} else {
		for i, s := range r.inputs {
			f.Required(fmt.Sprintf("input[%d]", i), s, api.MaxChars(8000))
		}
	}
	return f.Err()
}

type embedding struct {
	Index     int       `json:"index"`
	Embedding []float32 `json:"embedding"`
}

type response struct {
	Model      string      `json:"model"`
	Dimensions int         `json:"dimensions"`
	Data       []embedding `json:"data"`
}

// serveHTTP: POST /embeddings {input: string | string[]} (≤ 64 items, each ≤ 8 000
// characters) → 200 {model, dimensions, data: [{index, embedding}]}, from one
// batched upstream call. A provider failure is 502 upstream_error.
func (h *handler) serveHTTP(ctx context.Context, req *api.Request) (api.Response, error) {
	var body request
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	vectors, err := h.model.Embed(ctx, body.inputs)
	if err != nil {
		return api.Response{}, upstream(err)
	}
	out := response{Model: h.model.EmbeddingModel(), Dimensions: h.model.Dimensions(), Data: make([]embedding, len(vectors))}
	for i, v := range vectors {
		out.Data[i] = embedding{Index: i, Embedding: v}
	}
	return api.JSON(http.StatusOK, out), nil
}

func upstream(err error) *api.Error {
	msg := "the embedding provider failed; try again"
	switch ai.Classify(err) {
	case ai.ErrRateLimit:
		msg = "the embedding provider is busy; try again in a moment"
	case ai.ErrTimeout:
		msg = "the embedding provider did not answer in time; try again"
	}
	return api.Errorf(http.StatusBadGateway, "upstream_error", "%s", msg).WithCause(err)
}
