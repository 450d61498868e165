// Package gateway is a local stand-in for API Gateway HTTP API in front of
// the template's functions: it routes requests by template.yaml's HttpApi
// events, runs the routes' JWT authorizer, invokes the real bootstraps
// through lambdaemu with payload format 2.0 events, and turns their answers
// back into HTTP. Routes of response-streaming functions are served
// streamed, as their Function URL would be.
//
// Gateway errors have API Gateway's shape and statuses: 404 {"message":"Not
// Found"} for no route, 401 {"message":"Unauthorized"} from the authorizer,
// 500 {"message":"Internal Server Error"} for a function error, crash,
// timeout or throttle, 503 {"message":"Service Unavailable"} past the
// integration timeout (30 s).
package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/auth"
)

// Limits of API Gateway HTTP APIs.
const (
	// DefaultIntegrationTimeout is HTTP API's maximum integration timeout.
	DefaultIntegrationTimeout = 30 * time.Second
	// MaxPayloadBytes is HTTP API's request payload limit.
	MaxPayloadBytes = 10 << 20
)

// Config configures a Gateway.
type Config struct {
	Template *template.Template
	// BuildDir holds each function's bootstrap as <dir>/bootstrap, e.g. .build/amd64.
	BuildDir string
	// Env holds the local values of the template's environment variables
	// (.local/stack.env and the process environment); see template.Function.Env.
	Env map[string]string
	// Authorizer verifies the tokens of routes that are not public; nil
	// rejects every such request. CognitoAuthorizer builds it from Env.
	Authorizer *JWTAuthorizer
	// IntegrationTimeout defaults to DefaultIntegrationTimeout.
	IntegrationTimeout time.Duration
	// IdleTimeout is how long idle instances stay warm (lambdaemu.Config).
	IdleTimeout time.Duration
	// AccountConcurrency is the account's concurrency limit, shared by every
	// function (0: unbounded). A new AWS account may have 10. Each function
	// is also held to its template ReservedConcurrentExecutions.
	AccountConcurrency int
	Region             string
	// Log receives one access line per request and the REPORT lines; default os.Stderr.
	Log io.Writer
	// FunctionOutput receives the functions' own output; default Log.
	FunctionOutput io.Writer
	// OnReport, when set, receives every invocation's numbers.
	OnReport func(lambdaemu.Report)
}

// JWTAuthorizer is the HTTP API's JWT authorizer configuration.
type JWTAuthorizer struct {
	Issuer   string
	Audience []string
	JWKSURL  string // default Issuer + "/.well-known/jwks.json"
}

// CognitoAuthorizer is the authorizer for the local stack's cognito-local
// user pool, from COGNITO_ENDPOINT, COGNITO_USER_POOL_ID and
// COGNITO_CLIENT_ID; nil when one is missing.
func CognitoAuthorizer(env map[string]string) *JWTAuthorizer {
	endpoint, pool, client := env["COGNITO_ENDPOINT"], env["COGNITO_USER_POOL_ID"], env["COGNITO_CLIENT_ID"]
	if endpoint == "" || pool == "" || client == "" {
		return nil
	}
	return &JWTAuthorizer{Issuer: strings.TrimSuffix(endpoint, "/") + "/" + pool, Audience: []string{client}}
}

// Gateway is an http.Handler serving the template's routes.
type Gateway struct {
	cfg      Config
	routes   []*route
	apiCORS  *corsPolicy // the HTTP API's CorsConfiguration
	account  *lambdaemu.Account
	verifier *auth.Verifier
	logMu    sync.Mutex

	mu     sync.Mutex
	fns    map[string]*lambdaemu.Function // by function Dir
	closed bool
}

type route struct {
	template.Route
	fn   *template.Function
	segs []string
}

