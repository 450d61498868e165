package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// accountDeletedCode is the SQLSTATE of migration 013's trigger: an insert of
// a user whose account was deleted.
const accountDeletedCode = "MA401"

// AccountDeleted reports whether err is the refusal to bring a deleted
// account back (a token issued before the deletion, still unexpired, that
// creates the users row on first sight).
func AccountDeleted(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == accountDeletedCode
}

// DeleteAccount deletes every row of the user in one statement (one round
// trip): a tombstone of the id's SHA-256 first, so that no later insert of
// the user can bring the account back (migration 013), then the users row,
// which cascades to conversations, messages, their vectors, imports and
// whatever else references the user. It returns the ids of the conversations
// that were deleted, whose Redis keys the caller deletes next. Deleting an
// account that has no row (or was deleted already) deletes nothing and is no
// error, so a deletion that failed later on can be run again.
func DeleteAccount(ctx context.Context, db DB, userID string) (conversationIDs []string, err error) {
	if !ValidID(userID) {
		return nil, fmt.Errorf("delete account %q: not a user id", userID)
	}
	rows, err := db.Query(ctx, `
		WITH tombstone AS (
			INSERT INTO deleted_users (id_sha256) VALUES (sha256(convert_to($1::uuid::text, 'UTF8')))
			ON CONFLICT (id_sha256) DO NOTHING
		), gone AS (
			DELETE FROM users WHERE id = $1
		)
		SELECT id::text FROM conversations WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("delete account %s: %w", userID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("delete account %s: %w", userID, err)
	}
	return ids, nil
}
