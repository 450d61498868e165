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
//	Dev model here. I see 3 messages. Your last message starts with: "what is the capital of France". That is all I can say.
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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
)

// Config configures a Server. The zero value is usable.
type Config struct {
	ChatModel       string        // listed by /v1/models; default "devmodel-chat"
	EmbeddingModel  string        // listed by /v1/models; default "devmodel-embedding"
	Dimensions      int           // of embeddings when the request names none; default 512
	FirstTokenDelay time.Duration // before the first chunk (and the headers)
	TokenDelay      time.Duration // between content chunks
	SlowTokenDelay  time.Duration // between content chunks with the slow marker; default 250 ms
	APIKey          string        // when set, required as "Authorization: Bearer <key>"
	Fault           Fault         // applied to every chat request, in addition to its markers
	FailEmbeddings  bool          // fail every embeddings request with 500; see Server.SetFailEmbeddings
}

// A Fault is a failure the server simulates; its marker is [Marker].
type Fault string

// The faults.
const (
	FailBeforeFirstToken Fault = "fail-before-first-token"
	FailMidStream        Fault = "fail-mid-stream"
	Hang                 Fault = "hang"
	RateLimit            Fault = "rate-limit"
	Slow                 Fault = "slow"
	FailEmbedding        Fault = "fail-embedding"
	// NULs puts NUL characters (U+0000) in the answer, as a model may.
	NULs Fault = "nuls"
)

// Marker returns the text that, in a message or an input, selects f:
// "[[devmodel:" + f + "]]".
func Marker(f Fault) string { return markerOpen + string(f) + markerClose }

const (
	markerOpen  = "[[devmodel:"
	markerClose = "]]"
	maxRecorded = 1000
	maxBody     = 32 << 20
)

// Server is the dev model server, an http.Handler.
type Server struct {
	cfg            Config
	mux            *http.ServeMux
	failEmbeddings atomic.Bool
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

// sleep waits d, or until ctx ends (an error) or s is closed (no error).
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return nil
	}
}

// hang sends the headers and waits for the client to give up or s to close.
func (s *Server) hang(w http.ResponseWriter, r *http.Request, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_ = http.NewResponseController(w).Flush()
	select {
	case <-r.Context().Done():
	case <-s.done:
	}
}

