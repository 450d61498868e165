package devmodel_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/macro-ai/macro-ai/local/devmodel"
)

func client(baseURL string, opts ...option.RequestOption) openai.Client {
	opts = append([]option.RequestOption{option.WithBaseURL(baseURL), option.WithAPIKey("k"), option.WithMaxRetries(0)}, opts...)
	return openai.NewClient(opts...)
}

type streamed struct {
	text    string
	chunks  []openai.ChatCompletionChunk
	times   []time.Time // of the content chunks
	started time.Time
	err     error
}

func stream(ctx context.Context, c openai.Client, params openai.ChatCompletionNewParams) streamed {
	s := streamed{started: time.Now()}
	st := c.Chat.Completions.NewStreaming(ctx, params)
	defer st.Close()
	var b strings.Builder
	for st.Next() {
		ch := st.Current()
		s.chunks = append(s.chunks, ch)
		if len(ch.Choices) > 0 && ch.Choices[0].Delta.Content != "" {
			b.WriteString(ch.Choices[0].Delta.Content)
			s.times = append(s.times, time.Now())
		}
	}
	s.text, s.err = b.String(), st.Err()
	return s
}

func TestChatStreamedMatchesNonStreamed(t *testing.T) {
	_, url := devmodel.NewTestServer(t, devmodel.Config{})
	c := client(url)
	tests := []struct {
		name         string
		messages     []openai.ChatCompletionMessageParamUnion
		maxTokens    int64
		includeUsage bool
		want         []string // in the answer
		finish       string
	}{
		{
			name:     "one message",
			messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello there")},
			want:     []string{"I see 1 message.", `"hello there"`},
			finish:   "stop",
		},
		{
			name: "conversation with usage",
			messages: []openai.ChatCompletionMessageParamUnion{
				openai.SystemMessage("You are terse."),
				openai.UserMessage("what is the capital of France"),
				openai.AssistantMessage("Paris."),
				openai.UserMessage("and what is the capital of Italy, if you please, dear model?"),
			},
			includeUsage: true,
			want:         []string{"I see 4 messages.", `"and what is the capital of Italy, if …"`},
			finish:       "stop",
		},
		{
			name: "content parts",
			messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
				openai.TextContentPart("first part,"), openai.TextContentPart(" second part"),
			})},
			want:   []string{`"first part, second part"`},
			finish: "stop",
		},
		{
			name:         "cut by max tokens",
			messages:     []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello")},
			maxTokens:    5,
			includeUsage: true,
			want:         []string{"Dev model here. I am"},
			finish:       "length",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := openai.ChatCompletionNewParams{Model: "any-model", Messages: tt.messages}
			if tt.maxTokens > 0 {
				params.MaxCompletionTokens = openai.Int(tt.maxTokens)
			}
			whole, err := c.Chat.Completions.New(t.Context(), params)
			if err != nil {
				t.Fatal(err)
			}
			if whole.Model != "any-model" || len(whole.Choices) != 1 || whole.Choices[0].Message.Role != "assistant" {
				t.Fatalf("completion = %s", whole.RawJSON())
			}
			text := whole.Choices[0].Message.Content
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("answer %q lacks %q", text, w)
				}
			}
			if got := whole.Choices[0].FinishReason; got != tt.finish {
				t.Errorf("finish_reason = %q, want %q", got, tt.finish)
			}
			u := whole.Usage
			if u.PromptTokens <= 0 || u.CompletionTokens != int64(len(devmodel.Tokens(text))) || u.TotalTokens != u.PromptTokens+u.CompletionTokens {
				t.Errorf("usage = %+v for %d answer tokens", u, len(devmodel.Tokens(text)))
			}
			if tt.maxTokens > 0 && u.CompletionTokens != tt.maxTokens {
				t.Errorf("completion tokens = %d, want %d", u.CompletionTokens, tt.maxTokens)
			}

			if tt.includeUsage {
				params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			}
			s := stream(t.Context(), c, params)
			if s.err != nil {
				t.Fatal(s.err)
			}
			if s.text != text {
				t.Errorf("streamed %q, non-streamed %q", s.text, text)
			}
			if len(s.times) < 2 {
				t.Errorf("%d content chunks, want one per token", len(s.times))
			}
			first := s.chunks[0]
			if first.Object != "chat.completion.chunk" || first.Choices[0].Delta.Role != "assistant" {
				t.Errorf("first chunk = %s", first.RawJSON())
			}
			chunks := s.chunks
			if tt.includeUsage {
				last := chunks[len(chunks)-1]
				if len(last.Choices) != 0 || !last.JSON.Usage.Valid() || last.Usage.PromptTokens != u.PromptTokens ||
					last.Usage.CompletionTokens != u.CompletionTokens || last.Usage.TotalTokens != u.TotalTokens {
					t.Errorf("usage chunk = %s, want usage %+v", last.RawJSON(), u)
				}
				chunks = chunks[:len(chunks)-1]
			}
			for _, ch := range chunks {
				if ch.ID != first.ID || len(ch.Choices) != 1 || ch.JSON.Usage.Valid() && !tt.includeUsage {
					t.Errorf("chunk = %s", ch.RawJSON())
				}
			}
			if got := chunks[len(chunks)-1].Choices[0].FinishReason; got != tt.finish {
				t.Errorf("last finish_reason = %q, want %q", got, tt.finish)
			}
		})
	}
}

