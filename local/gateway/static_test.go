package gateway

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStaticApp(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "assets"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "index.html"), []byte(`<!doctype html><head><script>theme()</script></head>APP`), 0o644))
	must(os.WriteFile(filepath.Join(dir, "assets", "index-abc.js"), []byte("console.log(1)"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "favicon.svg"), []byte("<svg/>"), 0o644))
	h := StaticApp(dir, AppConfig{APIURL: "http://127.0.0.1:3000", StreamURL: "http://127.0.0.1:3001"})
	const page = `<!doctype html><head><script src="/macro-ai-config.js"></script><script>theme()</script></head>APP`

	tests := []struct {
		name, method, path string
		accept             string // "" is a browser's navigation
		status             int
		body               string // prefix of the answer
		cache              string
	}{
		{"index at root, with the run-time config first", "GET", "/", "", 200, page, "no-cache"},
		{"the run-time config, a script of the app's origin", "GET", "/macro-ai-config.js", "*/*", 200,
			`window.__MACRO_AI__={"apiUrl":"http://127.0.0.1:3000","streamUrl":"http://127.0.0.1:3001"};`, "no-cache"},
		{"static asset", "GET", "/assets/index-abc.js", "", 200, "console.log(1)", "public, max-age=31536000, immutable"},
		{"static file at top", "GET", "/favicon.svg", "", 200, "<svg/>", ""},
		{"HEAD of an asset", "HEAD", "/assets/index-abc.js", "", 200, "", "public, max-age=31536000, immutable"},
		{"SPA fallback: sign-in", "GET", "/sign-in", "", 200, page, "no-cache"},
		{"SPA fallback: a conversation", "GET", "/c/7b0e4c1a-0000-4000-8000-000000000000", "", 200, page, "no-cache"},
		{"SPA fallback keeps the query", "GET", "/confirm?email=a%40b.c", "", 200, page, "no-cache"},
		{"missing asset is 404", "GET", "/assets/gone.js", "", 404, "404 page not found", ""},
		{"missing file with extension is 404", "GET", "/robots.txt", "", 404, "404 page not found", ""},
		{"traversal stays inside dir (the app, not /etc/passwd)", "GET", "/../../etc/passwd", "", 200, page, "no-cache"},
		{"the API is another origin: not here", "POST", "/auth/sign-in", "", 405, "method not allowed", ""},
		{"a script's fetch of an unknown path is 404, not the app", "GET", "/conversations", "application/json", 404, `{"message":"Not Found"}`, ""},
		{"curl of an unknown path is 404, not the app", "GET", "/me", "*/*", 404, `{"message":"Not Found"}`, ""},
		{"no Accept at all is 404, not the app", "GET", "/sign-in", "-", 404, `{"message":"Not Found"}`, ""},
		{"the root is the app for anyone", "GET", "/", "*/*", 200, page, "no-cache"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://app.test"+tc.path, nil)
			switch tc.accept {
			case "":
				req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
			case "-":
			default:
				req.Header.Set("Accept", tc.accept)
			}
			if strings.HasPrefix(tc.path, "/../") {
				req.URL.Path = tc.path
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d (body %q)", rec.Code, tc.status, rec.Body.String())
			}
			if got := rec.Body.String(); !strings.HasPrefix(got, tc.body) {
				t.Fatalf("body %q, want prefix %q", got, tc.body)
			}
			if tc.cache != "" {
				if got := rec.Header().Get("Cache-Control"); got != tc.cache {
					t.Fatalf("Cache-Control %q, want %q", got, tc.cache)
				}
			}
		})
	}
}

func TestStaticAppUnbuilt(t *testing.T) {
	rec := httptest.NewRecorder()
	StaticApp(t.TempDir(), AppConfig{}).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 404 || !strings.HasPrefix(rec.Body.String(), "The web app is not built") {
		t.Errorf("%d %q", rec.Code, rec.Body.String())
	}
}
