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
// a migrated database, checking the HNSW index's build parameters on the way.
func TestDownAndUpAgain(t *testing.T) {
	env := testenv.Get(t)
	url := env.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, migrations.VersionTable)
	if err != nil {
		t.Fatal(err)
	}
	sqlFiles, _ := fs.Sub(migrations.Files, "sql")
	m.Data["embedding_dimensions"] = env.EmbeddingDimensions
	if err := m.LoadMigrations(sqlFiles); err != nil {
		t.Fatal(err)
	}
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
		{last - 1, false},
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
