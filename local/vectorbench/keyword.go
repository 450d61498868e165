package vectorbench

// The keyword and hybrid searches (store.KeywordMessages,
// store.HybridMessages) at scale: latency, and recall@k on the labelled
// set (messages holding a unique token, and a query for each token).

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/shared/store"
)

// TextQuery is a search by text and its vector; Want is the labelled
// message it must find, if any.
type TextQuery struct {
	Text   string
	Vector []float32
	Want   string
}

// LabelQueries is a query for each labelled token. Its vector is that of a
// random topic: the embedding of an identifier it never saw says nothing
// about the message holding it (the case keyword search is for), so the
// semantic search finds the message only by chance.
func LabelQueries(ds *Dataset, seed uint64) []TextQuery {
	rng := rand.New(rand.NewPCG(seed, 6))
	out := make([]TextQuery, len(ds.Labelled))
	for i, l := range ds.Labelled {
		out[i] = TextQuery{Text: l.Token, Vector: ds.Model.Vector(rng, ds.Model.Topic(rng), nil), Want: l.MessageID}
	}
	return out
}

// WordQueries are n queries of two common words of the synthetic texts
// (each word is in most messages, so the keyword list is as long as it
// gets: the keyword search's worst case) with a vector near a topic.
func WordQueries(m *Model, seed uint64, n int) []TextQuery {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]TextQuery, n)
	for i := range out {
		out[i] = TextQuery{Text: words[27+rng.IntN(len(words)-27)] + " " + words[27+rng.IntN(len(words)-27)],
			Vector: m.Vector(rng, m.Topic(rng), nil)}
	}
	return out
}

// TextResult is one mode on one query set for one user.
type TextResult struct {
	Mode     string  `json:"mode"`
	QuerySet string  `json:"querySet"`
	User     string  `json:"user"`
	Rows     int     `json:"userRows"`
	Queries  int     `json:"queries"`
	P50Ms    float64 `json:"p50Ms"`
	P95Ms    float64 `json:"p95Ms"`
	MeanMs   float64 `json:"meanMs"`
	// Recall is the share of labelled queries whose message was among the
	// first k; -1 when the set has no labels.
	Recall float64  `json:"recallAtK"`
	Missed []string `json:"missed,omitempty"`
	Error  string   `json:"error,omitempty"`
}

// SearchText runs mode (store.ModeSemantic, ModeKeyword or ModeHybrid)
// once and returns the message ids, best first.
func SearchText(ctx context.Context, db store.DB, mode, userID string, q TextQuery, k int) ([]string, error) {
	opt := store.NearestOptions{Limit: k}
	var rs []store.Related
	var err error
	switch mode {
	case store.ModeKeyword:
		rs, err = store.KeywordMessages(ctx, db, userID, q.Text, opt)
	case store.ModeHybrid:
		rs, err = store.HybridMessages(ctx, db, userID, q.Text, q.Vector, opt)
	case store.ModeSemantic:
		rs, err = store.NearestMessages(ctx, db, userID, q.Vector, opt)
	default:
		return nil, fmt.Errorf("unknown mode %q", mode)
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.MessageID
	}
	return ids, err
}

// MeasureText runs mode for user over queries (warmup first, untimed).
func MeasureText(ctx context.Context, pool *pgxpool.Pool, mode, set string, user User, warmup, queries []TextQuery, k int) *TextResult {
	r := &TextResult{Mode: mode, QuerySet: set, User: user.Kind, Rows: user.Messages, Queries: len(queries), Recall: -1}
	for _, q := range warmup {
		if _, err := SearchText(ctx, pool, mode, user.ID, q, k); err != nil {
			r.Error = err.Error()
			return r
		}
	}
	lat := make([]time.Duration, 0, len(queries))
	var labelled, found int
	for _, q := range queries {
		t := time.Now()
		ids, err := SearchText(ctx, pool, mode, user.ID, q, k)
		lat = append(lat, time.Since(t))
		if err != nil {
			r.Error = err.Error()
			return r
		}
		if q.Want != "" {
			labelled++
			for _, id := range ids {
				if id == q.Want {
					found++
					break
				}
			}
		}
	}
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	r.P50Ms, r.P95Ms = Millis(Percentile(lat, 50)), Millis(Percentile(lat, 95))
	r.MeanMs = Millis(sum) / float64(len(lat))
	if labelled > 0 {
		r.Recall = float64(found) / float64(labelled)
	}
	return r
}

// KeywordRecallTarget is the keyword and hybrid searches' recall@k on the
// labelled set: every unique token found.
const KeywordRecallTarget = 1.0

// EvaluateText fills r.Missed: p95 against t for the keyword and hybrid
// searches, and recall on the labelled set against KeywordRecallTarget for
// them (the semantic search is measured for comparison only).
func (t Targets) EvaluateText(r *TextResult) {
	r.Missed = nil
	if r.Error != "" {
		r.Missed = append(r.Missed, "error")
		return
	}
	if r.Mode == store.ModeSemantic {
		return
	}
	if r.P95Ms > t.P95Ms {
		r.Missed = append(r.Missed, fmt.Sprintf("p95 %.1f ms > %.0f ms", r.P95Ms, t.P95Ms))
	}
	if r.Recall >= 0 && r.Recall < KeywordRecallTarget {
		r.Missed = append(r.Missed, fmt.Sprintf("recall@k %.3f < %.1f", r.Recall, KeywordRecallTarget))
	}
}
