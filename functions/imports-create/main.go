// Command imports-create serves POST /imports: it records a pending import
// and answers a pre-signed URL to PUT the file to, straight to S3 (an
// import may be 60 MB, far over what API Gateway carries); the import
// function reads it once it is there (docs/import-export.md).
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/blob"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "imports-create"

// settings is the function's own configuration.
type settings struct {
	Bucket   string `env:"DATA_BUCKET,required"`
	MaxBytes int64  `env:"IMPORT_MAX_BYTES" envDefault:"60000000"`
	// UploadTTL is how long the upload URL works.
	UploadTTL time.Duration `env:"IMPORT_UPLOAD_TTL" envDefault:"15m"`
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
	if s.MaxBytes < 1 {
		return nil, fmt.Errorf("IMPORT_MAX_BYTES must be positive")
	}
	h := &handler{db: d.Store, bucket: blob.New(s.Bucket), maxBytes: s.MaxBytes, ttl: s.UploadTTL}
	return d.User(h.Serve), nil
}
