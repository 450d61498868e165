package gateway

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/macro-ai/macro-ai/local/template"
)

// corsPolicy is a CORS configuration resolved for the local run, applied as
// the service applies it: API Gateway HTTP API (CorsConfiguration) and
// Lambda Function URLs (FunctionUrlConfig.Cors) both answer preflights
// themselves, without a route, an authorizer or the function, and set the
// CORS headers of every response, replacing any the function wrote.
// Without a configuration neither does either: a preflight goes to the
// routes like any request (the HTTP API has no OPTIONS route: 404) and the
// browser refuses the cross-origin call.
type corsPolicy struct {
	origins, methods, headers, expose []string
	maxAge                            int
	credentials                       bool
	preflightStatus                   int // 204 for HTTP API, 200 for Function URLs
}

// newCORSPolicy resolves c (nil: no policy) with the template's parameters.
func newCORSPolicy(t *template.Template, c *template.CORS, preflightStatus int) *corsPolicy {
	if c == nil {
		return nil
	}
	return &corsPolicy{
		origins: t.ResolveAll(c.AllowOrigins),
		methods: c.AllowMethods, headers: c.AllowHeaders, expose: c.ExposeHeaders,
		maxAge: c.MaxAge, credentials: c.AllowCredentials, preflightStatus: preflightStatus,
	}
}

// isPreflight reports a CORS preflight: OPTIONS with Origin and
// Access-Control-Request-Method.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// allowOrigin is the Access-Control-Allow-Origin for origin, "" if it is not allowed.
func (p *corsPolicy) allowOrigin(origin string) string {
	for _, o := range p.origins {
		if o == "*" && !p.credentials {
			return "*"
		}
		if o == "*" || strings.EqualFold(o, origin) {
			return origin
		}
	}
	return ""
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return x == "*" || strings.EqualFold(x, s) })
}

// preflight answers a preflight. A disallowed origin, method or header gets
// the same status without any CORS header, which the browser refuses.
func (p *corsPolicy) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	origin := p.allowOrigin(r.Header.Get("Origin"))
	ok := origin != "" && containsFold(p.methods, r.Header.Get("Access-Control-Request-Method"))
	var requested []string
	for _, name := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if name = strings.TrimSpace(name); name != "" {
			requested = append(requested, strings.ToLower(name))
			ok = ok && containsFold(p.headers, name)
		}
	}
	if ok {
		h.Set("Access-Control-Allow-Origin", origin)
		methods := p.methods
		if slices.Contains(methods, "*") {
			methods = []string{r.Header.Get("Access-Control-Request-Method")}
		}
		h.Set("Access-Control-Allow-Methods", strings.Join(methods, ","))
		if len(requested) > 0 {
			allowed := p.headers
			if slices.Contains(allowed, "*") {
				allowed = requested
			}
			h.Set("Access-Control-Allow-Headers", strings.Join(allowed, ","))
		}
		if p.maxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(p.maxAge))
		}
		if p.credentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if origin != "*" {
			h.Add("Vary", "Origin")
		}
	}
	w.WriteHeader(p.preflightStatus)
}

// decorate returns w setting the CORS headers of a response to a request
// from origin when its headers are written.
func (p *corsPolicy) decorate(w http.ResponseWriter, origin string) http.ResponseWriter {
	return &corsWriter{ResponseWriter: w, policy: p, origin: origin}
}

type corsWriter struct {
	http.ResponseWriter
	policy  *corsPolicy
	origin  string
	written bool
}

func (c *corsWriter) setHeaders() {
	if c.written {
		return
	}
	c.written = true
	h := c.ResponseWriter.Header()
	for name := range h {
		if strings.HasPrefix(name, "Access-Control-") {
			delete(h, name) // the service's configuration wins over the function's
		}
	}
	allow := c.policy.allowOrigin(c.origin)
	if allow == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", allow)
	if len(c.policy.expose) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.policy.expose, ","))
	}
	if c.policy.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if allow != "*" {
		h.Add("Vary", "Origin")
	}
}

func (c *corsWriter) WriteHeader(code int) {
	c.setHeaders()
	c.ResponseWriter.WriteHeader(code)
}

func (c *corsWriter) Write(b []byte) (int, error) {
	c.setHeaders()
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer's Flush.
func (c *corsWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// withCORS applies p (nil: no CORS at all) in front of next.
func withCORS(p *corsPolicy, w http.ResponseWriter, r *http.Request, next func(http.ResponseWriter)) {
	origin := r.Header.Get("Origin")
	if p == nil || origin == "" {
		next(w)
		return
	}
	if isPreflight(r) {
		p.preflight(w, r)
		return
	}
	next(p.decorate(w, origin))
}
