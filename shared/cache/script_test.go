package cache

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/testenv"
)

// commandLog records the scripts' commands a client sends.
type commandLog struct {
	mu    sync.Mutex
	names []string
}

func (l *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }
func (l *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if n := cmd.Name(); n == "eval" || n == "evalsha" { // not the connection's HELLO
			l.mu.Lock()
			l.names = append(l.names, n)
			l.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}
func (l *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (l *commandLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.names
	l.names = nil
	return n
}

// TestScriptCostsOneCommand: a script Redis has never seen costs one
// command (EVAL), not a refused EVALSHA and then an EVAL; later calls are
// EVALSHA; and a Redis that lost its scripts still runs it.
func TestScriptCostsOneCommand(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	opt, err := redis.ParseURL(env.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	log := &commandLog{}
	rdb.AddHook(log)
	// A script of its own (a unique comment), so that no other test loaded it.
	s := newScript(fmt.Sprintf("-- %d\nreturn ARGV[1]", time.Now().UnixNano()))
	tests := []struct {
		name  string
		setup func()
		want  string
	}{
		{"first call: EVAL", func() {}, "[eval]"},
		{"then EVALSHA", func() {}, "[evalsha]"},
		{"after SCRIPT FLUSH: EVALSHA refused, EVAL", func() { rdb.ScriptFlush(ctx); log.take() }, "[evalsha eval]"},
	}
	for _, tt := range tests {
		tt.setup()
		got, err := s.run(ctx, rdb, nil, "x").Text()
		if err != nil || got != "x" {
			t.Fatalf("%s: %q, %v", tt.name, got, err)
		}
		if names := fmt.Sprint(log.take()); names != tt.want {
			t.Errorf("%s: sent %s, want %s", tt.name, names, tt.want)
		}
	}
}
