// Command devmodel serves the dev model, an OpenAI-compatible model server
// with deterministic answers and embeddings (see package devmodel), for local
// development without an OpenAI key:
//
//	go run ./local/cmd/devmodel -token-delay 30ms
//	curl -N localhost:8089/v1/chat/completions -d '{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}'
//
// Point an OpenAI client at http://127.0.0.1:8089/v1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/macro-ai/macro-ai/local/devmodel"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "devmodel:", err)
		os.Exit(1)
	}
}

func run() error {
	var cfg devmodel.Config
	addr := flag.String("addr", "127.0.0.1:8089", "listen address")
	flag.DurationVar(&cfg.FirstTokenDelay, "first-token-delay", 0, "delay before the first chunk")
	flag.DurationVar(&cfg.TokenDelay, "token-delay", 20*time.Millisecond, "delay between content chunks")
	flag.DurationVar(&cfg.SlowTokenDelay, "slow-token-delay", 250*time.Millisecond, "delay between content chunks with the slow marker")
	flag.IntVar(&cfg.Dimensions, "dimensions", 512, "embedding dimensions when a request names none")
	flag.StringVar(&cfg.ChatModel, "chat-model", "devmodel-chat", "chat model id listed by /v1/models")
	flag.StringVar(&cfg.EmbeddingModel, "embedding-model", "devmodel-embedding", "embedding model id listed by /v1/models")
	flag.StringVar(&cfg.APIKey, "api-key", "", "when set, the API key requests must carry as Authorization: Bearer <key>")
	fault := flag.String("fault", "", "fault applied to every chat request: fail-before-first-token, fail-mid-stream, hang, rate-limit or slow")
	flag.BoolVar(&cfg.FailEmbeddings, "fail-embeddings", false, "fail every embeddings request with 500")
	flag.Parse()
	switch cfg.Fault = devmodel.Fault(*fault); cfg.Fault {
	case "", devmodel.FailBeforeFirstToken, devmodel.FailMidStream, devmodel.Hang, devmodel.RateLimit, devmodel.Slow:
	default:
		return fmt.Errorf("unknown -fault %q", *fault)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	dm := devmodel.New(cfg)
	srv := &http.Server{Handler: logged(dm), ReadHeaderTimeout: 10 * time.Second}
	slog.Info("dev model listening", "url", "http://"+ln.Addr().String()+"/v1")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	dm.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged logs each request when it ends.
func logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			slog.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start).Round(time.Millisecond))
		}()
		h.ServeHTTP(sw, r)
	})
}
