// Command load is `make load`: a repeatable load and fault run against the
// local stack (PostgreSQL, Redis, cognito-local, the gateway running the real
// bootstraps under the template's concurrency limits, the dev model), with
// vegeta's library pacing the requests. It prints a table and writes
// .local/load/report.json:
//
//	(a) a cold burst of GET /conversations from no warm instance;
//	(b) the same route warm, at a steady rate;
//	(c) concurrent chat turns through the Function URL;
//	(d) the fault matrix: PostgreSQL and Redis hung, down, restarted; a slow
//	    first connection (a sleeping Neon); the model hung and cut mid-stream.
//
// Each target is printed ok or MISS; the exit status is 1 if any is missed.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/macro-ai/macro-ai/local/bench"
	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/local/faultproxy"
	"github.com/macro-ai/macro-ai/local/gateway"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

type options struct {
	coldRate, warmRate       int
	coldFor, warmFor         time.Duration
	turns                    int
	account                  int
	reserved, chatReserved   string
	faults                   bool
	faultDeadline            time.Duration
	throttleWithin, recovery time.Duration
}

// Attack is one vegeta run's outcome.
type Attack struct {
	Name       string         `json:"name"`
	Rate       int            `json:"ratePerSecond"`
	Seconds    float64        `json:"seconds"`
	Requests   uint64         `json:"requests"`
	Success    float64        `json:"success"` // share of 2xx
	P50Ms      float64        `json:"p50Ms"`
	P99Ms      float64        `json:"p99Ms"`
	MaxMs      float64        `json:"maxMs"`
	Statuses   map[string]int `json:"statuses"`
	Timeouts   int            `json:"timeouts"`
	Throttled  int            `json:"throttled"` // invocations the gateway throttled
	Other5xx   int            `json:"other5xx"`  // 5xx answers that were not throttles
	Throttle99 float64        `json:"throttledP99Ms"`
	Recovered  bool           `json:"recoveredAfter"` // every request ok once the run was over
}

// Turns is the concurrent chat turns' outcome.
type Turns struct {
	Sent     int            `json:"sent"`
	Done     int            `json:"done"`
	Events   map[string]int `json:"endings"` // last event (or status) of each
	Stored   int            `json:"messagesStored"`
	P99DoneS float64        `json:"p99DoneSeconds"`
}

// Fault is one row of the fault matrix.
type Fault struct {
	Name     string         `json:"name"`
	Statuses map[string]int `json:"statuses"`   // of the list route and of chat turns (or their SSE ending)
	MaxMs    float64        `json:"maxMs"`      // to the end of the answer
	FirstMax float64        `json:"firstMaxMs"` // to the first answer: a status, or the stream's start
	Model    bool           `json:"modelFault"`
	Sent     int            `json:"userMessagesSent"`
	Stored   int            `json:"userMessagesStored"`
	Lost     int            `json:"acknowledgedLost"` // turns that got start (the message was acknowledged) but whose message is not stored
	After    bool           `json:"recovered"`
}

// Report is .local/load/report.json.
type Report struct {
	Generated   time.Time `json:"generated"`
	Platform    string    `json:"platform"`
	CPUs        int       `json:"cpus"`
	Account     int       `json:"accountConcurrency"`
	Reserved    string    `json:"reservedConcurrency"`
	ChatReserve string    `json:"chatReservedConcurrency"`
	Cold        *Attack   `json:"coldBurst"`
	Warm        *Attack   `json:"warm"`
	Chat        *Turns    `json:"chatTurns"`
	PeakConns   int       `json:"peakPostgresConnections"`
	MaxConns    int       `json:"databaseMaxConnsPerInstance"`
	PoolSize    int       `json:"poolerPoolSize"`
	Faults      []Fault   `json:"faults,omitempty"`
	Checks      []Check   `json:"checks"`
}

// Check is one target.
type Check struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	Seen string `json:"seen"`
}

