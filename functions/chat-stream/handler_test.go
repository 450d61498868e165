package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/chat"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fixture is the real handler against the test stack and a dev model server.
type fixture struct {
	t      *testing.T
	h      *handler
	model  *devmodel.Server
	db     *pgxpool.Pool
	userID string
	token  string
}

func newFixture(t *testing.T, env map[string]string) *fixture {
	t.Helper()
	stack := testenv.Get(t)
	dbURL := stack.NewDatabase(t)
	stack.Setenv(t, dbURL)
	model, baseURL := devmodel.NewTestServer(t, devmodel.Config{Dimensions: stack.EmbeddingDimensions})
	t.Setenv("OPENAI_API_KEY", "test-key")
	t.Setenv("OPENAI_BASE_URL", baseURL)
	t.Setenv("OPENAI_FIRST_TOKEN_TIMEOUT", "2s")
	t.Setenv("OPENAI_STREAM_IDLE_TIMEOUT", "1s")
	t.Setenv("OPENAI_EMBEDDING_TIMEOUT", "1s")
	t.Setenv("CHAT_RETRIEVAL_TIMEOUT", "500ms")
	t.Setenv("RATE_LIMIT_CHAT_PER_MINUTE", "1000")
	for k, v := range env {
		t.Setenv(k, v)
	}
	h := testenv.Wire(t, wire)
	pool := testenv.Pool(t, dbURL)
	email, sub := stack.NewConfirmedUser(t)
	access, _, _ := stack.SignIn(t, email, testenv.TestPassword)
	if _, err := store.UpsertUser(context.Background(), pool, sub, email); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, h: h, model: model, db: pool, userID: sub, token: access}
}

func (f *fixture) conversation(title string) string {
	f.t.Helper()
	c, err := store.CreateConversation(context.Background(), f.db, f.userID, title)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

// event is one server-sent event.
type event struct {
	Name string
	Data map[string]any
}

func parseEvents(t *testing.T, body string) []event {
	t.Helper()
	var out []event
	for _, block := range strings.Split(strings.TrimSpace(body), "\n\n") {
		if block == "" || strings.HasPrefix(block, ":") { // a keep-alive comment
			continue
		}
		var e event
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, "event: "):
				e.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e.Data); err != nil {
					t.Fatalf("event data %q: %v", line, err)
				}
			}
		}
		out = append(out, e)
	}
	return out
}

func names(evs []event) string {
	var n []string
	for _, e := range evs {
		n = append(n, e.Name)
	}
	return strings.Join(n, ",")
}

// streamEvent is what a Function URL sends: routeKey $default, the raw path.
func (f *fixture) streamEvent(conversationID string, body any) json.RawMessage {
	req := apitest.Event("POST", "/conversations/"+conversationID+"/messages", body)
	req.RouteKey = "$default"
	if f.token != "" {
		req.Headers["authorization"] = "Bearer " + f.token
	}
	raw, _ := json.Marshal(req)
	return raw
}

// stream invokes the handler as the Function URL and reads the whole stream.
func (f *fixture) stream(conversationID string, body any) (int, string) {
	f.t.Helper()
	resp := f.invokeStream(conversationID, body)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Close()
	return resp.StatusCode, string(b)
}

func (f *fixture) invokeStream(conversationID string, body any) *events.LambdaFunctionURLStreamingResponse {
	f.t.Helper()
	out, err := f.h.Invoke(context.Background(), f.streamEvent(conversationID, body))
	if err != nil {
		f.t.Fatal(err)
	}
	resp, ok := out.(*events.LambdaFunctionURLStreamingResponse)
	if !ok {
		f.t.Fatalf("a Function URL invocation answered %T, want a streaming response", out)
	}
	return resp
}