func TestStreamWire(t *testing.T) {
	_, url := devmodel.NewTestServer(t, devmodel.Config{})
	body := `{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`
	res, err := http.Post(url+"/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type = %q", ct)
	}
	var data []string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		d, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("line %q is not a data line", line)
		}
		data = append(data, d)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(data) < 4 || data[len(data)-1] != "[DONE]" {
		t.Fatalf("events = %q, want [DONE] last", data)
	}
	var usage struct {
		Choices []any          `json:"choices"`
		Usage   map[string]int `json:"usage"`
	}
	if err := json.Unmarshal([]byte(data[len(data)-2]), &usage); err != nil || usage.Choices == nil || len(usage.Choices) != 0 || usage.Usage["total_tokens"] == 0 {
		t.Errorf("usage event = %s (%v)", data[len(data)-2], err)
	}
}

func TestTokenDelay(t *testing.T) {
	const delay = 20 * time.Millisecond
	_, url := devmodel.NewTestServer(t, devmodel.Config{FirstTokenDelay: 50 * time.Millisecond, TokenDelay: delay})
	s := stream(t.Context(), client(url), openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("tell me about streams")},
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	n := len(s.times)
	if n < 10 {
		t.Fatalf("%d content chunks, want at least 10", n)
	}
	if ttft := s.times[0].Sub(s.started); ttft < 50*time.Millisecond {
		t.Errorf("first token after %v, before the first-token delay", ttft)
	}
	// The server waits (n-1)·delay between the first and the last chunk; a
	// buffered stream would deliver them together.
	if spread := s.times[n-1].Sub(s.times[0]); spread < time.Duration(n-1)*delay/2 || spread < 100*time.Millisecond {
		t.Errorf("first chunk only %v before the last of %d", spread, n)
	}
}

func TestFaults(t *testing.T) {
	srv, url := devmodel.NewTestServer(t, devmodel.Config{SlowTokenDelay: 40 * time.Millisecond})
	c := client(url)
	tests := []struct {
		name    string
		marker  devmodel.Fault
		stream  bool
		status  int           // of the APIError, if any
		partial bool          // some content arrives before the error
		timeout time.Duration // of the client's context
		check   func(t *testing.T, s streamed)
	}{
		{name: "fail before first token", marker: devmodel.FailBeforeFirstToken, stream: true, status: 500},
		{name: "fail before first token non-streamed", marker: devmodel.FailBeforeFirstToken, status: 500},
		{name: "rate limit", marker: devmodel.RateLimit, stream: true, status: 429},
		{name: "rate limit non-streamed", marker: devmodel.RateLimit, status: 429},
		{name: "fail mid-stream", marker: devmodel.FailMidStream, stream: true, partial: true},
		{name: "hang", marker: devmodel.Hang, stream: true, timeout: 300 * time.Millisecond},
		{name: "hang non-streamed", marker: devmodel.Hang, timeout: 300 * time.Millisecond},
		{name: "slow", marker: devmodel.Slow, stream: true, check: func(t *testing.T, s streamed) {
			if s.err != nil {
				t.Fatal(s.err)
			}
			if n := len(s.times); s.times[n-1].Sub(s.times[0]) < time.Duration(n-1)*40*time.Millisecond/2 {
				t.Errorf("%d chunks in %v", n, s.times[n-1].Sub(s.times[0]))
			}
		}},
	}
	t.Run("markers", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				if tt.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.timeout)
					defer cancel()
				}
				params := openai.ChatCompletionNewParams{Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{
					openai.UserMessage("please answer " + devmodel.Marker(tt.marker) + " now"),
				}}
				var s streamed
				if tt.stream {
					s = stream(ctx, c, params)
				} else {
					_, s.err = c.Chat.Completions.New(ctx, params)
				}
				if tt.check != nil {
					tt.check(t, s)
					return
				}
				if s.err == nil {
					t.Fatalf("no error; received %q", s.text)
				}
				var apiErr *openai.Error
				switch {
				case tt.status != 0:
					if !errors.As(s.err, &apiErr) || apiErr.StatusCode != tt.status || apiErr.Message == "" || apiErr.Type == "" {
						t.Fatalf("error = %v, want an APIError with status %d", s.err, tt.status)
					}
					if tt.status == 429 && (apiErr.Code != "rate_limit_exceeded" || apiErr.Response.Header.Get("Retry-After") == "") {
						t.Errorf("429 with code %q, retry-after %q", apiErr.Code, apiErr.Response.Header.Get("Retry-After"))
					}
				case errors.As(s.err, &apiErr):
					t.Fatalf("error = %v, want a transport error", s.err)
				case tt.timeout > 0 && !errors.Is(s.err, context.DeadlineExceeded):
					t.Errorf("error = %v, want the context's deadline", s.err)
				}
				if got := s.text != ""; got != tt.partial {
					t.Errorf("received %q before the error", s.text)
				}
			})
		}
	})
	// Without retries, each fault is one request.
	if n := len(srv.Requests()); n != len(tests) {
		t.Errorf("%d requests recorded, want %d", n, len(tests))
	}
}

