package observe

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestLoggerAddsRequestID(t *testing.T) {
	tests := []struct {
		name      string
		requestID string
		want      any
	}{
		{"with request id", "req-123", "req-123"},
		{"without request id", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := NewLogger(&buf, slog.LevelInfo).With("function", "health")
			ctx := context.Background()
			if tt.requestID != "" {
				ctx = WithRequestID(ctx, tt.requestID)
			}
			l.InfoContext(ctx, "hello", "n", 1)
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("log line is not JSON: %v: %s", err, buf.String())
			}
			if line["requestId"] != tt.want {
				t.Errorf("requestId = %v, want %v", line["requestId"], tt.want)
			}
			if line["function"] != "health" || line["msg"] != "hello" {
				t.Errorf("unexpected line %v", line)
			}
		})
	}
}
