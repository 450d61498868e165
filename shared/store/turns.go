package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrTurnInProgress means another request with the same clientMessageId is
// storing its message or answering it right now; the error is a
// *TurnInProgressError, which says until when.
var ErrTurnInProgress = errors.New("a turn with this clientMessageId is in progress")

// ErrBadParent is a parentId that is no message of the conversation.
var ErrBadParent = errors.New("the parent is no message of this conversation")

// TurnInProgressError is ErrTurnInProgress with the time by which the turn
// will have answered or given up.
type TurnInProgressError struct{ Until time.Time }

func (e *TurnInProgressError) Error() string { return ErrTurnInProgress.Error() }

// Is makes errors.Is(err, ErrTurnInProgress) hold.
func (e *TurnInProgressError) Is(target error) bool { return target == ErrTurnInProgress }

// UserTurn is the stored user message a chat turn answers.
type UserTurn struct {
	ConversationID string
	MessageID      string
	CreatedAt      time.Time
	// Title is the conversation's title after this message (the first message
	// names a "New conversation"); Titled says this message named it.
	Title  string
	Titled bool
	// MessageCount is the conversation's count before this message.
	MessageCount int
	// Retry is true when clientMessageId had been stored before: nothing new
	// was stored, and Answer is the stored answer to it, if any.
	Retry  bool
	Answer *Message
	// The conversation's model and system prompt, the user's instructions
	// and default model; nil when not set.
	Model, SystemPrompt, Instructions, DefaultModel *string
	// ParentID is the message this one follows (nil for a first message):
	// the history is the path above it.
	ParentID *string
}

// Parent is where a new user message goes in the conversation's tree: after
// the current leaf (the zero value), after a given message (an edit of a
// message makes a sibling of it, after its parent), or first (ID nil with
// Set).
type Parent struct {
	Set bool
	ID  *string
}

// AddUserMessage stores the user's message in the caller's conversation, in
// one round trip: ownership, the idempotent insert (a clientMessageId already
// stored is not stored again: the earlier message and its answer come back
// instead), the first-message title, and the claim on answering it for
// answerWithin: a retry while another turn holds the claim is a
// *TurnInProgressError, never a second model call (the answer, or
// ReleaseTurn, ends the claim). ErrNotFound if the conversation is not the
// caller's.
func AddUserMessage(ctx context.Context, db DB, userID, conversationID, content string, clientMessageID *string, title string, answerWithin time.Duration, parent Parent) (UserTurn, error) {
	if err := checkTurnIDs(conversationID, parent); err != nil {
		return UserTurn{}, err
	}
	var a addedUserMessage
	if err := a.scan(db.QueryRow(ctx, addUserMessageSQL, a.args(userID, conversationID, content, clientMessageID, title, answerWithin, parent)...)); err != nil {
		return UserTurn{}, fmt.Errorf("add user message to %s: %w", conversationID, err)
	}
	return a.turn(conversationID, answerWithin)
}

func checkTurnIDs(conversationID string, parent Parent) error {
	if !ValidID(conversationID) {
		return ErrNotFound
	}
	if parent.Set && parent.ID != nil && !ValidID(*parent.ID) {
		return ErrBadParent
	}
	return nil
}

