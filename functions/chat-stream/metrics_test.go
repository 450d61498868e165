package main

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// syncBuffer is a log sink the turn's goroutines may write to at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// turnLines returns the "chat turn" EMF documents logged so far.
func (b *syncBuffer) turnLines() []observe.Document {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []observe.Document
	for _, l := range strings.Split(b.buf.String(), "\n") {
		if doc, ok := observe.ParseEMF([]byte(l)); ok && doc.Fields["msg"] == "chat turn" {
			out = append(out, doc)
		}
	}
	return out
}

// captureLogs sends slog's default logger to a buffer for the test.
func captureLogs(t *testing.T) *syncBuffer {
	var b syncBuffer
	prev := slog.Default()
	slog.SetDefault(observe.NewLogger(&b, slog.LevelInfo))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &b
}

// nextTurn waits for the n-th "chat turn" line: Run writes it once the
// stream is closed and the vectors are stored.
func nextTurn(t *testing.T, logs *syncBuffer, n int) observe.Document {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if lines := logs.turnLines(); len(lines) >= n {
			if len(lines) > n {
				t.Fatalf("%d chat turn lines, want %d: one per turn", len(lines), n)
			}
			return lines[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no chat turn line %d in time", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTurnMetrics: each turn writes one EMF line with its outcome, tokens,
// time to first token and where its history came from; a failed model call
// counts as a failed turn and a model error.
func TestTurnMetrics(t *testing.T) {
	logs := captureLogs(t)
	f := newFixture(t, nil)
	conv := f.conversation("t")

	// The first message: no history, so no cache metric.
	if status, body := f.stream(conv, map[string]string{"content": "first question"}); status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	doc := nextTurn(t, logs, 1)
	if doc.Fields["outcome"] != "done" || doc.Values[observe.ChatTurns] != 1 || doc.Values[observe.ChatTurnFailed] != 0 ||
		doc.Values[observe.ModelErrors] != 0 || doc.Values[observe.ModelTokens] <= 0 || doc.Values[observe.TimeToFirstToken] <= 0 {
		t.Errorf("first turn: %+v", doc.Values)
	}
	if _, ok := doc.Values[observe.HistoryCacheHit]; ok {
		t.Errorf("a first message has no history, yet HistoryCacheHit = %v", doc.Values[observe.HistoryCacheHit])
	}
	if doc.Units[observe.TimeToFirstToken] != observe.Milliseconds || doc.Fields["requestId"] == nil {
		t.Errorf("first turn line: %+v", doc.Fields)
	}

	// The second: its history is the window the first turn cached.
	f.stream(conv, map[string]string{"content": "second question"})
	if doc := nextTurn(t, logs, 2); doc.Values[observe.HistoryCacheHit] != 1 {
		t.Errorf("second turn: HistoryCacheHit %v, want 1 (%+v)", doc.Values[observe.HistoryCacheHit], doc.Values)
	}

	// The window is gone from Redis: the history comes from PostgreSQL.
	opt, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.Del(context.Background(), cache.HistoryKey(conv)).Err(); err != nil {
		t.Fatal(err)
	}
	f.stream(conv, map[string]string{"content": "third question"})
	if doc := nextTurn(t, logs, 3); doc.Values[observe.HistoryCacheHit] != 0 || doc.Values[observe.ChatTurnFailed] != 0 {
		t.Errorf("third turn: %+v, want a cache miss", doc.Values)
	}

	// The model fails before its first token.
	other := f.conversation("t")
	f.stream(other, map[string]string{"content": "question " + devmodel.Marker(devmodel.FailBeforeFirstToken)})
	doc = nextTurn(t, logs, 4)
	if doc.Fields["outcome"] != "model_failed" || doc.Fields["level"] != "WARN" || doc.Values[observe.ChatTurnFailed] != 1 || doc.Values[observe.ModelErrors] != 1 {
		t.Errorf("failed turn: %+v %+v", doc.Fields["outcome"], doc.Values)
	}
	if _, ok := doc.Values[observe.TimeToFirstToken]; ok {
		t.Errorf("no token came, yet TimeToFirstToken = %v", doc.Values[observe.TimeToFirstToken])
	}
}

// TestDatabaseDownIsCounted: the 503 a turn answers when PostgreSQL is down
// carries the DatabaseUnavailable metric on the line that says why, and no
// turn line (the model was never called).
func TestDatabaseDownIsCounted(t *testing.T) {
	logs := captureLogs(t)
	f := newFixture(t, nil)
	pg := testenv.StartPostgresT(t)
	url := pg.URL("postgres")
	pg.Stop()
	t.Setenv("DATABASE_URL", url)
	f.h = testenv.Wire(t, wire)
	if status, body := f.stream(uuid.NewString(), map[string]string{"content": "hi"}); status != 503 {
		t.Fatalf("%d %s", status, body)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	var counted int
	for _, l := range strings.Split(logs.buf.String(), "\n") {
		if doc, ok := observe.ParseEMF([]byte(l)); ok {
			if doc.Values[observe.DatabaseUnavailable] != 1 || doc.Fields["msg"] != "handler answered an error" {
				t.Errorf("metrics line %s", l)
			}
			counted++
		}
	}
	if counted != 1 {
		t.Errorf("%d metric lines, want 1:\n%s", counted, logs.buf.String())
	}
}

// TestClientGoneIsNoFailure: a client that leaves mid-answer ends its turn
// as client_gone, which is not a failed turn nor a model error.
func TestClientGoneIsNoFailure(t *testing.T) {
	logs := captureLogs(t)
	f := newFixture(t, nil)
	conv := f.conversation("t")
	resp := f.invokeStream(conv, map[string]string{"content": "a long answer please " + devmodel.Marker(devmodel.Slow)})
	r := bufio.NewReader(resp)
	for read := ""; !strings.Contains(read, "event: delta"); {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended early: %v", err)
		}
		read += line
	}
	resp.Close()
	doc := nextTurn(t, logs, 1)
	if doc.Fields["outcome"] != "client_gone" || doc.Values[observe.ChatTurnFailed] != 0 || doc.Values[observe.ModelErrors] != 0 ||
		doc.Values[observe.TimeToFirstToken] <= 0 || doc.Values[observe.ModelTokens] <= 0 {
		t.Errorf("turn line: %v %+v", doc.Fields["outcome"], doc.Values)
	}
}
