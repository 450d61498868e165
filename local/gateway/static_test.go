package gateway

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWithStatic(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "assets"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>APP"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "assets", "index-abc.js"), []byte("console.log(1)"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "favicon.svg"), []byte("<svg/>"), 0o644))

	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "api %s %s", r.Method, r.URL.RequestURI())
	})
	stream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "stream %s %s %s %s", r.Method, r.URL.Path, r.Header.Get("Authorization"), body)
	})
	h := WithStatic(api, dir, stream)

	tests := []struct {
		name, method, path string
		status             int
		body               string // prefix of the answer
		cache              string
	}{
		{"index at root", "GET", "/", 200, "<!doctype html>APP", "no-cache"},
		{"static asset", "GET", "/assets/index-abc.js", 200, "console.log(1)", "public, max-age=31536000, immutable"},
		{"static file at top", "GET", "/favicon.svg", 200, "<svg/>", ""},
		{"HEAD of an asset", "HEAD", "/assets/index-abc.js", 200, "", "public, max-age=31536000, immutable"},
		{"SPA fallback: sign-in", "GET", "/sign-in", 200, "<!doctype html>APP", "no-cache"},
		{"SPA fallback: a conversation", "GET", "/c/7b0e4c1a-0000-4000-8000-000000000000", 200, "<!doctype html>APP", "no-cache"},
		{"SPA fallback keeps the query", "GET", "/confirm?email=a%40b.c", 200, "<!doctype html>APP", "no-cache"},
		{"missing asset is 404", "GET", "/assets/gone.js", 404, "404 page not found", ""},
		{"missing file with extension is 404", "GET", "/robots.txt", 404, "404 page not found", ""},
		{"traversal is refused", "GET", "/../../etc/passwd", 400, "invalid URL path", ""},
		{"API: health", "GET", "/health", 200, "api GET /health", ""},
		{"API: me", "GET", "/me", 200, "api GET /me", ""},
		{"API: conversations list", "GET", "/conversations?limit=20", 200, "api GET /conversations?limit=20", ""},
		{"API: a conversation's messages", "GET", "/conversations/abc/messages?before=x", 200, "api GET /conversations/abc/messages?before=x", ""},
		{"API: search", "GET", "/search?q=hello", 200, "api GET /search?q=hello", ""},
		{"API: auth POST", "POST", "/auth/sign-in", 200, "api POST /auth/sign-in", ""},
		{"API: embeddings POST", "POST", "/embeddings", 200, "api POST /embeddings", ""},
		{"API: buffered chat turn", "POST", "/conversations/abc/messages", 200, "api POST /conversations/abc/messages", ""},
		{"API: PATCH", "PATCH", "/conversations/abc", 200, "api PATCH /conversations/abc", ""},
		{"API: DELETE", "DELETE", "/conversations/abc", 200, "api DELETE /conversations/abc", ""},
		{"non-GET elsewhere goes to the API (its 404)", "POST", "/sign-in", 200, "api POST /sign-in", ""},
		{"a path that only starts like an API one is the app", "GET", "/searching", 200, "<!doctype html>APP", "no-cache"},
		{"stream prefix stripped", "POST", "/stream/conversations/abc/messages", 200, "stream POST /conversations/abc/messages Bearer t {\"content\":\"hi\"}", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.method == "POST" {
				body = strings.NewReader(`{"content":"hi"}`)
			}
			req := httptest.NewRequest(tc.method, "http://app.test"+tc.path, body)
			if strings.HasPrefix(tc.path, "/../") {
				req.URL.Path = tc.path // httptest cleans nothing, but be explicit
			}
			req.Header.Set("Authorization", "Bearer t")
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

func TestWithStaticStreamsThrough(t *testing.T) {
	// The stream handler's flushes reach the client through WithStatic.
	stream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "event: delta\ndata: {\"text\":\"%d\"}\n\n", i)
			w.(http.Flusher).Flush()
		}
	})
	srv := httptest.NewServer(WithStatic(http.NotFoundHandler(), t.TempDir(), stream))
	defer srv.Close()
	res, err := http.Post(srv.URL+"/stream/conversations/x/messages", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Type") != "text/event-stream" || strings.Count(string(b), "event: delta") != 3 {
		t.Fatalf("got %s %q", res.Header.Get("Content-Type"), b)
	}
}

func TestWithStaticUnbuiltAndNoStream(t *testing.T) {
	h := WithStatic(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") }), t.TempDir(), nil)
	for path, want := range map[string]string{"/": "The web app is not built", "/stream/conversations/x/messages": "404 page not found", "/health": "api"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if !strings.HasPrefix(rec.Body.String(), want) {
			t.Errorf("%s: %q, want %q", path, rec.Body.String(), want)
		}
	}
}
