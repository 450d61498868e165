// Package e2e runs the real, built bootstraps (make build-host) behind the
// local gateway against the test stack, and drives them over HTTP the way a
// client does.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/macro-ai/macro-ai/local/gateway"
	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/local/s3local"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// stack is the gateway in front of every function of template.yaml.
type stack struct {
	t   *testing.T
	url string
	env testenv.Env
	gw  *gateway.Gateway
	db  string // the test's database
	s3  *s3local.Server

	mu      sync.Mutex
	reports []lambdaemu.Report // every invocation's REPORT
}

// lastReport is the newest REPORT of the function name.
func (s *stack) lastReport(name string) (lambdaemu.Report, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.reports) - 1; i >= 0; i-- {
		if s.reports[i].Function == name {
			return s.reports[i], true
		}
	}
	return lambdaemu.Report{}, false
}

// newStack starts the gateway; edits change the functions' environment.
func newStack(t *testing.T, edits ...func(vars map[string]string)) *stack {
	t.Helper()
	env := testenv.Get(t)
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	buildDir := filepath.Join(root, ".build", runtime.GOARCH)
	if _, err := os.Stat(filepath.Join(buildDir, "health", "bootstrap")); err != nil {
		t.Fatalf("no bootstraps in %s: run make build-host (make test does)", buildDir)
	}
	tpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	vars := env.Vars()
	vars["DATABASE_URL"] = env.Pooled(env.NewDatabase(t)) // through PgBouncer, as on Neon
	// The data bucket (imports, exports): the S3 stand-in, whose uploads
	// invoke the import function through the gateway's Lambda emulator.
	var gw *gateway.Gateway
	bucket, err := s3local.FromTemplate(tpl, "DataBucket", dataBucket)
	if err != nil {
		t.Fatal(err)
	}
	s3, err := s3local.New(s3local.Config{
		Dir: t.TempDir(), AccessKeyID: "local", SecretAccessKey: "local", Buckets: []s3local.Bucket{bucket},
		Invoke: func(ctx context.Context, name string, event []byte) error { return invokeAsync(ctx, gw, name, event) },
	})
	if err != nil {
		t.Fatal(err)
	}
	s3srv := httptest.NewServer(s3)
	vars["S3_ENDPOINT"], vars["DATA_BUCKET"] = s3srv.URL, dataBucket
	for _, edit := range edits {
		edit(vars)
	}
	st := &stack{t: t, env: env, db: vars["DATABASE_URL"], s3: s3}
	gw, err = gateway.New(gateway.Config{
		Template: tpl, BuildDir: buildDir, Env: vars,
		Authorizer: gateway.CognitoAuthorizer(vars), Log: io.Discard,
		OnReport: func(r lambdaemu.Report) {
			st.mu.Lock()
			st.reports = append(st.reports, r)
			st.mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(func() { srv.Close(); s3srv.Close(); s3.Close(); gw.Close() })
	st.url, st.gw = srv.URL, gw
	return st
}

// dataBucket is the data bucket's local name.
const dataBucket = "macro-ai-data"

// invokeAsync runs an asynchronous invocation (an S3 notification) of the
// function name; its failure is the function's error.
func invokeAsync(ctx context.Context, gw *gateway.Gateway, name string, event []byte) error {
	fn, err := gw.Function(name)
	if err != nil {
		return err
	}
	res, err := fn.Invoke(ctx, event)
	if err != nil {
		return err
	}
	if res.Err != nil {
		return fmt.Errorf("%s: %s: %s", name, res.Err.Type, res.Err.Message)
	}
	return nil
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %d %q: %v", r.status, r.body, err)
	}
}

// errorCode returns the code of a body in the API's one error shape
// (openapi.yaml's Error).
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var b struct {
		Error struct{ Code, RequestID string } `json:"error"`
	}
	r.decode(t, &b)
	if b.Error.RequestID == "" {
		t.Errorf("error without requestId: %s", r.body)
	}
	return b.Error.Code
}

func (s *stack) do(method, path, token string, body any) response {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, s.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Request-Id") != "" {
		// Answers of our functions carry X-Request-Id; only the gateway's own
		// 401/403/404 (before any function runs) may lack it.
		if resp.Header.Get("X-Request-Id") == "" {
			s.t.Errorf("%s %s: %d without X-Request-Id", method, path, resp.StatusCode)
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// signIn creates a confirmed user through the API and returns its tokens.
func (s *stack) signIn(t *testing.T) (access, refresh, email string) {
	t.Helper()
	email = testenv.NewEmail()
	if r := s.do("POST", "/auth/sign-up", "", map[string]string{"email": email, "password": testenv.TestPassword}); r.status != 201 {
		t.Fatalf("sign-up: %d %s", r.status, r.body)
	}
	code := s.env.ConfirmationCode(t, email)
	if r := s.do("POST", "/auth/confirm", "", map[string]string{"email": email, "code": code}); r.status != 204 {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}
	r := s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": testenv.TestPassword})
	if r.status != 200 {
		t.Fatalf("sign-in: %d %s", r.status, r.body)
	}
	var tokens struct{ AccessToken, RefreshToken string }
	r.decode(t, &tokens)
	return tokens.AccessToken, tokens.RefreshToken, email
}
