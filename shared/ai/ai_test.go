package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/config"
)

// TestStream: the deltas reach onDelta one by one and in order, the whole
// text, finish reason and usage come back, and the request is the one the
// configuration describes.
func TestStream(t *testing.T) {
	up := startUpstream(t, answer("Hel", "lo, ", "Miso", "."), noEmbeddings)
	c := up.client(config.AI{}, 0)
	var got joined
	prompt := []Message{
		{Role: System, Content: "You are a test."},
		{Role: User, Content: "Hi"},
		{Role: Assistant, Content: "Hello!"},
		{Role: User, Content: "What is my cat called?"},
	}
	out, err := c.Stream(context.Background(), prompt, got.add)
	if err != nil {
		t.Fatal(err)
	}
	want := Completion{Text: "Hello, Miso.", FinishReason: "stop", PromptTokens: 12, CompletionTokens: 4}
	if out != want {
		t.Errorf("completion = %+v, want %+v", out, want)
	}
	if got.String() != "Hel|lo, |Miso|." {
		t.Errorf("deltas = %q, want each piece once, in order", got.String())
	}

	req := up.last()
	if req.Path != "/v1/chat/completions" || req.Authorization != "Bearer test-key" {
		t.Errorf("request to %s with %q", req.Path, req.Authorization)
	}
	body, _ := json.Marshal(req.Body)
	var sent struct {
		Model         string  `json:"model"`
		Stream        bool    `json:"stream"`
		Temperature   float64 `json:"temperature"`
		MaxTokens     int     `json:"max_completion_tokens"`
		StreamOptions struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Model != "test-chat" || !sent.Stream || !sent.StreamOptions.IncludeUsage || sent.Temperature != 0.5 || sent.MaxTokens != 77 {
		t.Errorf("request = %s", body)
	}
	if len(sent.Messages) != len(prompt) {
		t.Fatalf("%d messages sent, want %d: %s", len(sent.Messages), len(prompt), body)
	}
	for i, m := range prompt {
		if sent.Messages[i].Role != string(m.Role) || sent.Messages[i].Content != m.Content {
			t.Errorf("message %d = %+v, want %+v", i, sent.Messages[i], m)
		}
	}
}

// TestStreamWatchdogs: a model that does not start within FirstTokenTimeout,
// or falls silent for StreamIdleTimeout between chunks, ends the call with
// ErrTimeout and what it produced so far, however the silence looks on the
// wire; a slow but steady model is never cut.
func TestStreamWatchdogs(t *testing.T) {
	tests := []struct {
		name       string
		firstToken time.Duration
		idle       time.Duration
		chat       func(*sse, *http.Request)
		wantText   string
		wantErr    error         // nil: the answer completes
		atLeast    time.Duration // the call may not end sooner
	}{
		{
			name:       "no response headers",
			firstToken: 50 * time.Millisecond, idle: time.Minute,
			chat:    func(s *sse, r *http.Request) { stall(r) },
			wantErr: ErrTimeout, atLeast: 50 * time.Millisecond,
		},
		{
			name:       "headers but no token",
			firstToken: 50 * time.Millisecond, idle: time.Minute,
			chat:    func(s *sse, r *http.Request) { s.start(); stall(r) },
			wantErr: ErrTimeout, atLeast: 50 * time.Millisecond,
		},
		{
			name:       "keep-alive comments are not tokens",
			firstToken: 80 * time.Millisecond, idle: time.Minute,
			chat: func(s *sse, r *http.Request) {
				for {
					s.comment()
					select {
					case <-r.Context().Done():
						return
					case <-time.After(10 * time.Millisecond):
					}
				}
			},
			wantErr: ErrTimeout, atLeast: 80 * time.Millisecond,
		},
		{
			name:       "silence after the first tokens",
			firstToken: time.Minute, idle: 50 * time.Millisecond,
			chat:     func(s *sse, r *http.Request) { s.delta("Once upon"); s.delta(" a time"); stall(r) },
			wantText: "Once upon a time", wantErr: ErrTimeout, atLeast: 50 * time.Millisecond,
		},
		{
			name:       "a first token slower than the idle timeout",
			firstToken: time.Minute, idle: 40 * time.Millisecond,
			chat: func(s *sse, r *http.Request) {
				s.start()
				time.Sleep(200 * time.Millisecond)
				answer("late", " but fine")(s, r)
			},
			wantText: "late but fine", atLeast: 200 * time.Millisecond,
		},
		{
			name:       "slow but steady, longer than both timeouts in all",
			firstToken: 150 * time.Millisecond, idle: 150 * time.Millisecond,
			chat: func(s *sse, r *http.Request) {
				for range 10 {
					s.delta("x")
					time.Sleep(25 * time.Millisecond)
				}
				s.finish("stop", 1, 10)
			},
			wantText: "xxxxxxxxxx", atLeast: 250 * time.Millisecond,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := startUpstream(t, tt.chat, noEmbeddings)
			c := up.client(config.AI{FirstTokenTimeout: tt.firstToken, StreamIdleTimeout: tt.idle}, 0)
			var got joined
			start := time.Now()
			out, err := c.Stream(context.Background(), []Message{{Role: User, Content: "Tell me a story"}}, got.add)
			took := time.Since(start)

			if tt.wantErr == nil && err != nil {
				t.Fatalf("err = %v, want none", err)
			}
			if tt.wantErr != nil {
				if Classify(err) != tt.wantErr {
					t.Fatalf("err = %v (class %v), want %v", err, Classify(err), tt.wantErr)
				}
				if limit := 5 * time.Second; took > limit {
					t.Errorf("took %s: the watchdog did not end the call", took)
				}
			}
			if took < tt.atLeast {
				t.Errorf("took %s, less than %s", took, tt.atLeast)
			}
			if out.Text != tt.wantText {
				t.Errorf("text = %q, want %q", out.Text, tt.wantText)
			}
		})
	}
}

