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
		// Until two comments have gone out (polled, not a fixed sleep: a
		// loaded machine may take longer, never less).
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(idle / 2) {
			if out, _ := b.snapshot(); strings.Count(out, ":\n\n") >= 2 || time.Now().After(deadline) {
				break
			}
		}
		if err := s.Event("done", map[string]int{"n": 2}); err != nil {
			t.Fatal(err)
		}
		stop()
		out, _ := b.snapshot()
		if !strings.HasPrefix(out, "event: start\ndata: {\"n\":1}\n\n:\n\n") || !strings.HasSuffix(out, ":\n\nevent: done\ndata: {\"n\":2}\n\n") {
			t.Fatalf("stream %q: want the events with keep-alive comments between them", out)
		}
		if n := strings.Count(out, ":\n\n"); n < 2 {
			t.Errorf("%d comments in 5 s of silence at an idle of %v", n, idle)
		}
	})
	t.Run("a busy stream gets none", func(t *testing.T) {
		// Events a few milliseconds apart against an idle of a second: no
		// scheduler delay on a loaded machine comes near it.
		const busyIdle = time.Second
		var b lockedBuffer
		s := NewSSE(&b)
		defer s.KeepAlive(busyIdle)()
		for range 20 {
			if err := s.Event("delta", map[string]string{"text": "x"}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond)
		}
		if out, _ := b.snapshot(); strings.Contains(out, ":\n\n") {
			t.Errorf("a comment between events 2 ms apart at an idle of %v: %q", busyIdle, out)
		}
	})
	t.Run("a failed write ends it and fails the next event", func(t *testing.T) {
		var b lockedBuffer
		s := NewSSE(&b)
		defer s.KeepAlive(idle)()
		b.mu.Lock()
		b.broken = true
		b.mu.Unlock()
		for deadline := time.Now().Add(5 * time.Second); s.Err() == nil && time.Now().Before(deadline); {
			time.Sleep(idle / 2)
		}
		if s.Err() == nil {
			t.Fatal("the keep-alive's failed write was not recorded in 5 s")
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
