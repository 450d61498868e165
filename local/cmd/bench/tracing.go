package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/macro-ai/macro-ai/local/bench"
	"github.com/macro-ai/macro-ai/local/lambdaemu"
)

// tracer is one of local/bench/baseline's experiments, built.
type tracer struct {
	name, about, bootstrap string
}

// tracers are the experiments: the floor's code with a tracing SDK set up.
var tracerSources = []struct{ dir, name, about string }{
	{"otel", "hello + OpenTelemetry", "otel SDK, batch span processor, OTLP/HTTP exporter; a span per invocation, flushed"},
	{"xray", "hello + X-Ray SDK", "aws-xray-sdk-go: a subsegment per invocation, UDP to the daemon"},
}

// buildTracers builds local/bench/baseline's experiments with the
// functions' flags. Its module is outside go.work (GOWORK=off), so that its
// dependencies reach nothing else.
func buildTracers(ctx context.Context, root, tmp string) ([]tracer, error) {
	var out []tracer
	for _, src := range tracerSources {
		bin := filepath.Join(tmp, "tracing", src.dir, "bootstrap")
		cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bin, "./"+src.dir)
		cmd.Dir = filepath.Join(root, "local", "bench", "baseline")
		cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		if b, err := cmd.CombinedOutput(); err != nil {
			return out, fmt.Errorf("build the %s experiment: %w\n%s", src.dir, err, b)
		}
		out = append(out, tracer{name: src.name, about: src.about, bootstrap: bin})
	}
	return out, nil
}

// TracingResult weighs tracing set-ups on the floor (which tracing to ship:
// docs/decisions.md). The floor and each experiment are cold-started in interleaved
// rounds, so that a change in the machine's load touches them alike.
type TracingResult struct {
	Rounds int          `json:"rounds"`
	Rows   []*bench.Row `json:"rows"` // the floor first
	Notes  []string     `json:"notes"`
}

// benchTracing measures the floor and each experiment: o.tracingCold
// interleaved rounds of one cold start each, then o.warm warm invocations of
// one instance each. The OpenTelemetry experiment exports to a local
// OTLP/HTTP sink (where the collector extension listens on Lambda); the X-Ray
// one sends UDP to a port where nothing listens, as fire-and-forget as to
// the daemon.
func benchTracing(ctx context.Context, o options, base lambdaemu.Config, inv bench.Invocation, hello string, tracers []tracer) (*TracingResult, error) {
	var exports atomic.Int64
	sink, stop, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exports.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK) // an empty ExportTraceServiceResponse
	}))
	if err != nil {
		return nil, err
	}
	defer stop()

	res := &TracingResult{Rounds: o.tracingCold}
	for _, t := range tracers {
		res.Notes = append(res.Notes, t.name+": "+t.about)
	}
	type subject struct {
		row  *bench.Row
		cfg  lambdaemu.Config
		init []time.Duration
		call []time.Duration
	}
	floor := base
	floor.Name, floor.Bootstrap = "hello", hello
	subjects := []*subject{{row: &bench.Row{Name: "hello-world (floor)", Kind: bench.KindFloor, Event: "warmup"}, cfg: floor}}
	for _, t := range tracers {
		cfg := base
		cfg.Name, cfg.Bootstrap = "hello-tracing", t.bootstrap
		cfg.Env = map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": sink, "OTEL_SERVICE_NAME": "hello-tracing",
			"AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR"}
		subjects = append(subjects, &subject{row: &bench.Row{Name: t.name, Kind: bench.KindTracing, Event: "warmup"}, cfg: cfg})
	}
	for _, s := range subjects {
		zipped, size, err := bench.ZipSize(s.cfg.Bootstrap)
		if err != nil {
			return nil, err
		}
		s.row.BootstrapBytes, s.row.ZipBytes = size, zipped
		res.Rows = append(res.Rows, s.row)
	}
	for range o.tracingCold {
		for _, s := range subjects {
			init, call, err := bench.Cold(ctx, s.cfg, inv, 1)
			if err != nil {
				return res, fmt.Errorf("%s: %w", s.row.Name, err)
			}
			s.init, s.call = append(s.init, init...), append(s.call, call...)
		}
	}
	for _, s := range subjects {
		ds, rss, err := bench.Warm(ctx, s.cfg, inv, o.warm)
		if err != nil {
			return res, fmt.Errorf("%s: %w", s.row.Name, err)
		}
		s.row.Init, s.row.FirstCall = bench.Summarize(s.init), bench.Summarize(s.call)
		s.row.Warm, s.row.MaxRSSBytes = bench.Summarize(ds), rss
	}
	res.Notes = append(res.Notes, fmt.Sprintf("the OTLP sink received %d span exports", exports.Load()))
	return res, nil
}
