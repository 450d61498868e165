package store

// A conversation is a tree (migration 011): this file holds what reshapes
// it — regenerating an answer, switching the branch shown.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotAnAnswer is a regenerate of a message that is not an answer.
var ErrNotAnAnswer = errors.New("only an answer can be regenerated")

// RegenerateTurn claims the question of the caller's answer answerID for a
// new answer, a sibling of the old one (both stay), in one round trip: the
// question is the branch shown while it is answered (the new answer then
// ends it), and the claim is the one AddUserMessage takes, so a regenerate
// while another turn answers the question is a *TurnInProgressError.
// ErrNotFound for an answer or conversation that is not the caller's,
// ErrNotAnAnswer for a user message. The turn's Retry is false and its
// Answer nil: a new answer is made. content is the question's text.
func RegenerateTurn(ctx context.Context, db DB, userID, conversationID, answerID string, answerWithin time.Duration) (t UserTurn, content string, err error) {
	if !ValidID(conversationID) || !ValidID(answerID) {
		return UserTurn{}, "", ErrNotFound
	}
	var (
		owned, claimed bool
		role           *string
		qID, qContent  *string
		qCreated       *time.Time
		until          *time.Time
	)
	err = db.QueryRow(ctx, `
		WITH conv AS (
			SELECT c.id, c.title, c.message_count, c.model, c.system_prompt, u.instructions, u.default_model
			FROM conversations c LEFT JOIN users u ON u.id = c.user_id
			WHERE c.id = $1 AND c.user_id = $2
		), ans AS (
			SELECT a.role, a.reply_to FROM conv JOIN messages a ON a.conversation_id = conv.id WHERE a.id = $3
		), q AS (
			SELECT m.id, m.content, m.created_at, m.parent_id, m.answering_until
			FROM ans JOIN messages m ON m.id = ans.reply_to WHERE ans.role = 'assistant'
		), claim AS (
			UPDATE messages m SET answering_until = clock_timestamp() + $4::float8 * interval '1 second'
			FROM q WHERE m.id = q.id AND (q.answering_until IS NULL OR q.answering_until <= clock_timestamp())
			RETURNING m.id
		), leaf AS (
			UPDATE conversations c SET leaf_id = claim.id FROM claim WHERE c.id = $1
		)
		SELECT EXISTS (SELECT 1 FROM conv), (SELECT role FROM ans), EXISTS (SELECT 1 FROM claim),
			(SELECT answering_until FROM q), (SELECT id::text FROM q), (SELECT content FROM q), (SELECT created_at FROM q),
			(SELECT parent_id::text FROM q), COALESCE((SELECT title FROM conv), ''), COALESCE((SELECT message_count FROM conv), 0),
			(SELECT model FROM conv), (SELECT system_prompt FROM conv), (SELECT instructions FROM conv), (SELECT default_model FROM conv)`,
		conversationID, userID, answerID, answerWithin.Seconds()).
		Scan(&owned, &role, &claimed, &until, &qID, &qContent, &qCreated, &t.ParentID, &t.Title, &t.MessageCount,
			&t.Model, &t.SystemPrompt, &t.Instructions, &t.DefaultModel)
	switch {
	case err != nil:
		return UserTurn{}, "", fmt.Errorf("regenerate %s: %w", answerID, err)
	case !owned || role == nil:
		return UserTurn{}, "", ErrNotFound
	case *role != "assistant" || qID == nil:
		return UserTurn{}, "", ErrNotAnAnswer
	case !claimed:
		next := time.Now().Add(answerWithin)
		if until != nil {
			next = *until
		}
		return UserTurn{}, "", &TurnInProgressError{Until: next}
	}
	t.ConversationID, t.MessageID, t.CreatedAt = conversationID, *qID, *qCreated
	return t, *qContent, nil
}

// SwitchBranch makes the branch through the caller's message messageID the
// one shown: the conversation's leaf becomes the end of that branch,
// following the newest child down from the message. It returns the new
// leaf; ErrNotFound if the message is not of the caller's conversation. One
// round trip.
func SwitchBranch(ctx context.Context, db DB, userID, conversationID, messageID string) (string, error) {
	if !ValidID(conversationID) || !ValidID(messageID) {
		return "", ErrNotFound
	}
	var leaf *string
	err := db.QueryRow(ctx, `
		WITH RECURSIVE conv AS (
			SELECT id FROM conversations WHERE id = $1 AND user_id = $2
		), down AS (
			SELECT m.id, 0 AS depth FROM conv JOIN messages m ON m.conversation_id = conv.id AND m.id = $3
			UNION ALL
			SELECT c.id, d.depth + 1 FROM down d
			CROSS JOIN LATERAL (SELECT id FROM messages WHERE parent_id = d.id ORDER BY seq DESC LIMIT 1) c
		), leaf AS (
			SELECT id FROM down ORDER BY depth DESC LIMIT 1
		), upd AS (
			UPDATE conversations SET leaf_id = (SELECT id FROM leaf)
			WHERE id = $1 AND user_id = $2 AND EXISTS (SELECT 1 FROM leaf)
			RETURNING leaf_id
		)
		SELECT (SELECT leaf_id::text FROM upd)`, conversationID, userID, messageID).Scan(&leaf)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && leaf == nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("switch branch of %s to %s: %w", conversationID, messageID, err)
	}
	return *leaf, nil
}
