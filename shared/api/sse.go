package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// SSEHeaders are the headers of a text/event-stream answer.
func SSEHeaders() map[string]string {
	return map[string]string{
		"Content-Type":      "text/event-stream; charset=utf-8",
		"Cache-Control":     "no-cache",
		"X-Accel-Buffering": "no",
	}
}

// SSE writes server-sent events, flushing each one. Its methods may be
// called from several goroutines.
type SSE struct {
	mu   sync.Mutex
	w    io.Writer
	err  error
	last time.Time // of the last write
}

// NewSSE writes events to w (flushed after each event if w is an http.Flusher
// or has a Flush() error method).
func NewSSE(w io.Writer) *SSE { return &SSE{w: w} }

// Event writes one event with data encoded as JSON. After a failed write
// every later one fails at once with the same error.
func (s *SSE) Event(name string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", name, err)
	}
	buf := make([]byte, 0, len(name)+len(b)+16)
	buf = append(buf, "event: "...)
	buf = append(buf, name...)
	buf = append(buf, "\ndata: "...)
	buf = append(buf, b...)
	buf = append(buf, "\n\n"...)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.write(buf)
}

// keepAliveComment is an SSE comment line: clients ignore it.
var keepAliveComment = []byte(":\n\n")

// KeepAlive writes a comment whenever nothing was written for idle, until
// the stream is closed or stop is called. A stream that is silent for long
// (the model thinking before its first token, a slow model between two)
// still writes, so that a client that left is noticed within idle rather
// than at the next token: on Lambda the failed write ends the response.
func (s *SSE) KeepAlive(idle time.Duration) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTimer(idle)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			s.mu.Lock()
			if s.err != nil {
				s.mu.Unlock()
				return
			}
			wait := idle - time.Since(s.last)
			if wait <= 0 {
				_ = s.write(keepAliveComment)
				wait = idle
			}
			s.mu.Unlock()
			t.Reset(wait)
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}

// write writes buf and flushes; s.mu is held.
func (s *SSE) write(buf []byte) error {
	if s.err != nil {
		return s.err
	}
	s.last = time.Now()
	if _, err := s.w.Write(buf); err != nil {
		s.err = err
		return err
	}
	switch f := s.w.(type) {
	case http.Flusher:
		f.Flush()
	case interface{ Flush() error }:
		if err := f.Flush(); err != nil {
			s.err = err
			return err
		}
	}
	return nil
}

// Err is the first write error, if any.
func (s *SSE) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the stream: it closes the underlying writer if it is an io.Closer.
// Events after Close fail.
func (s *SSE) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = io.ErrClosedPipe
	}
	if c, ok := s.w.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
