package testenv

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/macro-ai/macro-ai/shared/store"
)

// CountingDB counts the statements (database round trips) sent through it.
type CountingDB struct {
	DB store.DB
	n  atomic.Int64
}

// RoundTrips returns the count so far and resets it.
func (c *CountingDB) RoundTrips() int { return int(c.n.Swap(0)) }

// Exec implements store.DB.
func (c *CountingDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c.n.Add(1)
	return c.DB.Exec(ctx, sql, args...)
}

// Query implements store.DB.
func (c *CountingDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c.n.Add(1)
	return c.DB.Query(ctx, sql, args...)
}

// QueryRow implements store.DB.
func (c *CountingDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	c.n.Add(1)
	return c.DB.QueryRow(ctx, sql, args...)
}

// SendBatch implements store.DB: a batch is one round trip.
func (c *CountingDB) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	c.n.Add(1)
	return c.DB.SendBatch(ctx, b)
}
