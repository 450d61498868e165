package devmodel

// Fault modes: the failures the server simulates, the markers that select
// them per request, and the answers they give (429, 500, a hang).

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// A Fault is a failure the server simulates; its marker is [Marker].
type Fault string

// The faults.
const (
	FailBeforeFirstToken Fault = "fail-before-first-token"
	FailMidStream        Fault = "fail-mid-stream"
	Hang                 Fault = "hang"
	RateLimit            Fault = "rate-limit"
	Slow                 Fault = "slow"
	FailEmbedding        Fault = "fail-embedding"
	// NULs puts NUL characters (U+0000) in the answer, as a model may.
	NULs Fault = "nuls"
)

// Marker returns the text that, in a message or an input, selects f:
// "[[devmodel:" + f + "]]".
func Marker(f Fault) string { return markerOpen + string(f) + markerClose }

const (
	markerOpen  = "[[devmodel:"
	markerClose = "]]"
)

// parseMarkers returns the faults text selects and text without its markers.
func parseMarkers(text string) (map[Fault]bool, string, error) {
	faults := map[Fault]bool{}
	var rest strings.Builder
	for {
		before, after, ok := strings.Cut(text, markerOpen)
		rest.WriteString(before)
		if !ok {
			return faults, rest.String(), nil
		}
		name, after, ok := strings.Cut(after, markerClose)
		if !ok {
			return nil, "", errors.New("unterminated devmodel marker")
		}
		switch f := Fault(name); f {
		case FailBeforeFirstToken, FailMidStream, Hang, RateLimit, Slow, FailEmbedding, NULs:
			faults[f] = true
		default:
			return nil, "", fmt.Errorf("unknown devmodel marker %q", Marker(f))
		}
		text = after
	}
}

// hang sends the headers and waits for the client to give up or s to close.
func (s *Server) hang(w http.ResponseWriter, r *http.Request, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_ = http.NewResponseController(w).Flush()
	select {
	case <-r.Context().Done():
	case <-s.done:
	}
}

func writeServerError(w http.ResponseWriter) {
	writeError(w, http.StatusInternalServerError, apiError{Type: "server_error",
		Message: "The server had an error while processing your request. Sorry about that!"})
}

func writeRateLimit(w http.ResponseWriter, model string) {
	h := w.Header()
	h.Set("Retry-After", "1")
	h.Set("X-Ratelimit-Limit-Requests", "60")
	h.Set("X-Ratelimit-Remaining-Requests", "0")
	h.Set("X-Ratelimit-Reset-Requests", "1s")
	writeError(w, http.StatusTooManyRequests, apiError{Type: "requests", Code: "rate_limit_exceeded",
		Message: fmt.Sprintf("Rate limit reached for %s on requests per min (RPM): Limit 60, Used 60, Requested 1. Please try again in 1s.", model)})
}
