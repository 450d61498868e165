package testenv

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// PgBouncerPoolSize is the pooler's server connections per database and
// user: what PostgreSQL sees, however many clients (Lambda instances)
// connect to the pooler.
const PgBouncerPoolSize = 20

// PgBouncer is a transaction-mode connection pooler in front of PostgreSQL,
// as Neon's pooled endpoint is (PgBouncer). Debian bookworm's 1.18 keeps no
// prepared statements across transactions, so its clients use pgx's
// default_query_exec_mode=exec, which Neon's newer pooler accepts as well:
// what works here works there.
type PgBouncer struct {
	Port int
	proc *process
}

// StartPgBouncer starts pgbouncer on port in front of the PostgreSQL on
// pgPort (any database, user postgres, no password), with its files in dir.
func StartPgBouncer(ctx context.Context, dir string, port, pgPort int) (*PgBouncer, error) {
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		bin = "/usr/sbin/pgbouncer" // Debian's, outside a user's PATH
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("pgbouncer is not installed: run make deps (local/scripts/install-deps.sh)")
		}
	}
	cred, err := unprivileged() // pgbouncer refuses to run as root, as PostgreSQL does
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create pgbouncer dir: %w", err)
	}
	users := filepath.Join(dir, "userlist.txt")
	ini := filepath.Join(dir, "pgbouncer.ini")
	// server_idle_timeout returns idle server connections to PostgreSQL; a
	// client's statement_timeout startup parameter is refused unless listed
	// in ignore_startup_parameters, as on a pooler that does not pass it on.
	conf := fmt.Sprintf(`[databases]
* = host=127.0.0.1 port=%d

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 2000
server_idle_timeout = 30
ignore_startup_parameters = extra_float_digits
admin_users = postgres
`, pgPort, port, users, PgBouncerPoolSize)
	for path, content := range map[string]string{users: `"postgres" ""` + "\n" + `"` + FunctionsUser + `" ""` + "\n", ini: conf} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	cmd := exec.Command(bin, ini)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	proc, err := startProcess("pgbouncer", cmd, filepath.Join(dir, "pgbouncer.log"))
	if err != nil {
		return nil, err
	}
	b := &PgBouncer{Port: port, proc: proc}
	if err := proc.waitFor(10*time.Second, connects(ctx, b.URL("postgres"))); err != nil {
		_ = b.Stop()
		return nil, err
	}
	return b, nil
}

// URL is the pooled connection string for database.
func (b *PgBouncer) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&default_query_exec_mode=exec", b.Port, database)
}

// Stop shuts it down and waits for it.
func (b *PgBouncer) Stop() error { return b.proc.stop(syscall.SIGTERM, 5*time.Second) }

// FunctionsUser is the login role the functions use locally: a member of
// migrations.AppRole, with rows-only rights, as on AWS.
const FunctionsUser = "macro_ai_functions"

// AsFunctions turns a URL of the stack's PostgreSQL (such as NewDatabase's)
// into the same database as the functions' role.
func AsFunctions(direct string) string {
	u, err := url.Parse(direct)
	if err != nil {
		return direct
	}
	u.User = url.User(FunctionsUser)
	return u.String()
}

// Pooled turns a direct URL of the stack's PostgreSQL (such as NewDatabase's)
// into the same database through the pooler, as the functions' role: what
// the functions' DATABASE_URL is on AWS.
func (e Env) Pooled(direct string) string {
	u, err := url.Parse(AsFunctions(direct))
	if err != nil || e.PgBouncerPort == 0 {
		return direct
	}
	u.Host = "127.0.0.1:" + strconv.Itoa(e.PgBouncerPort)
	q := u.Query()
	q.Set("default_query_exec_mode", "exec")
	u.RawQuery = q.Encode()
	return u.String()
}
