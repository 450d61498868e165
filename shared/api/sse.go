package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// SSEHeaders are the headers of a text/event-stream answer.
func SSEHeaders() map[string]string {
	return map[string]string{
		"Content-Type":      "text/event-stream; charset=utf-8",
		"Cache-Control":     "no-cache",
		"X-Accel-Buffering": "no",
	}
}

// SSE writes server-sent events, flushing each one.
type SSE struct {
	w   io.Writer
	err error
}

// NewSSE writes events to w (flushed after each event if w is an http.Flusher
// or has a Flush() error method).
func NewSSE(w io.Writer) *SSE { return &SSE{w: w} }

// Event writes one event with data encoded as JSON. After a failed write
// every later one fails at once with the same error.
func (s *SSE) Event(name string, data any) error {
	if s.err != nil {
		return s.err
	}
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
func (s *SSE) Err() error { return s.err }

// Close ends the stream: it closes the underlying writer if it is an io.Closer.
// Events after Close fail.
func (s *SSE) Close() error {
	if s.err == nil {
		s.err = io.ErrClosedPipe
	}
	if c, ok := s.w.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
