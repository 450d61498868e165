package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// chatGPTExport is a small conversations.json: a conversation whose answer
// was regenerated (two branches, the second shown) and one of one message.
const chatGPTExport = `[{"title":"Cats","create_time":1700000000,"update_time":1700000100,"conversation_id":"c-1","current_node":"a2",
 "mapping":{
  "root":{"id":"root","message":null,"parent":null,"children":["q1"]},
  "q1":{"id":"q1","message":{"id":"q1","author":{"role":"user"},"create_time":1700000001,"content":{"content_type":"text","parts":["My cat is Miso"]}},"parent":"root","children":["a1","a2"]},
  "a1":{"id":"a1","message":{"id":"a1","author":{"role":"assistant"},"create_time":1700000002,"content":{"content_type":"text","parts":["Hello Miso"]}},"parent":"q1","children":[]},
  "a2":{"id":"a2","message":{"id":"a2","author":{"role":"assistant"},"create_time":1700000003,"content":{"content_type":"text","parts":["Hi Miso"]}},"parent":"q1","children":[]}
 }},
 {"title":"Dogs","create_time":1700001000,"conversation_id":"c-2","current_node":"d1","mapping":{
  "d1":{"id":"d1","message":{"id":"d1","author":{"role":"user"},"create_time":1700001001,"content":{"content_type":"text","parts":["Woof"]}},"parent":null,"children":[]}
 }}]`

type importStatus struct {
	ID            string
	Status        string
	Conversations int
	Messages      int
	Skipped       int
	Error         *string
}

// importFile does what the web app does: POST /imports, PUT the file to the
// pre-signed URL (the S3 stand-in, whose notification runs the real import
// bootstrap), then GET /imports/{id} until it is done or failed.
func (s *stack) importFile(t *testing.T, token string, file []byte) importStatus {
	t.Helper()
	r := s.do("POST", "/imports", token, map[string]any{"size": len(file)})
	if r.status != 201 {
		t.Fatalf("POST /imports: %d %s", r.status, r.body)
	}
	var started struct {
		Import importStatus
		Upload struct {
			URL, Method string
			Headers     map[string]string
		}
	}
	r.decode(t, &started)
	req, _ := http.NewRequest(started.Upload.Method, started.Upload.URL, bytes.NewReader(file))
	for k, v := range started.Upload.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT the file: %d %s", resp.StatusCode, body)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		r := s.do("GET", "/imports/"+started.Import.ID, token, nil)
		if r.status == http.StatusTooManyRequests { // a long import: polled past the per-user limit
			time.Sleep(time.Second)
			continue
		}
		var st importStatus
		r.decode(t, &st)
		if r.status != 200 {
			t.Fatalf("GET /imports/%s: %d %s", started.Import.ID, r.status, r.body)
		}
		if st.Status == "done" || st.Status == "failed" {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("import still %s after 5 minutes", st.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// account reads a user's conversations through the API, as title →
// sorted "role: content" lines of the branch shown.
func (s *stack) account(t *testing.T, token string) map[string][]string {
	t.Helper()
	r := s.do("GET", "/conversations?limit=100", token, nil)
	var page struct {
		Items []struct{ ID, Title string }
	}
	r.decode(t, &page)
	out := map[string][]string{}
	for _, c := range page.Items {
		r := s.do("GET", "/conversations/"+c.ID+"/messages?limit=100", token, nil)
		var msgs struct {
			Items []struct {
				Role, Content string
				SiblingIDs    []string
			}
		}
		r.decode(t, &msgs)
		lines := []string{}
		for _, m := range msgs.Items {
			lines = append(lines, fmt.Sprintf("%s: %s (%d siblings)", m.Role, m.Content, len(m.SiblingIDs)))
		}
		sort.Strings(lines)
		out[c.Title] = lines
	}
	return out
}

// TestImportAndExport: the whole journey through the gateway and the real
// bootstraps: a ChatGPT file imported (and imported again: nothing new),
// the account exported to a download URL, and that document imported into
// another account, which then reads the same conversations and branches.
// Another user's import is 404; a bad file fails with its reason.
func TestImportAndExport(t *testing.T) {
	s := newStack(t)
	alice, _, _ := s.signIn(t)
	bob, _, _ := s.signIn(t)

	st := s.importFile(t, alice, []byte(chatGPTExport))
	if st.Status != "done" || st.Conversations != 2 || st.Messages != 4 {
		t.Fatalf("import: %+v", st)
	}
	// It ran as S3 would run it: the notification invoked the real import
	// bootstrap through the Lambda emulator, which reported no error.
	if r, ok := s.lastReport("import"); !ok || r.Status != "" || r.MaxMemoryUsedMB > r.MemorySizeMB {
		t.Errorf("the import function's REPORT: %v %s", ok, r)
	}
	want := s.account(t, alice)
	if len(want) != 2 || strings.Join(want["Cats"], "|") != "assistant: Hi Miso (2 siblings)|user: My cat is Miso (1 siblings)" {
		t.Fatalf("imported account: %v", want)
	}
	if again := s.importFile(t, alice, []byte(chatGPTExport)); again.Status != "done" || again.Conversations != 0 || again.Skipped != 2 {
		t.Errorf("second import: %+v", again)
	}
	if r := s.do("GET", "/imports/"+st.ID, bob, nil); r.status != 404 || r.errorCode(t) != "not_found" {
		t.Errorf("another user's import: %d %s", r.status, r.body)
	}

	r := s.do("GET", "/me/export", alice, nil)
	var link struct {
		URL                     string
		Bytes                   int64
		Conversations, Messages int
	}
	r.decode(t, &link)
	if r.status != 200 || link.Conversations != 2 || link.Messages != 4 {
		t.Fatalf("GET /me/export: %d %s", r.status, r.body)
	}
	resp, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || int64(len(doc)) != link.Bytes {
		t.Fatalf("download: %d, %d bytes of %d", resp.StatusCode, len(doc), link.Bytes)
	}
	if st := s.importFile(t, bob, doc); st.Status != "done" || st.Conversations != 2 || st.Messages != 4 {
		t.Fatalf("import of the export: %+v", st)
	}
	if got := s.account(t, bob); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after the round trip:\n%v\nwant\n%v", got, want)
	}

	bad := s.importFile(t, bob, []byte(`[{"title":"x","conversation_id":"z","mapping":{}},{"title" 1}]`))
	if bad.Status != "failed" || bad.Error == nil || !strings.Contains(*bad.Error, "not valid JSON") {
		t.Errorf("bad file: %+v", bad)
	}
}
