// Package config reads typed settings from the environment once, at cold start,
// and validates them. Each concern has its own struct so that a function loads
// only what it uses; a failure names the variable at fault.
package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
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
	// QueryTimeout bounds each call from the client's side (db.Bound): a hung
	// server cannot enforce statement_timeout. The routes answer 503 within it.
	QueryTimeout time.Duration `env:"DATABASE_QUERY_TIMEOUT" envDefault:"2500ms"`
	// MaxConnIdleTime closes a connection idle that long (checked every
	// HealthCheckPeriod): an idle instance gives its connections back.
	MaxConnIdleTime time.Duration `env:"DATABASE_MAX_CONN_IDLE_TIME" envDefault:"30s"`
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
	// BreakerCooldown is how long an instance leaves Redis alone after a
	// timeout or a refused connection (every command fails at once meanwhile,
	// and its callers degrade): a hung cache costs one timeout per instance
	// per cooldown, not one per request.
	BreakerCooldown time.Duration `env:"REDIS_BREAKER_COOLDOWN" envDefault:"30s"`
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
	// CacheFor is how long an instance answers with its last deep check
	// instead of pinging again: /health is public, and every ping keeps
	// Neon's compute awake and spends Upstash commands.
	CacheFor time.Duration `env:"HEALTH_CACHE_FOR" envDefault:"5s"`
	// PerMinute limits each client IP, in the instance's memory (no Redis).
	PerMinute int `env:"RATE_LIMIT_HEALTH_PER_MINUTE" envDefault:"60"`
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

// RateLimits are the API's rate limits (openapi.yaml), all configurable.
type RateLimits struct {
	AuthPerMinute int `env:"RATE_LIMIT_AUTH_PER_MINUTE" envDefault:"10"`
	// AuthEmailPerHour limits the routes that e-mail a code (sign-up,
	// resend-code, forgot-password) per target address, whatever the IP: no
	// one can mail-bomb an address or drain Cognito's e-mail quota with it.
	AuthEmailPerHour int `env:"RATE_LIMIT_AUTH_EMAIL_PER_HOUR" envDefault:"5"`
	ChatPerMinute    int `env:"RATE_LIMIT_CHAT_PER_MINUTE" envDefault:"20"`
	DefaultPerMinute int `env:"RATE_LIMIT_PER_MINUTE" envDefault:"120"`
}

// Validate implements Validator.
func (r RateLimits) Validate() error {
	for name, v := range map[string]int{"RATE_LIMIT_AUTH_PER_MINUTE": r.AuthPerMinute, "RATE_LIMIT_AUTH_EMAIL_PER_HOUR": r.AuthEmailPerHour,
		"RATE_LIMIT_CHAT_PER_MINUTE": r.ChatPerMinute, "RATE_LIMIT_PER_MINUTE": r.DefaultPerMinute} {
		if v < 1 {
			return fmt.Errorf("%s: must be at least 1, got %d", name, v)
		}
	}
	return nil
}

// SignUp is who may create an account: "*" anyone, "none" nobody, or a
// comma-separated list of e-mail addresses and @domains (shared/cognito's
// SignUpPolicy reads it).
type SignUp struct {
	Allowed string `env:"SIGN_UP_ALLOWED" envDefault:"*"`
}

// Quotas are each user's daily allowance (UTC days), so that no account
// can spend the owner's model budget or fill the database: chat turns,
// model tokens (prompt and completion), characters sent to the embedding
// model, and bytes of messages stored. 0 is unlimited.
type Quotas struct {
	TurnsPerDay       int64 `env:"QUOTA_TURNS_PER_DAY" envDefault:"500"`
	TokensPerDay      int64 `env:"QUOTA_TOKENS_PER_DAY" envDefault:"1000000"`
	EmbedCharsPerDay  int64 `env:"QUOTA_EMBED_CHARS_PER_DAY" envDefault:"4000000"`
	StoredBytesPerDay int64 `env:"QUOTA_STORED_BYTES_PER_DAY" envDefault:"10000000"`
}

