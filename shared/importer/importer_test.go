package importer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/macro-ai/macro-ai/shared/importer"
	"github.com/macro-ai/macro-ai/shared/store"
)

// chatGPT is a conversations.json in ChatGPT's published shape: the root
// node has no message, a system message and a tool call are to be left
// out, the user edited their question (two branches), and current_node
// is the end of the second branch.
const chatGPT = `[{
  "title": "Cats", "create_time": 1700000000.5, "update_time": 1700000100.25,
  "conversation_id": "c-1", "id": "c-1", "current_node": "a2", "default_model_slug": "gpt-4o",
  "mapping": {
    "root": {"id": "root", "message": null, "parent": null, "children": ["sys"]},
    "sys": {"id": "sys", "message": {"id": "sys", "author": {"role": "system"}, "content": {"content_type": "text", "parts": [""]},
             "metadata": {"is_visually_hidden_from_conversation": true}}, "parent": "root", "children": ["q1", "q2"]},
    "q1": {"id": "q1", "message": {"id": "q1", "author": {"role": "user"}, "create_time": 1700000001,
            "content": {"content_type": "text", "parts": ["My cat is Miso"]}, "status": "finished_successfully"}, "parent": "sys", "children": ["a1"]},
    "a1": {"id": "a1", "message": {"id": "a1", "author": {"role": "assistant"}, "create_time": 1700000002,
            "content": {"content_type": "text", "parts": ["Hello Miso"]}, "metadata": {"model_slug": "gpt-4o"}}, "parent": "q1", "children": []},
    "q2": {"id": "q2", "message": {"id": "q2", "author": {"role": "user"}, "create_time": 1700000003,
            "content": {"content_type": "multimodal_text", "parts": [{"content_type": "image_asset_pointer", "asset_pointer": "file-service://x"}, "What is in the picture?"]}},
            "parent": "sys", "children": ["tool"]},
    "tool": {"id": "tool", "message": {"id": "tool", "author": {"role": "assistant"}, "recipient": "python", "create_time": 1700000004,
            "content": {"content_type": "code", "text": "print(1)"}}, "parent": "q2", "children": ["out"]},
    "out": {"id": "out", "message": {"id": "out", "author": {"role": "tool"}, "create_time": 1700000005,
            "content": {"content_type": "execution_output", "text": "1"}}, "parent": "tool", "children": ["a2"]},
    "a2": {"id": "a2", "message": {"id": "a2", "author": {"role": "assistant"}, "create_time": 1700000006,
            "content": {"content_type": "text", "parts": ["A cat."]}, "status": "in_progress"}, "parent": "out", "children": []}
  }
}]`

func parse(t *testing.T, file string, max int64) ([]store.ImportedConversation, string, error) {
	t.Helper()
	p := importer.NewParser(strings.NewReader(file), max)
	var got []store.ImportedConversation
	err := p.Parse(func(c store.ImportedConversation) error {
		got = append(got, c)
		return nil
	})
	return got, p.Format(), err
}

