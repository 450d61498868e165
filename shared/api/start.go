package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/macro-ai/macro-ai/shared/lifecycle"
	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/secrets"
)

// Start is an HTTP function's main: it sets up logging, wires the handler
// once per container, and serves it. A wiring failure (a missing setting)
// ends the cold start with the reason in the log, as Lambda reports init
// errors.
func Start(function string, wire func(ctx context.Context) (HandlerFunc, error)) {
	Run(function, func(ctx context.Context) (func(context.Context, json.RawMessage) (Response, error), error) {
		h, err := wire(ctx)
		if err != nil {
			return nil, err
		}
		return Wrap(h), nil
	})
}

// Run is Start for a handler of any event type (a streaming response, a
// scheduled event). It also follows secret rotation: when the secrets taken
// from Parameter Store change (checked at most once per TTL, before an
// invocation that is not a warmup), the handler is wired again from the new
// values and the clients of the old wiring are closed (shared/lifecycle).
func Run[E, R any](function string, wire func(ctx context.Context) (func(context.Context, E) (R, error), error)) {
	observe.Setup(function)
	ctx := context.Background()
	refresher := ColdStart(ctx)
	h, err := newRewiring(ctx, refresher, wire)
	if err != nil {
		ExitColdStart(err)
	}
	lambda.Start(h.invoke)
}

// refresher reports whether the secrets changed (secrets.Refresher).
type refresher interface {
	Refresh(ctx context.Context) bool
}

// rewiring is the wired handler, wired again when the secrets change.
// Invocations come one at a time per container: it needs no lock.
type rewiring[E, R any] struct {
	secrets refresher
	wire    func(ctx context.Context) (func(context.Context, E) (R, error), error)
	handler func(context.Context, E) (R, error)
	scope   *lifecycle.Scope
}

func newRewiring[E, R any](ctx context.Context, secrets refresher, wire func(ctx context.Context) (func(context.Context, E) (R, error), error)) (*rewiring[E, R], error) {
	r := &rewiring[E, R]{secrets: secrets, wire: wire}
	wctx, scope := lifecycle.NewScope(ctx)
	h, err := wire(wctx)
	if err != nil {
		scope.Close()
		return nil, err
	}
	r.handler, r.scope = h, scope
	return r, nil
}

func (r *rewiring[E, R]) invoke(ctx context.Context, event E) (R, error) {
	// A warmup must not cost a Parameter Store (and KMS) call every 5
	// minutes per function: only real invocations refresh.
	if raw, ok := any(event).(json.RawMessage); (!ok || !IsWarmup(raw)) && r.secrets.Refresh(ctx) {
		wctx, scope := lifecycle.NewScope(context.WithoutCancel(ctx))
		if fresh, err := r.wire(wctx); err != nil {
			scope.Close()
			slog.ErrorContext(ctx, "rewire after a secret change failed; keeping the previous handler", "error", err.Error())
		} else {
			old := r.scope
			r.handler, r.scope = fresh, scope
			old.Close()
		}
	}
	return r.handler(ctx, event)
}

// ColdStart does what every function does before wiring: it puts the
// secrets the function declares (SECRETS) into its environment, from
// Parameter Store in one call unless the environment has them already.
func ColdStart(ctx context.Context) *secrets.Refresher {
	r, err := secrets.Export(ctx)
	if err != nil {
		ExitColdStart(err)
	}
	return r
}

// ExitColdStart logs why the cold start failed and exits, which Lambda reports
// as an init error.
func ExitColdStart(err error) {
	slog.Error("cold start failed", "error", err.Error())
	os.Exit(1)
}
