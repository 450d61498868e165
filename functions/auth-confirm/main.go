// Command auth-confirm serves POST /auth/confirm: confirm an e-mail with its code.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

func main() { api.Start("auth-confirm", wire) }

// wire builds the handler once per container.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	r, err := cognito.NewPublicRoute(ctx)
	if err != nil {
		return nil, err
	}
	h := &handler{cognito: r.Cognito}
	return api.LimitByIP(r.Limiter, "auth-confirm", r.PerMinute, h.Serve), nil
}
