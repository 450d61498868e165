package e2e

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/macro-ai/macro-ai/local/devmodel"
)

// TestChatStreamClientDisconnect: a client that leaves mid-answer (the web
// app's stop button) stops the model through the real runtime path — the
// emulator drops the function's response connection as Lambda does — and
// the partial answer is kept as incomplete, well before the model would have
// finished.
func TestChatStreamClientDisconnect(t *testing.T) {
	_, modelURL := devmodel.NewTestServer(t, devmodel.Config{Dimensions: 512, SlowTokenDelay: 200 * time.Millisecond})
	s := newStack(t, func(v map[string]string) {
		v["OPENAI_BASE_URL"], v["OPENAI_API_KEY"] = modelURL, "dev"
	})
	fu, err := s.gw.FunctionURL("chat-stream")
	if err != nil {
		t.Fatal(err)
	}
	stream := httptest.NewServer(fu)
	defer stream.Close()

	token, _, _ := s.signIn(t)
	var conv struct{ ID string }
	s.do("POST", "/conversations", token, map[string]string{}).decode(t, &conv)

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", stream.URL+"/conversations/"+conv.ID+"/messages",
		strings.NewReader(`{"content":"[[devmodel:slow]] tell me a long story about a cat called Miso who loves the rain"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	deltas := 0
	for sc.Scan() && deltas < 2 {
		if sc.Text() == "event: delta" {
			deltas++
		}
	}
	cancel() // the client leaves after two deltas
	resp.Body.Close()

	conn, err := pgx.Connect(context.Background(), s.db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var status, content string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		err = conn.QueryRow(context.Background(), `SELECT status, content FROM messages
			WHERE conversation_id = $1 AND role = 'assistant'`, conv.ID).Scan(&status, &content)
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("no assistant message stored after the disconnect: %v", err)
	}
	// The dev model's answers all end with this sentence.
	if status != "incomplete" || content == "" || strings.Contains(content, "That is all I can say.") {
		t.Fatalf("assistant message %q, status %s: want a non-empty partial answer stored as incomplete", content, status)
	}
	t.Logf("partial answer %q stored %v after the request", content, time.Since(start).Round(time.Millisecond))
}
