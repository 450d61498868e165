package gateway

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/macro-ai/macro-ai/local/internal/testbuild"
	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

var builder = testbuild.New()

func TestMain(m *testing.M) { testenv.Main(m) }

const testTemplate = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: test}
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    MemorySize: 128
    Timeout: 5
    Environment:
      Variables:
        STAGE: !Ref Stage
        GREETING: hello
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: CognitoAuthorizer
        Authorizers:
          CognitoAuthorizer:
            JwtConfiguration:
              issuer: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}
              audience: [!Ref UserPoolClient]
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Item:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Path: "/items/{id}", Method: GET, Auth: {Authorizer: NONE}}
        ItemLiteral:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Path: /items/special, Method: GET, Auth: {Authorizer: NONE}}
        Files:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Path: "/files/{proxy+}", Method: ANY, Auth: {Authorizer: NONE}}
        Post:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Path: /items, Method: POST, Auth: {Authorizer: NONE}}
        Private:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Path: "/private/{id}", Method: GET}
        Scoped:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Path: /scoped
            Method: GET
            Auth: {AuthorizationScopes: [admin.write]}
  SlowFunction:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 1
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Path: /slow, Method: GET, Auth: {Authorizer: NONE}}
  StreamFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionUrlConfig: {AuthType: NONE, InvokeMode: RESPONSE_STREAM}
      Environment:
        Variables:
          TESTFN_MODE: stream
      Events:
        Post:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Path: /stream, Method: POST, Auth: {Authorizer: NONE}}
  InitErrorFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          TESTFN_INIT: error
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Path: /init-error, Method: GET, Auth: {Authorizer: NONE}}
  InitExitFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          TESTFN_INIT: exit
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Path: /init-exit, Method: GET, Auth: {Authorizer: NONE}}
`

// jwtIssuer serves a JWKS and signs tokens like Cognito's.
type jwtIssuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newJWTIssuer(t *testing.T) *jwtIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &jwtIssuer{key: key}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *jwtIssuer) issuer() string { return is.srv.URL + "/pool_1" }

func (is *jwtIssuer) token(t *testing.T, key *rsa.PrivateKey, edit func(jwt.MapClaims)) string {
	t.Helper()
	now := time.Now()
	c := jwt.MapClaims{
		"sub": "user-42", "iss": is.issuer(), "client_id": "client-1", "token_use": "access",
		"scope": "aws.cognito.signin.user.admin", "username": "user-42",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(),
	}
	if edit != nil {
		edit(c)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	gw      *Gateway
	srv     *httptest.Server
	issuer  *jwtIssuer
	logs    *syncBuffer
	mu      sync.Mutex
	reports []lambdaemu.Report
}

func newFixture(t *testing.T, edit func(*Config)) *fixture {
	t.Helper()
	tpl, err := template.Parse([]byte(testTemplate))
	if err != nil {
		t.Fatal(err)
	}
	boot := builder.Bootstrap(t, "internal/testfn")
	dirs := make([]string, 0, len(tpl.Functions))
	for _, f := range tpl.Functions {
		dirs = append(dirs, f.Dir)
	}
	fx := &fixture{issuer: newJWTIssuer(t), logs: &syncBuffer{}}
	cfg := Config{
		Template: tpl,
		BuildDir: testbuild.Link(t, t.TempDir(), boot, dirs...),
		Env:      map[string]string{"GREETING": "hi from local", "UNUSED": "x"},
		Authorizer: &JWTAuthorizer{
			Issuer: fx.issuer.issuer(), Audience: []string{"client-1"}, JWKSURL: fx.issuer.srv.URL + "/jwks.json",
		},
		Log: fx.logs,
		OnReport: func(r lambdaemu.Report) {
			fx.mu.Lock()
			fx.reports = append(fx.reports, r)
			fx.mu.Unlock()
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	fx.gw, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fx.srv = httptest.NewServer(fx.gw)
	t.Cleanup(func() {
		fx.srv.Close()
		fx.gw.Close()
		if t.Failed() {
			t.Logf("gateway log:\n%s", fx.logs.String())
		}
	})
	return fx
}

type reply struct {
	status  int
	header  http.Header
	body    []byte
	elapsed time.Duration
}

func (fx *fixture) do(t *testing.T, method, path string, body io.Reader, header map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, fx.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := fx.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return reply{resp.StatusCode, resp.Header, b, time.Since(start)}
}

// echoed is what testfn sends back for an HTTP API event.
type echoed struct {
	Event Request           `json:"event"`
	Env   map[string]string `json:"env"`
}

func decodeEcho(t *testing.T, r reply) echoed {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var e echoed
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("echo %s: %v", r.body, err)
	}
	return e
}

func TestRoutingAndEvent(t *testing.T) {
	fx := newFixture(t, nil)

	r := fx.do(t, "GET", "/items/a%20b?x=1&x=2&y=z", nil, map[string]string{
		"X-Custom": "v1", "Cookie": "c1=1; c2=2", "User-Agent": "test-agent",
	})
	e := decodeEcho(t, r)
	ev := e.Event
	checks := []struct{ name, got, want string }{
		{"version", ev.Version, "2.0"},
		{"routeKey", ev.RouteKey, "GET /items/{id}"},
		{"requestContext.routeKey", ev.RequestContext.RouteKey, "GET /items/{id}"},
		{"rawPath", ev.RawPath, "/items/a%20b"},
		{"rawQueryString", ev.RawQueryString, "x=1&x=2&y=z"},
		{"pathParameters.id", ev.PathParameters["id"], "a b"},
		{"query x", ev.QueryStringParameters["x"], "1,2"},
		{"query y", ev.QueryStringParameters["y"], "z"},
		{"header x-custom", ev.Headers["x-custom"], "v1"},
		{"cookie header removed", ev.Headers["cookie"], ""},
		{"cookies", strings.Join(ev.Cookies, "|"), "c1=1|c2=2"},
		{"stage", ev.RequestContext.Stage, "$default"},
		{"method", ev.RequestContext.HTTP.Method, "GET"},
		{"http.path", ev.RequestContext.HTTP.Path, "/items/a b"},
		{"sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		{"userAgent", ev.RequestContext.HTTP.UserAgent, "test-agent"},
		{"requestId matches apigw-requestid", ev.RequestContext.RequestID, r.header.Get("Apigw-Requestid")},
		{"template literal overridden by the local env", e.Env["GREETING"], "hi from local"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if ev.RequestContext.RequestID == "" || ev.RequestContext.TimeEpoch == 0 || ev.RequestContext.Time == "" || ev.RequestContext.Authorizer != nil {
		t.Errorf("requestContext = %+v", ev.RequestContext)
	}
	if r.header.Get("X-Request-Id") == "" {
		t.Error("the function's own headers did not come through")
	}
	again := decodeEcho(t, fx.do(t, "GET", "/items/1", nil, nil))
	if again.Event.RequestContext.RequestID == ev.RequestContext.RequestID {
		t.Error("two requests got the same requestId")
	}

	tests := []struct {
		method, path string
		wantRoute    string
		wantParams   map[string]string
	}{
		{"GET", "/items/special", "GET /items/special", nil},
		{"GET", "/items/other", "GET /items/{id}", map[string]string{"id": "other"}},
		{"DELETE", "/files/a/b/c.txt", "ANY /files/{proxy+}", map[string]string{"proxy": "a/b/c.txt"}},
		{"POST", "/items", "POST /items", nil},
	}
	for _, tt := range tests {
		e := decodeEcho(t, fx.do(t, tt.method, tt.path, nil, nil))
		if e.Event.RouteKey != tt.wantRoute || len(e.Event.PathParameters) != len(tt.wantParams) {
			t.Errorf("%s %s → route %q params %v, want %q %v", tt.method, tt.path, e.Event.RouteKey, e.Event.PathParameters, tt.wantRoute, tt.wantParams)
		}
		for k, v := range tt.wantParams {
			if e.Event.PathParameters[k] != v {
				t.Errorf("%s %s: param %s = %q, want %q", tt.method, tt.path, k, e.Event.PathParameters[k], v)
			}
		}
	}

	for _, p := range []struct{ method, path string }{
		{"GET", "/nope"}, {"POST", "/items/1"}, {"GET", "/items"}, {"GET", "/files"}, {"GET", "/items/1/extra"},
	} {
		r := fx.do(t, p.method, p.path, nil, nil)
		if r.status != http.StatusNotFound || string(r.body) != `{"message":"Not Found"}` || r.header.Get("Apigw-Requestid") == "" {
			t.Errorf("%s %s → %d %s, want 404 Not Found", p.method, p.path, r.status, r.body)
		}
	}
}

func TestBodies(t *testing.T) {
	fx := newFixture(t, nil)
	tests := []struct {
		name, contentType string
		body              []byte
		wantB64           bool
	}{
		{"json", "application/json", []byte(`{"a":1}`), false},
		{"text", "text/plain; charset=utf-8", []byte("héllo"), false},
		{"binary", "application/octet-stream", []byte{0, 1, 2, 0xff}, true},
		{"no content type", "", []byte("abc"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.contentType != "" {
				h["Content-Type"] = tt.contentType
			}
			e := decodeEcho(t, fx.do(t, "POST", "/items", bytes.NewReader(tt.body), h))
			got := []byte(e.Event.Body)
			if e.Event.IsBase64Encoded {
				got, _ = base64.StdEncoding.DecodeString(e.Event.Body)
			}
			if e.Event.IsBase64Encoded != tt.wantB64 || !bytes.Equal(got, tt.body) {
				t.Errorf("body %q base64 %v, want %q base64 %v", e.Event.Body, e.Event.IsBase64Encoded, tt.body, tt.wantB64)
			}
		})
	}
}

func TestResponses(t *testing.T) {
	fx := newFixture(t, nil)
	tests := []struct {
		query       string
		status      int
		contentType string
		body        string
		cookies     []string
	}{
		{"do=string", 200, "application/json", "hello from lambda", nil},
		{"do=object", 200, "application/json", `{"message":"no status code"}`, nil},
		{"do=binary", 202, "application/octet-stream", "\x00\x01\x02\xff", []string{"a=1; Path=/", "b=2; HttpOnly"}},
		{"do=error", 500, "application/json", `{"message":"Internal Server Error"}`, nil},
		{"do=panic", 500, "application/json", `{"message":"Internal Server Error"}`, nil},
		{"do=exit", 500, "application/json", `{"message":"Internal Server Error"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := fx.do(t, "GET", "/items/1?"+tt.query, nil, nil)
			if r.status != tt.status || r.header.Get("Content-Type") != tt.contentType || string(r.body) != tt.body {
				t.Errorf("→ %d %q %q, want %d %q %q", r.status, r.header.Get("Content-Type"), r.body, tt.status, tt.contentType, tt.body)
			}
			if tt.cookies != nil && strings.Join(r.header.Values("Set-Cookie"), "|") != strings.Join(tt.cookies, "|") {
				t.Errorf("Set-Cookie = %q, want %q", r.header.Values("Set-Cookie"), tt.cookies)
			}
		})
	}
	// After crashes the function still answers (a new instance).
	decodeEcho(t, fx.do(t, "GET", "/items/1", nil, nil))
}

