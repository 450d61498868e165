// Command conversations-export serves GET /conversations/{id}/export: one
// conversation with all its messages, as a Markdown or a JSON file.
package main

import (
	"context"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "conversations-export"

// settings is the function's own configuration.
type settings struct {
	// MaxBytes bounds an export's body: API Gateway's HTTP API buffers a
	// Lambda's response and refuses one over 6 MB, so a larger export is a
	// clear 413 rather than a gateway error.
	MaxBytes int64 `env:"EXPORT_MAX_BYTES" envDefault:"5000000"`
}

func main() { api.Start(name, wire) }

// wire builds the route once per container: the handler behind a signed-in
// caller's checks.
func wire(ctx context.Context) (api.HandlerFunc, error) {
	d, err := deps.New(ctx, name, deps.Database)
	if err != nil {
		return nil, err
	}
	s, err := config.Load[settings]()
	if err != nil {
		return nil, err
	}
	h := &handler{db: d.Store, maxBytes: s.MaxBytes, now: time.Now}
	return d.User(h.Serve), nil
}
