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
	redisCfg, err := config.Load[config.Redis]()
	if err != nil {
		return nil, err
	}
	rdb, err := cache.Open(ctx, redisCfg)
	if err != nil {
		return nil, err
	}
	model := ai.New(aiCfg, emb.Dimensions)
	h := &handler{db: d.Store, embed: cache.Vectors(rdb, model.EmbeddingModel(), emb.Dimensions, model.Embed)}
	return d.Route("search", h.Serve), nil
}