func TestFunctionFailuresThroughTheGateway(t *testing.T) {
	fx := newFixture(t, func(c *Config) { c.IntegrationTimeout = 3 * time.Second })
	tests := []struct {
		name, path string
		status     int
		body       string
		min, max   time.Duration
	}{
		{"init error (/init/error)", "/init-error", 500, `{"message":"Internal Server Error"}`, 0, 3 * time.Second},
		{"exit during init", "/init-exit", 500, `{"message":"Internal Server Error"}`, 0, 3 * time.Second},
		// Timeout 1 s: Lambda kills it and reports an error; HTTP API answers 500.
		{"function timeout", "/slow?do=sleep&ms=5000", 500, `{"message":"Internal Server Error"}`, time.Second, 2500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fx.do(t, "GET", tt.path, nil, nil)
			if r.status != tt.status || string(r.body) != tt.body {
				t.Errorf("→ %d %s, want %d %s", r.status, r.body, tt.status, tt.body)
			}
			if r.elapsed < tt.min || r.elapsed > tt.max {
				t.Errorf("took %s, want between %s and %s", r.elapsed, tt.min, tt.max)
			}
		})
	}
	if !strings.Contains(fx.logs.String(), "Status: timeout") {
		t.Error("no REPORT line with Status: timeout in the gateway log")
	}
}

