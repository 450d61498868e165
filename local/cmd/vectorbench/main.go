// Command vectorbench measures the nearest-message search at scale
// (docs/search.md; make bench runs it with -scale $(SCALE)). It starts a throwaway
// PostgreSQL with pgvector, applies the migrations (the column's dimension is
// EMBEDDING_DIMENSIONS, default 512), loads -scale messages with synthetic
// clustered embeddings for one heavy user among -users users (the others
// have scale/10 each, the last one scale/50: about 1% of the index), builds
// the HNSW index (timed; by default the migrations' build, m=16
// ef_construction=128), and measures, warm, the shipped search's latency
// p50/p95 and recall@k against an exact scan for the heavy, a medium and the
// light user: store.NearestMessages itself, which sets its own ef_search and
// iterative scan and searches a user's vectors exactly up to
// store.ExactScanMaxVectors, in the HNSW index beyond. Beside it, variants
// at each -ef (the previous strict_order search, iterative scan off,
// relaxed_order with a re-sort, the bench's own hybrid), the exact scan
// itself, and other index builds (-index). Then the keyword and hybrid
// searches: -labelled messages of the heavy user hold a unique token
// (ERR_…), each searched for (recall@k: target 1.0 for keyword and hybrid;
// the semantic search beside them, as before), and queries of two common
// words time their worst case. Each row's plan is the one that ran
// (auto_explain); -explain prints the shipped search's EXPLAIN ANALYZE
// for each user. It prints a table, the variants that meet every target for
// every user, and writes a JSON report; a missed target of the shipped
// search on the migrations' index says MISS.
//
//	go run ./local/cmd/vectorbench [-scale 100000] [-users 10] [-ef 40,64,100] [-index 16/128] [-queries 200] [-labelled 200] [-explain] [-out .local/bench/vectors.json]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/macro-ai/macro-ai/local/vectorbench"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/migrations"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// Report is the JSON report.
type Report struct {
	Generated     time.Time            `json:"generated"`
	Platform      string               `json:"platform"`
	CPUs          int                  `json:"cpus"`
	PostgreSQL    string               `json:"postgresql"`
	PgVector      string               `json:"pgvector"`
	Options       Options              `json:"options"`
	Targets       vectorbench.Targets  `json:"targets"`
	Data          *vectorbench.Dataset `json:"data"`
	VacuumSeconds float64              `json:"vacuumAnalyzeSeconds"`
	ExactSeconds  float64              `json:"exactScanSeconds"`
	Builds        []*vectorbench.Build `json:"builds"`
	// Text is the keyword and hybrid searches (and the semantic one on the
	// same queries), on the last index built.
	Text   []*vectorbench.TextResult `json:"text"`
	Missed []string                  `json:"missed"`
	// Meeting lists the index builds and search variants that meet every
	// target for every user measured.
	Meeting        []string                 `json:"meetingEveryTarget"`
	ElapsedSeconds float64                  `json:"elapsedSeconds"`
	Model          vectorbench.ModelOptions `json:"model"`
}

// Options are the command's flags.
type Options struct {
	Scale        int    `json:"scale"`
	Users        int    `json:"users"`
	Dims         int    `json:"dims"`
	Queries      int    `json:"queries"`
	Warmup       int    `json:"warmup"`
	K            int    `json:"k"`
	EfSearch     []int  `json:"efSearch"`
	Index        string `json:"index"`
	MaintMem     string `json:"maintenanceWorkMem"`
	Workers      int    `json:"maxParallelMaintenanceWorkers"`
	Seed         uint64 `json:"seed"`
	ContentBytes int    `json:"contentBytes"`
	Labelled     int    `json:"labelled"`
	out          string
	explain      bool
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vectorbench:", err)
		os.Exit(1)
	}
}

