// Command me-delete serves POST /me/delete: the caller deletes their account
// and every piece of data it holds, giving their password.
package main

import (
	"context"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/blob"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "me-delete"

// settings is the function's own configuration.
type settings struct {
	Bucket string `env:"DATA_BUCKET,required"` // the user's imported and exported files
}

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind a signed-in
// caller's checks and the auth routes' rate limit (per IP and per user).
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.New(ctx, name, deps.Database)
	if err != nil {
		return nil, err
	}
	users, err := cognito.FromEnv()
	if err != nil {
		return nil, err
	}
	s, err := config.Load[settings]()
	if err != nil {
		return nil, err
	}
	h := &handler{cognito: users, db: d.Store, redis: d.Redis, files: blob.New(s.Bucket)}
	return d.Credential(h.Serve), nil
}
