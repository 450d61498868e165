package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/macro-ai/macro-ai/local/template"
)

// LocalOrigins are the local stand-ins of the AWS endpoints the web app's
// CSP names: the HTTP API, the chat stream's Function URL and the data
// bucket's S3 endpoint.
type LocalOrigins struct {
	API, Stream, S3 string
}

// SecurityHeaders are the headers CloudFront adds to every answer of the web
// app (the template's ResponseHeadersPolicy id) for a local run: the same
// headers, and the same CSP with each AWS source replaced by its local
// origin (an execute-api host by the API's, a lambda-url host by the
// stream's, an S3 host by the local S3 endpoint). A ${…} left that has no
// local value is an error, so that a CSP the template grows cannot pass
// here unchecked.
func SecurityHeaders(t *template.Template, id string, local LocalOrigins) (http.Header, error) {
	p, ok := t.HeadersPolicies[id]
	if !ok {
		return nil, fmt.Errorf("no AWS::CloudFront::ResponseHeadersPolicy %s in the template", id)
	}
	h := http.Header{}
	for name, v := range p.Headers {
		h.Set(name, v)
	}
	if p.CSP == "" {
		return h, nil
	}
	csp, err := LocalCSP(p.CSP, local)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	h.Set("Content-Security-Policy", csp)
	return h, nil
}

var subRef = regexp.MustCompile(`\$\{[^}]*\}`)

// LocalCSP rewrites a CSP written for AWS (a !Sub template) for the local
// stack; see SecurityHeaders.
func LocalCSP(csp string, local LocalOrigins) (string, error) {
	var out []string
	for _, directive := range strings.Split(csp, ";") {
		fields := strings.Fields(directive)
		if len(fields) == 0 {
			continue
		}
		for i, src := range fields[1:] {
			host := src
			if u, err := url.Parse(strings.ReplaceAll(src, "*", "wildcard")); err == nil && u.Host != "" {
				host = u.Host
			}
			var with string
			switch {
			case strings.Contains(host, ".execute-api."):
				with = local.API
			case strings.Contains(host, ".lambda-url."):
				with = local.Stream
			case strings.Contains(host, ".s3.") || strings.HasPrefix(host, "s3."):
				with = local.S3
			default:
				if subRef.MatchString(src) {
					return "", fmt.Errorf("CSP source %q in %s has no local value", src, fields[0])
				}
				continue
			}
			if with == "" {
				return "", fmt.Errorf("CSP source %q in %s: no local origin given for it", src, fields[0])
			}
			fields[i+1] = originOf(with)
		}
		out = append(out, strings.Join(fields, " "))
	}
	return strings.Join(out, "; "), nil
}

// originOf is scheme://host[:port] of a URL (its path dropped).
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Scheme + "://" + u.Host
}