func (f *fixture) messages(conversationID string) []store.Message {
	f.t.Helper()
	page, err := store.ListMessages(context.Background(), f.db, f.userID, conversationID, 200, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return page.Items
}

func (f *fixture) vectors(conversationID string) int {
	var n int
	f.db.QueryRow(context.Background(), "SELECT count(*) FROM message_embeddings WHERE conversation_id = $1", conversationID).Scan(&n)
	return n
}

func TestFullTurnStreamed(t *testing.T) {
	f := newFixture(t, nil)
	conv := f.conversation(store.DefaultTitle)
	status, body := f.stream(conv, map[string]string{"content": "Plan a weekend in Lisbon\nwith good food"})
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	evs := parseEvents(t, body)
	if n := names(evs); !strings.HasPrefix(n, "start,delta,") || !strings.HasSuffix(n, ",done") {
		t.Fatalf("events %s, want start, delta…, done", n)
	}
	start, done := evs[0].Data, evs[len(evs)-1].Data
	var text strings.Builder
	for _, e := range evs[1 : len(evs)-1] {
		text.WriteString(e.Data["text"].(string))
	}
	if start["conversationId"] != conv || start["assistantMessageId"] != done["assistantMessageId"] {
		t.Errorf("start %v / done %v", start, done)
	}
	usage := done["usage"].(map[string]any)
	if done["finishReason"] != "stop" || usage["promptTokens"].(float64) <= 0 || usage["completionTokens"].(float64) <= 0 {
		t.Errorf("done = %v", done)
	}
	msgs := f.messages(conv)
	if len(msgs) != 2 || msgs[0].ID != start["userMessageId"] || msgs[0].Role != "user" ||
		msgs[1].ID != start["assistantMessageId"] || msgs[1].Content != text.String() || msgs[1].Status != "complete" {
		t.Fatalf("stored %+v; streamed %q", msgs, text.String())
	}
	if !strings.Contains(text.String(), "Plan a weekend in Lisbon") {
		t.Errorf("the model did not see the message: %q", text.String())
	}
	c, _ := store.GetConversation(context.Background(), f.db, f.userID, conv)
	if c.Title != "Plan a weekend in Lisbon" || c.MessageCount != 2 {
		t.Errorf("conversation after the turn = %+v", c)
	}
	if n := f.vectors(conv); n != 2 {
		t.Errorf("%d vectors stored, want 2", n)
	}
}

func TestTurnThroughHTTPAPIRouteIsBuffered(t *testing.T) {
	f := newFixture(t, nil)
	conv := f.conversation("kept title")
	req := apitest.Event("POST", "/conversations/"+conv+"/messages", map[string]string{"content": "hello there"},
		apitest.WithUser(f.userID, ""), apitest.WithPathParameter("id", conv))
	raw, _ := json.Marshal(req)
	out, err := f.h.Invoke(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	resp, ok := out.(apitest.Response)
	if !ok || resp.StatusCode != 200 || !strings.HasPrefix(resp.Headers["Content-Type"], "text/event-stream") {
		t.Fatalf("answer %T %+v", out, out)
	}
	if n := names(parseEvents(t, resp.Body)); !strings.HasPrefix(n, "start,delta") || !strings.HasSuffix(n, "done") {
		t.Errorf("events %s", n)
	}
	if c, _ := store.GetConversation(context.Background(), f.db, f.userID, conv); c.Title != "kept title" {
		t.Errorf("a named conversation was renamed to %q", c.Title)
	}
}

// TestRetrieval: a fact told in conversation A reaches the prompt of a related
// question in conversation B.
func TestRetrieval(t *testing.T) {
	f := newFixture(t, nil)
	a, b := f.conversation("A"), f.conversation("B")
	if s, body := f.stream(a, map[string]string{"content": "My cat Zorro loves grilled sardines more than anything."}); s != 200 {
		t.Fatalf("turn in A: %d %s", s, body)
	}
	f.stream(a, map[string]string{"content": "Unrelated: the train to Porto leaves at nine."})
	if s, body := f.stream(b, map[string]string{"content": "What food does my cat Zorro love?"}); s != 200 {
		t.Fatalf("turn in B: %d %s", s, body)
	}
	prompt := lastChat(t, f.model)
	var context string
	for _, m := range prompt {
		if strings.Contains(m.Content, "<excerpt role=") {
			if m.Role != "user" {
				t.Errorf("the excerpts come as a %s message; want a user message, never the system's authority", m.Role)
			}
			context += m.Content
		}
	}
	if !strings.Contains(context, "grilled sardines") {
		t.Errorf("the related fact from A is not in B's prompt; excerpts:\n%s", context)
	}
	if strings.Contains(context, "train to Porto") {
		t.Errorf("an unrelated message passed the similarity threshold:\n%s", context)
	}
}

// TestRetrievalByTheCachedVector: a turn in a conversation with a cached
// window searches related messages by the vector of the window's question,
// without waiting for its own message's embedding — here one that fails.
func TestRetrievalByTheCachedVector(t *testing.T) {
	f := newFixture(t, nil)
	a, b := f.conversation("A"), f.conversation("B")
	if s, body := f.stream(a, map[string]string{"content": "My cat Zorro loves grilled sardines more than anything."}); s != 200 {
		t.Fatalf("turn in A: %d %s", s, body)
	}
	if s, body := f.stream(b, map[string]string{"content": "What food does my cat Zorro love?"}); s != 200 {
		t.Fatalf("first turn in B: %d %s", s, body)
	}
	f.model.SetFailEmbeddings(true)
	defer f.model.SetFailEmbeddings(false)
	if s, body := f.stream(b, map[string]string{"content": "Tell me more."}); s != 200 || !strings.Contains(body, "event: done") {
		t.Fatalf("second turn in B: %d %s", s, body)
	}
	if !strings.Contains(excerpts(t, lastChat(t, f.model)), "grilled sardines") {
		t.Error("the second turn found nothing by the cached vector of the first question")
	}
}

// TestSlowEmbeddingDoesNotHoldTheTurn: with no cached vector and an
// embedding slower than CHAT_RETRIEVAL_WAIT, the turn answers without
// retrieved context, and the vectors are left for the backfill once the
// embeddings give up (OPENAI_EMBEDDING_TIMEOUT).
func TestSlowEmbeddingDoesNotHoldTheTurn(t *testing.T) {
	f := newFixture(t, map[string]string{"CHAT_RETRIEVAL_WAIT": "50ms"})
	a, b := f.conversation("A"), f.conversation("B")
	if s, body := f.stream(a, map[string]string{"content": "My cat Zorro loves grilled sardines more than anything."}); s != 200 {
		t.Fatalf("turn in A: %d %s", s, body)
	}
	f.model.SetEmbeddingDelay(5 * time.Second) // past CHAT_RETRIEVAL_TIMEOUT (500ms)
	defer f.model.SetEmbeddingDelay(0)
	s, body := f.stream(b, map[string]string{"content": "What food does my cat Zorro love?"})
	if s != 200 || !strings.Contains(body, "event: done") {
		t.Fatalf("turn in B: %d %s", s, body)
	}
	if got := excerpts(t, lastChat(t, f.model)); got != "" {
		t.Errorf("excerpts without a vector to search by:\n%s", got)
	}
	if n := f.vectors(b); n != 0 {
		t.Errorf("%d vectors in B; want none: the embeddings gave up, the backfill makes them", n)
	}
}

// excerpts is the retrieved context of a prompt.
func excerpts(t *testing.T, prompt []devmodel.Message) string {
	t.Helper()
	var out string
	for _, m := range prompt {
		if strings.Contains(m.Content, "<excerpt role=") {
			out += m.Content
		}
	}
	return out
}

func lastChat(t *testing.T, m *devmodel.Server) []devmodel.Message {
	t.Helper()
	reqs := m.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if strings.HasSuffix(reqs[i].Path, "/chat/completions") {
			return reqs[i].Messages
		}
	}
	t.Fatal("the model received no chat request")
	return nil
}

// TestTokenBudget: a long conversation sends only the newest messages that fit.
func TestTokenBudget(t *testing.T) {
	f := newFixture(t, map[string]string{"CHAT_HISTORY_TOKEN_BUDGET": "3000"})
	conv := f.conversation("long")
	for i := range 40 { // each ~500 estimated tokens: 40 would be ~20 000
		role := []string{"user", "assistant"}[i%2]
		content := fmt.Sprintf("message-%02d ", i) + strings.Repeat("lorem ipsum ", 165)
		if _, err := f.db.Exec(context.Background(), `INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, $3, $4)`,
			conv, f.userID, role, content); err != nil {
			t.Fatal(err)
		}
	}
	if s, body := f.stream(conv, map[string]string{"content": "and now?"}); s != 200 {
		t.Fatalf("%d %s", s, body)
	}
	prompt := lastChat(t, f.model)
	var history []string
	for _, m := range prompt {
		if strings.HasPrefix(m.Content, "message-") {
			history = append(history, m.Content[:10])
		}
	}
	if len(history) == 0 || len(history) > 6 {
		t.Fatalf("%d history messages in the prompt, want 1..6 for a 3000-token budget", len(history))
	}
	if history[len(history)-1] != "message-39" || prompt[len(prompt)-1].Content != "and now?" {
		t.Errorf("the newest history is not last: %v", history)
	}
	if strings.Contains(strings.Join(history, ","), "message-00") {
		t.Error("the oldest message was sent")
	}
}

func TestIdempotentRetry(t *testing.T) {
	f := newFixture(t, nil)
	conv := f.conversation("t")
	id := uuid.NewString()
	body := map[string]string{"content": "only once please", "clientMessageId": id}
	_, first := f.stream(conv, body)
	_, second := f.stream(conv, body)
	e1, e2 := parseEvents(t, first), parseEvents(t, second)
	if e1[0].Data["userMessageId"] != e2[0].Data["userMessageId"] || e1[0].Data["assistantMessageId"] != e2[0].Data["assistantMessageId"] {
		t.Errorf("the retry answered other ids: %v vs %v", e1[0].Data, e2[0].Data)
	}
	if names(e2) != "start,delta,done" {
		t.Errorf("retry events %s", names(e2))
	}
	if msgs := f.messages(conv); len(msgs) != 2 {
		t.Errorf("%d messages stored after a retry, want 2", len(msgs))
	}
	chats := 0
	for _, r := range f.model.Requests() {
		if strings.HasSuffix(r.Path, "/chat/completions") {
			chats++
		}
	}
	if chats != 1 {
		t.Errorf("the model was called %d times, want 1", chats)
	}
}

// TestRetryAfterFailureAnswersAgain: a retry of a turn whose answer failed
// keeps the one user message and replaces the incomplete answer.
func TestRetryAfterFailureAnswersAgain(t *testing.T) {
	f := newFixture(t, nil)
	conv := f.conversation("t")
	id := uuid.NewString()
	f.stream(conv, map[string]string{"content": "tell me " + devmodel.Marker(devmodel.FailMidStream), "clientMessageId": id})
	if msgs := f.messages(conv); len(msgs) != 2 || msgs[1].Status != "incomplete" {
		t.Fatalf("after the failure: %+v", msgs)
	}
	// The client retries the same message (the marker is gone from a retry in
	// real life; the stored content is what counts, so the retry must not
	// store a second copy).
	_, body := f.stream(conv, map[string]string{"content": "tell me " + devmodel.Marker(devmodel.FailMidStream), "clientMessageId": id})
	if !strings.Contains(body, "event: error") {
		t.Fatalf("retry: %s", body)
	}
	msgs := f.messages(conv)
	if len(msgs) != 2 || msgs[0].Role != "user" || msgs[1].Status != "incomplete" {
		t.Errorf("after the retry: %+v", msgs)
	}
}

func TestModelFailures(t *testing.T) {
	tests := []struct {
		name           string
		fault          devmodel.Fault
		wantAnswer     string // "" none stored, else its status
		wantPartialGt0 bool
	}{
		{"fails before the first token", devmodel.FailBeforeFirstToken, "", false},
		{"fails mid-stream", devmodel.FailMidStream, "incomplete", true},
		{"hangs", devmodel.Hang, "", false},
		{"rate limited", devmodel.RateLimit, "", false},
	}
	f := newFixture(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.t = t
			conv := f.conversation("t")
			start := time.Now()
			status, body := f.stream(conv, map[string]string{"content": "question " + devmodel.Marker(tt.fault)})
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("the turn took %s", d)
			}
			evs := parseEvents(t, body)
			last := evs[len(evs)-1]
			if evs[0].Name != "start" || last.Name != "error" {
				t.Fatalf("events %s, want start … error", names(evs))
			}
			if code := last.Data["error"].(map[string]any)["code"]; code != "upstream_error" {
				t.Errorf("error code %v", code)
			}
			msgs := f.messages(conv)
			if len(msgs) == 0 || msgs[0].Role != "user" || !strings.HasPrefix(msgs[0].Content, "question") {
				t.Fatalf("the user's message was lost: %+v", msgs)
			}
			if tt.wantAnswer == "" {
				if len(msgs) != 1 {
					t.Errorf("an answer was stored: %+v", msgs)
				}
				return
			}
			if len(msgs) != 2 || msgs[1].Status != tt.wantAnswer || msgs[1].Content == "" {
				t.Errorf("answer %+v, want %s with the partial text", msgs, tt.wantAnswer)
			}
		})
	}
}

