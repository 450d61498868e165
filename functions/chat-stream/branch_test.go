package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/store"
)

// post invokes the handler as the Function URL on path with body (nil: no
// body) and reads the whole answer.
func (f *fixture) post(path string, body any) (int, string) {
	f.t.Helper()
	req := apitest.Event("POST", path, body)
	req.RouteKey = "$default"
	req.Headers["authorization"] = "Bearer " + f.token
	raw, _ := json.Marshal(req)
	out, err := f.h.Invoke(context.Background(), raw)
	if err != nil {
		f.t.Fatal(err)
	}
	resp := out.(*events.LambdaFunctionURLStreamingResponse)
	b, _ := io.ReadAll(resp.Body)
	resp.Close()
	return resp.StatusCode, string(b)
}

// TestRegenerateAndEdit: a regenerated answer is a sibling of the old one
// (both kept, the new one shown); an edit is a sibling of the edited
// message, and the model sees only its branch; bad requests are refused
// before anything is stored or asked.
func TestRegenerateAndEdit(t *testing.T) {
	f := newFixture(t, nil)
	conv := f.conversation("t")
	for _, q := range []string{"q1", "q2"} {
		if status, body := f.stream(conv, map[string]string{"content": q}); status != 200 {
			t.Fatalf("%d %s", status, body)
		}
	}
	msgs := f.messages(conv)
	a1, q2, a2 := msgs[1], msgs[2], msgs[3]

	status, body := f.post("/conversations/"+conv+"/messages/"+a2.ID+"/regenerate", nil)
	if n := names(parseEvents(t, body)); status != 200 || !strings.HasPrefix(n, "start,delta") || !strings.HasSuffix(n, ",done") {
		t.Fatalf("regenerate: %d %s", status, body)
	}
	msgs = f.messages(conv)
	if len(msgs) != 4 || msgs[2].ID != q2.ID || msgs[3].ID == a2.ID || strings.Join(msgs[3].SiblingIDs, ",") != a2.ID+","+msgs[3].ID {
		t.Fatalf("after regenerate: %+v", msgs)
	}

	before := len(f.model.Requests())
	status, body = f.post("/conversations/"+conv+"/messages", map[string]any{"content": "q2 edited", "parentId": a1.ID})
	if status != 200 {
		t.Fatalf("edit: %d %s", status, body)
	}
	var seen []string
	for _, r := range f.model.Requests()[before:] {
		if strings.HasSuffix(r.Path, "/chat/completions") {
			for _, m := range r.Messages[1:] {
				seen = append(seen, m.Content)
			}
		}
	}
	if got := strings.Join(seen, "|"); !strings.HasPrefix(got, "q1|") || strings.Contains(got, "q2|") || !strings.HasSuffix(got, "q2 edited") {
		t.Errorf("the model saw %q, want q1, its answer and the edit only", got)
	}
	msgs = f.messages(conv)
	if len(msgs) != 4 || msgs[2].Content != "q2 edited" || len(msgs[2].SiblingIDs) != 2 {
		t.Fatalf("after the edit: %+v", msgs)
	}

	other := newFixture(t, nil)
	otherConv := other.conversation("theirs")
	tests := []struct {
		name   string
		path   string
		body   any
		status int
		field  string
	}{
		{"regenerate a user message", "/conversations/" + conv + "/messages/" + q2.ID + "/regenerate", nil, 400, "messageId"},
		{"regenerate another user's answer", "/conversations/" + conv + "/messages/" + a1.ID + "/regenerate", nil, 404, ""},
		{"a parent of another user's conversation", "/conversations/" + otherConv + "/messages", map[string]any{"content": "x", "parentId": a1.ID}, 400, "parentId"},
		{"a parent that is no id", "/conversations/" + conv + "/messages", map[string]any{"content": "x", "parentId": "urn:uuid:" + a1.ID}, 400, "parentId"},
	}
	count := len(f.messages(conv))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := f
			if tt.name == "regenerate another user's answer" || tt.name == "a parent of another user's conversation" {
				g = other
			}
			status, body := g.post(tt.path, tt.body)
			if status != tt.status || (tt.field != "" && !strings.Contains(body, `"field":"`+tt.field+`"`)) {
				t.Fatalf("%d %s, want %d on %s", status, body, tt.status, tt.field)
			}
			if n := len(f.messages(conv)); n != count {
				t.Errorf("%d messages in the branch, want %d: nothing half-written", n, count)
			}
		})
	}
	t.Run("a parent from another conversation of the same user", func(t *testing.T) {
		mine := f.conversation("mine too")
		status, body := f.post("/conversations/"+mine+"/messages", map[string]any{"content": "x", "parentId": a1.ID})
		if status != 400 || !strings.Contains(body, `"field":"parentId"`) {
			t.Fatalf("%d %s", status, body)
		}
		if c, _ := store.GetConversation(context.Background(), f.db, f.userID, mine); c.MessageCount != 0 {
			t.Errorf("%d messages stored", c.MessageCount)
		}
	})
}
