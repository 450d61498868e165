// Command chat-stream serves POST /conversations/{id}/messages: one chat turn,
// its answer streamed as server-sent events. On AWS it is a Function URL in
// response-streaming mode (and, buffered, an HTTP API route).
package main

import (
	"context"
	"encoding/json"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/chat"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "chat-stream"

func main() {
	api.Run(name, func(ctx context.Context) (func(context.Context, json.RawMessage) (any, error), error) {
		h, err := wire(ctx)
		if err != nil {
			return nil, err
		}
		return h.Invoke, nil
	})
}

// wire builds the handler once per container: its own token check (a
// Function URL has no authorizer), the chat rate limit and daily quotas,
// and the turn's model, database and history cache.
func wire(ctx context.Context) (*handler, error) {
	d, err := deps.New(ctx, name, deps.Database, deps.Verifier)
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
	chatCfg, err := config.Load[config.Chat]()
	if err != nil {
		return nil, err
	}
	quotas, err := config.Load[config.Quotas]()
	if err != nil {
		return nil, err
	}
	return &handler{
		turns:     chat.NewService(d.Store, ai.New(aiCfg, emb.Dimensions), d.Redis, chatCfg, chat.WithSpending(d.Limiter)),
		verifier:  d.Verifier,
		limiter:   d.Limiter,
		perMinute: d.Limits.ChatPerMinute,
		quotas:    cache.Usage{Turns: quotas.TurnsPerDay, Tokens: quotas.TokensPerDay, EmbedChars: quotas.EmbedCharsPerDay, StoredBytes: quotas.StoredBytesPerDay},
	}, nil
}
