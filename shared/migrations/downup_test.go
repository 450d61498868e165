package migrations_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"github.com/macro-ai/macro-ai/shared/migrations"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// TestDownAndUpAgain walks every migration down to nothing and up again on
// a migrated database, checking the HNSW index's build parameters on the way
// (migration 004).
func TestDownAndUpAgain(t *testing.T) {
	ctx := context.Background()
	conn, m := newMigrator(t)
	last := int32(len(m.Migrations))
	indexDef := func() string {
		var def string
		err := conn.QueryRow(ctx, `SELECT indexdef FROM pg_indexes WHERE indexname = 'message_embeddings_embedding_idx'`).Scan(&def)
		if err != nil {
			t.Fatalf("the HNSW index: %v", err)
		}
		return def
	}
	steps := []struct {
		to         int32
		wantParams bool // ef_construction 128 (migration 004)
	}{
		{3, false},
		{last, true},
		{0, false},
		{last, true},
	}
	for _, st := range steps {
		if err := m.MigrateTo(ctx, st.to); err != nil {
			t.Fatalf("migrate to %d: %v", st.to, err)
		}
		if st.to == 0 {
			var n int
			conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version'`).Scan(&n)
			if n != 0 {
				t.Fatalf("%d tables left at version 0", n)
			}
			continue
		}
		if got := strings.Contains(indexDef(), "ef_construction='128'"); got != st.wantParams {
			t.Fatalf("at version %d the index is %s", st.to, indexDef())
		}
	}
}

// TestTurnOrderBackfill: migration 005 gives the messages a database already
// holds their place in the turn: an answer stored after the next question
// still comes right after its own.
func TestTurnOrderBackfill(t *testing.T) {
	ctx := context.Background()
	conn, m := newMigrator(t)
	if err := m.MigrateTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	_, err := conn.Exec(ctx, `
		INSERT INTO users (id, email) VALUES ('00000000-0000-4000-8000-000000000001', 'a@example.com');
		INSERT INTO conversations (id, user_id) VALUES ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000001');
		INSERT INTO messages (id, conversation_id, user_id, role, content, created_at) VALUES
		  ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000001', 'user', 'q1', '2026-01-01 10:00:00'),
		  ('00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000001', 'user', 'q2', '2026-01-01 10:00:01');
		INSERT INTO messages (conversation_id, user_id, role, content, status, reply_to, created_at) VALUES
		  ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000001', 'assistant', 'a2', 'complete', '00000000-0000-4000-8000-00000000000b', '2026-01-01 10:00:02'),
		  ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000001', 'assistant', 'a1', 'incomplete', '00000000-0000-4000-8000-00000000000a', '2026-01-01 10:00:03')`)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// A new question after the migration takes the next place.
	if _, err := conn.Exec(ctx, `INSERT INTO messages (conversation_id, user_id, role, content)
		VALUES ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000001', 'user', 'q3')`); err != nil {
		t.Fatal(err)
	}
	rows, _ := conn.Query(ctx, `SELECT content || '@' || seq FROM messages ORDER BY seq`)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if want := "q1@2 a1@3 q2@4 a2@5 q3@6"; strings.Join(got, " ") != want {
		t.Errorf("after migration 005: %s, want %s", strings.Join(got, " "), want)
	}
}

// newMigrator is a tern migrator with the embedded migrations over a
// connection to a new migrated test database.
func newMigrator(t *testing.T) (*pgx.Conn, *migrate.Migrator) {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, env.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	m, err := migrate.NewMigrator(ctx, conn, migrations.VersionTable)
	if err != nil {
		t.Fatal(err)
	}
	sqlFiles, _ := fs.Sub(migrations.Files, "sql")
	m.Data["embedding_dimensions"] = env.EmbeddingDimensions
	if err := m.LoadMigrations(sqlFiles); err != nil {
		t.Fatal(err)
	}
	return conn, m
}
