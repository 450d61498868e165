package ai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/macro-ai/macro-ai/shared/config"
)

// TestClassify: each failure the client can meet, built as openai-go and
// net/http return it, is sorted into its class, also when wrapped.
func TestClassify(t *testing.T) {
	status := func(code int) error { return &openai.Error{StatusCode: code, Message: "upstream text"} }
	dialTimeout := &url.Error{Op: "Post", URL: "https://api.example.com/v1/chat/completions",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}}
	refused := &url.Error{Op: "Post", URL: "https://api.example.com/v1/chat/completions",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"a watchdog", ErrTimeout, ErrTimeout},
		{"a watchdog, wrapped", fmt.Errorf("chat completion: %w", ErrTimeout), ErrTimeout},
		{"the caller's deadline", fmt.Errorf("embeddings: %w", context.DeadlineExceeded), ErrTimeout},
		{"a dial timeout", dialTimeout, ErrTimeout},
		{"a dial timeout, wrapped", fmt.Errorf("embeddings: %w", dialTimeout), ErrTimeout},
		{"401", status(http.StatusUnauthorized), ErrAuth},
		{"403", status(http.StatusForbidden), ErrAuth},
		{"429", status(http.StatusTooManyRequests), ErrRateLimit},
		{"429, wrapped", fmt.Errorf("chat completion: %w", status(http.StatusTooManyRequests)), ErrRateLimit},
		{"500", status(http.StatusInternalServerError), ErrServer},
		{"502", status(http.StatusBadGateway), ErrServer},
		{"503", status(http.StatusServiceUnavailable), ErrServer},
		{"504", status(http.StatusGatewayTimeout), ErrServer},
		{"400", status(http.StatusBadRequest), ErrRequest},
		{"404 (an unknown model)", status(http.StatusNotFound), ErrRequest},
		{"422", status(http.StatusUnprocessableEntity), ErrRequest},
		{"connection refused", refused, ErrServer},
		{"a stream cut short", fmt.Errorf("chat completion: %w", io.ErrUnexpectedEOF), ErrServer},
		{"an error event in the stream", &ssestream.StreamError{Message: "received error while streaming"}, ErrServer},
		{"the answer is not what was asked", fmt.Errorf("embeddings: %w: no vector for input 0", ErrServer), ErrServer},
		// A caller that gave up (a client that left) is no timeout of the model's.
		{"the caller cancelled", fmt.Errorf("chat completion: %w", context.Canceled), ErrServer},
		{"anything else", errors.New("something odd"), ErrServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestClassifyFromTheWire: the status of a real HTTP answer, as openai-go
// reports it, gives the same class for every call, and is not retried (a
// retry would re-stream from the start).
func TestClassifyFromTheWire(t *testing.T) {
	tests := []struct {
		status int
		want   error
	}{
		{http.StatusUnauthorized, ErrAuth},
		{http.StatusForbidden, ErrAuth},
		{http.StatusTooManyRequests, ErrRateLimit},
		{http.StatusInternalServerError, ErrServer},
		{http.StatusServiceUnavailable, ErrServer},
		{http.StatusBadRequest, ErrRequest},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			fail := func(w http.ResponseWriter) {
				apiError(w, tt.status, "some_error", "Incorrect API key provided: sk-…1234")
			}
			up := startUpstream(t,
				func(s *sse, r *http.Request) { fail(s.w) },
				func(w http.ResponseWriter, r *http.Request) { fail(w) })
			up.models = func(w http.ResponseWriter, r *http.Request) { fail(w) }
			c := up.client(config.AI{}, 2)
			calls := map[string]func() error{
				"Stream": func() error {
					_, err := c.Stream(context.Background(), []Message{{Role: User, Content: "Hi"}}, func(string) {})
					return err
				},
				"Embed": func() error {
					_, err := c.Embed(context.Background(), []string{"Hi"})
					return err
				},
				"ListModels": func() error { return c.ListModels(context.Background()) },
			}
			for name, call := range calls {
				before := up.calls()
				err := call()
				var apiErr *openai.Error
				if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status {
					t.Errorf("%s: err = %v, want an *openai.Error with status %d", name, err, tt.status)
				}
				if got := Classify(err); got != tt.want {
					t.Errorf("%s: Classify(%v) = %v, want %v", name, err, got, tt.want)
				}
				if n := up.calls() - before; n != 1 {
					t.Errorf("%s: %d requests, want 1 (no retries)", name, n)
				}
			}
		})
	}
}
