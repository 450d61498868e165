package cache

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// TestDeleteUserKeys: every key that names the user goes, through SCAN pages
// (more keys than one step looks at) and history windows in more than one
// DEL batch; another user's keys, and keys that name nobody, stay. The real
// writers make the keys: the limiter, the quota meter, the vector cache.
func TestDeleteUserKeys(t *testing.T) {
	env := testenv.Get(t)
	rdb, err := Open(context.Background(), config.Redis{URL: env.RedisURL, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	user, other := uuid.NewString(), uuid.NewString()

	l := NewLimiter(rdb)
	vectors := Vectors(rdb, "m", 2, func(context.Context, []string) ([][]float32, error) { return [][]float32{{1, 2}}, nil })
	var convs, otherConvs []string
	for _, u := range []string{user, other} {
		l.Allow(ctx, "conversations-list:user:"+u, 100)
		l.AllowMetered(ctx, "chat-stream:user:"+u, 100, u, Usage{Turns: 10}, Usage{Turns: 1})
		if _, err := vectors(ctx, u, "cat names"); err != nil {
			t.Fatal(err)
		}
	}
	pipe := rdb.Pipeline()
	for i := range 2*scanBatch + 10 { // more keys than one SCAN step, and than one DEL batch
		conv, otherConv := uuid.NewString(), uuid.NewString()
		convs, otherConvs = append(convs, conv), append(otherConvs, otherConv)
		pipe.Set(ctx, HistoryKey(conv), "h", time.Hour)
		pipe.Set(ctx, HistoryKey(otherConv), "h", time.Hour)
		pipe.Set(ctx, fmt.Sprintf("vec:{%s}:%04d", user, i), "v", time.Hour)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	named := func(id string) []string {
		keys, err := rdb.Keys(ctx, "*"+id+"*").Result() // a test may use KEYS
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	before := named(user)
	for _, prefix := range []string{"rate:rl:conversations-list:user:", "rl:chat-stream:user:", "quota:{", "vec:{"} {
		if !containsPrefix(before, prefix) {
			t.Fatalf("no %s… key of the user to delete: %v", prefix, before[:min(5, len(before))])
		}
	}
	otherBefore := len(named(other))

	n, err := DeleteUserKeys(ctx, rdb, user, convs)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(before) + len(convs)); n != want {
		t.Errorf("deleted %d keys, want %d", n, want)
	}
	if left := named(user); len(left) != 0 {
		t.Errorf("keys of the user left: %v", left[:min(5, len(left))])
	}
	if got, err := rdb.Exists(ctx, HistoryKey(convs[0]), HistoryKey(convs[len(convs)-1])).Result(); err != nil || got != 0 {
		t.Errorf("history windows of the user left: %d (%v)", got, err)
	}
	if got := len(named(other)); got != otherBefore {
		t.Errorf("another user's keys: %d, were %d", got, otherBefore)
	}
	if got, err := rdb.Exists(ctx, HistoryKey(otherConvs[0]), HistoryKey(otherConvs[len(otherConvs)-1])).Result(); err != nil || got != 2 {
		t.Errorf("another user's history windows: %d of 2 (%v)", got, err)
	}

	if _, err := DeleteUserKeys(ctx, rdb, "*", nil); err == nil {
		t.Error("a pattern for a user id was accepted")
	}
}

func containsPrefix(keys []string, prefix string) bool {
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func TestIsUserID(t *testing.T) {
	tests := map[string]bool{
		"3f2b8c1e-7d4a-4e9b-a1c2-0d5e6f708192":          true,
		"3F2B8C1E-7D4A-4E9B-A1C2-0D5E6F708192":          false, // a sub is lower-case
		"3f2b8c1e7d4a4e9ba1c20d5e6f708192":              false, // no hyphens
		"{3f2b8c1e-7d4a-4e9b-a1c2-0d5e6f708192}":        false,
		"urn:uuid:3f2b8c1e-7d4a-4e9b-a1c2-0d5e6f708192": false,
		"3f2b8c1e-7d4a-4e9b-a1c2-0d5e6f70819*":          false, // a SCAN wildcard
		"":                                              false,
	}
	for id, want := range tests {
		if got := isUserID(id); got != want {
			t.Errorf("isUserID(%q) = %v, want %v", id, got, want)
		}
	}
}