// TestClientDisconnect: the client goes away after the first delta; the
// partial answer is stored all the same.
func TestClientDisconnect(t *testing.T) {
	f := newFixture(t, nil)
	conv := f.conversation("t")
	resp := f.invokeStream(conv, map[string]string{"content": "a long answer please " + devmodel.Marker(devmodel.Slow)})
	r := bufio.NewReader(resp)
	read := ""
	for !strings.Contains(read, "event: delta") {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended early: %v (%q)", err, read)
		}
		read += line
	}
	start := time.Now()
	resp.Close() // what the runtime does when the client disconnects
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %s", d)
	}
	msgs := f.messages(conv)
	if len(msgs) != 2 || msgs[1].Status != "incomplete" || msgs[1].Content == "" {
		t.Fatalf("after the disconnect: %+v", msgs)
	}
	if strings.Contains(msgs[1].Content, "That is all I can say.") {
		t.Error("the model was not stopped: the whole answer was generated")
	}
}

func TestRedisDownTheTurnStillWorks(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "redis://" + l.Addr().String() + "/0"
	l.Close()
	f := newFixture(t, map[string]string{"REDIS_URL": dead})
	conv := f.conversation("t")
	status, body := f.stream(conv, map[string]string{"content": "still there?"})
	if status != 200 || !strings.HasSuffix(names(parseEvents(t, body)), "done") {
		t.Fatalf("%d %s", status, body)
	}
}

