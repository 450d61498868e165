package vectorbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/macro-ai/macro-ai/shared/store"
)

// IndexName is the HNSW index of the migrations.
const IndexName = "message_embeddings_embedding_idx"

// MigrationIndex is the HNSW build of the migrations
// (shared/migrations/sql/004_hnsw_ef_construction.sql), the one the shipped
// search is judged on.
var MigrationIndex = IndexSetting{M: 16, EfConstruction: 128}

// IndexSetting is an HNSW build: pgvector's m and ef_construction.
type IndexSetting struct {
	M              int `json:"m"`
	EfConstruction int `json:"efConstruction"`
}

func (s IndexSetting) String() string {
	return fmt.Sprintf("m=%d ef_construction=%d", s.M, s.EfConstruction)
}

// Build is one index build and what it measured.
type Build struct {
	Index              IndexSetting `json:"index"`
	Seconds            float64      `json:"buildSeconds"`
	MaintenanceWorkMem string       `json:"maintenanceWorkMem"`
	ParallelWorkers    int          `json:"maxParallelMaintenanceWorkers"`
	Notices            []string     `json:"notices,omitempty"`
	Sizes              Sizes        `json:"sizes"`
	Results            []*Result    `json:"results"`
}

// BuildOptions tunes BuildIndex.
type BuildOptions struct {
	MaintenanceWorkMem string // "512MB"
	ParallelWorkers    int    // max_parallel_maintenance_workers
}

// DropIndex drops the HNSW index (before a load, or before a rebuild).
func DropIndex(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, `DROP INDEX IF EXISTS `+IndexName); err != nil {
		return fmt.Errorf("drop %s: %w", IndexName, err)
	}
	return nil
}

