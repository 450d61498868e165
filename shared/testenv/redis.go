package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Redis is a Redis server on loopback.
type Redis struct {
	Port int
	proc *process
}

// StartRedis starts redis-server on port with its data in dataDir; persist
// keeps snapshots (for make dev), tests keep everything in memory.
func StartRedis(dataDir string, port int, persist bool) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server is not installed: run make deps (local/scripts/install-deps.sh)")
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create redis data dir: %w", err)
	}
	args := []string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dataDir,
		"--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"}
	if persist {
		args = append(args, "--save", "60 1", "--appendonly", "no")
	} else {
		args = append(args, "--save", "", "--appendonly", "no")
	}
	proc, err := startProcess("redis", exec.Command(bin, args...), filepath.Join(dataDir, "redis.log"))
	if err != nil {
		return nil, err
	}
	r := &Redis{Port: port, proc: proc}
	if err := proc.waitFor(10*time.Second, dialable(r.Addr())); err != nil {
		_ = r.Stop()
		return nil, err
	}
	return r, nil
}

// Addr is host:port.
func (r *Redis) Addr() string { return fmt.Sprintf("127.0.0.1:%d", r.Port) }

// URL is the redis:// URL of database db.
func (r *Redis) URL(db int) string { return fmt.Sprintf("redis://%s/%d", r.Addr(), db) }

// Stop shuts the server down and waits for it.
func (r *Redis) Stop() error { return r.proc.stop(syscall.SIGTERM, 10*time.Second) }
