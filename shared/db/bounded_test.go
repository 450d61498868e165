package db_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/db"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// freezer is a TCP proxy to the test PostgreSQL that can stop passing bytes
// on, as a stopped server, a network partition or a compute still waking
// up looks to a client: connections stay open, nothing answers.
type freezer struct {
	ln     net.Listener
	frozen atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newFreezer(t *testing.T, target string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln}
	t.Cleanup(func() {
		ln.Close()
		f.drop()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			f.mu.Lock()
			f.conns = append(f.conns, c, up)
			f.mu.Unlock()
			go f.pipe(up, c)
			go f.pipe(c, up)
		}
	}()
	return f
}

// drop closes every proxied connection.
func (f *freezer) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Close()
	}
	f.conns = nil
}

// pipe copies until the connection ends; frozen, it holds what it read.
func (f *freezer) pipe(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for f.frozen.Load() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestHungDatabaseFailsFast: with the database hung, every kind of call
// through Bound fails within its deadline as "unavailable" (the routes' 503),
// on a connection the pool already holds and on a new one.
func TestHungDatabaseFailsFast(t *testing.T) {
	u, err := url.Parse(testenv.Get(t).NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	f := newFreezer(t, u.Host)
	u.Host = f.ln.Addr().String()
	const timeout = 500 * time.Millisecond
	ctx := context.Background()
	pool, err := db.Open(ctx, config.Database{URL: u.String(), MaxConns: 2, ConnectTimeout: timeout, QueryTimeout: timeout}, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var q store.DB = db.Bound(pool, timeout)
	var one int
	if err := q.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("before the hang: %v", err)
	}
	f.frozen.Store(true)
	defer f.drop() // the partition ends with the connections reset
	calls := map[string]func() error{
		"QueryRow": func() error { return q.QueryRow(ctx, "SELECT 1").Scan(&one) },
		"Exec":     func() error { _, err := q.Exec(ctx, "SELECT 1"); return err },
		"Query": func() error {
			rows, err := q.Query(ctx, "SELECT 1")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
			}
			return rows.Err()
		},
		"a user route's query": func() error {
			_, err := store.ListConversations(ctx, q, "00000000-0000-4000-8000-000000000001", 20, nil)
			return err
		},
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		took := time.Since(start)
		if err == nil || !db.IsUnavailable(err) {
			t.Errorf("%s with the database hung: %v, want an unavailable error", name, err)
		}
		if took > timeout+time.Second {
			t.Errorf("%s took %v with a deadline of %v", name, took, timeout)
		}
	}
}
