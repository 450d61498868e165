package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConversationKey is a keyset position among a user's conversations in
// export order (oldest first, id breaking ties).
type ConversationKey struct {
	CreatedAt time.Time
	ID        string
}

// ExportConversations returns up to limit of the caller's conversations
// after the position after (nil: from the first), oldest first, each with
// its leaf. One round trip; it reads the (user_id, …) index.
func ExportConversations(ctx context.Context, db DB, userID string, after *ConversationKey, limit int) ([]Conversation, error) {
	var at *time.Time
	var id *string
	if after != nil {
		at, id = &after.CreatedAt, &after.ID
	}
	rows, err := db.Query(ctx, `
		SELECT `+conversationColumns+`, leaf_id::text FROM conversations
		WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
		ORDER BY created_at, id
		LIMIT $4`, userID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("export conversations of %s: %w", userID, err)
	}
	convs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Conversation, error) {
		var c Conversation
		err := r.Scan(&c.ID, &c.Title, &c.CreatedAt, &c.UpdatedAt, &c.MessageCount, &c.Model, &c.SystemPrompt, &c.LeafID)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("export conversations of %s: %w", userID, err)
	}
	return convs, nil
}

// MessageKey is a keyset position among the messages of a list of
// conversations: the conversation's index in the list and the message's seq.
type MessageKey struct {
	Conversation int
	Seq          int64
}

// KeyedMessage is an exported message with its position.
type KeyedMessage struct {
	ExportedMessage
	Key MessageKey
}

// ExportMessages returns up to limit messages of the caller's conversations
// convIDs after the position after, in the list's order then each
// conversation's (seq). One round trip; the caller pages with the last
// message's Key.
func ExportMessages(ctx context.Context, db DB, userID string, convIDs []string, after MessageKey, limit int) ([]KeyedMessage, error) {
	rows, err := db.Query(ctx, `
		SELECT x.ord::int - 1, m.seq, m.id::text, m.role, m.content, m.status, m.created_at, m.parent_id::text,
			m.model, m.prompt_tokens, m.completion_tokens, m.duration_ms
		FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, ord)
		JOIN messages m ON m.conversation_id = x.id AND m.user_id = $1
		WHERE (x.ord - 1, m.seq) > ($3::bigint, $4::bigint)
		ORDER BY x.ord, m.seq
		LIMIT $5`, userID, convIDs, after.Conversation, after.Seq, limit)
	if err != nil {
		return nil, fmt.Errorf("export messages of %s: %w", userID, err)
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (KeyedMessage, error) {
		var (
			m                  KeyedMessage
			prompt, completion *int
		)
		err := r.Scan(&m.Key.Conversation, &m.Key.Seq, &m.ID, &m.Role, &m.Content, &m.Status, &m.CreatedAt, &m.ParentID,
			&m.Model, &prompt, &completion, &m.DurationMs)
		if prompt != nil && completion != nil {
			m.Usage = &Usage{PromptTokens: *prompt, CompletionTokens: *completion}
		}
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("export messages of %s: %w", userID, err)
	}
	return msgs, nil
}
