package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct {
	db     store.DB
	embed  func(ctx context.Context, text string) ([]float32, error)
	meter  *cache.Limiter
	quotas cache.Usage // the daily quota a query counts against
}

type response struct {
	Items []store.Related `json:"items"`
}

// Serve: GET /search?q= (1–1 000 chars)&limit=1..50 (10)&conversationId= →
// 200 {items: [{conversationId, conversationTitle, messageId, role, content,
// createdAt, score}]}, best first, score = cosine similarity, only the
// caller's messages. A conversationId that is not the caller's is 404.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	userID := api.UserID(req)
	q := strings.TrimSpace(req.QueryStringParameters["q"])
	conversationID := req.QueryStringParameters["conversationId"]
	var f api.Fields
	f.Required("q", q, api.MaxChars(1000))
	limit := f.Int("limit", req.QueryStringParameters["limit"], 10, 1, 50)
	if err := f.Err(); err != nil {
		return api.Response{}, err
	}
	if conversationID != "" {
		if _, err := store.GetConversation(ctx, h.db, userID, conversationID); err != nil {
			return api.Response{}, err
		}
	}
	// The query's characters count against the day's embedding quota.
	if d := h.meter.AllowMetered(ctx, "", 0, userID, h.quotas, cache.Usage{EmbedChars: int64(len(q))}); !d.Allowed {
		return api.Response{}, api.Refused(d)
	}
	vector, err := h.embed(ctx, q)
	if err != nil {
		return api.Response{}, upstream(err)
	}
	items, err := store.NearestMessages(ctx, h.db, userID, vector,
		store.NearestOptions{Limit: limit, InConversation: conversationID})
	if err != nil {
		return api.Response{}, err
	}
	if items == nil {
		items = []store.Related{}
	}
	return api.JSON(http.StatusOK, response{Items: items}), nil
}

func upstream(err error) *api.Error {
	msg := "the embedding provider failed; try again"
	if ai.Classify(err) == ai.ErrTimeout {
		msg = "the embedding provider did not answer in time; try again"
	}
	return api.Errorf(http.StatusBadGateway, "upstream_error", "%s", msg).WithCause(err)
}
