// Command models serves GET /models: the chat models a user may choose.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "models"

func main() { api.Start(name, wire) }

// wire builds the route once per container: the configured list behind a
// signed-in caller's checks.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.New(ctx, name)
	if err != nil {
		return nil, err
	}
	models, err := config.Load[config.Models]()
	if err != nil {
		return nil, err
	}
	h := &handler{models: models.List()}
	return d.User(h.Serve), nil
}
