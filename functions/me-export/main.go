// Command me-export serves GET /me/export: the caller's whole account
// (every conversation with its whole message tree, and the usage) as one
// JSON document, streamed into the data bucket and answered as a
// pre-signed download URL, since 100 000 messages are far over what API
// Gateway carries (docs/import-export.md).
package main

import (
	"context"
	"time"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/blob"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
)

const name = "me-export"

// settings is the function's own configuration.
type settings struct {
	Bucket string `env:"DATA_BUCKET,required"`
	// DownloadTTL is how long the download URL works.
	DownloadTTL time.Duration `env:"EXPORT_DOWNLOAD_TTL" envDefault:"15m"`
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
	h := &handler{db: d.Store, bucket: blob.New(s.Bucket), ttl: s.DownloadTTL, now: time.Now}
	return d.User(h.Serve), nil
}