func TestDatabaseDownIs503BeforeTheStream(t *testing.T) {
	f := newFixture(t, nil)
	pg := testenv.StartPostgresT(t)
	url := pg.URL("postgres")
	pg.Stop()
	t.Setenv("DATABASE_URL", url)
	h := testenv.Wire(t, wire)
	f.h = h
	start := time.Now()
	status, body := f.stream(uuid.NewString(), map[string]string{"content": "hi"})
	if status != 503 || !strings.Contains(body, `"database_unavailable"`) {
		t.Errorf("%d %s", status, body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("answered in %s", d)
	}
}

func TestRejectedBeforeTheStream(t *testing.T) {
	f := newFixture(t, nil)
	conv := f.conversation("t")
	other := newFixture(t, nil)
	tests := []struct {
		name   string
		token  string
		conv   string
		body   any
		status int
		code   string
	}{
		{"no token", "-", conv, map[string]string{"content": "x"}, 401, "unauthorized"},
		{"garbage token", "abc", conv, map[string]string{"content": "x"}, 401, "unauthorized"},
		{"another user's conversation", other.token, conv, map[string]string{"content": "x"}, 404, "not_found"},
		{"malformed conversation id", "", "nope", map[string]string{"content": "x"}, 404, "not_found"},
		{"empty content", "", conv, map[string]string{"content": "  "}, 400, "validation_failed"},
		{"content over 10 000", "", conv, map[string]string{"content": strings.Repeat("a", 10001)}, 400, "validation_failed"},
		{"clientMessageId not a UUID", "", conv, map[string]string{"content": "x", "clientMessageId": "42"}, 400, "validation_failed"},
		{"not JSON", "", conv, "{", 400, "invalid_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := *f
			g.t = t
			switch tt.token {
			case "-":
				g.token = ""
			case "":
			default:
				g.token = tt.token
			}
			status, body := g.stream(tt.conv, tt.body)
			if status != tt.status || !strings.Contains(body, `"code":"`+tt.code+`"`) {
				t.Errorf("%d %s, want %d %s", status, body, tt.status, tt.code)
			}
		})
	}
	if msgs := f.messages(conv); len(msgs) != 0 {
		t.Errorf("rejected requests stored %d messages", len(msgs))
	}
}

