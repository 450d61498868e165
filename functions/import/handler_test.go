package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/local/s3local"
	"github.com/macro-ai/macro-ai/shared/blob"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const bucketName = "macro-ai-data"

// fixture is the import function wired as on AWS, its database, and the
// S3 stand-in whose notifications it receives.
type fixture struct {
	t      *testing.T
	h      *handler
	pool   *pgxpool.Pool
	s3     *s3local.Server
	bucket *blob.Store
	mu     sync.Mutex
	events []events.S3Event
}

func setup(t *testing.T) *fixture {
	t.Helper()
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	f := &fixture{t: t}
	srv := s3local.ServeForTest(t, s3local.Config{
		Buckets: []s3local.Bucket{{Name: bucketName, Notifications: []s3local.Notification{{Prefix: "imports/", Function: "import"}}}},
		Invoke: func(_ context.Context, _ string, payload []byte) error {
			var e events.S3Event
			if err := json.Unmarshal(payload, &e); err != nil {
				return err
			}
			f.mu.Lock()
			f.events = append(f.events, e)
			f.mu.Unlock()
			return nil
		},
	})
	f.h = testenv.Wire(t, wire)
	f.pool = testenv.Pool(t, dbURL)
	f.s3 = srv
	f.bucket = blob.New(bucketName)
	return f
}

// upload does what the browser does: POST /imports's record, then the PUT
// to the pre-signed URL; it returns the import's id and the event S3 sent.
func (f *fixture) upload(user string, file []byte) (string, events.S3Event) {
	f.t.Helper()
	ctx := context.Background()
	imp, err := store.CreateImport(ctx, f.pool, user, int64(len(file)))
	if err != nil {
		f.t.Fatal(err)
	}
	key := "imports/" + user + "/" + imp.ID + ".json"
	p, err := f.bucket.PresignPut(ctx, key, int64(len(file)), "application/json", time.Minute)
	if err != nil {
		f.t.Fatal(err)
	}
	req, _ := http.NewRequest(p.Method, p.URL, bytes.NewReader(file))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		f.t.Fatalf("PUT: %v %v", resp, err)
	}
	resp.Body.Close()
	f.s3.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.events[len(f.events)-1]
	if e.Records[0].S3.Object.URLDecodedKey != key {
		f.t.Fatalf("event for %s, want %s", e.Records[0].S3.Object.URLDecodedKey, key)
	}
	return imp.ID, e
}

// run uploads file as user and runs the import; it returns the import.
func (f *fixture) run(user string, file []byte) store.Import {
	f.t.Helper()
	id, e := f.upload(user, file)
	if _, err := f.h.Invoke(context.Background(), e); err != nil {
		f.t.Fatalf("invoke: %v", err)
	}
	imp, err := store.GetImport(context.Background(), f.pool, user, id)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, ok := f.s3.Object(bucketName, "imports/"+user+"/"+id+".json"); ok {
		f.t.Error("the uploaded file was kept")
	}
	return imp
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

const chatGPTFile = `[{"title":"Cats","create_time":1700000000,"update_time":1700000100,"conversation_id":"c-1","current_node":"a2",
 "mapping":{
  "root":{"id":"root","message":null,"parent":null,"children":["q1"]},
  "q1":{"id":"q1","message":{"id":"q1","author":{"role":"user"},"create_time":1700000001,"content":{"content_type":"text","parts":["My cat is Miso"]}},"parent":"root","children":["a1","a2"]},
  "a1":{"id":"a1","message":{"id":"a1","author":{"role":"assistant"},"create_time":1700000002,"content":{"content_type":"text","parts":["Hello Miso"]}},"parent":"q1","children":[]},
  "a2":{"id":"a2","message":{"id":"a2","author":{"role":"assistant"},"create_time":1700000003,"content":{"content_type":"text","parts":["Hi Miso (regenerated)"]}},"parent":"q1","children":[]}
 }},
 {"title":"Dogs","create_time":1700001000,"conversation_id":"c-2","current_node":"d1","mapping":{
  "d1":{"id":"d1","message":{"id":"d1","author":{"role":"user"},"create_time":1700001001,"content":{"content_type":"text","parts":["Woof"]}},"parent":null,"children":[]}
 }}]`

// TestImportChatGPT: a ChatGPT file becomes the user's conversations with
// their branches and the branch shown, left for the embedding backfill;
// the same file again creates nothing.
func TestImportChatGPT(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	user := uuid.NewString()
	imp := f.run(user, []byte(chatGPTFile))
	if imp.Status != "done" || imp.Conversations != 2 || imp.Messages != 4 || imp.Skipped != 0 || imp.Format == nil || *imp.Format != "chatgpt" ||
		imp.BytesRead != int64(len(chatGPTFile)) || imp.FinishedAt == nil {
		t.Fatalf("import %+v", imp)
	}
	var convID, leafContent string
	var updated time.Time
	if err := f.pool.QueryRow(ctx, `SELECT c.id::text, c.updated_at, m.content FROM conversations c JOIN messages m ON m.id = c.leaf_id
		WHERE c.user_id = $1 AND c.title = 'Cats'`, user).Scan(&convID, &updated, &leafContent); err != nil {
		t.Fatal(err)
	}
	if leafContent != "Hi Miso (regenerated)" || updated.Unix() != 1700000100 {
		t.Errorf("leaf %q, updated %v", leafContent, updated)
	}
	// Both answers are children of the question: two branches.
	if n := f.count(`SELECT count(*) FROM messages a JOIN messages q ON a.parent_id = q.id
		WHERE a.conversation_id = $1 AND q.content = 'My cat is Miso' AND a.role = 'assistant' AND a.reply_to = q.id`, convID); n != 2 {
		t.Errorf("%d answers under the question, want 2", n)
	}
	if n := f.count(`SELECT count(*) FROM messages WHERE user_id = $1 AND embedded_at IS NULL`, user); n != 4 {
		t.Errorf("%d messages left for the backfill, want 4", n)
	}
	again := f.run(user, []byte(chatGPTFile))
	if again.Status != "done" || again.Conversations != 0 || again.Skipped != 2 {
		t.Errorf("second import %+v", again)
	}
	if n := f.count(`SELECT count(*) FROM conversations WHERE user_id = $1`, user); n != 2 {
		t.Errorf("%d conversations after importing twice, want 2", n)
	}
}

// TestImportRefusals: each bad file ends as a failed import that says why,
// with nothing of it written.
func TestImportRefusals(t *testing.T) {
	f := setup(t)
	good := `{"title":"ok","conversation_id":"%d","mapping":{"m":{"id":"m","message":{"author":{"role":"user"},"content":{"content_type":"text","parts":["hi"]}},"parent":null}}}`
	cases := []struct {
		name     string
		file     string
		maxBytes int64
		want     string
	}{
		{"wrong format", `{"hello":"world"}`, 0, `first key must be "format"`},
		{"10 000 levels", strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000), 0, "nested more than 64 levels"},
		{"malformed mid-file", "[" + strings.Replace(good, "%d", "1", 1) + "," + strings.Replace(good, "%d", "2", 1) + `,{"title" "x"}]`, 0, "not valid JSON"},
		{"over the size", "[" + strings.Replace(good, "%d", "1", 1) + "]", 50, "more than the 50 an import may have"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			user := uuid.NewString()
			f.h.maxBytes = 60_000_000
			if c.maxBytes > 0 {
				f.h.maxBytes = c.maxBytes
			}
			imp := f.run(user, []byte(c.file))
			if imp.Status != "failed" || imp.Error == nil || !strings.Contains(*imp.Error, c.want) || imp.Conversations != 0 {
				t.Errorf("import %+v (error %v), want failed saying %q", imp, imp.Error, c.want)
			}
			if n := f.count(`SELECT count(*) FROM conversations WHERE user_id = $1`, user); n != 0 {
				t.Errorf("%d conversations written by a failed import", n)
			}
		})
	}
}