// BuildIndex (re)creates the HNSW index with s and times it. notices
// collects the server's notices during the build (pgvector says when the
// graph no longer fits in maintenance_work_mem).
func BuildIndex(ctx context.Context, conn *pgx.Conn, s IndexSetting, o BuildOptions, notices func() []string) (*Build, error) {
	if err := DropIndex(ctx, conn); err != nil {
		return nil, err
	}
	b := &Build{Index: s, MaintenanceWorkMem: o.MaintenanceWorkMem, ParallelWorkers: o.ParallelWorkers}
	for _, q := range []string{
		fmt.Sprintf(`SET maintenance_work_mem = '%s'`, strings.ReplaceAll(o.MaintenanceWorkMem, "'", "")),
		fmt.Sprintf(`SET max_parallel_maintenance_workers = %d`, o.ParallelWorkers),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	notices()
	start := time.Now()
	q := fmt.Sprintf(`CREATE INDEX %s ON message_embeddings USING hnsw (embedding halfvec_cosine_ops) WITH (m = %d, ef_construction = %d)`,
		IndexName, s.M, s.EfConstruction)
	if _, err := conn.Exec(ctx, q); err != nil {
		return nil, fmt.Errorf("build HNSW index (%s): %w", s, err)
	}
	b.Seconds = time.Since(start).Seconds()
	b.Notices = notices()
	for _, q := range []string{`RESET maintenance_work_mem`, `RESET max_parallel_maintenance_workers`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	sz, err := MeasureSizes(ctx, conn)
	if err != nil {
		return nil, err
	}
	b.Sizes = sz
	return b, nil
}

// Sizes are on-disk sizes in MB (2^20 bytes).
type Sizes struct {
	EmbeddingsHeapMB  float64 `json:"messageEmbeddingsTableMB"` // pg_table_size: heap + TOAST
	HNSWIndexMB       float64 `json:"hnswIndexMB"`
	EmbeddingsTotalMB float64 `json:"messageEmbeddingsTotalMB"` // pg_total_relation_size: with every index
	MessagesTotalMB   float64 `json:"messagesTotalMB"`
	ConversationsMB   float64 `json:"conversationsTotalMB"`
	UsersMB           float64 `json:"usersTotalMB"`
	TotalMB           float64 `json:"totalMB"` // the four tables with their indexes
	Messages          int     `json:"messages"`
	// AllVisiblePct is the share of message_embeddings' pages the
	// visibility map marks all-visible (pg_class.relallvisible), which the
	// planner weighs for index-only scans.
	AllVisiblePct float64 `json:"allVisiblePct"`
	// Per100kMB is TotalMB for 100 000 messages (TotalMB scaled by
	// 100000/messages): what the target is about.
	Per100kMB float64 `json:"per100kMessagesMB"`
}

// MeasureSizes reads the tables' and the HNSW index's sizes.
func MeasureSizes(ctx context.Context, db *pgx.Conn) (Sizes, error) {
	var s Sizes
	var heap, idx, emb, msgs, convs, users int64
	err := db.QueryRow(ctx, `SELECT pg_table_size('message_embeddings'), pg_relation_size('`+IndexName+`'),
		pg_total_relation_size('message_embeddings'), pg_total_relation_size('messages'),
		pg_total_relation_size('conversations'), pg_total_relation_size('users'),
		(SELECT count(*) FROM messages),
		(SELECT coalesce(100 * relallvisible::float8 / nullif(relpages, 0), 0) FROM pg_class WHERE oid = 'message_embeddings'::regclass)`).
		Scan(&heap, &idx, &emb, &msgs, &convs, &users, &s.Messages, &s.AllVisiblePct)
	if err != nil {
		return Sizes{}, fmt.Errorf("measure sizes: %w", err)
	}
	mb := func(n int64) float64 { return float64(n) / (1 << 20) }
	s.EmbeddingsHeapMB, s.HNSWIndexMB, s.EmbeddingsTotalMB = mb(heap), mb(idx), mb(emb)
	s.MessagesTotalMB, s.ConversationsMB, s.UsersMB = mb(msgs), mb(convs), mb(users)
	s.TotalMB = s.EmbeddingsTotalMB + s.MessagesTotalMB + s.ConversationsMB + s.UsersMB
	if s.Messages > 0 {
		s.Per100kMB = s.TotalMB * 100000 / float64(s.Messages)
	}
	return s, nil
}

// Variant is a way to run the nearest-neighbour search.
type Variant struct {
	Name string `json:"name"`
	// Store runs the real store.NearestMessages, the shipped search, which
	// sets its own iterative scan and ef_search (IterativeScan and EfSearch
	// say what it sets) and picks its exact or HNSW branch itself. The
	// other variants run a query of their own with IterativeScan, and
	// EfSearch set for the session.
	Store         bool   `json:"store"`
	IterativeScan string `json:"iterativeScan"` // off, strict_order or relaxed_order
	EfSearch      int    `json:"efSearch"`
	// Resort wraps a relaxed_order scan in a materialised CTE re-sorted by
	// distance, as pgvector's README advises.
	Resort bool `json:"resort,omitempty"`
	// Exact runs the query with index scans off: the user's rows through
	// the user_id index (a bitmap scan) and a top-k sort, no HNSW.
	Exact bool `json:"exact,omitempty"`
	// ExactUpTo makes the search exact for a user with at most this many
	// vectors (a hybrid: small users scan, large ones use the index): the
	// bench's own take on what store.NearestMessages does (its exact scan is
	// Exact's, parallel workers allowed), to try at other ef_search values.
	ExactUpTo int `json:"exactUpTo,omitempty"`
}

// For returns the variant as it runs for a user with rows vectors.
func (v Variant) For(rows int) Variant {
	if v.ExactUpTo > 0 && rows <= v.ExactUpTo {
		v.Exact, v.Resort, v.Store, v.IterativeScan = true, false, false, "off"
	}
	return v
}

// ShippedName is the shipped variant's name: store.NearestMessages with
// what it sets.
func ShippedName() string {
	return fmt.Sprintf("store.NearestMessages (shipped: exact ≤ %d vectors, else %s + re-sort ef=%d)",
		store.ExactScanMaxVectors, store.IterativeScan, store.EfSearch)
}

// Variants is the shipped search (store.NearestMessages, whatever
// ef_search is asked for: it sets its own); then, for each ef_search, the
// previous search (strict_order iterative scan), the plain HNSW scan with
// the filter applied after it, relaxed_order with a re-sort, and the bench's
// own hybrid (the exact scan for small users, else the latter); then the
// exact scan (no HNSW), once.
func Variants(efSearch []int) []Variant {
	vs := []Variant{{Name: ShippedName(), Store: true, IterativeScan: store.IterativeScan, EfSearch: store.EfSearch}}
	for _, ef := range efSearch {
		vs = append(vs,
			Variant{Name: fmt.Sprintf("strict_order (the previous search) ef=%d", ef), IterativeScan: "strict_order", EfSearch: ef},
			Variant{Name: fmt.Sprintf("iterative_scan off ef=%d", ef), IterativeScan: "off", EfSearch: ef},
			Variant{Name: fmt.Sprintf("relaxed_order + re-sort ef=%d", ef), IterativeScan: "relaxed_order", EfSearch: ef, Resort: true},
			Variant{Name: fmt.Sprintf("hybrid (bench's query): exact ≤ %d rows, else relaxed_order + re-sort ef=%d", store.ExactScanMaxVectors, ef),
				IterativeScan: "relaxed_order", EfSearch: ef, Resort: true, ExactUpTo: store.ExactScanMaxVectors},
		)
	}
	if len(efSearch) > 0 {
		vs = append(vs, Variant{Name: "exact scan (index scans off)", IterativeScan: "off", EfSearch: efSearch[0], Exact: true})
	}
	return vs
}

// Result is one variant for one user.
type Result struct {
	Variant Variant `json:"variant"`
	User    string  `json:"user"` // kind
	Rows    int     `json:"userRows"`
	// Plan is how the search read message_embeddings (see Plan); Explain,
	// for the shipped search, its EXPLAIN ANALYZE.
	Plan      string  `json:"plan"`
	Explain   string  `json:"explain,omitempty"`
	Queries   int     `json:"queries"`
	P50Ms     float64 `json:"p50Ms"`
	P95Ms     float64 `json:"p95Ms"`
	MeanMs    float64 `json:"meanMs"`
	Recall    float64 `json:"recallAt10"`
	MinRecall float64 `json:"minRecall"`
	// Short counts the queries that returned fewer than k rows although
	// the user has k.
	Short  int      `json:"shortResults"`
	Missed []string `json:"missed,omitempty"`
	Error  string   `json:"error,omitempty"`
}

// Queries draws n query vectors near the model's topics.
func Queries(m *Model, seed uint64, n int) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 4))
	out := make([][]float32, n)
	for i := range out {
		out[i] = m.Vector(rng, m.Topic(rng), nil)
	}
	return out
}

