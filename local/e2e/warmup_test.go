package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// deadEnv points every dependency at a closed port: a function that touches
// one on a warmup event would fail or hang.
func deadEnv(t *testing.T) map[string]string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return map[string]string{
		"DATABASE_URL": "postgres://u@" + addr + "/db?sslmode=disable", "REDIS_URL": "redis://" + addr + "/0",
		"COGNITO_ENDPOINT": "http://" + addr, "COGNITO_USER_POOL_ID": "local_x", "COGNITO_CLIENT_ID": "c", "COGNITO_REGION": "us-east-1",
		"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://" + addr + "/v1", "SSM_ENDPOINT": "http://" + addr,
		"LAMBDA_ENDPOINT": "http://" + addr, "STAGE": "dev", "AWS_REGION": "us-east-1",
		"S3_ENDPOINT": "http://" + addr, "DATA_BUCKET": "macro-ai-data",
	}
}

// emulators starts every template function's real bootstrap with env. Under
// -short it skips the test: the bootstraps are make build-host's, and a
// process each.
func emulators(t *testing.T, env map[string]string) map[string]*lambdaemu.Function {
	t.Helper()
	if testing.Short() {
		t.Skip("runs every function's built bootstrap (make build-host); run without -short")
	}
	root, _ := testenv.RepoRoot()
	tpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fns := map[string]*lambdaemu.Function{}
	for _, tf := range tpl.Functions {
		bootstrap := filepath.Join(root, ".build", runtime.GOARCH, tf.Dir, "bootstrap")
		if _, err := os.Stat(bootstrap); err != nil {
			t.Fatalf("%s: run make build-host (make test does): %v", tf.Dir, err)
		}
		f, err := lambdaemu.New(lambdaemu.Config{Name: tf.Dir, Bootstrap: bootstrap, MemoryMB: tf.MemorySize,
			Timeout: tf.Timeout, Env: tf.Env(tpl, env), Output: io.Discard, Log: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		fns[tf.Dir] = f
	}
	return fns
}

// TestEveryFunctionAnswersWarmupAtOnce: each real bootstrap answers the
// warmup event quickly although every dependency is unreachable.
func TestEveryFunctionAnswersWarmupAtOnce(t *testing.T) {
	fns := emulators(t, deadEnv(t))
	if len(fns) < 10 {
		t.Fatalf("only %d functions in the template", len(fns))
	}
	for name, f := range fns {
		if name == "warmup" || name == "migrate" || name == "rotate-secrets" || name == "import" || name == "usage-watch" {
			continue // not HTTP functions: the warmup does not call them
		}
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			res, err := f.Invoke(context.Background(), []byte(`{"warmup":true}`))
			if err != nil || res.Err != nil {
				t.Fatalf("invoke: %v %v", err, res.Err)
			}
			if !strings.Contains(string(res.Payload), `\"warm\":true`) {
				t.Errorf("answer %s", res.Payload)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("warmup took %s (cold start included)", d)
			}
		})
	}
}

// TestWarmupFunctionWarmsEveryHTTPFunction runs the real warmup bootstrap
// against a stand-in of the Lambda Invoke API that runs the real bootstraps.
func TestWarmupFunctionWarmsEveryHTTPFunction(t *testing.T) {
	env := deadEnv(t)
	fns := emulators(t, env)
	var mu sync.Mutex
	invoked := map[string]int{}
	lambdaAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// POST /2015-03-31/functions/{name}/invocations
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if len(parts) != 4 || parts[1] != "functions" || parts[3] != "invocations" {
			http.Error(w, "not the Invoke API", http.StatusNotFound)
			return
		}
		f, ok := fns[parts[2]]
		if !ok {
			w.Header().Set("X-Amzn-Errortype", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"Function not found"}`)
			return
		}
		mu.Lock()
		invoked[parts[2]]++
		mu.Unlock()
		payload, _ := io.ReadAll(r.Body)
		res, err := f.Invoke(r.Context(), payload)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if res.Err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
		}
		w.Write(res.Payload)
	}))
	defer lambdaAPI.Close()

	var httpFns []string
	for name := range fns {
		if name != "warmup" && name != "migrate" && name != "rotate-secrets" && name != "import" && name != "usage-watch" {
			httpFns = append(httpFns, name)
		}
	}
	env["LAMBDA_ENDPOINT"] = lambdaAPI.URL
	env["WARMUP_FUNCTIONS"] = strings.Join(append(httpFns, "no-such-function"), ",")
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = "test", "test"
	warm := emulators(t, env)["warmup"]
	res, err := warm.Invoke(context.Background(), []byte(`{"source":"aws.events","detail-type":"Scheduled Event"}`))
	if err != nil || res.Err != nil {
		t.Fatalf("warmup: %v %v", err, res.Err)
	}
	var rep struct {
		Warm   []string
		Failed map[string]string
	}
	if err := json.Unmarshal(res.Payload, &rep); err != nil {
		t.Fatalf("report %s: %v", res.Payload, err)
	}
	if len(rep.Warm) != len(httpFns) || len(rep.Failed) != 1 || rep.Failed["no-such-function"] == "" {
		t.Errorf("report %s; want %d warm and the missing one failed", res.Payload, len(httpFns))
	}
	for _, name := range httpFns {
		if invoked[name] != 1 {
			t.Errorf("%s invoked %d times", name, invoked[name])
		}
	}
}
