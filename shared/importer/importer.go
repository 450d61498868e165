// Package importer reads the files a user imports, as a stream: this app's
// own JSON exports (one conversation, macro-ai.conversation.v1, or a whole
// account, macro-ai.account.v1) and ChatGPT's conversations.json. It hands
// each conversation, as this app stores it, to a callback; it never holds
// more than one conversation in memory, refuses JSON nested deeper than
// MaxDepth before decoding it, and explains every refusal in words meant for
// the user (*Error). Ids read from a file only link its messages together
// and name the conversation's source (store.ImportedConversation.SourceKey):
// they never become this app's ids.
package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/macro-ai/macro-ai/shared/store"
)

// The formats Parse recognises.
const (
	FormatConversation = "macro-ai.conversation.v1" // GET /conversations/{id}/export?format=json
	FormatAccount      = "macro-ai.account.v1"      // GET /me/export
	FormatChatGPT      = "chatgpt"                  // ChatGPT's conversations.json
)

// MaxDepth is the deepest JSON nesting a file may have. ChatGPT's export
// nests about ten levels (array, conversation, mapping, node, message,
// content, parts, …) and this app's five; 64 leaves room for metadata.
const MaxDepth = 64

// Error is a refusal of the file, with a message for the user.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func refuse(format string, args ...any) error { return &Error{Message: fmt.Sprintf(format, args...)} }

// Parser reads one file.
type Parser struct {
	r      *countingReader
	dec    *json.Decoder
	format string
	now    time.Time
}

// NewParser reads r, which must not be more than maxBytes long (0: no bound).
func NewParser(r io.Reader, maxBytes int64) *Parser {
	cr := &countingReader{r: r, max: maxBytes, maxDepth: MaxDepth}
	dec := json.NewDecoder(cr)
	dec.UseNumber()
	return &Parser{r: cr, dec: dec, now: time.Now().UTC()}
}

// BytesRead is how much of the file the parser has read so far.
func (p *Parser) BytesRead() int64 { return p.r.n }

// Format is the file's format, once recognised ("" before).
func (p *Parser) Format() string { return p.format }

// Parse reads the whole file, calling emit with each conversation in the
// file's order, and fails with an *Error when the file is not one of the
// formats or is malformed anywhere, up to its last byte (so that a caller
// writing in one transaction keeps nothing of a bad file). An error emit
// returns ends the parse and is returned as it is.
func (p *Parser) Parse(emit func(store.ImportedConversation) error) error {
	tok, err := p.dec.Token()
	if err != nil {
		return p.wrap(err, "the file")
	}
	switch tok {
	case json.Delim('['):
		p.format = FormatChatGPT
		err = p.chatGPT(emit)
	case json.Delim('{'):
		err = p.macro(emit)
	default:
		return refuse("this is neither a ChatGPT conversations.json (a JSON array) nor a Macro AI export (a JSON object)")
	}
	if err != nil {
		return err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		if err == nil {
			return refuse("the file has more after its end (at byte %d)", p.dec.InputOffset())
		}
		return p.wrap(err, "the end of the file")
	}
	return nil
}

// wrap turns a decoding error into an *Error naming where it happened.
func (p *Parser) wrap(err error, where string) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		own    *Error
	)
	switch {
	case errors.As(err, &own):
		return own
	case errors.Is(err, errTooDeep):
		return refuse("the JSON is nested more than %d levels deep (at byte %d)", MaxDepth, p.r.n)
	case errors.Is(err, errTooLarge):
		return refuse("the file is larger than %d bytes", p.r.max)
	case p.r.failed != nil:
		return fmt.Errorf("read %s: %w", where, err) // the stream's own failure (a dropped connection): not the user's
	case errors.As(err, &syntax):
		return refuse("the file is not valid JSON: %s (at byte %d)", syntax.Error(), syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "a value"
		}
		return refuse("%s: %s is a JSON %s where a %s belongs (at byte %d)", where, field, typ.Value, typ.Type, typ.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return refuse("the file ends in the middle of %s (after %d bytes)", where, p.r.n)
	}
	// Any other decoding failure is a value the file got wrong (a date that
	// is no RFC 3339 time, …).
	return refuse("%s is not valid: %v (near byte %d)", where, err, p.dec.InputOffset())
}

