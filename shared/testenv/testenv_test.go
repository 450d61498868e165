package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// helperVar makes the test binary run TestHelperNeedsStack as a child.
const helperVar = "TESTENV_HELPER"

// TestHelperNeedsStack is not a test of its own: the tests below run it in a
// child test binary, where it asks for the server named by TESTENV_HELPER.
func TestHelperNeedsStack(t *testing.T) {
	switch os.Getenv(helperVar) {
	case "":
		t.Skip("run by TestShortSkipsAndFullFails")
	case "Get":
		Get(t)
	case "StartPostgresT":
		StartPostgresT(t)
	case "StartRedisT":
		StartRedisT(t)
	}
	t.Log("REACHED")
}

// TestShortSkipsAndFullFails: under -short every helper that needs a server
// skips the test before starting anything; without -short a stack that is
// not there fails it, loudly, and is never skipped.
func TestShortSkipsAndFullFails(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-stack.env")
	for _, helper := range []string{"Get", "StartPostgresT", "StartRedisT"} {
		t.Run(helper, func(t *testing.T) {
			run := func(short bool) (string, error) {
				args := []string{"-test.run=^TestHelperNeedsStack$", "-test.v"}
				if short {
					args = append(args, "-test.short")
				}
				cmd := exec.Command(os.Args[0], args...)
				cmd.Env = append(os.Environ(), helperVar+"="+helper, EnvFileVar+"="+missing)
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			out, err := run(true)
			if err != nil || !strings.Contains(out, "--- SKIP: TestHelperNeedsStack") ||
				!strings.Contains(out, "needs the local stack; run without -short") || strings.Contains(out, "REACHED") {
				t.Errorf("under -short: err %v, want the test skipped:\n%s", err, out)
			}
			if helper != "Get" {
				return // StartPostgresT and StartRedisT start their own server: without -short, this test would start one
			}
			out, err = run(false)
			if err == nil || !strings.Contains(out, "--- FAIL: TestHelperNeedsStack") || !strings.Contains(out, "the local stack is not available") {
				t.Errorf("without -short and without a stack: err %v, want the test failed:\n%s", err, out)
			}
		})
	}
}

// TestNewDatabaseIsItsOwn: a test's database is a copy, never the stack's
// own (the template's name in a URL must not leak back).
func TestNewDatabaseIsItsOwn(t *testing.T) {
	env := Get(t)
	url := env.NewDatabase(t)
	if dbName(url) == dbName(env.DatabaseURL) || dbName(url) == dbName(env.DatabaseURL)+TemplateSuffix {
		t.Fatalf("NewDatabase gave %s, the stack's own", dbName(url))
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var current string
	if err := conn.QueryRow(context.Background(), "SELECT current_database()").Scan(&current); err != nil || current != dbName(url) {
		t.Errorf("connected to %q (%v), want %q", current, err, dbName(url))
	}
}
