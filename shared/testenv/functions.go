package testenv

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Wire runs a function's wire as its cold start does, with the settings the
// test has put in the environment (Env.Setenv, t.Setenv), and returns the
// handler; a wiring that fails fails the test.
func Wire[H any](tb testing.TB, wire func(context.Context) (H, error)) H {
	tb.Helper()
	h, err := wire(context.Background())
	if err != nil {
		tb.Fatalf("wire: %v", err)
	}
	return h
}

// Pool opens a pgx pool on databaseURL, closed when the test ends.
func Pool(tb testing.TB, databaseURL string) *pgxpool.Pool {
	tb.Helper()
	pool, err := pgxpool.New(context.Background(), databaseURL)
	if err != nil {
		tb.Fatalf("testenv: open a pool: %v", err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

// NewPool opens a pool on a fresh database of the test's own (NewDatabase),
// closed when the test ends.
func (e Env) NewPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	return Pool(tb, e.NewDatabase(tb))
}
