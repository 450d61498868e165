// Package lambdaemu runs a Lambda function's real bootstrap locally, the way
// the Lambda service does: each instance is a process that pulls invocations
// from its own emulation of the Lambda Runtime API
// (/2018-06-01/runtime/invocation/next, /{id}/response, /{id}/error,
// /init/error), one invocation at a time; concurrent invocations start more
// instances; idle instances stay warm for a while; the function's timeout
// kills the instance. Responses may be streamed (chunked, with errors in
// trailers), as aws-lambda-go writes them for response-streaming functions.
//
// After each invocation a Function logs a Lambda-style REPORT line and hands
// the same numbers to Config.OnReport.
package lambdaemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Defaults for Config.
const (
	DefaultMemoryMB    = 128
	DefaultTimeout     = 3 * time.Second
	DefaultInitTimeout = 10 * time.Second
	DefaultIdleTimeout = 10 * time.Minute
	DefaultRegion      = "us-east-1"
	// AccountID is the account in the ARNs the emulator makes up.
	AccountID = "123456789012"
)

// ErrThrottled is returned by Invoke when MaxInstances instances are busy,
// as Lambda answers TooManyRequestsException at its concurrency limit.
var ErrThrottled = errors.New("lambdaemu: rate exceeded: all instances are busy")

// Account is an account's concurrency limit, shared by its functions:
// Lambda throttles an invocation when that many are running in the account
// (a new account may run 10; the default quota is 1 000). Idle instances do
// not count.
type Account struct {
	limit int
	mu    sync.Mutex
	busy  int
	peak  int
}

// NewAccount returns an account that runs at most limit invocations at once
// (0: unbounded).
func NewAccount(limit int) *Account { return &Account{limit: limit} }

func (a *Account) take() bool {
	if a == nil {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.limit > 0 && a.busy >= a.limit {
		return false
	}
	a.busy++
	a.peak = max(a.peak, a.busy)
	return true
}

func (a *Account) give() {
	if a == nil {
		return
	}
	a.mu.Lock()
	a.busy--
	a.mu.Unlock()
}

// Peak is the most invocations that ran at once.
func (a *Account) Peak() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.peak
}

// ErrClosed is returned by Invoke after Close.
var ErrClosed = errors.New("lambdaemu: function closed")

// Config describes one function.
type Config struct {
	Name        string            // AWS_LAMBDA_FUNCTION_NAME; default the bootstrap's folder name
	Bootstrap   string            // the executable, e.g. .build/amd64/health/bootstrap
	Handler     string            // _HANDLER; default "bootstrap"
	MemoryMB    int               // AWS_LAMBDA_FUNCTION_MEMORY_SIZE and the REPORT's Memory Size
	Timeout     time.Duration     // the function timeout, enforced by killing the instance
	InitTimeout time.Duration     // the limit on a cold start's init phase
	Env         map[string]string // the function's own environment (template Environment, resolved)
	LogFormat   string            // AWS_LAMBDA_LOG_FORMAT (Text or JSON); "" leaves it unset
	Region      string            // AWS_REGION and AWS_DEFAULT_REGION
	// IdleTimeout is how long an idle instance stays warm before it is
	// stopped; negative stops it as soon as an invocation ends.
	IdleTimeout time.Duration
	// MaxInstances bounds concurrent instances (0: unbounded), as the
	// function's reserved concurrency does; over it Invoke returns ErrThrottled.
	MaxInstances int
	// Account, when set, is the account-wide concurrency the function shares
	// with others; over it Invoke returns ErrThrottled.
	Account *Account
	// Output receives the function's stdout and stderr, each line prefixed
	// with "[name] "; default os.Stderr.
	Output io.Writer
	// Log receives the REPORT lines; default os.Stderr. Use io.Discard to mute.
	Log io.Writer
	// OnReport, when set, is called with every invocation's Report.
	OnReport func(Report)
}

// Function runs one function's instances. It is safe for concurrent use.
type Function struct {
	cfg    Config
	arn    string
	output *lineWriter
	logMu  sync.Mutex

	mu       sync.Mutex
	idle     []*instance // most recently used last
	running  map[*instance]bool
	nextID   int
	starting int // instances being started, not yet in running
	closed   bool
	wg       sync.WaitGroup // instance and invocation goroutines
}

