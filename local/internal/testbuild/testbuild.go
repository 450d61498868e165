// Package testbuild builds Lambda bootstraps for tests, the way the Makefile
// does (CGO off, -tags lambda.norpc), once per test binary.
package testbuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Builder builds and caches bootstraps in one temporary folder.
type Builder struct {
	mu    sync.Mutex
	dir   string
	built map[string]string
}

// New returns a Builder; Close removes what it built.
func New() *Builder { return &Builder{built: map[string]string{}} }

// Close removes the built files.
func (b *Builder) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		return nil
	}
	return os.RemoveAll(b.dir)
}

// Bootstrap builds the main package at pkgDir (a path relative to the local
// module's root, e.g. "internal/testfn", or "../functions/health") and
// returns the executable's path.
func (b *Builder) Bootstrap(tb testing.TB, pkgDir string) string {
	tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := b.built[pkgDir]; ok {
		return p
	}
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "macro-testbuild-")
		if err != nil {
			tb.Fatal(err)
		}
		b.dir = dir
	}
	src := filepath.Join(ModuleRoot(), pkgDir)
	out := filepath.Join(b.dir, strings.NewReplacer("/", "_", ".", "_").Replace(pkgDir), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build %s: %v\n%s", pkgDir, err, msg)
	}
	b.built[pkgDir] = out
	return out
}

// Link makes dir/name/bootstrap a symlink to bootstrap, the layout of a build
// folder (.build/<arch>/<name>/bootstrap), and returns dir.
func Link(tb testing.TB, dir, bootstrap string, names ...string) string {
	tb.Helper()
	for _, name := range names {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.Symlink(bootstrap, filepath.Join(dir, name, "bootstrap")); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// ModuleRoot is the local module's folder.
func ModuleRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic(fmt.Sprint("testbuild: no caller information"))
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}