// Validate implements Validator.
func (q Quotas) Validate() error {
	for name, v := range map[string]int64{"QUOTA_TURNS_PER_DAY": q.TurnsPerDay, "QUOTA_TOKENS_PER_DAY": q.TokensPerDay,
		"QUOTA_EMBED_CHARS_PER_DAY": q.EmbedCharsPerDay, "QUOTA_STORED_BYTES_PER_DAY": q.StoredBytesPerDay} {
		if v < 0 {
			return fmt.Errorf("%s: must be 0 (unlimited) or more, got %d", name, v)
		}
	}
	return nil
}

// AI configures the OpenAI-compatible model provider.
type AI struct {
	// BaseURL is any OpenAI-compatible API (OpenAI, Ollama, vLLM, a proxy, the dev model).
	BaseURL string `env:"OPENAI_BASE_URL" envDefault:"https://api.openai.com/v1"`
	APIKey  string `env:"OPENAI_API_KEY,required,notEmpty"`
	// Models are the chat models; EmbeddingModel names the embeddings'.
	Models
	EmbeddingModel string `env:"OPENAI_EMBEDDING_MODEL" envDefault:"text-embedding-3-small"`
	// Temperature and MaxTokens shape the answers.
	Temperature float64 `env:"OPENAI_TEMPERATURE" envDefault:"0.7"`
	MaxTokens   int     `env:"OPENAI_MAX_TOKENS" envDefault:"1024"`
	// FirstTokenTimeout bounds the wait for the first token, StreamIdleTimeout
	// the silence between two chunks: a hung model ends the turn, not the Lambda.
	FirstTokenTimeout time.Duration `env:"OPENAI_FIRST_TOKEN_TIMEOUT" envDefault:"20s"`
	StreamIdleTimeout time.Duration `env:"OPENAI_STREAM_IDLE_TIMEOUT" envDefault:"15s"`
	// EmbeddingTimeout bounds one embeddings call.
	EmbeddingTimeout time.Duration `env:"OPENAI_EMBEDDING_TIMEOUT" envDefault:"10s"`
}

// Models are the chat models a user may choose, with no secret: what
// GET /models needs.
type Models struct {
	// ChatModel is the model when OPENAI_CHAT_MODELS is empty.
	ChatModel string `env:"OPENAI_CHAT_MODEL" envDefault:"gpt-4o-mini"`
	// ChatModels are the chat models a user may choose, the default first.
	ChatModels []string `env:"OPENAI_CHAT_MODELS" envSeparator:","`
}

// List is OPENAI_CHAT_MODELS (trimmed), or OPENAI_CHAT_MODEL alone.
func (m Models) List() []string {
	if len(m.ChatModels) == 0 {
		return []string{m.ChatModel}
	}
	models := make([]string, len(m.ChatModels))
	for i, id := range m.ChatModels {
		models[i] = strings.TrimSpace(id)
	}
	return models
}

// Default is the model of a conversation and a user that name none.
func (m Models) Default() string { return m.List()[0] }

// Allows reports whether id is one of the list.
func (m Models) Allows(id string) bool { return slices.Contains(m.List(), id) }

// Prices are what each chat model costs, for GET /me/usage's estimate:
// OPENAI_PRICES is "model=input/output,…" in USD per million tokens, e.g.
// "gpt-4o-mini=0.15/0.60,gpt-4o=2.50/10". A model without a price has no
// estimate.
type Prices struct {
	Spec string `env:"OPENAI_PRICES" envDefault:"gpt-4o-mini=0.15/0.60,gpt-4o=2.50/10.00"`
}

// Price is a model's cost in USD per million tokens.
type Price struct{ Input, Output float64 }

