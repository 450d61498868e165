package ai

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/config"
)

// upstream is an OpenAI-compatible API on loopback, speaking the real wire
// protocol (JSON bodies, server-sent events of chat.completion.chunk objects
// ending in data: [DONE]), so that the tests exercise the real openai-go
// client. Each test scripts its answers.
type upstream struct {
	t   *testing.T
	url string // the base URL, …/v1

	mu       sync.Mutex
	requests []recorded
	models   http.HandlerFunc // GET /v1/models; nil: 404
}

// recorded is a request the upstream received.
type recorded struct {
	Path          string
	Authorization string
	Body          map[string]any
}

// startUpstream serves chat (POST /v1/chat/completions), embeddings (POST
// /v1/embeddings), the models (GET /v1/models, as its models field says) and,
// for any other path, a 404 in OpenAI's error shape.
// A handler that stalls must return when its request's context ends, which
// it does when the client gives up.
func startUpstream(t *testing.T, chat func(w *sse, r *http.Request), embeddings http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		chat(&sse{w: w, rc: http.NewResponseController(w)}, r)
	})
	mux.HandleFunc("POST /v1/embeddings", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		embeddings(w, r)
	})
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		u.mu.Lock()
		models := u.models
		u.mu.Unlock()
		if models == nil {
			apiError(w, http.StatusNotFound, "not_found_error", "no models")
			return
		}
		models(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		apiError(w, http.StatusNotFound, "not_found_error", "no such route")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u.url = srv.URL + "/v1"
	return u
}

func (u *upstream) record(r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.requests = append(u.requests, recorded{Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), Body: body})
}

// last is the last request received.
func (u *upstream) last() recorded {
	u.t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.requests) == 0 {
		u.t.Fatal("the upstream received no request")
	}
	return u.requests[len(u.requests)-1]
}

// calls is how many requests the upstream received.
func (u *upstream) calls() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.requests)
}

// client returns a Client for the upstream with cfg's timeouts (the zero ones
// made generous).
func (u *upstream) client(cfg config.AI, dimensions int) *Client {
	cfg.BaseURL = u.url
	cfg.APIKey = "test-key"
	cfg.ChatModel = "test-chat"
	cfg.EmbeddingModel = "test-embedding"
	cfg.Temperature = 0.5
	cfg.MaxTokens = 77
	for _, d := range []*time.Duration{&cfg.FirstTokenTimeout, &cfg.StreamIdleTimeout, &cfg.EmbeddingTimeout} {
		if *d == 0 {
			*d = 5 * time.Second
		}
	}
	return New(cfg, dimensions)
}

// sse writes one streamed chat completion.
type sse struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
}

// start sends the status and headers of an event stream at once.
func (s *sse) start() {
	if s.started {
		return
	}
	s.started = true
	s.w.Header().Set("Content-Type", "text/event-stream")
	s.w.WriteHeader(http.StatusOK)
	_ = s.rc.Flush()
}

// data sends one event.
func (s *sse) data(payload string) {
	s.start()
	fmt.Fprintf(s.w, "data: %s\n\n", payload)
	_ = s.rc.Flush()
}

// delta sends a chunk carrying text.
func (s *sse) delta(text string) { s.data(chunk(text, "")) }

// finish sends the last chunk of an answer, its usage, and [DONE].
func (s *sse) finish(reason string, promptTokens, completionTokens int) {
	s.data(chunk("", reason))
	s.data(fmt.Sprintf(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"test-chat","choices":[],`+
		`"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`, promptTokens, completionTokens, promptTokens+completionTokens))
	s.data("[DONE]")
}

// comment sends an SSE comment, as a keep-alive.
func (s *sse) comment() {
	s.start()
	fmt.Fprint(s.w, ": keep-alive\n\n")
	_ = s.rc.Flush()
}

// chunk is one chat.completion.chunk with content and, if not "", a finish reason.
func chunk(content, finishReason string) string {
	delta, _ := json.Marshal(map[string]string{"content": content})
	finish := "null"
	if finishReason != "" {
		finish = `"` + finishReason + `"`
	}
	return fmt.Sprintf(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"test-chat",`+
		`"choices":[{"index":0,"delta":%s,"finish_reason":%s}]}`, delta, finish)
}

// apiError answers in OpenAI's error shape.
func apiError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":%q,"param":null,"code":null}}`, message, typ)
}

// stall waits until the client gives up on r.
func stall(r *http.Request) { <-r.Context().Done() }

// answer streams a whole answer made of pieces.
func answer(pieces ...string) func(*sse, *http.Request) {
	return func(s *sse, r *http.Request) {
		for _, p := range pieces {
			s.delta(p)
		}
		s.finish("stop", 12, len(pieces))
	}
}

// noEmbeddings fails every embeddings call.
func noEmbeddings(w http.ResponseWriter, r *http.Request) {
	apiError(w, http.StatusInternalServerError, "server_error", "not scripted")
}

// noChat fails every chat call.
func noChat(s *sse, r *http.Request) {
	apiError(s.w, http.StatusInternalServerError, "server_error", "not scripted")
}

// joined is what onDelta received, in order.
type joined struct {
	mu     sync.Mutex
	pieces []string
}

func (j *joined) add(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.pieces = append(j.pieces, s)
}

func (j *joined) String() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return strings.Join(j.pieces, "|")
}