// New returns a Gateway. Functions start on their first request.
func New(cfg Config) (*Gateway, error) {
	if cfg.Template == nil {
		return nil, errors.New("gateway: Config.Template is required")
	}
	if cfg.IntegrationTimeout == 0 {
		cfg.IntegrationTimeout = DefaultIntegrationTimeout
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	if cfg.FunctionOutput == nil {
		cfg.FunctionOutput = cfg.Log
	}
	g := &Gateway{cfg: cfg, fns: map[string]*lambdaemu.Function{}, account: lambdaemu.NewAccount(cfg.AccountConcurrency)}
	seen := map[string]string{}
	for _, fn := range cfg.Template.Functions {
		for _, r := range fn.Routes {
			if other, dup := seen[r.Key()]; dup {
				return nil, fmt.Errorf("gateway: route %q is declared by both %s and %s", r.Key(), other, fn.LogicalID)
			}
			seen[r.Key()] = fn.LogicalID
			g.routes = append(g.routes, &route{Route: r, fn: fn, segs: splitPath(r.Path)})
			if api := cfg.Template.APIs[r.API]; api != nil && g.apiCORS == nil {
				g.apiCORS = newCORSPolicy(cfg.Template, api.CORS, http.StatusNoContent)
			}
		}
	}
	if a := cfg.Authorizer; a != nil {
		v, err := auth.NewVerifier(auth.VerifierConfig{Issuer: a.Issuer, JWKSURL: a.JWKSURL, Leeway: time.Second})
		if err != nil {
			return nil, fmt.Errorf("gateway: authorizer: %w", err)
		}
		g.verifier = v
	}
	return g, nil
}

// Account is the account-wide concurrency the functions share.
func (g *Gateway) Account() *lambdaemu.Account { return g.account }

// Function returns the emulator of the template function named name (its
// Dir or LogicalID), starting nothing until it is invoked.
func (g *Gateway) Function(name string) (*lambdaemu.Function, error) {
	fn, ok := g.cfg.Template.Function(name)
	if !ok {
		return nil, fmt.Errorf("gateway: no function %q in the template", name)
	}
	return g.function(fn)
}

func (g *Gateway) function(fn *template.Function) (*lambdaemu.Function, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, lambdaemu.ErrClosed
	}
	if f, ok := g.fns[fn.Dir]; ok {
		return f, nil
	}
	reserved := 0
	if v, ok := g.cfg.Template.Resolve(fn.ReservedConcurrency); ok {
		reserved, _ = strconv.Atoi(v)
	}
	f, err := lambdaemu.New(lambdaemu.Config{
		MaxInstances: reserved,
		Account:      g.account,
		Name:         fn.Dir,
		Bootstrap:    filepath.Join(g.cfg.BuildDir, fn.Dir, "bootstrap"),
		Handler:      fn.Handler,
		MemoryMB:     fn.MemorySize,
		Timeout:      fn.Timeout,
		Env:          fn.Env(g.cfg.Template, g.cfg.Env),
		LogFormat:    fn.LogFormat,
		Region:       g.cfg.Region,
		IdleTimeout:  g.cfg.IdleTimeout,
		Output:       g.cfg.FunctionOutput,
		Log:          g.cfg.Log,
		OnReport:     g.cfg.OnReport,
	})
	if err != nil {
		return nil, fmt.Errorf("gateway: %s (build it with make build-host): %w", fn.LogicalID, err)
	}
	g.fns[fn.Dir] = f
	return f, nil
}

// Close stops every function instance.
func (g *Gateway) Close() error {
	g.mu.Lock()
	g.closed = true
	fns := g.fns
	g.fns = map[string]*lambdaemu.Function{}
	g.mu.Unlock()
	var errs []error
	for _, f := range fns {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// ListenAndServe serves h on addr until ctx is done, then shuts down
// gracefully. It reports the bound address (useful with port 0) to ready.
func ListenAndServe(ctx context.Context, addr string, h http.Handler, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("gateway: listen: %w", err)
	}
	if ready != nil {
		ready(ln.Addr())
	}
	return Serve(ctx, ln, h)
}

// Serve is ListenAndServe on a listener the caller opened (to learn its
// address before the handler exists).
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("gateway: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("gateway: shutdown: %w", err)
	}
	return nil
}

// ServeHTTP routes, authorizes and invokes.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	withCORS(g.apiCORS, w, r, func(w http.ResponseWriter) { g.serveAPI(w, r) })
}

