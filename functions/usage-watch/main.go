// Command usage-watch runs once a day on an EventBridge schedule and
// measures the free tiers the app lives in: the database's size against
// Neon's 0.5 GB (and the vectors stored), Redis's memory and this month's
// commands against Upstash's free 256 MB and 500 000 commands, and this
// month's Lambda requests and GB-seconds (the account's, in this region)
// against Lambda's free 1 000 000 and 400 000. It logs them as one EMF line whose FreeTierUsedPercent (the
// highest share) the template alarms on at 80%.
package main

import (
	"context"
	"encoding/json"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/db"
)

const name = "usage-watch"

func main() {
	api.Run(name, func(ctx context.Context) (func(context.Context, json.RawMessage) (report, error), error) {
		h, err := wire(ctx)
		if err != nil {
			return nil, err
		}
		return h.Invoke, nil
	})
}

// wire builds the handler once per container.
func wire(ctx context.Context) (*handler, error) {
	cfg, err := config.Load[settings]()
	if err != nil {
		return nil, err
	}
	pool, err := db.OpenFromEnv(ctx, name)
	if err != nil {
		return nil, err
	}
	rdb, err := cache.OpenFromEnv(ctx)
	if err != nil {
		return nil, err
	}
	h := &handler{db: pool, rdb: rdb, cfg: cfg}
	if cfg.LambdaMetrics != "off" {
		// CLOUDWATCH_ENDPOINT and LAMBDA_ENDPOINT override the endpoints.
		h.cw, h.lambda = newCloudWatch(), newLambda()
	}
	return h, nil
}
