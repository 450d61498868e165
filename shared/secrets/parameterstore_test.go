package secrets

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// ParameterStore speaks SSM's wire protocol itself: the request is the
// SDK's (AWS JSON 1.1, SigV4 for ssm in the region, the session token), a
// throttled or failed call is retried as the SDK's standard retryer would,
// and an error answer is named by its type.
func TestParameterStoreRequestRetriesAndErrors(t *testing.T) {
	var calls atomic.Int32
	var failFirst atomic.Int32
	failFirst.Store(2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		auth := r.Header.Get("Authorization")
		if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameters" ||
			r.Header.Get("Content-Type") != "application/x-amz-json-1.1" ||
			!strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(auth, "/eu-west-2/ssm/aws4_request") ||
			r.Header.Get("X-Amz-Security-Token") != "session" || r.Header.Get("X-Amz-Date") == "" {
			t.Errorf("request %s %v", r.Method, r.Header)
		}
		var in struct {
			Names          []string
			WithDecryption bool
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || !in.WithDecryption {
			t.Errorf("body %+v, %v", in, err)
		}
		switch {
		case in.Names[0] == "/denied":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"com.amazonaws.ssm#AccessDeniedException","message":"not allowed"}`))
		case failFirst.Add(-1) >= 0:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"ThrottlingException","message":"Rate exceeded"}`))
		default:
			w.Write([]byte(`{"Parameters":[{"Name":"/a","Value":"v","Version":3}],"InvalidParameters":["/b"]}`))
		}
	}))
	defer srv.Close()
	t.Setenv("SSM_ENDPOINT", srv.URL)
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "session")
	p := NewParameterStore()
	p.api.Backoff = time.Millisecond

	out, err := p.GetParameters(context.Background(), []string{"/a", "/b"})
	if err != nil || len(out.Parameters) != 1 || out.Parameters[0] != (Parameter{"/a", "v"}) || len(out.InvalidParameters) != 1 || out.InvalidParameters[0] != "/b" {
		t.Fatalf("GetParameters = %+v, %v", out, err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d calls, want 3 (two throttled)", n)
	}

	calls.Store(0)
	_, err = p.GetParameters(context.Background(), []string{"/denied"})
	if err == nil || err.Error() != "ssm GetParameters: HTTP 400: AccessDeniedException: not allowed" {
		t.Errorf("error = %v", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d calls for a denied read, want 1 (not retried)", n)
	}
}
