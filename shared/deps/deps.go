// Package deps wires a function, once per container: the clients its
// handler needs and the middleware its kind of route runs behind. Every
// function's main.go takes the same shape:
//
//	const name = "conversations-get"
//
//	func main() { api.Start(name, wire) }
//
//	func wire(ctx context.Context) (api.HandlerFunc, error) {
//		d, err := deps.New(ctx, name, deps.Database)
//		if err != nil {
//			return nil, err
//		}
//		return d.User((&handler{db: d.Store}).Serve), nil
//	}
//
// New always loads the rate limits and the Redis client (every route is
// rate-limited in it); options add the database and the token verifier.
// None of the clients connects until first used. The Cognito routes build
// their client themselves (cognito.FromEnv): here, the Cognito SDK's
// package would be linked into, and initialised by, every function.
package deps

import (
	"context"
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/auth"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/db"
	"github.com/macro-ai/macro-ai/shared/store"
)

// Deps is what a function is wired with.
type Deps struct {
	// Name is the function's name: its rate-limit keys, its database
	// application_name.
	Name    string
	Redis   *redis.Client // the cache; the limiter counts in it
	Limiter *cache.Limiter
	Limits  config.RateLimits

	// With Database: the pool, and Store, the pool with a deadline on every
	// call (DATABASE_QUERY_TIMEOUT), which the handlers query through so
	// that a hung database is a fast 503.
	DB    *pgxpool.Pool
	Store store.DB
	// With Verifier: the access-token verifier, for a route without API
	// Gateway's authorizer in front of it (a Function URL).
	Verifier *auth.Verifier
}

// Option adds a client to Deps.
type Option func(ctx context.Context, d *Deps) error

// New reads the settings and builds the clients of the function name.
func New(ctx context.Context, name string, opts ...Option) (*Deps, error) {
	limits, err := config.Load[config.RateLimits]()
	if err != nil {
		return nil, err
	}
	rdb, err := cache.OpenFromEnv(ctx)
	if err != nil {
		return nil, err
	}
	d := &Deps{Name: name, Redis: rdb, Limiter: cache.NewLimiter(rdb), Limits: limits}
	for _, opt := range opts {
		if err := opt(ctx, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Database opens the PostgreSQL pool (DATABASE_URL) and its bounded Store.
func Database(ctx context.Context, d *Deps) error {
	pool, bounded, err := db.OpenBoundedFromEnv(ctx, d.Name)
	if err != nil {
		return err
	}
	d.DB, d.Store = pool, bounded
	return nil
}

// Verifier builds the access-token verifier of the user pool (COGNITO_*).
func Verifier(_ context.Context, d *Deps) error {
	cfg, err := config.Load[config.Cognito]()
	if err != nil {
		return err
	}
	d.Verifier, err = auth.NewVerifier(auth.VerifierConfig{Issuer: cfg.Issuer(), ClientID: cfg.ClientID})
	return err
}

// User puts h, a signed-in caller's route, behind the caller check (401),
// the per-user rate limit (RATE_LIMIT_PER_MINUTE, 429) and the mapping of
// store errors: not found is 404, an unreachable database 503, a deleted
// account (a token issued before the deletion) 401.
func (d *Deps) User(h api.HandlerFunc) api.HandlerFunc {
	return api.RequireUser(api.LimitByUser(d.Limiter, d.Name, d.Limits.DefaultPerMinute, StoreErrors(h)))
}

// Credential puts h, a signed-in caller's route that checks their password
// (POST /me/password, POST /me/delete), behind the caller check (401) and the
// auth routes' limit (RATE_LIMIT_AUTH_PER_MINUTE, 429) both per client IP
// and per user, so that a stolen access token cannot be used to guess the
// password any faster than the public sign-in allows; then the store errors'
// mapping.
func (d *Deps) Credential(h api.HandlerFunc) api.HandlerFunc {
	perMinute := d.Limits.AuthPerMinute
	return api.RequireUser(api.LimitByIP(d.Limiter, d.Name, perMinute,
		api.LimitByUser(d.Limiter, d.Name, perMinute, StoreErrors(h))))
}

// Public puts h, a route anyone may call (the auth routes), behind the
// per-IP rate limit (RATE_LIMIT_AUTH_PER_MINUTE, 429). Its errors are its
// own (Cognito's, mapped by shared/cognito).
func (d *Deps) Public(h api.HandlerFunc) api.HandlerFunc {
	return api.LimitByIP(d.Limiter, d.Name, d.Limits.AuthPerMinute, h)
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
		case store.AccountDeleted(err):
			// A token issued before its account was deleted, still unexpired.
			return api.Response{}, api.Errorf(http.StatusUnauthorized, "unauthorized", "this account was deleted").WithCause(err)
		case db.IsUnavailable(err):
			return api.Response{}, api.DatabaseUnavailable().WithCause(err)
		}
		return resp, err
	}
}
