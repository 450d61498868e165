// Package migrations holds the embedded SQL schema and applies it with tern, pgx's
// own migration tool. It is its own package so that functions that only query
// the database do not link the migration machinery.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

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
	if err := load(m, dimensions); err != nil {
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

// dimensionsField is the one template field the migrations use.
const dimensionsField = "{{.embedding_dimensions}}"

// load appends the embedded migrations to m as tern's LoadMigrations would
// (files found and ordered by tern's FindMigrations, split at tern's
// separator, each part trimmed) with {{.embedding_dimensions}} replaced by
// dimensions. It does not run text/template: LoadMigrations links
// text/template and sprig (sprig's whole function table and what it needs),
// 6.4 MB of the migrate bootstrap (17.6 MB, 11.2 MB without, on arm64). Any
// other template action in a migration is an error, so that none is
// silently left in the SQL.
func load(m *migrate.Migrator, dimensions int) error {
	fsys, err := fs.Sub(files, "sql")
	if err != nil {
		return err
	}
	paths, err := migrate.FindMigrations(fsys)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return migrate.NoMigrationsFoundError{}
	}
	for _, p := range paths {
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		text := strings.ReplaceAll(string(body), dimensionsField, strconv.Itoa(dimensions))
		if strings.Contains(text, "{{") {
			return fmt.Errorf("%s: a template action other than %s (the migrations are not run through text/template)", p, dimensionsField)
		}
		up, down, _ := strings.Cut(text, "---- create above / drop below ----")
		up, down = strings.TrimSpace(up), strings.TrimSpace(down)
		if !hasSQL(up) {
			return fmt.Errorf("%s: %w", p, migrate.ErrNoFwMigration)
		}
		m.AppendMigration(p, up, down)
	}
	return nil
}

// hasSQL reports whether sql has a line that is neither empty nor a comment.
func hasSQL(sql string) bool {
	for line := range strings.SplitSeq(sql, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "--") {
			return true
		}
	}
	return false
}
