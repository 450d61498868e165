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
		SELECT m.id::text, m.role, m.content, m.status, m.created_at, m.seq
		FROM conversations c
		LEFT JOIN LATERAL (
			SELECT id, role, content, status, created_at, seq FROM messages
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
			id, role, content, status *string
			createdAt                 *time.Time
			seq                       *int64
		)
		if err := rows.Scan(&id, &role, &content, &status, &createdAt, &seq); err != nil {
			return Page[Message]{}, fmt.Errorf("scan message of %s: %w", conversationID, err)
		}
		if id == nil {
			continue // the conversation exists and has no (more) messages
		}
		items = append(items, Message{ID: *id, Role: *role, Content: *content, Status: *status, CreatedAt: *createdAt})
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
