package lambdaemu

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Runtime API names, as in aws-lambda-go's runtime_api_client.go.
const (
	apiPrefix              = "/2018-06-01/runtime"
	headerRequestID        = "Lambda-Runtime-Aws-Request-Id"
	headerDeadlineMS       = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN      = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID          = "Lambda-Runtime-Trace-Id"
	headerErrorType        = "Lambda-Runtime-Function-Error-Type"
	headerResponseMode     = "Lambda-Runtime-Function-Response-Mode"
	trailerErrorType       = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody       = "Lambda-Runtime-Function-Error-Body"
	maxErrorDocumentBytes  = 1 << 20
	shutdownGrace          = 500 * time.Millisecond
	defaultPath            = "/usr/local/bin:/usr/bin:/bin:/opt/bin"
	runtimeAPIReadHeaderTO = 10 * time.Second
)

// call is one invocation.
type call struct {
	id      string
	payload []byte
	traceID string

	delivered chan struct{} // closed when /next hands it to the runtime
	started   chan struct{} // closed when the response begins or the call fails first
	done      chan struct{} // closed by finish
	reported  chan struct{} // closed once report is set
	gone      chan struct{} // closed when the caller closed the response before its end
	pr        *io.PipeReader
	pw        *io.PipeWriter

	startOnce, finishOnce, goneOnce sync.Once

	mu          sync.Mutex
	deliveredAt time.Time
	deadline    time.Time
	responding  bool // a /response is in progress or done
	contentType string
	streamed    bool
	preErr      *FunctionError // failure before the response began
	err         *FunctionError // the invocation's failure, before or during the response
	endAt       time.Time

	report Report
}

func newCall(payload []byte) *call {
	pr, pw := io.Pipe()
	return &call{
		id:        newUUID(),
		payload:   payload,
		traceID:   newTraceID(),
		delivered: make(chan struct{}),
		started:   make(chan struct{}),
		done:      make(chan struct{}),
		reported:  make(chan struct{}),
		gone:      make(chan struct{}),
		pr:        pr,
		pw:        pw,
	}
}

func (c *call) start() { c.startOnce.Do(func() { close(c.started) }) }

// leave is the caller closing the response: before its end, the caller went
// away (the response handler then drops the runtime's connection).
func (c *call) leave() {
	select {
	case <-c.done:
	default:
		c.goneOnce.Do(func() { close(c.gone) })
	}
	c.pr.Close()
}

// callerGone reports that the caller left before the response ended.
func (c *call) callerGone() bool {
	select {
	case <-c.gone:
		return true
	default:
		return false
	}
}

// errCallerGone is how an invocation whose caller left mid-stream ends.
func errCallerGone(id string) *FunctionError {
	return &FunctionError{Type: "Runtime.StreamError",
		Message: fmt.Sprintf("RequestId: %s Error: the caller closed the response stream", id)}
}

// finish ends the call with err (nil: success) unless it has already ended.
func (c *call) finish(err *FunctionError) {
	c.finishOnce.Do(func() {
		c.mu.Lock()
		c.endAt = time.Now()
		c.err = err
		if !c.responding && err != nil {
			c.preErr = err
		}
		c.mu.Unlock()
		if err != nil {
			c.pw.CloseWithError(err)
		} else {
			c.pw.Close()
		}
		c.start()
		close(c.done)
	})
}

// instance is one process with its own Runtime API endpoint.
type instance struct {
	f       *Function
	id      int
	cmd     *exec.Cmd
	srv     *http.Server
	addr    string
	started time.Time
	out     *procWriter

	invokes  chan *call    // the next invocation for /next
	asking   chan struct{} // a /next is waiting for an invocation
	stopping chan struct{} // closed when the instance is being stopped
	exited   chan struct{} // closed when the process has exited
	stopOnce sync.Once

	initOnce sync.Once
	initAt   time.Time // first /next

	// guarded by f.mu
	idleGen int

	mu       sync.Mutex
	current  *call // the call handed out by /next, or assigned and waiting
	coldCall *call // the first call, which pays for init
	initErr  *FunctionError
}