// TestChatGPT: a ChatGPT conversation becomes a tree of its visible text
// messages: system, tool and hidden nodes left out, their children handed
// to the nearest kept ancestor, image parts dropped, the leaf kept.
func TestChatGPT(t *testing.T) {
	convs, format, err := parse(t, chatGPT, 0)
	if err != nil || format != importer.FormatChatGPT || len(convs) != 1 {
		t.Fatalf("%v %q %d", err, format, len(convs))
	}
	c := convs[0]
	if c.SourceKey != "chatgpt:c-1" || c.Title != "Cats" || c.CreatedAt.Unix() != 1700000000 || c.UpdatedAt.Unix() != 1700000100 || c.LeafSourceID != "a2" {
		t.Errorf("conversation %+v", c)
	}
	type msg struct{ id, parent, role, content, status string }
	var got []msg
	for _, m := range c.Messages {
		got = append(got, msg{m.SourceID, m.ParentSourceID, m.Role, m.Content, m.Status})
	}
	want := []msg{
		{"q1", "", "user", "My cat is Miso", "complete"},
		{"a1", "q1", "assistant", "Hello Miso", "complete"},
		{"q2", "", "user", "What is in the picture?", "complete"},
		{"a2", "q2", "assistant", "A cat.", "incomplete"},
	}
	if len(got) != len(want) {
		t.Fatalf("messages %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if m := c.Messages[1].Model; m == nil || *m != "gpt-4o" {
		t.Errorf("model %v", m)
	}
}

// TestMacroFormats: this app's two exports read back with their trees.
func TestMacroFormats(t *testing.T) {
	single := `{"format":"macro-ai.conversation.v1","exportedAt":"2026-01-01T00:00:00Z",
		"conversation":{"id":"11111111-1111-1111-1111-111111111111","title":"T","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z","messageCount":2,"model":null,"systemPrompt":"Be brief","leafId":"m2"},
		"messages":[{"id":"m1","role":"user","content":"hi","status":"complete","createdAt":"2026-01-01T00:00:01Z","parentId":null},
		            {"id":"m2","role":"assistant","content":"hello","status":"complete","createdAt":"2026-01-01T00:00:02Z","parentId":"m1","model":"m","usage":{"promptTokens":3,"completionTokens":4},"durationMs":5}]}`
	account := `{"format":"macro-ai.account.v1","exportedAt":"2026-01-01T00:00:00Z","usage":[{"model":"m","answers":1,"promptTokens":3,"completionTokens":4}],
		"conversations":[{"conversation":{"id":"a","title":"A","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"},"messages":[]},
		                 {"conversation":{"id":"b","title":"","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"},"messages":[{"id":"x","role":"user","content":"q\u0000"}]}]}`
	convs, format, err := parse(t, single, 0)
	if err != nil || format != importer.FormatConversation || len(convs) != 1 {
		t.Fatalf("single: %v %q %d", err, format, len(convs))
	}
	c := convs[0]
	if c.SourceKey != "macro-ai:11111111-1111-1111-1111-111111111111" || c.LeafSourceID != "m2" || len(c.Messages) != 2 ||
		c.Messages[1].ParentSourceID != "m1" || c.Messages[1].Usage == nil || c.Messages[1].Usage.CompletionTokens != 4 ||
		c.SystemPrompt == nil || *c.SystemPrompt != "Be brief" {
		t.Errorf("single: %+v", c)
	}
	convs, format, err = parse(t, account, 0)
	if err != nil || format != importer.FormatAccount || len(convs) != 2 {
		t.Fatalf("account: %v %q %d", err, format, len(convs))
	}
	if convs[1].Title != "Imported conversation" || convs[1].Messages[0].Content != "q" || convs[1].Messages[0].Status != "complete" {
		t.Errorf("account: %+v", convs[1])
	}
}

// TestHostileFiles: every file the importer must refuse, refused with a
// message that says why, and nothing handed on past the point of refusal
// (the caller's transaction keeps nothing of it).
func TestHostileFiles(t *testing.T) {
	valid := `{"title":"ok","conversation_id":"ok","mapping":{}}`
	cases := []struct {
		name, file string
		max        int64
		want       string
	}{
		{"a number", `42`, 0, "neither a ChatGPT"},
		{"an object of no format", `{"title":"x"}`, 0, `first key must be "format"`},
		{"an unknown format", `{"format":"other.v9"}`, 0, `unknown export format "other.v9"`},
		{"no format at all", `{}`, 0, `has no "format"`},
		{"nested 10 000 levels", "[" + strings.Repeat("[", 10_000) + strings.Repeat("]", 10_001), 0, "nested more than 64 levels"},
		{"nested deep inside a conversation", `[{"title":` + strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100) + `}]`, 0, "nested more than 64 levels"},
		{"malformed mid-file", `[` + valid + `,` + valid + `,{"title": "broken" "mapping":{}}]`, 0, "not valid JSON"},
		{"cut off mid-file", `[` + valid + `,{"title":"cut`, 0, "ends in the middle"},
		{"trailing garbage", `[` + valid + `] x`, 0, "not valid JSON"},
		{"a second document", `[` + valid + `] []`, 0, "more after its end"},
		{"larger than claimed", `[` + valid + `,` + valid + `]`, 40, "larger than 40 bytes"},
		{"a conversation without id", `[{"title":"x","mapping":{}}]`, 0, "conversation 1 has no id"},
		{"a huge id", `[{"conversation_id":"` + strings.Repeat("x", 300) + `","mapping":{}}]`, 0, "longer than 280"},
		{"a wrong type", `[{"conversation_id":"x","mapping":[]}]`, 0, "conversation 1"},
		{"a role of our own", `{"format":"macro-ai.conversation.v1","conversation":{"id":"c"},"messages":[{"id":"m","role":"system","content":"x"}]}`, 0, `role "system"`},
		{"a date that is no date", `{"format":"macro-ai.conversation.v1","conversation":{"id":"c","createdAt":"yesterday"}}`, 0, "the conversation is not valid"},
		{"a format in the wrong place", `{"format":"macro-ai.account.v1","conversation":{"id":"c"}}`, 0, `has no "conversation"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			convs, _, err := parse(t, c.file, c.max)
			var refused *importer.Error
			if !errors.As(err, &refused) || !strings.Contains(refused.Message, c.want) {
				t.Fatalf("error %v, want an importer.Error saying %q", err, c.want)
			}
			if c.name == "malformed mid-file" && len(convs) != 2 {
				t.Errorf("%d conversations handed on before the error, want the 2 good ones (the caller rolls them back)", len(convs))
			}
		})
	}
}

// failingReader gives some bytes, then fails as a dropped S3 stream does.
type failingReader struct{ sent bool }

func (f *failingReader) Read(b []byte) (int, error) {
	if f.sent {
		return 0, errors.New("connection reset")
	}
	f.sent = true
	return copy(b, `[{"title":"x","conversation_id":"a","mapping":{}},`), nil
}

// TestReadFailureIsNotTheFiles: a stream that breaks is our failure, not
// an *importer.Error blaming the user's file.
func TestReadFailureIsNotTheFiles(t *testing.T) {
	err := importer.NewParser(&failingReader{}, 0).Parse(func(store.ImportedConversation) error { return nil })
	var refused *importer.Error
	if err == nil || errors.As(err, &refused) || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("%v", err)
	}
}

// TestEmitErrorEndsTheParse: the callback's error (the database's) comes
// back as it is, not as the file's fault.
func TestEmitErrorEndsTheParse(t *testing.T) {
	boom := errors.New("database down")
	p := importer.NewParser(strings.NewReader(chatGPT), 0)
	err := p.Parse(func(store.ImportedConversation) error { return boom })
	var refused *importer.Error
	if !errors.Is(err, boom) || errors.As(err, &refused) {
		t.Errorf("%v", err)
	}
}
