package gateway

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Request is API Gateway HTTP API's payload format 2.0 event, with the
// fields API Gateway omits omitted (aws-lambda-go's type always writes
// requestContext.authentication).
type Request struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	RequestContext        RequestContext    `json:"requestContext"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

// RequestContext is the event's requestContext.
type RequestContext struct {
	AccountID    string      `json:"accountId"`
	APIID        string      `json:"apiId"`
	Authorizer   *Authorizer `json:"authorizer,omitempty"`
	DomainName   string      `json:"domainName"`
	DomainPrefix string      `json:"domainPrefix"`
	HTTP         HTTP        `json:"http"`
	RequestID    string      `json:"requestId"`
	RouteKey     string      `json:"routeKey"`
	Stage        string      `json:"stage"`
	Time         string      `json:"time"`
	TimeEpoch    int64       `json:"timeEpoch"`
}

// Authorizer carries what the JWT authorizer verified.
type Authorizer struct {
	JWT *JWT `json:"jwt,omitempty"`
}

// JWT is requestContext.authorizer.jwt: every claim as a string, and the scopes.
type JWT struct {
	Claims map[string]string `json:"claims"`
	Scopes []string          `json:"scopes"`
}

// HTTP is requestContext.http.
type HTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// apiID is the made-up id of the local HTTP API.
const apiID = "local"

// newRequestID makes an id shaped like API Gateway's ("Mc7UVioPPHcEKPA=").
func newRequestID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// buildEvent turns r into a payload 2.0 event for routeKey. body is the
// request body already read.
func buildEvent(r *http.Request, body []byte, routeKey string, params map[string]string, requestID string, now time.Time) *Request {
	ev := &Request{
		Version:        "2.0",
		RouteKey:       routeKey,
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Headers:        map[string]string{},
		PathParameters: params,
	}
	for name, values := range r.Header {
		lname := strings.ToLower(name)
		if lname == "cookie" {
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						ev.Cookies = append(ev.Cookies, c)
					}
				}
			}
			continue
		}
		ev.Headers[lname] = strings.Join(values, ",")
	}
	host := r.Host
	ev.Headers["host"] = host
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	if xff := ev.Headers["x-forwarded-for"]; xff != "" {
		ev.Headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		ev.Headers["x-forwarded-for"] = sourceIP
	}
	if _, port, err := net.SplitHostPort(host); err == nil {
		ev.Headers["x-forwarded-port"] = port
	} else {
		ev.Headers["x-forwarded-port"] = "80"
	}
	ev.Headers["x-forwarded-proto"] = "http"
	if r.TLS != nil {
		ev.Headers["x-forwarded-proto"] = "https"
	}
	if ev.Headers["x-amzn-trace-id"] == "" {
		ev.Headers["x-amzn-trace-id"] = fmt.Sprintf("Root=1-%08x-%s", now.Unix(), randomHex(12))
	}

	if q, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}

	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}

	domain, _, err := net.SplitHostPort(host)
	if err != nil {
		domain = host
	}
	prefix, _, _ := strings.Cut(domain, ".")
	ev.RequestContext = RequestContext{
		AccountID:    "123456789012",
		APIID:        apiID,
		DomainName:   domain,
		DomainPrefix: prefix,
		HTTP: HTTP{
			Method:    r.Method,
			Path:      r.URL.Path,
			Protocol:  r.Proto,
			SourceIP:  sourceIP,
			UserAgent: r.UserAgent(),
		},
		RequestID: requestID,
		RouteKey:  routeKey,
		Stage:     "$default",
		Time:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		TimeEpoch: now.UnixMilli(),
	}
	return ev
}

// isText reports a content type whose bodies API Gateway passes as text;
// other bodies (and those without a content type) are base64-encoded.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript", mt == "application/x-www-form-urlencoded",
		mt == "application/graphql":
		return true
	}
	return false
}

func randomHex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	out := make([]byte, 2*n)
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}