// start launches the bootstrap with Lambda's environment and a fresh Runtime API.
func (f *Function) start(id int) (*instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdaemu: runtime API listener: %w", err)
	}
	inst := &instance{
		f:        f,
		id:       id,
		addr:     ln.Addr().String(),
		invokes:  make(chan *call, 1),
		asking:   make(chan struct{}, 1),
		stopping: make(chan struct{}),
		exited:   make(chan struct{}),
		out:      f.output.writer(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", inst.next)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", inst.response)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", inst.invocationError)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", inst.initError)
	inst.srv = &http.Server{Handler: mux, ReadHeaderTimeout: runtimeAPIReadHeaderTO,
		ErrorLog: log.New(io.Discard, "", 0),
		ConnContext: func(ctx context.Context, conn net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, conn)
		}}

	cmd := exec.Command(f.cfg.Bootstrap)
	cmd.Dir = filepath.Dir(f.cfg.Bootstrap)
	cmd.Env = f.environ(inst.addr)
	cmd.Stdout, cmd.Stderr = inst.out, inst.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	inst.cmd = cmd
	inst.started = time.Now()
	if err := cmd.Start(); err != nil {
		ln.Close()
		return nil, fmt.Errorf("lambdaemu: start %s: %w", f.cfg.Bootstrap, err)
	}
	// Served once the instance is complete (its handlers read inst.cmd); the
	// runtime's first requests wait in the listener's backlog meanwhile.
	go func() { _ = inst.srv.Serve(ln) }()
	f.wg.Add(1)
	go inst.wait()
	return inst, nil
}