// Exact returns, for each query, the ids of the user's k nearest messages
// by an exact scan: the same ordering with index scans off, so that the
// HNSW index cannot be used (a bitmap scan of the user_id index and a
// top-k sort, or a sequential scan, are exact).
func Exact(ctx context.Context, conn *pgx.Conn, userID string, queries [][]float32, k int) ([][]string, error) {
	if _, err := conn.Exec(ctx, `SET enable_indexscan = off`); err != nil {
		return nil, fmt.Errorf("exact scan: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `RESET enable_indexscan`)
	out := make([][]string, len(queries))
	for i, q := range queries {
		rows, err := conn.Query(ctx, `SELECT message_id::text FROM message_embeddings
			WHERE user_id = $1 ORDER BY embedding <=> $2::halfvec LIMIT $3`, userID, store.VectorLiteral(q), k)
		if err != nil {
			return nil, fmt.Errorf("exact scan: %w", err)
		}
		out[i], err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("exact scan: %w", err)
		}
	}
	return out, nil
}

// nearestSQL is the search store.NearestMessages shipped before the hybrid
// (an HNSW scan with the user filter and the iterative scan set), for the
// variants other than the shipped one.
const nearestSQL = `
		SELECT e.conversation_id::text, c.title, m.id::text, m.role, m.content, m.created_at,
		       1 - (e.embedding <=> $2::halfvec) AS score
		FROM message_embeddings e
		JOIN messages m ON m.id = e.message_id
		JOIN conversations c ON c.id = e.conversation_id
		WHERE e.user_id = $1
		  AND ($4 = '' OR e.conversation_id = NULLIF($4, '')::uuid)
		  AND ($5 = '' OR e.conversation_id <> NULLIF($5, '')::uuid)
		ORDER BY e.embedding <=> $2::halfvec
		LIMIT $3`

// resortSQL is the same search with relaxed ordering made exact again.
const resortSQL = `
		WITH nearest AS MATERIALIZED (
			SELECT e.message_id, e.conversation_id, e.embedding <=> $2::halfvec AS distance
			FROM message_embeddings e
			WHERE e.user_id = $1
			  AND ($4 = '' OR e.conversation_id = NULLIF($4, '')::uuid)
			  AND ($5 = '' OR e.conversation_id <> NULLIF($5, '')::uuid)
			ORDER BY distance
			LIMIT $3
		)
		SELECT n.conversation_id::text, c.title, m.id::text, m.role, m.content, m.created_at, 1 - n.distance AS score
		FROM nearest n
		JOIN messages m ON m.id = n.message_id
		JOIN conversations c ON c.id = n.conversation_id
		ORDER BY n.distance + 0`

func variantSQL(v Variant) string {
	if v.Resort {
		return resortSQL
	}
	return nearestSQL
}

// search runs v once and returns the message ids, best first.
func search(ctx context.Context, db store.DB, v Variant, userID string, q []float32, k int) ([]string, error) {
	var rel []store.Related
	if v.Store {
		var err error
		rel, err = store.NearestMessages(ctx, db, userID, q, store.NearestOptions{Limit: k})
		if err != nil {
			return nil, err
		}
	} else {
		b := &pgx.Batch{}
		if v.Exact {
			b.Queue(`SELECT set_config('enable_indexscan', 'off', true)`)
		} else {
			b.Queue(`SELECT set_config('hnsw.iterative_scan', $1, true)`, v.IterativeScan)
		}
		b.Queue(variantSQL(v), userID, store.VectorLiteral(q), k, "", "")
		br := db.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, fmt.Errorf("set iterative scan: %w", err)
		}
		rows, err := br.Query()
		if err != nil {
			br.Close()
			return nil, err
		}
		for rows.Next() {
			var r store.Related
			if err := rows.Scan(&r.ConversationID, &r.ConversationTitle, &r.MessageID, &r.Role, &r.Content, &r.CreatedAt, &r.Score); err != nil {
				rows.Close()
				br.Close()
				return nil, err
			}
			rel = append(rel, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			br.Close()
			return nil, err
		}
		if err := br.Close(); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(rel))
	for i, r := range rel {
		ids[i] = r.MessageID
	}
	return ids, nil
}

// PlanRuns is how many times Plan runs a search before it explains one:
// past the five custom plans after which PostgreSQL's plan cache may switch
// a prepared statement to its generic plan, as the timed runs' statements
// are.
const PlanRuns = 6

// Plan runs v for userID as Measure does (the same statements through
// pgx's statement cache, on a connection of its own with the session's
// ef_search at v.EfSearch), PlanRuns times, then once more with
// auto_explain (ANALYZE) on, and returns how that run read
// message_embeddings — the scans that ran, "+"-joined: "hnsw",
// "bitmap(user_idx)", "index-only(user_idx)", "seq" and so on; a scan of
// a branch that never ran is left out — and its text plan (the query
// vector elided). auto_explain needs a superuser.
func Plan(ctx context.Context, connString string, v Variant, userID string, q []float32, k int) (summary, text string, err error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return "", "", fmt.Errorf("explain: %w", err)
	}
	var (
		mu      sync.Mutex
		notices []string
	)
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		notices = append(notices, n.Message)
		mu.Unlock()
	}
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := notices
		notices = nil
		return out
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", "", fmt.Errorf("explain: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, fmt.Sprintf(`SET hnsw.ef_search = %d; LOAD 'auto_explain'`, v.EfSearch)); err != nil {
		return "", "", fmt.Errorf("explain: %w", err)
	}
	for range PlanRuns {
		if _, err := search(ctx, conn, v, userID, q, k); err != nil {
			return "", "", fmt.Errorf("explain: %w", err)
		}
	}
	// A run per format: JSON to read, text to show.
	plans := map[string]string{}
	for _, format := range []string{"json", "text"} {
		if _, err := conn.Exec(ctx, `SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;
			SET auto_explain.log_level = notice; SET auto_explain.log_format = `+format); err != nil {
			return "", "", fmt.Errorf("explain: %w", err)
		}
		take()
		if _, err := search(ctx, conn, v, userID, q, k); err != nil {
			return "", "", fmt.Errorf("explain: %w", err)
		}
		if _, err := conn.Exec(ctx, `SET auto_explain.log_min_duration = -1`); err != nil {
			return "", "", fmt.Errorf("explain: %w", err)
		}
		// The search's statement is the one that reads message_embeddings
		// (the batch's set_config is explained too).
		for _, n := range take() {
			if strings.Contains(n, "message_embeddings") {
				plans[format] = n
			}
		}
	}
	// "duration: … ms  plan:\n{…}"
	i := strings.Index(plans["json"], "{")
	if i < 0 || plans["text"] == "" {
		return "", "", errors.New("explain: auto_explain sent no plan")
	}
	var doc struct{ Plan planNode }
	if err := json.Unmarshal([]byte(plans["json"][i:]), &doc); err != nil {
		return "", "", fmt.Errorf("explain: decode plan: %w", err)
	}
	var scans []string
	doc.Plan.walk(func(n planNode) {
		if n.Relation != "message_embeddings" && !strings.HasPrefix(n.Index, "message_embeddings") || n.Loops == 0 {
			return
		}
		switch {
		case n.Index == IndexName:
			scans = append(scans, "hnsw")
		case n.Index != "":
			kind := strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(strings.TrimSuffix(n.Type, " Scan"), " Index"), " ", "-"))
			scans = append(scans, kind+"("+strings.TrimPrefix(n.Index, "message_embeddings_")+")")
		case n.Type == "Seq Scan":
			scans = append(scans, "seq")
		}
	})
	summary = "?"
	if len(scans) > 0 {
		summary = strings.Join(scans, "+")
	}
	return summary, vectorLiteral.ReplaceAllString(dropQueryText(plans["text"]), "'[…]'"), nil
}

