// Package config reads typed settings from the environment once, at cold start,
// and validates them. Each concern has its own struct so that a function loads
// only what it uses; a failure names the variable at fault.
package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Database configures the PostgreSQL connection pool.
type Database struct {
	// URL is a PostgreSQL connection string. pgx options such as
	// default_query_exec_mode=exec (for PgBouncer/Neon's pooler in transaction
	// mode) may be given as query parameters.
	URL string `env:"DATABASE_URL,required,notEmpty"`
	// MaxConns bounds the pool: one Lambda instance serves one request at a time.
	MaxConns int32 `env:"DATABASE_MAX_CONNS" envDefault:"2"`
	// ConnectTimeout bounds dialing and the TLS/startup handshake.
	ConnectTimeout time.Duration `env:"DATABASE_CONNECT_TIMEOUT" envDefault:"2s"`
	// StatementTimeout is sent to the server as statement_timeout; 0 leaves it unset.
	StatementTimeout time.Duration `env:"DATABASE_STATEMENT_TIMEOUT" envDefault:"10s"`
}

// Validate implements Validator.
func (d Database) Validate() error {
	if d.MaxConns < 1 || d.MaxConns > 50 {
		return fmt.Errorf("DATABASE_MAX_CONNS: must be between 1 and 50, got %d", d.MaxConns)
	}
	if d.ConnectTimeout <= 0 {
		return errors.New("DATABASE_CONNECT_TIMEOUT: must be positive")
	}
	return nil
}

// Redis configures the cache and rate-limit store.
type Redis struct {
	// URL is redis:// or rediss:// (TLS, as Upstash requires).
	URL string `env:"REDIS_URL,required,notEmpty"`
	// Timeout bounds dialing, reads and writes: a dead cache must not slow requests.
	Timeout time.Duration `env:"REDIS_TIMEOUT" envDefault:"500ms"`
}

// Validate implements Validator.
func (r Redis) Validate() error {
	if r.Timeout <= 0 {
		return errors.New("REDIS_TIMEOUT: must be positive")
	}
	return nil
}

// Embedding configures the vector column shared by the schema and the model calls.
type Embedding struct {
	// Dimensions is the size of every stored vector. It must match the column
	// the migrations created; pgvector's HNSW index takes halfvec up to 4000.
	Dimensions int `env:"EMBEDDING_DIMENSIONS" envDefault:"512"`
}

// Validate implements Validator.
func (e Embedding) Validate() error {
	if e.Dimensions < 1 || e.Dimensions > 4000 {
		return fmt.Errorf("EMBEDDING_DIMENSIONS: must be between 1 and 4000, got %d", e.Dimensions)
	}
	return nil
}

// Health configures the health function.
type Health struct {
	// CheckTimeout bounds each dependency check; the answer comes within it.
	CheckTimeout time.Duration `env:"HEALTH_CHECK_TIMEOUT" envDefault:"1500ms"`
}

// Validate implements Validator.
func (h Health) Validate() error {
	if h.CheckTimeout <= 0 || h.CheckTimeout > 5*time.Second {
		return fmt.Errorf("HEALTH_CHECK_TIMEOUT: must be in (0, 5s], got %s", h.CheckTimeout)
	}
	return nil
}

// Validator is implemented by settings that check themselves after parsing.
type Validator interface{ Validate() error }

// Load reads T from the environment and validates it.
func Load[T any]() (T, error) {
	return LoadFrom[T](nil)
}

// LoadFrom is Load with an explicit environment (nil means the process's).
func LoadFrom[T any](environ map[string]string) (T, error) {
	var opts env.Options
	if environ != nil {
		opts.Environment = environ
	}
	v, err := env.ParseAsWithOptions[T](opts)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("config: %w", nameVariables(zero, err))
	}
	if val, ok := any(v).(Validator); ok {
		if err := val.Validate(); err != nil {
			var zero T
			return zero, fmt.Errorf("config: %w", err)
		}
	}
	return v, nil
}

// nameVariables rewrites env's parse errors, which name the Go field and echo
// the offending value, into ones that name the variable and never the value
// (a value may be a secret).
func nameVariables(v any, err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	typ := reflect.TypeOf(v)
	var errs []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if !errors.As(e, &pe) {
			errs = append(errs, e)
			continue
		}
		name := pe.Name
		if f, ok := typ.FieldByName(pe.Name); ok {
			if tag := strings.Split(f.Tag.Get("env"), ",")[0]; tag != "" {
				name = tag
			}
		}
		errs = append(errs, fmt.Errorf("%s: invalid %s value", name, pe.Type))
	}
	return errors.Join(errs...)
}

// Cognito configures the user pool the auth routes proxy to.
type Cognito struct {
	Region     string `env:"COGNITO_REGION,required,notEmpty"`
	UserPoolID string `env:"COGNITO_USER_POOL_ID,required,notEmpty"`
	ClientID   string `env:"COGNITO_CLIENT_ID,required,notEmpty"`
	// ClientSecret is set only for an app client with a secret; requests then
	// carry SECRET_HASH.
	ClientSecret string `env:"COGNITO_CLIENT_SECRET"`
	// Endpoint overrides the service endpoint (cognito-local, locally).
	Endpoint string `env:"COGNITO_ENDPOINT"`
	// Timeout bounds one call to Cognito.
	Timeout time.Duration `env:"COGNITO_TIMEOUT" envDefault:"5s"`
}

// Issuer is the iss of the pool's tokens.
func (c Cognito) Issuer() string {
	if c.Endpoint != "" {
		return strings.TrimRight(c.Endpoint, "/") + "/" + c.UserPoolID
	}
	return "https://cognito-idp." + c.Region + ".amazonaws.com/" + c.UserPoolID
}

// RateLimits are the per-minute limits of API.md, all configurable.
type RateLimits struct {
	AuthPerMinute    int `env:"RATE_LIMIT_AUTH_PER_MINUTE" envDefault:"10"`
	ChatPerMinute    int `env:"RATE_LIMIT_CHAT_PER_MINUTE" envDefault:"20"`
	DefaultPerMinute int `env:"RATE_LIMIT_PER_MINUTE" envDefault:"120"`
}

// Validate implements Validator.
func (r RateLimits) Validate() error {
	for name, v := range map[string]int{"RATE_LIMIT_AUTH_PER_MINUTE": r.AuthPerMinute,
		"RATE_LIMIT_CHAT_PER_MINUTE": r.ChatPerMinute, "RATE_LIMIT_PER_MINUTE": r.DefaultPerMinute} {
		if v < 1 {
			return fmt.Errorf("%s: must be at least 1, got %d", name, v)
		}
	}
	return nil
}