// macro reads this app's export, an object whose first key is "format".
func (p *Parser) macro(emit func(store.ImportedConversation) error) error {
	var single appConversation
	seen := false
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return p.wrap(err, "the export")
		}
		key, _ := tok.(string)
		if p.format == "" && key != "format" {
			return refuse(`this is not a Macro AI export: its first key must be "format", not %q`, key)
		}
		switch key {
		case "format":
			var f string
			if err := p.dec.Decode(&f); err != nil {
				return p.wrap(err, "format")
			}
			if f != FormatConversation && f != FormatAccount {
				return refuse("unknown export format %q (this app reads %s and %s)", f, FormatConversation, FormatAccount)
			}
			p.format = f
		case "conversation":
			if p.format != FormatConversation {
				return refuse(`a %s export has no "conversation"`, p.format)
			}
			if err := p.dec.Decode(&single.Conversation); err != nil {
				return p.wrap(err, "the conversation")
			}
			seen = true
		case "messages":
			if p.format != FormatConversation {
				return refuse(`a %s export has no "messages"`, p.format)
			}
			if err := p.dec.Decode(&single.Messages); err != nil {
				return p.wrap(err, "the messages")
			}
		case "conversations":
			if p.format != FormatAccount {
				return refuse(`a %s export has no "conversations"`, p.format)
			}
			if err := p.conversations(emit); err != nil {
				return err
			}
		default:
			if err := skipValue(p.dec); err != nil {
				return p.wrap(err, key)
			}
		}
	}
	if _, err := p.dec.Token(); err != nil { // the closing brace
		return p.wrap(err, "the export")
	}
	if p.format == "" {
		return refuse(`this is not a Macro AI export: it has no "format"`)
	}
	if p.format == FormatConversation {
		if !seen {
			return refuse(`the export has no "conversation"`)
		}
		c, err := single.convert(1, p.now)
		if err != nil {
			return err
		}
		return emit(c)
	}
	return nil
}

// conversations reads an account export's array, one element at a time.
func (p *Parser) conversations(emit func(store.ImportedConversation) error) error {
	if err := p.expect('[', "conversations"); err != nil {
		return err
	}
	for n := 1; p.dec.More(); n++ {
		var a appConversation
		if err := p.dec.Decode(&a); err != nil {
			return p.wrap(err, fmt.Sprintf("conversation %d", n))
		}
		c, err := a.convert(n, p.now)
		if err != nil {
			return err
		}
		if err := emit(c); err != nil {
			return err
		}
	}
	return p.expect(']', "conversations")
}

// chatGPT reads ChatGPT's array of conversations, one at a time.
func (p *Parser) chatGPT(emit func(store.ImportedConversation) error) error {
	for n := 1; p.dec.More(); n++ {
		var g gptConversation
		if err := p.dec.Decode(&g); err != nil {
			return p.wrap(err, fmt.Sprintf("conversation %d", n))
		}
		c, err := g.convert(n, p.now)
		if err != nil {
			return err
		}
		if err := emit(c); err != nil {
			return err
		}
	}
	return p.expect(']', "the conversations")
}

func (p *Parser) expect(d json.Delim, where string) error {
	tok, err := p.dec.Token()
	if err != nil {
		return p.wrap(err, where)
	}
	if tok != d {
		return refuse("%s: expected %q (at byte %d)", where, string(d), p.dec.InputOffset())
	}
	return nil
}

// skipValue reads past one value token by token, holding none of it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// Values as this app stores them.
const (
	maxTitle        = 255
	maxModel        = 100
	maxSystemPrompt = 4000
	maxSourceID     = 280
	defaultTitle    = "Imported conversation"
)

// clean drops the NUL characters PostgreSQL text cannot hold.
func clean(s string) string { return strings.ReplaceAll(s, "\x00", "") }

func title(s string) string {
	s = strings.Join(strings.Fields(clean(s)), " ")
	if r := []rune(s); len(r) > maxTitle {
		s = string(r[:maxTitle])
	}
	if s == "" {
		return defaultTitle
	}
	return s
}

// bounded is s when it is 1 to max characters long, else nil.
func bounded(s *string, max int) *string {
	if s == nil {
		return nil
	}
	v := clean(*s)
	if n := len([]rune(v)); n == 0 || n > max {
		return nil
	}
	return &v
}

func sourceKey(prefix, id string, n int) (string, error) {
	if id == "" {
		return "", refuse("conversation %d has no id", n)
	}
	if len(id) > maxSourceID {
		return "", refuse("conversation %d: its id is longer than %d bytes", n, maxSourceID)
	}
	return prefix + id, nil
}