// addUserMessageSQL is AddUserMessage's one statement: $1 the conversation,
// $2 the user, $3 the content, $4 the clientMessageId, $5 the first-message
// title, $6 the claim's seconds, $7 whether the parent is set, $8 the parent.
const addUserMessageSQL = `
		WITH conv AS (
			SELECT c.id, c.title, c.message_count, c.model, c.system_prompt, c.leaf_id, u.instructions, u.default_model
			FROM conversations c LEFT JOIN users u ON u.id = c.user_id
			WHERE c.id = $1 AND c.user_id = $2
		), par AS (
			-- No parent: the triggers put it after the leaf. The nil UUID asks
			-- for a first message (migration 011).
			SELECT CASE WHEN NOT $7 THEN NULL ELSE coalesce($8::uuid, '00000000-0000-0000-0000-000000000000') END AS id,
				NOT $7 OR $8::uuid IS NULL
				OR EXISTS (SELECT 1 FROM messages WHERE id = $8::uuid AND conversation_id = $1 AND user_id = $2) AS ok
		), ins AS (
			INSERT INTO messages (conversation_id, user_id, role, content, client_message_id, answering_until, parent_id)
			SELECT id, $2, 'user', $3, $4, clock_timestamp() + $6::float8 * interval '1 second', (SELECT id FROM par)
			FROM conv WHERE (SELECT ok FROM par)
			ON CONFLICT (conversation_id, client_message_id) DO NOTHING
			RETURNING id, created_at, parent_id
		), titled AS (
			UPDATE conversations c SET title = $5
			FROM ins WHERE c.id = $1 AND c.title = 'New conversation'
			RETURNING c.title
		), prior AS (
			SELECT m.id, m.created_at, m.answering_until, m.parent_id,
				a.id AS a_id, a.content AS a_content, a.status AS a_status, a.created_at AS a_created
			FROM messages m LEFT JOIN LATERAL (
				SELECT id, content, status, created_at FROM messages WHERE reply_to = m.id ORDER BY seq DESC LIMIT 1
			) a ON true
			WHERE m.conversation_id = $1 AND m.user_id = $2 AND m.client_message_id = $4
			  AND NOT EXISTS (SELECT 1 FROM ins)
		), claim AS (
			UPDATE messages m SET answering_until = clock_timestamp() + $6::float8 * interval '1 second'
			FROM prior p
			WHERE m.id = p.id AND p.a_status IS DISTINCT FROM 'complete'
			  AND (p.answering_until IS NULL OR p.answering_until <= clock_timestamp())
			RETURNING m.id
		), reclaimed AS (
			-- A retried message is the branch shown while it is answered again.
			UPDATE conversations c SET leaf_id = claim.id FROM claim WHERE c.id = $1
		)
		SELECT EXISTS (SELECT 1 FROM conv), EXISTS (SELECT 1 FROM ins), EXISTS (SELECT 1 FROM claim),
			(SELECT answering_until FROM prior),
			COALESCE((SELECT id FROM ins), (SELECT id FROM prior))::text,
			COALESCE((SELECT created_at FROM ins), (SELECT created_at FROM prior)),
			(SELECT a_id::text FROM prior), (SELECT a_content FROM prior), (SELECT a_status FROM prior), (SELECT a_created FROM prior),
			COALESCE((SELECT title FROM titled), (SELECT title FROM conv), ''),
			COALESCE((SELECT message_count FROM conv), 0),
			(SELECT model FROM conv), (SELECT system_prompt FROM conv), (SELECT instructions FROM conv), (SELECT default_model FROM conv),
			EXISTS (SELECT 1 FROM titled),
			COALESCE((SELECT parent_id FROM ins), (SELECT parent_id FROM prior))::text,
			(SELECT ok FROM par)`

// addedUserMessage is what addUserMessageSQL answers.
type addedUserMessage struct {
	owned                       bool
	t                           UserTurn
	msgID, answerID, answerText *string
	answerStatus                *string
	createdAt, answerCreatedAt  *time.Time
	stored, claimed, parentOK   bool
	answeringUntil              *time.Time
}

func (a *addedUserMessage) args(userID, conversationID, content string, clientMessageID *string, title string, answerWithin time.Duration, parent Parent) []any {
	return []any{conversationID, userID, content, clientMessageID, title, answerWithin.Seconds(), parent.Set, parent.ID}
}

func (a *addedUserMessage) scan(row pgx.Row) error {
	t := &a.t
	return row.Scan(&a.owned, &a.stored, &a.claimed, &a.answeringUntil, &a.msgID, &a.createdAt, &a.answerID, &a.answerText, &a.answerStatus, &a.answerCreatedAt, &t.Title, &t.MessageCount,
		&t.Model, &t.SystemPrompt, &t.Instructions, &t.DefaultModel, &t.Titled, &t.ParentID, &a.parentOK)
}

// turn is the stored turn, or why there is none.
func (a *addedUserMessage) turn(conversationID string, answerWithin time.Duration) (UserTurn, error) {
	if !a.owned {
		return UserTurn{}, ErrNotFound
	}
	if !a.parentOK {
		return UserTurn{}, ErrBadParent
	}
	if a.msgID == nil { // a concurrent request is storing the same message
		return UserTurn{}, &TurnInProgressError{Until: time.Now().Add(answerWithin)}
	}
	if !a.stored && !a.claimed && (a.answerStatus == nil || *a.answerStatus != "complete") {
		until := time.Now().Add(answerWithin)
		if a.answeringUntil != nil {
			until = *a.answeringUntil
		}
		return UserTurn{}, &TurnInProgressError{Until: until}
	}
	t := a.t
	t.ConversationID, t.MessageID, t.CreatedAt, t.Retry = conversationID, *a.msgID, *a.createdAt, !a.stored
	if a.answerID != nil {
		t.Answer = &Message{ID: *a.answerID, Role: "assistant", Content: *a.answerText, Status: *a.answerStatus, CreatedAt: *a.answerCreatedAt}
	}
	return t, nil
}

