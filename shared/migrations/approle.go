package migrations

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// AppRole is the role (migration 008) that holds the functions' rights: rows
// only, no schema changes.
const AppRole = "macro_ai_app"

// GrantApp makes the login role of appURL (the functions' DATABASE_URL) a
// member of AppRole, creating it with appURL's password if it does not exist
// and setting that password if it does, through the owner's connection at
// migrationURL. So the owner chooses a user name and password for the
// functions, puts them in their URL, and the deploy does the rest.
//
// When both URLs name the same user (no separate migration URL), the
// functions keep the owner's rights: GrantApp says so and changes nothing.
// A login role that is a superuser, or owns the schema, keeps those rights
// too; GrantApp fails then, so that nobody believes the functions are
// limited when they are not.
func GrantApp(ctx context.Context, migrationURL, appURL string) (limited bool, err error) {
	app, err := pgx.ParseConfig(appURL)
	if err != nil {
		return false, fmt.Errorf("parse the functions' database URL: %w", err)
	}
	owner, err := pgx.ParseConfig(migrationURL)
	if err != nil {
		return false, fmt.Errorf("parse the migration database URL: %w", err)
	}
	if app.User == "" || app.User == owner.User {
		return false, nil
	}
	conn, err := pgx.ConnectConfig(ctx, owner)
	if err != nil {
		return false, fmt.Errorf("connect to grant %s: %w", AppRole, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	user := pgx.Identifier{app.User}.Sanitize()
	var exists, super bool
	if err := conn.QueryRow(ctx, `SELECT count(*) > 0, coalesce(bool_or(rolsuper), false) FROM pg_roles WHERE rolname = $1`,
		app.User).Scan(&exists, &super); err != nil {
		return false, fmt.Errorf("look up role %s: %w", app.User, err)
	}
	if super {
		return false, fmt.Errorf("the functions' database user %s is a superuser: give them a user of their own", app.User)
	}
	// CREATE/ALTER ROLE take no parameters: the password is a quoted literal
	// (standard_conforming_strings is on since PostgreSQL 9.1).
	password := ""
	if app.Password != "" {
		password = " PASSWORD '" + strings.ReplaceAll(app.Password, "'", "''") + "'"
	}
	stmt := "ALTER ROLE " + user + " WITH LOGIN" + password
	if !exists {
		stmt = "CREATE ROLE " + user + " WITH LOGIN" + password
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		// Never the statement: it holds the password.
		return false, fmt.Errorf("create or update role %s: %w", app.User, pgErrorWithoutDetail(err))
	}
	if _, err := conn.Exec(ctx, "GRANT "+AppRole+" TO "+user); err != nil {
		return false, fmt.Errorf("grant %s to %s: %w", AppRole, app.User, err)
	}
	var ownsSchema bool
	if err := conn.QueryRow(ctx, `SELECT pg_has_role($1, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = 'public'`,
		app.User).Scan(&ownsSchema); err != nil {
		return false, fmt.Errorf("check the owner of schema public: %w", err)
	}
	if ownsSchema {
		return false, fmt.Errorf("the functions' database user %s owns (or is a member of the owner of) schema public: give them a user of their own", app.User)
	}
	return true, nil
}

// pgErrorWithoutDetail keeps an error's message and drops anything that
// might echo the statement.
func pgErrorWithoutDetail(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "PASSWORD"); i >= 0 {
		msg = msg[:i] + "…"
	}
	return fmt.Errorf("%s", msg)
}