func main() {
	var o options
	flag.IntVar(&o.coldRate, "cold-rate", 200, "requests/s of the cold burst")
	flag.DurationVar(&o.coldFor, "cold-for", 10*time.Second, "length of the cold burst")
	flag.IntVar(&o.warmRate, "warm-rate", 100, "requests/s of the warm run")
	flag.DurationVar(&o.warmFor, "warm-for", 30*time.Second, "length of the warm run")
	flag.IntVar(&o.turns, "turns", 50, "concurrent chat turns")
	flag.IntVar(&o.account, "account-concurrency", 100, "the account's Lambda concurrency")
	flag.StringVar(&o.reserved, "reserved", "10", "the template's ReservedConcurrency")
	flag.StringVar(&o.chatReserved, "chat-reserved", "50", "the template's ChatReservedConcurrency")
	flag.BoolVar(&o.faults, "faults", true, "run the fault matrix")
	flag.DurationVar(&o.faultDeadline, "fault-deadline", 3*time.Second, "every fault must be answered within it")
	flag.DurationVar(&o.throttleWithin, "throttle-within", 50*time.Millisecond, "throttled answers must come within it (p99)")
	flag.DurationVar(&o.recovery, "recovery", 10*time.Second, "after a burst, everything must work again within it")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func step(format string, a ...any) { fmt.Fprintf(os.Stderr, "load: "+format+"\n", a...) }

// lineCounter counts log lines containing a phrase.
type lineCounter struct {
	phrase []byte
	n      atomic.Int64
	buf    []byte
	mu     sync.Mutex
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	for {
		i := bytes.IndexByte(c.buf, '\n')
		if i < 0 {
			break
		}
		if bytes.Contains(c.buf[:i], c.phrase) {
			c.n.Add(1)
		}
		c.buf = c.buf[i+1:]
	}
	return len(p), nil
}

func run(o options) error {
	ctx := context.Background()
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "macro-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	step("starting the local stack")
	stack, err := testenv.StartStack(ctx, testenv.StackOptions{Dir: filepath.Join(tmp, "stack"), Database: "macro"})
	if err != nil {
		return err
	}
	defer stack.Stop()
	env := stack.Env
	vars := env.Vars()

	// The functions reach the database (PgBouncer in front of PostgreSQL,
	// as Neon's pooled endpoint) and Redis through fault proxies.
	dbURL, _ := url.Parse(env.PooledDatabaseURL)
	pg, err := faultproxy.Start(dbURL.Host)
	if err != nil {
		return err
	}
	defer pg.Close()
	dbURL.Host = pg.Addr()
	redisURL, _ := url.Parse(env.RedisURL)
	rd, err := faultproxy.Start(redisURL.Host)
	if err != nil {
		return err
	}
	defer rd.Close()
	redisURL.Host = rd.Addr()
	vars["DATABASE_URL"], vars["REDIS_URL"] = dbURL.String(), redisURL.String()

	model := devmodel.New(devmodel.Config{Dimensions: env.EmbeddingDimensions, TokenDelay: 25 * time.Millisecond})
	modelSrv := httptest.NewServer(model)
	defer modelSrv.Close()
	vars["OPENAI_BASE_URL"], vars["OPENAI_API_KEY"] = modelSrv.URL+"/v1", "dev"
	vars["OPENAI_FIRST_TOKEN_TIMEOUT"], vars["OPENAI_STREAM_IDLE_TIMEOUT"] = "2s", "2s"
	// Only capacity counts here, not the per-user limits.
	for _, k := range []string{"RATE_LIMIT_PER_MINUTE", "RATE_LIMIT_CHAT_PER_MINUTE", "RATE_LIMIT_AUTH_PER_MINUTE"} {
		vars[k] = "1000000"
	}
	for _, k := range []string{"QUOTA_TURNS_PER_DAY", "QUOTA_TOKENS_PER_DAY", "QUOTA_EMBED_CHARS_PER_DAY", "QUOTA_STORED_BYTES_PER_DAY"} {
		vars[k] = "0" // unlimited
	}

	tpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	tpl.Parameters["ReservedConcurrency"], tpl.Parameters["ChatReservedConcurrency"] = o.reserved, o.chatReserved
	throttles := &lineCounter{phrase: []byte("rate exceeded")}
	outDir := filepath.Join(root, ".local", "load")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(outDir, "gateway.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	fnLog, err := os.Create(filepath.Join(outDir, "functions.log"))
	if err != nil {
		return err
	}
	defer fnLog.Close()
	gw, err := gateway.New(gateway.Config{
		Template: tpl, BuildDir: filepath.Join(root, ".build", runtime.GOARCH), Env: vars,
		Authorizer: gateway.CognitoAuthorizer(vars), AccountConcurrency: o.account,
		Log: io.MultiWriter(logFile, throttles), FunctionOutput: fnLog, IdleTimeout: time.Minute,
	})
	if err != nil {
		return err
	}
	defer gw.Close()
	api := httptest.NewServer(gw)
	defer api.Close()
	fu, err := gw.FunctionURL("chat-stream")
	if err != nil {
		return err
	}
	streamSrv := httptest.NewServer(fu)
	defer streamSrv.Close()

	token, _, convs, err := bench.SeedUser(ctx, env, max(o.turns, 20))
	if err != nil {
		return err
	}
	rep := &Report{Generated: time.Now().UTC(), Platform: runtime.GOOS + "/" + runtime.GOARCH, CPUs: runtime.NumCPU(),
		Account: o.account, Reserved: o.reserved, ChatReserve: o.chatReserved,
		MaxConns: 2, PoolSize: testenv.PgBouncerPoolSize} // MaxConns: DATABASE_MAX_CONNS, unset in the template: config.Database's default

	stopSampler := sampleConnections(ctx, env.DatabaseURL)
	list := vegeta.Target{Method: "GET", URL: api.URL + "/conversations?limit=20",
		Header: http.Header{"Authorization": {"Bearer " + token}}}

	step("(a) cold burst: %d/s for %v on GET /conversations", o.coldRate, o.coldFor)
	rep.Cold = attack("cold burst", list, o.coldRate, o.coldFor, throttles)
	rep.Cold.Recovered = recovers(ctx, list, o.recovery)
	step("(b) warm: %d/s for %v", o.warmRate, o.warmFor)
	rep.Warm = attack("warm", list, o.warmRate, o.warmFor, throttles)
	rep.Warm.Recovered = recovers(ctx, list, o.recovery)
	step("(c) %d concurrent chat turns", o.turns)
	rep.Chat = chatTurns(ctx, streamSrv.URL, token, convs[:o.turns], env.DatabaseURL)
	rep.PeakConns = stopSampler()

	if o.faults {
		rep.Faults = faultMatrix(ctx, o, pg, rd, list, streamSrv.URL, token, convs, env.DatabaseURL)
	}
	check(rep, o)
	printReport(os.Stdout, rep)
	b, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(filepath.Join(outDir, "report.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("report: %s (logs: gateway.log, functions.log beside it)\n", filepath.Join(outDir, "report.json"))
	for _, c := range rep.Checks {
		if !c.OK {
			return fmt.Errorf("missed: %s (%s)", c.Name, c.Seen)
		}
	}
	return nil
}

// attack paces target at rate for d and sums up the answers.
func attack(name string, target vegeta.Target, rate int, d time.Duration, throttles *lineCounter) *Attack {
	before := throttles.n.Load()
	atk := vegeta.NewAttacker(vegeta.Timeout(30*time.Second), vegeta.MaxWorkers(uint64(rate*5)), vegeta.KeepAlive(true))
	var m vegeta.Metrics
	var throttled []time.Duration
	out := &Attack{Name: name, Rate: rate, Statuses: map[string]int{}}
	for res := range atk.Attack(vegeta.NewStaticTargeter(target), vegeta.Rate{Freq: rate, Per: time.Second}, d, name) {
		m.Add(res)
		code := fmt.Sprint(res.Code)
		if res.Code == 0 {
			code = "error"
			if strings.Contains(res.Error, "Timeout") || strings.Contains(res.Error, "deadline") {
				out.Timeouts++
			}
		}
		out.Statuses[code]++
		if res.Code == http.StatusInternalServerError && bytes.Equal(res.Body, []byte(`{"message":"Internal Server Error"}`)) {
			throttled = append(throttled, res.Latency)
		}
	}
	m.Close()
	out.Seconds, out.Requests, out.Success = d.Seconds(), m.Requests, m.Success
	out.P50Ms, out.P99Ms, out.MaxMs = ms(m.Latencies.P50), ms(m.Latencies.P99), ms(m.Latencies.Max)
	out.Throttled = int(throttles.n.Load() - before)
	fivexx := 0
	for code, n := range out.Statuses {
		if strings.HasPrefix(code, "5") {
			fivexx += n
		}
	}
	out.Other5xx = max(fivexx-out.Throttled, 0)
	if len(throttled) > 0 {
		sort.Slice(throttled, func(i, j int) bool { return throttled[i] < throttled[j] })
		out.Throttle99 = ms(throttled[len(throttled)*99/100])
	}
	return out
}

// recovers reports whether, within d, 20 requests in a row succeed.
func recovers(ctx context.Context, target vegeta.Target, d time.Duration) bool {
	deadline := time.Now().Add(d)
	ok := 0
	for time.Now().Before(deadline) && ok < 20 {
		if status(ctx, target) == http.StatusOK {
			ok++
		} else {
			ok = 0
			time.Sleep(100 * time.Millisecond)
		}
	}
	return ok == 20
}

var clientWithTimeout = &http.Client{Timeout: 30 * time.Second}

func newRequest(ctx context.Context, t vegeta.Target) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, t.Method, t.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header = t.Header.Clone()
	return req, nil
}

func status(ctx context.Context, t vegeta.Target) int {
	req, _ := newRequest(ctx, t)
	resp, err := clientWithTimeout.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// turnEnd is how a chat turn ended: "done", "error:<code>", an HTTP status,
// or "cut" (the stream ended without done or error); started reports the
// start event (the user's message was acknowledged as stored).
type turnEnd struct {
	end         string
	started     bool
	first, took time.Duration
}

func turn(ctx context.Context, streamURL, token, conv, content string) turnEnd {
	start := time.Now()
	body, _ := json.Marshal(map[string]string{"content": content})
	req, _ := http.NewRequestWithContext(ctx, "POST", streamURL+"/conversations/"+conv+"/messages", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return turnEnd{end: "no answer", first: time.Since(start), took: time.Since(start)}
	}
	defer resp.Body.Close()
	first := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error struct{ Code string } }
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &e)
		return turnEnd{end: fmt.Sprintf("%d %s", resp.StatusCode, e.Error.Code), first: first, took: time.Since(start)}
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	out := turnEnd{end: "cut", first: first}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "event: start":
			out.started = true
		case line == "event: done":
			out.end = "done"
		case line == "event: error":
			if sc.Scan() {
				var e struct{ Error struct{ Code string } }
				_ = json.Unmarshal([]byte(strings.TrimPrefix(sc.Text(), "data: ")), &e)
				out.end = "error:" + e.Error.Code
			}
		}
	}
	out.took = time.Since(start)
	return out
}

