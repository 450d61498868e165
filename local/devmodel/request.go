package devmodel

// Request parsing: a chat request read and checked as OpenAI checks it
// (model, messages, content as a string or text parts, fault markers), and
// the answers to one that is not valid.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// chatRequest is the part of a chat completion request the server reads.
type chatRequest struct {
	Model    *string `json:"model"`
	Messages *[]struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream              bool `json:"stream"`
	MaxTokens           *int `json:"max_tokens"`
	MaxCompletionTokens *int `json:"max_completion_tokens"`
	StreamOptions       struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

// chatTurn is a chat request, read and checked.
type chatTurn struct {
	req    chatRequest
	rec    Request        // as the server records it
	last   string         // the last user message, markers removed
	prompt int            // prompt tokens: the messages', 3 per message, plus 3
	faults map[Fault]bool // selected by the last user message's markers
}

// readChat reads the chat request r. A request that is not valid is
// answered (400, or 413 for a body too large) and ok is false.
func readChat(w http.ResponseWriter, r *http.Request) (t chatTurn, ok bool) {
	req := &t.req
	if err := json.NewDecoder(r.Body).Decode(req); err != nil {
		writeBadJSON(w, err)
		return t, false
	}
	switch {
	case req.Model == nil || *req.Model == "":
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Message: "you must provide a model parameter"})
		return t, false
	case req.Messages == nil:
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: "messages", Code: "missing_required_parameter",
			Message: "Missing required parameter: 'messages'."})
		return t, false
	case len(*req.Messages) == 0:
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: "messages", Code: "empty_array",
			Message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."})
		return t, false
	}
	t.rec = Request{Path: r.URL.Path, Model: *req.Model}
	last := ""
	t.prompt = 3
	for i, m := range *req.Messages {
		text, err := contentText(m.Content)
		if err != nil {
			writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: fmt.Sprintf("messages.[%d].content", i),
				Message: fmt.Sprintf("Invalid 'messages[%d].content': %v.", i, err)})
			return t, false
		}
		t.rec.Messages = append(t.rec.Messages, Message{Role: m.Role, Content: text})
		if m.Role == "user" {
			last = text
		}
		t.prompt += len(Tokens(text)) + 3
	}
	faults, last, err := parseMarkers(last)
	if err != nil {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: "messages", Message: err.Error()})
		return t, false
	}
	t.last, t.faults = last, faults
	return t, true
}

// contentText returns the text of a message's content: a string, an array
// of content parts (of which the text parts count) or null.
func contentText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", errors.New("expected a string or an array of content parts")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), nil
}

// writeBadJSON answers a body that is not JSON, or too large.
func writeBadJSON(w http.ResponseWriter, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, apiError{Type: "invalid_request_error", Message: "Request body too large."})
		return
	}
	writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error",
		Message: "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload, but what was sent was not valid JSON."})
}