func TestRateLimited(t *testing.T) {
	f := newFixture(t, map[string]string{"RATE_LIMIT_CHAT_PER_MINUTE": "2"})
	conv := f.conversation("t")
	for i := range 2 {
		if s, body := f.stream(conv, map[string]string{"content": fmt.Sprint("turn ", i)}); s != 200 {
			t.Fatalf("turn %d: %d %s", i, s, body)
		}
	}
	resp := f.invokeStream(conv, map[string]string{"content": "one too many"})
	b, _ := io.ReadAll(resp.Body)
	resp.Close()
	if resp.StatusCode != 429 || resp.Headers["Retry-After"] == "" || !strings.Contains(string(b), "rate_limited") {
		t.Errorf("%d %v %s", resp.StatusCode, resp.Headers, b)
	}
}

func TestWarmup(t *testing.T) {
	f := newFixture(t, nil)
	out, err := f.h.Invoke(context.Background(), json.RawMessage(`{"warmup":true}`))
	if err != nil || out.(apitest.Response).StatusCode != 200 {
		t.Errorf("%v %v", out, err)
	}
	if len(f.model.Requests()) != 0 {
		t.Error("warmup called the model")
	}
}

// TestNULsInInputAndOutput: a NUL character (no PostgreSQL text holds one) in
// a message is a 400 validation_failed before anything is stored; in the
// model's answer it is dropped, and the answer is streamed and stored.
func TestNULsInInputAndOutput(t *testing.T) {
	f := newFixture(t, nil)
	conv := f.conversation(store.DefaultTitle)
	status, body := f.stream(conv, map[string]string{"content": "hello\x00there"})
	if status != 400 || !strings.Contains(body, `"validation_failed"`) || !strings.Contains(body, `"content"`) {
		t.Fatalf("a NUL in the message: %d %s", status, body)
	}
	if n := len(f.messages(conv)); n != 0 {
		t.Fatalf("%d messages stored after a refused one", n)
	}
	status, body = f.stream(conv, map[string]string{"content": "answer with some NULs " + devmodel.Marker(devmodel.NULs)})
	evs := parseEvents(t, body)
	if status != 200 || !strings.HasSuffix(names(evs), ",done") {
		t.Fatalf("an answer with NULs: %d %s", status, names(evs))
	}
	var streamed strings.Builder
	for _, e := range evs {
		if e.Name == "delta" {
			streamed.WriteString(e.Data["text"].(string))
		}
	}
	msgs := f.messages(conv)
	if len(msgs) != 2 || msgs[1].Status != "complete" || msgs[1].Content != streamed.String() ||
		strings.ContainsRune(msgs[1].Content, 0) || !strings.Contains(msgs[1].Content, "That is all I can say.") {
		t.Fatalf("stored %+v; streamed %q", msgs, streamed.String())
	}
}

