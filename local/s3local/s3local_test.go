package s3local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/macro-ai/macro-ai/local/s3local"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/blob"
)

const (
	bucket = "macro-ai-data"
	origin = "http://127.0.0.1:5173"
)

type fixture struct {
	srv    *s3local.Server
	url    string
	store  *blob.Store
	clock  *clock
	mu     sync.Mutex
	events []events.S3Event
	fns    []string
}

type clock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.d)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.d += d
	c.mu.Unlock()
}

// start serves a fake with the local stack's credentials and the real SDK
// client (shared/blob) pointed at it, as a function would be.
func start(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{}}
	srv, err := s3local.New(s3local.Config{
		Dir: t.TempDir(), Region: "us-east-1", AccessKeyID: "local", SecretAccessKey: "local",
		Buckets: []s3local.Bucket{{
			Name: bucket,
			CORS: []s3local.CORSRule{{AllowedOrigins: []string{origin}, AllowedMethods: []string{"PUT"},
				AllowedHeaders: []string{"content-type"}, ExposedHeaders: []string{"etag"}, MaxAge: 600}},
			Notifications: []s3local.Notification{{Prefix: "imports/", Function: "import"}},
		}},
		Invoke: func(_ context.Context, fn string, event []byte) error {
			var e events.S3Event
			if err := json.Unmarshal(event, &e); err != nil {
				t.Errorf("event: %v", err)
			}
			f.mu.Lock()
			f.events, f.fns = append(f.events, e), append(f.fns, fn)
			f.mu.Unlock()
			return nil
		},
		Now: f.clock.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	f.srv, f.url = srv, hs.URL
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	t.Setenv("AWS_SESSION_TOKEN", "local")
	t.Setenv("S3_ENDPOINT", hs.URL)
	f.store = blob.New(bucket)
	return f
}

func put(t *testing.T, url string, body []byte, contentType string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", origin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPresignedPut: a pre-signed PUT stores exactly what was signed for,
// and S3's XML error refuses every other request.
func TestPresignedPut(t *testing.T) {
	body := []byte(`[{"title":"hello"}]`)
	cases := []struct {
		name     string
		tamper   func(url string) string
		body     []byte
		advance  time.Duration
		status   int
		code     string
		notified bool
	}{
		{name: "as signed", status: 200, notified: true},
		{name: "tampered signature", tamper: func(u string) string { return u[:len(u)-4] + "0000" }, status: 403, code: "SignatureDoesNotMatch"},
		{name: "another key", tamper: func(u string) string { return strings.Replace(u, "imports/u1/", "imports/u2/", 1) }, status: 403, code: "SignatureDoesNotMatch"},
		{name: "another length", body: append(body, ' '), status: 403, code: "SignatureDoesNotMatch"},
		{name: "expired", advance: 16 * time.Minute, status: 403, code: "AccessDenied"},
		{name: "unknown access key", tamper: func(u string) string {
			return strings.Replace(u, "X-Amz-Credential=local", "X-Amz-Credential=other", 1)
		}, status: 403, code: "InvalidAccessKeyId"},
		{name: "no signature", tamper: func(u string) string { return strings.Split(u, "?")[0] }, status: 403, code: "AccessDenied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := start(t)
			p, err := f.store.PresignPut(context.Background(), "imports/u1/i1.json", int64(len(body)), "application/json", 15*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(p.URL, "content-length") {
				t.Fatalf("the length is not signed: %s", p.URL)
			}
			u := p.URL
			if c.tamper != nil {
				u = c.tamper(u)
			}
			f.clock.advance(c.advance)
			send := body
			if c.body != nil {
				send = c.body
			}
			status, resp := put(t, u, send, "application/json")
			if status != c.status || (c.code != "" && !strings.Contains(resp, "<Code>"+c.code+"</Code>")) {
				t.Fatalf("PUT: %d %s, want %d %s", status, resp, c.status, c.code)
			}
			f.srv.Wait()
			got, stored := f.srv.Object(bucket, "imports/u1/i1.json")
			if stored != c.notified || (stored && !bytes.Equal(got, body)) {
				t.Errorf("stored %v %q", stored, got)
			}
			if c.notified != (len(f.events) == 1) {
				t.Fatalf("%d events, want notified %v", len(f.events), c.notified)
			}
			if c.notified {
				r := f.events[0].Records[0]
				if f.fns[0] != "import" || r.EventName != "ObjectCreated:Put" || r.S3.Bucket.Name != bucket ||
					r.S3.Object.URLDecodedKey != "imports/u1/i1.json" || r.S3.Object.Size != int64(len(body)) {
					t.Errorf("event to %s: %+v", f.fns[0], r)
				}
			}
		})
	}
}

// TestGetObjectStreams: the SDK's GetObject (the import function's read)
// streams what was stored; a missing key is blob.ErrNoObject.
func TestGetObjectStreams(t *testing.T) {
	f := start(t)
	body := bytes.Repeat([]byte("0123456789"), 100_000)
	p, err := f.store.PresignPut(context.Background(), "imports/u/big.json", int64(len(body)), "application/json", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, resp := put(t, p.URL, body, "application/json"); status != 200 {
		t.Fatalf("PUT: %d %s", status, resp)
	}
	r, size, err := f.store.Open(context.Background(), "imports/u/big.json")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if size != int64(len(body)) || !bytes.Equal(got, body) {
		t.Errorf("read %d of %d bytes", len(got), size)
	}
	if _, _, err := f.store.Open(context.Background(), "imports/u/none.json"); err == nil || !strings.Contains(err.Error(), blob.ErrNoObject.Error()) {
		t.Errorf("missing object: %v", err)
	}
	if err := f.store.Delete(context.Background(), "imports/u/big.json"); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.srv.Object(bucket, "imports/u/big.json"); ok {
		t.Error("deleted object still there")
	}
}

// TestMultipartWriteAndPresignedGet: blob.Writer's multipart upload (the
// account export's) through the fake, then a pre-signed GET of the result.
func TestMultipartWriteAndPresignedGet(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	w, err := f.store.Create(ctx, "exports/u/e.json", "application/json")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for range 11 { // 11 MiB: two full parts and a last one
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if f.srv.Uploads() != 0 {
		t.Errorf("%d uploads left open", f.srv.Uploads())
	}
	p, err := f.store.PresignGet(ctx, "exports/u/e.json", "export.json", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || n != 11<<20 || !strings.Contains(resp.Header.Get("Content-Disposition"), "export.json") {
		t.Errorf("GET: %d, %d bytes, %q", resp.StatusCode, n, resp.Header.Get("Content-Disposition"))
	}
	f.srv.Wait()
	if len(f.events) != 0 {
		t.Errorf("an export notified: %+v", f.events)
	}

	// An aborted writer leaves no object and no open upload.
	w, err = f.store.Create(ctx, "exports/u/aborted.json", "application/json")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(chunk)
	w.Abort()
	if _, ok := f.srv.Object(bucket, "exports/u/aborted.json"); ok || f.srv.Uploads() != 0 {
		t.Errorf("aborted upload: object %v, %d open", ok, f.srv.Uploads())
	}
}

// TestCORSPreflight: the bucket's CORS rules answer the browser's
// preflight of its PUT.
func TestCORSPreflight(t *testing.T) {
	cases := []struct {
		name, origin, method, headers string
		status                        int
	}{
		{"the app's PUT", origin, "PUT", "content-type", 200},
		{"another origin", "http://evil.example", "PUT", "content-type", 403},
		{"another method", origin, "DELETE", "", 403},
		{"another header", origin, "PUT", "x-other", 403},
	}
	f := start(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodOptions, f.url+"/"+bucket+"/imports/u/i.json", nil)
			req.Header.Set("Origin", c.origin)
			req.Header.Set("Access-Control-Request-Method", c.method)
			if c.headers != "" {
				req.Header.Set("Access-Control-Request-Headers", c.headers)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			allowed := resp.Header.Get("Access-Control-Allow-Origin")
			if resp.StatusCode != c.status || (c.status == 200) != (allowed == c.origin) {
				t.Errorf("%d, allow-origin %q", resp.StatusCode, allowed)
			}
		})
	}
}

// TestFromTemplate: the real template's bucket, as the local stack serves
// it: the app's origin may PUT, and uploads under imports/ notify import.
func TestFromTemplate(t *testing.T) {
	tpl, err := template.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tpl.Parameters["AppOrigin"] = origin
	b, err := s3local.FromTemplate(tpl, "DataBucket", bucket)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.CORS) != 1 || !slices.Equal(b.CORS[0].AllowedOrigins, []string{origin}) || !slices.Contains(b.CORS[0].AllowedMethods, "PUT") {
		t.Errorf("CORS: %+v", b.CORS)
	}
	want := []s3local.Notification{{Prefix: "imports/", Suffix: ".json", Function: "import"}}
	if !slices.Equal(b.Notifications, want) {
		t.Errorf("notifications %+v, want %+v", b.Notifications, want)
	}
	if _, err := s3local.FromTemplate(tpl, "NoBucket", bucket); err == nil {
		t.Error("an unknown bucket was found")
	}
}

// TestListAndDeletePrefix: ListObjectsV2 through the real SDK's paginator
// finds exactly the keys under the prefix, and blob.DeletePrefix removes
// them and nothing else.
func TestListAndDeletePrefix(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	write := func(key string) {
		t.Helper()
		w, err := f.store.Create(ctx, key, "application/json")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("{}")); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	const mine = 5
	for i := range mine {
		write(fmt.Sprintf("exports/u/%04d.json", i))
	}
	others := []string{"exports/u2/a.json", "exports/v/a.json", "imports/u/a.json"}
	for _, k := range others {
		write(k)
	}
	n, err := f.store.DeletePrefix(ctx, "exports/u/")
	if err != nil || n != mine {
		t.Fatalf("deleted %d, %v; want %d", n, err, mine)
	}
	if n, err := f.store.DeletePrefix(ctx, "exports/u/"); err != nil || n != 0 {
		t.Errorf("again: deleted %d, %v; want 0", n, err)
	}
	for _, k := range others {
		r, _, err := f.store.Open(ctx, k)
		if err != nil {
			t.Errorf("%s is gone: %v", k, err)
			continue
		}
		r.Close()
	}
}