// New returns a Function for cfg. It starts no process until the first Invoke.
func New(cfg Config) (*Function, error) {
	if cfg.Bootstrap == "" {
		return nil, errors.New("lambdaemu: Config.Bootstrap is required")
	}
	abs, err := filepath.Abs(cfg.Bootstrap)
	if err != nil {
		return nil, fmt.Errorf("lambdaemu: bootstrap path: %w", err)
	}
	cfg.Bootstrap = abs
	if st, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("lambdaemu: bootstrap: %w", err)
	} else if st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("lambdaemu: bootstrap %s is not an executable file", abs)
	}
	if cfg.Name == "" {
		cfg.Name = filepath.Base(filepath.Dir(abs))
	}
	if cfg.Handler == "" {
		cfg.Handler = "bootstrap"
	}
	if cfg.MemoryMB == 0 {
		cfg.MemoryMB = DefaultMemoryMB
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.InitTimeout == 0 {
		cfg.InitTimeout = DefaultInitTimeout
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Output == nil {
		cfg.Output = os.Stderr
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	return &Function{
		cfg:     cfg,
		arn:     fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", cfg.Region, AccountID, cfg.Name),
		output:  &lineWriter{w: cfg.Output, prefix: "[" + cfg.Name + "] "},
		running: map[*instance]bool{},
	}, nil
}

// Name is the function's name.
func (f *Function) Name() string { return f.cfg.Name }

// Instances reports how many instances (processes) are running, busy or idle.
func (f *Function) Instances() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.running)
}

// Result is a buffered invocation's outcome.
type Result struct {
	RequestID   string
	Payload     []byte // the response body as the function wrote it
	ContentType string
	// Err is the function's failure: an error it reported, an init error, a
	// crash or a timeout. Payload holds what was written before a mid-stream failure.
	Err    *FunctionError
	Report Report
}

// Invoke runs one invocation with payload and waits for the whole response.
// The returned error is the emulator's own (the bootstrap cannot start,
// ErrThrottled, ErrClosed, ctx done before the response began); the
// function's failures are in Result.Err.
func (f *Function) Invoke(ctx context.Context, payload []byte) (*Result, error) {
	s, err := f.InvokeStream(ctx, payload)
	if err != nil {
		return nil, err
	}
	body, rerr := io.ReadAll(s.Body)
	s.Body.Close()
	res := &Result{RequestID: s.RequestID, Payload: body, ContentType: s.ContentType, Err: s.Err, Report: s.Report()}
	if rerr != nil && res.Err == nil {
		if !errors.As(rerr, &res.Err) {
			res.Err = &FunctionError{Type: "Runtime.Unknown", Message: rerr.Error()}
		}
	}
	return res, nil
}

// Stream is an invocation whose response is read as the function writes it.
type Stream struct {
	RequestID   string
	ContentType string // the response's content type
	// Streamed reports that the runtime sent the response in streaming mode
	// (chunked, or Lambda-Runtime-Function-Response-Mode: streaming).
	Streamed bool
	// Err is set when the invocation failed before a response began; Body is
	// then empty.
	Err *FunctionError
	// Body yields the response as it arrives. A failure after the response
	// began (an error in the trailers, a crash, a timeout) ends it with a
	// *FunctionError instead of io.EOF. Close it when done.
	Body io.ReadCloser

	call *call
}

// callerBody is a Stream's Body: closing it before the end is the caller
// leaving, which the runtime learns at once.
type callerBody struct{ c *call }

func (b callerBody) Read(p []byte) (int, error) { return b.c.pr.Read(p) }
func (b callerBody) Close() error               { b.c.leave(); return nil }

// Report waits until the invocation is over and returns its numbers. Read
// Body to its end or close it first.
func (s *Stream) Report() Report {
	<-s.call.reported
	return s.call.report
}

// InvokeStream starts one invocation and returns once the response begins
// or the invocation fails, whichever comes first.
func (f *Function) InvokeStream(ctx context.Context, payload []byte) (*Stream, error) {
	if !f.cfg.Account.take() {
		return nil, ErrThrottled
	}
	inst, err := f.acquire()
	if err != nil {
		f.cfg.Account.give()
		return nil, err
	}
	c := newCall(payload)
	f.wg.Add(1)
	go f.run(inst, c)

	select {
	case <-c.started:
	case <-ctx.Done():
		// Lambda carries on with an invocation whose caller left; discard its output.
		go func() { _, _ = io.Copy(io.Discard, c.pr); c.pr.Close() }()
		return nil, fmt.Errorf("lambdaemu: invoke %s: %w", f.cfg.Name, ctx.Err())
	}
	s := &Stream{RequestID: c.id, call: c, Body: callerBody{c}}
	c.mu.Lock()
	s.ContentType, s.Streamed, s.Err = c.contentType, c.streamed, c.preErr
	c.mu.Unlock()
	return s, nil
}