// TestImportNeverTrustsIDs: a file naming another user's conversation and
// message ids imports as new rows of the caller's; the other user's are
// untouched. An upload under another user's key is not imported.
func TestImportNeverTrustsIDs(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	victim, attacker := uuid.NewString(), uuid.NewString()
	conv, err := store.CreateConversation(ctx, f.pool, victim, "Private")
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.AddUserMessage(ctx, f.pool, victim, conv.ID, "secret", nil, "secret", time.Minute, store.Parent{})
	if err != nil {
		t.Fatal(err)
	}
	file := `{"format":"macro-ai.conversation.v1","conversation":{"id":"` + conv.ID + `","title":"Mine now","leafId":"` + u.MessageID + `"},
		"messages":[{"id":"` + u.MessageID + `","role":"user","content":"overwritten?","parentId":null,"createdAt":"2026-01-01T00:00:00Z"}]}`
	imp := f.run(attacker, []byte(file))
	if imp.Status != "done" || imp.Conversations != 1 {
		t.Fatalf("import %+v", imp)
	}
	if n := f.count(`SELECT count(*) FROM conversations WHERE user_id = $1 AND id = $2`, attacker, conv.ID); n != 0 {
		t.Error("the file's conversation id was used")
	}
	if n := f.count(`SELECT count(*) FROM messages WHERE id = $1 AND content = 'secret' AND user_id = $2`, u.MessageID, victim); n != 1 {
		t.Error("the victim's message changed")
	}
	if n := f.count(`SELECT count(*) FROM messages WHERE user_id = $1 AND content = 'overwritten?'`, attacker); n != 1 {
		t.Error("the attacker's copy is missing")
	}

	// An object under the victim's key naming the attacker's import: the
	// key's user does not own it, so nothing runs.
	id, e := f.upload(attacker, []byte(`[]`))
	e.Records[0].S3.Object.URLDecodedKey = "imports/" + victim + "/" + id + ".json"
	res, err := f.h.Invoke(ctx, e)
	if err != nil || len(res.Imports) != 1 || res.Imports[0].Status != "ignored" {
		t.Errorf("%+v %v", res, err)
	}
	if imp, err := store.GetImport(ctx, f.pool, attacker, id); err != nil || imp.Status != "pending" {
		t.Errorf("%+v %v", imp, err)
	}
	if _, err := store.GetImport(ctx, f.pool, victim, id); err != store.ErrNotFound {
		t.Errorf("another user's import: %v, want not found", err)
	}
}
