// Command bench measures every function of template.yaml the way Lambda
// would run it, beside two references it builds itself, and checks the
// project's targets (make bench):
//
//   - the floor: a hello-world Go bootstrap (local/bench/baseline/hello),
//     built with the functions' flags;
//   - the openai-go floor: the floor streaming one chat completion with
//     openai-go (local/bench/baseline/openai), what linking openai-go costs
//     before any of our code;
//   - the seed's design: an Express app behind serverless-http on Node
//     (local/bench/baseline/node), run by a minimal Node runtime loop.
//
// It starts a throwaway local stack (PostgreSQL, Redis, cognito-local) so
// that every function initialises as it would on AWS, runs each function's
// real bootstrap through lambdaemu — cold starts one at a time, each in a new
// process, then warm invocations of one instance — and measures GET
// /conversations through the local gateway as a signed-in user, counting
// its SQL round trips with a proxy in front of PostgreSQL.
//
// It also runs chat turns through the chat-stream Function URL against the
// dev model with a fixed first-token delay: the time to the first delta over
// the model's own first-token time, and Redis commands and SQL round trips
// per turn, counted by proxies; and, for the tracing decision
// (docs/decisions.md), the floor with OpenTelemetry and with the X-Ray SDK
// set up (local/bench/baseline, a module of its own outside go.work). It prints
// the tables and writes .local/bench/report.json; a missed target says MISS.
//
// Sizes are those of the linux/arm64 bootstraps (make build), what ships;
// times are those of this machine's builds (make build-host), which run here.
//
//	go run ./local/cmd/bench [-cold 20] [-warm 200] [-run health] [-turns 200] [-first-token 100ms] [-tracing=false]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/macro-ai/macro-ai/local/bench"
	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// Report is report.json.
type Report struct {
	Generated       time.Time      `json:"generated"`
	Platform        string         `json:"platform"` // GOOS/GOARCH
	SizeArch        string         `json:"sizeArch"` // GOOS/GOARCH of the bootstraps sized
	CPUs            int            `json:"cpus"`
	ColdStarts      int            `json:"coldStarts"`
	WarmInvocations int            `json:"warmInvocations"`
	Targets         bench.Targets  `json:"targets"`
	Rows            []*bench.Row   `json:"rows"`
	List            *ListResult    `json:"conversationsList,omitempty"`
	Chat            *ChatResult    `json:"chatTurn,omitempty"`
	Latency         *LatencyResult `json:"latency,omitempty"`
	Tracing         *TracingResult `json:"tracing,omitempty"`
	Cost            *CostResult    `json:"cost,omitempty"`
	Missed          []string       `json:"missed"` // "function: check" for every missed target
	Errors          []string       `json:"errors,omitempty"`
	ElapsedSeconds  float64        `json:"elapsedSeconds"`
}