// run drives one invocation on inst: hands it over, enforces the init and
// function timeouts, and reports and releases the instance when it is over.
func (f *Function) run(inst *instance, c *call) {
	defer f.wg.Done()
	inst.assign(c)

	// Hand-over: a cold instance has InitTimeout to reach /next; a warm one
	// that does not come back for its next invocation is stuck, and times out.
	handover, phase := f.cfg.Timeout, ""
	if !inst.initialized() {
		handover, phase = f.cfg.InitTimeout, "init"
	}
	t := time.NewTimer(handover)
	select {
	case <-c.delivered:
		t.Reset(time.Until(c.deadline))
		select {
		case <-c.done:
		case <-t.C:
			c.finish(&FunctionError{Type: "Sandbox.Timedout", Timeout: true,
				Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", c.id, f.cfg.Timeout.Seconds())})
			inst.kill()
		}
	case <-c.done:
	case <-t.C:
		c.finish(&FunctionError{Type: "Sandbox.Timedout", Timeout: true, Phase: phase,
			Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", c.id, handover.Seconds())})
		inst.kill()
	}
	t.Stop()
	<-c.done

	c.report = f.makeReport(inst, c)
	f.logMu.Lock()
	fmt.Fprintln(f.cfg.Log, c.report.String())
	f.logMu.Unlock()
	if f.cfg.OnReport != nil {
		f.cfg.OnReport(c.report)
	}
	// Lambda hands an instance its next invocation only once the runtime
	// asks for one: work after the response (a streamed chat turn storing
	// its vectors) keeps it busy, and counts against the concurrency, while
	// a new invocation goes to another instance. A runtime that asks at once
	// (nearly all) is free again before the caller learns the outcome, so
	// that the caller's next invocation finds it warm.
	released := make(chan struct{})
	go func() {
		defer close(released)
		inst.awaitNext(c)
		f.release(inst)
		f.cfg.Account.give()
	}()
	select {
	case <-released:
	case <-time.After(nextGrace):
	}
	close(c.reported)
	<-released
}

// nextGrace is how long the caller's report waits for the runtime to ask
// for its next invocation (see run).
const nextGrace = 100 * time.Millisecond

func (f *Function) makeReport(inst *instance, c *call) Report {
	r := Report{
		Function:     f.cfg.Name,
		RequestID:    c.id,
		MemorySizeMB: f.cfg.MemoryMB,
		Instance:     inst.id,
	}
	c.mu.Lock()
	end, err := c.endAt, c.err
	deliveredAt := c.deliveredAt
	c.mu.Unlock()
	if !deliveredAt.IsZero() {
		r.Duration = end.Sub(deliveredAt)
	}
	if inst.coldCall == c {
		r.Cold = true
		r.InitDuration = inst.initDuration()
		if deliveredAt.IsZero() { // init never finished: it is all init
			r.InitDuration = end.Sub(inst.started)
		}
	}
	billed := r.Duration
	if r.Cold {
		// provided.al2023 (a custom runtime) bills the init phase too.
		billed += r.InitDuration
	}
	r.BilledDuration = billed.Truncate(time.Millisecond)
	if r.BilledDuration < billed || r.BilledDuration == 0 {
		r.BilledDuration += time.Millisecond
	}
	r.MaxRSSBytes = inst.maxRSS()
	r.MaxMemoryUsedMB = int((r.MaxRSSBytes + (1<<20 - 1)) >> 20)
	if err != nil {
		r.Status = "error"
		if err.Timeout {
			r.Status = "timeout"
		}
		r.ErrorType = err.Type
	}
	return r
}

// acquire returns the most recently used idle instance, or starts one.
func (f *Function) acquire() (*instance, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	for n := len(f.idle); n > 0; n = len(f.idle) {
		inst := f.idle[n-1]
		f.idle = f.idle[:n-1]
		if inst.alive() {
			inst.idleGen++
			f.mu.Unlock()
			return inst, nil
		}
	}
	if f.cfg.MaxInstances > 0 && len(f.running)+f.starting >= f.cfg.MaxInstances {
		f.mu.Unlock()
		return nil, ErrThrottled
	}
	f.nextID++
	id := f.nextID
	f.starting++ // counted against MaxInstances while it starts
	f.mu.Unlock()

	inst, err := f.start(id)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starting--
	if err != nil {
		return nil, err
	}
	if f.closed {
		inst.stop()
		return nil, ErrClosed
	}
	f.running[inst] = true
	return inst, nil
}

// release makes inst idle again, or forgets it if it is gone.
func (f *Function) release(inst *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || !inst.alive() {
		return
	}
	if f.cfg.IdleTimeout < 0 {
		delete(f.running, inst)
		go inst.stop()
		return
	}
	inst.idleGen++
	gen := inst.idleGen
	f.idle = append(f.idle, inst)
	time.AfterFunc(f.cfg.IdleTimeout, func() { f.expire(inst, gen) })
}

// expire stops inst if it has stayed idle since release number gen.
func (f *Function) expire(inst *instance, gen int) {
	f.mu.Lock()
	if inst.idleGen != gen {
		f.mu.Unlock()
		return
	}
	for i, in := range f.idle {
		if in == inst {
			f.idle = append(f.idle[:i], f.idle[i+1:]...)
			break
		}
	}
	delete(f.running, inst)
	f.mu.Unlock()
	inst.stop()
}

// gone forgets an instance whose process has exited.
func (f *Function) gone(inst *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.running, inst)
	for i, in := range f.idle {
		if in == inst {
			f.idle = append(f.idle[:i], f.idle[i+1:]...)
			break
		}
	}
}

// Close stops every instance and waits for them; in-flight invocations fail.
func (f *Function) Close() error {
	f.mu.Lock()
	f.closed = true
	insts := make([]*instance, 0, len(f.running))
	for inst := range f.running {
		insts = append(insts, inst)
	}
	f.running = map[*instance]bool{}
	f.idle = nil
	f.mu.Unlock()
	var wg sync.WaitGroup
	for _, inst := range insts {
		wg.Add(1)
		go func() { defer wg.Done(); inst.stop() }()
	}
	wg.Wait()
	f.wg.Wait()
	return nil
}

// Report is one invocation's numbers, as Lambda's REPORT line has them.
type Report struct {
	Function        string
	RequestID       string
	Duration        time.Duration // from hand-over (/next) to the end of the response
	BilledDuration  time.Duration // Duration (+ InitDuration on a cold start), rounded up to 1 ms
	MemorySizeMB    int
	MaxMemoryUsedMB int   // MaxRSSBytes in MB, rounded up
	MaxRSSBytes     int64 // the process's peak resident set size so far (VmHWM)
	Cold            bool
	InitDuration    time.Duration // cold starts only: process start to its first /next
	Instance        int           // which instance served it, 1, 2, … per Function
	Status          string        // "", "error" or "timeout"
	ErrorType       string
}

// String is the REPORT line, tab-separated as Lambda writes it.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		r.RequestID, ms(r.Duration), r.BilledDuration.Milliseconds(), r.MemorySizeMB, r.MaxMemoryUsedMB)
	if r.Cold {
		fmt.Fprintf(&b, "Init Duration: %.2f ms\t", ms(r.InitDuration))
	}
	if r.Status != "" {
		fmt.Fprintf(&b, "Status: %s\t", r.Status)
		if r.Status == "error" && r.ErrorType != "" {
			fmt.Fprintf(&b, "Error Type: %s\t", r.ErrorType)
		}
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// FunctionError is an invocation's failure.
type FunctionError struct {
	Type    string // errorType: the handler's error type, Runtime.ExitError, Sandbox.Timedout, …
	Message string // errorMessage
	Phase   string // "init" for init failures, else "invoke"
	Timeout bool   // the function or its init ran out of time
	Exit    bool   // the process exited
	// Body is the error document the runtime posted, if any.
	Body []byte
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// lineWriter prefixes each line written to w; it is shared by all instances
// of a function so that their lines do not interleave.
type lineWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
}

// writer returns a per-process writer that buffers partial lines.
func (l *lineWriter) writer() *procWriter { return &procWriter{l: l} }

type procWriter struct {
	l   *lineWriter
	buf []byte
}

func (p *procWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := strings.IndexByte(string(p.buf), '\n')
		if i < 0 {
			break
		}
		p.emit(p.buf[:i+1])
		p.buf = p.buf[i+1:]
	}
	return len(b), nil
}

// flush writes a last unterminated line.
func (p *procWriter) flush() {
	if len(p.buf) > 0 {
		p.emit(append(p.buf, '\n'))
		p.buf = nil
	}
}

func (p *procWriter) emit(line []byte) {
	p.l.mu.Lock()
	defer p.l.mu.Unlock()
	_, _ = io.WriteString(p.l.w, p.l.prefix+string(line))
}
