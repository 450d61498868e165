package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Message is one turn of a conversation.
type Message struct {
	ID        string    `json:"id"`
	Role      string    `json:"role"` // "user" or "assistant"
	Content   string    `json:"content"`
	Status    string    `json:"status"` // "complete" or "incomplete"
	CreatedAt time.Time `json:"createdAt"`
	// Of an answer: the model that wrote it, its usage and how long the
	// model took (absent for the user's messages and older answers).
	Model      *string `json:"model,omitempty"`
	Usage      *Usage  `json:"usage,omitempty"`
	DurationMs *int    `json:"durationMs,omitempty"`
	// In a listed branch: the message this one follows (null for a first
	// message) and the ids of it and its siblings, oldest first (an edit or
	// a regenerated answer makes a sibling), for a "‹ 2/3 ›" switcher.
	ParentID   *string  `json:"parentId,omitempty"`
	SiblingIDs []string `json:"siblingIds,omitempty"`
}

// Usage is an answer's tokens: the prompt's and its own.
type Usage struct {
	PromptTokens     int `json:"promptTokens"`
	CompletionTokens int `json:"completionTokens"`
}

// Answered is what is known of an answer once the model is done: the model,
// its usage (estimated when the provider reports none) and its duration.
type Answered struct {
	Model    string
	Usage    Usage
	Duration time.Duration
}

// ListMessages returns a page of the caller's conversation's current branch
// (the path from its leaf up to its first message): the newest limit
// messages before cursor, oldest first; NextCursor pages toward older ones,
// along the same path. Each message carries its parent and its siblings.
// One round trip: the conversation's ownership is checked in the same
// statement, and a conversation that is not the caller's is ErrNotFound.
func ListMessages(ctx context.Context, db DB, userID, conversationID string, limit int, before *Cursor) (Page[Message], error) {
	if !ValidID(conversationID) {
		return Page[Message]{}, ErrNotFound
	}
	var beforeID *string
	if before != nil {
		id := before.ID.String()
		beforeID = &id
	}
	rows, err := db.Query(ctx, `
		WITH RECURSIVE conv AS (
			SELECT id, leaf_id FROM conversations WHERE id = $1 AND user_id = $2
		), path AS (
			SELECT m.id, m.parent_id, 1 AS depth FROM conv JOIN messages m ON m.conversation_id = conv.id
			WHERE m.id = CASE WHEN $4::uuid IS NULL THEN conv.leaf_id
				ELSE (SELECT b.parent_id FROM messages b WHERE b.id = $4::uuid AND b.conversation_id = conv.id) END
			UNION ALL
			SELECT m.id, m.parent_id, p.depth + 1 FROM path p JOIN messages m ON m.id = p.parent_id
			WHERE p.depth <= $3
		)
		SELECT m.id::text, m.role, m.content, m.status, m.created_at, m.seq,
			m.model, m.prompt_tokens, m.completion_tokens, m.duration_ms, m.parent_id::text,
			ARRAY(SELECT s.id::text FROM messages s
				WHERE s.conversation_id = $1 AND (s.parent_id = m.parent_id OR (m.parent_id IS NULL AND s.parent_id IS NULL))
				ORDER BY s.seq)
		FROM conv LEFT JOIN (path JOIN messages m ON m.id = path.id) ON true
		ORDER BY path.depth`, conversationID, userID, limit, beforeID)
	if err != nil {
		return Page[Message]{}, fmt.Errorf("list messages of %s: %w", conversationID, err)
	}
	defer rows.Close()
	found := false
	items := make([]Message, 0, limit+1)
	var seqs []int64
	for rows.Next() {
		found = true
		var (
			id, role, content, status, model, parent *string
			createdAt                                *time.Time
			seq                                      *int64
			prompt, completion, duration             *int
			siblings                                 []string
		)
		if err := rows.Scan(&id, &role, &content, &status, &createdAt, &seq, &model, &prompt, &completion, &duration, &parent, &siblings); err != nil {
			return Page[Message]{}, fmt.Errorf("scan message of %s: %w", conversationID, err)
		}
		if id == nil {
			continue // the conversation exists and has no (more) messages
		}
		m := Message{ID: *id, Role: *role, Content: *content, Status: *status, CreatedAt: *createdAt, Model: model, DurationMs: duration,
			ParentID: parent, SiblingIDs: siblings}
		if prompt != nil && completion != nil {
			m.Usage = &Usage{PromptTokens: *prompt, CompletionTokens: *completion}
		}
		items = append(items, m)
		seqs = append(seqs, *seq)
	}
	if err := rows.Err(); err != nil {
		return Page[Message]{}, fmt.Errorf("list messages of %s: %w", conversationID, err)
	}
	if !found {
		return Page[Message]{}, ErrNotFound
	}
	page := Page[Message]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		oldest := page.Items[limit-1]
		next := EncodeCursor(userID, Cursor{Time: oldest.CreatedAt, Seq: seqs[limit-1], ID: uuid.MustParse(oldest.ID)})
		page.NextCursor = &next
	}
	slices.Reverse(page.Items) // oldest → newest
	return page, nil
}
