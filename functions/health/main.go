// Command health serves GET /health: whether the database and the cache answer.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/observe"
)

func main() {
	observe.Setup("health")
	h, err := newHandler(context.Background())
	if err != nil {
		slog.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(api.Wrap(h.Serve))
}
