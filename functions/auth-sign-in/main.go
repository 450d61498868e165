// Command auth-sign-in serves POST /auth/sign-in: tokens for an e-mail and password.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/db"
)

func main() { api.Start("auth-sign-in", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	r, err := cognito.NewPublicRoute(ctx)
	if err != nil {
		return nil, err
	}
	_, pool, err := db.OpenBoundedFromEnv(ctx, "auth-sign-in")
	if err != nil {
		return nil, err
	}
	h := &handler{cognito: r.Cognito, db: pool}
	return api.LimitByIP(r.Limiter, "auth-sign-in", r.PerMinute, h.Serve), nil
}
