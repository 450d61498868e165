// Command search serves GET /search: the caller's messages nearest in meaning
// to a query.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

func main() { api.Start("search", wire) }

// wire builds the handler once per container; nothing connects yet.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.LoadUserRoutes(ctx, "search")
	if err != nil {
		return nil, err
	}
	aiCfg, err := config.Load[config.AI]()
	if err != nil {
		return nil, err
	}
	emb, err := config.Load[config.Embedding]()
	if err != nil {
		return nil, err
	}
	quotas, err := config.Load[config.Quotas]()
	if err != nil {
		return nil, err
	}
	model := ai.New(aiCfg, emb.Dimensions)
	h := &handler{
		db:     d.Store,
		embed:  cache.Vectors(d.Redis, model.EmbeddingModel(), emb.Dimensions, model.Embed),
		meter:  d.Limiter,
		quotas: cache.Usage{EmbedChars: quotas.EmbedCharsPerDay},
	}
	return d.Route("search", h.Serve), nil
}
