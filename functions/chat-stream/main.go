// Command chat-stream serves POST /conversations/{id}/messages: one chat turn,
// its answer streamed as server-sent events. On AWS it is a Function URL in
// response-streaming mode (and, buffered, an HTTP API route).
package main

import (
	"context"
	"encoding/json"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/auth"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/chat"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/db"
)

func main() {
	api.Run("chat-stream", func(ctx context.Context) (func(context.Context, json.RawMessage) (any, error), error) {
		h, err := wire(ctx)
		if err != nil {
			return nil, err
		}
		return h.Invoke, nil
	})
}

// wire builds the handler once per container; nothing connects yet.
func wire(ctx context.Context) (*handler, error) {
	cognitoCfg, err := config.Load[config.Cognito]()
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
	limits, err := config.Load[config.RateLimits]()
	if err != nil {
		return nil, err
	}
	quotas, err := config.Load[config.Quotas]()
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
	_, pool, err := db.OpenBoundedFromEnv(ctx, "chat-stream")
	if err != nil {
		return nil, err
	}
	verifier, err := auth.NewVerifier(auth.VerifierConfig{Issuer: cognitoCfg.Issuer(), ClientID: cognitoCfg.ClientID})
	if err != nil {
		return nil, err
	}
	limiter := cache.NewLimiter(rdb)
	return &handler{
		turns:     chat.NewService(pool, ai.New(aiCfg, emb.Dimensions), rdb, chatCfg, chat.WithSpending(limiter)),
		verifier:  verifier,
		limiter:   limiter,
		perMinute: limits.ChatPerMinute,
		quotas:    cache.Usage{Turns: quotas.TurnsPerDay, Tokens: quotas.TokensPerDay, EmbedChars: quotas.EmbedCharsPerDay, StoredBytes: quotas.StoredBytesPerDay},
	}, nil
}