// serveAPI routes r, runs the authorizer and invokes the route's function.
func (g *Gateway) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := newRequestID()
	w.Header().Set("Apigw-Requestid", requestID)
	rw := &statusWriter{ResponseWriter: w}
	target := "-"
	defer func() {
		g.logf("%s %s %d %.2fms %s %s", r.Method, r.URL.RequestURI(), rw.status, ms(time.Since(start)), target, requestID)
	}()

	rt, params := g.match(r.Method, r.URL.EscapedPath())
	if rt == nil {
		writeMessage(rw, http.StatusNotFound, "Not Found")
		return
	}
	target = rt.fn.Dir
	var authz *Authorizer
	if !rt.Public {
		var ok bool
		if authz, ok = g.authorize(rw, r, rt); !ok {
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, MaxPayloadBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeMessage(rw, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		} else {
			writeMessage(rw, http.StatusBadRequest, "Bad Request")
		}
		return
	}
	ev := buildEvent(r, body, rt.Key(), params, requestID, start)
	ev.RequestContext.Authorizer = authz
	payload, err := json.Marshal(ev)
	if err != nil {
		g.logf("encode event: %v", err)
		writeMessage(rw, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	fn, err := g.function(rt.fn)
	if err != nil {
		g.logf("%v", err)
		writeMessage(rw, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	// The HTTP API buffers every response, a streaming function's too, and
	// gives up after its integration timeout.
	g.serveBuffered(rw, fn, payload)
}

// serveBuffered invokes fn and writes its whole answer, or 503 past the
// integration timeout (the invocation itself runs on, as on AWS).
func (g *Gateway) serveBuffered(w http.ResponseWriter, fn *lambdaemu.Function, payload []byte) {
	type outcome struct {
		res *lambdaemu.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := fn.Invoke(context.Background(), payload)
		done <- outcome{res, err}
	}()
	timer := time.NewTimer(g.cfg.IntegrationTimeout)
	defer timer.Stop()
	var o outcome
	select {
	case o = <-done:
	case <-timer.C:
		g.logf("%s: integration timeout after %s", fn.Name(), g.cfg.IntegrationTimeout)
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	switch {
	case o.err != nil:
		// Throttles and a bootstrap that cannot start are 500s on API Gateway too.
		g.logf("%s: invoke: %v", fn.Name(), o.err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	case o.res.Err != nil:
		// HTTP API answers 500 for a Lambda function error, crash or timeout
		// (REST APIs answer 502); see docs/local-stack.md.
		g.logf("%s: function error %s", fn.Name(), o.res.Err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	default:
		resp, err := decodeResponse(o.res.Payload)
		if err != nil {
			g.logf("%s: malformed Lambda proxy response: %v", fn.Name(), err)
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		resp.write(w)
	}
}

// response is a decoded payload 2.0 response.
type response struct {
	status  int
	headers map[string]string
	cookies []string
	body    []byte
}

// decodeResponse reads a function's answer the way HTTP API's payload 2.0
// does: an object with statusCode is a response; any other valid JSON is the
// body of a 200 application/json response (a JSON string, unquoted).
func decodeResponse(payload []byte) (*response, error) {
	trimmed := bytes.TrimSpace(payload)
	if !json.Valid(trimmed) {
		return nil, fmt.Errorf("not JSON: %.80q", payload)
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(trimmed, &probe) == nil && probe["statusCode"] != nil {
		var out struct {
			StatusCode      json.Number       `json:"statusCode"`
			Headers         map[string]string `json:"headers"`
			Body            *string           `json:"body"`
			IsBase64Encoded bool              `json:"isBase64Encoded"`
			Cookies         []string          `json:"cookies"`
		}
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&out); err != nil {
			return nil, fmt.Errorf("decode response: %w", err)
		}
		status, err := strconv.Atoi(out.StatusCode.String())
		if err != nil || status < 100 || status > 599 {
			return nil, fmt.Errorf("invalid statusCode %q", out.StatusCode)
		}
		r := &response{status: status, headers: out.Headers, cookies: out.Cookies}
		if out.Body != nil {
			r.body = []byte(*out.Body)
			if out.IsBase64Encoded {
				if r.body, err = base64.StdEncoding.DecodeString(*out.Body); err != nil {
					return nil, fmt.Errorf("base64 body: %w", err)
				}
			}
		}
		return r, nil
	}
	r := &response{status: http.StatusOK, headers: map[string]string{"Content-Type": "application/json"}, body: trimmed}
	var s string
	if json.Unmarshal(trimmed, &s) == nil {
		r.body = []byte(s)
	}
	return r, nil
}

func (r *response) write(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.headers {
		h.Set(k, v)
	}
	for _, c := range r.cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		h["Content-Type"] = nil // API Gateway does not sniff; neither do we
	}
	h.Set("Content-Length", strconv.Itoa(len(r.body)))
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// writeMessage writes API Gateway's own error shape.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (g *Gateway) logf(format string, args ...any) {
	g.logMu.Lock()
	defer g.logMu.Unlock()
	fmt.Fprintf(g.cfg.Log, "gateway: "+format+"\n", args...)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// statusWriter records the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer's Flush.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
