// Command me-usage serves GET /me/usage: the caller's tokens and their
// estimated cost per model over a time range.
package main

import (
	"context"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "me-usage"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind a signed-in
// caller's checks, with the models' prices.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.New(ctx, name, deps.Database)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load[config.Prices]()
	if err != nil {
		return nil, err
	}
	prices, err := cfg.Parse()
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.Store, prices: prices, now: time.Now}
	return d.User(h.Serve), nil
}
