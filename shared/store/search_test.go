package store_test

import (
	"context"
	"math"
	"testing"

	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// basis returns the unit vector along axis i.
func basis(dims, i int) []float32 {
	v := make([]float32, dims)
	v[i] = 1
	return v
}

// TestKeywordAndHybridSearch: keyword search finds exact tokens (and not
// other users' messages, nor messages of a conversation left out), and the
// hybrid search puts an exact token's message first although its vector
// is the farthest, in both of the semantic list's plans.
func TestKeywordAndHybridSearch(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	dims := testenv.Get(t).EmbeddingDimensions
	a, b := newUser(t, pool), newUser(t, pool)
	logs, _ := store.CreateConversation(ctx, pool, a, "Logs")
	chat, _ := store.CreateConversation(ctx, pool, a, "Chat")
	bConv, _ := store.CreateConversation(ctx, pool, b, "B's")
	say := func(user, conv, content string, vec []float32) string {
		t.Helper()
		var id string
		if err := pool.QueryRow(ctx, `INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, 'user', $3) RETURNING id::text`,
			conv, user, content).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if vec != nil {
			if err := store.StoreEmbeddings(ctx, pool, user, "test", []store.Embedding{{MessageID: id, Vector: vec}}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	q := basis(dims, 0) // the query's vector: nearest is `near`
	token := say(a, logs.ID, "the deploy failed with ERR_7f3a9c01 in the billing service", basis(dims, 9))
	near := say(a, chat.ID, "a message whose vector is the query's", q)
	both := say(a, chat.ID, "the billing service is near the query", onArcSimple(dims, 0, 1, 0.3))
	say(a, chat.ID, "unrelated words about bread", basis(dims, 3))
	unembedded := say(a, logs.ID, "connection refused: ECONNREFUSED 10.0.0.1:5432", nil)
	bToken := say(b, bConv.ID, "ERR_7f3a9c01 at B's, with the query's very vector", q)

	tests := []struct {
		name    string
		mode    string
		query   string
		opt     store.NearestOptions
		want    []string // exactly these, in this order; nil: only the first is checked
		first   string
		wantLen int
	}{
		{name: "keyword: the identifier", mode: store.ModeKeyword, query: "ERR_7f3a9c01", want: []string{token}},
		{name: "keyword: case does not matter", mode: store.ModeKeyword, query: "err_7F3A9C01", want: []string{token}},
		{name: "keyword: every word must match", mode: store.ModeKeyword, query: "billing service", first: "", wantLen: 2},
		{name: "keyword: a phrase", mode: store.ModeKeyword, query: `"billing service is"`, want: []string{both}},
		{name: "keyword: an error string, not yet embedded", mode: store.ModeKeyword, query: "ECONNREFUSED 10.0.0.1:5432", want: []string{unembedded}},
		{name: "keyword: no match", mode: store.ModeKeyword, query: "ERR_00000000", want: []string{}},
		{name: "keyword: no words", mode: store.ModeKeyword, query: "?!", want: []string{}},
		{name: "keyword: in one conversation", mode: store.ModeKeyword, query: "billing", opt: store.NearestOptions{InConversation: chat.ID}, want: []string{both}},
		{name: "keyword: one conversation left out", mode: store.ModeKeyword, query: "billing", opt: store.NearestOptions{NotInConversation: chat.ID}, want: []string{token}},
		{name: "hybrid: the exact token first though its vector is far", mode: store.ModeHybrid, query: "ERR_7f3a9c01", first: token, wantLen: 4},
		{name: "hybrid: in both lists beats either", mode: store.ModeHybrid, query: "service is near", first: both, wantLen: 4},
		{name: "hybrid: no keyword match is the semantic order", mode: store.ModeHybrid, query: "zzz", first: near, wantLen: 4},
		{name: "hybrid: in one conversation", mode: store.ModeHybrid, query: "ERR_7f3a9c01", opt: store.NearestOptions{InConversation: logs.ID}, want: []string{token}},
		{name: "hybrid: limit 1", mode: store.ModeHybrid, query: "ERR_7f3a9c01", opt: store.NearestOptions{Limit: 1}, want: []string{token}},
		{name: "semantic: the vector misses the token", mode: store.ModeSemantic, query: "ERR_7f3a9c01", first: near, wantLen: 4},
	}
	orig := store.ExactScanMaxVectors
	defer func() { store.ExactScanMaxVectors = orig }()
	// The exact scan, then the HNSW index.
	for _, small := range []bool{true, false} {
		store.ExactScanMaxVectors = orig
		if !small {
			store.ExactScanMaxVectors = 0
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				opt := tt.opt
				if opt.Limit == 0 {
					opt.Limit = 10
				}
				var got []store.Related
				var err error
				switch tt.mode {
				case store.ModeKeyword:
					got, err = store.KeywordMessages(ctx, pool, a, tt.query, opt)
				case store.ModeHybrid:
					got, err = store.HybridMessages(ctx, pool, a, tt.query, q, opt)
				default:
					got, err = store.NearestMessages(ctx, pool, a, q, opt)
				}
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for i, r := range got {
					ids = append(ids, r.MessageID)
					if r.MessageID == bToken {
						t.Errorf("another user's message returned")
					}
					if i > 0 && r.Score > got[i-1].Score {
						t.Errorf("not best first: %v", got)
					}
					if r.Score < -1 || r.Score > 1 || (tt.mode == store.ModeHybrid && r.Score > 2.0/61+1e-9) {
						t.Errorf("score %v out of range", r.Score)
					}
				}
				switch {
				case tt.want != nil:
					if len(ids) != len(tt.want) {
						t.Fatalf("got %v, want %v", ids, tt.want)
					}
					for i := range ids {
						if ids[i] != tt.want[i] {
							t.Fatalf("got %v, want %v", ids, tt.want)
						}
					}
				default:
					if len(ids) != tt.wantLen || (tt.first != "" && ids[0] != tt.first) {
						t.Errorf("got %v (%d), want %d results with %s first", ids, len(ids), tt.wantLen, tt.first)
					}
				}
			})
		}
	}
	store.ExactScanMaxVectors = orig

	// B sees only their own message, in every mode.
	for _, mode := range []string{store.ModeKeyword, store.ModeHybrid, store.ModeSemantic} {
		opt := store.NearestOptions{Limit: 10}
		var got []store.Related
		var err error
		switch mode {
		case store.ModeKeyword:
			got, err = store.KeywordMessages(ctx, pool, b, "billing service", opt)
		case store.ModeHybrid:
			got, err = store.HybridMessages(ctx, pool, b, "billing service", basis(dims, 9), opt)
		default:
			got, err = store.NearestMessages(ctx, pool, b, basis(dims, 9), opt)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if r.MessageID != bToken {
				t.Errorf("%s: user b got a's message %q", mode, r.Content)
			}
		}
	}
}

// onArcSimple is cos(theta)·e_i + sin(theta)·e_j.
func onArcSimple(dims, i, j int, theta float64) []float32 {
	v := make([]float32, dims)
	v[i], v[j] = float32(math.Cos(theta)), float32(math.Sin(theta))
	return v
}