func run() error {
	start := time.Now()
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	var o Options
	var ef string
	model := vectorbench.DefaultModel
	flag.IntVar(&o.Scale, "scale", 100000, "messages of the heavy user")
	flag.IntVar(&o.Users, "users", 10, "users: one heavy, one light (scale/50), the others scale/10")
	emb, err := config.Load[config.Embedding]()
	if err != nil {
		return err
	}
	flag.IntVar(&o.Dims, "dims", emb.Dimensions, "embedding dimensions (default EMBEDDING_DIMENSIONS, the column's)")
	flag.IntVar(&o.Queries, "queries", 200, "timed queries per user and variant")
	flag.IntVar(&o.Warmup, "warmup", 20, "untimed warm-up queries per user and variant")
	flag.IntVar(&o.K, "k", 10, "neighbours per query (recall@k)")
	flag.StringVar(&ef, "ef", "40,64,100", "hnsw.ef_search values of the variants, comma-separated (40 is pgvector's default; store.NearestMessages sets its own)")
	flag.StringVar(&o.Index, "index", fmt.Sprintf("%d/%d", vectorbench.MigrationIndex.M, vectorbench.MigrationIndex.EfConstruction),
		"HNSW builds to measure, m/ef_construction, comma-separated (the default is the migrations')")
	flag.BoolVar(&o.explain, "explain", false, "print the shipped search's EXPLAIN ANALYZE for each user (it is in the JSON report either way)")
	flag.StringVar(&o.MaintMem, "maintenance-work-mem", "512MB", "maintenance_work_mem for the index build")
	flag.IntVar(&o.Workers, "workers", 1, "max_parallel_maintenance_workers for the index build")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed of the data set and the queries")
	flag.IntVar(&o.ContentBytes, "content", 400, "mean message length in bytes")
	flag.IntVar(&o.Labelled, "labelled", 200, "messages of the heavy user holding a unique token (ERR_…), each searched for by keyword, hybrid and semantic search")
	flag.IntVar(&model.Domains, "domains", vectorbench.DefaultModel.Domains, "topic domains of the synthetic embeddings; -1: independent topics (isolated clusters, harsher than real text)")
	flag.StringVar(&o.out, "out", filepath.Join(root, ".local", "bench", "vectors.json"), "the JSON report")
	flag.Parse()
	for _, s := range strings.Split(ef, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-ef: bad value %q", s)
		}
		o.EfSearch = append(o.EfSearch, n)
	}
	var builds []vectorbench.IndexSetting
	for _, s := range strings.Split(o.Index, ",") {
		var b vectorbench.IndexSetting
		if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d/%d", &b.M, &b.EfConstruction); err != nil {
			return fmt.Errorf("-index: bad value %q (want m/ef_construction)", s)
		}
		builds = append(builds, b)
	}
	if o.Scale < 1 || o.Users < 1 || o.Queries < 1 || o.K < 1 || o.Dims < 1 {
		return errors.New("-scale, -users, -queries, -k and -dims must be at least 1")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	tmp, err := os.MkdirTemp("", "macro-vectorbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil { // PostgreSQL runs as postgres when we are root
		return err
	}
	port, err := testenv.FreePort()
	if err != nil {
		return err
	}
	step(start, "starting PostgreSQL in %s", tmp)
	pg, err := testenv.StartPostgres(ctx, filepath.Join(tmp, "pg"), port, testenv.PostgresOptions{})
	if err != nil {
		return err
	}
	defer pg.Stop()
	if err := pg.CreateDatabase(ctx, "macro", ""); err != nil {
		return err
	}
	url := pg.URL("macro")
	if err := migrations.Apply(ctx, url, o.Dims); err != nil {
		return err
	}

	var (
		noticeMu sync.Mutex
		notices  []string
	)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return err
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		noticeMu.Lock()
		notices = append(notices, n.Message)
		noticeMu.Unlock()
	}
	takeNotices := func() []string {
		noticeMu.Lock()
		defer noticeMu.Unlock()
		out := notices
		notices = nil
		return out
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// The database stops statements after 10 s (migration 006); the load,
	// the exact scans and the index build are the bench's own and longer.
	if _, err := conn.Exec(ctx, `SET statement_timeout = 0`); err != nil {
		return fmt.Errorf("lift the statement timeout: %w", err)
	}

	rep := &Report{Generated: start.UTC(), Platform: runtime.GOOS + "/" + runtime.GOARCH, CPUs: runtime.NumCPU(),
		Options: o, Targets: vectorbench.DefaultTargets, Model: model}
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version'), (SELECT extversion FROM pg_extension WHERE extname = 'vector')`).
		Scan(&rep.PostgreSQL, &rep.PgVector); err != nil {
		return fmt.Errorf("read versions: %w", err)
	}

	if err := vectorbench.DropIndex(ctx, conn); err != nil {
		return err
	}
	step(start, "loading %d messages of the heavy user among %d users (%d dimensions)", o.Scale, o.Users, o.Dims)
	ds, err := vectorbench.Load(ctx, conn, vectorbench.Spec{Scale: o.Scale, Users: o.Users, Dims: o.Dims,
		ContentBytes: o.ContentBytes, Seed: o.Seed, Model: rep.Model, Labelled: o.Labelled})
	if err != nil {
		return err
	}
	rep.Data = ds
	step(start, "loaded %d messages in %d conversations in %.1f s; VACUUM ANALYZE", ds.Messages, ds.Conversations, ds.LoadSeconds)
	t := time.Now()
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) users, conversations, messages, message_embeddings`); err != nil {
		return fmt.Errorf("vacuum analyze: %w", err)
	}
	if _, err := vectorbench.SetVisibilityMap(ctx, conn, 10); err != nil {
		return err
	}
	rep.VacuumSeconds = time.Since(t).Seconds()

	// The users measured, and their exact answers.
	var users []vectorbench.User
	for _, kind := range []string{"heavy", "medium", "light"} {
		if u, ok := ds.User(kind); ok {
			users = append(users, u)
		}
	}
	queries := vectorbench.Queries(ds.Model, o.Seed, o.Queries)
	warmup := vectorbench.Queries(ds.Model, o.Seed+1, o.Warmup)
	step(start, "exact top-%d for %d queries per user (%d users)", o.K, o.Queries, len(users))
	t = time.Now()
	exact := map[string][][]string{}
	for _, u := range users {
		if exact[u.Kind], err = vectorbench.Exact(ctx, conn, u.ID, queries, o.K); err != nil {
			return err
		}
	}
	rep.ExactSeconds = time.Since(t).Seconds()

	pools := vectorbench.NewPools(url, 2)
	defer pools.Close()
	variants := vectorbench.Variants(o.EfSearch)
	for _, s := range builds {
		step(start, "building the HNSW index (%s, maintenance_work_mem %s, %d parallel workers)", s, o.MaintMem, o.Workers)
		b, err := vectorbench.BuildIndex(ctx, conn, s, vectorbench.BuildOptions{MaintenanceWorkMem: o.MaintMem, ParallelWorkers: o.Workers}, takeNotices)
		if err != nil {
			return err
		}
		step(start, "built in %.1f s; index %.1f MB", b.Seconds, b.Sizes.HNSWIndexMB)
		rep.Builds = append(rep.Builds, b)
		if b.Sizes.Per100kMB > rep.Targets.Per100kMB {
			rep.Missed = append(rep.Missed, fmt.Sprintf("%s: %.0f MB per 100 000 messages > %.0f MB", s, b.Sizes.Per100kMB, rep.Targets.Per100kMB))
		}
		for _, v := range variants {
			pool, err := pools.Get(ctx, v.EfSearch)
			if err != nil {
				return err
			}
			for _, u := range users {
				r := vectorbench.Measure(ctx, pool, v, u, warmup, queries, exact[u.Kind], o.K)
				if plan, text, err := vectorbench.Plan(ctx, url, v.For(u.Messages), u.ID, queries[0], o.K); err != nil {
					r.Plan = "error: " + err.Error()
				} else {
					r.Plan = plan
					if v.Store {
						r.Explain = text
					}
				}
				rep.Targets.Evaluate(r)
				b.Results = append(b.Results, r)
				if v.Store && s == vectorbench.MigrationIndex && len(r.Missed) > 0 {
					rep.Missed = append(rep.Missed, fmt.Sprintf("%s, %s, %s user: %s", s, v.Name, u.Kind, strings.Join(r.Missed, ", ")))
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
		rep.Meeting = append(rep.Meeting, meeting(b, rep.Targets)...)
	}
	if len(builds) > 0 {
		step(start, "keyword and hybrid searches: %d labelled tokens, %d common-word queries", len(ds.Labelled), o.Queries)
		// As the functions query behind the pooler: pgx's exec mode, no
		// prepared statement, so every search is planned with its own
		// words (a cached statement's generic plan, after five runs, knows
		// none of them and chose worse plans for common words).
		pcfg, err := pgxpool.ParseConfig(url + "&default_query_exec_mode=exec")
		if err != nil {
			return err
		}
		pcfg.MaxConns = 2
		pool, err := pgxpool.NewWithConfig(ctx, pcfg)
		if err != nil {
			return fmt.Errorf("open the text searches' pool: %w", err)
		}
		defer pool.Close()
		labelled := vectorbench.LabelQueries(ds, o.Seed)
		wordQueries := vectorbench.WordQueries(ds.Model, o.Seed, o.Queries)
		textWarmup := vectorbench.WordQueries(ds.Model, o.Seed+1, o.Warmup)
		heavy, _ := ds.User("heavy")
		type run struct {
			set     string
			user    vectorbench.User
			queries []vectorbench.TextQuery
		}
		runs := []run{{"labelled tokens", heavy, labelled}}
		for _, u := range users {
			runs = append(runs, run{"two common words", u, wordQueries})
		}
		for _, rn := range runs {
			if len(rn.queries) == 0 {
				continue
			}
			for _, mode := range []string{store.ModeHybrid, store.ModeKeyword, store.ModeSemantic} {
				r := vectorbench.MeasureText(ctx, pool, mode, rn.set, rn.user, textWarmup, rn.queries, o.K)
				rep.Targets.EvaluateText(r)
				rep.Text = append(rep.Text, r)
				if len(r.Missed) > 0 {
					rep.Missed = append(rep.Missed, fmt.Sprintf("%s search, %s, %s user: %s", r.Mode, r.QuerySet, r.User, strings.Join(r.Missed, ", ")))
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
	}
	rep.ElapsedSeconds = time.Since(start).Seconds()
	printReport(os.Stdout, rep, o.explain)
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	j, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.out, append(j, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("\nreport: %s\n", o.out)
	return nil
}

func printReport(w io.Writer, rep *Report, explain bool) {
	d := rep.Data
	fmt.Fprintf(w, "\nvector search: PostgreSQL %s, pgvector %s, %s, %d CPUs\n", rep.PostgreSQL, rep.PgVector, rep.Platform, rep.CPUs)
	fmt.Fprintf(w, "data: %d messages (%d dims, halfvec) in %d conversations, %d users:", d.Messages, rep.Options.Dims, d.Conversations, len(d.Users))
	seen := map[string]bool{}
	for _, u := range d.Users {
		if !seen[u.Kind] {
			seen[u.Kind] = true
			fmt.Fprintf(w, " %s %d (%.1f%%)", u.Kind, u.Messages, 100*u.Share)
		}
	}
	fmt.Fprintf(w, "\nload %.1f s (COPY), VACUUM ANALYZE %.1f s, exact scans %.1f s; %d timed + %d warm-up queries per row, k=%d\n",
		d.LoadSeconds, rep.VacuumSeconds, rep.ExactSeconds, rep.Options.Queries, rep.Options.Warmup, rep.Options.K)
	t := rep.Targets
	for _, b := range rep.Builds {
		s := b.Sizes
		fmt.Fprintf(w, "\nHNSW %s: built in %.1f s (maintenance_work_mem %s, max_parallel_maintenance_workers %d)\n",
			b.Index, b.Seconds, b.MaintenanceWorkMem, b.ParallelWorkers)
		for _, n := range b.Notices {
			fmt.Fprintf(w, "  notice: %s\n", n)
		}
		sizeMark := "ok"
		if s.Per100kMB > t.Per100kMB {
			sizeMark = "MISS"
		}
		fmt.Fprintf(w, "size: message_embeddings %.1f MB table (%.0f%% all-visible) + %.1f MB HNSW index (%.1f MB with its btrees), messages %.1f MB, conversations %.1f MB\n",
			s.EmbeddingsHeapMB, s.AllVisiblePct, s.HNSWIndexMB, s.EmbeddingsTotalMB, s.MessagesTotalMB, s.ConversationsMB)
		fmt.Fprintf(w, "      total %.1f MB for %d messages = %.1f MB per 100 000 messages (target ≤ %.0f MB) %s\n\n",
			s.TotalMB, s.Messages, s.Per100kMB, t.Per100kMB, sizeMark)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "variant\tuser\trows\tplan*\tp50 ms\tp95 ms\trecall@%d\tmin\tshort\t\t\n", rep.Options.K)
		for _, r := range b.Results {
			mark := "ok"
			if len(r.Missed) > 0 {
				mark = "MISS " + strings.Join(r.Missed, ", ")
			}
			if r.Error != "" {
				mark += ": " + r.Error
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%.2f\t%.2f\t%.3f\t%.2f\t%d\t\t%s\n",
				r.Variant.Name, r.User, r.Rows, r.Plan, r.P50Ms, r.P95Ms, r.Recall, r.MinRecall, r.Short, mark)
		}
		tw.Flush()
		if explain {
			for _, r := range b.Results {
				if r.Variant.Store && r.Explain != "" {
					fmt.Fprintf(w, "\n%s, %s user (%d rows), the run after %d warm ones:\n%s\n", r.Variant.Name, r.User, r.Rows, vectorbench.PlanRuns, r.Explain)
				}
			}
		}
	}
	if len(rep.Text) > 0 {
		fmt.Fprintf(w, "\nkeyword and hybrid search (store.KeywordMessages, store.HybridMessages: RRF k=%d of the best %d of each list, at most %d keyword matches ranked), semantic on the same queries:\n",
			store.RRFK, store.HybridCandidates, store.KeywordMaxMatches)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "mode\tqueries\tuser\trows\tp50 ms\tp95 ms\trecall@%d\t\t\n", rep.Options.K)
		for _, r := range rep.Text {
			mark := "ok"
			if r.Mode == store.ModeSemantic {
				mark = "(comparison)"
			}
			if len(r.Missed) > 0 {
				mark = "MISS " + strings.Join(r.Missed, ", ")
			}
			if r.Error != "" {
				mark += ": " + r.Error
			}
			recall := "-"
			if r.Recall >= 0 {
				recall = fmt.Sprintf("%.3f", r.Recall)
			}
			fmt.Fprintf(tw, "%s\t%s (%d)\t%s\t%d\t%.2f\t%.2f\t%s\t\t%s\n", r.Mode, r.QuerySet, r.Queries, r.User, r.Rows, r.P50Ms, r.P95Ms, recall, mark)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\ntargets: p95 ≤ %.0f ms, recall@%d ≥ %.2f, ≤ %.0f MB per 100 000 messages; \"short\" = queries that returned fewer than k rows;\n*plan: the scans of message_embeddings that ran (auto_explain, first query, after warm runs of pgx's cached prepared statement, as timed)\n",
		t.P95Ms, rep.Options.K, t.Recall, t.Per100kMB)
	if len(rep.Meeting) == 0 {
		fmt.Fprintln(w, "no variant meets every target for every user")
	} else {
		fmt.Fprintln(w, "meeting every target for every user (worst p95, worst recall):")
		for _, m := range rep.Meeting {
			fmt.Fprintf(w, "  %s\n", m)
		}
	}
	shipped := fmt.Sprintf("shipped search (%s on the migrations' HNSW %s)", vectorbench.ShippedName(), vectorbench.MigrationIndex)
	measured := false
	for _, b := range rep.Builds {
		measured = measured || b.Index == vectorbench.MigrationIndex
	}
	switch {
	case !measured:
		fmt.Fprintf(w, "%s: not measured (-index leaves out %d/%d)\n", shipped, vectorbench.MigrationIndex.M, vectorbench.MigrationIndex.EfConstruction)
	case len(rep.Missed) == 0:
		fmt.Fprintf(w, "%s: every target met\n", shipped)
	}
	for _, m := range rep.Missed {
		fmt.Fprintf(w, "MISS %s\n", m)
	}
	fmt.Fprintf(w, "elapsed %.1f s\n", rep.ElapsedSeconds)
}

// meeting lists b's variants whose results meet every target for every user.
func meeting(b *vectorbench.Build, t vectorbench.Targets) []string {
	type worst struct {
		p95, recall float64
		ok          bool
	}
	var order []string
	by := map[string]*worst{}
	for _, r := range b.Results {
		w, seen := by[r.Variant.Name]
		if !seen {
			w = &worst{recall: 1, ok: true}
			by[r.Variant.Name] = w
			order = append(order, r.Variant.Name)
		}
		w.p95, w.recall = max(w.p95, r.P95Ms), min(w.recall, r.Recall)
		w.ok = w.ok && len(r.Missed) == 0
	}
	var out []string
	for _, name := range order {
		if w := by[name]; w.ok {
			out = append(out, fmt.Sprintf("HNSW %s, %s: p95 ≤ %.1f ms, recall@10 ≥ %.3f", b.Index, name, w.p95, w.recall))
		}
	}
	return out
}

func step(start time.Time, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "vectorbench: [%5.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
}
