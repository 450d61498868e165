package store

// The vectors: storing messages' embeddings and the nearest-neighbour
// search over them (pgvector halfvec, exact or HNSW).

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Related is an earlier message near a query vector.
type Related struct {
	ConversationID    string    `json:"conversationId"`
	ConversationTitle string    `json:"conversationTitle"`
	MessageID         string    `json:"messageId"`
	Role              string    `json:"role"`
	Content           string    `json:"content"`
	CreatedAt         time.Time `json:"createdAt"`
	// Score is the cosine similarity (NearestMessages), the ts_rank
	// (KeywordMessages) or the reciprocal rank fusion score (HybridMessages).
	Score float64 `json:"score"`
}

// NearestOptions narrows a nearest-neighbour search.
type NearestOptions struct {
	Limit int
	// InConversation keeps only that conversation's messages; NotInConversation
	// leaves that conversation out. Either may be "".
	InConversation    string
	NotInConversation string
}

// IterativeScan is pgvector's hnsw.iterative_scan for the HNSW branch of
// NearestMessages (pgvector ≥ 0.8): with it the scan keeps going until
// enough rows pass the user filter, so that a user whose vectors are a
// small part of the index still gets a full result. relaxed_order may
// return the rows slightly out of order; the query sorts them again by
// distance.
const IterativeScan = "relaxed_order"

// EfSearch is pgvector's hnsw.ef_search (the HNSW scan's candidate list;
// pgvector's default is 40) for the HNSW branch of NearestMessages, raised
// to the limit when the limit is larger.
const EfSearch = 64

// ExactScanMaxVectors is the number of vectors up to which NearestMessages
// searches a caller's vectors exactly (their rows through the user_id index
// and a top-k sort, no HNSW) rather than in the HNSW index: an HNSW scan
// filtered to a user who holds a small part of the index loses recall,
// while an exact scan of a few thousand vectors is fast (local/vectorbench:
// about 1 ms for 2 000 vectors; 17 ms for 10 000, 120 ms for 100 000). A
// variable so that tests can lower it.
var ExactScanMaxVectors = 5000

// nearestSQL is the hybrid search. n counts the caller's vectors, up to one
// past the threshold, from the user_id index. Exactly one branch then runs,
// each gated by a one-time filter on n.small (EXPLAIN ANALYZE shows the
// other's scan as "never executed"): exact sorts all the caller's vectors
// by distance ("+ 0" keeps the planner off the HNSW index); hnsw walks the
// HNSW index with the iterative scan, materialised with its LIMIT as
// pgvector advises for relaxed_order. The rows are then joined and sorted
// by distance again. %[1]d is the limit (a literal, so that a generic plan
// still expects that few rows and joins them by index), $1 the user, $2
// the query vector, $3 the conversation to leave out (or empty), $4
// ExactScanMaxVectors.
const nearestSQL = `
		WITH n AS (
			SELECT count(*) <= $4 AS small
			FROM (SELECT 1 FROM message_embeddings WHERE user_id = $1 LIMIT $4 + 1) s
		), exact AS (
			SELECT e.message_id, e.conversation_id, e.embedding <=> $2::halfvec AS distance
			FROM message_embeddings e
			WHERE (SELECT small FROM n)
			  AND e.user_id = $1
			  AND ($3 = '' OR e.conversation_id <> NULLIF($3, '')::uuid)
			ORDER BY (e.embedding <=> $2::halfvec) + 0
			LIMIT %[1]d
		), hnsw AS MATERIALIZED (
			SELECT e.message_id, e.conversation_id, e.embedding <=> $2::halfvec AS distance
			FROM message_embeddings e
			WHERE NOT (SELECT small FROM n)
			  AND e.user_id = $1
			  AND ($3 = '' OR e.conversation_id <> NULLIF($3, '')::uuid)
			ORDER BY e.embedding <=> $2::halfvec
			LIMIT %[1]d
		), nearest AS (
			SELECT * FROM exact UNION ALL SELECT * FROM hnsw
		)
		SELECT n.conversation_id::text, c.title, m.id::text, m.role, m.content, m.created_at, 1 - n.distance
		FROM nearest n
		JOIN messages m ON m.id = n.message_id
		JOIN conversations c ON c.id = n.conversation_id
		ORDER BY n.distance, n.message_id
		LIMIT %[1]d`

