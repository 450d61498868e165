package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresBin is where Debian installs PostgreSQL 15's server programs.
var PostgresBin = "/usr/lib/postgresql/15/bin"

// Postgres is a PostgreSQL server on loopback.
type Postgres struct {
	Port    int
	DataDir string
	proc    *process
}

// PostgresOptions tunes StartPostgres.
type PostgresOptions struct {
	// Durable keeps fsync on (for make dev's data); tests turn it off for speed.
	Durable bool
}

// StartPostgres starts a server on port with its data in dataDir, creating the
// cluster first if dataDir is empty (an existing cluster is reused).
func StartPostgres(ctx context.Context, dataDir string, port int, opts PostgresOptions) (*Postgres, error) {
	if _, err := os.Stat(filepath.Join(PostgresBin, "postgres")); err != nil {
		return nil, fmt.Errorf("PostgreSQL 15 is not installed at %s: run make deps (local/scripts/install-deps.sh)", PostgresBin)
	}
	cred, err := unprivileged()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create postgres data dir: %w", err)
	}
	if cred != nil {
		// The server runs as postgres: it must own its data and reach it.
		if err := os.Chown(dataDir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("chown postgres data dir: %w", err)
		}
		for d := filepath.Dir(dataDir); d != "/"; d = filepath.Dir(d) {
			if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
				_ = os.Chmod(d, fi.Mode().Perm()|0o005)
			}
		}
	}
	logPath := filepath.Join(filepath.Dir(dataDir), filepath.Base(dataDir)+".log")
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err != nil {
		initdb := exec.CommandContext(ctx, filepath.Join(PostgresBin, "initdb"),
			"-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := initdb.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("initdb %s: %w\n%s", dataDir, err, out)
		}
	}
	if cred != nil {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
		}
	}
	args := []string{"-D", dataDir, "-p", fmt.Sprint(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "max_connections=200", "-c", "shared_buffers=128MB"}
	if !opts.Durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(PostgresBin, "postgres"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	proc, err := startProcess("postgres", cmd, logPath)
	if err != nil {
		return nil, err
	}
	pg := &Postgres{Port: port, DataDir: dataDir, proc: proc}
	if err := proc.waitFor(30*time.Second, connects(ctx, pg.URL("postgres"))); err != nil {
		_ = pg.Stop()
		return nil, err
	}
	return pg, nil
}

// connects is a readiness check: a connection to url opens (within a second).
func connects(ctx context.Context, url string) func() error {
	return func() error {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		c, err := pgx.Connect(cctx, url)
		if err != nil {
			return err
		}
		return c.Close(cctx)
	}
}

// URL is the connection string for database as the superuser.
func (p *Postgres) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, database)
}

// Stop shuts the server down (fast mode) and waits for it.
func (p *Postgres) Stop() error {
	return p.proc.stop(syscall.SIGINT, 15*time.Second)
}

// CreateDatabase creates name (from template, if not empty) unless it exists.
func (p *Postgres) CreateDatabase(ctx context.Context, name, template string) error {
	c, err := pgx.Connect(ctx, p.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to create database %s: %w", name, err)
	}
	defer c.Close(ctx)
	var exists bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		sql += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	if _, err := c.Exec(ctx, sql); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// TemplateSuffix names the copy of the stack's migrated database that
// NewDatabase copies from: a database nothing ever connects to. The stack's
// own database cannot be the template, because CREATE DATABASE … TEMPLATE
// waits (5 s a try) while anything is connected to it, and a function or a
// test of another package may hold a connection to it for its pool's idle
// time: a test elsewhere would then time out creating its database.
const TemplateSuffix = "_template"

// RecreateDatabase drops name if it exists and creates it again as a copy of
// template (which nothing may be connected to).
func (p *Postgres) RecreateDatabase(ctx context.Context, name, template string) error {
	c, err := pgx.Connect(ctx, p.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to recreate database %s: %w", name, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	if _, err := c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{template}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s from %s: %w", name, template, err)
	}
	return nil
}
