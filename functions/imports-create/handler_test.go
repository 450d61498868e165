package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestStartImport: a size within the bound gets a pending import and a
// pre-signed PUT of exactly that length under the caller's own key; a
// missing, empty or "2 GB" size is refused before anything is stored.
func TestStartImport(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	for k, v := range map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
		"AWS_SESSION_TOKEN": "local", "S3_ENDPOINT": "http://127.0.0.1:1", "DATA_BUCKET": "macro-ai-data", "IMPORT_MAX_BYTES": "60000000"} {
		t.Setenv(k, v)
	}
	h := testenv.Wire(t, wire)
	pool := testenv.Pool(t, dbURL)
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"no size", map[string]any{}, 400, "validation_failed"},
		{"size zero", map[string]any{"size": 0}, 400, "validation_failed"},
		{"size not a number", map[string]any{"size": "big"}, 400, "validation_failed"},
		{"a 2 GB claim", map[string]any{"size": 2_000_000_000}, 413, "payload_too_large"},
		{"one byte over", map[string]any{"size": 60_000_001}, 413, "payload_too_large"},
		{"50 MB", map[string]any{"size": 50_000_000}, 201, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			user := uuid.NewString()
			resp := apitest.Do(t, h, apitest.Event("POST", "/imports", c.body, apitest.WithUser(user, "")))
			if resp.StatusCode != c.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, resp.Body, c.status)
			}
			var n int
			if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM imports WHERE user_id = $1`, user).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if c.code != "" {
				if e := apitest.ErrorOf(t, resp); e.Code != c.code || n != 0 {
					t.Errorf("%s, %d imports stored", e.Code, n)
				}
				return
			}
			var out response
			apitest.Decode(t, resp, &out)
			u, err := url.Parse(out.Upload.URL)
			if err != nil || n != 1 || out.Import.Status != "pending" || out.Import.Size != 50_000_000 || out.Upload.Method != "PUT" {
				t.Fatalf("%+v %v", out, err)
			}
			q := u.Query()
			if u.Path != "/macro-ai-data/"+ObjectKey(user, out.Import.ID) || !strings.Contains(q.Get("X-Amz-SignedHeaders"), "content-length") ||
				q.Get("X-Amz-Expires") != "900" || out.Upload.Headers["Content-Type"] != "application/json" {
				t.Errorf("upload %s %+v", out.Upload.URL, out.Upload.Headers)
			}
			if _, err := store.GetImport(context.Background(), pool, uuid.NewString(), out.Import.ID); err != store.ErrNotFound {
				t.Errorf("another user sees the import: %v", err)
			}
		})
	}
}
