package store_test

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// nearestFixture holds users whose vectors lie on arcs from the query q,
// at known, distinct angles: the exact order is known and has no ties, and
// the data has the low intrinsic dimension that lets an HNSW search find it
// (random directions in 512 dimensions, all but equidistant, would not).
type nearestFixture struct {
	q     []float32
	convs map[string][]string // user → conversations, in creation order
}

// orthonormal returns n random unit vectors orthogonal to each other.
func orthonormal(rng *rand.Rand, dims, n int) [][]float64 {
	var out [][]float64
	for len(out) < n {
		v := make([]float64, dims)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		for _, u := range out {
			var d float64
			for i := range v {
				d += v[i] * u[i]
			}
			for i := range v {
				v[i] -= d * u[i]
			}
		}
		var norm float64
		for _, x := range v {
			norm += x * x
		}
		for i := range v {
			v[i] /= math.Sqrt(norm)
		}
		out = append(out, v)
	}
	return out
}

// onArc returns cos(theta)·q + sin(theta)·p: at angle theta from q.
func onArc(q, p []float64, theta float64) []float32 {
	out := make([]float32, len(q))
	for i := range q {
		out[i] = float32(math.Cos(theta)*q[i] + math.Sin(theta)*p[i])
	}
	return out
}

// addVectors stores, for user, conversations of the given sizes whose
// messages have the vectors next() returns.
func (f *nearestFixture) addVectors(t *testing.T, db store.DB, user string, sizes []int, next func() []float32) {
	t.Helper()
	ctx := context.Background()
	for _, n := range sizes {
		conv, err := store.CreateConversation(ctx, db, user, "c")
		if err != nil {
			t.Fatal(err)
		}
		f.convs[user] = append(f.convs[user], conv.ID)
		rows, err := db.Query(ctx, `INSERT INTO messages (conversation_id, user_id, role, content)
			SELECT $1, $2, 'user', 'message ' || i FROM generate_series(1, $3) i RETURNING id::text`, conv.ID, user, n)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		items := make([]store.Embedding, len(ids))
		for i, id := range ids {
			items[i] = store.Embedding{MessageID: id, Vector: next()}
		}
		if err := store.StoreEmbeddings(ctx, db, user, "test", items); err != nil {
			t.Fatal(err)
		}
	}
}

// exactIDs is the exact answer: the same filters, index scans off.
func exactIDs(t *testing.T, conn *pgx.Conn, user string, q []float32, opt store.NearestOptions) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL enable_indexscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, `SELECT message_id::text FROM message_embeddings
		WHERE user_id = $1 AND ($2 = '' OR conversation_id = NULLIF($2, '')::uuid)
		  AND ($3 = '' OR conversation_id <> NULLIF($3, '')::uuid)
		ORDER BY embedding <=> $4::halfvec LIMIT $5`,
		user, opt.InConversation, opt.NotInConversation, store.VectorLiteral(q), opt.Limit)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// planScans is what the plans auto_explain sent as notices say of
// message_embeddings: whether the HNSW index was planned and whether it
// ran, and how many scans never ran (those of the gated-off branch).
type planScans struct {
	hnswPlanned, hnswRan bool
	skipped              int
}

type explainNode struct {
	Type     string        `json:"Node Type"`
	Relation string        `json:"Relation Name"`
	Index    string        `json:"Index Name"`
	Loops    *float64      `json:"Actual Loops"`
	Plans    []explainNode `json:"Plans"`
}

