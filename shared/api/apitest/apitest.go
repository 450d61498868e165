// Package apitest builds HTTP API events and reads responses, for tests that
// run a function's real handler.
package apitest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/macro-ai/macro-ai/shared/api"
)

// Option shapes an event.
type Option func(*api.Request)

// WithUser makes the event carry sub as the verified caller, as the HTTP
// API's JWT authorizer does, and token as its bearer token.
func WithUser(sub, token string) Option {
	return func(r *api.Request) {
		r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"sub": sub, "token_use": "access"},
			},
		}
		if token != "" {
			r.Headers["authorization"] = "Bearer " + token
		}
	}
}

// WithSourceIP sets the client's address.
func WithSourceIP(ip string) Option {
	return func(r *api.Request) { r.RequestContext.HTTP.SourceIP = ip }
}

// WithPathParameter sets a path parameter.
func WithPathParameter(name, value string) Option {
	return func(r *api.Request) {
		if r.PathParameters == nil {
			r.PathParameters = map[string]string{}
		}
		r.PathParameters[name] = value
	}
}

// WithQuery sets the query string parameters.
func WithQuery(params map[string]string) Option {
	return func(r *api.Request) { r.QueryStringParameters = params }
}

// Event returns a payload v2.0 event; body is sent as is when it is a string,
// else JSON-encoded (nil: no body).
func Event(method, path string, body any, opts ...Option) *api.Request {
	r := &api.Request{
		Version:  "2.0",
		RawPath:  path,
		RouteKey: method + " " + path,
		Headers:  map[string]string{"content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "test-request",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, SourceIP: "192.0.2.1"},
		},
	}
	switch b := body.(type) {
	case nil:
	case string:
		r.Body = b
	default:
		enc, _ := json.Marshal(b)
		r.Body = string(enc)
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Do runs h on req the way the Lambda runtime would: through api.Wrap.
func Do(tb testing.TB, h api.HandlerFunc, req *api.Request) api.Response {
	tb.Helper()
	raw, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := api.Wrap(h)(context.Background(), raw)
	if err != nil {
		tb.Fatalf("handler returned an invocation error: %v", err)
	}
	return resp
}

// Response is a buffered HTTP API response.
type Response = api.Response

// ErrorBody is the one error shape.
type ErrorBody struct {
	Error api.Error `json:"error"`
}

// ErrorOf decodes resp as the one error shape, failing the test if it is not.
func ErrorOf(tb testing.TB, resp api.Response) api.Error {
	tb.Helper()
	var b ErrorBody
	if err := json.Unmarshal([]byte(resp.Body), &b); err != nil || b.Error.Code == "" {
		tb.Fatalf("response %d is not in the error shape: %s", resp.StatusCode, resp.Body)
	}
	if b.Error.RequestID == "" {
		tb.Errorf("error has no requestId: %s", resp.Body)
	}
	return b.Error
}

// Decode decodes resp's JSON body into v.
func Decode(tb testing.TB, resp api.Response, v any) {
	tb.Helper()
	if err := json.Unmarshal([]byte(resp.Body), v); err != nil {
		tb.Fatalf("decode %d body %q: %v", resp.StatusCode, resp.Body, err)
	}
}
