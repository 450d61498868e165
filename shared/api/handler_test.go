package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func TestWrap(t *testing.T) {
	ok := func(ctx context.Context, req *Request) (Response, error) {
		return JSON(http.StatusOK, map[string]string{"path": req.RawPath}), nil
	}
	tests := []struct {
		name       string
		event      string
		handler    HandlerFunc
		wantStatus int
		wantCode   string
		check      func(t *testing.T, r Response)
	}{
		{
			name:       "warmup answers without calling the handler",
			event:      `{"warmup":true}`,
			handler:    func(context.Context, *Request) (Response, error) { panic("handler called") },
			wantStatus: 200,
		},
		{
			name:       "success carries the request id",
			event:      `{"rawPath":"/x","requestContext":{"requestId":"r-1","http":{"method":"GET"}}}`,
			handler:    ok,
			wantStatus: 200,
			check: func(t *testing.T, r Response) {
				if r.Headers["X-Request-Id"] != "r-1" {
					t.Errorf("X-Request-Id = %q", r.Headers["X-Request-Id"])
				}
			},
		},
		{
			name:       "body over 64 KiB is 413",
			event:      `{"rawPath":"/x","body":"` + strings.Repeat("a", MaxBodyBytes+1) + `"}`,
			handler:    ok,
			wantStatus: 413,
			wantCode:   "payload_too_large",
		},
		{
			name:  "an API error is answered in the one shape",
			event: `{"requestContext":{"requestId":"r-2"}}`,
			handler: func(context.Context, *Request) (Response, error) {
				return Response{}, ValidationFailed(FieldError{"email", "must be a valid email address"})
			},
			wantStatus: 400,
			wantCode:   "validation_failed",
			check: func(t *testing.T, r Response) {
				var body struct{ Error Error }
				json.Unmarshal([]byte(r.Body), &body)
				if body.Error.RequestID != "r-2" || len(body.Error.Details) != 1 || body.Error.Details[0].Field != "email" {
					t.Errorf("body = %s", r.Body)
				}
				if body.Error.Message != "email: must be a valid email address" {
					t.Errorf("message = %q", body.Error.Message)
				}
			},
		},
		{
			name:  "a plain error is 500 and leaks nothing",
			event: `{}`,
			handler: func(context.Context, *Request) (Response, error) {
				return Response{}, errors.New("password=hunter2 connection refused")
			},
			wantStatus: 500,
			wantCode:   "internal",
			check: func(t *testing.T, r Response) {
				if strings.Contains(r.Body, "hunter2") {
					t.Errorf("body leaks the cause: %s", r.Body)
				}
			},
		},
		{
			name:       "a panic is 500",
			event:      `{}`,
			handler:    func(context.Context, *Request) (Response, error) { panic("boom") },
			wantStatus: 500,
			wantCode:   "internal",
		},
		{
			name:  "503 carries Retry-After",
			event: `{}`,
			handler: func(context.Context, *Request) (Response, error) {
				return Response{}, DatabaseUnavailable()
			},
			wantStatus: 503,
			wantCode:   "database_unavailable",
			check: func(t *testing.T, r Response) {
				if r.Headers["Retry-After"] == "" {
					t.Error("no Retry-After")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Wrap(tt.handler)(context.Background(), json.RawMessage(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if _, ok := resp.Headers["X-Request-Id"]; !ok && !strings.Contains(tt.event, "warmup") {
				t.Error("no X-Request-Id header")
			}
			if tt.wantCode != "" {
				var body struct{ Error Error }
				if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Error.Code != tt.wantCode {
					t.Errorf("error code = %q (%v), want %q: %s", body.Error.Code, err, tt.wantCode, resp.Body)
				}
			}
			if tt.check != nil {
				tt.check(t, resp)
			}
		})
	}
}

func TestIsWarmup(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"warmup":true}`:                true,
		`{"warmup":false}`:               false,
		`{"body":"{\"warmup\":true}"}`:   false,
		`{"rawPath":"/health"}`:          false,
		`not json but mentions "warmup"`: false,
	} {
		if got := IsWarmup([]byte(raw)); got != want {
			t.Errorf("IsWarmup(%s) = %v, want %v", raw, got, want)
		}
	}
}

// TestHTTPAPIDeadline: a request through the HTTP API must answer before
// API Gateway's 30 s cut, whatever the function's own Timeout; a Function
// URL request keeps the invocation's deadline.
func TestHTTPAPIDeadline(t *testing.T) {
	tests := []struct {
		name, routeKey, domain string
		want                   time.Duration // 0: no deadline of Serve's own
	}{
		{"an HTTP API route", "POST /conversations/{id}/messages", "abc123.execute-api.eu-west-2.amazonaws.com", HTTPAPITimeout()},
		{"the Function URL", "$default", "xyz.lambda-url.eu-west-2.on.aws", 0},
	}
	if HTTPAPITimeout() >= HTTPAPILimit {
		t.Fatalf("HTTPAPITimeout %v is not below the HTTP API's %v", HTTPAPITimeout(), HTTPAPILimit)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &Request{RouteKey: tt.routeKey}
			req.RequestContext.DomainName = tt.domain
			var left time.Duration
			var has bool
			Serve(context.Background(), req, func(ctx context.Context, _ *Request) (Response, error) {
				var d time.Time
				d, has = ctx.Deadline()
				left = time.Until(d)
				return JSON(200, nil), nil
			})
			if tt.want == 0 {
				if has {
					t.Errorf("a deadline %v away, want none", left)
				}
				return
			}
			if !has || left > tt.want || left < tt.want-time.Second {
				t.Errorf("deadline %v away (set: %v), want %v", left, has, tt.want)
			}
		})
	}
}

// TestUserIDTakesAccessTokensOnly: the caller is read from an access token's
// claims; an ID token's (token_use "id") names nobody.
func TestUserIDTakesAccessTokensOnly(t *testing.T) {
	for use, want := range map[string]string{"access": "u1", "id": "", "": ""} {
		req := &Request{}
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "u1", "token_use": use}},
		}
		if got := UserID(req); got != want {
			t.Errorf("token_use %q: UserID %q, want %q", use, got, want)
		}
	}
}

// TestBadPercentEncodingIs400: a query string that does not decode is a 400
// in the one shape, not parameters silently dropped.
func TestBadPercentEncodingIs400(t *testing.T) {
	for raw, want := range map[string]int{"cursor=%ZZ": 400, "q=100%25": 200, "a=%zz&b=1": 400, "": 200} {
		req := &Request{RawQueryString: raw, RouteKey: "GET /conversations"}
		resp := Serve(context.Background(), req, func(context.Context, *Request) (Response, error) { return JSON(200, nil), nil })
		if resp.StatusCode != want {
			t.Errorf("%q: %d, want %d", raw, resp.StatusCode, want)
		}
		if want == 400 && !strings.Contains(resp.Body, `"validation_failed"`) {
			t.Errorf("%q: body %s", raw, resp.Body)
		}
	}
}
