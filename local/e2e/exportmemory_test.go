package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// exportScale is the account TestAccountExportMemory exports: 100 000
// messages in 1 000 conversations, each message ~300 bytes (~45 MB of JSON).
const (
	exportConversations = 1_000
	exportPerConv       = 100
)

// TestAccountExportMemory: the real me-export bootstrap, through the
// Lambda emulator, exports an account of 100 000 messages within its
// 128 MB (the emulator's REPORT: the process's peak resident set).
func TestAccountExportMemory(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	pool := testenv.Pool(t, s.db)
	user := uuid.NewString()
	for _, q := range []string{
		`INSERT INTO users (id, email) VALUES ($1, '')`,
		`INSERT INTO conversations (user_id, title) SELECT $1, 'Conversation ' || g FROM generate_series(1, ` + itoa(exportConversations) + `) g`,
		`INSERT INTO messages (conversation_id, user_id, role, content, seq, parent_id)
		 SELECT c.id, $1, CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END,
		        'message ' || g || ' ' || repeat('lorem ipsum ', 25), 2 * g, '00000000-0000-0000-0000-000000000000'
		 FROM conversations c, generate_series(1, ` + itoa(exportPerConv) + `) g WHERE c.user_id = $1`,
	} {
		if _, err := pool.Exec(ctx, q, user); err != nil {
			t.Fatal(err)
		}
	}
	fn, err := s.gw.Function("me-export")
	if err != nil {
		t.Fatal(err)
	}
	event, err := json.Marshal(apitest.Event("GET", "/me/export", nil, apitest.WithUser(user, "")))
	if err != nil {
		t.Fatal(err)
	}
	res, err := fn.Invoke(ctx, event)
	if err != nil || res.Err != nil {
		t.Fatalf("invoke: %v %+v", err, res.Err)
	}
	var out struct {
		StatusCode int
		Body       string
	}
	if err := json.Unmarshal(res.Payload, &out); err != nil {
		t.Fatal(err)
	}
	var link struct {
		Bytes                   int64
		Conversations, Messages int
	}
	if err := json.Unmarshal([]byte(out.Body), &link); err != nil || out.StatusCode != 200 {
		t.Fatalf("%d %s", out.StatusCode, out.Body)
	}
	t.Logf("exported %d conversations, %d messages, %d bytes: %s", link.Conversations, link.Messages, link.Bytes, res.Report)
	if link.Messages != exportConversations*exportPerConv || link.Conversations != exportConversations {
		t.Errorf("exported %+v", link)
	}
	if res.Report.MaxMemoryUsedMB > 128 {
		t.Errorf("max memory used %d MB, over the function's 128 MB", res.Report.MaxMemoryUsedMB)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
