package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/local/template"
)

// withCORSTemplate is testTemplate with CORS on the HTTP API and on the
// stream's Function URL, its origin a parameter as in template.yaml.
func withCORSTemplate(t *testing.T, origin string) func(*Config) {
	return func(cfg *Config) {
		doc := strings.Replace(testTemplate, "  Stage: {Type: String, Default: test}\n",
			"  Stage: {Type: String, Default: test}\n  AppOrigin: {Type: String, Default: \"*\"}\n", 1)
		doc = strings.Replace(doc, "    Properties:\n      Auth:\n        DefaultAuthorizer",
			"    Properties:\n      CorsConfiguration:\n        AllowOrigins: [!Ref AppOrigin]\n        AllowMethods: [GET, POST]\n"+
				"        AllowHeaders: [authorization, content-type]\n        ExposeHeaders: [retry-after, x-request-id]\n        MaxAge: 600\n"+
				"      Auth:\n        DefaultAuthorizer", 1)
		doc = strings.Replace(doc, "FunctionUrlConfig: {AuthType: NONE, InvokeMode: RESPONSE_STREAM}",
			"FunctionUrlConfig: {AuthType: NONE, InvokeMode: RESPONSE_STREAM, Cors: {AllowOrigins: [!Ref AppOrigin], AllowMethods: [POST], AllowHeaders: [authorization, content-type], ExposeHeaders: [retry-after]}}", 1)
		tpl, err := template.Parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if tpl.APIs["HttpApi"].CORS == nil {
			t.Fatal("the edit did not add the CorsConfiguration")
		}
		tpl.Parameters["AppOrigin"] = origin // as sam deploy --parameter-overrides
		cfg.Template = tpl
	}
}