func TestServerFault(t *testing.T) {
	_, url := devmodel.NewTestServer(t, devmodel.Config{Fault: devmodel.FailMidStream})
	s := stream(t.Context(), client(url), openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	if s.err == nil || s.text == "" {
		t.Errorf("received %q, error %v; want some content, then an error", s.text, s.err)
	}
}

func TestRequestsRecorded(t *testing.T) {
	srv, url := devmodel.NewTestServer(t, devmodel.Config{})
	c := client(url)
	_, err := c.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{
		openai.SystemMessage("context: the user likes tea"), openai.UserMessage("what do I like?"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	want := []devmodel.Message{{Role: "system", Content: "context: the user likes tea"}, {Role: "user", Content: "what do I like?"}}
	if len(reqs) != 1 || reqs[0].Path != "/v1/chat/completions" || reqs[0].Model != "m" || len(reqs[0].Messages) != 2 ||
		reqs[0].Messages[0] != want[0] || reqs[0].Messages[1] != want[1] {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestErrors(t *testing.T) {
	_, url := devmodel.NewTestServer(t, devmodel.Config{APIKey: "secret", ChatModel: "chat", EmbeddingModel: "embed"})
	tests := []struct {
		name, method, path, key, body string
		status                        int
		param                         string
	}{
		{"missing model", "POST", "/chat/completions", "secret", `{"messages":[{"role":"user","content":"hi"}]}`, 400, ""},
		{"missing messages", "POST", "/chat/completions", "secret", `{"model":"m"}`, 400, "messages"},
		{"empty messages", "POST", "/chat/completions", "secret", `{"model":"m","messages":[]}`, 400, "messages"},
		{"bad JSON", "POST", "/chat/completions", "secret", `{"model":`, 400, ""},
		{"unknown marker", "POST", "/chat/completions", "secret", `{"model":"m","messages":[{"role":"user","content":"[[devmodel:nope]]"}]}`, 400, "messages"},
		{"no key", "POST", "/chat/completions", "", `{}`, 401, ""},
		{"wrong key", "GET", "/models", "nope", ``, 401, ""},
		{"unknown URL", "GET", "/chat/completions", "secret", ``, 404, ""},
		{"unknown model", "GET", "/models/gpt-9", "secret", ``, 404, "model"},
		{"missing input", "POST", "/embeddings", "secret", `{"model":"e"}`, 400, "input"},
		{"empty input", "POST", "/embeddings", "secret", `{"model":"e","input":""}`, 400, "input"},
		{"bad dimensions", "POST", "/embeddings", "secret", `{"model":"e","input":"x","dimensions":0}`, 400, "dimensions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, url+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.key != "" {
				req.Header.Set("Authorization", "Bearer "+tt.key)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Error *struct {
					Message string  `json:"message"`
					Type    string  `json:"type"`
					Param   *string `json:"param"`
					Code    *string `json:"code"`
				} `json:"error"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.status || body.Error == nil || body.Error.Message == "" || body.Error.Type == "" {
				t.Fatalf("status %d, error %+v; want %d", res.StatusCode, body.Error, tt.status)
			}
			if got := body.Error.Param; tt.param == "" && got != nil || tt.param != "" && (got == nil || *got != tt.param) {
				t.Errorf("param = %v, want %q", got, tt.param)
			}
		})
	}

	t.Run("SDK with the wrong key", func(t *testing.T) {
		c := client(url, option.WithAPIKey("nope"))
		_, err := c.Models.List(t.Context())
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "invalid_api_key" {
			t.Errorf("error = %v, want a 401 invalid_api_key", err)
		}
	})
}

func TestModels(t *testing.T) {
	_, url := devmodel.NewTestServer(t, devmodel.Config{ChatModel: "chat-1", EmbeddingModel: "embed-1"})
	c := client(url)
	page, err := c.Models.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "chat-1,embed-1" {
		t.Errorf("models = %v", ids)
	}
	m, err := c.Models.Get(t.Context(), "embed-1")
	if err != nil || m.ID != "embed-1" || m.Object != "model" {
		t.Errorf("model = %+v, %v", m, err)
	}
}

func TestCloseEndsHang(t *testing.T) {
	srv, url := devmodel.NewTestServer(t, devmodel.Config{})
	c := client(url)
	done := make(chan streamed)
	go func() {
		done <- stream(context.Background(), c, openai.ChatCompletionNewParams{
			Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(devmodel.Marker(devmodel.Hang))},
		})
	}()
	for len(srv.Requests()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	srv.Close()
	select {
	case s := <-done:
		if s.text != "" {
			t.Errorf("hanging request received %q", s.text)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the hanging request")
	}
}
