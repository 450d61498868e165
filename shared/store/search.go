package store

// Keyword and hybrid search over a caller's messages (docs/search.md):
// PostgreSQL full-text search on messages.content_tsv (migration 010, the
// 'simple' configuration) and its fusion with the vector neighbours by
// reciprocal rank fusion, each in one round trip.

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// Search modes of GET /search.
const (
	ModeSemantic = "semantic" // the vector neighbours (NearestMessages)
	ModeKeyword  = "keyword"  // full-text matches (KeywordMessages)
	ModeHybrid   = "hybrid"   // both, fused (HybridMessages)
)

// RRFK is reciprocal rank fusion's k: a message's hybrid score is the sum,
// over the lists it is in, of 1 / (RRFK + its rank there), ranks from 1.
const RRFK = 60

// HybridCandidates is how many of the best of each list HybridMessages
// fuses (at least the limit): twice the default page, which is what reciprocal
// rank fusion needs to order its first ten. Each candidate costs the HNSW
// scan more of the index for a user whose vectors are a small part of it
// (local/vectorbench). A variable so that the bench can change it.
var HybridCandidates = 20

// KeywordMaxMatches bounds the matches KeywordMessages and HybridMessages
// rank by ts_rank: a query made of words that most messages hold (the
// 'simple' configuration keeps stop words) would otherwise rank all of a
// heavy user's messages. Past it, the first matches found are ranked. An
// identifier, an error string or a name matches far fewer. A variable so
// that tests and the bench can change it.
var KeywordMaxMatches = 500

// The query's text becomes a tsquery by websearch_to_tsquery('simple', …):
// every word must be present ("a b" is a AND b), "quoted words" are a
// phrase, "or" is OR and -word excludes; an identifier such as ERR_7f3a9c
// is split into the phrase 'err' <-> '7f3a9c'. It never fails to parse; a
// query with no words matches nothing.

// keywordMatches is the caller's messages matching the query, at most
// KeywordMaxMatches of them, found in the GIN index over (user_id,
// content_tsv) (migration 014), which holds only the caller's rows for
// the caller's id: a light user with a common word and a heavy user with a
// rare token each read their own matches and nothing else. %[1]s is the
// query's text parameter, %[2]s the conversation filter ("" or "AND
// conversation_id = $n::uuid"), %[3]d KeywordMaxMatches; $1 is the user, $3
// the conversation to leave out.
const keywordMatches = `
		kmatch AS (
			SELECT id, content_tsv FROM messages
			WHERE user_id = $1
			  AND content_tsv @@ websearch_to_tsquery('simple', %[1]s)
			  AND ($3 = '' OR conversation_id <> NULLIF($3, '')::uuid)
			  %[2]s
			LIMIT %[3]d
		)`

// keywordSQL ranks the caller's messages matching $2. %[1]d is the limit,
// %[2]s keywordMatches; $1 the user, $2 the query's text, $3 the
// conversation to leave out (or empty), $4 the only conversation (optional).
const keywordSQL = `
		WITH %[2]s, k AS (
			SELECT m.id, ts_rank(m.content_tsv, websearch_to_tsquery('simple', $2), 32) AS rank
			FROM kmatch m
			ORDER BY rank DESC, m.id
			LIMIT %[1]d
		)
		SELECT m.conversation_id::text, c.title, m.id::text, m.role, m.content, m.created_at, k.rank::float8
		FROM k
		JOIN messages m ON m.id = k.id
		JOIN conversations c ON c.id = m.conversation_id
		ORDER BY k.rank DESC, k.id`

