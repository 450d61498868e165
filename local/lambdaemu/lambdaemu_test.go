package lambdaemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/local/internal/testbuild"
)

var builder = testbuild.New()

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFunction(t *testing.T, cfg Config) (*Function, *syncBuffer) {
	t.Helper()
	if cfg.Bootstrap == "" {
		cfg.Bootstrap = builder.Bootstrap(t, "internal/testfn")
	}
	logs := &syncBuffer{}
	cfg.Log = logs
	cfg.Output = logs
	if cfg.Name == "" {
		cfg.Name = "testfn"
	}
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, logs
}

func invoke(t *testing.T, f *Function, payload string) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := f.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatalf("Invoke(%s): %v", payload, err)
	}
	return res
}

var reportLine = regexp.MustCompile(`^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d\d ms\t)?$`)

func TestColdThenWarm(t *testing.T) {
	f, logs := newFunction(t, Config{MemoryMB: 256, Timeout: 5 * time.Second, Env: map[string]string{
		"GREETING": "hi", "AWS_REGION": "cannot-override", "TZ": "Europe/Paris",
	}})
	first := invoke(t, f, `{}`)
	second := invoke(t, f, `{}`)
	for i, res := range []*Result{first, second} {
		if res.Err != nil {
			t.Fatalf("invocation %d failed: %v", i, res.Err)
		}
	}
	if !first.Report.Cold || first.Report.InitDuration <= 0 {
		t.Errorf("first invocation: cold %v init %s, want a cold start", first.Report.Cold, first.Report.InitDuration)
	}
	if second.Report.Cold || second.Report.InitDuration != 0 {
		t.Errorf("second invocation: cold %v init %s, want warm", second.Report.Cold, second.Report.InitDuration)
	}
	if first.Report.Instance != second.Report.Instance || f.Instances() != 1 {
		t.Errorf("instances %d/%d, running %d: want one instance reused", first.Report.Instance, second.Report.Instance, f.Instances())
	}
	if first.Report.MaxRSSBytes <= 0 || first.Report.MaxMemoryUsedMB <= 0 {
		t.Errorf("max memory = %d bytes, want > 0", first.Report.MaxRSSBytes)
	}
	if b := first.Report.BilledDuration; b < first.Report.Duration+first.Report.InitDuration {
		t.Errorf("billed %s < duration %s + init %s", b, first.Report.Duration, first.Report.InitDuration)
	}
	t.Logf("cold: init %.2f ms, duration %.2f ms; warm: %.2f ms; max RSS %d MB",
		ms(first.Report.InitDuration), ms(first.Report.Duration), ms(second.Report.Duration), second.Report.MaxMemoryUsedMB)

	var lines []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.HasPrefix(l, "REPORT") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("REPORT lines = %q, want 2", lines)
	}
	for i, l := range lines {
		if !reportLine.MatchString(l) {
			t.Errorf("REPORT line %q has not Lambda's format", l)
		}
		if hasInit := strings.Contains(l, "Init Duration"); hasInit != (i == 0) {
			t.Errorf("line %d %q: Init Duration present = %v", i, l, hasInit)
		}
	}

	var echo struct {
		RequestID   string            `json:"requestId"`
		FunctionArn string            `json:"functionArn"`
		DeadlineIn  int64             `json:"deadlineIn"`
		Env         map[string]string `json:"env"`
	}
	var resp struct{ Body string }
	if err := json.Unmarshal(first.Payload, &resp); err != nil {
		t.Fatalf("payload %s: %v", first.Payload, err)
	}
	if err := json.Unmarshal([]byte(resp.Body), &echo); err != nil {
		t.Fatal(err)
	}
	if echo.RequestID != first.RequestID || first.Report.RequestID != first.RequestID {
		t.Errorf("request id: function saw %q, result %q, report %q", echo.RequestID, first.RequestID, first.Report.RequestID)
	}
	if echo.FunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:testfn" {
		t.Errorf("function ARN = %q", echo.FunctionArn)
	}
	if echo.DeadlineIn < 4000 || echo.DeadlineIn > 5000 {
		t.Errorf("deadline in %d ms, want about 5000", echo.DeadlineIn)
	}
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "testfn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_REGION": "us-east-1", "_HANDLER": "bootstrap",
		"TZ": "Europe/Paris", "GREETING": "hi", "HOME_FROM_HOST": "",
	}
	for k, v := range want {
		if echo.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, echo.Env[k], v)
		}
	}
	if echo.Env["LAMBDA_TASK_ROOT"] == "" {
		t.Error("LAMBDA_TASK_ROOT is not set")
	}
}

