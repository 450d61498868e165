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

// Builder builds bootstraps into a cache folder (the user's cache dir,
// macro-ai/testbuild) and remembers them for the life of the test binary. The
// folder is a cache like Go's build cache: reused, never garbage.
type Builder struct {
	mu    sync.Mutex
	built map[string]string
}

// New returns a Builder.
func New() *Builder { return &Builder{built: map[string]string{}} }

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
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	name := strings.NewReplacer("/", "_", ".", "_").Replace(pkgDir)
	out := filepath.Join(cache, "macro-ai", "testbuild", name, "bootstrap")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		tb.Fatal(err)
	}
	// Build beside it and rename: test binaries building the same program
	// at once, or running the old one, never see a half-written file.
	tmp := fmt.Sprintf("%s.%d.tmp", out, os.Getpid())
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", tmp, ".")
	cmd.Dir = filepath.Join(ModuleRoot(), pkgDir)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		tb.Fatalf("build %s: %v\n%s", pkgDir, err, msg)
	}
	if err := os.Rename(tmp, out); err != nil {
		tb.Fatal(err)
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
		panic("testbuild: no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}
