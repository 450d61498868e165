package vectorbench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestLoadBuildMeasure runs the whole bench at a small scale on a real
// PostgreSQL with pgvector: the load (binary halfvec COPY), the index build,
// the sizes, and every variant's recall against the exact scan.
func TestLoadBuildMeasure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env := testenv.Get(t)
	url := env.NewDatabase(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	if err := DropIndex(ctx, conn); err != nil {
		t.Fatal(err)
	}
	dims := env.EmbeddingDimensions
	ds, err := Load(ctx, conn, Spec{Scale: 600, Users: 3, Dims: dims, Seed: 7, PerConversation: 20, ContentBytes: 80, Labelled: 20})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Messages != 600+60+12 || len(ds.Users) != 3 || ds.Conversations != 30+3+1 {
		t.Fatalf("loaded %d messages, %d users, %d conversations", ds.Messages, len(ds.Users), ds.Conversations)
	}

	// The binary halfvec COPY stores what the text form would: a vector of
	// the model read back is the one drawn (to half precision), of unit length.
	var n int
	var norm float64
	var text string
	if err := conn.QueryRow(ctx, `SELECT count(*), max(l2_norm(embedding)), min(embedding::text) FROM message_embeddings`).Scan(&n, &norm, &text); err != nil {
		t.Fatal(err)
	}
	if n != ds.Messages || norm < 0.99 || norm > 1.01 || strings.Count(text, ",") != dims-1 {
		t.Fatalf("%d vectors, max norm %v, %d elements", n, norm, strings.Count(text, ",")+1)
	}
	// message_count was written by the load, the trigger being off.
	var counted, stored int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM messages), (SELECT sum(message_count) FROM conversations)`).Scan(&counted, &stored); err != nil {
		t.Fatal(err)
	}
	if counted != stored {
		t.Errorf("messages %d, conversations' message_count %d", counted, stored)
	}
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) users, conversations, messages, message_embeddings`); err != nil {
		t.Fatal(err)
	}
	if pct, err := SetVisibilityMap(ctx, conn, 5); err != nil || pct <= 0 {
		t.Fatalf("visibility map: %.0f%% all-visible, %v", pct, err)
	}

	queries := Queries(ds.Model, 7, 20)
	heavy, _ := ds.User("heavy")
	light, _ := ds.User("light")
	exact := map[string][][]string{}
	for _, u := range []User{heavy, light} {
		if exact[u.Kind], err = Exact(ctx, conn, u.ID, queries, 10); err != nil {
			t.Fatal(err)
		}
		if len(exact[u.Kind][0]) != 10 {
			t.Fatalf("exact top-10 of the %s user: %d rows", u.Kind, len(exact[u.Kind][0]))
		}
	}

	b, err := BuildIndex(ctx, conn, MigrationIndex, BuildOptions{MaintenanceWorkMem: "64MB", ParallelWorkers: 0}, func() []string { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if b.Seconds <= 0 || b.Sizes.HNSWIndexMB <= 0 || b.Sizes.Messages != ds.Messages || b.Sizes.Per100kMB <= b.Sizes.TotalMB {
		t.Fatalf("build %+v", b)
	}

	// The shipped search scans the light user's 12 vectors exactly and the
	// heavy user's 600 in the HNSW index.
	defer func(n int) { store.ExactScanMaxVectors = n }(store.ExactScanMaxVectors)
	store.ExactScanMaxVectors = 100

	pools := NewPools(url, 1)
	defer pools.Close()
	for _, v := range Variants([]int{40}) {
		pool, err := pools.Get(ctx, v.EfSearch)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []User{heavy, light} {
			r := Measure(ctx, pool, v, u, queries[:2], queries, exact[u.Kind], 10)
			if r.Error != "" {
				t.Fatalf("%s, %s user: %s", v.Name, u.Kind, r.Error)
			}
			if r.Queries != len(queries) || r.P50Ms <= 0 || r.P95Ms < r.P50Ms {
				t.Errorf("%s, %s user: %+v", v.Name, u.Kind, r)
			}
			// A small graph is searched almost exhaustively; the exact scan
			// is exact; a plain HNSW scan starves the light user.
			switch {
			case v.Exact && r.Recall != 1:
				t.Errorf("exact scan, %s user: recall %v", u.Kind, r.Recall)
			case v.Store && u.Kind == "light" && r.Recall != 1:
				t.Errorf("%s, light user (exact): recall %v", v.Name, r.Recall)
			case v.Store && r.Recall < 0.9:
				t.Errorf("%s, %s user: recall %v", v.Name, u.Kind, r.Recall)
			}
			plan, text, err := Plan(ctx, url, v.For(u.Messages), u.ID, queries[0], 10)
			if err != nil || plan == "" || plan == "?" || !strings.Contains(text, "message_embeddings") {
				t.Errorf("plan of %s: %q, %v\n%s", v.Name, plan, err, text)
			}
			if (v.Exact || v.Store && u.Kind == "light") && strings.Contains(plan, "hnsw") {
				t.Errorf("%s, %s user: the exact scan's plan uses the HNSW index: %s", v.Name, u.Kind, plan)
			}
			// The shipped search plans both branches and runs one (on so
			// few rows the planner sorts them rather than walk the HNSW
			// index, even in the HNSW branch).
			if v.Store && !strings.Contains(text, "never executed") {
				t.Errorf("%s, %s user: want a branch never executed:\n%s", v.Name, u.Kind, text)
			}
			t.Logf("%s, %s user: %s", v.Name, u.Kind, plan)
		}
	}

	// The store's own search is what the bench times as shipped.
	rel, err := store.NearestMessages(ctx, conn, heavy.ID, queries[0], store.NearestOptions{Limit: 10})
	if err != nil || len(rel) != 10 {
		t.Fatalf("NearestMessages: %d rows, %v", len(rel), err)
	}

	// The labelled set: every token found by keyword and hybrid search.
	if len(ds.Labelled) != 20 {
		t.Fatalf("%d labelled messages, want 20", len(ds.Labelled))
	}
	pool, err := pools.Get(ctx, store.EfSearch)
	if err != nil {
		t.Fatal(err)
	}
	labelled := LabelQueries(ds, 7)
	for _, mode := range []string{store.ModeKeyword, store.ModeHybrid, store.ModeSemantic} {
		r := MeasureText(ctx, pool, mode, "labelled tokens", heavy, labelled[:2], labelled, 10)
		if r.Error != "" || r.Queries != 20 || r.P95Ms < r.P50Ms {
			t.Fatalf("%s: %+v", mode, r)
		}
		if mode != store.ModeSemantic && r.Recall != 1 {
			t.Errorf("%s search, labelled tokens: recall %v, want 1", mode, r.Recall)
		}
		t.Logf("%s, labelled tokens: recall@10 %.2f", mode, r.Recall)
	}
	if r := MeasureText(ctx, pool, store.ModeHybrid, "two common words", heavy, nil, WordQueries(ds.Model, 7, 5), 10); r.Error != "" || r.Recall != -1 {
		t.Errorf("common words: %+v", r)
	}
}
