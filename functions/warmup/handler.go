package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
)

// invoker is the part of the Lambda client the warmup uses.
type invoker interface {
	Invoke(ctx context.Context, in *awslambda.InvokeInput, opts ...func(*awslambda.Options)) (*awslambda.InvokeOutput, error)
}

type handler struct {
	cfg     config.Warmup
	invoker invoker
	now     func() time.Time
}

// report says which functions answered.
type report struct {
	Skipped  string            `json:"skipped,omitempty"`
	Warm     []string          `json:"warm"`
	Failed   map[string]string `json:"failed,omitempty"`
	Duration float64           `json:"durationMs"`
}

// Invoke warms every configured function, cfg.Concurrency at a time
// (outside the active hours, nothing), and reports which answered the warmup
// event.
func (h *handler) Invoke(ctx context.Context, _ json.RawMessage) (report, error) {
	start := time.Now()
	now := time.Now
	if h.now != nil {
		now = h.now
	}
	if !h.cfg.Active(now().UTC().Hour()) {
		return report{Skipped: "outside the active hours " + h.cfg.ActiveHours + " UTC", Warm: []string{}}, nil
	}
	payload, _ := json.Marshal(api.WarmupEvent{Warmup: true})
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = report{Warm: []string{}, Failed: map[string]string{}}
	)
	slots := make(chan struct{}, max(h.cfg.Concurrency, 1))
	for _, fn := range h.cfg.Functions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
			defer cancel()
			res, err := h.invoker.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(fn), Payload: payload})
			reason := ""
			switch {
			case err != nil:
				reason = err.Error()
			case res.FunctionError != nil:
				reason = "function error: " + aws.ToString(res.FunctionError)
			case !warmAnswer(res.Payload):
				reason = "unexpected answer: " + string(res.Payload)
			}
			mu.Lock()
			defer mu.Unlock()
			if reason != "" {
				out.Failed[fn] = reason
			} else {
				out.Warm = append(out.Warm, fn)
			}
		}()
	}
	wg.Wait()
	sort.Strings(out.Warm)
	out.Duration = float64(time.Since(start).Microseconds()) / 1000
	slog.InfoContext(ctx, "warmup", "warm", len(out.Warm), "failed", len(out.Failed), "durationMs", out.Duration)
	for fn, reason := range out.Failed {
		slog.WarnContext(ctx, "warmup failed", "function", fn, "reason", reason)
	}
	return out, nil
}

// warmAnswer recognises api.WarmupResponse.
func warmAnswer(payload []byte) bool {
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	return json.Unmarshal(payload, &resp) == nil && resp.StatusCode == 200 && resp.Body == `{"warm":true}`
}
