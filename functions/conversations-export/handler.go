package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/store"
)

// Format is the JSON export's format name and version.
const Format = "macro-ai.conversation.v1"

type handler struct {
	db       store.DB
	maxBytes int64 // of the body
	now      func() time.Time
}

// export is the JSON export (openapi.yaml's ConversationExport).
type export struct {
	Format       string                  `json:"format"`
	ExportedAt   time.Time               `json:"exportedAt"`
	Conversation store.Conversation      `json:"conversation"`
	Messages     []store.ExportedMessage `json:"messages"`
}

// Serve: GET /conversations/{id}/export?format=markdown|json (absent:
// markdown; empty is neither) →
// 200 the conversation and all its messages as a file (Content-Disposition:
// attachment); 400 on format; 404 for a conversation that is not the
// caller's; 413 when the body would be over maxBytes. One round trip.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	format, given := req.QueryStringParameters["format"]
	if !given {
		format = "markdown"
	}
	if format != "markdown" && format != "json" {
		var f api.Fields
		f.Add("format", "must be markdown or json")
		return api.Response{}, f.Err()
	}
	c, msgs, err := store.ExportConversation(ctx, h.db, api.UserID(req), req.PathParameters["id"], h.maxBytes)
	if errors.Is(err, store.ErrTooLarge) {
		return api.Response{}, h.tooLarge()
	}
	if err != nil {
		return api.Response{}, err
	}
	var body, contentType, ext string
	if format == "json" {
		b, err := json.Marshal(export{Format: Format, ExportedAt: h.now().UTC(), Conversation: c, Messages: msgs})
		if err != nil {
			return api.Response{}, fmt.Errorf("encode export of %s: %w", c.ID, err)
		}
		body, contentType, ext = string(b), "application/json; charset=utf-8", ".json"
	} else {
		// For people: the branch shown. The JSON keeps the whole tree.
		body, contentType, ext = Markdown(c, store.Branch(msgs, c.LeafID)), "text/markdown; charset=utf-8", ".md"
	}
	if int64(len(body)) > h.maxBytes {
		return api.Response{}, h.tooLarge()
	}
	return api.Response{
		StatusCode: http.StatusOK,
		Headers: map[string]string{
			"Content-Type":        contentType,
			"Content-Disposition": `attachment; filename="` + Filename(c.Title) + ext + `"`,
			"Cache-Control":       "no-store",
		},
		Body: body,
	}, nil
}

func (h *handler) tooLarge() *api.Error {
	return api.Errorf(http.StatusRequestEntityTooLarge, "payload_too_large",
		"the conversation is too large to export this way (over %d bytes)", h.maxBytes)
}

// Markdown renders a conversation for a person to read: its title and
// dates, then each message with who wrote it and when, its content as it
// was written, and of an answer its model and tokens when known.
func Markdown(c store.Conversation, msgs []store.ExportedMessage) string {
	var b strings.Builder
	b.WriteString("# " + oneLine(c.Title) + "\n\n")
	b.WriteString("- Created: " + stamp(c.CreatedAt) + "\n")
	b.WriteString("- Updated: " + stamp(c.UpdatedAt) + "\n")
	if c.Model != nil {
		b.WriteString("- Model: " + oneLine(*c.Model) + "\n")
	}
	fmt.Fprintf(&b, "- Messages: %d\n", len(msgs))
	for _, m := range msgs {
		b.WriteString("\n---\n\n")
		who := "**You**"
		if m.Role == "assistant" {
			who = "**Assistant**"
		}
		b.WriteString(who + " · " + stamp(m.CreatedAt))
		if m.Model != nil && *m.Model != "" {
			b.WriteString(" · " + oneLine(*m.Model))
		}
		if m.Usage != nil {
			fmt.Fprintf(&b, " · %d prompt + %d completion tokens", m.Usage.PromptTokens, m.Usage.CompletionTokens)
		}
		b.WriteString("\n\n")
		if content := strings.TrimRight(m.Content, "\n"); content != "" {
			b.WriteString(content + "\n")
			if fence := openFence(content); fence != "" {
				b.WriteString(fence + "\n") // an answer cut off inside a code block
			}
		}
		if m.Status == "incomplete" {
			b.WriteString("\n> _Incomplete: this answer was cut off before it was finished._\n")
		}
	}
	return b.String()
}

// stamp is a time for a person: UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }

// oneLine puts s on one line (a title in a heading).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// openFence returns the fence that closes a code block s leaves open at its
// end (CommonMark: a line of 3+ backticks or tildes indented at most 3
// spaces opens a block, which a line of the same character, at least as
// many, and nothing else closes), or "" when s closes every block it opens.
// Without it, a message cut off inside a code block would swallow the rest
// of the export.
func openFence(s string) string {
	var char byte
	n := 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimLeft(line, " ")
		if len(line)-len(trimmed) > 3 || len(trimmed) < 3 || (trimmed[0] != '`' && trimmed[0] != '~') {
			continue
		}
		c := trimmed[0]
		run := len(trimmed) - len(strings.TrimLeft(trimmed, string(c)))
		if run < 3 {
			continue
		}
		rest := strings.TrimSpace(trimmed[run:])
		switch {
		case n == 0:
			if c == '`' && strings.Contains(rest, "`") {
				continue // not a fence: a backtick in its info string
			}
			char, n = c, run
		case c == char && run >= n && rest == "":
			n = 0
		}
	}
	if n == 0 {
		return ""
	}
	return strings.Repeat(string(char), n)
}

// Filename makes a title a safe file name (without its extension): ASCII
// letters, digits, '-', '_' and '.', other runs as one '-', at most 80
// characters, never starting or ending with a dot or a dash; "conversation"
// when nothing is left.
func Filename(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range title {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.':
			b.WriteRune(r)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	name := b.String()
	if len(name) > 80 {
		name = name[:80]
	}
	name = strings.Trim(name, "-.")
	if name == "" {
		return "conversation"
	}
	return name
}
