package s3local

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// match returns the first rule that allows origin to call method with
// headers, as S3 evaluates a bucket's CORS rules (the first match wins; "*"
// is any origin or header).
func match(rules []CORSRule, origin, method string, headers []string) *CORSRule {
	for i, rule := range rules {
		if !slices.Contains(rule.AllowedOrigins, "*") && !slices.Contains(rule.AllowedOrigins, origin) {
			continue
		}
		if !slices.Contains(rule.AllowedMethods, method) {
			continue
		}
		ok := true
		for _, h := range headers {
			if !slices.ContainsFunc(rule.AllowedHeaders, func(a string) bool { return a == "*" || strings.EqualFold(a, h) }) {
				ok = false
				break
			}
		}
		if ok {
			return &rules[i]
		}
	}
	return nil
}

// preflight answers an OPTIONS request from the bucket's rules: 200 with
// the allowed method and headers, or 403 as S3 does.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request, b *Bucket) {
	origin, method := r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method")
	var headers []string
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			headers = append(headers, strings.ToLower(h))
		}
	}
	if origin == "" || method == "" {
		s.fail(w, r, &s3Error{http.StatusBadRequest, "BadRequest", "Insufficient information. Origin request header needed."})
		return
	}
	rule := match(b.CORS, origin, method, headers)
	if rule == nil {
		s.fail(w, r, &s3Error{http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."})
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allowOrigin(rule, origin))
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	if len(rule.ExposedHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposedHeaders, ", "))
	}
	if rule.MaxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAge))
	}
	h.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	w.WriteHeader(http.StatusOK)
}

// corsHeaders adds the CORS answer to an actual request from an allowed
// origin.
func (s *Server) corsHeaders(w http.ResponseWriter, r *http.Request, b *Bucket) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	rule := match(b.CORS, origin, r.Method, nil)
	if rule == nil {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allowOrigin(rule, origin))
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(rule.ExposedHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposedHeaders, ", "))
	}
	h.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

func allowOrigin(rule *CORSRule, origin string) string {
	if slices.Contains(rule.AllowedOrigins, "*") {
		return "*"
	}
	return origin
}
