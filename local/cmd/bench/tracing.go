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

// benchTracing measures each experiment like the floor and adds its row.
// The OpenTelemetry one exports to a local OTLP/HTTP sink (the collector
// extension's place on Lambda); the X-Ray one sends UDP to a port where
// nothing listens, as fire-and-forget as to the daemon.
func benchTracing(ctx context.Context, rep *Report, o options, base lambdaemu.Config, inv bench.Invocation, tracers []tracer, buildErr error) {
	sink, stop, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK) // an empty ExportTraceServiceResponse
	}))
	if err != nil {
		buildErr = err
	} else {
		defer stop()
	}
	for _, t := range tracers {
		cfg := base
		cfg.Name, cfg.Bootstrap = "hello-tracing", t.bootstrap
		cfg.Env = map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": sink, "OTEL_SERVICE_NAME": "hello-tracing",
			"AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR"}
		measure(ctx, rep, o, &bench.Row{Name: t.name, Kind: bench.KindTracing, Event: "warmup"}, t.bootstrap, cfg, inv)
	}
	if buildErr != nil {
		rep.Rows = append(rep.Rows, &bench.Row{Name: "tracing experiments", Kind: bench.KindTracing, Error: buildErr.Error()})
	}
}