// TestPanicInTheTurnEndsTheStream: a panic while the answer streams ends the
// stream with an error event (streamed or buffered), the user's message kept;
// the instance lives on.
func TestPanicInTheTurnEndsTheStream(t *testing.T) {
	f := newFixture(t, nil)
	f.h.run = func(ctx context.Context, _ *chat.Turn, out *api.SSE) {
		_ = out.Event("start", map[string]string{"conversationId": "x"})
		var m map[string]int
		//lint:ignore SA5000 the write to a nil map is the panic under test (a runtime error, as a real bug would raise)
		m["boom"]++ // a nil map: panics
	}
	conv := f.conversation(store.DefaultTitle)
	status, body := f.stream(conv, map[string]string{"content": "will it survive?"})
	evs := parseEvents(t, body)
	if status != 200 || names(evs) != "start,error" || evs[1].Data["error"].(map[string]any)["code"] != "internal" {
		t.Fatalf("streamed: %d %s", status, body)
	}
	msgs := f.messages(conv)
	if len(msgs) != 1 || msgs[0].Content != "will it survive?" {
		t.Fatalf("stored %+v, want the user's message", msgs)
	}
}

// chatCalls counts the chat completions the model was asked for to answer
// (a new conversation's title call aside).
func chatCalls(m *devmodel.Server) int {
	n := 0
	for _, r := range m.Requests() {
		if strings.HasSuffix(r.Path, "/chat/completions") &&
			(len(r.Messages) == 0 || !strings.HasPrefix(r.Messages[0].Content, devmodel.TitlePrompt)) {
			n++
		}
	}
	return n
}