func TestConcurrentInvocationsStartInstances(t *testing.T) {
	f, _ := newFunction(t, Config{Timeout: 10 * time.Second})
	const n = 4
	results := make([]*Result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = invoke(t, f, `{"do":"sleep","ms":700}`)
		}()
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, r := range results {
		if r == nil || r.Err != nil || !r.Report.Cold {
			t.Fatalf("result %+v: want a successful cold start", r)
		}
		seen[r.Report.Instance] = true
	}
	if len(seen) != n || f.Instances() != n {
		t.Fatalf("%d parallel slow invocations used %d instances (%d running), want %d", n, len(seen), f.Instances(), n)
	}
	// Afterwards they are all warm: n more sequential calls start nothing.
	for range n {
		if r := invoke(t, f, `{}`); r.Report.Cold {
			t.Error("a sequential invocation after the burst was cold")
		}
	}
	if f.Instances() != n {
		t.Errorf("running instances = %d, want %d", f.Instances(), n)
	}
}

func TestTimeoutKillsTheInstance(t *testing.T) {
	f, logs := newFunction(t, Config{Timeout: 400 * time.Millisecond})
	invoke(t, f, `{}`) // warm it up
	start := time.Now()
	res := invoke(t, f, `{"do":"sleep","ms":10000}`)
	took := time.Since(start)
	if res.Err == nil || !res.Err.Timeout || res.Err.Type != "Sandbox.Timedout" {
		t.Fatalf("err = %+v, want a timeout", res.Err)
	}
	if !strings.Contains(res.Err.Message, "Task timed out after 0.40 seconds") {
		t.Errorf("message = %q", res.Err.Message)
	}
	if took < 400*time.Millisecond || took > 3*time.Second {
		t.Errorf("the timeout took %s, want about 400ms", took)
	}
	if res.Report.Status != "timeout" || !strings.Contains(logs.String(), "Status: timeout") {
		t.Errorf("report %+v, want Status: timeout", res.Report)
	}
	waitFor(t, func() bool { return f.Instances() == 0 }, "the timed-out instance to be gone")
	if next := invoke(t, f, `{}`); next.Err != nil || !next.Report.Cold {
		t.Errorf("the invocation after a timeout: err %v cold %v, want a fresh cold start", next.Err, next.Report.Cold)
	}
}

func TestFunctionFailures(t *testing.T) {
	tests := []struct {
		name      string
		init      string
		payload   string
		wantType  string
		wantPhase string
		wantMsg   string
		survives  bool // the instance stays warm
	}{
		{"handler error (/error)", "", `{"do":"error"}`, "errorString", "invoke", "something broke", true},
		{"panic (/error, then exit)", "", `{"do":"panic"}`, "string", "invoke", "oh no", false},
		{"process exit", "", `{"do":"exit"}`, "Runtime.ExitError", "", "exit status 4", false},
		{"init error (/init/error)", "error", `{}`, "InitError", "init", "missing setting FOO", false},
		{"exit during init", "exit", `{}`, "Runtime.ExitError", "init", "exit status 3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFunction(t, Config{Timeout: 5 * time.Second, Env: map[string]string{"TESTFN_INIT": tt.init}})
			res := invoke(t, f, tt.payload)
			if res.Err == nil {
				t.Fatalf("no error; payload %s", res.Payload)
			}
			if res.Err.Type != tt.wantType || res.Err.Phase != tt.wantPhase || !strings.Contains(res.Err.Message, tt.wantMsg) {
				t.Errorf("err = %+v, want type %q phase %q message ~%q", res.Err, tt.wantType, tt.wantPhase, tt.wantMsg)
			}
			if res.Report.Status != "error" || res.Report.ErrorType != tt.wantType {
				t.Errorf("report status %q type %q", res.Report.Status, res.Report.ErrorType)
			}
			if tt.survives {
				if again := invoke(t, f, `{}`); again.Err != nil || again.Report.Cold {
					t.Errorf("after a handled error: err %v cold %v, want a warm success", again.Err, again.Report.Cold)
				}
			} else {
				waitFor(t, func() bool { return f.Instances() == 0 }, "the failed instance to be gone")
			}
		})
	}
}

