package secrets

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/secrets/ssmtest"
)

const (
	dbValue    = "postgres://app:S3cr3t-db-pass@db.example.com/macro"
	keyValue   = "sk-live-very-secret-openai-key"
	redisValue = "rediss://default:redis-pass-123@cache.example.com:6379"
)

// captureLogs sends slog's default logger to a buffer for the test.
func captureLogs(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(observe.NewLogger(&buf, slog.LevelDebug))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &buf
}

func setup(t *testing.T) (*ssmtest.Server, *Store) {
	t.Helper()
	fake, endpoint := ssmtest.Start(t)
	fake.Put("/macro-ai/prod/critical/database-url", dbValue)
	fake.Put("/macro-ai/prod/critical/openai-api-key", keyValue)
	fake.Put("/macro-ai/prod/standard/redis-url", redisValue)
	t.Setenv("SSM_ENDPOINT", endpoint)
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	s := New(NewParameterStore(), "prod", time.Minute)
	return fake, s
}

var all = []Secret{{Critical, "database-url"}, {Critical, "openai-api-key"}, {Standard, "redis-url"}}

func TestLoadOneCallThenCache(t *testing.T) {
	logs := captureLogs(t)
	fake, s := setup(t)
	ctx := context.Background()
	vals, err := s.Load(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	if vals["DATABASE_URL"] != dbValue || vals["OPENAI_API_KEY"] != keyValue || vals["REDIS_URL"] != redisValue {
		t.Fatalf("values = %v", vals)
	}
	if n := fake.Calls("GetParameters"); n != 1 {
		t.Errorf("%d GetParameters calls for three secrets, want 1", n)
	}
	for range 5 {
		if _, err := s.Load(ctx, all); err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.Calls("GetParameters"); n != 1 {
		t.Errorf("%d calls after cached reads, want 1", n)
	}
	if !strings.Contains(logs.String(), `"source":"cache"`) || !strings.Contains(logs.String(), `"source":"ssm"`) {
		t.Errorf("access not logged with its source:\n%s", logs)
	}
	assertNoValues(t, logs.String())
}

func TestTTLAndInvalidate(t *testing.T) {
	fake, s := setup(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	ctx := context.Background()
	s.Load(ctx, all)
	fake.Put("/macro-ai/prod/critical/database-url", "postgres://rotated")
	if v, _, _ := s.Get(ctx, all[0]); v != dbValue {
		t.Errorf("within the TTL: %q", v)
	}
	now = now.Add(2 * time.Minute)
	if v, _, _ := s.Get(ctx, all[0]); v != "postgres://rotated" {
		t.Errorf("after the TTL: %q", v)
	}
	fake.Put("/macro-ai/prod/critical/database-url", "postgres://rotated-again")
	s.Invalidate()
	if v, _, _ := s.Get(ctx, all[0]); v != "postgres://rotated-again" {
		t.Errorf("after Invalidate: %q", v)
	}
}

func TestEnvironmentWins(t *testing.T) {
	fake, s := setup(t)
	t.Setenv("DATABASE_URL", "postgres://local")
	vals, err := s.Load(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	if vals["DATABASE_URL"] != "postgres://local" || vals["OPENAI_API_KEY"] != keyValue {
		t.Errorf("values = %v", vals)
	}
	t.Setenv("OPENAI_API_KEY", "k")
	t.Setenv("REDIS_URL", "redis://local")
	fresh := New(NewParameterStore(), "prod", time.Minute)
	fresh.Load(context.Background(), all)
	if n := fake.Calls("GetParameters"); n != 1 {
		t.Errorf("%d calls; with every value in the environment none is needed", n)
	}
}

func TestMissingSecrets(t *testing.T) {
	logs := captureLogs(t)
	_, s := setup(t)
	_, err := s.Load(context.Background(), []Secret{{Standard, "nope"}, {Critical, "database-url"}})
	if err != nil {
		t.Errorf("a missing standard secret failed the load: %v", err)
	}
	_, err = s.Load(context.Background(), []Secret{{Critical, "jwt-signing-key"}})
	if err == nil || !strings.Contains(err.Error(), "jwt-signing-key") {
		t.Errorf("err = %v, want one naming the missing critical secret", err)
	}
	assertNoValues(t, logs.String()+err.Error())
}

func TestExport(t *testing.T) {
	fake, _ := setup(t)
	t.Setenv("STAGE", "prod")
	t.Setenv("SECRETS", "critical/database-url, standard/redis-url")
	t.Setenv("DATABASE_URL", "")
	t.Setenv("REDIS_URL", "")
	if _, err := Export(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := getenv(t, "DATABASE_URL"); got != dbValue {
		t.Errorf("DATABASE_URL = %q", got)
	}
	if fake.Calls("GetParameters") != 1 {
		t.Errorf("%d calls at cold start, want 1", fake.Calls("GetParameters"))
	}
	t.Setenv("SECRETS", "secret/whatever")
	if _, err := Export(context.Background()); err == nil {
		t.Error("a malformed SECRETS list was accepted")
	}
}

func getenv(t *testing.T, k string) string {
	t.Helper()
	v, _ := lookup(k)
	return v
}

func assertNoValues(t *testing.T, text string) {
	t.Helper()
	for _, secret := range []string{"S3cr3t-db-pass", keyValue, "redis-pass-123"} {
		if strings.Contains(text, secret) {
			t.Errorf("a secret value reached the logs or an error: %q", secret)
		}
	}
}

// TestRefreshFollowsRotation: a warm container reads Parameter Store again
// only after the TTL, picks up a promoted value, and keeps its values when
// Parameter Store fails.
func TestRefreshFollowsRotation(t *testing.T) {
	logs := captureLogs(t)
	fake, _ := setup(t)
	t.Setenv("STAGE", "prod")
	t.Setenv("SECRETS", "critical/database-url,standard/redis-url,standard/not-there")
	t.Setenv("DATABASE_URL", "")
	t.Setenv("REDIS_URL", "")
	ctx := context.Background()
	r, err := Export(ctx)
	if err != nil || r == nil {
		t.Fatalf("Export: %v, %v", r, err)
	}
	now := time.Now()
	r.store.now = func() time.Time { return now }

	steps := []struct {
		name    string
		advance time.Duration
		edit    func()
		changed bool
		calls   int
		db      string
	}{
		{"within the TTL: no call", time.Minute, nil, false, 1, dbValue},
		{"after the TTL, same values", DefaultTTL, nil, false, 2, dbValue},
		{"after a rotation", DefaultTTL, func() {
			fake.Put("/macro-ai/prod/critical/database-url", "postgres://app:N3w-pass@db.example.com/macro")
		}, true, 3, "postgres://app:N3w-pass@db.example.com/macro"},
		{"Parameter Store fails: values kept", DefaultTTL, func() { fake.Delete("/macro-ai/prod/critical/database-url") }, false, 4, "postgres://app:N3w-pass@db.example.com/macro"},
		{"and is not asked again at once", time.Second, nil, false, 4, "postgres://app:N3w-pass@db.example.com/macro"},
		{"recovered", failedReadBackoff, func() { fake.Put("/macro-ai/prod/critical/database-url", dbValue) }, true, 5, dbValue},
	}
	for _, st := range steps {
		now = now.Add(st.advance)
		if st.edit != nil {
			st.edit()
		}
		if got := r.Refresh(ctx); got != st.changed {
			t.Fatalf("%s: Refresh = %v", st.name, got)
		}
		if got := fake.Calls("GetParameters"); got != st.calls {
			t.Fatalf("%s: %d GetParameters calls, want %d", st.name, got, st.calls)
		}
		if got := getenv(t, "DATABASE_URL"); got != st.db {
			t.Fatalf("%s: DATABASE_URL = %q", st.name, got)
		}
	}
	if !strings.Contains(logs.String(), "secrets changed") {
		t.Error("no log line for the change")
	}
	assertNoValues(t, logs.String())
	if strings.Contains(logs.String(), "N3w-pass") {
		t.Error("the new value reached the logs")
	}
	var nilRefresher *Refresher
	if nilRefresher.Refresh(ctx) {
		t.Error("a nil Refresher changed")
	}
}
