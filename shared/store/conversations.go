package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// DefaultTitle is the title of a conversation nobody named.
const DefaultTitle = "New conversation"

// Conversation is one chat thread of a user.
type Conversation struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	MessageCount int       `json:"messageCount"`
	// Model is the conversation's chat model and SystemPrompt its own
	// system prompt; null when not set (the user's default model, else the
	// deployment's; no prompt of its own).
	Model        *string `json:"model"`
	SystemPrompt *string `json:"systemPrompt"`
	// LeafID is the end of the branch shown; only an export carries it.
	LeafID *string `json:"leafId,omitempty"`
}

const conversationColumns = `id::text, title, created_at, updated_at, message_count, model, system_prompt`

func scanConversation(row pgx.Row) (Conversation, error) {
	var c Conversation
	err := row.Scan(&c.ID, &c.Title, &c.CreatedAt, &c.UpdatedAt, &c.MessageCount, &c.Model, &c.SystemPrompt)
	return c, err
}

// CreateConversation stores a new conversation of userID, in one round trip.
// The user's row is created in the same statement if the sign-in could not
// write it (its e-mail is filled in by GET /me).
func CreateConversation(ctx context.Context, db DB, userID, title string) (Conversation, error) {
	c, err := scanConversation(db.QueryRow(ctx, `
		WITH u AS (INSERT INTO users (id, email) VALUES ($1, '') ON CONFLICT (id) DO NOTHING)
		INSERT INTO conversations (user_id, title) VALUES ($1, $2)
		RETURNING `+conversationColumns, userID, title))
	if err != nil {
		return Conversation{}, fmt.Errorf("create conversation for %s: %w", userID, err)
	}
	return c, nil
}

// GetConversation returns the caller's conversation id, or ErrNotFound (also
// for another user's id and for an id that is not a UUID).
func GetConversation(ctx context.Context, db DB, userID, id string) (Conversation, error) {
	if !ValidID(id) {
		return Conversation{}, ErrNotFound
	}
	c, err := scanConversation(db.QueryRow(ctx,
		`SELECT `+conversationColumns+` FROM conversations WHERE id = $1 AND user_id = $2`, id, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Conversation{}, ErrNotFound
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("get conversation %s: %w", id, err)
	}
	return c, nil
}

// RenameConversation sets the title of the caller's conversation id.
func RenameConversation(ctx context.Context, db DB, userID, id, title string) (Conversation, error) {
	return UpdateConversation(ctx, db, userID, id, ConversationChange{Title: &title})
}

// ConversationChange is a change to a conversation; a nil field is left as
// it is, a pointer to nil clears it (Title cannot be cleared).
type ConversationChange struct {
	Title        *string
	Model        **string
	SystemPrompt **string
}

// UpdateConversation applies change to the caller's conversation id in one
// round trip. A new title moves it to the top of the list (updated_at);
// its model and prompt do not.
func UpdateConversation(ctx context.Context, db DB, userID, id string, change ConversationChange) (Conversation, error) {
	if !ValidID(id) {
		return Conversation{}, ErrNotFound
	}
	setModel, setPrompt := change.Model != nil, change.SystemPrompt != nil
	var model, prompt *string
	if setModel {
		model = *change.Model
	}
	if setPrompt {
		prompt = *change.SystemPrompt
	}
	c, err := scanConversation(db.QueryRow(ctx, `
		UPDATE conversations SET
			title         = coalesce($3, title),
			updated_at    = CASE WHEN $3::text IS NULL THEN updated_at ELSE now() END,
			model         = CASE WHEN $4 THEN $5 ELSE model END,
			system_prompt = CASE WHEN $6 THEN $7 ELSE system_prompt END
		WHERE id = $1 AND user_id = $2
		RETURNING `+conversationColumns, id, userID, change.Title, setModel, model, setPrompt, prompt))
	if errors.Is(err, pgx.ErrNoRows) {
		return Conversation{}, ErrNotFound
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("update conversation %s: %w", id, err)
	}
	return c, nil
}

// DeleteConversation deletes the caller's conversation id; its messages and
// their embeddings go with it in the same statement (ON DELETE CASCADE).
func DeleteConversation(ctx context.Context, db DB, userID, id string) error {
	if !ValidID(id) {
		return ErrNotFound
	}
	tag, err := db.Exec(ctx, `DELETE FROM conversations WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("delete conversation %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Page is one page of a keyset-paginated list.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// ListConversations returns the caller's conversations, newest updatedAt
// first, limit at a time, after cursor; one round trip on the
// (user_id, updated_at DESC, id DESC) index.
func ListConversations(ctx context.Context, db DB, userID string, limit int, after *Cursor) (Page[Conversation], error) {
	var rows pgx.Rows
	var err error
	if after == nil {
		rows, err = db.Query(ctx, `SELECT `+conversationColumns+` FROM conversations
			WHERE user_id = $1
			ORDER BY updated_at DESC, id DESC LIMIT $2`, userID, limit+1)
	} else {
		rows, err = db.Query(ctx, `SELECT `+conversationColumns+` FROM conversations
			WHERE user_id = $1 AND (updated_at, id) < ($3, $4)
			ORDER BY updated_at DESC, id DESC LIMIT $2`, userID, limit+1, after.Time, after.ID)
	}
	if err != nil {
		return Page[Conversation]{}, fmt.Errorf("list conversations of %s: %w", userID, err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Conversation, error) { return scanConversation(r) })
	if err != nil {
		return Page[Conversation]{}, fmt.Errorf("list conversations of %s: %w", userID, err)
	}
	page := Page[Conversation]{Items: items}
	if page.Items == nil {
		page.Items = []Conversation{}
	}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		next := EncodeCursor(userID, Cursor{Time: last.UpdatedAt, ID: uuid.MustParse(last.ID)})
		page.NextCursor = &next
	}
	return page, nil
}

// RetitleConversation sets the title of the caller's conversation id to to
// if it is still from (a title the user has not changed meanwhile); it does
// not move the conversation in the list. It reports whether it did.
func RetitleConversation(ctx context.Context, db DB, userID, id, from, to string) (bool, error) {
	tag, err := db.Exec(ctx, `UPDATE conversations SET title = $4 WHERE id = $1 AND user_id = $2 AND title = $3`,
		id, userID, from, to)
	if err != nil {
		return false, fmt.Errorf("retitle conversation %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}
