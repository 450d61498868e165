package api

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer records writes with their times; it fails writes once broken.
type lockedBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes []time.Time
	broken bool
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.broken {
		return 0, errors.New("connection reset")
	}
	b.writes = append(b.writes, time.Now())
	return b.buf.Write(p)
}

func (b *lockedBuffer) snapshot() (string, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String(), len(b.writes)
}

func TestSSEKeepAlive(t *testing.T) {
	const idle = 20 * time.Millisecond
	t.Run("a silent stream gets comments, events are untouched", func(t *testing.T) {
		var b lockedBuffer
		s := NewSSE(&b)
		stop := s.KeepAlive(idle)
		defer stop()
		if err := s.Event("start", map[string]int{"n": 1}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * idle)
		if err := s.Event("done", map[string]int{"n": 2}); err != nil {
			t.Fatal(err)
		}
		stop()
		out, _ := b.snapshot()
		if !strings.HasPrefix(out, "event: start\ndata: {\"n\":1}\n\n:\n\n") || !strings.HasSuffix(out, ":\n\nevent: done\ndata: {\"n\":2}\n\n") {
			t.Fatalf("stream %q: want the events with keep-alive comments between them", out)
		}
		if n := strings.Count(out, ":\n\n"); n < 2 || n > 6 {
			t.Errorf("%d comments in %v of silence at an idle of %v", n, 5*idle, idle)
		}
	})
	t.Run("a busy stream gets none", func(t *testing.T) {
		var b lockedBuffer
		s := NewSSE(&b)
		defer s.KeepAlive(idle)()
		for range 20 {
			if err := s.Event("delta", map[string]string{"text": "x"}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(idle / 4)
		}
		if out, _ := b.snapshot(); strings.Contains(out, ":\n\n") {
			t.Errorf("a comment between events %v apart: %q", idle/4, out)
		}
	})
	t.Run("a failed write ends it and fails the next event", func(t *testing.T) {
		var b lockedBuffer
		s := NewSSE(&b)
		defer s.KeepAlive(idle)()
		b.mu.Lock()
		b.broken = true
		b.mu.Unlock()
		time.Sleep(3 * idle)
		if s.Err() == nil {
			t.Fatal("the keep-alive's failed write was not recorded")
		}
		if err := s.Event("delta", map[string]string{"text": "x"}); err == nil {
			t.Error("an event after a failed keep-alive succeeded")
		}
	})
	t.Run("nothing after Close", func(t *testing.T) {
		var b lockedBuffer
		s := NewSSE(&b)
		defer s.KeepAlive(idle)()
		_ = s.Close()
		time.Sleep(3 * idle)
		if _, n := b.snapshot(); n != 0 {
			t.Errorf("%d writes after Close", n)
		}
	})
}
