package migrations_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/jackc/tern/v2/migrate"

	"github.com/macro-ai/macro-ai/shared/migrations"
)

// The migrations load without text/template (which kept 5 MB in the migrate
// bootstrap) exactly as tern's LoadMigrations would load them.
func TestLoadMatchesTern(t *testing.T) {
	ctx := context.Background()
	ours, err := migrate.NewMigrator(ctx, nil, migrations.VersionTable)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.Load(ours, 384); err != nil {
		t.Fatal(err)
	}
	tern, err := migrate.NewMigrator(ctx, nil, migrations.VersionTable)
	if err != nil {
		t.Fatal(err)
	}
	sqlFiles, err := fs.Sub(migrations.Files, "sql")
	if err != nil {
		t.Fatal(err)
	}
	tern.Data["embedding_dimensions"] = 384
	if err := tern.LoadMigrations(sqlFiles); err != nil {
		t.Fatal(err)
	}
	if len(ours.Migrations) != len(tern.Migrations) || len(ours.Migrations) == 0 {
		t.Fatalf("%d migrations, tern loads %d", len(ours.Migrations), len(tern.Migrations))
	}
	for i, m := range ours.Migrations {
		want := tern.Migrations[i]
		if m.Sequence != want.Sequence || m.Name != want.Name || m.UpSQL != want.UpSQL || m.DownSQL != want.DownSQL {
			t.Errorf("migration %d: %d %s differs from tern's %d %s", i, m.Sequence, m.Name, want.Sequence, want.Name)
		}
	}
}
