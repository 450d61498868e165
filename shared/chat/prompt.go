package chat

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/store"
)

// EstimateTokens estimates the tokens of text without a tokenizer: one token
// per 4 characters (OpenAI's rule of thumb for English), rounded up, plus 4
// for the message's framing. It over-counts code and under-counts CJK text; the
// budget leaves room for both.
func EstimateTokens(text string) int {
	return (utf8.RuneCountInString(text)+3)/4 + 4
}

// maxExcerpt bounds one retrieved message in the prompt, in characters.
const maxExcerpt = 1200

// BuildPrompt assembles what the model sees: the system prompt; the related
// earlier messages from other conversations, framed as context; then the
// newest messages of this conversation that fit budget tokens together with
// the new message, oldest first; then the new message. history is newest first.
func BuildPrompt(system string, related []store.Related, history []store.Message, current string, budget int) []ai.Message {
	msgs := []ai.Message{{Role: ai.System, Content: system}}
	if len(related) > 0 {
		var b strings.Builder
		b.WriteString("Excerpts from the user's earlier conversations that may be relevant (use them only if they help):\n")
		for _, r := range related {
			content := r.Content
			if utf8.RuneCountInString(content) > maxExcerpt {
				content = string([]rune(content)[:maxExcerpt]) + "…"
			}
			fmt.Fprintf(&b, "\n[%s, %s, in %q]\n%s\n", r.Role, r.CreatedAt.Format("2006-01-02"), r.ConversationTitle, content)
		}
		msgs = append(msgs, ai.Message{Role: ai.System, Content: b.String()})
	}
	used := EstimateTokens(current)
	n := 0
	for _, m := range history {
		t := EstimateTokens(m.Content)
		if used+t > budget {
			break
		}
		used += t
		n++
	}
	for i := n - 1; i >= 0; i-- {
		role := ai.User
		if history[i].Role == "assistant" {
			role = ai.Assistant
		}
		msgs = append(msgs, ai.Message{Role: role, Content: history[i].Content})
	}
	return append(msgs, ai.Message{Role: ai.User, Content: current})
}

// TitleFrom is the title a first message gives a conversation: its first
// non-empty line, at most 60 characters.
func TitleFrom(content string) string {
	line := ""
	for _, l := range strings.Split(content, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			line = l
			break
		}
	}
	if utf8.RuneCountInString(line) > 60 {
		line = strings.TrimSpace(string([]rune(line)[:60]))
	}
	if line == "" {
		return store.DefaultTitle
	}
	return line
}
