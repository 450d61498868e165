package main

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/macro-ai/macro-ai/shared/config"
)

type fakeInvoker struct {
	calls   atomic.Int32
	answers map[string]func() (*awslambda.InvokeOutput, error)
}

func (f *fakeInvoker) Invoke(ctx context.Context, in *awslambda.InvokeInput, _ ...func(*awslambda.Options)) (*awslambda.InvokeOutput, error) {
	f.calls.Add(1)
	if string(in.Payload) != `{"warmup":true}` {
		return nil, errors.New("not the warmup event: " + string(in.Payload))
	}
	return f.answers[aws.ToString(in.FunctionName)]()
}

func TestWarmup(t *testing.T) {
	warm := func() (*awslambda.InvokeOutput, error) {
		return &awslambda.InvokeOutput{Payload: []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"warm\":true}"}`)}, nil
	}
	slow := func() (*awslambda.InvokeOutput, error) { time.Sleep(300 * time.Millisecond); return warm() }
	inv := &fakeInvoker{answers: map[string]func() (*awslambda.InvokeOutput, error){
		"health": warm, "me": slow, "search": slow,
		"broken": func() (*awslambda.InvokeOutput, error) {
			return &awslambda.InvokeOutput{FunctionError: aws.String("Unhandled")}, nil
		},
		"missing": func() (*awslambda.InvokeOutput, error) { return nil, errors.New("ResourceNotFoundException") },
		"odd": func() (*awslambda.InvokeOutput, error) {
			return &awslambda.InvokeOutput{Payload: []byte(`{"statusCode":500}`)}, nil
		},
	}}
	h := &handler{cfg: config.Warmup{Functions: []string{"health", "me", "search", "broken", "missing", "odd"}, Timeout: time.Second, Concurrency: 3}, invoker: inv}
	start := time.Now()
	rep, err := h.Invoke(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Warm, ",") != "health,me,search" || len(rep.Failed) != 3 {
		t.Errorf("report %+v", rep)
	}
	if d := time.Since(start); d > 550*time.Millisecond {
		t.Errorf("took %s: the functions were not warmed concurrently", d)
	}
}

func TestActiveHours(t *testing.T) {
	tests := []struct {
		hours  string
		hour   int
		warmed bool
	}{
		{"", 3, true},
		{"7-23", 3, false},
		{"7-23", 7, true},
		{"7-23", 22, true},
		{"7-23", 23, false},
		{"22-6", 23, true},
		{"22-6", 3, true},
		{"22-6", 6, false},
		{"22-6", 12, false},
		{"0-24", 12, true},
	}
	for _, tt := range tests {
		inv := &fakeInvoker{answers: map[string]func() (*awslambda.InvokeOutput, error){
			"health": func() (*awslambda.InvokeOutput, error) {
				return &awslambda.InvokeOutput{Payload: []byte(`{"statusCode":200,"body":"{\"warm\":true}"}`)}, nil
			},
		}}
		h := &handler{cfg: config.Warmup{Functions: []string{"health"}, ActiveHours: tt.hours, Timeout: time.Second}, invoker: inv,
			now: func() time.Time { return time.Date(2026, 11, 21, tt.hour, 30, 0, 0, time.UTC) }}
		rep, _ := h.Invoke(context.Background(), nil)
		if got := inv.calls.Load() == 1; got != tt.warmed {
			t.Errorf("hours %q at %d:30: warmed %v, want %v (%+v)", tt.hours, tt.hour, got, tt.warmed, rep)
		}
	}
	for _, bad := range []string{"7-7", "24-3", "3-25", "morning", "7"} {
		if _, err := config.LoadFrom[config.Warmup](map[string]string{"WARMUP_ACTIVE_HOURS": bad}); err == nil {
			t.Errorf("WARMUP_ACTIVE_HOURS=%q was accepted", bad)
		}
	}
}

// TestWarmupConcurrencyIsBounded: never more than WARMUP_CONCURRENCY
// invocations at once (a new account runs 10 executions at a time), and all
// of them in the end.
func TestWarmupConcurrencyIsBounded(t *testing.T) {
	var inFlight, most atomic.Int32
	answer := func() (*awslambda.InvokeOutput, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(30 * time.Millisecond)
		return &awslambda.InvokeOutput{Payload: []byte(`{"statusCode":200,"body":"{\"warm\":true}"}`)}, nil
	}
	inv := &fakeInvoker{answers: map[string]func() (*awslambda.InvokeOutput, error){}}
	var fns []string
	for i := range 12 {
		name := string(rune('a' + i))
		fns = append(fns, name)
		inv.answers[name] = answer
	}
	for _, limit := range []int{1, 2, 5} {
		most.Store(0)
		h := &handler{cfg: config.Warmup{Functions: fns, Timeout: time.Second, Concurrency: limit}, invoker: inv}
		rep, err := h.Invoke(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Warm) != len(fns) || most.Load() != int32(limit) {
			t.Errorf("concurrency %d: %d warm, at most %d at once", limit, len(rep.Warm), most.Load())
		}
	}
}
