package migrations_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/macro-ai/macro-ai/shared/migrations"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// TestFunctionsRoleChangesRowsOnly: the functions' role reads and writes
// rows, and every schema change is refused (insufficient_privilege or
// must-be-owner, both SQLSTATE 42501).
func TestFunctionsRoleChangesRowsOnly(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	fn := connect(t, testenv.AsFunctions(env.NewDatabase(t)))

	user := uuid.NewString()
	if _, err := fn.Exec(ctx, `INSERT INTO users (id, email) VALUES ($1, 'a@example.com')`, user); err != nil {
		t.Fatalf("insert a user: %v", err)
	}
	var conv string
	if err := fn.QueryRow(ctx, `INSERT INTO conversations (user_id, title) VALUES ($1, 't') RETURNING id::text`, user).Scan(&conv); err != nil {
		t.Fatalf("insert a conversation: %v", err)
	}
	if _, err := fn.Exec(ctx, `INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, 'user', 'hi')`, conv, user); err != nil {
		t.Fatalf("insert a message (its trigger numbers it): %v", err)
	}
	if _, err := fn.Exec(ctx, `UPDATE conversations SET title = 'u' WHERE id = $1`, conv); err != nil {
		t.Fatalf("update: %v", err)
	}
	if _, err := fn.Exec(ctx, `DELETE FROM conversations WHERE id = $1`, conv); err != nil {
		t.Fatalf("delete: %v", err)
	}

	for _, stmt := range []string{
		`CREATE TABLE intruder (id int)`,
		`DROP TABLE messages`,
		`ALTER TABLE messages ADD COLUMN x int`,
		`TRUNCATE conversations`,
		`CREATE INDEX ON messages (content)`,
		`CREATE SCHEMA intruder`,
		`UPDATE public.schema_version SET version = 0`,
		`CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
	} {
		_, err := fn.Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s: err = %v, want 42501 (no privilege)", stmt, err)
		}
	}
}

// TestGrantAppSetsThePassword: GrantApp creates the functions' login role
// with the password of their URL, and a second run (a later deploy, a
// rotated password) updates it.
func TestGrantAppSetsThePassword(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	db := env.NewDatabase(t)
	name := "fn_" + uuid.NewString()[:8]
	admin := connect(t, env.PostgresAdminURL)
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP OWNED BY "+name)
		admin.Exec(context.Background(), "DROP ROLE "+name)
	})
	for _, password := range []string{"first'quote", "rotated"} {
		u, _ := url.Parse(db)
		u.User = url.UserPassword(name, password)
		limited, err := migrations.GrantApp(ctx, db, u.String())
		if err != nil || !limited {
			t.Fatalf("GrantApp: %v, %v", limited, err)
		}
		var member, login bool
		var hash string
		if err := admin.QueryRow(ctx, `SELECT pg_has_role($1, $2, 'MEMBER'), rolcanlogin, coalesce(rolpassword, '')
			FROM pg_authid WHERE rolname = $1`, name, migrations.AppRole).Scan(&member, &login, &hash); err != nil {
			t.Fatal(err)
		}
		if !member || !login || hash == "" {
			t.Errorf("member of %s %v, login %v, password set %v", migrations.AppRole, member, login, hash != "")
		}
	}
	t.Run("the same user as the migrations: nothing to limit", func(t *testing.T) {
		if limited, err := migrations.GrantApp(ctx, db, db); err != nil || limited {
			t.Errorf("limited %v, err %v", limited, err)
		}
	})
	t.Run("a superuser for the functions is refused", func(t *testing.T) {
		u, _ := url.Parse(db)
		u.User = url.User("postgres")
		other, _ := url.Parse(db)
		other.User = url.User(name)
		if _, err := migrations.GrantApp(ctx, other.String(), u.String()); err == nil {
			t.Error("no error")
		}
	})
}