// nearestInConversationSQL is the exact search of one conversation: its
// vectors are few, while an HNSW scan with so narrow a filter goes far.
// %[1]d is the limit, $1 the user, $2 the query vector, $3 the
// conversation to leave out (or empty), $4 the conversation.
const nearestInConversationSQL = `
		WITH n AS (
			SELECT e.message_id, e.conversation_id, e.embedding <=> $2::halfvec AS distance
			FROM message_embeddings e
			WHERE e.conversation_id = $4::uuid
			  AND e.user_id = $1
			  AND ($3 = '' OR e.conversation_id <> NULLIF($3, '')::uuid)
			ORDER BY (e.embedding <=> $2::halfvec) + 0
			LIMIT %[1]d
		)
		SELECT n.conversation_id::text, c.title, m.id::text, m.role, m.content, m.created_at, 1 - n.distance
		FROM n
		JOIN messages m ON m.id = n.message_id
		JOIN conversations c ON c.id = n.conversation_id
		ORDER BY n.distance, n.message_id`

// NearestMessages returns the caller's messages nearest to vector, best
// first, in one round trip: a pipelined batch whose first statement sets,
// for its own implicit transaction (so that it also works behind a
// transaction pooler), hnsw.iterative_scan and hnsw.ef_search, and no
// parallel workers (a Gather would start them even for the branch that
// does not run), and whose second statement searches. A caller with at
// most ExactScanMaxVectors vectors, or a search narrowed to one
// conversation, is searched exactly; any other in the HNSW index (see
// nearestSQL). A limit below 1 finds nothing.
func NearestMessages(ctx context.Context, db DB, userID string, vector []float32, opt NearestOptions) ([]Related, error) {
	if opt.Limit < 1 {
		return nil, nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('hnsw.iterative_scan', $1, true), set_config('hnsw.ef_search', $2, true),
		set_config('max_parallel_workers_per_gather', '0', true)`,
		IterativeScan, strconv.Itoa(max(EfSearch, opt.Limit)))
	if opt.InConversation != "" {
		b.Queue(fmt.Sprintf(nearestInConversationSQL, opt.Limit),
			userID, VectorLiteral(vector), opt.NotInConversation, opt.InConversation)
	} else {
		b.Queue(fmt.Sprintf(nearestSQL, opt.Limit),
			userID, VectorLiteral(vector), opt.NotInConversation, ExactScanMaxVectors)
	}
	br := db.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("nearest messages of %s: set the scan: %w", userID, err)
	}
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("nearest messages of %s: %w", userID, err)
	}
	defer rows.Close()
	var out []Related
	for rows.Next() {
		var r Related
		if err := rows.Scan(&r.ConversationID, &r.ConversationTitle, &r.MessageID, &r.Role, &r.Content, &r.CreatedAt, &r.Score); err != nil {
			return nil, fmt.Errorf("scan nearest message: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("nearest messages of %s: %w", userID, err)
	}
	return out, nil
}

// Embedding is a message's vector to store.
type Embedding struct {
	MessageID string
	Vector    []float32
}

// StoreEmbeddings stores vectors of the caller's messages and marks them
// embedded, in one round trip. A message that has a vector already keeps it.
func StoreEmbeddings(ctx context.Context, db DB, userID, model string, items []Embedding) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]string, len(items))
	vecs := make([]string, len(items))
	for i, it := range items {
		ids[i], vecs[i] = it.MessageID, VectorLiteral(it.Vector)
	}
	_, err := db.Exec(ctx, `
		WITH v AS (
			SELECT * FROM unnest($2::uuid[], $3::text[]) AS v(message_id, embedding)
		), ins AS (
			INSERT INTO message_embeddings (message_id, user_id, conversation_id, model, embedding)
			SELECT m.id, m.user_id, m.conversation_id, $4, v.embedding::halfvec
			FROM v JOIN messages m ON m.id = v.message_id AND m.user_id = $1
			ON CONFLICT (message_id) DO NOTHING
			RETURNING message_id
		)
		UPDATE messages SET embedded_at = now() WHERE id IN (SELECT message_id FROM v) AND user_id = $1`,
		userID, ids, vecs, model)
	if err != nil {
		return fmt.Errorf("store %d embeddings: %w", len(items), err)
	}
	return nil
}

// VectorLiteral formats v as pgvector's text input, '[1,2,3]'.
func VectorLiteral(v []float32) string {
	b := make([]byte, 0, len(v)*10+2)
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, float64(x), 'g', -1, 32)
	}
	return string(append(b, ']'))
}