// chatTurns runs one turn in each conversation at once.
func chatTurns(ctx context.Context, streamURL, token string, convs []string, directDB string) *Turns {
	before := countMessages(ctx, directDB)
	ends := make([]turnEnd, len(convs))
	var wg sync.WaitGroup
	for i, c := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ends[i] = turn(ctx, streamURL, token, c, fmt.Sprintf("Load turn %d: tell me about the sea", i))
		}()
	}
	wg.Wait()
	out := &Turns{Sent: len(convs), Events: map[string]int{}}
	var took []time.Duration
	for _, e := range ends {
		out.Events[e.end]++
		if e.end == "done" {
			out.Done++
		}
		took = append(took, e.took)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	out.P99DoneS = took[len(took)*99/100].Seconds()
	out.Stored = countMessages(ctx, directDB) - before // answers are stored before done
	return out
}

func countMessages(ctx context.Context, db string) int {
	return count(ctx, db, `SELECT count(*) FROM messages`)
}

func count(ctx context.Context, db, sql string) int {
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		return -1
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		return -1
	}
	return n
}

// sampleConnections polls PostgreSQL's client backends (the sampler's own
// left out) every 50 ms until stop, which returns the peak.
func sampleConnections(ctx context.Context, db string) (stop func() int) {
	peak := &atomic.Int64{}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			var n int64
			if conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`).Scan(&n) == nil && n > peak.Load() {
				peak.Store(n)
			}
		}
	}()
	return func() int { close(done); <-stopped; return int(peak.Load()) }
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
