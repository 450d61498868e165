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
	embed  func(ctx context.Context, userID, text string) ([]float32, error)
	meter  *cache.Limiter
	quotas cache.Usage // the daily quota a query counts against
}

type response struct {
	Items []store.Related `json:"items"`
}

// Serve: GET /search?q= (1–1 000 chars)&mode=semantic|keyword|hybrid
// (hybrid)&limit=1..50 (10)&conversationId= → 200 {items: [{conversationId,
// conversationTitle, messageId, role, content, createdAt, score}]}, best
// first, only the caller's messages. score is the cosine similarity
// (semantic), the ts_rank (keyword) or the reciprocal rank fusion score
// (hybrid). keyword mode asks no model and counts nothing against the
// embedding quota. A conversationId that is not the caller's is 404.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	userID := api.UserID(req)
	q := strings.TrimSpace(req.QueryStringParameters["q"])
	conversationID := req.QueryStringParameters["conversationId"]
	var f api.Fields
	f.Required("q", q, api.MaxChars(1000))
	limit := f.Int("limit", req.QueryStringParameters["limit"], 10, 1, 50)
	mode, given := req.QueryStringParameters["mode"]
	switch {
	case !given:
		mode = store.ModeHybrid
	case mode == store.ModeSemantic, mode == store.ModeKeyword, mode == store.ModeHybrid:
	default:
		f.Add("mode", "must be semantic, keyword or hybrid")
	}
	if err := f.Err(); err != nil {
		return api.Response{}, err
	}
	if conversationID != "" {
		if _, err := store.GetConversation(ctx, h.db, userID, conversationID); err != nil {
			return api.Response{}, err
		}
	}
	opt := store.NearestOptions{Limit: limit, InConversation: conversationID}
	if mode == store.ModeKeyword {
		items, err := store.KeywordMessages(ctx, h.db, userID, q, opt)
		if err != nil {
			return api.Response{}, err
		}
		return found(items), nil
	}
	// The query's characters count against the day's embedding quota.
	if d := h.meter.AllowMetered(ctx, "", 0, userID, h.quotas, cache.Usage{EmbedChars: int64(len(q))}); !d.Allowed {
		return api.Response{}, api.Refused(d)
	}
	vector, err := h.embed(ctx, userID, q)
	if err != nil {
		return api.Response{}, upstream(err)
	}
	var items []store.Related
	if mode == store.ModeSemantic {
		items, err = store.NearestMessages(ctx, h.db, userID, vector, opt)
	} else {
		items, err = store.HybridMessages(ctx, h.db, userID, q, vector, opt)
	}
	if err != nil {
		return api.Response{}, err
	}
	return found(items), nil
}

func found(items []store.Related) api.Response {
	if items == nil {
		items = []store.Related{}
	}
	return api.JSON(http.StatusOK, response{Items: items})
}

func upstream(err error) *api.Error {
	msg := "the embedding provider failed; try again"
	if ai.Classify(err) == ai.ErrTimeout {
		msg = "the embedding provider did not answer in time; try again"
	}
	return api.Errorf(http.StatusBadGateway, "upstream_error", "%s", msg).WithCause(err)
}
