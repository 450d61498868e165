package devmodel

// Answers: the deterministic answer to a chat request, sent whole as a
// chat.completion or streamed as chat.completion.chunk events, one token a
// chunk, at the configured pace.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
)

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

// chat answers a chat request: a rate limit at once; after the first-token
// delay, a fault that strikes before the answer, or the answer, whole or
// streamed.
func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	t, ok := readChat(w, r)
	if !ok {
		return
	}
	req, faults := t.req, t.faults
	if s.cfg.Fault != "" {
		faults[s.cfg.Fault] = true
	}
	s.record(t.rec)

	text := answer(t.rec.Model, len(t.rec.Messages), t.last)
	if len(t.rec.Messages) > 0 && strings.HasPrefix(t.rec.Messages[0].Content, TitlePrompt) {
		text = title(t.last)
	}
	if faults[NULs] {
		text = strings.ReplaceAll(text, " ", " \x00")
	}
	a := reply{tokens: Tokens(text), finish: "stop", delay: s.cfg.TokenDelay, failMidStream: faults[FailMidStream]}
	for _, limit := range []*int{req.MaxTokens, req.MaxCompletionTokens} {
		if limit != nil && *limit > 0 && *limit < len(a.tokens) {
			a.tokens, a.finish = a.tokens[:*limit], "length"
		}
	}
	a.usage = usage{PromptTokens: t.prompt, CompletionTokens: len(a.tokens), TotalTokens: t.prompt + len(a.tokens)}
	if faults[Slow] {
		a.delay = s.cfg.SlowTokenDelay
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
	a.c = completion{
		ID:                fmt.Sprintf("chatcmpl-devmodel%d", s.seq.Add(1)),
		Created:           time.Now().Unix(),
		Model:             *req.Model,
		ServiceTier:       "default",
		SystemFingerprint: "fp_devmodel",
	}
	if !req.Stream {
		s.whole(ctx, w, a)
		return
	}
	s.stream(ctx, w, a, req.StreamOptions.IncludeUsage)
}

// reply is the answer to a chat request, ready to send.
type reply struct {
	c             completion // id, model and times; the object and choices are set per message
	tokens        []string
	finish        string // "stop", or "length" when max_tokens cut the answer
	usage         usage
	delay         time.Duration // between content chunks
	failMidStream bool          // the connection is cut halfway
}

// whole sends a as one chat.completion, after as long as streaming it
// would have taken.
func (s *Server) whole(ctx context.Context, w http.ResponseWriter, a reply) {
	for range len(a.tokens) - 1 {
		if s.sleep(ctx, a.delay) != nil {
			return
		}
	}
	if a.failMidStream {
		panic(http.ErrAbortHandler)
	}
	c := a.c
	c.Object = "chat.completion"
	msg, _ := json.Marshal(map[string]any{"role": "assistant", "content": strings.Join(a.tokens, ""), "refusal": nil, "annotations": []any{}})
	c.Choices = []choice{{Message: msg, FinishReason: &a.finish}}
	c.Usage, _ = json.Marshal(a.usage)
	writeJSON(w, http.StatusOK, c)
}

// stream sends a as chat.completion.chunk events: the role, one content
// delta per token, the finish reason, the usage when includeUsage, then
// [DONE].
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, a reply, includeUsage bool) {
	w.Header().Set("Content-Type", contentType(true))
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	c := a.c
	c.Object = "chat.completion.chunk"
	if includeUsage {
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
	cut := len(a.tokens)
	if a.failMidStream {
		cut = max(1, len(a.tokens)/2)
	}
	for i, tok := range a.tokens[:min(cut, len(a.tokens))] {
		if i > 0 && s.sleep(ctx, a.delay) != nil {
			return
		}
		if send(map[string]string{"content": tok}, nil) != nil {
			return
		}
	}
	if a.failMidStream {
		// Cut the connection without the terminating chunk: the client
		// reads an unexpected EOF.
		panic(http.ErrAbortHandler)
	}
	if send(struct{}{}, &a.finish) != nil {
		return
	}
	if includeUsage {
		c.Usage, _ = json.Marshal(a.usage)
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

// answer is model's reply to n messages of which the last user one, markers
// removed, is last. It says which model it is, so that a test sees the
// model a turn chose.
func answer(model string, n int, last string) string {
	var b strings.Builder
	b.WriteString("Dev model here. ")
	fmt.Fprintf(&b, "I am %s. ", model)
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

// TitlePrompt begins the system prompt of a request for a conversation's
// title (shared/chat's): the dev model answers it with the first six words
// of the conversation's first message, so that tests can predict it.
const TitlePrompt = "You name conversations."

// title is the dev model's title for a title request whose last user
// message is the conversation ("User: …" on its first line).
func title(conversation string) string {
	first, _, _ := strings.Cut(conversation, "\n")
	first = strings.TrimSpace(strings.TrimPrefix(first, "User:"))
	words := strings.Fields(first)
	return strings.Join(words[:min(6, len(words))], " ")
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
