package observe

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"
)

// The application's metrics, written into the JSON log lines the functions
// print anyway in CloudWatch's embedded metric format (EMF): CloudWatch Logs
// turns them into metrics, with no PutMetricData call, no permission and no
// latency. Every metric has no dimensions ("Dimensions": [[]]): each name is
// one custom metric in CloudWatch whichever function wrote it, and the
// account's ten free custom metrics hold them all (docs/operating.md).
const (
	// ChatTurns is 1 per chat turn that called the model.
	ChatTurns = "ChatTurns"
	// ChatTurnFailed is 1 per turn that ended without its answer (the
	// model failed, or the answer could not be stored), 0 otherwise: its
	// Average is the turns' error rate, its Sum the failed turns.
	ChatTurnFailed = "ChatTurnFailed"
	// ModelErrors is 1 per turn whose model call failed, 0 otherwise.
	ModelErrors = "ModelErrors"
	// ModelTokens is the prompt and completion tokens of a turn.
	ModelTokens = "ModelTokens"
	// TimeToFirstToken is from the model call to its first text, in ms.
	TimeToFirstToken = "TimeToFirstToken"
	// HistoryCacheHit is 1 when a turn's history came from Redis, 0 when
	// it was read from PostgreSQL (a first message needs none: no value):
	// its Average is the cache's hit rate.
	HistoryCacheHit = "HistoryCacheHit"
	// DatabaseUnavailable is 1 per answer database_unavailable (a 503 of
	// a route, or a chat turn's error event).
	DatabaseUnavailable = "DatabaseUnavailable"
	// FreeTierUsedPercent is the usage-watch's highest share of a free
	// tier used (database size, Redis memory or commands, Lambda requests
	// or GB-seconds), in percent.
	FreeTierUsedPercent = "FreeTierUsedPercent"
)

// Unit is a CloudWatch metric unit.
type Unit string

// The units the app's metrics use.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	Percent      Unit = "Percent"
)

// maxMetrics is how many metrics one line carries (Metrics holds them
// without allocating).
const maxMetrics = 8

// Metric is one value of one metric.
type Metric struct {
	Name  string
	Unit  Unit
	Value float64
}

// Metrics collects the metrics of one log line. The zero value is empty
// and ready; it holds up to 8 metrics and drops any past them.
type Metrics struct {
	n int
	m [maxMetrics]Metric
}

// Add records value for name (a name added twice keeps the last value).
func (ms *Metrics) Add(name string, unit Unit, value float64) {
	for i := range ms.n {
		if ms.m[i].Name == name {
			ms.m[i].Value = value
			return
		}
	}
	if ms.n < maxMetrics {
		ms.m[ms.n] = Metric{Name: name, Unit: unit, Value: value}
		ms.n++
	}
}

// Len is how many metrics ms holds.
func (ms *Metrics) Len() int { return ms.n }

// Namespace is the CloudWatch namespace of the metrics: MacroAI/<STAGE>
// (MacroAI/dev, MacroAI/prod), so that two stages in one account do not mix.
var Namespace = sync.OnceValue(func() string {
	if s := os.Getenv("STAGE"); s != "" {
		return "MacroAI/" + s
	}
	return "MacroAI/dev"
})

// emf is the "_aws" member of an EMF document: it encodes itself without
// reflection.
type emf struct {
	ms *Metrics
	ts int64
}

func (e emf) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 128+48*e.ms.n)
	b = append(b, `{"Timestamp":`...)
	b = strconv.AppendInt(b, e.ts, 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = strconv.AppendQuote(b, Namespace())
	b = append(b, `,"Dimensions":[[]],"Metrics":[`...)
	for i := range e.ms.n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Name":`...)
		b = strconv.AppendQuote(b, e.ms.m[i].Name)
		b = append(b, `,"Unit":`...)
		b = strconv.AppendQuote(b, string(e.ms.m[i].Unit))
		b = append(b, '}')
	}
	return append(b, "]}]}"...), nil
}

// Log writes one log line with msg and attrs through slog's default logger
// and, when ms holds any, makes it an EMF document: the "_aws" metadata and
// each metric's value as a top-level member. With no metrics it is a plain
// log line.
func Log(ctx context.Context, level slog.Level, msg string, ms *Metrics, attrs ...slog.Attr) {
	LogTo(ctx, slog.Default(), level, msg, ms, attrs...)
}

// LogTo is Log through l.
func LogTo(ctx context.Context, l *slog.Logger, level slog.Level, msg string, ms *Metrics, attrs ...slog.Attr) {
	if ms == nil || ms.n == 0 {
		l.LogAttrs(ctx, level, msg, attrs...)
		return
	}
	// A line with metrics is written whatever LOG_LEVEL says: the metrics
	// are not a matter of verbosity.
	now := time.Now()
	r := slog.NewRecord(now, level, msg, 0)
	r.AddAttrs(attrs...)
	for i := range ms.n {
		r.AddAttrs(slog.Float64(ms.m[i].Name, ms.m[i].Value))
	}
	r.AddAttrs(slog.Any("_aws", emf{ms: ms, ts: now.UnixMilli()}))
	_ = l.Handler().Handle(ctx, r)
}
