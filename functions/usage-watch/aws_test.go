package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// exchange is one request a thin client should send and the answer it gets.
type exchange struct {
	method, path, query string // query as sent, escaped
	// contentType and target are the AWS JSON headers; "" for none.
	contentType, target string
	body                string // the JSON body, compared as values; "" for none
	status              int    // 0: 200
	header              http.Header
	answer              string
}

// TestWire: the thin clients send the requests the SDK's clients sent
// (CloudWatch in AWS JSON 1.0, Lambda's REST JSON), signed for their
// service in the region, and read the answers, errors included: an error
// answer is returned, named by its type, and not retried.
func TestWire(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 3, 17, 6, 0, 0, 250e6, time.UTC)
	duration := metricQuery{
		Namespace: "AWS/Lambda", MetricName: "Duration", Dimensions: []dimension{{"FunctionName", "stack-chat-stream"}},
		Start: start, End: now, Period: 24 * time.Hour, Statistics: []string{"Sum"},
	}
	invocations := metricQuery{
		Namespace: "AWS/Lambda", MetricName: "Invocations",
		Start: start, End: now, Period: 24 * time.Hour, Statistics: []string{"Sum"},
	}
	const (
		jsonType = "application/x-amz-json-1.0"
		target   = "GraniteServiceVersion20100801.GetMetricStatistics"
		marker   = "eyJmIjoic3RhY2staGVhbHRoIiwidiI6MX0+Pw=="
	)
	tests := []struct {
		name    string
		service string // the signing name in the credential scope
		call    func(ctx context.Context) (any, error)
		wire    []exchange
		want    any
		wantErr string
	}{
		{
			name: "GetMetricStatistics of a function", service: "monitoring",
			call: func(ctx context.Context) (any, error) { return newCloudWatch().GetMetricStatistics(ctx, duration) },
			wire: []exchange{{
				method: "POST", path: "/", contentType: jsonType, target: target,
				body: `{"Namespace":"AWS/Lambda","MetricName":"Duration","Dimensions":[{"Name":"FunctionName","Value":"stack-chat-stream"}],
					"StartTime":1772323200,"EndTime":1773727200.25,"Period":86400,"Statistics":["Sum"]}`,
				answer: `{"Label":"Duration","Datapoints":[
					{"Timestamp":1772409600,"Sum":600000.5,"Unit":"Milliseconds"},
					{"Timestamp":1772323200.0,"Sum":1000000,"Unit":"Milliseconds"}]}`,
			}},
			want: &metricStatistics{Label: "Duration", Datapoints: []datapoint{
				{Timestamp: start.AddDate(0, 0, 1), Sum: 600000.5},
				{Timestamp: start, Sum: 1000000},
			}},
		},
		{
			name: "GetMetricStatistics of the account", service: "monitoring",
			call: func(ctx context.Context) (any, error) { return newCloudWatch().GetMetricStatistics(ctx, invocations) },
			wire: []exchange{{
				method: "POST", path: "/", contentType: jsonType, target: target,
				body:   `{"Namespace":"AWS/Lambda","MetricName":"Invocations","StartTime":1772323200,"EndTime":1773727200.25,"Period":86400,"Statistics":["Sum"]}`,
				answer: `{"Label":"Invocations","Datapoints":[]}`,
			}},
			want: &metricStatistics{Label: "Invocations", Datapoints: []datapoint{}},
		},
		{
			name: "GetMetricStatistics denied", service: "monitoring",
			call: func(ctx context.Context) (any, error) { return newCloudWatch().GetMetricStatistics(ctx, invocations) },
			wire: []exchange{{
				method: "POST", path: "/", contentType: jsonType, target: target,
				body:   `{"Namespace":"AWS/Lambda","MetricName":"Invocations","StartTime":1772323200,"EndTime":1773727200.25,"Period":86400,"Statistics":["Sum"]}`,
				status: http.StatusBadRequest, header: http.Header{"X-Amzn-Query-Error": {"AccessDenied;Sender"}},
				answer: `{"__type":"com.amazonaws.cloudwatch#AccessDeniedException","message":"User is not authorized to perform: cloudwatch:GetMetricStatistics"}`,
			}},
			wantErr: "cloudwatch GetMetricStatistics Invocations: HTTP 400: AccessDeniedException: User is not authorized to perform: cloudwatch:GetMetricStatistics",
		},
		{
			name: "ListFunctions over two pages", service: "lambda",
			call: func(ctx context.Context) (any, error) { return functionMemory(ctx, newLambda()) },
			wire: []exchange{{
				method: "GET", path: "/2015-03-31/functions",
				answer: `{"Functions":[
					{"FunctionName":"stack-chat-stream","FunctionArn":"arn:aws:lambda:eu-west-2:123456789012:function:stack-chat-stream","Runtime":"provided.al2023","MemorySize":256,"Timeout":30,"Architectures":["arm64"]},
					{"FunctionName":"stack-health","FunctionArn":"arn:aws:lambda:eu-west-2:123456789012:function:stack-health","Runtime":"provided.al2023","MemorySize":128,"Timeout":3,"Architectures":["arm64"]}],
					"NextMarker":"` + marker + `"}`,
			}, {
				method: "GET", path: "/2015-03-31/functions", query: "Marker=eyJmIjoic3RhY2staGVhbHRoIiwidiI6MX0%2BPw%3D%3D",
				answer: `{"Functions":[{"FunctionName":"usage-watch","MemorySize":1024,"Runtime":"provided.al2023"}],"NextMarker":null}`,
			}},
			want: map[string]int32{"stack-chat-stream": 256, "stack-health": 128, "usage-watch": 1024},
		},
		{
			name: "ListFunctions denied", service: "lambda",
			call: func(ctx context.Context) (any, error) { return newLambda().ListFunctions(ctx, "") },
			wire: []exchange{{
				method: "GET", path: "/2015-03-31/functions",
				status: http.StatusForbidden, header: http.Header{"X-Amzn-Errortype": {"AccessDeniedException"}},
				answer: `{"Type":"User","Message":"User is not authorized to perform: lambda:ListFunctions"}`,
			}},
			wantErr: "lambda ListFunctions: HTTP 403: AccessDeniedException: User is not authorized to perform: lambda:ListFunctions",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				i := n
				n++
				mu.Unlock()
				if i >= len(tt.wire) {
					t.Errorf("request %d %s %s: want %d requests", i+1, r.Method, r.URL, len(tt.wire))
					w.WriteHeader(http.StatusInternalServerError)
					return
				}
				x := tt.wire[i]
				checkRequest(t, r, tt.service, x)
				for k, v := range x.header {
					w.Header()[k] = v
				}
				w.Header().Set("Content-Type", "application/json")
				if x.status != 0 {
					w.WriteHeader(x.status)
				}
				io.WriteString(w, x.answer)
			}))
			defer srv.Close()
			t.Setenv("AWS_REGION", "eu-west-2")
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
			t.Setenv("AWS_SESSION_TOKEN", "session")
			t.Setenv("CLOUDWATCH_ENDPOINT", srv.URL)
			t.Setenv("LAMBDA_ENDPOINT", srv.URL)

			got, err := tt.call(context.Background())
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("error %v, want %s", err, tt.wantErr)
				}
			} else if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if n != len(tt.wire) {
				t.Errorf("%d requests, want %d", n, len(tt.wire))
			}
		})
	}
}

