// Command localstack runs Macro AI's dependencies on loopback, for real:
// PostgreSQL with pgvector (migrated), Redis and cognito-local with a user pool.
//
//	localstack test -- go test ./...   start a throwaway stack, run the command with
//	                                   MACRO_TESTENV naming the stack's env file, stop it
//	localstack up                      start the durable dev stack in .local/dev, write
//	                                   .local/stack.env, run until Ctrl-C
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/macro-ai/macro-ai/shared/testenv"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: localstack test -- COMMAND… | localstack up")
		os.Exit(2)
	}
	var err error
	code := 0
	switch os.Args[1] {
	case "test":
		code, err = runTest(os.Args[2:])
	case "up":
		err = runUp(os.Args[2:])
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

// runUp starts the durable dev stack and runs until interrupted.
func runUp(args []string) error {
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	dir := fs.String("dir", filepath.Join(root, ".local", "dev"), "state folder")
	envFile := fs.String("env-file", filepath.Join(root, ".local", "stack.env"), "where to write KEY=value lines")
	pgPort := fs.Int("postgres-port", 54329, "PostgreSQL port")
	redisPort := fs.Int("redis-port", 63799, "Redis port")
	cognitoPort := fs.Int("cognito-port", 9229, "cognito-local port")
	fs.Parse(args)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stack, err := testenv.StartStack(ctx, testenv.StackOptions{
		Dir: *dir, PostgresPort: *pgPort, RedisPort: *redisPort, CognitoPort: *cognitoPort,
		Database: "macro", Durable: true,
	})
	if err != nil {
		return err
	}
	defer stack.Stop()
	if err := testenv.WriteEnvFile(*envFile, stack.Env.Vars()); err != nil {
		return err
	}
	fmt.Printf("local stack up; settings in %s\n", *envFile)
	<-ctx.Done()
	fmt.Println("stopping")
	return nil
}
