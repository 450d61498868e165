package api

import (
	"context"
	"net/http"
	"time"

	"github.com/macro-ai/macro-ai/shared/cache"
)

// Limiter decides whether one more event for key fits perMinute.
type Limiter interface {
	Allow(ctx context.Context, key string, perMinute int) cache.Decision
}

// LimitByIP rate-limits h per client IP (for the public routes).
func LimitByIP(l Limiter, route string, perMinute int, h HandlerFunc) HandlerFunc {
	return limit(l, route, perMinute, func(req *Request) string { return "ip:" + req.RequestContext.HTTP.SourceIP }, h)
}

// LimitByUser rate-limits h per verified caller.
func LimitByUser(l Limiter, route string, perMinute int, h HandlerFunc) HandlerFunc {
	return limit(l, route, perMinute, func(req *Request) string { return "user:" + UserID(req) }, h)
}

// limit decides before h runs when h may change something; a read (GET,
// HEAD) runs beside the decision instead, so that the Redis round trip and
// the handler's own (the database's) overlap: one round trip on the
// request's critical path, not two. A refused read's answer is dropped:
// the caller gets the 429 and nothing else.
func limit(l Limiter, route string, perMinute int, key func(*Request) string, h HandlerFunc) HandlerFunc {
	return func(ctx context.Context, req *Request) (Response, error) {
		k := route + ":" + key(req)
		if !isRead(req) {
			if d := l.Allow(ctx, k, perMinute); !d.Allowed {
				return Response{}, RateLimited(d.RetryAfter)
			}
			return h(ctx, req)
		}
		decided := make(chan cache.Decision, 1)
		go func() { decided <- l.Allow(ctx, k, perMinute) }()
		resp, err := h(ctx, req)
		if d := <-decided; !d.Allowed {
			return Response{}, RateLimited(d.RetryAfter)
		}
		return resp, err
	}
}

// isRead reports whether req only reads: a GET or a HEAD.
func isRead(req *Request) bool {
	m := req.RequestContext.HTTP.Method
	return m == http.MethodGet || m == http.MethodHead
}

// Refused is the answer to a limiter's refusal: 429 quota_exceeded when a
// daily quota is used up, else 429 rate_limited.
func Refused(d cache.Decision) *Error {
	if q := d.Quota; q != nil {
		e := Errorf(http.StatusTooManyRequests, "quota_exceeded", "the daily quota of %s (%d) is used up; it resets at %s",
			quotaWhat[q.Quota], q.Limit, q.ResetsAt.UTC().Format(time.RFC3339))
		e.RetryAfter = cache.RetryAfterSeconds(time.Until(q.ResetsAt))
		return e
	}
	return RateLimited(d.RetryAfter)
}

// quotaWhat names each daily quota for people.
var quotaWhat = map[string]string{
	"turns":  "chat turns",
	"tokens": "model tokens",
	"embed":  "characters for search and memory",
	"stored": "bytes stored",
}

// RateLimited is 429 rate_limited with Retry-After.
func RateLimited(retryAfter time.Duration) *Error {
	secs := cache.RetryAfterSeconds(retryAfter)
	e := Errorf(http.StatusTooManyRequests, "rate_limited", "too many requests; try again in %d s", secs)
	e.RetryAfter = secs
	return e
}