// errClientGone stands for chat.ErrClientGone, a cause of cancellation.
var errClientGone = errors.New("the client went away")

// TestStreamFailures: every way a stream can fail returns the partial text
// and an error that Classify sorts.
func TestStreamFailures(t *testing.T) {
	tests := []struct {
		name      string
		chat      func(*sse, *http.Request)
		ctx       func() (context.Context, context.CancelFunc)
		wantText  string
		wantClass error
		wantIs    error // also errors.Is, when not nil
	}{
		{
			name:      "the stream ends without a finish reason",
			chat:      func(s *sse, r *http.Request) { s.delta("half an ans"); s.data("[DONE]") },
			wantText:  "half an ans",
			wantClass: ErrServer,
		},
		{
			name:      "the connection closes mid-answer",
			chat:      func(s *sse, r *http.Request) { s.delta("half") },
			wantText:  "half",
			wantClass: ErrServer,
		},
		{
			name: "an error event mid-stream",
			chat: func(s *sse, r *http.Request) {
				s.delta("so far ")
				s.data(`{"error":{"message":"overloaded","type":"server_error"}}`)
			},
			wantText:  "so far ",
			wantClass: ErrServer,
		},
		{
			name: "rate limited before the stream",
			chat: func(s *sse, r *http.Request) {
				apiError(s.w, http.StatusTooManyRequests, "rate_limit_exceeded", "slow down")
			},
			wantClass: ErrRateLimit,
		},
		{
			name: "the caller's deadline passes",
			chat: func(s *sse, r *http.Request) { s.delta("partial"); stall(r) },
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 80*time.Millisecond)
			},
			wantText:  "partial",
			wantClass: ErrTimeout,
			wantIs:    context.DeadlineExceeded,
		},
		{
			// A client that left (chat.ErrClientGone) is no timeout of the
			// model's: the turn must not blame the model for it, and can tell
			// the cause from the error.
			name: "the caller cancels",
			chat: func(s *sse, r *http.Request) { s.delta("partial"); stall(r) },
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancelCause(context.Background())
				time.AfterFunc(50*time.Millisecond, func() { cancel(errClientGone) })
				return ctx, func() { cancel(nil) }
			},
			wantText:  "partial",
			wantClass: ErrServer,
			wantIs:    errClientGone,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := startUpstream(t, tt.chat, noEmbeddings)
			c := up.client(config.AI{}, 0)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			var got joined
			out, err := c.Stream(ctx, []Message{{Role: User, Content: "Hi"}}, got.add)
			if err == nil {
				t.Fatalf("no error; completion %+v", out)
			}
			if class := Classify(err); class != tt.wantClass {
				t.Errorf("Classify(%v) = %v, want %v", err, class, tt.wantClass)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want it to be %v", err, tt.wantIs)
			}
			if out.Text != tt.wantText {
				t.Errorf("text = %q, want %q", out.Text, tt.wantText)
			}
			if out.FinishReason != "" {
				t.Errorf("finish reason %q on a failed stream", out.FinishReason)
			}
		})
	}
}

