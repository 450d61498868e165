package s3local

import (
	"net/http/httptest"
	"testing"
)

// ServeForTest serves cfg for the rest of the test, with the local stack's
// keys ("local") and region (us-east-1) and a temporary folder where cfg
// leaves them unset, and points the functions' S3 settings at it as the
// local stack does (AWS_REGION, the AWS_* keys, S3_ENDPOINT). It returns
// the server.
func ServeForTest(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID, cfg.SecretAccessKey = "local", "local"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	for k, v := range map[string]string{"AWS_REGION": cfg.Region, "AWS_ACCESS_KEY_ID": cfg.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": cfg.SecretAccessKey, "AWS_SESSION_TOKEN": "local", "S3_ENDPOINT": hs.URL} {
		t.Setenv(k, v)
	}
	return srv
}