type options struct {
	root, buildDir, out string
	sizeDir             string // the bootstraps sized: what ships (linux/arm64)
	floor               *lambdaemu.Config
	floorInv            bench.Invocation
	cold, warm          int
	run                 string
	conversations       int
	requests            int
	turns               int
	chatConversations   int
	firstToken          time.Duration
	rtts                []time.Duration
	embedLatency        time.Duration
	latencyRequests     int
	tracing             bool
	tracingCold         int
	cost                CostAssumptions
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	start := time.Now()
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	var o options
	o.root = root
	flag.IntVar(&o.cold, "cold", 20, "cold starts per function")
	flag.IntVar(&o.warm, "warm", 200, "warm invocations per function")
	flag.StringVar(&o.run, "run", "", "measure only the functions whose folder name contains this")
	flag.IntVar(&o.conversations, "conversations", 50, "conversations of the user in the GET /conversations bench (0 skips it)")
	flag.IntVar(&o.requests, "requests", 200, "warm requests in the GET /conversations bench")
	flag.IntVar(&o.turns, "turns", 200, "warm chat turns in the chat-stream bench (0 skips it)")
	flag.IntVar(&o.chatConversations, "chat-conversations", 4, "conversations the chat turns go to, in turn")
	flag.DurationVar(&o.firstToken, "first-token", 100*time.Millisecond, "the dev model's fixed first-token delay in the chat bench")
	rtts := flag.String("rtt", "0,10ms", "latency bench: delays added to every round trip to PostgreSQL and Redis, comma-separated (empty skips it)")
	flag.DurationVar(&o.embedLatency, "embed-latency", 150*time.Millisecond, "latency bench: the dev model's embeddings latency")
	flag.IntVar(&o.latencyRequests, "latency-requests", 30, "latency bench: timed requests per route, and chat turns, at each delay")
	flag.BoolVar(&o.tracing, "tracing", true, "measure the floor with OpenTelemetry and with the X-Ray SDK set up (local/bench/baseline)")
	flag.IntVar(&o.cost.RequestsPerDay, "cost-requests", 1000, "cost estimate: requests a day")
	flag.Float64Var(&o.cost.ChatShare, "cost-chat-share", 0.2, "cost estimate: the share of chat turns")
	flag.Float64Var(&o.cost.ModelSeconds, "cost-model-seconds", 5, "cost estimate: seconds a real model streams one answer")
	flag.Float64Var(&o.cost.EmbeddingMs, "cost-embedding-ms", 150, "cost estimate: a real provider's embeddings call")
	flag.Float64Var(&o.cost.NetworkRTTMs, "cost-rtt-ms", 10, "cost estimate: Lambda to Neon/Upstash round trip")
	flag.Float64Var(&o.cost.RoundTripsOther, "cost-round-trips", 3, "cost estimate: database and cache round trips of a non-chat request")
	flag.IntVar(&o.tracingCold, "tracing-cold", 60, "interleaved rounds of cold starts of the floor and the tracing experiments")
	flag.StringVar(&o.buildDir, "build", filepath.Join(root, ".build", runtime.GOARCH), "folder with <fn>/bootstrap (make build-host)")
	flag.StringVar(&o.sizeDir, "size-build", filepath.Join(root, ".build", sizeArch), "folder with <fn>/bootstrap built for "+sizeArch+", whose sizes are reported (make build)")
	flag.StringVar(&o.out, "out", filepath.Join(root, ".local", "bench", "report.json"), "the JSON report")
	costOnly := flag.Bool("cost-only", false, "only redo the cost estimate from the last report (-out) with these assumptions")
	flag.Parse()
	if *costOnly {
		return recost(root, o)
	}
	if o.cold < 1 || o.warm < 1 {
		return errors.New("-cold and -warm must be at least 1")
	}
	for _, f := range strings.Split(*rtts, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if f == "0" {
			f = "0s"
		}
		d, err := time.ParseDuration(f)
		if err != nil || d < 0 {
			return fmt.Errorf("-rtt: %q is not a delay", f)
		}
		o.rtts = append(o.rtts, d)
	}
	if o.turns > 0 && o.chatConversations < 1 {
		return errors.New("-chat-conversations must be at least 1")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	tpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	var fns []*template.Function
	for _, fn := range tpl.Functions {
		if strings.Contains(fn.Dir, o.run) {
			fns = append(fns, fn)
		}
	}
	for _, fn := range fns {
		if _, err := os.Stat(filepath.Join(o.buildDir, fn.Dir, "bootstrap")); err != nil {
			return fmt.Errorf("%s: %w (run make build-host)", fn.Dir, err)
		}
		if _, err := os.Stat(filepath.Join(o.sizeDir, fn.Dir, "bootstrap")); err != nil {
			return fmt.Errorf("%s: %w (run make build)", fn.Dir, err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	// The functions' own output goes to a log beside the report.
	fnLog, err := os.Create(filepath.Join(filepath.Dir(o.out), "functions.log"))
	if err != nil {
		return err
	}
	defer fnLog.Close()

	tmp, err := os.MkdirTemp("", "macro-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	step(fmt.Sprintf("building the references in %s", tmp))
	hello := filepath.Join(tmp, "hello", "bootstrap")
	if err := buildReference(ctx, root, "hello", hello, runtime.GOARCH); err != nil {
		return err
	}
	helloSized := filepath.Join(tmp, sizeArch, "hello", "bootstrap")
	if err := buildReference(ctx, root, "hello", helloSized, sizeArch); err != nil {
		return err
	}
	openaiFloor := filepath.Join(tmp, "openai", "bootstrap")
	openaiSized := filepath.Join(tmp, sizeArch, "openai", "bootstrap")
	openaiErr := buildReference(ctx, root, "openai", openaiFloor, runtime.GOARCH)
	if openaiErr == nil {
		openaiErr = buildReference(ctx, root, "openai", openaiSized, sizeArch)
	}
	var tracers []tracer
	var tracerErr error
	if o.tracing {
		tracers, tracerErr = buildTracers(ctx, root, tmp)
	}
	nodeDir := filepath.Join(root, "local", "bench", "baseline", "node")
	nodeErr := npmCI(ctx, nodeDir)

	step("starting the local stack")
	stackCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	stack, err := testenv.StartStack(stackCtx, testenv.StackOptions{Dir: filepath.Join(tmp, "stack"), Database: "macro"})
	cancel()
	if err != nil {
		return fmt.Errorf("start the local stack: %w", err)
	}
	defer stack.Stop()
	vars := stack.Env.Vars()
	// The model's key is a secret the functions read at cold start; the
	// warmup rows never call the model.
	vars["OPENAI_API_KEY"] = "dev"
	// The data bucket's name, which imports-create, me-export and me-delete
	// need to start; the warmup rows never reach S3.
	vars["DATA_BUCKET"] = "macro-ai-data"
	// One caller sends each route hundreds of requests a minute (GET /health
	// is limited per IP).
	vars["RATE_LIMIT_PER_MINUTE"], vars["RATE_LIMIT_AUTH_PER_MINUTE"], vars["RATE_LIMIT_HEALTH_PER_MINUTE"] = "1000000", "1000000", "1000000"
	awsURL, stopAWS, err := serve(localAWS(envOr(vars, "STAGE", "dev"), vars))
	if err != nil {
		return err
	}
	defer stopAWS()
	vars["SSM_ENDPOINT"], vars["LAMBDA_ENDPOINT"] = awsURL, awsURL

	rep := &Report{
		Generated: start.UTC(), Platform: runtime.GOOS + "/" + runtime.GOARCH, SizeArch: "linux/" + sizeArch, CPUs: runtime.NumCPU(),
		ColdStarts: o.cold, WarmInvocations: o.warm, Targets: bench.DefaultTargets,
	}
	warmup := bench.Invocation{Payload: []byte(`{"warmup":true}`), Want: `"warm`}
	healthEvent, err := os.ReadFile(filepath.Join(root, "events", "health.json"))
	if err != nil {
		return err
	}
	httpOK := bench.Invocation{Payload: healthEvent, Want: `"statusCode":200`}
	base := lambdaemu.Config{MemoryMB: lambdaemu.DefaultMemoryMB, Output: fnLog, Log: io.Discard}

	// The floor.
	cfg := base
	cfg.Name, cfg.Bootstrap = "hello", hello
	floor := measure(ctx, rep, o, &bench.Row{Name: "hello-world (floor)", Kind: bench.KindFloor, Event: "warmup"}, helloSized, cfg, warmup)
	// Every row below is cold-started in turn with the floor (MeasureBeside).
	o.floor, o.floorInv = &cfg, warmup

	// The openai-go floor: what a function that links openai-go cannot go below.
	openaiRow := &bench.Row{Name: "hello + openai-go (floor)", Kind: bench.KindReference, Event: "warmup"}
	if openaiErr != nil {
		openaiRow.Error = openaiErr.Error()
		rep.Rows = append(rep.Rows, openaiRow)
	} else {
		cfg := base
		cfg.Name, cfg.Bootstrap = "openai", openaiFloor
		measure(ctx, rep, o, openaiRow, openaiSized, cfg, warmup)
	}

	// The floor with tracing set up (which tracing to ship).
	if o.tracing {
		step(fmt.Sprintf("tracing experiments: %d interleaved rounds of cold starts", o.tracingCold))
		if tracerErr == nil {
			rep.Tracing, tracerErr = benchTracing(ctx, o, base, warmup, hello, tracers)
		}
		if tracerErr != nil {
			rep.Errors = append(rep.Errors, "tracing experiments: "+tracerErr.Error())
		}
	}

	// Ours.
	var ours []*bench.Row
	for _, fn := range fns {
		bootstrap := filepath.Join(o.buildDir, fn.Dir, "bootstrap")
		cfg := lambdaemu.Config{
			Name: fn.Dir, Bootstrap: bootstrap, Handler: fn.Handler, MemoryMB: fn.MemorySize, Timeout: fn.Timeout,
			Env: fn.Env(tpl, vars), LogFormat: fn.LogFormat, Region: vars["COGNITO_REGION"], Output: fnLog, Log: io.Discard,
		}
		inv, event := warmup, "warmup"
		if len(fn.Routes) == 0 && !fn.Streaming {
			// Not an HTTP function (a schedule, a custom resource): the
			// warmup event is just an event to it, and it does its work.
			inv, event = bench.Invocation{Payload: warmup.Payload}, "an event (does its work)"
		}
		sized := filepath.Join(o.sizeDir, fn.Dir, "bootstrap")
		ours = append(ours, measure(ctx, rep, o, &bench.Row{Name: fn.Dir, Kind: bench.KindFunction, Event: event}, sized, cfg, inv))
		if fn.Dir == "health" {
			ours = append(ours, measure(ctx, rep, o, &bench.Row{Name: fn.Dir, Kind: bench.KindFunction, Event: "GET /health"}, sized, cfg, httpOK))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}

	// The seed's design.
	var express *bench.Row
	if nodeErr != nil {
		express = &bench.Row{Name: "express (seed)", Kind: bench.KindExpress, Event: "warmup", Error: nodeErr.Error()}
		rep.Rows = append(rep.Rows, express)
	} else {
		cfg := base
		cfg.Name, cfg.Bootstrap, cfg.Handler = "express", filepath.Join(nodeDir, "bootstrap"), "app.handler"
		cfg.Env = map[string]string{"NODE_ENV": "production"}
		express = measure(ctx, rep, o, &bench.Row{Name: "express (seed)", Kind: bench.KindExpress, Event: "warmup"}, nodeDir, cfg, warmup)
		measure(ctx, rep, o, &bench.Row{Name: "express (seed)", Kind: bench.KindExpress, Event: "GET /health (static)"}, nodeDir, cfg, httpOK)
	}

	// The openai-go floor is checked as a function would be, but its misses
	// are not counted: they show what no function linking openai-go can meet.
	if openaiRow.Error == "" {
		bench.Evaluate(openaiRow, rep.Targets, floor.Init.P50Ms, express.Init.P50Ms)
	}
	for _, r := range ours {
		bench.Evaluate(r, rep.Targets, floor.Init.P50Ms, express.Init.P50Ms)
		for _, name := range r.Missed() {
			rep.Missed = append(rep.Missed, fmt.Sprintf("%s (%s): %s", r.Name, r.Event, name))
		}
	}

	if o.conversations > 0 && strings.Contains("conversations-list", o.run) {
		step(fmt.Sprintf("GET /conversations through the gateway, %d conversations, %d requests", o.conversations, o.requests))
		list, err := benchList(ctx, tpl, o, stack.Env, fnLog)
		if err != nil {
			rep.Errors = append(rep.Errors, "GET /conversations: "+err.Error())
		}
		rep.List = list
	}
	if o.turns > 0 && strings.Contains("chat-stream", o.run) {
		step(fmt.Sprintf("chat turns through the chat-stream Function URL, %d warm turns, model first token after %s", o.turns, o.firstToken))
		chat, err := benchChat(ctx, tpl, o, stack.Env, fnLog)
		if err != nil {
			rep.Errors = append(rep.Errors, "chat turn: "+err.Error())
		}
		rep.Chat = chat
		if chat != nil {
			for _, m := range chat.Missed {
				rep.Missed = append(rep.Missed, "chat-stream (turn): "+m)
			}
		}
	}
	if len(o.rtts) > 0 && o.latencyRequests > 0 && strings.Contains("chat-stream", o.run) {
		step(fmt.Sprintf("latency: warm routes and chat turns at %v per round trip, embeddings after %s", o.rtts, o.embedLatency))
		lat, err := benchLatency(ctx, tpl, o, stack.Env, fnLog)
		if err != nil {
			rep.Errors = append(rep.Errors, "latency: "+err.Error())
		}
		rep.Latency = lat
		if lat != nil {
			for _, m := range lat.Missed {
				rep.Missed = append(rep.Missed, "latency: "+m)
			}
		}
	}
	for _, r := range rep.Rows {
		if r.Error != "" {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s (%s): %s", r.Name, r.Event, r.Error))
		}
	}
	rep.Cost = estimateCost(rep, tpl, o.cost)
	rep.ElapsedSeconds = time.Since(start).Round(time.Millisecond).Seconds()

	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.out, append(b, '\n'), 0o644); err != nil {
		return err
	}
	printReport(os.Stdout, rep)
	fmt.Printf("\nreport: %s; the functions' logs: %s\n", o.out, fnLog.Name())
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d measurements failed", len(rep.Errors))
	}
	return nil
}

// measure sizes path (a bootstrap as it ships, or a package folder), times
// cfg (the bootstrap built for this machine) with inv and adds the row to
// the report.
func measure(ctx context.Context, rep *Report, o options, r *bench.Row, path string, cfg lambdaemu.Config, inv bench.Invocation) *bench.Row {
	step(fmt.Sprintf("%s, %s", r.Name, r.Event))
	zipped, size, err := bench.ZipSize(path)
	if err != nil {
		r.Error = err.Error()
	}
	r.BootstrapBytes, r.ZipBytes = size, zipped
	switch {
	case err != nil:
	case o.floor != nil && (r.Kind == bench.KindFunction || r.Kind == bench.KindReference):
		bench.MeasureBeside(ctx, r, cfg, inv, *o.floor, o.floorInv, o.cold, o.warm)
	default:
		bench.Measure(ctx, r, cfg, inv, o.cold, o.warm)
	}
	rep.Rows = append(rep.Rows, r)
	return r
}

// sizeArch is the architecture whose bootstraps are sized: Lambda runs
// arm64 (the Makefile's ARCH).
const sizeArch = "arm64"

// buildReference builds the floor (dir hello) or the openai-go floor (dir
// openai) for goarch with the functions' flags. They live in
// local/bench/baseline beside the tracing experiments, a module outside
// go.work (GOWORK=off).
func buildReference(ctx context.Context, root, dir, out, goarch string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w",
		"-o", out, "./"+dir)
	cmd.Dir = filepath.Join(root, "local", "bench", "baseline")
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build local/bench/baseline/%s for %s: %w\n%s", dir, goarch, err, b)
	}
	return nil
}

// npmCI installs the Express baseline's locked dependencies when they are missing.
func npmCI(ctx context.Context, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "serverless-http")); err == nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--omit=dev")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", dir, err, b)
	}
	return nil
}

func envOr(vars map[string]string, name, def string) string {
	if v := vars[name]; v != "" {
		return v
	}
	return def
}

func step(msg string) { fmt.Fprintf(os.Stderr, "bench: %s\n", msg) }

// recost prices the last report again with o's assumptions.
func recost(root string, o options) error {
	b, err := os.ReadFile(o.out)
	if err != nil {
		return fmt.Errorf("no report to price (run make bench first): %w", err)
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("read %s: %w", o.out, err)
	}
	tpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	rep.Cost = estimateCost(&rep, tpl, o.cost)
	if b, err = json.MarshalIndent(&rep, "", "  "); err != nil {
		return err
	}
	printCost(os.Stdout, rep.Cost)
	return os.WriteFile(o.out, append(b, '\n'), 0o644)
}