func TestIntegrationTimeout(t *testing.T) {
	fx := newFixture(t, func(c *Config) { c.IntegrationTimeout = 300 * time.Millisecond })
	r := fx.do(t, "GET", "/items/1?do=sleep&ms=1500", nil, nil)
	if r.status != http.StatusServiceUnavailable || string(r.body) != `{"message":"Service Unavailable"}` {
		t.Errorf("→ %d %s, want 503 Service Unavailable", r.status, r.body)
	}
	if r.elapsed > time.Second {
		t.Errorf("took %s, want about 300ms", r.elapsed)
	}
}

func TestColdWarmAndConcurrency(t *testing.T) {
	fx := newFixture(t, nil)
	for range 2 {
		decodeEcho(t, fx.do(t, "GET", "/items/1", nil, nil))
	}
	const n = 3
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := fx.do(t, "GET", "/items/1?do=sleep&ms=800", nil, nil); r.status != 200 {
				t.Errorf("status %d", r.status)
			}
		}()
	}
	wg.Wait()
	fx.mu.Lock()
	reports := append([]lambdaemu.Report(nil), fx.reports...)
	fx.mu.Unlock()
	if len(reports) != 2+n {
		t.Fatalf("%d reports, want %d", len(reports), 2+n)
	}
	if !reports[0].Cold || reports[1].Cold {
		t.Errorf("cold flags %v %v, want cold then warm", reports[0].Cold, reports[1].Cold)
	}
	instances := map[int]bool{}
	cold := 0
	for _, r := range reports[2:] {
		instances[r.Instance] = true
		if r.Cold {
			cold++
		}
	}
	if len(instances) != n || cold != n-1 {
		t.Errorf("%d parallel slow requests: %d instances, %d cold starts; want %d and %d", n, len(instances), cold, n, n-1)
	}
	f, _ := fx.gw.Function("echo")
	if f.Instances() != n {
		t.Errorf("running instances = %d, want %d", f.Instances(), n)
	}
	lines := strings.Count(fx.logs.String(), "REPORT RequestId: ")
	inits := strings.Count(fx.logs.String(), "Init Duration: ")
	if lines != 2+n || inits != n {
		t.Errorf("gateway log has %d REPORT lines (%d with Init Duration), want %d (%d)", lines, inits, 2+n, n)
	}
	t.Logf("cold: init %.2f ms + %.2f ms; warm: %.2f ms", ms(reports[0].InitDuration), ms(reports[0].Duration), ms(reports[1].Duration))
}