func readPlans(t *testing.T, notices []string) planScans {
	t.Helper()
	var s planScans
	var walk func(n explainNode)
	walk = func(n explainNode) {
		ran := n.Loops != nil && *n.Loops > 0
		if n.Index == "message_embeddings_embedding_idx" {
			s.hnswPlanned = true
			s.hnswRan = s.hnswRan || ran
		}
		if (n.Relation == "message_embeddings" || strings.HasPrefix(n.Index, "message_embeddings")) && !ran {
			s.skipped++
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	found := false
	for _, msg := range notices {
		i := strings.Index(msg, "{")
		if i < 0 {
			continue
		}
		var doc struct{ Plan explainNode }
		if err := json.Unmarshal([]byte(msg[i:]), &doc); err != nil {
			t.Fatalf("auto_explain notice: %v\n%s", err, msg)
		}
		found = true
		walk(doc.Plan)
	}
	if !found {
		t.Fatalf("no plan among the notices %q", notices)
	}
	return s
}

// TestNearestMessagesHybrid checks both branches of the search (a user
// under the exact-scan threshold and one over it), with and without
// conversation narrowing: the answer is the exact scan's, in its order;
// another user's vectors, nearer to the query than any, never appear; and
// the plan that ran (auto_explain) is the branch meant.
func TestNearestMessagesHybrid(t *testing.T) {
	ctx := context.Background()
	env := testenv.Get(t)
	url := env.NewDatabase(t)
	defer func(n int) { store.ExactScanMaxVectors = n }(store.ExactScanMaxVectors)
	store.ExactScanMaxVectors = 50

	var (
		mu      sync.Mutex
		notices []string
	)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		notices = append(notices, n.Message)
		mu.Unlock()
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	basis := orthonormal(rand.New(rand.NewPCG(1, 2)), env.EmbeddingDimensions, 3)
	q, p1, p2 := basis[0], basis[1], basis[2]
	f := &nearestFixture{q: onArc(q, p1, 0), convs: map[string][]string{}}
	small, large, other := newUser(t, conn), newUser(t, conn), newUser(t, conn)
	// Angles are distinct and far enough apart for half precision. The
	// other user's vectors are the nearest of all, on the large user's arc,
	// so that a leak of the user filter would show first.
	arc := func(p []float64, from, step float64) func() []float32 {
		theta := from
		return func() []float32 { theta += step; return onArc(q, p, theta) }
	}
	f.addVectors(t, conn, other, []int{60}, arc(p1, 0.05, 0.004))
	f.addVectors(t, conn, small, []int{20, 10}, arc(p2, 0.3, 0.03))
	f.addVectors(t, conn, large, []int{50, 40, 30}, arc(p1, 0.3, 0.009))
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE message_embeddings`); err != nil {
		t.Fatal(err)
	}
	// On so few rows the planner would rather sort them than walk the HNSW
	// index (on the bench's data it walks the index, local/vectorbench):
	// sorts off, the one branch whose order an index can give takes it.
	if _, err := conn.Exec(ctx, `SET enable_sort = off; LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;
		SET auto_explain.log_analyze = on; SET auto_explain.log_timing = off;
		SET auto_explain.log_format = json; SET auto_explain.log_level = notice`); err != nil {
		t.Fatal(err)
	}

	s, l := f.convs[small], f.convs[large]
	tests := []struct {
		name string
		user string
		opt  store.NearestOptions
		hnsw bool // the HNSW index is scanned (else an exact scan)
		want int  // rows
	}{
		{"small user", small, store.NearestOptions{Limit: 10}, false, 10},
		{"small user, all", small, store.NearestOptions{Limit: 50}, false, 30},
		{"small user, not in a conversation", small, store.NearestOptions{Limit: 10, NotInConversation: s[0]}, false, 10},
		{"small user, in a conversation", small, store.NearestOptions{Limit: 4, InConversation: s[1]}, false, 4},
		{"large user", large, store.NearestOptions{Limit: 10}, true, 10},
		{"large user, not in a conversation", large, store.NearestOptions{Limit: 10, NotInConversation: l[0]}, true, 10},
		{"large user, in a conversation", large, store.NearestOptions{Limit: 5, InConversation: l[1]}, false, 5},
		{"large user, in another's conversation", large, store.NearestOptions{Limit: 5, InConversation: s[0]}, false, 0},
		{"user without vectors", newUser(t, conn), store.NearestOptions{Limit: 10}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			notices = nil
			mu.Unlock()
			got, err := store.NearestMessages(ctx, conn, tt.user, f.q, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			plans := readPlans(t, notices)
			mu.Unlock()

			want := exactIDs(t, conn, tt.user, f.q, tt.opt)
			ids := make([]string, len(got))
			for i, r := range got {
				ids[i] = r.MessageID
				if !slices.Contains(f.convs[tt.user], r.ConversationID) {
					t.Errorf("row %d is of conversation %s, not the user's", i, r.ConversationID)
				}
				if tt.opt.InConversation != "" && r.ConversationID != tt.opt.InConversation ||
					tt.opt.NotInConversation != "" && r.ConversationID == tt.opt.NotInConversation {
					t.Errorf("row %d is of conversation %s, outside the narrowing", i, r.ConversationID)
				}
				if i > 0 && r.Score > got[i-1].Score {
					t.Errorf("row %d scores %v, above row %d's %v", i, r.Score, i-1, got[i-1].Score)
				}
			}
			if len(ids) != tt.want || !slices.Equal(ids, want) {
				t.Errorf("got %d rows %v,\nwant the exact scan's %d %v", len(ids), ids, len(want), want)
			}
			if plans.hnswRan != tt.hnsw {
				t.Errorf("the HNSW index ran: %v, want %v", plans.hnswRan, tt.hnsw)
			}
			// The unnarrowed search plans both branches and runs one.
			if tt.opt.InConversation == "" && (!plans.hnswPlanned || plans.skipped == 0) {
				t.Errorf("unnarrowed search: HNSW planned %v, %d scans never executed; want both branches planned, one skipped",
					plans.hnswPlanned, plans.skipped)
			}
		})
	}

	// The settings stay in the search's transaction.
	var iter, ef, workers string
	if err := conn.QueryRow(ctx, `SELECT current_setting('hnsw.iterative_scan'), current_setting('hnsw.ef_search'),
		current_setting('max_parallel_workers_per_gather')`).Scan(&iter, &ef, &workers); err != nil {
		t.Fatal(err)
	}
	if iter == store.IterativeScan || ef == "64" || workers == "0" {
		t.Errorf("after the search: iterative_scan %s, ef_search %s, max_parallel_workers_per_gather %s", iter, ef, workers)
	}
}
