package api

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/secrets"
)

// Start is a function's main: it sets up logging, wires the handler once per
// container, and serves it. A wiring failure (a missing setting) ends the cold
// start with the reason in the log, as Lambda reports init errors.
func Start(function string, wire func(ctx context.Context) (HandlerFunc, error)) {
	observe.Setup(function)
	ColdStart(context.Background())
	h, err := wire(context.Background())
	if err != nil {
		ExitColdStart(err)
	}
	lambda.Start(Wrap(h))
}

// ColdStart does what every function does before wiring: it puts the
// secrets the function declares (SECRETS) into its environment, from
// Parameter Store in one call unless the environment has them already.
func ColdStart(ctx context.Context) {
	if _, err := secrets.Export(ctx); err != nil {
		ExitColdStart(err)
	}
}

// ExitColdStart logs why the cold start failed and exits, which Lambda reports
// as an init error.
func ExitColdStart(err error) {
	slog.Error("cold start failed", "error", err.Error())
	os.Exit(1)
}