// TestStreaming: a response-streaming function's Function URL streams its
// answer as the function writes it; the HTTP API buffers every integration,
// so the same streamed answer through a route is malformed to it (500), as on
// AWS.
func TestStreaming(t *testing.T) {
	fx := newFixture(t, nil)
	h, err := fx.gw.FunctionURL("StreamFunction")
	if err != nil {
		t.Fatal(err)
	}
	url := httptest.NewServer(h)
	defer url.Close()
	post := func(t *testing.T, path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Post(url.URL+path, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, b
	}

	t.Run("complete", func(t *testing.T) {
		resp, b := post(t, "/stream?n=3&gap=50")
		if resp.StatusCode != 201 || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Set-Cookie") != "s=1" {
			t.Errorf("→ %d %v", resp.StatusCode, resp.Header)
		}
		if want := "event: delta\ndata: 0\n\nevent: delta\ndata: 1\n\nevent: delta\ndata: 2\n\n"; string(b) != want {
			t.Errorf("body %q, want %q", b, want)
		}
	})

	t.Run("first bytes early, mid-stream error ends the body", func(t *testing.T) {
		resp, err := http.Post(url.URL+"/stream?do=fail&n=3&gap=400", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		start := time.Now()
		if resp.StatusCode != 201 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		br := bufio.NewReader(resp.Body)
		line, err := br.ReadString('\n')
		firstAt := time.Since(start)
		if err != nil || line != "event: delta\n" {
			t.Fatalf("first line %q, %v", line, err)
		}
		rest, err := io.ReadAll(br)
		total := time.Since(start)
		if err == nil {
			t.Error("the body ended cleanly after a mid-stream error; want an abrupt end")
		}
		if !strings.Contains(string(rest), "data: 2") {
			t.Errorf("rest of the body %q lacks the last chunk written before the error", rest)
		}
		if total-firstAt < 600*time.Millisecond {
			t.Errorf("first bytes at %s, end at %s: want the first bytes well before the function finished", firstAt, total)
		}
	})

	t.Run("error before the stream", func(t *testing.T) {
		resp, b := post(t, "/stream?do=error")
		if resp.StatusCode != 502 || string(b) != `{"message":"Internal Server Error"}` {
			t.Errorf("→ %d %s", resp.StatusCode, b)
		}
	})

	t.Run("through the HTTP API: buffered, and a streamed answer is malformed", func(t *testing.T) {
		r := fx.do(t, "POST", "/stream?n=2&gap=10", strings.NewReader(`{}`), map[string]string{"Content-Type": "application/json"})
		if r.status != 500 || string(r.body) != `{"message":"Internal Server Error"}` {
			t.Errorf("→ %d %s", r.status, r.body)
		}
	})
}

func TestJWTAuthorizer(t *testing.T) {
	fx := newFixture(t, nil)
	is := fx.issuer
	forger, _ := rsa.GenerateKey(rand.Reader, 2048)
	valid := is.token(t, is.key, nil)

	tests := []struct {
		name   string
		header string
		path   string
		status int
		desc   string // in www-authenticate
	}{
		{"missing", "", "/private/1", 401, ""},
		{"not a JWT", "Bearer abc", "/private/1", 401, "the token is invalid"},
		{"expired", "Bearer " + is.token(t, is.key, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), "/private/1", 401, "the token has expired"},
		{"wrong issuer", "Bearer " + is.token(t, is.key, func(c jwt.MapClaims) { c["iss"] = "https://elsewhere/pool" }), "/private/1", 401, "valid issuer"},
		{"wrong client", "Bearer " + is.token(t, is.key, func(c jwt.MapClaims) { c["client_id"] = "client-2" }), "/private/1", 401, "valid audience"},
		{"aud wins over client_id", "Bearer " + is.token(t, is.key, func(c jwt.MapClaims) { c["aud"] = "client-9" }), "/private/1", 401, "valid audience"},
		{"bad signature", "Bearer " + is.token(t, forger, nil), "/private/1", 401, "the token is invalid"},
		{"missing scope", "Bearer " + valid, "/scoped", 403, ""},
		{"valid", "Bearer " + valid, "/private/7", 200, ""},
		{"valid without the Bearer prefix", valid, "/private/7", 200, ""},
		{"id token (aud = client)", "Bearer " + is.token(t, is.key, func(c jwt.MapClaims) {
			c["token_use"], c["aud"] = "id", "client-1"
			delete(c, "client_id")
		}), "/private/7", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.header != "" {
				h["Authorization"] = tt.header
			}
			r := fx.do(t, "GET", tt.path, nil, h)
			if r.status != tt.status {
				t.Fatalf("→ %d %s, want %d", r.status, r.body, tt.status)
			}
			switch tt.status {
			case 401:
				if string(r.body) != `{"message":"Unauthorized"}` {
					t.Errorf("body %s", r.body)
				}
				if !strings.Contains(r.header.Get("Www-Authenticate"), tt.desc) {
					t.Errorf("www-authenticate %q, want ~%q", r.header.Get("Www-Authenticate"), tt.desc)
				}
			case 403:
				if string(r.body) != `{"message":"Forbidden"}` {
					t.Errorf("body %s", r.body)
				}
			case 200:
				e := decodeEcho(t, r)
				a := e.Event.RequestContext.Authorizer
				if a == nil || a.JWT == nil {
					t.Fatalf("no authorizer in %+v", e.Event.RequestContext)
				}
				if a.JWT.Claims["sub"] != "user-42" || a.JWT.Claims["exp"] == "" || strings.Contains(a.JWT.Claims["exp"], "e+") {
					t.Errorf("claims = %v", a.JWT.Claims)
				}
				if e.Event.PathParameters["id"] != "7" {
					t.Errorf("path parameters = %v", e.Event.PathParameters)
				}
			}
		})
	}
	// Rejected requests never reach the function.
	for _, r := range fx.reports {
		if r.Status != "" {
			t.Errorf("report %+v", r)
		}
	}
}

