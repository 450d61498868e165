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

// ListMessages returns a page of the caller's conversation: the newest limit
// messages before cursor, oldest first; NextCursor pages toward older ones.
// The order is the conversation's (seq: an answer right after its question,
// however late it was stored), not the time of the writes.
// One round trip: the conversation's ownership is checked in the same
// statement, and a conversation that is not the caller's is ErrNotFound.
func ListMessages(ctx context.Context, db DB, userID, conversationID string, limit int, before *Cursor) (Page[Message], error) {
	if !ValidID(conversationID) {
		return Page[Message]{}, ErrNotFound
	}
	var beforeSeq *int64
	if before != nil {
		beforeSeq = &before.Seq
	}
	rows, err := db.Query(ctx, `
		SELECT m.id::text, m.role, m.content, m.status, m.created_at, m.seq,
			m.model, m.prompt_tokens, m.completion_tokens, m.duration_ms
		FROM conversations c
		LEFT JOIN LATERAL (
			SELECT id, role, content, status, created_at, seq, model, prompt_tokens, completion_tokens, duration_ms FROM messages
			WHERE conversation_id = c.id
			  AND ($4::bigint IS NULL OR seq < $4)
			ORDER BY seq DESC
			LIMIT $3
		) m ON true
		WHERE c.id = $1 AND c.user_id = $2`, conversationID, userID, limit+1, beforeSeq)
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
			id, role, content, status, model *string
			createdAt                        *time.Time
			seq                              *int64
			prompt, completion, duration     *int
		)
		if err := rows.Scan(&id, &role, &content, &status, &createdAt, &seq, &model, &prompt, &completion, &duration); err != nil {
			return Page[Message]{}, fmt.Errorf("scan message of %s: %w", conversationID, err)
		}
		if id == nil {
			continue // the conversation exists and has no (more) messages
		}
		m := Message{ID: *id, Role: *role, Content: *content, Status: *status, CreatedAt: *createdAt, Model: model, DurationMs: duration}
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