type chatRequest struct {
	Model    *string `json:"model"`
	Messages *[]struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream              bool `json:"stream"`
	MaxTokens           *int `json:"max_tokens"`
	MaxCompletionTokens *int `json:"max_completion_tokens"`
	StreamOptions       struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type choice struct {
	Index        int             `json:"index"`
	Message      json.RawMessage `json:"message,omitempty"`
	Delta        json.RawMessage `json:"delta,omitempty"`
	Logprobs     *struct{}       `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
}

type completion struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           int64           `json:"created"`
	Model             string          `json:"model"`
	Choices           []choice        `json:"choices"`
	Usage             json.RawMessage `json:"usage,omitempty"`
	ServiceTier       string          `json:"service_tier"`
	SystemFingerprint string          `json:"system_fingerprint"`
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeBadJSON(w, err)
		return
	}
	switch {
	case req.Model == nil || *req.Model == "":
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Message: "you must provide a model parameter"})
		return
	case req.Messages == nil:
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: "messages", Code: "missing_required_parameter",
			Message: "Missing required parameter: 'messages'."})
		return
	case len(*req.Messages) == 0:
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: "messages", Code: "empty_array",
			Message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."})
		return
	}
	rec := Request{Path: r.URL.Path, Model: *req.Model}
	last := ""
	prompt := 3
	for i, m := range *req.Messages {
		text, err := contentText(m.Content)
		if err != nil {
			writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: fmt.Sprintf("messages.[%d].content", i),
				Message: fmt.Sprintf("Invalid 'messages[%d].content': %v.", i, err)})
			return
		}
		rec.Messages = append(rec.Messages, Message{Role: m.Role, Content: text})
		if m.Role == "user" {
			last = text
		}
		prompt += len(Tokens(text)) + 3
	}
	faults, last, err := parseMarkers(last)
	if err != nil {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: "messages", Message: err.Error()})
		return
	}
	if s.cfg.Fault != "" {
		faults[s.cfg.Fault] = true
	}
	s.record(rec)

	text := answer(len(rec.Messages), last)
	if faults[NULs] {
		text = strings.ReplaceAll(text, " ", " \x00")
	}
	tokens := Tokens(text)
	finish := "stop"
	for _, limit := range []*int{req.MaxTokens, req.MaxCompletionTokens} {
		if limit != nil && *limit > 0 && *limit < len(tokens) {
			tokens, finish = tokens[:*limit], "length"
		}
	}
	u := usage{PromptTokens: prompt, CompletionTokens: len(tokens), TotalTokens: prompt + len(tokens)}
	delay := s.cfg.TokenDelay
	if faults[Slow] {
		delay = s.cfg.SlowTokenDelay
	}
	ctx := r.Context()
	switch {
	case faults[RateLimit]:
		writeRateLimit(w, *req.Model)
		return
	case s.sleep(ctx, s.cfg.FirstTokenDelay) != nil:
		return
	case faults[FailBeforeFirstToken]:
		writeServerError(w)
		return
	case faults[Hang]:
		s.hang(w, r, contentType(req.Stream))
		return
	}
	c := completion{
		ID:                fmt.Sprintf("chatcmpl-devmodel%d", s.seq.Add(1)),
		Created:           time.Now().Unix(),
		Model:             *req.Model,
		ServiceTier:       "default",
		SystemFingerprint: "fp_devmodel",
	}
	if !req.Stream {
		for range len(tokens) - 1 {
			if s.sleep(ctx, delay) != nil {
				return
			}
		}
		if faults[FailMidStream] {
			panic(http.ErrAbortHandler)
		}
		c.Object = "chat.completion"
		msg, _ := json.Marshal(map[string]any{"role": "assistant", "content": strings.Join(tokens, ""), "refusal": nil, "annotations": []any{}})
		c.Choices = []choice{{Message: msg, FinishReason: &finish}}
		c.Usage, _ = json.Marshal(u)
		writeJSON(w, http.StatusOK, c)
		return
	}

	w.Header().Set("Content-Type", contentType(true))
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	c.Object = "chat.completion.chunk"
	if req.StreamOptions.IncludeUsage {
		c.Usage = json.RawMessage("null")
	}
	send := func(delta any, finish *string) error {
		c.Choices = c.Choices[:0]
		if delta != nil {
			d, _ := json.Marshal(delta)
			c.Choices = append(c.Choices, choice{Delta: d, FinishReason: finish})
		}
		return writeEvent(w, rc, c)
	}
	if send(map[string]any{"role": "assistant", "content": "", "refusal": nil}, nil) != nil {
		return
	}
	cut := len(tokens)
	if faults[FailMidStream] {
		cut = max(1, len(tokens)/2)
	}
	for i, tok := range tokens[:min(cut, len(tokens))] {
		if i > 0 && s.sleep(ctx, delay) != nil {
			return
		}
		if send(map[string]string{"content": tok}, nil) != nil {
			return
		}
	}
	if faults[FailMidStream] {
		// Cut the connection without the terminating chunk: the client
		// reads an unexpected EOF.
		panic(http.ErrAbortHandler)
	}
	if send(struct{}{}, &finish) != nil {
		return
	}
	if req.StreamOptions.IncludeUsage {
		c.Usage, _ = json.Marshal(u)
		if send(nil, nil) != nil {
			return
		}
	}
	if _, err := fmt.Fprint(w, "data: [DONE]\n\n"); err == nil {
		_ = rc.Flush()
	}
}

func contentType(stream bool) string {
	if stream {
		return "text/event-stream; charset=utf-8"
	}
	return "application/json"
}

func writeEvent(w http.ResponseWriter, rc *http.ResponseController, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("devmodel: encoding event: %w", err)
	}
	if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
		return err
	}
	return rc.Flush()
}

// answer is the reply to n messages of which the last user one, markers
// removed, is last.
func answer(n int, last string) string {
	var b strings.Builder
	b.WriteString("Dev model here. ")
	if n == 1 {
		b.WriteString("I see 1 message. ")
	} else {
		fmt.Fprintf(&b, "I see %d messages. ", n)
	}
	words := strings.Fields(last)
	if len(words) == 0 {
		b.WriteString("Your last message is empty.")
	} else {
		quote := strings.Join(words[:min(8, len(words))], " ")
		if len(words) > 8 {
			quote += " …"
		}
		fmt.Fprintf(&b, "Your last message starts with: %q.", quote)
	}
	b.WriteString(" That is all I can say.")
	return b.String()
}

// Tokens splits text into the server's tokens: each run of non-space
// characters with the white space before it. Joined, they are text again
// (trailing white space excepted).
func Tokens(text string) []string {
	var toks []string
	start, inWord := 0, false
	for i, r := range text {
		space := unicode.IsSpace(r)
		if space && inWord {
			toks = append(toks, text[start:i])
			start = i
		}
		inWord = !space
	}
	if inWord {
		toks = append(toks, text[start:])
	}
	return toks
}

// contentText returns the text of a message's content: a string, an array
// of content parts (of which the text parts count) or null.
func contentText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", errors.New("expected a string or an array of content parts")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), nil
}

// parseMarkers returns the faults text selects and text without its markers.
func parseMarkers(text string) (map[Fault]bool, string, error) {
	faults := map[Fault]bool{}
	var rest strings.Builder
	for {
		before, after, ok := strings.Cut(text, markerOpen)
		rest.WriteString(before)
		if !ok {
			return faults, rest.String(), nil
		}
		name, after, ok := strings.Cut(after, markerClose)
		if !ok {
			return nil, "", errors.New("unterminated devmodel marker")
		}
		switch f := Fault(name); f {
		case FailBeforeFirstToken, FailMidStream, Hang, RateLimit, Slow, FailEmbedding, NULs:
			faults[f] = true
		default:
			return nil, "", fmt.Errorf("unknown devmodel marker %q", Marker(f))
		}
		text = after
	}
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

func writeBadJSON(w http.ResponseWriter, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, apiError{Type: "invalid_request_error", Message: "Request body too large."})
		return
	}
	writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error",
		Message: "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload, but what was sent was not valid JSON."})
}

func writeServerError(w http.ResponseWriter) {
	writeError(w, http.StatusInternalServerError, apiError{Type: "server_error",
		Message: "The server had an error while processing your request. Sorry about that!"})
}

func writeRateLimit(w http.ResponseWriter, model string) {
	h := w.Header()
	h.Set("Retry-After", "1")
	h.Set("X-Ratelimit-Limit-Requests", "60")
	h.Set("X-Ratelimit-Remaining-Requests", "0")
	h.Set("X-Ratelimit-Reset-Requests", "1s")
	writeError(w, http.StatusTooManyRequests, apiError{Type: "requests", Code: "rate_limit_exceeded",
		Message: fmt.Sprintf("Rate limit reached for %s on requests per min (RPM): Limit 60, Used 60, Requested 1. Please try again in 1s.", model)})
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