// TestRetryWhileAnsweringIsRefused: a retry with the same clientMessageId
// while the first attempt is still answering is 409 turn_in_progress with
// Retry-After, never a second model call; once the answer is stored, the
// retry gets it back; after an attempt that stored nothing, a retry answers
// at once.
func TestRetryWhileAnsweringIsRefused(t *testing.T) {
	f := newFixture(t, nil)
	conv := f.conversation(store.DefaultTitle)
	body := map[string]any{"content": "tell me a story " + devmodel.Marker(devmodel.Slow), "clientMessageId": uuid.NewString()}
	first := f.invokeStream(conv, body)
	br := bufio.NewReader(first.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("the first attempt ended before its first delta: %v", err)
		}
		if line == "event: delta\n" {
			break
		}
	}

	retry := f.invokeStream(conv, body)
	b, _ := io.ReadAll(retry.Body)
	retry.Close()
	if retry.StatusCode != 409 || !strings.Contains(string(b), `"turn_in_progress"`) || retry.Headers["Retry-After"] == "" {
		t.Fatalf("a retry while answering: %d %v %s", retry.StatusCode, retry.Headers, b)
	}
	if n := chatCalls(f.model); n != 1 {
		t.Fatalf("%d model calls, want 1", n)
	}

	if _, err := io.ReadAll(br); err != nil {
		t.Fatal(err)
	}
	first.Close()
	status, replay := f.stream(conv, body)
	if evs := parseEvents(t, replay); status != 200 || names(evs) != "start,delta,done" {
		t.Fatalf("a retry after the answer: %d %s", status, replay)
	}
	if n := chatCalls(f.model); n != 1 {
		t.Errorf("%d model calls after the replay, want 1", n)
	}

	// An attempt that stored nothing (the model failed before any text)
	// leaves no claim: the retry asks the model again at once.
	failing := map[string]any{"content": "fail " + devmodel.Marker(devmodel.FailBeforeFirstToken), "clientMessageId": uuid.NewString()}
	for i := range 2 {
		status, out := f.stream(conv, failing)
		if evs := parseEvents(t, out); status != 200 || !strings.HasSuffix(names(evs), "error") {
			t.Fatalf("attempt %d of a failing turn: %d %s", i+1, status, out)
		}
	}
}

// TestDailyQuotas: a used-up quota is 429 quota_exceeded with the time it
// resets, before the message is stored; what a turn spent once done (its
// tokens) counts against the next one.
func TestDailyQuotas(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		turns int // allowed before the refusal
		quota string
	}{
		{"turns", map[string]string{"QUOTA_TURNS_PER_DAY": "2"}, 2, "chat turns (2)"},
		{"tokens, counted when the turn is done", map[string]string{"QUOTA_TOKENS_PER_DAY": "5"}, 1, "model tokens (5)"},
		{"bytes stored", map[string]string{"QUOTA_STORED_BYTES_PER_DAY": "30"}, 1, "bytes stored (30)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.env)
			conv := f.conversation("t")
			for i := range tt.turns {
				if status, body := f.stream(conv, map[string]string{"content": fmt.Sprint("question ", i)}); status != 200 {
					t.Fatalf("turn %d: %d %s", i+1, status, body)
				}
			}
			resp := f.invokeStream(conv, map[string]string{"content": "one too many"})
			b, _ := io.ReadAll(resp.Body)
			midnight := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
			if resp.StatusCode != 429 || !strings.Contains(string(b), `"quota_exceeded"`) ||
				!strings.Contains(string(b), tt.quota) || !strings.Contains(string(b), midnight.Format(time.RFC3339)) {
				t.Fatalf("%d %s, want 429 quota_exceeded for %s resetting at %s", resp.StatusCode, b, tt.quota, midnight.Format(time.RFC3339))
			}
			if ra, _ := strconv.Atoi(resp.Headers["Retry-After"]); ra < 1 || ra > 86400 {
				t.Errorf("Retry-After %q, want the seconds until midnight UTC", resp.Headers["Retry-After"])
			}
			if n := len(f.messages(conv)); n != 2*tt.turns {
				t.Errorf("%d messages stored, want %d: the refused one is not", n, 2*tt.turns)
			}
		})
	}
}
