// Command embed serves POST /embeddings and, on an EventBridge schedule, the
// backfill that embeds every stored message that has no vector yet.
package main

import (
	"context"
	"encoding/json"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "embed"

func main() {
	api.Run(name, func(ctx context.Context) (func(context.Context, json.RawMessage) (any, error), error) {
		h, err := wire(ctx)
		if err != nil {
			return nil, err
		}
		return h.Invoke, nil
	})
}

// wire builds the handler once per container: the HTTP route behind a
// signed-in caller's checks, and the scheduled backfill.
func wire(ctx context.Context) (*handler, error) {
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
	backfill, err := config.Load[config.Backfill]()
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.DB, model: ai.New(aiCfg, emb.Dimensions), backfill: backfill}
	h.route = d.User(h.serveHTTP)
	return h, nil
}