// environ is the environment Lambda gives a provided.al2023 function: the
// unreserved defaults, the function's variables, then the reserved ones,
// which a function cannot override.
func (f *Function) environ(runtimeAPI string) []string {
	env := map[string]string{
		"PATH":            defaultPath + ":" + os.Getenv("PATH"),
		"LANG":            "en_US.UTF-8",
		"TZ":              ":UTC",
		"LD_LIBRARY_PATH": "/lib64:/usr/lib64:" + filepath.Dir(f.cfg.Bootstrap) + ":" + filepath.Dir(f.cfg.Bootstrap) + "/lib",
		// Lambda gives every function its role's credentials; locally, dummy
		// ones unless the function's environment brings its own.
		"AWS_ACCESS_KEY_ID":     "local",
		"AWS_SECRET_ACCESS_KEY": "local",
		"AWS_SESSION_TOKEN":     "local",
	}
	for k, v := range f.cfg.Env {
		env[k] = v
	}
	taskRoot := filepath.Dir(f.cfg.Bootstrap)
	now := time.Now().UTC()
	reserved := map[string]string{
		"_HANDLER":                        f.cfg.Handler,
		"AWS_REGION":                      f.cfg.Region,
		"AWS_DEFAULT_REGION":              f.cfg.Region,
		"AWS_LAMBDA_FUNCTION_NAME":        f.cfg.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.cfg.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + f.cfg.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      now.Format("2006/01/02") + "/[$LATEST]" + randomHex(16),
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"LAMBDA_TASK_ROOT":                taskRoot,
		"LAMBDA_RUNTIME_DIR":              taskRoot,
	}
	if f.cfg.LogFormat != "" {
		reserved["AWS_LAMBDA_LOG_FORMAT"] = f.cfg.LogFormat
	}
	for k, v := range reserved {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// wait reaps the process and fails whatever it was doing.
func (inst *instance) wait() {
	defer inst.f.wg.Done()
	err := inst.cmd.Wait()
	inst.out.flush()
	close(inst.exited)
	inst.f.gone(inst)
	inst.stop()

	inst.mu.Lock()
	c, initErr := inst.current, inst.initErr
	inst.mu.Unlock()
	if c == nil {
		select {
		case c = <-inst.invokes: // assigned but never picked up
		default:
		}
	}
	if c == nil {
		return
	}
	if initErr != nil {
		c.finish(initErr)
		return
	}
	if c.callerGone() {
		// aws-lambda-go exits once its response POST failed: the end of
		// an invocation whose caller left.
		c.finish(errCallerGone(c.id))
		return
	}
	reason := "Runtime exited without providing a reason"
	if err != nil {
		reason = "Runtime exited with error: " + err.Error()
	}
	fe := &FunctionError{Type: "Runtime.ExitError", Exit: true, Message: fmt.Sprintf("RequestId: %s Error: %s", c.id, reason)}
	if !inst.initialized() {
		fe.Phase = "init"
	}
	c.finish(fe)
}

// awaitNext waits, after c is over, until the runtime asks for its next
// invocation, exits, or runs past c's deadline (then it is stopped).
func (inst *instance) awaitNext(c *call) {
	c.mu.Lock()
	deadline := c.deadline
	c.mu.Unlock()
	if deadline.IsZero() {
		return // never delivered: the instance is not running an invocation
	}
	t := time.NewTimer(max(time.Until(deadline), 0))
	defer t.Stop()
	select {
	case <-inst.asking:
		// Put the signal back: the /next is still waiting for the
		// invocation the instance gets when it is idle again.
		select {
		case inst.asking <- struct{}{}:
		default:
		}
	case <-inst.exited:
	case <-inst.stopping:
	case <-t.C:
		inst.kill()
	}
}

// assign gives c to the instance; /next hands it over.
func (inst *instance) assign(c *call) {
	inst.mu.Lock()
	if inst.coldCall == nil {
		inst.coldCall = c
	}
	inst.current = c
	inst.mu.Unlock()
	inst.invokes <- c // never blocks: an instance holds one call at a time
	select {
	case <-inst.exited: // the process died between acquire and assign
		inst.mu.Lock()
		initErr := inst.initErr
		inst.mu.Unlock()
		if initErr != nil {
			c.finish(initErr)
			return
		}
		c.finish(&FunctionError{Type: "Runtime.ExitError", Exit: true,
			Message: fmt.Sprintf("RequestId: %s Error: Runtime exited without providing a reason", c.id)})
	default:
	}
}

func (inst *instance) initialized() bool {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return !inst.initAt.IsZero()
}

func (inst *instance) initDuration() time.Duration {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.initAt.IsZero() {
		return 0
	}
	return inst.initAt.Sub(inst.started)
}

func (inst *instance) alive() bool {
	select {
	case <-inst.exited:
		return false
	case <-inst.stopping:
		return false
	default:
		return true
	}
}

// kill ends the process at once (a timeout or a failed init).
func (inst *instance) kill() {
	inst.stopOnce.Do(func() { close(inst.stopping) })
	_ = syscall.Kill(-inst.cmd.Process.Pid, syscall.SIGKILL)
}

// stop asks the process to end (SIGTERM, then SIGKILL after a grace period)
// and waits for it.
func (inst *instance) stop() {
	inst.stopOnce.Do(func() { close(inst.stopping) })
	select {
	case <-inst.exited:
	default:
		_ = syscall.Kill(-inst.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-inst.exited:
		case <-time.After(shutdownGrace):
			_ = syscall.Kill(-inst.cmd.Process.Pid, syscall.SIGKILL)
			<-inst.exited
		}
	}
	inst.srv.Close()
}

// maxRSS is the process's peak resident set: VmHWM while it runs, else the
// rusage of the reaped process.
func (inst *instance) maxRSS() int64 {
	select {
	case <-inst.exited:
		if ru, ok := inst.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			return ru.Maxrss * 1024 // KB on Linux
		}
		return 0
	default:
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", inst.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// next serves GET /invocation/next: it blocks until an invocation is assigned.
func (inst *instance) next(w http.ResponseWriter, r *http.Request) {
	inst.initOnce.Do(func() {
		inst.mu.Lock()
		inst.initAt = time.Now()
		inst.mu.Unlock()
	})
	inst.mu.Lock()
	prev := inst.current
	inst.mu.Unlock()
	if prev != nil && prev.callerGone() {
		prev.finish(errCallerGone(prev.id)) // the runtime is done with it
	}
	select {
	case inst.asking <- struct{}{}:
	default:
	}
	var c *call
	select {
	case c = <-inst.invokes:
		select {
		case <-inst.asking: // this /next is answered
		default:
		}
	case <-inst.stopping:
		http.Error(w, `{"errorMessage":"shutting down","errorType":"Runtime.Shutdown"}`, http.StatusGone)
		return
	case <-r.Context().Done():
		return
	}
	now := time.Now()
	deadline := now.Add(inst.f.cfg.Timeout)
	c.mu.Lock()
	c.deliveredAt, c.deadline = now, deadline
	c.mu.Unlock()
	inst.mu.Lock()
	inst.current = c
	inst.mu.Unlock()

	h := w.Header()
	h.Set(headerRequestID, c.id)
	h.Set(headerDeadlineMS, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, inst.f.arn)
	h.Set(headerTraceID, c.traceID)
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(c.payload)))
	close(c.delivered)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(c.payload)
}

// call returns the current call if its id is id.
func (inst *instance) callFor(w http.ResponseWriter, id string) *call {
	inst.mu.Lock()
	c := inst.current
	inst.mu.Unlock()
	if c == nil || c.id != id {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID: "+id)
		return nil
	}
	select {
	case <-c.done:
		writeAPIError(w, http.StatusBadRequest, "InvalidStateTransition", "the invocation "+id+" is already over")
		return nil
	default:
	}
	return c
}

// response serves POST /invocation/{id}/response, buffered or streamed.
func (inst *instance) response(w http.ResponseWriter, r *http.Request) {
	c := inst.callFor(w, r.PathValue("id"))
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.responding {
		c.mu.Unlock()
		writeAPIError(w, http.StatusBadRequest, "InvalidStateTransition", "a response is already being sent")
		return
	}
	c.responding = true
	c.contentType = r.Header.Get("Content-Type")
	c.streamed = strings.EqualFold(r.Header.Get(headerResponseMode), "streaming") || r.ContentLength < 0
	c.mu.Unlock()
	c.start()

	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(c.pw, r.Body)
		copied <- err
	}()
	var err error
	select {
	case err = <-copied:
	case <-c.gone:
		// The caller went away: like Lambda, drop the runtime's connection
		// at once (RST), so that the function's response POST fails now,
		// not at its next write, and it learns the client is gone (it can
		// stop and keep what it has). The invocation lasts until the
		// runtime is done with it: it exits, or asks for the next one.
		resetConnection(r)
		<-copied
		select {
		case <-c.done:
		case <-inst.exited:
			<-c.done
		}
		return
	}
	if err != nil {
		// The call already ended (timeout), or the runtime's connection broke.
		select {
		case <-c.done:
		case <-inst.exited:
			<-c.done // wait finishes it with the exit error
		case <-time.After(200 * time.Millisecond):
			c.finish(&FunctionError{Type: "Runtime.StreamError", Message: "reading the response: " + err.Error()})
		}
		writeAPIError(w, http.StatusBadRequest, "Runtime.StreamError", err.Error())
		return
	}
	if typ := r.Trailer.Get(trailerErrorType); typ != "" {
		// A mid-stream failure: aws-lambda-go ends the body and names the
		// error in the trailers, the body of the error base64-encoded.
		fe := &FunctionError{Type: typ}
		if body, err := base64.StdEncoding.DecodeString(r.Trailer.Get(trailerErrorBody)); err == nil {
			fe.Body = body
			var doc struct {
				Message string `json:"errorMessage"`
			}
			if json.Unmarshal(body, &doc) == nil {
				fe.Message = doc.Message
			}
		}
		c.finish(fe)
	} else {
		c.finish(nil)
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// invocationError serves POST /invocation/{id}/error.
func (inst *instance) invocationError(w http.ResponseWriter, r *http.Request) {
	c := inst.callFor(w, r.PathValue("id"))
	if c == nil {
		return
	}
	fe := readErrorDocument(r)
	fe.Phase = "invoke"
	c.finish(fe)
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// initError serves POST /init/error: the instance is then stopped, and the
// invocation waiting for it fails with this error.
func (inst *instance) initError(w http.ResponseWriter, r *http.Request) {
	fe := readErrorDocument(r)
	fe.Phase = "init"
	inst.mu.Lock()
	if inst.initErr == nil {
		inst.initErr = fe
	}
	c := inst.current
	inst.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
	if c != nil {
		c.finish(fe)
	}
	go inst.kill()
}

func readErrorDocument(r *http.Request) *FunctionError {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorDocumentBytes))
	fe := &FunctionError{Type: r.Header.Get(headerErrorType), Body: body}
	var doc struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	if json.Unmarshal(body, &doc) == nil {
		fe.Message = doc.Message
		if doc.Type != "" {
			fe.Type = doc.Type
		}
	} else {
		fe.Message = string(body)
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newTraceID is an X-Ray trace header like Lambda's.
func newTraceID() string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), randomHex(12), randomHex(8))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// connKey is the request context's key of its connection (ConnContext).
type connKey struct{}

// resetConnection drops the request's connection at once (RST): the peer's
// next write fails, and a read waiting for the response fails now, where a
// graceful close could let it write on unaware.
func resetConnection(r *http.Request) {
	conn, ok := r.Context().Value(connKey{}).(net.Conn)
	if !ok {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
