package gateway

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoSpec is the project's openapi.yaml.
var repoSpec = filepath.Join("..", "..", "openapi.yaml")

// TestDocs: /docs is the page make web built, byte for byte, /openapi.yaml the
// description as it is; a page not built yet is a 404 that says what to run.
func TestDocs(t *testing.T) {
	spec, err := os.ReadFile(repoSpec)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "index.html")
	const html = "<!DOCTYPE html><title>Macro AI</title><script>hydrate()</script>"
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	h := WithDocs(http.NotFoundHandler(), repoSpec, page)

	for _, tt := range []struct {
		method, path string
		status       int
		contentType  string
		body         string
	}{
		{"GET", "/docs", 200, "text/html; charset=utf-8", html},
		{"GET", "/docs/", 200, "text/html; charset=utf-8", html},
		{"HEAD", "/docs", 200, "text/html; charset=utf-8", ""},
		{"GET", "/openapi.yaml", 200, "application/yaml", string(spec)},
		{"POST", "/docs", 405, "", ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.status {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, rec.Code, tt.status)
			continue
		}
		if tt.status != 200 {
			continue
		}
		if got := rec.Header().Get("Content-Type"); got != tt.contentType {
			t.Errorf("%s %s: Content-Type %q, want %q", tt.method, tt.path, got, tt.contentType)
		}
		if got := rec.Body.String(); got != tt.body {
			t.Errorf("%s %s: body is not the file (%d bytes, want %d)", tt.method, tt.path, len(got), len(tt.body))
		}
		if strings.HasPrefix(tt.path, "/docs") {
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "http") {
				t.Errorf("%s: Content-Security-Policy %q lets the page load from elsewhere", tt.path, csp)
			}
		}
	}

	// Not built yet: a 404 that says how to build it; the YAML is still there.
	missing := WithDocs(http.NotFoundHandler(), repoSpec, filepath.Join(t.TempDir(), "index.html"))
	rec := httptest.NewRecorder()
	missing.ServeHTTP(rec, httptest.NewRequest("GET", "/docs", nil))
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "make web") {
		t.Errorf("/docs without a built page: %d %q, want 404 saying to run make web", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	missing.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.yaml", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("/openapi.yaml without a built page: status %d", rec.Code)
	}
}

// TestWithDocs: only /docs and /openapi.yaml are the docs'; everything else
// is the API's.
func TestWithDocs(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Next", "yes")
		w.WriteHeader(http.StatusTeapot)
	})
	h := WithDocs(next, repoSpec, filepath.Join(t.TempDir(), "index.html"))
	for path, wantDocs := range map[string]bool{
		"/docs": true, "/docs/": true, "/openapi.yaml": true,
		"/health": false, "/conversations": false, "/": false, "/docs/x": false, "/openapi.json": false,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if gotDocs := rec.Header().Get("X-Next") == ""; gotDocs != wantDocs {
			t.Errorf("%s: served by docs = %v, want %v (status %d)", path, gotDocs, wantDocs, rec.Code)
		}
	}
}
