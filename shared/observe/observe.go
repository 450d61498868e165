// Package observe sets up structured logging: slog JSON lines that carry the
// request id of the invocation they belong to, and the build's version.
package observe

import (
	"context"
	"io"
	"log/slog"
	"os"
)

// Version is the build's version, set at link time with
// -ldflags "-X github.com/macro-ai/macro-ai/shared/observe.Version=…".
var Version = "dev"

type ctxKey struct{}

// WithRequestID returns a context whose log lines carry requestID.
func WithRequestID(ctx context.Context, requestID string) context.Context {
	return context.WithValue(ctx, ctxKey{}, requestID)
}

// RequestID returns the request id stored in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// NewLogger returns a JSON logger writing to w that adds the request id of the
// context passed to its *Context methods (InfoContext, ErrorContext, …).
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(contextHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// Setup installs the JSON logger on stderr as slog's default; LOG_LEVEL
// (debug, info, warn, error) sets the level. Lambda ships stderr to CloudWatch.
func Setup(function string) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv("LOG_LEVEL"))); err != nil {
		level = slog.LevelInfo
	}
	l := NewLogger(os.Stderr, level).With("function", function, "version", Version)
	slog.SetDefault(l)
	return l
}

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("requestId", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