// dropQueryText leaves out the statement auto_explain quotes before the
// plan (its lines are indented; the plan's first is not).
func dropQueryText(s string) string {
	var out []string
	skipping := false
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(l, "Query Text:"):
			skipping = true
		case skipping && (l == "" || l[0] == ' ' || l[0] == '\t'):
		default:
			skipping = false
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// vectorLiteral matches a vector in a plan's text.
var vectorLiteral = regexp.MustCompile(`'\[[^\]]*\]'`)

type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Loops    float64    `json:"Actual Loops"` // 0: never executed
	Plans    []planNode `json:"Plans"`
}

func (n planNode) walk(f func(planNode)) {
	f(n)
	for _, c := range n.Plans {
		c.walk(f)
	}
}

// Pools holds a pool per ef_search, set for the session when a connection
// opens, for the variants other than store.NearestMessages (which sets its
// own for its transaction).
type Pools struct {
	url   string
	conns int32
	mu    sync.Mutex
	pools map[int]*pgxpool.Pool
}

// NewPools returns pools of conns connections each to url.
func NewPools(url string, conns int32) *Pools {
	return &Pools{url: url, conns: conns, pools: map[int]*pgxpool.Pool{}}
}

// Get returns the pool whose connections use ef_search ef.
func (p *Pools) Get(ctx context.Context, ef int) (*pgxpool.Pool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pool, ok := p.pools[ef]; ok {
		return pool, nil
	}
	cfg, err := pgxpool.ParseConfig(p.url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	cfg.MaxConns, cfg.MinConns = p.conns, p.conns
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, fmt.Sprintf(`SET hnsw.ef_search = %d`, ef))
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	p.pools[ef] = pool
	return pool, nil
}

