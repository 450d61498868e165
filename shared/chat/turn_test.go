package chat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/store"
)

// TestWithoutNUL: NUL characters go, everything else stays, and a string
// without one is returned as is, without a copy.
func TestWithoutNUL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"no NUL here", "no NUL here"},
		{"a\x00b", "ab"},
		{"\x00\x00\x00", ""},
		{"\x00start and end\x00", "start and end"},
		{"é\x00日本", "é日本"},
		{"\x01\x7f\n", "\x01\x7f\n"}, // other control characters are PostgreSQL's to hold
	}
	for _, tt := range tests {
		if got := withoutNUL(tt.in); got != tt.want {
			t.Errorf("withoutNUL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	clean := strings.Repeat("a streamed delta ", 8)
	if n := testing.AllocsPerRun(100, func() { _ = withoutNUL(clean) }); n != 0 {
		t.Errorf("%v allocations for a delta without NUL, want 0", n)
	}
}

// TestUpstreamFailure: a failed model call is an upstream_error event whose
// message says what the client can do, by the failure's class, and never
// carries the provider's own text.
func TestUpstreamFailure(t *testing.T) {
	leak := "Incorrect API key provided: sk-live-1234"
	tests := []struct {
		name string
		err  error
		want string // in the message
	}{
		{"first-token watchdog", fmt.Errorf("chat completion: %w", ai.ErrTimeout), "did not answer in time"},
		{"deadline", fmt.Errorf("chat completion: %w", context.DeadlineExceeded), "did not answer in time"},
		{"rate limited", &openai.Error{StatusCode: http.StatusTooManyRequests, Message: leak}, "busy"},
		{"credentials refused", &openai.Error{StatusCode: http.StatusUnauthorized, Message: leak}, "failed while answering"},
		{"provider down", &openai.Error{StatusCode: http.StatusBadGateway, Message: leak}, "failed while answering"},
		{"anything else", errors.New(leak), "failed while answering"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := upstreamFailure(tt.err)
			if e.Error.Code != "upstream_error" {
				t.Errorf("code = %q, want upstream_error", e.Error.Code)
			}
			if !strings.Contains(e.Error.Message, tt.want) || !strings.Contains(e.Error.Message, "your message is saved") {
				t.Errorf("message = %q, want it to say %q and that the message is saved", e.Error.Message, tt.want)
			}
			if strings.Contains(e.Error.Message, "sk-") || strings.Contains(e.Error.Message, "API key") {
				t.Errorf("message leaks the provider's text: %q", e.Error.Message)
			}
		})
	}
}

// TestStoreFailure: an answer that could not be stored is database_unavailable
// when the database did not answer in time, else internal; neither carries
// the cause.
func TestStoreFailure(t *testing.T) {
	tests := []struct {
		err      error
		wantCode string
	}{
		{fmt.Errorf("insert message: %w", context.DeadlineExceeded), "database_unavailable"},
		{errors.New(`ERROR: relation "messages" does not exist (SQLSTATE 42P01)`), "internal"},
		{store.ErrNotFound, "internal"},
	}
	for _, tt := range tests {
		e := storeFailure(tt.err)
		if e.Error.Code != tt.wantCode {
			t.Errorf("storeFailure(%v): code %q, want %q", tt.err, e.Error.Code, tt.wantCode)
		}
		if e.Error.Message == "" || strings.Contains(e.Error.Message, "SQLSTATE") || strings.Contains(e.Error.Message, "relation") {
			t.Errorf("storeFailure(%v): message %q", tt.err, e.Error.Message)
		}
	}
}

// TestAnswerWithin: a turn claims its message until the invocation's deadline
// and a little more, or a minute and a half without one.
func TestAnswerWithin(t *testing.T) {
	if got := answerWithin(context.Background()); got != 90*time.Second {
		t.Errorf("without a deadline: %s, want 1m30s", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if got := answerWithin(ctx); got <= 11*time.Second || got > 12*time.Second {
		t.Errorf("with 10s left: %s, want just under 12s", got)
	}
}

// TestHistoryCacheWithoutRedis: without Redis the window is never cached and
// every call is a miss, not a failure.
func TestHistoryCacheWithoutRedis(t *testing.T) {
	var h historyCache
	ctx := context.Background()
	h.set(ctx, "c1", []store.Message{{ID: "m1", Content: "hi"}}, []float32{1})
	if got, ok := h.get(ctx, "c1", "m1"); ok || got != nil {
		t.Errorf("get = %v, %v; want a miss", got, ok)
	}
	if _, ok := h.entry([]store.Message{{ID: "m1"}}, nil); ok {
		t.Error("an entry to store without Redis")
	}
}

// TestDecodeEntry: a cached window is used only when it reads back whole.
func TestDecodeEntry(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantLeaf string // "": no entry
		wantVec  int
	}{
		{"none", "", "", 0},
		{"garbage", "{not json", "", 0},
		{"no leaf", `{"m":[]}`, "", 0},
		{"window without a vector (written before vectors were cached)", `{"l":"m2","m":[{"id":"m2"}]}`, "m2", 0},
		{"window and vector", `{"l":"m2","m":[{"id":"m2"}],"v":[0.5,-1]}`, "m2", 2},
	}
	for _, tt := range tests {
		e := decodeEntry([]byte(tt.in))
		switch {
		case tt.wantLeaf == "" && e != nil:
			t.Errorf("%s: got %+v, want none", tt.name, e)
		case tt.wantLeaf != "" && (e == nil || e.Leaf != tt.wantLeaf || len(e.Vector) != tt.wantVec):
			t.Errorf("%s: got %+v, want leaf %s and %d dimensions", tt.name, e, tt.wantLeaf, tt.wantVec)
		}
	}
}
