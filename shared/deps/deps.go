// Package deps wires what the routes of a signed-in caller share, once per
// container: the database pool, the rate limiter and the limits, and the
// middleware every such route runs behind.
package deps

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/db"
	"github.com/macro-ai/macro-ai/shared/store"
)

// UserRoutes holds the clients; none connects until first used.
type UserRoutes struct {
	DB *pgxpool.Pool
	// Store is DB with a deadline on every call (DATABASE_QUERY_TIMEOUT):
	// what the routes query through, so that a hung database is a fast 503.
	Store   store.DB
	Redis   *redis.Client // the cache; the limiter counts in it
	Limiter *cache.Limiter
	Limits  config.RateLimits
}

// LoadUserRoutes reads the settings and builds the clients for function.
func LoadUserRoutes(ctx context.Context, function string) (*UserRoutes, error) {
	limits, err := config.Load[config.RateLimits]()
	if err != nil {
		return nil, err
	}
	rdb, err := cache.OpenFromEnv(ctx)
	if err != nil {
		return nil, err
	}
	pool, bounded, err := db.OpenBoundedFromEnv(ctx, function)
	if err != nil {
		return nil, err
	}
	return &UserRoutes{DB: pool, Store: bounded, Redis: rdb, Limiter: cache.NewLimiter(rdb), Limits: limits}, nil
}

// Route puts h behind the caller check (401), the per-user rate limit (429)
// and the mapping of store errors: not found is 404, an unreachable database
// 503 database_unavailable.
func (d *UserRoutes) Route(name string, h api.HandlerFunc) api.HandlerFunc {
	return api.RequireUser(api.LimitByUser(d.Limiter, name, d.Limits.DefaultPerMinute, StoreErrors(h)))
}

// StoreErrors maps the store's errors to API errors.
func StoreErrors(h api.HandlerFunc) api.HandlerFunc {
	return func(ctx context.Context, req *api.Request) (api.Response, error) {
		resp, err := h(ctx, req)
		switch {
		case err == nil:
			return resp, nil
		case errors.Is(err, store.ErrNotFound):
			return api.Response{}, api.NotFound()
		case db.IsUnavailable(err):
			return api.Response{}, api.DatabaseUnavailable().WithCause(err)
		}
		return resp, err
	}
}
