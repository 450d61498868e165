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
// One round trip: the conversation's ownership is checked in the same
// statement, and a conversation that is not the caller's is ErrNotFound.
func ListMessages(ctx context.Context, db DB, userID, conversationID string, limit int, before *Cursor) (Page[Message], error) {
	if uuid.Validate(conversationID) != nil {
		return Page[Message]{}, ErrNotFound
	}
	var beforeTime *time.Time
	var beforeID *uuid.UUID
	if before != nil {
		beforeTime, beforeID = &before.Time, &before.ID
	}
	rows, err := db.Query(ctx, `
		SELECT m.id::text, m.role, m.content, m.status, m.created_at
		FROM conversations c
		LEFT JOIN LATERAL (
			SELECT id, role, content, status, created_at FROM messages
			WHERE conversation_id = c.id
			  AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
			ORDER BY created_at DESC, id DESC
			LIMIT $3
		) m ON true
		WHERE c.id = $1 AND c.user_id = $2`, conversationID, userID, limit+1, beforeTime, beforeID)
	if err != nil {
		return Page[Message]{}, fmt.Errorf("list messages of %s: %w", conversationID, err)
	}
	defer rows.Close()
	found := false
	items := make([]Message, 0, limit+1)
	for rows.Next() {
		found = true
		var (
			id, role, content, status *string
			createdAt                 *time.Time
		)
		if err := rows.Scan(&id, &role, &content, &status, &createdAt); err != nil {
			return Page[Message]{}, fmt.Errorf("scan message of %s: %w", conversationID, err)
		}
		if id == nil {
			continue // the conversation exists and has no (more) messages
		}
		items = append(items, Message{ID: *id, Role: *role, Content: *content, Status: *status, CreatedAt: *createdAt})
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
		next := EncodeCursor(userID, Cursor{Time: oldest.CreatedAt, ID: uuid.MustParse(oldest.ID)})
		page.NextCursor = &next
	}
	slices.Reverse(page.Items) // oldest → newest
	return page, nil
}
