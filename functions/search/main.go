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

const name = "search"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind a signed-in
// caller's checks, with the embedding model (its vectors cached in Redis)
// and the daily embedding quota.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.New(ctx, name, deps.Database)
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
	return d.User(h.Serve), nil
}
