package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// TurnReads is what StartTurn reads in the round trip that stores the user's
// message, instead of in round trips of their own.
type TurnReads struct {
	// History reads up to this many messages of the path the new message
	// will follow (what RecentMessages reads once it is stored); 0: none.
	History int
	// Related finds up to RelatedLimit of the caller's messages nearest to
	// this vector, outside the conversation (NearestMessages); nil: none.
	Related      []float32
	RelatedLimit int
}

// TurnStart is StartTurn's answer: the stored turn, and what it read.
type TurnStart struct {
	UserTurn
	// History is the path above the new message, newest first, when
	// HistoryRead: read just before the message was stored, from the
	// parent it was about to get. HistoryRead is false when none was asked
	// for, or when the message did not get that parent after all (another
	// turn moved the leaf in between, or a retry's message is an earlier
	// one): the caller then reads it with RecentMessages.
	History     []Message
	HistoryRead bool
	Related     []Related
}

// historyAboveSQL is the path the new message will follow, newest first:
// from its parent to be — $3 whether the parent is set, $4 the parent (null:
// a first message), else the conversation's leaf — up the parents, at most
// $5 messages. $1 the conversation, $2 the user. The first row's id is the
// parent it started from.
const historyAboveSQL = `
		WITH RECURSIVE path AS (
			SELECT m.id, m.parent_id, 1 AS depth FROM messages m
			WHERE m.id = CASE WHEN $3 THEN $4::uuid
				ELSE (SELECT leaf_id FROM conversations WHERE id = $1 AND user_id = $2) END
			  AND m.conversation_id = $1 AND m.user_id = $2
			UNION ALL
			SELECT m.id, m.parent_id, p.depth + 1 FROM path p JOIN messages m ON m.id = p.parent_id
			WHERE p.depth < $5
		)
		SELECT m.id::text, m.role, m.content, m.status, m.created_at
		FROM path JOIN messages m ON m.id = path.id
		ORDER BY path.depth`

// StartTurn is AddUserMessage with the turn's reads in the same round trip:
// one pipelined batch that reads the related messages and the history the
// message will follow, then stores it (AddUserMessage's statement). The
// batch is one implicit transaction, so a read that fails stores nothing
// (the caller answers an error, and a retry stores the message once). Its
// errors are AddUserMessage's.
func StartTurn(ctx context.Context, db DB, userID, conversationID, content string, clientMessageID *string, title string, answerWithin time.Duration, parent Parent, reads TurnReads) (TurnStart, error) {
	if err := checkTurnIDs(conversationID, parent); err != nil {
		return TurnStart{}, err
	}
	var ts TurnStart
	b := &pgx.Batch{}
	if reads.Related != nil && reads.RelatedLimit > 0 {
		b.Queue(`SELECT set_config('hnsw.iterative_scan', $1, true), set_config('hnsw.ef_search', $2, true),
			set_config('max_parallel_workers_per_gather', '0', true)`,
			IterativeScan, strconv.Itoa(max(EfSearch, reads.RelatedLimit)))
		b.Queue(fmt.Sprintf(nearestSQL, reads.RelatedLimit),
			userID, VectorLiteral(reads.Related), conversationID, ExactScanMaxVectors).Query(func(rows pgx.Rows) error {
			var err error
			ts.Related, err = collectRelated(rows, "related messages of "+userID)
			return err
		})
	}
	var history []Message
	if reads.History > 0 {
		b.Queue(historyAboveSQL, conversationID, userID, parent.Set, parent.ID, reads.History).Query(func(rows pgx.Rows) error {
			var err error
			history, err = scanMessages(rows)
			return err
		})
	}
	var a addedUserMessage
	b.Queue(addUserMessageSQL, a.args(userID, conversationID, content, clientMessageID, title, answerWithin, parent)...).QueryRow(a.scan)
	if err := db.SendBatch(ctx, b).Close(); err != nil {
		return TurnStart{}, fmt.Errorf("start a turn in %s: %w", conversationID, err)
	}
	t, err := a.turn(conversationID, answerWithin)
	if err != nil {
		return TurnStart{}, err
	}
	ts.UserTurn = t
	if reads.History > 0 && !t.Retry {
		switch {
		case t.ParentID == nil:
			ts.HistoryRead = len(history) == 0
		case len(history) > 0 && history[0].ID == *t.ParentID:
			ts.HistoryRead = true
		}
		if ts.HistoryRead {
			ts.History = history
		}
	}
	return ts, nil
}

// scanMessages reads id, role, content, status and created_at rows.
func scanMessages(rows pgx.Rows) ([]Message, error) {
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.Role, &m.Content, &m.Status, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan message: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
