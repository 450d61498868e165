// Command localstack runs Macro AI's dependencies on loopback, for real:
// PostgreSQL with pgvector (migrated), Redis and cognito-local with a user pool.
//
//	localstack test -- go test ./...   start a throwaway stack, run the command with
//	                                   MACRO_TESTENV naming the stack's env file, stop it
//	localstack code EMAIL              print the latest code cognito-local "e-mailed" to EMAIL
//	localstack up                      start the durable dev stack in .local/dev, the
//	                                   local gateway (:3000) running the real bootstraps,
//	                                   the chat stream's Function URL (:3001), the local
//	                                   AWS endpoint (:3002: Lambda Invoke, SSM, S3) and the
//	                                   web app on its own origin (:5173, the template's
//	                                   AppOrigin); write .local/stack.env, run until Ctrl-C
//	localstack ssm put NAME VALUE      write a parameter to the running stack's Parameter Store
//	localstack ssm get NAME            read one (prints the value: it is local)
//	localstack metrics [-log FILE]     summarise the functions' EMF metrics in the dev
//	                                   log (.local/dev/functions.log, which up writes)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/local/gateway"
	"github.com/macro-ai/macro-ai/local/s3local"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/secrets/ssmtest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: localstack test -- COMMAND… | localstack up | localstack code EMAIL | localstack ssm put|get NAME [VALUE] | localstack metrics [-log FILE]")
		os.Exit(2)
	}
	var err error
	code := 0
	switch os.Args[1] {
	case "test":
		code, err = runTest(os.Args[2:])
	case "up":
		err = runUp(os.Args[2:])
	case "code":
		err = printCode(os.Args[2:])
	case "ssm":
		err = runSSM(os.Args[2:])
	case "metrics":
		err = runMetrics(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Error("localstack failed", "error", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// runTest starts a throwaway stack, runs the command after "--" with
// MACRO_TESTENV set, and stops the stack whatever the command's outcome.
func runTest(args []string) (int, error) {
	if len(args) == 0 || args[0] != "--" || len(args) < 2 {
		return 0, errors.New("usage: localstack test -- COMMAND [ARG…]")
	}
	dir, err := os.MkdirTemp("", "macro-test-stack-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	stack, err := testenv.StartStack(ctx, testenv.StackOptions{Dir: dir, Database: "macro_template"})
	cancel()
	if err != nil {
		return 0, err
	}
	defer stack.Stop()
	envFile := filepath.Join(dir, "stack.env")
	if err := testenv.WriteEnvFile(envFile, stack.Env.Vars()); err != nil {
		return 0, err
	}
	fmt.Fprintf(os.Stderr, "localstack: test stack up in %s (PostgreSQL :%d, %s, cognito-local %s)\n",
		time.Since(start).Round(time.Millisecond), stack.Env.PostgresPort, stack.Env.RedisURL, stack.Env.CognitoEndpoint)

	cmd := exec.Command(args[1], args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), testenv.EnvFileVar+"="+envFile)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	go func() {
		if s, ok := <-sigs; ok {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}

// runUp starts the durable dev stack and the local gateway in front of the
// real bootstraps, and runs until interrupted.
func runUp(args []string) error {
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	dir := fs.String("dir", filepath.Join(root, ".local", "dev"), "state folder")
	envFile := fs.String("env-file", filepath.Join(root, ".local", "stack.env"), "where to write KEY=value lines")
	apiAddr := fs.String("api", envOr("API_ADDR", "127.0.0.1:3000"), "gateway address (the HTTP API)")
	streamAddr := fs.String("stream", envOr("STREAM_ADDR", "127.0.0.1:3001"), "chat-stream Function URL address")
	awsAddr := fs.String("aws", envOr("AWS_ADDR", "127.0.0.1:3002"), "local AWS endpoint (Lambda Invoke API, SSM Parameter Store)")
	webAddr := fs.String("web", envOr("WEB_ADDR", "127.0.0.1:5173"), "web app address (its own origin, as when hosted)")
	accountConcurrency := fs.Int("account-concurrency", envInt("ACCOUNT_CONCURRENCY", 10),
		"the account's Lambda concurrency, shared by every function (10: a new AWS account; 0: unbounded)")
	overrides := fs.String("parameter-overrides", os.Getenv("PARAMETER_OVERRIDES"),
		"template parameters, as sam deploy takes them: ReservedConcurrency=2 ChatReservedConcurrency=4")
	modelAddr := fs.String("model", envOr("DEV_MODEL_ADDR", "127.0.0.1:8089"), "dev model server address (when OPENAI_API_KEY is unset)")
	pgPort := fs.Int("postgres-port", 54329, "PostgreSQL port")
	pgbPort := fs.Int("pgbouncer-port", 64329, "PgBouncer port (the functions' DATABASE_URL)")
	redisPort := fs.Int("redis-port", 63799, "Redis port")
	cognitoPort := fs.Int("cognito-port", 9229, "cognito-local port")
	fs.Parse(args)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stack, err := testenv.StartStack(ctx, testenv.StackOptions{
		Dir: *dir, PostgresPort: *pgPort, PgBouncerPort: *pgbPort, RedisPort: *redisPort, CognitoPort: *cognitoPort,
		Database: "macro", Durable: true,
	})
	if err != nil {
		return err
	}
	defer stack.Stop()
	vars := stack.Env.Vars()
	// No CloudWatch here: the usage watch reports Lambda's tier as not measured.
	vars["USAGE_LAMBDA_METRICS"] = "off"

	tpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	// The browser-facing servers listen first: the web app's origin is the
	// template's AppOrigin (as a deploy's --parameter-overrides would set
	// it), so the gateway and the Function URL allow exactly that origin.
	var apiLn, streamLn, webLn net.Listener
	for _, l := range []struct {
		ln   *net.Listener
		addr string
	}{{&apiLn, *apiAddr}, {&streamLn, *streamAddr}, {&webLn, *webAddr}} {
		if *l.ln, err = net.Listen("tcp", l.addr); err != nil {
			return fmt.Errorf("listen on %s: %w", l.addr, err)
		}
		defer (*l.ln).Close()
	}
	vars["API_URL"], vars["STREAM_URL"], vars["WEB_URL"] = "http://"+apiLn.Addr().String(), "http://"+streamLn.Addr().String(), "http://"+webLn.Addr().String()
	tpl.Parameters["AppOrigin"] = vars["WEB_URL"]
	for _, kv := range strings.Fields(*overrides) {
		k, v, ok := strings.Cut(kv, "=")
		if _, known := tpl.Parameters[k]; !ok || !known {
			return fmt.Errorf("-parameter-overrides: %q is no KEY=value of a template parameter", kv)
		}
		tpl.Parameters[k] = v
	}

	gwEnv := map[string]string{}
	for k, v := range vars {
		gwEnv[k] = v
	}
	for _, kv := range os.Environ() { // the process environment wins (OPENAI_API_KEY, LOG_LEVEL, …)
		if k, v, ok := strings.Cut(kv, "="); ok {
			gwEnv[k] = v
		}
	}
	errc := make(chan error, 8)
	if os.Getenv("OPENAI_API_KEY") == "" {
		// No key: our OpenAI-compatible dev model answers, offline.
		model := devmodel.New(devmodel.Config{Dimensions: stack.Env.EmbeddingDimensions, TokenDelay: 25 * time.Millisecond})
		defer model.Close()
		modelReady := make(chan string, 1)
		go func() {
			errc <- gateway.ListenAndServe(ctx, *modelAddr, model, func(a net.Addr) { modelReady <- "http://" + a.String() + "/v1" })
		}()
		select {
		case url := <-modelReady:
			vars["OPENAI_BASE_URL"] = url
			gwEnv["OPENAI_BASE_URL"], gwEnv["OPENAI_API_KEY"] = url, "dev"
		case err := <-errc:
			return err
		}
	} else {
		vars["OPENAI_BASE_URL"] = envOr("OPENAI_BASE_URL", "https://api.openai.com/v1")
	}
	// The functions' own lines go to the terminal and to the dev log, which
	// `localstack metrics` (make metrics) reads.
	fnLog, err := os.OpenFile(filepath.Join(*dir, devLogName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer fnLog.Close()
	gw, err := gateway.New(gateway.Config{
		Template:       tpl,
		BuildDir:       filepath.Join(root, ".build", runtime.GOARCH),
		Env:            gwEnv,
		Authorizer:     gateway.CognitoAuthorizer(gwEnv),
		FunctionOutput: io.MultiWriter(os.Stderr, fnLog),

		AccountConcurrency: *accountConcurrency,
	})
	if err != nil {
		return err
	}
	defer gw.Close()

	// The AWS APIs the functions call besides Cognito: Lambda Invoke (the
	// warmup) and Parameter Store (rotate-secrets), seeded with this stack's
	// values under /macro-ai/dev/…. The functions themselves read their
	// secrets from the environment, which wins over Parameter Store.
	params := ssmtest.New()
	params.Put("/macro-ai/dev/critical/database-url", vars["DATABASE_URL"])
	params.Put("/macro-ai/dev/standard/redis-url", vars["REDIS_URL"])
	params.Put("/macro-ai/dev/critical/openai-api-key", gwEnv["OPENAI_API_KEY"])
	// The data bucket (imports and exports): S3 path-style on the same
	// endpoint, its uploads invoking the import function asynchronously.
	bucket, err := s3local.FromTemplate(tpl, "DataBucket", localBucket)
	if err != nil {
		return err
	}
	objects, err := s3local.New(s3local.Config{
		Dir: filepath.Join(*dir, "s3"), AccessKeyID: "local", SecretAccessKey: "local", Buckets: []s3local.Bucket{bucket},
		Invoke: func(ctx context.Context, name string, event []byte) error {
			fn, err := gw.Function(name)
			if err != nil {
				return err
			}
			res, err := fn.Invoke(ctx, event)
			if err == nil && res.Err != nil {
				err = fmt.Errorf("%s: %s", res.Err.Type, res.Err.Message)
			}
			return err
		},
	})
	if err != nil {
		return err
	}
	defer objects.Close()
	vars["DATA_BUCKET"] = localBucket
	if _, set := gwEnv["DATA_BUCKET"]; !set {
		gwEnv["DATA_BUCKET"] = localBucket
	}
	awsReady := make(chan string, 1)
	go func() {
		errc <- gateway.ListenAndServe(ctx, *awsAddr, localAWS(gw.InvokeAPI(), params, objects), func(a net.Addr) { awsReady <- "http://" + a.String() })
	}()
	select {
	case url := <-awsReady:
		for _, k := range []string{"LAMBDA_ENDPOINT", "SSM_ENDPOINT", "S3_ENDPOINT"} {
			vars[k] = url
			if _, set := gwEnv[k]; !set { // read by functions as they start
				gwEnv[k] = url
			}
		}
	case err := <-errc:
		return err
	}

	streamURL, err := gw.FunctionURL("chat-stream")
	if err != nil {
		return err
	}
	// The API with its description at /docs and /openapi.yaml; the chat
	// stream's Function URL; the web app on its own origin.
	go func() {
		errc <- gateway.Serve(ctx, apiLn, gateway.WithDocs(gw, filepath.Join(root, "openapi.yaml"), filepath.Join(root, "web", "dist", "docs", "index.html")))
	}()
	go func() { errc <- gateway.Serve(ctx, streamLn, streamURL) }()
	// The app's answers carry the headers CloudFront adds when deployed, its
	// CSP naming these local origins: a CSP that breaks the app breaks it here.
	appHeaders, err := gateway.SecurityHeaders(tpl, "AppHeadersPolicy", gateway.LocalOrigins{API: vars["API_URL"], Stream: vars["STREAM_URL"], S3: vars["S3_ENDPOINT"]})
	if err != nil {
		return err
	}
	app := gateway.StaticApp(filepath.Join(root, "web", "dist"), gateway.AppConfig{APIURL: vars["API_URL"], StreamURL: vars["STREAM_URL"], Headers: appHeaders})
	go func() { errc <- gateway.Serve(ctx, webLn, app) }()
	if err := testenv.WriteEnvFile(*envFile, vars); err != nil {
		return err
	}
	fmt.Printf(`
Macro AI is running locally.
  web app        %s        (open it in a browser)
  API            %s        (try: curl %s/health; docs: %s/docs)
  chat stream    %s
  Cognito        %s  pool %s  client %s
  PostgreSQL     %s
  Redis          %s
  model          %s
  AWS (local)    %s  (Lambda Invoke, SSM Parameter Store, S3 bucket macro-ai-data)
Settings are in %s. Ctrl-C stops everything.

`, vars["WEB_URL"], vars["API_URL"], vars["API_URL"], vars["API_URL"], vars["STREAM_URL"], vars["COGNITO_ENDPOINT"], vars["COGNITO_USER_POOL_ID"],
		vars["COGNITO_CLIENT_ID"], vars["DATABASE_URL"], vars["REDIS_URL"], vars["OPENAI_BASE_URL"], vars["SSM_ENDPOINT"], *envFile)
	select {
	case <-ctx.Done():
		fmt.Println("stopping")
		return nil
	case err := <-errc:
		return err
	}
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// printCode prints the newest confirmation or reset code of an e-mail, read
// from the running dev stack's cognito-local: the e-mail Cognito would send.
func printCode(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: localstack code EMAIL")
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	vars, err := testenv.ReadEnvFile(filepath.Join(root, ".local", "stack.env"))
	if err != nil {
		return fmt.Errorf("no running dev stack (make dev): %w", err)
	}
	env, err := testenv.EnvFromVars(vars)
	if err != nil {
		return err
	}
	code, err := env.LatestCode(strings.ToLower(strings.TrimSpace(args[0])))
	if err != nil {
		return err
	}
	fmt.Println(code)
	return nil
}

// localBucket is the data bucket's local name (DATA_BUCKET).
const localBucket = "macro-ai-data"

// localAWS serves the local AWS endpoint: SSM's JSON protocol (X-Amz-Target:
// AmazonSSM.*), S3 path-style under /{bucket}/ and the Lambda Invoke API
// share it, told apart as AWS does by target header and path.
func localAWS(invoke http.Handler, ssm *ssmtest.Server, s3 http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM."):
			ssm.ServeHTTP(w, r)
		case r.URL.Path == "/"+localBucket || strings.HasPrefix(r.URL.Path, "/"+localBucket+"/"):
			s3.ServeHTTP(w, r)
		default:
			invoke.ServeHTTP(w, r)
		}
	})
}

// runSSM reads or writes a parameter of the running dev stack's Parameter
// Store with the real SDK client, e.g. a pending value before
// `make invoke FN=rotate-secrets EVENT=events/rotate-secrets.json`.
func runSSM(args []string) error {
	usage := errors.New("usage: localstack ssm put NAME VALUE | localstack ssm get NAME")
	if len(args) < 2 {
		return usage
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	vars, err := testenv.ReadEnvFile(filepath.Join(root, ".local", "stack.env"))
	if err != nil || vars["SSM_ENDPOINT"] == "" {
		return fmt.Errorf("no running dev stack with a local SSM endpoint (make dev): %v", err)
	}
	client := ssm.New(ssm.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(vars["SSM_ENDPOINT"]),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	ctx := context.Background()
	switch {
	case args[0] == "put" && len(args) == 3:
		out, err := client.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(args[1]), Value: aws.String(args[2]),
			Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true)})
		if err != nil {
			return err
		}
		fmt.Printf("%s version %d\n", args[1], out.Version)
	case args[0] == "get" && len(args) == 2:
		out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(args[1]), WithDecryption: aws.Bool(true)})
		if err != nil {
			return err
		}
		fmt.Println(aws.ToString(out.Parameter.Value))
	default:
		return usage
	}
	return nil
}