// Close closes every pool.
func (p *Pools) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pool := range p.pools {
		pool.Close()
	}
}

// Measure runs v for user: warmup queries first (not counted), then each of
// queries one at a time, timing store-level latency and recall@k against
// exact.
func Measure(ctx context.Context, pool *pgxpool.Pool, v Variant, user User, warmup, queries [][]float32, exact [][]string, k int) *Result {
	r := &Result{Variant: v, User: user.Kind, Rows: user.Messages, Queries: len(queries), MinRecall: 1}
	v = v.For(user.Messages)
	for _, q := range warmup {
		if _, err := search(ctx, pool, v, user.ID, q, k); err != nil {
			r.Error = err.Error()
			return r
		}
	}
	lat := make([]time.Duration, 0, len(queries))
	recalls := make([]float64, 0, len(queries))
	for i, q := range queries {
		t := time.Now()
		ids, err := search(ctx, pool, v, user.ID, q, k)
		lat = append(lat, time.Since(t))
		if err != nil {
			r.Error = err.Error()
			return r
		}
		rc := Recall(ids, exact[i])
		recalls = append(recalls, rc)
		r.MinRecall = min(r.MinRecall, rc)
		if len(ids) < min(k, user.Messages) {
			r.Short++
		}
	}
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	r.P50Ms, r.P95Ms = Millis(Percentile(lat, 50)), Millis(Percentile(lat, 95))
	r.MeanMs = Millis(sum) / float64(len(lat))
	r.Recall = Mean(recalls)
	return r
}

