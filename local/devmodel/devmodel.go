// Package devmodel is an OpenAI-compatible model server for local
// development and tests: deterministic chat answers, streamed exactly as
// OpenAI streams them, and deterministic embeddings in which texts that share
// words are close, so that retrieval works offline. It is local tooling and
// must never be linked into a function that ships.
//
// Endpoints:
//
//	POST /v1/chat/completions  chat.completion, or chat.completion.chunk events when "stream": true
//	POST /v1/embeddings        float or base64 vectors (see [Embed])
//	GET  /v1/models            the configured chat and embedding models
//	GET  /v1/models/{id}
//
// Errors have OpenAI's shape, {"error":{"message","type","param","code"}},
// and statuses: 400 for a bad request, 401 for a missing or wrong API key
// (when [Config.APIKey] is set), 404 for an unknown URL or model, 429 and 500
// for the faults below.
//
// # Answers
//
// The answer to a chat request is a function of its messages only:
//
//	Dev model here. I am gpt-4o-mini. I see 3 messages. Your last message starts with: "what is the capital of France". That is all I can say.
//
// "I see N messages" counts every message of the request (system ones
// included; "I see 1 message" for one); the quote holds the first eight words
// of the last user message, markers removed. Streamed, the answer arrives as
// one content delta per token; a token is a word with the white space before
// it (see [Tokens]). Prompt tokens are the messages' tokens plus 3 per message
// plus 3; max_tokens or max_completion_tokens cut the answer with
// finish_reason "length".
//
// # Latency and faults
//
// [Config.FirstTokenDelay] passes before the response headers and the first
// chunk, [Config.TokenDelay] between content chunks; a non-streamed answer
// takes as long as the streamed one would. Faults are chosen per request by
// markers in the content of the last user message, so that concurrent tests
// sharing a server do not interfere (see [Marker]):
//
//	[[devmodel:fail-before-first-token]]  500 server_error, nothing streamed
//	[[devmodel:fail-mid-stream]]          half the content chunks, then the connection is cut: no finish_reason, no [DONE]
//	[[devmodel:hang]]                     200 and headers, then nothing until the client gives up or the server closes
//	[[devmodel:rate-limit]]               429 rate_limit_exceeded with retry-after: 1
//	[[devmodel:slow]]                     Config.SlowTokenDelay (default 250 ms) between content chunks
//	[[devmodel:nuls]]                     NUL characters (U+0000) in the answer
//
// [Config.Fault] applies one of them to every chat request. For embeddings,
// an input containing [[devmodel:fail-embedding]] fails the whole request with
// 500, as does every request while [Server.SetFailEmbeddings] is on; the hang
// and rate-limit markers work there too. An unknown marker is a 400.
//
// Note that the OpenAI SDKs retry 429 and 5xx answers (twice, by default)
// before reporting them; a server that records requests (see
// [Server.Requests]) shows the retries.
package devmodel

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Config configures a Server. The zero value is usable.
type Config struct {
	ChatModel       string        // listed by /v1/models; default "devmodel-chat"
	EmbeddingModel  string        // listed by /v1/models; default "devmodel-embedding"
	Dimensions      int           // of embeddings when the request names none; default 512
	FirstTokenDelay time.Duration // before the first chunk (and the headers)
	EmbeddingDelay  time.Duration // before an embeddings answer (a provider's 100–300 ms; see Server.SetEmbeddingDelay)
	TokenDelay      time.Duration // between content chunks
	SlowTokenDelay  time.Duration // between content chunks with the slow marker; default 250 ms
	APIKey          string        // when set, required as "Authorization: Bearer <key>"
	Fault           Fault         // applied to every chat request, in addition to its markers
	FailEmbeddings  bool          // fail every embeddings request with 500; see Server.SetFailEmbeddings
}

const (
	maxRecorded = 1000     // requests Server.Requests keeps
	maxBody     = 32 << 20 // bytes of a request body
)

// Server is the dev model server, an http.Handler.
type Server struct {
	cfg            Config
	mux            *http.ServeMux
	failEmbeddings atomic.Bool
	embeddingDelay atomic.Int64 // nanoseconds
	seq            atomic.Int64
	done           chan struct{}
	closeOnce      sync.Once

	mu       sync.Mutex
	requests []Request
}