// Parse reads Spec.
func (p Prices) Parse() (map[string]Price, error) {
	out := map[string]Price{}
	for _, entry := range strings.Split(p.Spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		model, price, ok := strings.Cut(entry, "=")
		in, outp, ok2 := strings.Cut(price, "/")
		var pr Price
		_, err1 := fmt.Sscan(strings.TrimSpace(in), &pr.Input)
		_, err2 := fmt.Sscan(strings.TrimSpace(outp), &pr.Output)
		if !ok || !ok2 || err1 != nil || err2 != nil || strings.TrimSpace(model) == "" || pr.Input < 0 || pr.Output < 0 {
			return nil, fmt.Errorf("OPENAI_PRICES: %q is not model=input/output (USD per million tokens)", entry)
		}
		out[strings.TrimSpace(model)] = pr
	}
	return out, nil
}

// Validate implements Validator.
func (p Prices) Validate() error {
	_, err := p.Parse()
	return err
}

// Validate implements Validator.
func (m Models) Validate() error {
	seen := map[string]bool{}
	for _, id := range m.ChatModels {
		if id = strings.TrimSpace(id); id == "" || seen[id] || len(id) > 100 {
			return fmt.Errorf("OPENAI_CHAT_MODELS: %q is empty, repeated or too long", id)
		}
		seen[id] = true
	}
	return nil
}

// Validate implements Validator.
func (a AI) Validate() error {
	if err := a.Models.Validate(); err != nil {
		return err
	}
	if a.Temperature < 0 || a.Temperature > 2 {
		return fmt.Errorf("OPENAI_TEMPERATURE: must be between 0 and 2, got %g", a.Temperature)
	}
	if a.MaxTokens < 1 {
		return fmt.Errorf("OPENAI_MAX_TOKENS: must be at least 1, got %d", a.MaxTokens)
	}
	if a.FirstTokenTimeout <= 0 || a.StreamIdleTimeout <= 0 || a.EmbeddingTimeout <= 0 {
		return errors.New("OPENAI_FIRST_TOKEN_TIMEOUT, OPENAI_STREAM_IDLE_TIMEOUT and OPENAI_EMBEDDING_TIMEOUT must be positive")
	}
	return nil
}

// Chat configures the chat turn's prompt.
type Chat struct {
	SystemPrompt string `env:"CHAT_SYSTEM_PROMPT" envDefault:"You are Macro AI, a helpful, concise assistant. Answer in Markdown."`
	// RetrievalK is how many earlier messages of the user's other conversations
	// may join the prompt; RetrievalMinScore is the cosine similarity they need.
	RetrievalK        int     `env:"CHAT_RETRIEVAL_K" envDefault:"4"`
	RetrievalMinScore float64 `env:"CHAT_RETRIEVAL_MIN_SCORE" envDefault:"0.35"`
	// RetrievalTimeout bounds embedding the new message and searching before
	// the model is called: past it the turn goes on without retrieved context.
	RetrievalTimeout time.Duration `env:"CHAT_RETRIEVAL_TIMEOUT" envDefault:"2s"`
	// RetrievalWait is the most a turn holds its first token back for the
	// new message's embedding, when it has no stored vector to search by
	// (docs/chat-turn.md): past it the turn goes on without retrieved
	// context; 0 never waits.
	RetrievalWait time.Duration `env:"CHAT_RETRIEVAL_WAIT" envDefault:"250ms"`
	// HistoryTokenBudget bounds the conversation's own messages in the prompt
	// (estimated tokens); HistoryMaxMessages bounds how many are read.
	HistoryTokenBudget int `env:"CHAT_HISTORY_TOKEN_BUDGET" envDefault:"6000"`
	HistoryMaxMessages int `env:"CHAT_HISTORY_MAX_MESSAGES" envDefault:"60"`
	// ModelTitles names a new conversation by one short call to the default
	// model after its first answer (its first line until then).
	ModelTitles bool `env:"CHAT_MODEL_TITLES" envDefault:"true"`
}

