package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/observe"
)

// TestSummarise reads a dev log as make dev writes it (each function's
// lines prefixed with "[name] ", other lines between) and sums each metric.
func TestSummarise(t *testing.T) {
	var log bytes.Buffer
	line := func(fn string, add func(*observe.Metrics)) {
		var b bytes.Buffer
		l := observe.NewLogger(&b, slog.LevelInfo).With("function", fn)
		var ms observe.Metrics
		add(&ms)
		observe.LogTo(context.Background(), l, slog.LevelInfo, "chat turn", &ms)
		log.WriteString("[" + fn + "] " + b.String())
	}
	for i, ttft := range []float64{100, 300, 200, 400} {
		line("chat-stream", func(ms *observe.Metrics) {
			ms.Add(observe.ChatTurns, observe.Count, 1)
			ms.Add(observe.ChatTurnFailed, observe.Count, float64(i%2))
			ms.Add(observe.TimeToFirstToken, observe.Milliseconds, ttft)
		})
		log.WriteString(`[chat-stream] {"level":"INFO","msg":"request","status":200}` + "\n")
		log.WriteString("REPORT RequestId: x Duration: 3 ms\n")
	}
	line("me", func(ms *observe.Metrics) { ms.Add(observe.DatabaseUnavailable, observe.Count, 1) })

	rows, lines, err := summarise(strings.NewReader(log.String()), time.Time{})
	if err != nil || lines != 5 {
		t.Fatalf("%d lines, %v", lines, err)
	}
	got := map[string]summary{}
	for _, r := range rows {
		got[r.Name] = r
	}
	if len(rows) != 4 || got[observe.ChatTurns].sum() != 4 || got[observe.ChatTurnFailed].sum() != 2 ||
		percentile(got[observe.TimeToFirstToken].Values, 50) != 200 || percentile(got[observe.TimeToFirstToken].Values, 99) != 400 ||
		got[observe.DatabaseUnavailable].Functions[0] != "me" || got[observe.TimeToFirstToken].Unit != observe.Milliseconds {
		t.Errorf("summary %+v", rows)
	}
	var out bytes.Buffer
	printSummary(&out, rows)
	if !strings.Contains(out.String(), "TimeToFirstToken") || strings.Count(out.String(), "\n") != 5 {
		t.Errorf("table:\n%s", out.String())
	}
	// -since drops the older lines.
	if rows, lines, _ := summarise(strings.NewReader(log.String()), time.Now().Add(time.Hour)); len(rows) != 0 || lines != 0 {
		t.Errorf("lines from the future: %d", lines)
	}
}