// KeywordMessages returns the caller's messages that hold every word of
// query (websearch syntax, 'simple' configuration), best first by ts_rank,
// in one round trip (a pipelined batch: no parallel workers, whose start
// costs more than the search, then the search); Score is the ts_rank with
// normalisation 32 (rank / (rank + 1): in [0, 1)). It needs no vector.
// Messages not yet embedded are found too. A limit below 1 finds nothing.
func KeywordMessages(ctx context.Context, db DB, userID, query string, opt NearestOptions) ([]Related, error) {
	if opt.Limit < 1 {
		return nil, nil
	}
	args := []any{userID, query, opt.NotInConversation}
	inConv := ""
	if opt.InConversation != "" {
		inConv = "AND conversation_id = $4::uuid"
		args = append(args, opt.InConversation)
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('max_parallel_workers_per_gather', '0', true)`)
	var out []Related
	b.Queue(fmt.Sprintf(keywordSQL, opt.Limit, fmt.Sprintf(keywordMatches, "$2", inConv, KeywordMaxMatches)), args...).
		Query(func(rows pgx.Rows) error {
			var err error
			out, err = collectRelated(rows, "keyword search of "+userID)
			return err
		})
	if err := db.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("keyword search of %s: %w", userID, err)
	}
	return out, nil
}

// hybridKeywordCTE is the keyword list of the hybrid search: its best
// %[2]d (the candidates) matches numbered by ts_rank; $5 is the query's
// text, %[3]s keywordMatches.
const hybridKeywordCTE = `
		%[3]s,
		kw AS (
			SELECT id AS message_id, row_number() OVER (ORDER BY rank DESC, id) AS r
			FROM (
				SELECT m.id, ts_rank(m.content_tsv, websearch_to_tsquery('simple', $5), 32) AS rank
				FROM kmatch m
				ORDER BY rank DESC, m.id
				LIMIT %[2]d
			) k
		)`

// hybridFuseSQL fuses sem (message_id, distance) and kw (message_id, r):
// reciprocal rank fusion, ties broken by a keyword match first (so that a
// message holding the exact words outranks a semantic-only neighbour with
// the same score), then by distance.
const hybridFuseSQL = `
		, sem AS (
			SELECT message_id, distance, row_number() OVER (ORDER BY distance, message_id) AS r FROM semlist
		), fused AS (
			SELECT coalesce(s.message_id, k.message_id) AS message_id,
			       coalesce(1.0 / (%[4]d + s.r), 0) + coalesce(1.0 / (%[4]d + k.r), 0) AS score,
			       k.r AS kr, s.distance
			FROM sem s FULL JOIN kw k ON k.message_id = s.message_id
		)
		SELECT m.conversation_id::text, c.title, m.id::text, m.role, m.content, m.created_at, f.score::float8
		FROM fused f
		JOIN messages m ON m.id = f.message_id AND m.user_id = $1
		JOIN conversations c ON c.id = m.conversation_id
		ORDER BY f.score DESC, f.kr NULLS LAST, f.distance NULLS LAST, f.message_id
		LIMIT %[1]d`

// hybridSQL is nearestSQL's plan choice (exact scan for a small history,
// else the HNSW index with the iterative scan) for the semantic list, with
// the keyword list beside it and the fusion, in one statement. $1 the user,
// $2 the query vector, $3 the conversation to leave out (or empty), $4
// ExactScanMaxVectors, $5 the query's text.
const hybridSQL = `
		WITH n AS (
			SELECT count(*) <= $4 AS small
			FROM (SELECT 1 FROM message_embeddings WHERE user_id = $1 LIMIT $4 + 1) s
		), exact AS (
			SELECT e.message_id, e.embedding <=> $2::halfvec AS distance
			FROM message_embeddings e
			WHERE (SELECT small FROM n)
			  AND e.user_id = $1
			  AND ($3 = '' OR e.conversation_id <> NULLIF($3, '')::uuid)
			ORDER BY (e.embedding <=> $2::halfvec) + 0
			LIMIT %[2]d
		), hnsw AS MATERIALIZED (
			SELECT e.message_id, e.embedding <=> $2::halfvec AS distance
			FROM message_embeddings e
			WHERE NOT (SELECT small FROM n)
			  AND e.user_id = $1
			  AND ($3 = '' OR e.conversation_id <> NULLIF($3, '')::uuid)
			ORDER BY e.embedding <=> $2::halfvec
			LIMIT %[2]d
		), semlist AS (
			SELECT * FROM exact UNION ALL SELECT * FROM hnsw
		),` + hybridKeywordCTE + hybridFuseSQL

// hybridInConversationSQL is the same narrowed to one conversation ($4),
// whose vectors are scanned exactly.
const hybridInConversationSQL = `
		WITH semlist AS (
			SELECT e.message_id, e.embedding <=> $2::halfvec AS distance
			FROM message_embeddings e
			WHERE e.conversation_id = $4::uuid
			  AND e.user_id = $1
			  AND ($3 = '' OR e.conversation_id <> NULLIF($3, '')::uuid)
			ORDER BY (e.embedding <=> $2::halfvec) + 0
			LIMIT %[2]d
		),` + hybridKeywordCTE + hybridFuseSQL

// HybridMessages returns the caller's messages for query and its vector,
// best first, in one round trip (a pipelined batch, as NearestMessages):
// the best HybridCandidates (or limit) of the vector search and of the
// keyword search, fused by reciprocal rank fusion (k = RRFK); Score is the
// fused score, at most 2/(RRFK+1). A message in both lists ranks above one
// in either, and the keyword match ranked first is never below the
// semantic neighbour ranked first. A limit below 1 finds nothing.
func HybridMessages(ctx context.Context, db DB, userID, query string, vector []float32, opt NearestOptions) ([]Related, error) {
	if opt.Limit < 1 {
		return nil, nil
	}
	cand := max(HybridCandidates, opt.Limit)
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('hnsw.iterative_scan', $1, true), set_config('hnsw.ef_search', $2, true),
		set_config('max_parallel_workers_per_gather', '0', true)`,
		IterativeScan, strconv.Itoa(max(EfSearch, cand)))
	if opt.InConversation != "" {
		b.Queue(fmt.Sprintf(hybridInConversationSQL, opt.Limit, cand,
			fmt.Sprintf(keywordMatches, "$5", "AND conversation_id = $4::uuid", KeywordMaxMatches), RRFK),
			userID, VectorLiteral(vector), opt.NotInConversation, opt.InConversation, query)
	} else {
		b.Queue(fmt.Sprintf(hybridSQL, opt.Limit, cand,
			fmt.Sprintf(keywordMatches, "$5", "", KeywordMaxMatches), RRFK),
			userID, VectorLiteral(vector), opt.NotInConversation, ExactScanMaxVectors, query)
	}
	br := db.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("hybrid search of %s: set the scan: %w", userID, err)
	}
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("hybrid search of %s: %w", userID, err)
	}
	return collectRelated(rows, "hybrid search of "+userID)
}

func collectRelated(rows pgx.Rows, what string) ([]Related, error) {
	defer rows.Close()
	var out []Related
	for rows.Next() {
		var r Related
		if err := rows.Scan(&r.ConversationID, &r.ConversationTitle, &r.MessageID, &r.Role, &r.Content, &r.CreatedAt, &r.Score); err != nil {
			return nil, fmt.Errorf("%s: scan: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