// Validate implements Validator.
func (c Chat) Validate() error {
	if c.RetrievalK < 0 || c.RetrievalK > 20 {
		return fmt.Errorf("CHAT_RETRIEVAL_K: must be 0 to 20, got %d", c.RetrievalK)
	}
	if c.RetrievalWait < 0 || c.RetrievalWait > c.RetrievalTimeout {
		return fmt.Errorf("CHAT_RETRIEVAL_WAIT: must be 0 to CHAT_RETRIEVAL_TIMEOUT (%s), got %s", c.RetrievalTimeout, c.RetrievalWait)
	}
	if c.HistoryTokenBudget < 100 {
		return fmt.Errorf("CHAT_HISTORY_TOKEN_BUDGET: must be at least 100, got %d", c.HistoryTokenBudget)
	}
	if c.HistoryMaxMessages < 1 || c.HistoryMaxMessages > 500 {
		return fmt.Errorf("CHAT_HISTORY_MAX_MESSAGES: must be 1 to 500, got %d", c.HistoryMaxMessages)
	}
	return nil
}

// Backfill configures the embed function's scheduled backfill.
type Backfill struct {
	BatchSize  int           `env:"BACKFILL_BATCH_SIZE" envDefault:"64"`
	MaxBatches int           `env:"BACKFILL_MAX_BATCHES" envDefault:"20"`
	Grace      time.Duration `env:"BACKFILL_GRACE" envDefault:"2m"`
}

// Validate implements Validator.
func (b Backfill) Validate() error {
	if b.BatchSize < 1 || b.BatchSize > 2048 {
		return fmt.Errorf("BACKFILL_BATCH_SIZE: must be 1 to 2048, got %d", b.BatchSize)
	}
	if b.MaxBatches < 1 {
		return fmt.Errorf("BACKFILL_MAX_BATCHES: must be at least 1, got %d", b.MaxBatches)
	}
	return nil
}

// Warmup configures the warmup function.
type Warmup struct {
	// Functions are the names (or ARNs) of the functions to keep warm.
	Functions []string `env:"WARMUP_FUNCTIONS" envSeparator:","`
	// ActiveHours is "FROM-TO" in UTC hours (e.g. "7-23"); outside them the
	// schedule does nothing. Empty is always.
	ActiveHours string `env:"WARMUP_ACTIVE_HOURS"`
	// Timeout bounds one warmup invocation.
	Timeout time.Duration `env:"WARMUP_TIMEOUT" envDefault:"5s"`
	// Concurrency is how many functions are warmed at a time: a new AWS
	// account may run only 10 executions at once, and the warmup's own and
	// the users' requests need some of them.
	Concurrency int `env:"WARMUP_CONCURRENCY" envDefault:"5"`
}

// Validate implements Validator.
func (w Warmup) Validate() error {
	if _, _, err := w.Hours(); err != nil {
		return err
	}
	if w.Concurrency < 1 {
		return fmt.Errorf("WARMUP_CONCURRENCY: %d, want at least 1", w.Concurrency)
	}
	return nil
}

// Hours parses ActiveHours; from == to == 0 means always. A window may wrap
// past midnight: 22-6 is 22:00 to 06:00 UTC.
func (w Warmup) Hours() (from, to int, err error) {
	if w.ActiveHours == "" {
		return 0, 0, nil
	}
	if _, err := fmt.Sscanf(w.ActiveHours, "%d-%d", &from, &to); err != nil || from < 0 || from > 23 || to < 1 || to > 24 || from == to {
		return 0, 0, fmt.Errorf("WARMUP_ACTIVE_HOURS: want FROM-TO in UTC hours such as 7-23 (or 22-6 across midnight), got %q", w.ActiveHours)
	}
	return from, to, nil
}

// Active reports whether the hour (0-23, UTC) is inside the active hours.
func (w Warmup) Active(hour int) bool {
	from, to, err := w.Hours()
	switch {
	case err != nil, to == 0:
		return true
	case from < to:
		return hour >= from && hour < to
	default: // across midnight
		return hour >= from || hour < to
	}
}

// Migration configures the migrate function.
type Migration struct {
	// URL is the direct (unpooled) connection string, for when DATABASE_URL
	// goes through a transaction-mode pooler that cannot hold the migration's
	// advisory lock. Empty means DATABASE_URL.
	URL string `env:"MIGRATION_DATABASE_URL"`
}