func TestStreamingResponse(t *testing.T) {
	f, _ := newFunction(t, Config{Timeout: 10 * time.Second, Env: map[string]string{"TESTFN_MODE": "stream"}})
	ctx := context.Background()

	s, err := f.InvokeStream(ctx, []byte(`{"do":"fail","n":3,"gap":400}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Err != nil || !s.Streamed || s.ContentType != "application/vnd.awslambda.http-integration-response" {
		t.Fatalf("stream: err %v streamed %v content type %q", s.Err, s.Streamed, s.ContentType)
	}
	start := time.Now()
	var got []byte
	buf := make([]byte, 4096)
	firstAt := time.Duration(-1)
	var readErr error
	for {
		n, err := s.Body.Read(buf)
		got = append(got, buf[:n]...)
		if firstAt < 0 && bytes.Contains(got, []byte("data: 0")) {
			firstAt = time.Since(start)
			select {
			case <-s.call.done:
				t.Error("the first chunk arrived only after the function finished")
			default:
			}
		}
		if err != nil {
			readErr = err
			break
		}
	}
	total := time.Since(start)
	if firstAt < 0 || total-firstAt < 600*time.Millisecond {
		t.Errorf("first chunk at %s, end at %s: want the first bytes ≥ 600ms before the end", firstAt, total)
	}
	prelude, body, ok := bytes.Cut(got, make([]byte, 8))
	if !ok || !bytes.Contains(prelude, []byte(`"statusCode":201`)) {
		t.Errorf("no prelude in %q", got)
	}
	if want := "event: delta\ndata: 0\n\nevent: delta\ndata: 1\n\nevent: delta\ndata: 2\n\n"; string(body) != want {
		t.Errorf("body = %q, want %q", body, want)
	}
	var fe *FunctionError
	if !errors.As(readErr, &fe) || !strings.Contains(fe.Message, "model went away") {
		t.Errorf("end of stream: %v, want the mid-stream error", readErr)
	}
	s.Body.Close()
	if r := s.Report(); r.Status != "error" {
		t.Errorf("report status = %q, want error", r.Status)
	}

	// A failure before the stream starts comes back as Err.
	s2, err := f.InvokeStream(ctx, []byte(`{"do":"error"}`))
	if err != nil {
		t.Fatal(err)
	}
	if s2.Err == nil || !strings.Contains(s2.Err.Message, "refused") {
		t.Errorf("Err = %v, want the handler's error", s2.Err)
	}
	if b, _ := io.ReadAll(s2.Body); len(b) != 0 {
		t.Errorf("body after a failure = %q", b)
	}
}

func TestIdleInstancesStop(t *testing.T) {
	f, _ := newFunction(t, Config{IdleTimeout: 300 * time.Millisecond})
	invoke(t, f, `{}`)
	if f.Instances() != 1 {
		t.Fatalf("instances = %d, want 1", f.Instances())
	}
	time.Sleep(100 * time.Millisecond)
	// Being used again restarts the idle clock.
	if r := invoke(t, f, `{}`); r.Report.Cold {
		t.Fatal("a call within the idle timeout was cold")
	}
	waitFor(t, func() bool { return f.Instances() == 0 }, "the idle instance to stop")
	if r := invoke(t, f, `{}`); !r.Report.Cold {
		t.Error("the call after the idle timeout was warm")
	}
}

func TestMaxMemoryUsed(t *testing.T) {
	f, _ := newFunction(t, Config{MemoryMB: 256})
	small := invoke(t, f, `{}`)
	big := invoke(t, f, `{"do":"alloc","mb":40}`)
	if small.Report.MaxMemoryUsedMB >= 40 || big.Report.MaxMemoryUsedMB < 40 {
		t.Errorf("max memory used: %d MB then %d MB after allocating 40 MB", small.Report.MaxMemoryUsedMB, big.Report.MaxMemoryUsedMB)
	}
}

func TestThrottle(t *testing.T) {
	f, _ := newFunction(t, Config{MaxInstances: 1})
	done := make(chan *Result)
	go func() { done <- invoke(t, f, `{"do":"sleep","ms":800}`) }()
	waitFor(t, func() bool { return f.Instances() == 1 }, "the first instance")
	if _, err := f.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, ErrThrottled) {
		t.Errorf("second concurrent invocation: %v, want ErrThrottled", err)
	}
	if r := <-done; r.Err != nil {
		t.Error(r.Err)
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{"missing": dir + "/nope", "a folder": dir, "empty": ""} {
		if _, err := New(Config{Bootstrap: path}); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// IdleTimeout < 0 stops each instance after its invocation: every call is a
// cold start (what a cold-start bench wants).
func TestEveryInvocationCold(t *testing.T) {
	f, _ := newFunction(t, Config{IdleTimeout: -1})
	for i := range 3 {
		r := invoke(t, f, `{}`)
		if r.Err != nil || !r.Report.Cold || r.Report.InitDuration <= 0 || r.Report.Instance != i+1 {
			t.Fatalf("call %d: err %v cold %v init %s instance %d, want a cold start on instance %d",
				i, r.Err, r.Report.Cold, r.Report.InitDuration, r.Report.Instance, i+1)
		}
	}
	waitFor(t, func() bool { return f.Instances() == 0 }, "the instances to stop")
}
