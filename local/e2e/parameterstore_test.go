package e2e

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/shared/secrets/ssmtest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// A real bootstrap reads its secrets from Parameter Store at cold start, in
// one GetParameters call on SSM's wire protocol (shared/secrets speaks it
// itself, without the SDK's SSM client), signed with the role's credentials.
func TestBootstrapReadsParameterStore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a built bootstrap (make build-host); run without -short")
	}
	root, _ := testenv.RepoRoot()
	bootstrap := filepath.Join(root, ".build", runtime.GOARCH, "conversations-list", "bootstrap")
	if _, err := os.Stat(bootstrap); err != nil {
		t.Fatalf("run make build-host (make test does): %v", err)
	}
	fake := ssmtest.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	// Nothing listens on port 1: the warmup answers without connecting.
	fake.Put("/macro-ai/prod/critical/database-url", "postgres://u@127.0.0.1:1/db?sslmode=disable")
	fake.Put("/macro-ai/prod/standard/redis-url", "redis://127.0.0.1:1/0")
	f, err := lambdaemu.New(lambdaemu.Config{Name: "conversations-list", Bootstrap: bootstrap, MemoryMB: 128,
		Env: map[string]string{
			"SECRETS": "critical/database-url,standard/redis-url", "STAGE": "prod", "SSM_ENDPOINT": srv.URL,
			"AWS_REGION": "eu-west-2", "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "token",
			"COGNITO_USER_POOL_ID": "local_x", "COGNITO_CLIENT_ID": "c", "COGNITO_REGION": "us-east-1",
		},
		Output: io.Discard, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	res, err := f.Invoke(context.Background(), []byte(`{"warmup":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		t.Fatalf("cold start with its secrets in Parameter Store: %v", res.Err)
	}
	if n := fake.Calls("GetParameters"); n != 1 {
		t.Errorf("%d GetParameters calls at cold start, want 1", n)
	}
}