// checkRequest compares r with what x says it should be; it runs in the
// server's goroutine, so it reports with Errorf only.
func checkRequest(t *testing.T, r *http.Request, service string, x exchange) {
	t.Helper()
	if r.Method != x.method || r.URL.Path != x.path || r.URL.RawQuery != x.query {
		t.Errorf("%s %s?%s, want %s %s?%s", r.Method, r.URL.Path, r.URL.RawQuery, x.method, x.path, x.query)
	}
	if ct, tg := r.Header.Get("Content-Type"), r.Header.Get("X-Amz-Target"); ct != x.contentType || tg != x.target {
		t.Errorf("Content-Type %q, X-Amz-Target %q; want %q, %q", ct, tg, x.contentType, x.target)
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(auth, "/eu-west-2/"+service+"/aws4_request") ||
		r.Header.Get("X-Amz-Security-Token") != "session" || r.Header.Get("X-Amz-Date") == "" {
		t.Errorf("not signed for %s in eu-west-2: %v", service, r.Header)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read the body: %v", err)
		return
	}
	if x.body == "" {
		if len(b) != 0 {
			t.Errorf("body %s, want none", b)
		}
		return
	}
	var got, want any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Errorf("body %s: %v", b, err)
	}
	if err := json.Unmarshal([]byte(x.body), &want); err != nil {
		t.Errorf("the test's body %s: %v", x.body, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body %s, want %s", b, x.body)
	}
}