// DeleteIncompleteAnswer removes the caller's unfinished answer to a user
// message, so that a retried turn can answer it again; one that the
// conversation went on from (it has children) stays, and the new answer
// becomes its sibling.
func DeleteIncompleteAnswer(ctx context.Context, db DB, userID, userMessageID string) error {
	_, err := db.Exec(ctx, `DELETE FROM messages a WHERE reply_to = $1 AND user_id = $2 AND status = 'incomplete'
		AND NOT EXISTS (SELECT 1 FROM messages c WHERE c.parent_id = a.id)`,
		userMessageID, userID)
	if err != nil {
		return fmt.Errorf("delete incomplete answer to %s: %w", userMessageID, err)
	}
	return nil
}

// ReleaseTurn ends the claim on answering the caller's message when the
// turn stored no answer (the model failed before any text), so that a retry
// may answer it at once.
func ReleaseTurn(ctx context.Context, db DB, userID, userMessageID string) error {
	_, err := db.Exec(ctx, `UPDATE messages SET answering_until = NULL WHERE id = $1 AND user_id = $2`, userMessageID, userID)
	if err != nil {
		return fmt.Errorf("release the turn of %s: %w", userMessageID, err)
	}
	return nil
}

// AddAssistantMessage stores an answer with the id announced to the client,
// and ends the claim on answering its question, in one round trip. It
// follows its question; it ends the branch shown if its question still did
// (migration 011's triggers).
// The model, its usage and its duration are stored with it.
func AddAssistantMessage(ctx context.Context, db DB, userID, conversationID, id, replyTo, content, status string, a Answered) (Message, error) {
	ms := int(a.Duration.Milliseconds())
	usage := a.Usage
	m := Message{ID: id, Role: "assistant", Content: content, Status: status, Model: &a.Model, Usage: &usage, DurationMs: &ms}
	err := db.QueryRow(ctx, `
		WITH answered AS (
			UPDATE messages SET answering_until = NULL WHERE id = $6 AND user_id = $3
		)
		INSERT INTO messages (id, conversation_id, user_id, role, content, status, reply_to, parent_id,
			model, prompt_tokens, completion_tokens, duration_ms)
		SELECT $1, c.id, $3, 'assistant', $4, $5, $6, $6, $7, $8, $9, $10 FROM conversations c WHERE c.id = $2 AND c.user_id = $3
		RETURNING created_at`, id, conversationID, userID, content, status, replyTo,
		a.Model, usage.PromptTokens, usage.CompletionTokens, ms).Scan(&m.CreatedAt)
	if err != nil {
		return Message{}, fmt.Errorf("add assistant message to %s: %w", conversationID, err)
	}
	return m, nil
}

// RecentMessages returns up to limit messages of the caller's conversation
// on the path above the message before (its parent, the parent's parent…),
// newest first: the history a turn answering before may see — its branch
// only, never a sibling's.
func RecentMessages(ctx context.Context, db DB, userID, conversationID, before string, limit int) ([]Message, error) {
	rows, err := db.Query(ctx, `
		WITH RECURSIVE path AS (
			SELECT m.id, m.parent_id, 1 AS depth FROM messages m
			WHERE m.id = (SELECT parent_id FROM messages WHERE id = $3 AND conversation_id = $1 AND user_id = $2)
			UNION ALL
			SELECT m.id, m.parent_id, p.depth + 1 FROM path p JOIN messages m ON m.id = p.parent_id
			WHERE p.depth < $4
		)
		SELECT m.id::text, m.role, m.content, m.status, m.created_at
		FROM path JOIN messages m ON m.id = path.id
		ORDER BY path.depth`, conversationID, userID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("recent messages of %s: %w", conversationID, err)
	}
	out, err := scanMessages(rows)
	if err != nil {
		return nil, fmt.Errorf("recent messages of %s: %w", conversationID, err)
	}
	return out, nil
}
