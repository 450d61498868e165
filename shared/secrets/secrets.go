// Package secrets reads secrets from SSM Parameter Store, under
// /macro-ai/{stage}/{critical|standard}/{name} (SecureString, decrypted), with
// a TTL cache. An environment variable of the secret's name wins, so that the
// local stack needs no AWS at all. Access is logged by name, tier and source;
// values never are, not even in errors.
package secrets

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// Tier is how much a missing secret matters: a missing critical secret fails
// the cold start; a missing standard one is logged and left out.
type Tier string

// The tiers.
const (
	Critical Tier = "critical"
	Standard Tier = "standard"
)

// Secret names one parameter.
type Secret struct {
	Tier Tier
	Name string // e.g. "database-url"
}

// Env is the environment variable that overrides the secret: DATABASE_URL
// for database-url.
func (s Secret) Env() string { return strings.ToUpper(strings.ReplaceAll(s.Name, "-", "_")) }

// Parse reads "critical/database-url".
func Parse(s string) (Secret, error) {
	tier, name, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok || name == "" || (Tier(tier) != Critical && Tier(tier) != Standard) {
		return Secret{}, fmt.Errorf("secret %q: want critical/NAME or standard/NAME", s)
	}
	return Secret{Tier: Tier(tier), Name: name}, nil
}

// API is the Parameter Store call the store makes (ParameterStore).
type API interface {
	GetParameters(ctx context.Context, names []string) (*GetParametersOutput, error)
}

// Store reads and caches secrets of one stage.
type Store struct {
	api   API
	stage string
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	cache map[Secret]entry
}

type entry struct {
	value   string
	missing bool // a standard secret Parameter Store does not hold
	fetched time.Time
}

// New returns a store for stage whose values live ttl.
func New(api API, stage string, ttl time.Duration) *Store {
	return &Store{api: api, stage: stage, ttl: ttl, now: time.Now, cache: map[Secret]entry{}}
}

// Path is the parameter's name in Parameter Store.
func (s *Store) Path(sec Secret) string {
	return "/macro-ai/" + s.stage + "/" + string(sec.Tier) + "/" + sec.Name
}

// Load returns the values of secrets by environment variable name, fetching
// every one that is neither in the environment nor fresh in the cache in one
// GetParameters call (ten names a call, Parameter Store's limit). A missing
// critical secret is an error that names it.
func (s *Store) Load(ctx context.Context, list []Secret) (map[string]string, error) {
	out := map[string]string{}
	var fetch []Secret
	s.mu.Lock()
	for _, sec := range list {
		if v, ok := os.LookupEnv(sec.Env()); ok && v != "" {
			out[sec.Env()] = v
			slog.DebugContext(ctx, "secret", "name", sec.Name, "tier", sec.Tier, "source", "env")
			continue
		}
		if e, ok := s.cache[sec]; ok && s.now().Sub(e.fetched) < s.ttl {
			if e.missing {
				continue
			}
			out[sec.Env()] = e.value
			slog.DebugContext(ctx, "secret", "name", sec.Name, "tier", sec.Tier, "source", "cache", "hit", true)
			continue
		}
		fetch = append(fetch, sec)
	}
	s.mu.Unlock()

	if err := s.fetchAll(ctx, fetch, out); err != nil {
		return nil, err
	}
	return out, nil
}

// fetchAll reads list from Parameter Store into out, ten names a call
// (GetParameters' limit).
func (s *Store) fetchAll(ctx context.Context, list []Secret, out map[string]string) error {
	for start := 0; start < len(list); start += 10 {
		if err := s.fetch(ctx, list[start:min(start+10, len(list))], out); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) fetch(ctx context.Context, list []Secret, out map[string]string) error {
	names := make([]string, len(list))
	byPath := map[string]Secret{}
	for i, sec := range list {
		names[i] = s.Path(sec)
		byPath[names[i]] = sec
	}
	resp, err := s.api.GetParameters(ctx, names)
	if err != nil {
		// The error names the operation and the status, not the values.
		return fmt.Errorf("read %d secrets from Parameter Store: %w", len(names), err)
	}
	now := s.now()
	s.mu.Lock()
	for _, p := range resp.Parameters {
		sec, ok := byPath[p.Name]
		if !ok {
			continue
		}
		s.cache[sec] = entry{value: p.Value, fetched: now}
		out[sec.Env()] = p.Value
		slog.InfoContext(ctx, "secret", "name", sec.Name, "tier", sec.Tier, "source", "ssm", "hit", false)
	}
	s.mu.Unlock()
	for _, path := range resp.InvalidParameters {
		sec := byPath[path]
		if sec.Tier == Critical {
			return fmt.Errorf("critical secret %s is missing from Parameter Store (%s)", sec.Name, path)
		}
		slog.WarnContext(ctx, "secret missing", "name", sec.Name, "tier", sec.Tier, "path", path)
		s.mu.Lock()
		s.cache[sec] = entry{missing: true, fetched: now}
		s.mu.Unlock()
	}
	return nil
}

// Get returns one secret (environment, cache, or Parameter Store).
func (s *Store) Get(ctx context.Context, sec Secret) (string, bool, error) {
	vals, err := s.Load(ctx, []Secret{sec})
	if err != nil {
		return "", false, err
	}
	v, ok := vals[sec.Env()]
	return v, ok, nil
}

// expired reports whether any of list is missing from the cache or stale.
func (s *Store) expired(list []Secret) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sec := range list {
		if e, ok := s.cache[sec]; !ok || s.now().Sub(e.fetched) >= s.ttl {
			return true
		}
	}
	return false
}

// Invalidate drops the cache, so that the next read fetches (after a rotation).
func (s *Store) Invalidate() {
	s.mu.Lock()
	s.cache = map[Secret]entry{}
	s.mu.Unlock()
}
