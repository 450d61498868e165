package importer

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/macro-ai/macro-ai/shared/store"
)

// appConversation is one conversation of this app's exports: the
// ConversationExport of openapi.yaml without its format, which is also an
// element of an AccountExport's conversations.
type appConversation struct {
	Conversation struct {
		ID           string     `json:"id"`
		Title        string     `json:"title"`
		CreatedAt    *time.Time `json:"createdAt"`
		UpdatedAt    *time.Time `json:"updatedAt"`
		Model        *string    `json:"model"`
		SystemPrompt *string    `json:"systemPrompt"`
		LeafID       *string    `json:"leafId"`
	} `json:"conversation"`
	Messages []struct {
		ID         string       `json:"id"`
		Role       string       `json:"role"`
		Content    *string      `json:"content"`
		Status     string       `json:"status"`
		CreatedAt  *time.Time   `json:"createdAt"`
		ParentID   *string      `json:"parentId"`
		Model      *string      `json:"model"`
		Usage      *store.Usage `json:"usage"`
		DurationMs *int         `json:"durationMs"`
	} `json:"messages"`
}

func (a *appConversation) convert(n int, now time.Time) (store.ImportedConversation, error) {
	key, err := sourceKey("macro-ai:", a.Conversation.ID, n)
	if err != nil {
		return store.ImportedConversation{}, err
	}
	created := orTime(a.Conversation.CreatedAt, now)
	c := store.ImportedConversation{
		SourceKey:    key,
		Title:        title(a.Conversation.Title),
		CreatedAt:    created,
		UpdatedAt:    orTime(a.Conversation.UpdatedAt, created),
		Model:        bounded(a.Conversation.Model, maxModel),
		SystemPrompt: bounded(a.Conversation.SystemPrompt, maxSystemPrompt),
		Messages:     make([]store.ImportedMessage, 0, len(a.Messages)),
	}
	if a.Conversation.LeafID != nil {
		c.LeafSourceID = *a.Conversation.LeafID
	}
	for i, m := range a.Messages {
		if m.ID == "" {
			return store.ImportedConversation{}, refuse("conversation %d, message %d: it has no id", n, i+1)
		}
		if m.Role != "user" && m.Role != "assistant" {
			return store.ImportedConversation{}, refuse("conversation %d, message %d: role %q is neither user nor assistant", n, i+1, m.Role)
		}
		if m.Content == nil {
			return store.ImportedConversation{}, refuse("conversation %d, message %d: it has no content", n, i+1)
		}
		im := store.ImportedMessage{
			SourceID: m.ID, Role: m.Role, Content: clean(*m.Content), Status: "complete",
			CreatedAt: orTime(m.CreatedAt, created), Model: bounded(m.Model, maxModel),
		}
		if m.Status == "incomplete" {
			im.Status = "incomplete"
		}
		if m.ParentID != nil {
			im.ParentSourceID = *m.ParentID
		}
		if u := m.Usage; u != nil && u.PromptTokens >= 0 && u.CompletionTokens >= 0 {
			im.Usage = u
		}
		if d := m.DurationMs; d != nil && *d >= 0 {
			im.DurationMs = d
		}
		c.Messages = append(c.Messages, im)
	}
	return c, nil
}

// gptConversation is one conversation of ChatGPT's conversations.json: a
// tree of nodes in mapping, each with its parent and children, and the
// node shown last in current_node.
type gptConversation struct {
	ID             string             `json:"id"`
	ConversationID string             `json:"conversation_id"`
	Title          *string            `json:"title"`
	CreateTime     *json.Number       `json:"create_time"`
	UpdateTime     *json.Number       `json:"update_time"`
	Mapping        map[string]gptNode `json:"mapping"`
	CurrentNode    *string            `json:"current_node"`
	Model          *string            `json:"default_model_slug"`
}

type gptNode struct {
	ID      string      `json:"id"`
	Message *gptMessage `json:"message"`
	Parent  *string     `json:"parent"`
}

type gptMessage struct {
	Author struct {
		Role string `json:"role"`
	} `json:"author"`
	Content struct {
		ContentType string            `json:"content_type"`
		Parts       []json.RawMessage `json:"parts"`
	} `json:"content"`
	CreateTime *json.Number `json:"create_time"`
	Status     string       `json:"status"`
	Recipient  string       `json:"recipient"`
	Metadata   struct {
		Hidden    bool   `json:"is_visually_hidden_from_conversation"`
		ModelSlug string `json:"model_slug"`
	} `json:"metadata"`
}

