package cache

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrUnavailable is what every command answers while the breaker is open:
// Redis failed a moment ago and is left alone until the cooldown is over.
var ErrUnavailable = errors.New("redis unavailable (circuit open)")

// breaker is a go-redis hook: a command or a dial that times out or cannot
// connect opens it for cooldown, during which every command fails at once
// with ErrUnavailable, without a dial or a wait. The next command after the
// cooldown tries Redis again. Redis's own error replies (and redis.Nil)
// leave it closed.
type breaker struct {
	cooldown  time.Duration
	openUntil atomic.Int64 // unix nanos
	now       func() time.Time
}

func newBreaker(cooldown time.Duration) *breaker {
	return &breaker{cooldown: cooldown, now: time.Now}
}

func (b *breaker) open() bool { return b.now().UnixNano() < b.openUntil.Load() }

// observe opens the breaker when err is an outage.
func (b *breaker) observe(ctx context.Context, err error) {
	if !isOutage(err) || b.cooldown <= 0 {
		return
	}
	if b.openUntil.Swap(b.now().Add(b.cooldown).UnixNano()) < b.now().UnixNano() {
		slog.WarnContext(ctx, "redis unavailable: leaving it alone", "error", err.Error(), "for", b.cooldown.String())
	}
}

// isOutage tells an unreachable or hung Redis from a command's own error.
func isOutage(err error) bool {
	if err == nil || errors.Is(err, redis.Nil) || errors.Is(err, ErrUnavailable) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, redis.ErrClosed)
}

func (b *breaker) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if b.open() {
			return nil, ErrUnavailable
		}
		conn, err := next(ctx, network, addr)
		b.observe(ctx, err)
		return conn, err
	}
}

func (b *breaker) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if b.open() {
			cmd.SetErr(ErrUnavailable)
			return ErrUnavailable
		}
		err := next(ctx, cmd)
		b.observe(ctx, err)
		return err
	}
}

func (b *breaker) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if b.open() {
			for _, c := range cmds {
				c.SetErr(ErrUnavailable)
			}
			return ErrUnavailable
		}
		err := next(ctx, cmds)
		b.observe(ctx, err)
		return err
	}
}
