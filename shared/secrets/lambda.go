package secrets

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"
)

// DefaultTTL is how long a fetched secret is trusted.
const DefaultTTL = 5 * time.Minute

// Export resolves the secrets a function declares in SECRETS (a comma list
// such as "critical/database-url,standard/redis-url") for STAGE and sets each
// as its environment variable, before the function reads its settings. Those
// already in the environment are not fetched; the others come from Parameter
// Store in one call. Without SECRETS, or with every value in the environment
// (the local case), it does nothing and returns a nil Refresher.
func Export(ctx context.Context) (*Refresher, error) {
	list, err := declared(os.Getenv("SECRETS"))
	if err != nil {
		return nil, err
	}
	var fromSSM []Secret
	for _, sec := range list {
		if os.Getenv(sec.Env()) == "" {
			fromSSM = append(fromSSM, sec)
		}
	}
	if len(fromSSM) == 0 {
		return nil, nil
	}
	stage := os.Getenv("STAGE")
	if stage == "" {
		return nil, fmt.Errorf("secrets: STAGE is not set")
	}
	r := &Refresher{store: New(NewParameterStore(), stage, DefaultTTL), list: fromSSM}
	vals, err := r.store.Load(ctx, fromSSM)
	if err != nil {
		return nil, err
	}
	r.values = vals
	for k, v := range vals {
		os.Setenv(k, v)
	}
	return r, nil
}

// Refresher re-reads the secrets Export took from Parameter Store once
// their TTL has passed, so that a warm container follows a rotation.
type Refresher struct {
	store  *Store
	list   []Secret
	values map[string]string
	retry  time.Time // after a failed read, when to try again
}

// failedReadBackoff spaces the reads while Parameter Store fails.
const failedReadBackoff = 30 * time.Second

// Refresh fetches the secrets again (one GetParameters call) if their TTL
// has passed and reports whether a value changed; the environment then holds
// the new values and the caller rebuilds what it built from them. Within the
// TTL it costs nothing. A failed read keeps the current values. A nil
// Refresher never changes.
func (r *Refresher) Refresh(ctx context.Context) bool {
	if r == nil {
		return false
	}
	now := r.store.now()
	if now.Before(r.retry) || !r.store.expired(r.list) {
		return false
	}
	vals := map[string]string{}
	if err := r.store.fetchAll(ctx, r.list, vals); err != nil {
		r.retry = now.Add(failedReadBackoff)
		slog.WarnContext(ctx, "secrets refresh failed; keeping the current values", "error", err.Error())
		return false
	}
	var changed []string
	for k, v := range vals {
		if r.values[k] != v {
			changed = append(changed, k)
			r.values[k] = v
			os.Setenv(k, v)
		}
	}
	if len(changed) == 0 {
		return false
	}
	slog.InfoContext(ctx, "secrets changed", "variables", strings.Join(changed, ","))
	return true
}

func declared(s string) ([]Secret, error) {
	var out []Secret
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		sec, err := Parse(part)
		if err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	return out, nil
}