// embedding is one entry of an embeddings response.
type embedding struct {
	Object    string    `json:"object"`
	Index     int       `json:"index"`
	Embedding []float64 `json:"embedding"`
}

// embeddingsAnswer answers an embeddings call with data.
func embeddingsAnswer(data ...embedding) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := range data {
			data[i].Object = "embedding"
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"object": "list", "model": "test-embedding", "data": data,
			"usage": map[string]int{"prompt_tokens": 3, "total_tokens": 3},
		})
	}
}

// TestEmbed: vectors come back in the order of the inputs, whatever the order
// of the response, and any answer that does not give one vector of the right
// size per input is the provider's failure.
func TestEmbed(t *testing.T) {
	tests := []struct {
		name      string
		inputs    []string
		answer    http.HandlerFunc
		want      [][]float32
		wantClass error
	}{
		{
			name:   "in the inputs' order",
			inputs: []string{"a", "b", "c"},
			answer: embeddingsAnswer(
				embedding{Index: 2, Embedding: []float64{3, 3}},
				embedding{Index: 0, Embedding: []float64{1, 1}},
				embedding{Index: 1, Embedding: []float64{0.5, -2}},
			),
			want: [][]float32{{1, 1}, {0.5, -2}, {3, 3}},
		},
		{
			name:      "a vector of the wrong size",
			inputs:    []string{"a"},
			answer:    embeddingsAnswer(embedding{Index: 0, Embedding: []float64{1, 2, 3}}),
			wantClass: ErrServer,
		},
		{
			name:      "a vector missing",
			inputs:    []string{"a", "b"},
			answer:    embeddingsAnswer(embedding{Index: 1, Embedding: []float64{1, 2}}),
			wantClass: ErrServer,
		},
		{
			name:      "an index out of range",
			inputs:    []string{"a"},
			answer:    embeddingsAnswer(embedding{Index: 1, Embedding: []float64{1, 2}}),
			wantClass: ErrServer,
		},
		{
			name:      "a negative index",
			inputs:    []string{"a"},
			answer:    embeddingsAnswer(embedding{Index: -1, Embedding: []float64{1, 2}}),
			wantClass: ErrServer,
		},
		{
			name:   "slower than EmbeddingTimeout",
			inputs: []string{"a"},
			answer: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			},
			wantClass: ErrTimeout,
		},
		{
			name:   "the key refused",
			inputs: []string{"a"},
			answer: func(w http.ResponseWriter, r *http.Request) {
				apiError(w, http.StatusUnauthorized, "invalid_request_error", "bad key")
			},
			wantClass: ErrAuth,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := startUpstream(t, noChat, tt.answer)
			c := up.client(config.AI{EmbeddingTimeout: 100 * time.Millisecond}, 2)
			got, err := c.Embed(context.Background(), tt.inputs)
			if class := Classify(err); class != tt.wantClass {
				t.Fatalf("err = %v (class %v), want class %v", err, class, tt.wantClass)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("vectors = %v, want %v", got, tt.want)
			}
			req := up.last()
			if req.Body["model"] != "test-embedding" || req.Body["dimensions"] != 2.0 || req.Body["encoding_format"] != "float" {
				t.Errorf("request = %v", req.Body)
			}
		})
	}
}

// TestEmbedNothing: no inputs, no call.
func TestEmbedNothing(t *testing.T) {
	up := startUpstream(t, noChat, noEmbeddings)
	got, err := up.client(config.AI{}, 2).Embed(context.Background(), nil)
	if got != nil || err != nil {
		t.Errorf("Embed(nil) = %v, %v", got, err)
	}
	if n := up.calls(); n != 0 {
		t.Errorf("%d calls for no inputs", n)
	}
}

// TestClientDescribesItself: the accessors report the configuration.
func TestClientDescribesItself(t *testing.T) {
	c := New(config.AI{EmbeddingModel: "emb-1", FirstTokenTimeout: time.Second}, 256)
	if c.Dimensions() != 256 || c.EmbeddingModel() != "emb-1" {
		t.Errorf("Dimensions() = %d, EmbeddingModel() = %q", c.Dimensions(), c.EmbeddingModel())
	}
}
