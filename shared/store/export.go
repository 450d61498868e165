package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTooLarge means a conversation's messages are over the bound the caller
// gave ExportConversation.
var ErrTooLarge = errors.New("conversation too large")

// ExportedMessage is a message as an export carries it: the API's Message
// and ParentID, the message it follows in the conversation (null for the
// first one): an answer's question, a question's previous answer.
type ExportedMessage struct {
	Message
	ParentID *string `json:"parentId"`
}

// ExportConversation returns the caller's conversation id and all its
// messages in the conversation's order (seq), in one round trip; ErrNotFound
// for an id that is not the caller's. When the messages' contents add up to
// more than maxBytes it is ErrTooLarge, and at most one message past the
// bound leaves the database (a running sum stops the read).
func ExportConversation(ctx context.Context, db DB, userID, id string, maxBytes int64) (Conversation, []ExportedMessage, error) {
	if !ValidID(id) {
		return Conversation{}, nil, ErrNotFound
	}
	rows, err := db.Query(ctx, `
		SELECT c.id::text, c.title, c.created_at, c.updated_at, c.message_count, c.model, c.system_prompt, c.leaf_id::text,
			m.id::text, m.role, m.content, m.status, m.created_at, m.parent_id::text,
			m.model, m.prompt_tokens, m.completion_tokens, m.duration_ms
		FROM conversations c
		LEFT JOIN LATERAL (
			SELECT * FROM (
				SELECT id, role, content, status, created_at, seq, model,
					prompt_tokens, completion_tokens, duration_ms,
					parent_id,
					sum(octet_length(content)) OVER (ORDER BY seq) - octet_length(content) AS bytes_before
				FROM messages
				WHERE conversation_id = c.id
			) w
			WHERE bytes_before <= $3
		) m ON true
		WHERE c.id = $1 AND c.user_id = $2
		ORDER BY m.seq`, id, userID, maxBytes)
	if err != nil {
		return Conversation{}, nil, fmt.Errorf("export conversation %s: %w", id, err)
	}
	defer rows.Close()
	var (
		c     Conversation
		found bool
		size  int64
		msgs  = []ExportedMessage{}
	)
	for rows.Next() {
		found = true
		var (
			mid, role, content, status, parentID, model *string
			createdAt                                   *time.Time
			prompt, completion, duration                *int
		)
		if err := rows.Scan(&c.ID, &c.Title, &c.CreatedAt, &c.UpdatedAt, &c.MessageCount, &c.Model, &c.SystemPrompt, &c.LeafID,
			&mid, &role, &content, &status, &createdAt, &parentID, &model, &prompt, &completion, &duration); err != nil {
			return Conversation{}, nil, fmt.Errorf("scan export of %s: %w", id, err)
		}
		if mid == nil {
			continue // no messages
		}
		size += int64(len(*content))
		if size > maxBytes {
			return Conversation{}, nil, ErrTooLarge
		}
		m := ExportedMessage{
			Message:  Message{ID: *mid, Role: *role, Content: *content, Status: *status, CreatedAt: *createdAt, Model: model, DurationMs: duration},
			ParentID: parentID,
		}
		if prompt != nil && completion != nil {
			m.Usage = &Usage{PromptTokens: *prompt, CompletionTokens: *completion}
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return Conversation{}, nil, fmt.Errorf("export conversation %s: %w", id, err)
	}
	if !found {
		return Conversation{}, nil, ErrNotFound
	}
	return c, msgs, nil
}

// Branch is the messages of msgs on the path from leaf up to the first
// message, in the conversation's order: the branch shown, out of a whole
// tree. Without a leaf it is all of msgs.
func Branch(msgs []ExportedMessage, leaf *string) []ExportedMessage {
	if leaf == nil {
		return msgs
	}
	byID := make(map[string]int, len(msgs))
	for i, m := range msgs {
		byID[m.ID] = i
	}
	on := make([]bool, len(msgs))
	for id := leaf; id != nil; {
		i, ok := byID[*id]
		if !ok || on[i] {
			break
		}
		on[i] = true
		id = msgs[i].ParentID
	}
	out := make([]ExportedMessage, 0, len(msgs))
	for i, m := range msgs {
		if on[i] {
			out = append(out, m)
		}
	}
	return out
}