// A Request is a chat or embeddings request the server received.
type Request struct {
	Path     string    // "/v1/chat/completions" or "/v1/embeddings"
	Model    string    // as requested
	Messages []Message // of a chat request
	Input    []string  // of an embeddings request (token arrays as "t<id> t<id>…")
}

// A Message is a chat message as the server read it: the text parts of its
// content concatenated.
type Message struct {
	Role    string
	Content string
}

// New returns a Server for cfg.
func New(cfg Config) *Server {
	if cfg.ChatModel == "" {
		cfg.ChatModel = "devmodel-chat"
	}
	if cfg.EmbeddingModel == "" {
		cfg.EmbeddingModel = "devmodel-embedding"
	}
	if cfg.Dimensions <= 0 {
		cfg.Dimensions = 512
	}
	if cfg.SlowTokenDelay <= 0 {
		cfg.SlowTokenDelay = 250 * time.Millisecond
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), done: make(chan struct{})}
	s.failEmbeddings.Store(cfg.FailEmbeddings)
	s.embeddingDelay.Store(int64(cfg.EmbeddingDelay))
	s.mux.HandleFunc("POST /v1/chat/completions", s.chat)
	s.mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	s.mux.HandleFunc("GET /v1/models", s.models)
	s.mux.HandleFunc("GET /v1/models/{id...}", s.model)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, apiError{Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error"})
	})
	return s
}

// NewTestServer starts a Server for cfg on a loopback port, stops it when tb's
// test ends, and returns it with its base URL, "http://127.0.0.1:port/v1", as
// OpenAI clients take it.
func NewTestServer(tb testing.TB, cfg Config) (*Server, string) {
	tb.Helper()
	s := New(cfg)
	ts := httptest.NewServer(s)
	tb.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return s, ts.URL + "/v1"
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", fmt.Sprintf("req_devmodel_%d", s.seq.Add(1)))
	if s.cfg.APIKey != "" {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case !ok || key == "":
			writeError(w, http.StatusUnauthorized, apiError{Type: "invalid_request_error",
				Message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."})
			return
		case key != s.cfg.APIKey:
			writeError(w, http.StatusUnauthorized, apiError{Type: "invalid_request_error", Code: "invalid_api_key",
				Message: "Incorrect API key provided."})
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	s.mux.ServeHTTP(w, r)
}

// Close ends the requests that hang or wait, so that an http.Server or
// httptest.Server serving s can shut down; s answers later requests without
// delays. Close is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
}

// SetEmbeddingDelay sets how long every embeddings request waits before it
// is answered.
func (s *Server) SetEmbeddingDelay(d time.Duration) { s.embeddingDelay.Store(int64(d)) }

// SetFailEmbeddings turns on or off the failure of every embeddings request.
func (s *Server) SetFailEmbeddings(fail bool) { s.failEmbeddings.Store(fail) }

// Requests returns the chat and embeddings requests received so far (the
// latest 1000), oldest first, those rejected as bad requests excepted.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == maxRecorded {
		s.requests = append(s.requests[:0], s.requests[1:]...)
	}
	s.requests = append(s.requests, r)
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{
		modelObject(s.cfg.ChatModel), modelObject(s.cfg.EmbeddingModel),
	}})
}

func (s *Server) model(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id != s.cfg.ChatModel && id != s.cfg.EmbeddingModel {
		writeError(w, http.StatusNotFound, apiError{Type: "invalid_request_error", Param: "model", Code: "model_not_found",
			Message: fmt.Sprintf("The model '%s' does not exist", id)})
		return
	}
	writeJSON(w, http.StatusOK, modelObject(id))
}

func modelObject(id string) map[string]any {
	return map[string]any{"id": id, "object": "model", "created": 1700000000, "owned_by": "devmodel"}
}

// apiError is the "error" member of OpenAI's error answers; empty Param and
// Code are null.
type apiError struct {
	Message string
	Type    string
	Param   string
	Code    string
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"message": e.Message, "type": e.Type, "param": null(e.Param), "code": null(e.Code),
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
