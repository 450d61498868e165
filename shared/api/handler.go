package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/macro-ai/macro-ai/shared/observe"
)

// MaxBodyBytes is the API's limit on request bodies (openapi.yaml).
const MaxBodyBytes = 64 << 10

// Request is API Gateway HTTP API's payload v2.0 event.
type Request = events.APIGatewayV2HTTPRequest

// HandlerFunc serves one route. A returned *Error is answered as it is; any
// other error is logged and answered 500 internal.
type HandlerFunc func(ctx context.Context, req *Request) (Response, error)

// WarmupEvent is the payload the warmup function sends; every function answers
// it at once, before touching a dependency.
type WarmupEvent struct {
	Warmup bool `json:"warmup"`
}

// IsWarmup reports whether raw is a warmup event, cheaply.
func IsWarmup(raw []byte) bool {
	if !bytes.Contains(raw, []byte(`"warmup"`)) {
		return false
	}
	var ev WarmupEvent
	return json.Unmarshal(raw, &ev) == nil && ev.Warmup
}

// WarmupResponse is the answer to a warmup event.
func WarmupResponse() Response {
	return JSON(http.StatusOK, map[string]bool{"warm": true})
}

// Wrap turns h into a Lambda handler for HTTP API events.
func Wrap(h HandlerFunc) func(ctx context.Context, raw json.RawMessage) (Response, error) {
	return func(ctx context.Context, raw json.RawMessage) (Response, error) {
		if IsWarmup(raw) {
			return WarmupResponse(), nil
		}
		var req Request
		if err := json.Unmarshal(raw, &req); err != nil {
			return Response{}, fmt.Errorf("decode HTTP API event: %w", err)
		}
		return Serve(ctx, &req, h), nil
	}
}

// HTTPAPILimit is API Gateway HTTP API's integration timeout: past it the
// client gets 503 while the function runs on.
const HTTPAPILimit = 30 * time.Second

// HTTPAPITimeout is the deadline Serve gives a request that came through the
// HTTP API: HTTP_API_TIMEOUT (default 28s), kept below HTTPAPILimit.
var HTTPAPITimeout = sync.OnceValue(func() time.Duration {
	d, err := time.ParseDuration(os.Getenv("HTTP_API_TIMEOUT"))
	if err != nil || d <= 0 || d >= HTTPAPILimit {
		return 28 * time.Second
	}
	return d
})

// IsFunctionURL tells a Function URL invocation (routeKey $default, a
// lambda-url domain) from one through the HTTP API's routes (none of which
// is its $default route).
func IsFunctionURL(req *Request) bool {
	return req.RouteKey == "$default" || strings.Contains(req.RequestContext.DomainName, ".lambda-url.")
}

// Serve runs h for req with the request id, the body limit, recovery and the
// access log, and always answers with X-Request-Id. A request through the
// HTTP API gets HTTPAPITimeout as its deadline, so that it answers before
// API Gateway gives up on it.
func Serve(ctx context.Context, req *Request, h HandlerFunc) (resp Response) {
	start := time.Now()
	if !IsFunctionURL(req) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, HTTPAPITimeout())
		defer cancel()
	}
	requestID := req.RequestContext.RequestID
	if requestID == "" {
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			requestID = lc.AwsRequestID
		}
	}
	ctx = observe.WithRequestID(ctx, requestID)

	defer func() {
		if p := recover(); p != nil {
			slog.ErrorContext(ctx, "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = errorResponse(Internal(), requestID)
		}
		if resp.Headers == nil {
			resp.Headers = map[string]string{}
		}
		resp.Headers["X-Request-Id"] = requestID
		slog.InfoContext(ctx, "request", "method", req.RequestContext.HTTP.Method, "path", req.RawPath,
			"status", resp.StatusCode, "durationMs", float64(time.Since(start).Microseconds())/1000)
	}()

	if bodyLen(req) > MaxBodyBytes {
		return errorResponse(PayloadTooLarge(MaxBodyBytes), requestID)
	}
	if _, err := url.ParseQuery(req.RawQueryString); err != nil {
		// A parameter that does not decode would be dropped (cursor=%ZZ
		// read as page one): say so instead.
		return errorResponse(ValidationFailed(FieldError{Field: "query", Message: "is not valid percent-encoding"}), requestID)
	}
	resp, err := h(ctx, req)
	if err != nil {
		var apiErr *Error
		if !errors.As(err, &apiErr) {
			slog.ErrorContext(ctx, "handler failed", "error", err.Error())
			apiErr = Internal()
		} else if apiErr.Status >= 500 {
			// The line that says why is also the DatabaseUnavailable
			// metric's (observe's EMF): no line of its own.
			var ms observe.Metrics
			if apiErr.Code == "database_unavailable" {
				ms.Add(observe.DatabaseUnavailable, observe.Count, 1)
			}
			observe.Log(ctx, slog.LevelWarn, "handler answered an error", &ms,
				slog.Int("status", apiErr.Status), slog.String("code", apiErr.Code), slog.String("error", err.Error()))
		}
		return errorResponse(apiErr, requestID)
	}
	return resp
}

func bodyLen(req *Request) int {
	if req.IsBase64Encoded {
		return base64.StdEncoding.DecodedLen(len(req.Body))
	}
	return len(req.Body)
}
