package gateway

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/macro-ai/macro-ai/local/template"
)

var testOrigins = LocalOrigins{API: "http://127.0.0.1:3000", Stream: "http://127.0.0.1:3001", S3: "http://127.0.0.1:3002"}

func TestLocalCSP(t *testing.T) {
	const aws = "default-src 'self'; img-src 'self' data:; " +
		"connect-src 'self' https://*.execute-api.${AWS::Region}.amazonaws.com https://*.lambda-url.${AWS::Region}.on.aws " +
		"https://macro-ai-${Stage}-data-${AWS::AccountId}-${AWS::Region}.s3.${AWS::Region}.amazonaws.com; frame-ancestors 'none'"
	got, err := LocalCSP(aws, testOrigins)
	if err != nil {
		t.Fatal(err)
	}
	want := "default-src 'self'; img-src 'self' data:; connect-src 'self' http://127.0.0.1:3000 http://127.0.0.1:3001 http://127.0.0.1:3002; frame-ancestors 'none'"
	if got != want {
		t.Errorf("LocalCSP:\n got %s\nwant %s", got, want)
	}
	// A stream URL with a path (a Function URL ends in /) is named by its origin.
	got, _ = LocalCSP("connect-src https://x.lambda-url.eu-west-2.on.aws/", LocalOrigins{Stream: "http://127.0.0.1:3001/"})
	if got != "connect-src http://127.0.0.1:3001" {
		t.Errorf("LocalCSP with a path: %s", got)
	}
	for _, bad := range []string{
		"connect-src https://${SomeNewThing}.example.com", // a reference the local stack has no value for
		"connect-src https://*.execute-api.${AWS::Region}.amazonaws.com",
	} {
		if _, err := LocalCSP(bad, LocalOrigins{Stream: "x"}); err == nil {
			t.Errorf("LocalCSP(%q): no error", bad)
		}
	}
}

// TestSecurityHeadersFromTheTemplate: the local web app gets the template's
// headers, its CSP with the local origins in place of the AWS ones.
func TestSecurityHeadersFromTheTemplate(t *testing.T) {
	tpl, err := template.Load(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := SecurityHeaders(tpl, "AppHeadersPolicy", testOrigins)
	if err != nil {
		t.Fatal(err)
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'",
		"connect-src 'self' http://127.0.0.1:3000 http://127.0.0.1:3001 http://127.0.0.1:3002"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "${") || strings.Contains(csp, "amazonaws.com") {
		t.Errorf("CSP %q still names AWS", csp)
	}
	for name, want := range map[string]string{
		"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "strict-origin-when-cross-origin",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if !strings.HasPrefix(h.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("Strict-Transport-Security = %q", h.Get("Strict-Transport-Security"))
	}
	if _, err := SecurityHeaders(tpl, "NoSuchPolicy", testOrigins); err == nil {
		t.Error("SecurityHeaders of a missing policy: no error")
	}

	// StaticApp sends them on every answer: the page, an asset, a 404.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><script src=/assets/a.js></script>"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "assets", "a.js"), []byte("1"), 0o644)
	app := StaticApp(dir, AppConfig{Headers: h})
	for _, p := range []string{"/", "/c/123", "/assets/a.js", "/assets/gone.js", ConfigScript} {
		req := httptest.NewRequest("GET", p, nil)
		req.Header.Set("Accept", "text/html")
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		if got := rec.Header().Get("Content-Security-Policy"); got != csp {
			t.Errorf("GET %s: CSP %q, want the template's", p, got)
		}
		if rec.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: no X-Frame-Options", p)
		}
	}
}