// text is the message's text as this app keeps it, and whether it is one
// to keep: a user's or the assistant's visible text (content types text and
// multimodal_text, their string parts joined; images and other parts
// left out). System and tool messages, hidden ones, the assistant's calls
// to tools (a recipient other than "all") and messages left empty are not.
func (m *gptMessage) text() (string, bool) {
	if m == nil || (m.Author.Role != "user" && m.Author.Role != "assistant") || m.Metadata.Hidden {
		return "", false
	}
	if m.Recipient != "" && m.Recipient != "all" {
		return "", false
	}
	if m.Content.ContentType != "text" && m.Content.ContentType != "multimodal_text" {
		return "", false
	}
	var parts []string
	for _, raw := range m.Content.Parts {
		var s string
		if json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
			parts = append(parts, clean(s))
		}
	}
	text := strings.Join(parts, "\n\n")
	return text, strings.TrimSpace(text) != ""
}

func (g *gptConversation) convert(n int, now time.Time) (store.ImportedConversation, error) {
	id := g.ConversationID
	if id == "" {
		id = g.ID
	}
	key, err := sourceKey("chatgpt:", id, n)
	if err != nil {
		return store.ImportedConversation{}, err
	}
	created := unixTime(g.CreateTime, now)
	c := store.ImportedConversation{
		SourceKey: key,
		CreatedAt: created,
		UpdatedAt: unixTime(g.UpdateTime, created),
		Messages:  make([]store.ImportedMessage, 0, len(g.Mapping)),
	}
	if g.Title != nil {
		c.Title = *g.Title
	}
	c.Title = title(c.Title)
	// A node left out hands its children to its nearest kept ancestor.
	kept := make(map[string]bool, len(g.Mapping))
	for nid, node := range g.Mapping {
		if _, ok := node.Message.text(); ok {
			kept[nid] = true
		}
	}
	ancestor := make(map[string]string, len(g.Mapping)) // memo: node → nearest kept ancestor ("" none)
	keptAncestor := func(start string) string {
		var path []string
		p := ""
		for cur, steps := start, 0; steps <= len(g.Mapping); steps++ { // a cycle ends the walk
			node, ok := g.Mapping[cur]
			if !ok || node.Parent == nil {
				break
			}
			parent := *node.Parent
			if kept[parent] {
				p = parent
				break
			}
			if a, done := ancestor[parent]; done {
				p = a
				break
			}
			path = append(path, parent)
			cur = parent
		}
		for _, q := range path {
			ancestor[q] = p
		}
		return p
	}
	// The file's order of a map is lost in Go: messages follow their
	// creation time, then id, so that siblings keep theirs.
	for nid, node := range g.Mapping {
		text, ok := node.Message.text()
		if !ok {
			continue
		}
		m := store.ImportedMessage{
			SourceID: nid, ParentSourceID: keptAncestor(nid), Role: node.Message.Author.Role,
			Content: text, Status: "complete", CreatedAt: unixTime(node.Message.CreateTime, created),
		}
		if s := node.Message.Status; s != "" && s != "finished_successfully" {
			m.Status = "incomplete"
		}
		if m.Role == "assistant" {
			slug := node.Message.Metadata.ModelSlug
			m.Model = bounded(&slug, maxModel)
		}
		c.Messages = append(c.Messages, m)
	}
	sortMessages(c.Messages)
	if g.CurrentNode != nil {
		leaf := *g.CurrentNode
		if !kept[leaf] {
			leaf = keptAncestor(leaf)
		}
		c.LeafSourceID = leaf
	}
	return c, nil
}

func orTime(t *time.Time, def time.Time) time.Time {
	if t == nil || t.IsZero() {
		return def
	}
	return t.UTC()
}

// unixTime reads ChatGPT's seconds since 1970 (a float, or null).
func unixTime(n *json.Number, def time.Time) time.Time {
	if n == nil {
		return def
	}
	f, err := n.Float64()
	if err != nil || f <= 0 || f > 1e11 || math.IsNaN(f) {
		return def
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC().Truncate(time.Microsecond)
}

// sortMessages orders messages by creation time, then id.
func sortMessages(msgs []store.ImportedMessage) {
	slices.SortStableFunc(msgs, func(a, b store.ImportedMessage) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.SourceID, b.SourceID)
	})
}
