package gateway

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoSpec is the project's openapi.yaml.
var repoSpec = filepath.Join("..", "..", "openapi.yaml")

func TestDocs(t *testing.T) {
	raw, err := os.ReadFile(repoSpec)
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	if len(spec.Paths) == 0 {
		t.Fatal("openapi.yaml has no paths")
	}
	srv := httptest.NewServer(Docs(repoSpec))
	defer srv.Close()

	tests := []struct {
		method, path string
		wantStatus   int
		wantType     string
		check        func(t *testing.T, body []byte)
	}{
		{method: "GET", path: "/openapi.yaml", wantStatus: 200, wantType: "application/yaml", check: func(t *testing.T, body []byte) {
			if string(body) != string(raw) {
				t.Error("the YAML is not the file as it is")
			}
		}},
		{method: "GET", path: "/openapi.json", wantStatus: 200, wantType: "application/json", check: func(t *testing.T, body []byte) {
			var fromJSON, fromYAML any
			if err := json.Unmarshal(body, &fromJSON); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if err := yaml.Unmarshal(raw, &fromYAML); err != nil {
				t.Fatal(err)
			}
			// Round-trip the YAML through encoding/json so both sides have
			// JSON's types (string keys, float64 numbers).
			b, err := json.Marshal(fromYAML)
			if err != nil {
				t.Fatal(err)
			}
			var want any
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if got, want := mustJSON(t, fromJSON), mustJSON(t, want); got != want {
				t.Error("the JSON is not the same document as the YAML")
			}
			// Key order is the file's: /auth/sign-up comes before /health.
			if i, j := strings.Index(string(body), `"/auth/sign-up"`), strings.Index(string(body), `"/health"`); i < 0 || j < i {
				t.Errorf("paths out of the file's order: /auth/sign-up at %d, /health at %d", i, j)
			}
		}},
		{method: "GET", path: "/docs", wantStatus: 200, wantType: "text/html; charset=utf-8", check: func(t *testing.T, body []byte) {
			page := html.UnescapeString(string(body))
			for path, item := range spec.Paths {
				for method := range item {
					if method == "parameters" {
						continue
					}
					op := regexp.MustCompile(`(?s)` + strings.ToUpper(method) + `</span> <span class="path">` + regexp.QuoteMeta(path) + `</span>`)
					if n := len(op.FindAllStringIndex(page, -1)); n != 2 { // the index and the operation
						t.Errorf("%s %s appears %d times as an operation, want 2", strings.ToUpper(method), path, n)
					}
				}
			}
			for _, want := range []string{
				`id="schema-Error"`, `id="schema-StartEvent"`, `id="schema-DeltaEvent"`, `id="schema-DoneEvent"`, `id="schema-ErrorEvent"`,
				`<a href="#schema-Conversation">Conversation</a>`, // a $ref is a link
				"1–100",       // limit's range on GET /conversations
				"Retry-After", // the 429 header
				`<span class="badge public">public</span>`,
				`<span class="badge auth">bearerAuth</span>`,
			} {
				if !strings.Contains(page, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			for _, remote := range []string{"<script", "<link", "<img", "<iframe", "@import", "url("} {
				if strings.Contains(strings.ToLower(page), remote) {
					t.Errorf("the page loads something (%q)", remote)
				}
			}
		}},
		{method: "HEAD", path: "/docs", wantStatus: 200, wantType: "text/html; charset=utf-8", check: func(t *testing.T, body []byte) {
			if len(body) != 0 {
				t.Errorf("HEAD answered %d bytes", len(body))
			}
		}},
		{method: "POST", path: "/openapi.yaml", wantStatus: 405},
		{method: "GET", path: "/docs/other", wantStatus: 404},
		{method: "GET", path: "/conversations", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantType != "" {
				if got := resp.Header.Get("Content-Type"); got != tt.wantType {
					t.Errorf("Content-Type %q, want %q", got, tt.wantType)
				}
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
}

func TestWithDocs(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Next", "yes")
		w.WriteHeader(http.StatusTeapot)
	})
	h := WithDocs(next, repoSpec)
	for path, wantDocs := range map[string]bool{
		"/docs": true, "/openapi.yaml": true, "/openapi.json": true,
		"/health": false, "/conversations": false, "/": false, "/docs/x": false,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if gotDocs := rec.Header().Get("X-Next") == ""; gotDocs != wantDocs {
			t.Errorf("%s: served by docs = %v, want %v (status %d)", path, gotDocs, wantDocs, rec.Code)
		}
		if wantDocs && rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", path, rec.Code)
		}
	}
}

func TestDocsBadSpec(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(bad, []byte("paths: [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file, path string
		want       int
	}{
		{file: bad, path: "/openapi.yaml", want: 200}, // served as it is
		{file: bad, path: "/openapi.json", want: 500},
		{file: bad, path: "/docs", want: 500},
		{file: filepath.Join(dir, "missing.yaml"), path: "/docs", want: 500},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		Docs(tt.file).ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != tt.want {
			t.Errorf("%s %s: status %d, want %d", filepath.Base(tt.file), tt.path, rec.Code, tt.want)
		}
	}
}

func TestYAMLToJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "b: 1\na: [x, 2.5, true, null, '3']\n", want: `{"b":1,"a":["x",2.5,true,null,"3"]}`},
		{in: "'200': {description: ok}\n", want: `{"200":{"description":"ok"}}`},
		{in: "a: &x {k: v}\nb: *x\n", want: `{"a":{"k":"v"},"b":{"k":"v"}}`},
		{in: "t: [string, 'null']\n", want: `{"t":["string","null"]}`},
	}
	for _, tt := range tests {
		got, err := yamlToJSON([]byte(tt.in))
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if compact := mustCompact(t, got); compact != tt.want {
			t.Errorf("%q → %s, want %s", tt.in, compact, tt.want)
		}
	}
	if _, err := yamlToJSON([]byte("x: .inf\n")); err == nil {
		t.Error("infinity converted without an error")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustCompact(t *testing.T, b []byte) string {
	t.Helper()
	var v json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
