// Package db opens the PostgreSQL connection pool, tuned for Lambda: a small
// pool created once per container, short connect timeouts, and settings that
// work behind a transaction-mode pooler such as Neon's.
package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/lifecycle"
)

// Open returns a pool for cfg. It does not connect: the first query does, so a
// cold start that never touches the database never pays for it.
func Open(ctx context.Context, cfg config.Database, applicationName string) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	pc.MaxConns = cfg.MaxConns
	pc.MinConns = 0
	if cfg.MaxConnIdleTime > 0 {
		pc.MaxConnIdleTime = cfg.MaxConnIdleTime
		pc.HealthCheckPeriod = min(pc.HealthCheckPeriod, cfg.MaxConnIdleTime/3)
	}
	pc.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	if applicationName != "" {
		pc.ConnConfig.RuntimeParams["application_name"] = applicationName
	}
	if cfg.StatementTimeout > 0 && !Pooled(pc.ConnConfig) {
		pc.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(cfg.StatementTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	lifecycle.OnClose(ctx, pool.Close)
	return pool, nil
}

// Pooled reports a connection meant for a transaction-mode pooler (Neon's
// pooled endpoint, PgBouncer): its URL sets default_query_exec_mode=exec (or
// simple_protocol), since such a pooler keeps no prepared statements between
// transactions. A pooler refuses startup parameters it does not know, such
// as statement_timeout: behind one, the server's own setting applies (the
// database's, set by migration 006).
func Pooled(cc *pgx.ConnConfig) bool {
	return cc.DefaultQueryExecMode == pgx.QueryExecModeExec || cc.DefaultQueryExecMode == pgx.QueryExecModeSimpleProtocol
}

// IsUnavailable reports whether err means the database could not be reached
// (refused, timed out, shutting down) rather than that a statement failed.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		// A deadline passed, or the server (or a pooler in front of it)
		// closed the connection under the statement: a restart, a compute
		// that went to sleep.
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: admin shutdown, crash
		// shutdown, cannot connect now.
		return pe.Code[:2] == "08" || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	return false
}

// OpenFromEnv loads the database settings and opens the pool.
func OpenFromEnv(ctx context.Context, applicationName string) (*pgxpool.Pool, error) {
	pool, _, err := OpenBoundedFromEnv(ctx, applicationName)
	return pool, err
}

// OpenBoundedFromEnv opens the pool and also returns it bounded by
// DATABASE_QUERY_TIMEOUT (see Bound): what the routes query through.
func OpenBoundedFromEnv(ctx context.Context, applicationName string) (*pgxpool.Pool, *Bounded, error) {
	cfg, err := config.Load[config.Database]()
	if err != nil {
		return nil, nil, err
	}
	pool, err := Open(ctx, cfg, applicationName)
	if err != nil {
		return nil, nil, err
	}
	return pool, Bound(pool, cfg.QueryTimeout), nil
}
