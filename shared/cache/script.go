package cache

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// script is a Lua script that costs one Redis command on every call, the
// first of an instance too: that one is EVAL, which also caches the script
// in Redis, and the later ones EVALSHA (falling back to EVAL should Redis
// have lost it). go-redis's Script.Run always tries EVALSHA first, which
// costs a second command whenever the script is not cached yet.
type script struct {
	*redis.Script
	sent atomic.Bool
}

func newScript(src string) *script { return &script{Script: redis.NewScript(src)} }

// run runs the script with keys and args.
func (s *script) run(ctx context.Context, c redis.Scripter, keys []string, args ...any) *redis.Cmd {
	if s.sent.Load() {
		return s.Run(ctx, c, keys, args...)
	}
	cmd := s.Eval(ctx, c, keys, args...)
	var answered redis.Error
	if err := cmd.Err(); err == nil || errors.As(err, &answered) {
		s.sent.Store(true) // Redis has it now (a script error is an answer too)
	}
	return cmd
}
