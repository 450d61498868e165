package db

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is what Bounded wraps: *pgxpool.Pool, *pgx.Conn, pgx.Tx.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Bounded gives every call to q its own deadline of timeout (within the
// caller's), from the call until its rows are read: a database that hangs
// (a stopped server, a partition, a compute waking up too slowly) fails the
// call with context.DeadlineExceeded, which IsUnavailable reports, instead
// of holding the request until the function's timeout. It satisfies
// store.DB.
type Bounded struct {
	q       Querier
	timeout time.Duration
}

// Bound returns q with a deadline of timeout on each call; 0 leaves q as it is.
func Bound(q Querier, timeout time.Duration) *Bounded { return &Bounded{q: q, timeout: timeout} }

func (b *Bounded) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if b.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, b.timeout)
}

// Exec runs sql within the deadline.
func (b *Bounded) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	return b.q.Exec(ctx, sql, args...)
}

// Query runs sql; the deadline lasts until the rows are read or closed.
func (b *Bounded) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	ctx, cancel := b.bound(ctx)
	rows, err := b.q.Query(ctx, sql, args...)
	if err != nil {
		cancel()
		return nil, err
	}
	return &boundedRows{Rows: rows, cancel: cancel}, nil
}

// QueryRow runs sql; the deadline lasts until Scan.
func (b *Bounded) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	ctx, cancel := b.bound(ctx)
	return boundedRow{row: b.q.QueryRow(ctx, sql, args...), cancel: cancel}
}

// SendBatch sends b; the deadline lasts until the results are closed.
func (b *Bounded) SendBatch(ctx context.Context, batch *pgx.Batch) pgx.BatchResults {
	ctx, cancel := b.bound(ctx)
	return &boundedBatch{BatchResults: b.q.SendBatch(ctx, batch), cancel: cancel}
}

type boundedRows struct {
	pgx.Rows
	cancel context.CancelFunc
}

func (r *boundedRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.cancel()
	return false
}

func (r *boundedRows) Close() {
	r.Rows.Close()
	r.cancel()
}

type boundedRow struct {
	row    pgx.Row
	cancel context.CancelFunc
}

func (r boundedRow) Scan(dest ...any) error {
	defer r.cancel()
	return r.row.Scan(dest...)
}

type boundedBatch struct {
	pgx.BatchResults
	cancel context.CancelFunc
}

func (b *boundedBatch) Close() error {
	defer b.cancel()
	return b.BatchResults.Close()
}
