// Package store holds the queries. Every statement that touches a user's data
// is scoped by that user's id in SQL itself; a row of another user is simply
// not found.
package store

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotFound means no row of the caller's matched.
var ErrNotFound = errors.New("not found")

// ValidID reports whether id is a UUID in its canonical form (36 characters,
// hyphenated), the only form the API gives out. The uuid package also reads
// "urn:uuid:…", braces and 32 bare hex digits, which PostgreSQL refuses: an id
// in any of them is simply no row of the caller's.
func ValidID(id string) bool { return len(id) == 36 && uuid.Validate(id) == nil }

// DB is what the queries need: *pgxpool.Pool, *pgx.Conn and pgx.Tx satisfy it.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}
