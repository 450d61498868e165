// Command import reads a file a user uploaded to the data bucket (S3's
// ObjectCreated event on imports/{userId}/{importId}.json) and writes its
// conversations in one transaction, recording the import's status and
// progress for GET /imports/{id} (docs/import-export.md).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/blob"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/db"
)

const name = "import"

// settings is the function's own configuration.
type settings struct {
	// MaxBytes is the largest file read (POST /imports refuses to sign
	// for more; a larger object is refused here too).
	MaxBytes int64 `env:"IMPORT_MAX_BYTES" envDefault:"60000000"`
}

func main() {
	api.Run(name, func(ctx context.Context) (func(context.Context, events.S3Event) (Result, error), error) {
		h, err := wire(ctx)
		if err != nil {
			return nil, err
		}
		return h.Invoke, nil
	})
}

// wire builds the handler once per container: the pool (unbounded: the
// import's transaction outlives DATABASE_QUERY_TIMEOUT; each statement is
// still bounded by the database's statement_timeout) and a bucket client
// per bucket the events name.
func wire(ctx context.Context) (*handler, error) {
	pool, err := db.OpenFromEnv(ctx, name)
	if err != nil {
		return nil, err
	}
	s, err := config.Load[settings]()
	if err != nil {
		return nil, err
	}
	return &handler{db: pool, bucket: blob.New, maxBytes: s.MaxBytes, progressEvery: progressEvery}, nil
}
