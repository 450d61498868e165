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
// the partial answer is kept as incomplete within one token interval of the
// disconnect (the gateway, the emulator and the function each notice it at
// once, not at their next write).
func TestChatStreamClientDisconnect(t *testing.T) {
	const tokenInterval = 250 * time.Millisecond // the dev model's slow mode
	_, modelURL := devmodel.NewTestServer(t, devmodel.Config{Dimensions: 512, SlowTokenDelay: tokenInterval})
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
	conn, err := pgx.Connect(context.Background(), s.db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	left := time.Now()
	cancel() // the client leaves after two deltas
	resp.Body.Close()
	var status, content string
	var storedAfter time.Duration
	for {
		err = conn.QueryRow(context.Background(), `SELECT status, content FROM messages
			WHERE conversation_id = $1 AND role = 'assistant'`, conv.ID).Scan(&status, &content)
		storedAfter = time.Since(left)
		if err == nil || storedAfter > 10*time.Second {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("no assistant message stored after the disconnect: %v", err)
	}
	if storedAfter > 300*time.Millisecond {
		t.Errorf("the partial answer was stored %v after the client left; want within one token interval (≤ 300 ms)", storedAfter)
	}
	// The dev model's answers all end with this sentence.
	if status != "incomplete" || content == "" || strings.Contains(content, "That is all I can say.") {
		t.Fatalf("assistant message %q, status %s: want a non-empty partial answer stored as incomplete", content, status)
	}
	t.Logf("partial answer %q stored %v after the client left (%v after the request)", content,
		storedAfter.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
