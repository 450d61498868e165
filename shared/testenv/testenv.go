// Package testenv gives tests a real local stack: PostgreSQL with pgvector
// (migrated), Redis and cognito-local with a user pool, on loopback ports.
//
// make test starts one stack for the whole run and names its env file in
// MACRO_TESTENV; each test package then reads it. Without it (go test run by
// hand) each test binary starts its own stack in a temp folder and stops it at
// exit. A stack that cannot start fails the test: nothing is skipped, except
// under go test -short, where every test that needs a server (Get,
// StartPostgresT, StartRedisT) is skipped and no stack is started, so that
// the tests of the pure code run alone, in seconds (make test-short).
//
// It is test and local tooling only; no Lambda imports it.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvFileVar names the variable holding the path of a running stack's env file.
const EnvFileVar = "MACRO_TESTENV"

var (
	once     sync.Once
	shared   Env
	sharedEr error
	owned    *Stack
	ownedDir string
)

// Get returns the run's stack, starting one for this test binary if no
// MACRO_TESTENV file names a running one. Under -short it skips the test.
func Get(tb testing.TB) Env {
	tb.Helper()
	SkipIfShort(tb)
	once.Do(func() {
		if path := os.Getenv(EnvFileVar); path != "" {
			vars, err := ReadEnvFile(path)
			if err != nil {
				sharedEr = fmt.Errorf("read %s=%s: %w", EnvFileVar, path, err)
				return
			}
			shared, sharedEr = EnvFromVars(vars)
			return
		}
		ownedDir, sharedEr = os.MkdirTemp("", "macro-testenv-")
		if sharedEr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		owned, sharedEr = StartStack(ctx, StackOptions{Dir: ownedDir, Database: "macro_template"})
		if sharedEr == nil {
			shared = owned.Env
		}
	})
	if sharedEr != nil {
		tb.Fatalf("testenv: the local stack is not available: %v", sharedEr)
	}
	return shared
}

// SkipIfShort skips a test that needs the local stack (or starts a server of
// its own, as StartPostgresT does) when go test runs with -short.
func SkipIfShort(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("needs the local stack; run without -short")
	}
}

// Main runs the tests and then stops a stack this binary started. Call it from
// TestMain in every package that uses Get. It starts nothing itself: the stack
// starts with the first Get, so under -short, where Get skips, none does.
func Main(m *testing.M) {
	code := m.Run()
	if owned != nil {
		if err := owned.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testenv:", err)
		}
		os.RemoveAll(ownedDir)
	}
	os.Exit(code)
}

// NewDatabase creates a fresh, migrated database (a copy of the stack's
// migrated one, through its template copy that nothing connects to),
// dropped when the test ends, and returns its URL.
func (e Env) NewDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := "t_" + randomHex(6)
	template := dbName(e.DatabaseURL) + TemplateSuffix
	conn, err := pgx.Connect(ctx, e.PostgresAdminURL)
	if err != nil {
		tb.Fatalf("testenv: connect to create a database: %v", err)
	}
	defer conn.Close(ctx)
	// CREATE DATABASE … TEMPLATE needs the template to have no other sessions;
	// a few tries ride out another package's concurrent copy.
	for i := 0; ; i++ {
		_, err = conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
			pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize()))
		if err == nil || i == 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("testenv: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, e.PostgresAdminURL)
		if err != nil {
			tb.Errorf("testenv: connect to drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("testenv: drop database %s: %v", name, err)
		}
	})
	return strings.Replace(e.DatabaseURL, "/"+dbName(e.DatabaseURL)+"?", "/"+name+"?", 1)
}

func dbName(url string) string {
	rest := url[strings.LastIndex(url, "/")+1:]
	name, _, _ := strings.Cut(rest, "?")
	return name
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TempDir returns a folder that an unprivileged PostgreSQL can use too, removed
// when the test ends.
func TempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "macro-test-")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// StartPostgresT starts a private, empty PostgreSQL for a test that needs to
// stop it; it is stopped at cleanup.
func StartPostgresT(tb testing.TB) *Postgres {
	tb.Helper()
	SkipIfShort(tb)
	port, err := FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pg, err := StartPostgres(ctx, TempDir(tb)+"/pg", port, PostgresOptions{})
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	tb.Cleanup(func() { _ = pg.Stop() })
	return pg
}

// StartRedisT starts a private Redis for a test that needs to stop it.
func StartRedisT(tb testing.TB) *Redis {
	tb.Helper()
	SkipIfShort(tb)
	port, err := FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	r, err := StartRedis(TempDir(tb)+"/redis", port, false)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	tb.Cleanup(func() { _ = r.Stop() })
	return r
}