// Targets are the search's targets (docs/search.md): p95 latency, recall@10
// and storage per 100 000 messages.
type Targets struct {
	P95Ms      float64 `json:"p95Ms"`
	Recall     float64 `json:"recallAt10"`
	Per100kMB  float64 `json:"per100kMessagesMB"`
	BuildNotes string  `json:"note"`
}

// DefaultTargets: p95 ≤ 20 ms, recall@10 ≥ 0.95, under 512 MB for 100 000
// messages (Neon's free tier).
var DefaultTargets = Targets{P95Ms: 20, Recall: 0.95, Per100kMB: 512,
	BuildNotes: "latency and recall per user and variant; size: messages, conversations, users and message_embeddings with all their indexes, scaled to 100 000 messages"}

// Evaluate fills r.Missed against t.
func (t Targets) Evaluate(r *Result) {
	r.Missed = nil
	if r.Error != "" {
		r.Missed = append(r.Missed, "error")
		return
	}
	if r.P95Ms > t.P95Ms {
		r.Missed = append(r.Missed, fmt.Sprintf("p95 %.1f ms > %.0f ms", r.P95Ms, t.P95Ms))
	}
	if r.Recall < t.Recall {
		r.Missed = append(r.Missed, fmt.Sprintf("recall@10 %.3f < %.2f", r.Recall, t.Recall))
	}
}