// TestCORS: the gateway and the Function URL answer preflights themselves
// and decorate responses exactly as configured; without a configuration
// there is no CORS at all, as on AWS.
func TestCORS(t *testing.T) {
	const app = "http://127.0.0.1:5173"
	preflight := func(origin, method, headers string) map[string]string {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return h
	}
	tests := []struct {
		name       string
		origin     string // AppOrigin; "" leaves CORS out of the template
		method     string
		path       string
		header     map[string]string
		wantStatus int
		wantAllow  string // Access-Control-Allow-Origin
		wantOther  map[string]string
	}{
		{"preflight of the app's origin, on a route with an authorizer", app, "OPTIONS", "/private/1",
			preflight(app, "GET", "authorization,content-type"), 204, app,
			map[string]string{"Access-Control-Allow-Methods": "GET,POST", "Access-Control-Allow-Headers": "authorization,content-type", "Access-Control-Max-Age": "600"}},
		{"preflight of another origin", app, "OPTIONS", "/items/1", preflight("http://evil.example", "GET", ""), 204, "", nil},
		{"preflight of a method not allowed", app, "OPTIONS", "/items/1", preflight(app, "DELETE", ""), 204, "", nil},
		{"preflight of a header not allowed", app, "OPTIONS", "/items/1", preflight(app, "GET", "x-secret"), 204, "", nil},
		{"a request of the app's origin", app, "GET", "/items/1", map[string]string{"Origin": app}, 200, app,
			map[string]string{"Access-Control-Expose-Headers": "retry-after,x-request-id"}},
		{"an error of the authorizer still carries CORS", app, "GET", "/private/1", map[string]string{"Origin": app}, 401, app, nil},
		{"a request of another origin", app, "GET", "/items/1", map[string]string{"Origin": "http://evil.example"}, 200, "", nil},
		{"any origin with *", "*", "GET", "/items/1", map[string]string{"Origin": "http://anywhere.example"}, 200, "*", nil},
		{"no CorsConfiguration: a preflight finds no route", "", "OPTIONS", "/items/1", preflight(app, "GET", ""), 404, "", nil},
		{"no CorsConfiguration: no header on responses", "", "GET", "/items/1", map[string]string{"Origin": app}, 200, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var edit func(*Config)
			if tt.origin != "" {
				edit = withCORSTemplate(t, tt.origin)
			}
			fx := newFixture(t, edit)
			r := fx.do(t, tt.method, tt.path, nil, tt.header)
			if r.status != tt.wantStatus || r.header.Get("Access-Control-Allow-Origin") != tt.wantAllow {
				t.Fatalf("→ %d, Access-Control-Allow-Origin %q; want %d, %q", r.status, r.header.Get("Access-Control-Allow-Origin"), tt.wantStatus, tt.wantAllow)
			}
			for k, v := range tt.wantOther {
				if got := r.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}

	t.Run("the Function URL", func(t *testing.T) {
		fx := newFixture(t, withCORSTemplate(t, app))
		h, err := fx.gw.FunctionURL("StreamFunction")
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		req, _ := http.NewRequest("OPTIONS", srv.URL+"/conversations/x/messages", nil)
		for k, v := range preflight(app, "POST", "authorization,content-type") {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != app || resp.Header.Get("Access-Control-Allow-Methods") != "POST" {
			t.Errorf("preflight → %d %v", resp.StatusCode, resp.Header)
		}
		req, _ = http.NewRequest("POST", srv.URL+"/stream?n=1&gap=1", strings.NewReader(`{}`))
		req.Header.Set("Origin", app)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Origin") != app || resp.Header.Get("Access-Control-Expose-Headers") != "retry-after" {
			t.Errorf("streamed response headers %v", resp.Header)
		}
	})
}

// TestConcurrencyLimits: a function's ReservedConcurrentExecutions (an !If
// on a parameter, as in template.yaml) and the account's limit bound the
// invocations running at once; a throttled one is answered at once as AWS
// answers it: 500 behind the HTTP API, 429 from a Function URL.
func TestConcurrencyLimits(t *testing.T) {
	withReserved := func(reserved string, account int) func(*Config) {
		return func(cfg *Config) {
			doc := strings.Replace(testTemplate, "  Stage: {Type: String, Default: test}\n",
				"  Stage: {Type: String, Default: test}\n  Reserved: {Type: Number, Default: 0}\nConditions:\n  Reserves: !Not [!Equals [!Ref Reserved, 0]]\n", 1)
			doc = strings.Replace(doc, "    Timeout: 5\n", "    Timeout: 5\n    ReservedConcurrentExecutions: !If [Reserves, !Ref Reserved, !Ref AWS::NoValue]\n", 1)
			tpl, err := template.Parse([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			tpl.Parameters["Reserved"] = reserved
			cfg.Template, cfg.AccountConcurrency = tpl, account
		}
	}
	tests := []struct {
		name              string
		reserved          string
		account, parallel int
		wantOK            int
	}{
		{"reserved 2", "2", 0, 5, 2},
		{"no reservation (0), an account of 3", "0", 3, 5, 3},
		{"the smaller of both", "4", 2, 5, 2},
		{"no limit at all", "0", 0, 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, withReserved(tt.reserved, tt.account))
			type answer struct {
				status int
				body   string
				took   time.Duration
			}
			answers := make(chan answer, tt.parallel)
			for range tt.parallel {
				go func() {
					start := time.Now()
					r := fx.do(t, "GET", "/slow?do=sleep&ms=600", nil, nil)
					answers <- answer{r.status, string(r.body), time.Since(start)}
				}()
			}
			ok := 0
			for range tt.parallel {
				a := <-answers
				switch {
				case a.status == 200:
					ok++
				case a.status == 500 && a.body == `{"message":"Internal Server Error"}` && a.took < 300*time.Millisecond:
					// throttled: answered at once
				default:
					t.Errorf("answer %d %s after %v", a.status, a.body, a.took)
				}
			}
			if ok != tt.wantOK {
				t.Errorf("%d of %d ran, want %d", ok, tt.parallel, tt.wantOK)
			}
		})
	}

	t.Run("a throttled Function URL answers 429", func(t *testing.T) {
		fx := newFixture(t, withReserved("0", 1))
		h, err := fx.gw.FunctionURL("StreamFunction")
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		first, err := http.Post(srv.URL+"/stream?n=3&gap=200", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		defer first.Body.Close()
		second, err := http.Post(srv.URL+"/stream?n=1&gap=1", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		second.Body.Close()
		if second.StatusCode != 429 || second.Header.Get("X-Amzn-ErrorType") != "TooManyRequestsException" {
			t.Errorf("second stream while the account's 1 is busy: %d %v", second.StatusCode, second.Header)
		}
	})
}
