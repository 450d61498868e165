// Package migrations holds the embedded SQL schema and applies it with tern, pgx's
// own migration tool. It is its own package so that functions that only query
// the database do not link the migration machinery.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed sql/*.sql
var files embed.FS

// VersionTable records the applied version.
const VersionTable = "public.schema_version"

// Apply migrates the database at connString to the newest version. It is
// idempotent, serialised across concurrent callers by tern's advisory lock, and
// fails if the embedding column's dimension differs from dimensions.
func Apply(ctx context.Context, connString string, dimensions int) error {
	_, err := Migrate(ctx, connString, dimensions)
	return err
}

// Result says what Migrate did: the schema version before and after.
type Result struct {
	From int32 `json:"from"`
	To   int32 `json:"to"`
}

// Migrate is Apply that also reports the versions. The advisory lock tern
// takes needs a session: behind a transaction-mode pooler, give it the
// direct (unpooled) connection string.
func Migrate(ctx context.Context, connString string, dimensions int) (Result, error) {
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return Result{}, fmt.Errorf("connect for migrations: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// The database's statement_timeout (migration 006) is for the app's
	// queries: a migration (an index build) may take longer.
	if _, err := conn.Exec(ctx, "SET statement_timeout = 0"); err != nil {
		return Result{}, fmt.Errorf("lift statement_timeout for migrations: %w", err)
	}

	m, err := migrate.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return Result{}, fmt.Errorf("create migrator: %w", err)
	}
	sqlFiles, err := fs.Sub(files, "sql")
	if err != nil {
		return Result{}, fmt.Errorf("open embedded migrations: %w", err)
	}
	// Templates are evaluated as they load: the data comes first.
	m.Data["embedding_dimensions"] = dimensions
	if err := m.LoadMigrations(sqlFiles); err != nil {
		return Result{}, fmt.Errorf("load migrations: %w", err)
	}
	var res Result
	if res.From, err = m.GetCurrentVersion(ctx); err != nil {
		return Result{}, fmt.Errorf("read schema version: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return Result{}, fmt.Errorf("apply migrations: %w", err)
	}
	if res.To, err = m.GetCurrentVersion(ctx); err != nil {
		return Result{}, fmt.Errorf("read schema version: %w", err)
	}
	return res, CheckDimensions(ctx, conn, dimensions)
}

// Querier is satisfied by *pgx.Conn and *pgxpool.Pool.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CheckDimensions fails with a clear message when the embedding column was
// created with another dimension than the one configured: a mismatch must stop
// a deploy or a cold start, not fail inserts later.
func CheckDimensions(ctx context.Context, q Querier, dimensions int) error {
	var got int
	err := q.QueryRow(ctx, `SELECT atttypmod FROM pg_attribute
		WHERE attrelid = 'message_embeddings'::regclass AND attname = 'embedding'`).Scan(&got)
	if err != nil {
		return fmt.Errorf("read embedding column dimension: %w", err)
	}
	if got != dimensions {
		return fmt.Errorf("embedding dimension mismatch: the message_embeddings.embedding column holds %d dimensions but EMBEDDING_DIMENSIONS is %d; set EMBEDDING_DIMENSIONS=%d or migrate the column and re-embed", got, dimensions, got)
	}
	return nil
}