// With cognito-local: a real access token passes, claims reach the handler.
func TestJWTAuthorizerCognitoLocal(t *testing.T) {
	env := testenv.Get(t)
	fx := newFixture(t, func(c *Config) { c.Authorizer = CognitoAuthorizer(env.Vars()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	access := cognitoAccessToken(ctx, t, env)

	e := decodeEcho(t, fx.do(t, "GET", "/private/9", nil, map[string]string{"Authorization": "Bearer " + access}))
	claims := e.Event.RequestContext.Authorizer.JWT.Claims
	if claims["client_id"] != env.CognitoClientID || claims["token_use"] != "access" || claims["sub"] == "" {
		t.Errorf("claims = %v", claims)
	}
	if scopes := e.Event.RequestContext.Authorizer.JWT.Scopes; len(scopes) != 1 || scopes[0] != "aws.cognito.signin.user.admin" {
		t.Errorf("scopes = %v", scopes)
	}
	if r := fx.do(t, "GET", "/private/9", nil, map[string]string{"Authorization": "Bearer " + access + "x"}); r.status != 401 {
		t.Errorf("tampered token → %d", r.status)
	}
}

// End to end: the real health function, built here, through the gateway,
// against the test stack's PostgreSQL and Redis.
func TestHealthEndToEnd(t *testing.T) {
	env := testenv.Get(t)
	tpl, err := template.Load(testbuild.ModuleRoot() + "/../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	boot := builder.Bootstrap(t, "../functions/health")
	logs := &syncBuffer{}
	var reports []lambdaemu.Report
	var mu sync.Mutex
	gw, err := New(Config{
		Template: tpl,
		BuildDir: testbuild.Link(t, t.TempDir(), boot, "health"),
		Env:      env.Vars(),
		Log:      logs,
		OnReport: func(r lambdaemu.Report) { mu.Lock(); reports = append(reports, r); mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	srv := httptest.NewServer(gw)
	defer srv.Close()

	for i := range 2 {
		resp, err := http.Get(srv.URL + "/health")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var body struct {
			Status string                     `json:"status"`
			Checks map[string]json.RawMessage `json:"checks"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(b, &body) != nil || body.Status != "ok" {
			t.Fatalf("GET /health #%d → %d %s\n%s", i, resp.StatusCode, b, logs.String())
		}
		if resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("Apigw-Requestid") == "" {
			t.Errorf("headers %v", resp.Header)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 || !reports[0].Cold || reports[1].Cold {
		t.Fatalf("reports %+v, want a cold then a warm invocation", reports)
	}
	if strings.Count(logs.String(), "Init Duration") != 1 {
		t.Errorf("log:\n%s\nwant exactly one Init Duration", logs.String())
	}
	t.Logf("health: cold init %.2f ms + %.2f ms, warm %.2f ms, max RSS %d MB",
		ms(reports[0].InitDuration), ms(reports[0].Duration), ms(reports[1].Duration), reports[1].MaxMemoryUsedMB)
}

// cognitoAccessToken signs up, confirms and signs in a fresh user of the
// test stack's pool.
func cognitoAccessToken(ctx context.Context, t *testing.T, env testenv.Env) string {
	t.Helper()
	cl := testenv.NewCognitoClient(env.CognitoEndpoint)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	email := fmt.Sprintf("gw-%x@example.com", b)
	const password = "Passw0rd!x"
	if _, err := cl.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(env.CognitoClientID), Username: aws.String(email), Password: aws.String(password),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	}); err != nil {
		t.Fatalf("sign up: %v", err)
	}
	if _, err := cl.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId: aws.String(env.CognitoUserPoolID), Username: aws.String(email),
	}); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	out, err := cl.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(env.CognitoClientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return aws.ToString(out.AuthenticationResult.AccessToken)
}
