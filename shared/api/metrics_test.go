package api

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/macro-ai/macro-ai/shared/observe"
)

// TestDatabaseUnavailableIsCounted: a 503 database_unavailable puts the
// DatabaseUnavailable metric on the line that says why (no extra line);
// another 5xx and a success carry no metric.
func TestDatabaseUnavailableIsCounted(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(observe.NewLogger(&buf, slog.LevelInfo))
	t.Cleanup(func() { slog.SetDefault(prev) })
	tests := []struct {
		name   string
		err    error
		metric bool
	}{
		{"database down", DatabaseUnavailable(), true},
		{"upstream", Errorf(502, "upstream_error", "the model failed"), false},
		{"ok", nil, false},
	}
	for _, tt := range tests {
		buf.Reset()
		req := &Request{}
		req.RequestContext.HTTP.Method = "GET"
		Serve(context.Background(), req, func(context.Context, *Request) (Response, error) {
			return JSON(200, map[string]bool{"ok": true}), tt.err
		})
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		var metrics []observe.Document
		for _, l := range lines {
			if doc, ok := observe.ParseEMF([]byte(l)); ok {
				metrics = append(metrics, doc)
			}
		}
		switch {
		case tt.metric && (len(metrics) != 1 || metrics[0].Values[observe.DatabaseUnavailable] != 1 ||
			metrics[0].Fields["msg"] != "handler answered an error" || metrics[0].Fields["code"] != "database_unavailable"):
			t.Errorf("%s: lines %q", tt.name, lines)
		case !tt.metric && len(metrics) != 0:
			t.Errorf("%s: a metric on %q", tt.name, lines)
		}
		if want := 1 + map[bool]int{true: 1}[tt.err != nil]; len(lines) != want {
			t.Errorf("%s: %d lines, want %d: %q", tt.name, len(lines), want, lines)
		}
	}
}
