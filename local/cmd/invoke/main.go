// Command invoke runs one invocation of a template function's real bootstrap
// through the Lambda Runtime API emulator, like `sam local invoke`, and
// prints the response on stdout; the function's logs and the REPORT line go
// to stderr.
//
//	go run ./local/cmd/invoke -fn health -event events/health.json
//
// The bootstrap comes from .build/<host arch>/<fn>/bootstrap (make
// build-host); the function's environment is resolved from template.yaml with
// .local/stack.env (when present) and the process environment, which wins.
// -n 3 invokes three times on the same instance: one cold start, then warm.
//
// An event holding {{ResponseURL}} (events/migrate-create.json) is a
// CloudFormation custom resource request: invoke serves that URL on
// loopback, as CloudFormation's pre-signed S3 URL, and prints the answer the
// function PUT there.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "invoke:", err)
		var fe *lambdaemu.FunctionError
		if errors.As(err, &fe) {
			os.Exit(1)
		}
		os.Exit(2)
	}
}

func run() error {
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	fn := flag.String("fn", "", "function: its folder under functions/ (health) or its LogicalID (HealthFunction)")
	eventPath := flag.String("event", "", "event JSON file, - for stdin (default {})")
	tplPath := flag.String("template", filepath.Join(root, "template.yaml"), "SAM template")
	buildDir := flag.String("build", filepath.Join(root, ".build", runtime.GOARCH), "folder with <fn>/bootstrap")
	envFile := flag.String("env-file", filepath.Join(root, ".local", "stack.env"), "KEY=value settings of the local stack (used when present)")
	times := flag.Int("n", 1, "invocations, one after the other on the same instance")
	flag.Parse()
	if *fn == "" {
		flag.Usage()
		return errors.New("-fn is required")
	}

	tpl, err := template.Load(*tplPath)
	if err != nil {
		return err
	}
	tf, ok := tpl.Function(*fn)
	if !ok {
		var names []string
		for _, f := range tpl.Functions {
			names = append(names, f.Dir)
		}
		return fmt.Errorf("no function %q in %s (have: %s)", *fn, *tplPath, strings.Join(names, ", "))
	}
	payload := []byte("{}")
	switch *eventPath {
	case "":
	case "-":
		payload, err = io.ReadAll(os.Stdin)
	default:
		payload, err = os.ReadFile(*eventPath)
	}
	if err != nil {
		return fmt.Errorf("read event: %w", err)
	}

	if bytes.Contains(payload, []byte(responseURLMark)) {
		cfn, url, err := startCloudFormation()
		if err != nil {
			return err
		}
		defer cfn.print()
		payload = bytes.ReplaceAll(payload, []byte(responseURLMark), []byte(url))
	}

	local, err := localEnv(*envFile)
	if err != nil {
		return err
	}
	f, err := lambdaemu.New(lambdaemu.Config{
		Name:      tf.Dir,
		Bootstrap: filepath.Join(*buildDir, tf.Dir, "bootstrap"),
		Handler:   tf.Handler,
		MemoryMB:  tf.MemorySize,
		Timeout:   tf.Timeout,
		Env:       tf.Env(tpl, local),
		LogFormat: tf.LogFormat,
		Region:    local["AWS_REGION"],
		Output:    os.Stderr,
		Log:       io.Discard, // printed below, after the response
	})
	if err != nil {
		return fmt.Errorf("%w (run make build-host)", err)
	}
	defer f.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	for range max(*times, 1) {
		s, err := f.InvokeStream(ctx, payload)
		if err != nil {
			return err
		}
		if s.Err != nil {
			s.Body.Close()
			err := printError(s.Err)
			fmt.Fprintln(os.Stderr, s.Report())
			return err
		}
		_, err = io.Copy(os.Stdout, s.Body)
		fmt.Println()
		s.Body.Close()
		fmt.Fprintln(os.Stderr, s.Report())
		var fe *lambdaemu.FunctionError
		if errors.As(err, &fe) {
			return printError(fe)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// localEnv is the env file's settings overridden by the process environment.
func localEnv(envFile string) (map[string]string, error) {
	vars := map[string]string{}
	if file, err := testenv.ReadEnvFile(envFile); err == nil {
		vars = file
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	return vars, nil
}

// printError prints the error document as Lambda's Invoke would return it.
func printError(fe *lambdaemu.FunctionError) error {
	if len(fe.Body) > 0 {
		fmt.Println(string(fe.Body))
	} else {
		b, _ := json.Marshal(map[string]string{"errorMessage": fe.Message, "errorType": fe.Type})
		fmt.Println(string(b))
	}
	return fe
}

// responseURLMark in an event stands for CloudFormation's pre-signed URL.
const responseURLMark = "{{ResponseURL}}"

// cloudFormation receives a custom resource's answer.
type cloudFormation struct {
	srv     *http.Server
	answers chan []byte
}

func startCloudFormation() (*cloudFormation, string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	cf := &cloudFormation{answers: make(chan []byte, 4)}
	cf.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPut {
			http.Error(w, "CloudFormation's URL takes a PUT", http.StatusMethodNotAllowed)
			return
		}
		cf.answers <- body
	})}
	go cf.srv.Serve(l)
	return cf, "http://" + l.Addr().String() + "/cloudformation-response?X-Amz-Signature=local", nil
}

// print shows what CloudFormation received, or that it received nothing.
func (cf *cloudFormation) print() {
	defer cf.srv.Close()
	select {
	case body := <-cf.answers:
		fmt.Fprintf(os.Stderr, "CloudFormation received: %s\n", body)
	default:
		fmt.Fprintln(os.Stderr, "CloudFormation received no answer (it would wait an hour)")
	}
}
