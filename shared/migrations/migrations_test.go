package migrations_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/macro-ai/macro-ai/shared/migrations"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestApplyIsIdempotentAndChecksDimensions(t *testing.T) {
	env := testenv.Get(t)
	url := env.NewDatabase(t)
	ctx := context.Background()
	// The database is already migrated; applying again changes nothing.
	if err := migrations.Apply(ctx, url, env.EmbeddingDimensions); err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	err := migrations.Apply(ctx, url, 1536)
	if err == nil || !strings.Contains(err.Error(), "dimension mismatch") {
		t.Fatalf("Apply with another dimension: err = %v, want a dimension mismatch", err)
	}
	var version int
	if err := connect(t, url).QueryRow(ctx, "SELECT version FROM "+migrations.VersionTable).Scan(&version); err != nil || version < 1 {
		t.Fatalf("schema version = %d, %v", version, err)
	}
}

func TestApplyOnEmptyDatabaseWithOtherDimension(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	admin := connect(t, env.PostgresAdminURL)
	name := "t_empty_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)") })
	url := strings.Replace(env.PostgresAdminURL, "/postgres?", "/"+name+"?", 1)
	if err := migrations.Apply(ctx, url, 8); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := migrations.CheckDimensions(ctx, connect(t, url), 8); err != nil {
		t.Fatalf("CheckDimensions: %v", err)
	}
}

// TestHNSWNearestNeighbour stores vectors in the halfvec column and checks that
// the HNSW index is used and returns the exact nearest neighbour.
func TestHNSWNearestNeighbour(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	conn := connect(t, env.NewDatabase(t))
	dims := env.EmbeddingDimensions

	userID, convID := uuid.New(), uuid.New()
	mustExec(t, conn, "INSERT INTO users (id, email) VALUES ($1, 'a@example.com')", userID)
	mustExec(t, conn, "INSERT INTO conversations (id, user_id) VALUES ($1, $2)", convID, userID)

	const n = 300
	vectors := make([][]float32, n)
	for i := range vectors {
		vectors[i] = unitVector(dims, i)
		msgID := uuid.New()
		mustExec(t, conn, "INSERT INTO messages (id, conversation_id, user_id, role, content) VALUES ($1, $2, $3, 'user', $4)",
			msgID, convID, userID, fmt.Sprint("message ", i))
		mustExec(t, conn, "INSERT INTO message_embeddings (message_id, user_id, conversation_id, model, embedding) VALUES ($1, $2, $3, 'test', $4)",
			msgID, userID, convID, pgvector.NewHalfVector(vectors[i]))
	}
	query := perturb(vectors[137])

	const q = `SELECT m.content FROM message_embeddings e JOIN messages m ON m.id = e.message_id
		ORDER BY e.embedding <=> $1 LIMIT 1`
	mustExec(t, conn, "SET enable_seqscan = off")
	var plan strings.Builder
	rows, err := conn.Query(ctx, "EXPLAIN "+q, pgvector.NewHalfVector(query))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		rows.Scan(&line)
		plan.WriteString(line + "\n")
	}
	if !strings.Contains(plan.String(), "message_embeddings_embedding_idx") {
		t.Fatalf("the HNSW index is not used:\n%s", plan.String())
	}
	var got string
	if err := conn.QueryRow(ctx, q, pgvector.NewHalfVector(query)).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "message 137" {
		t.Errorf("nearest neighbour = %q, want %q", got, "message 137")
	}
	var count int
	if err := conn.QueryRow(ctx, "SELECT message_count FROM conversations WHERE id = $1", convID).Scan(&count); err != nil || count != n {
		t.Errorf("message_count = %d (%v), want %d", count, err, n)
	}
	mustExec(t, conn, "DELETE FROM conversations WHERE id = $1", convID)
	var left int
	conn.QueryRow(ctx, "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM message_embeddings)").Scan(&left)
	if left != 0 {
		t.Errorf("%d messages and embeddings survived their conversation", left)
	}
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// unitVector returns a deterministic pseudo-random unit vector for seed.
func unitVector(dims, seed int) []float32 {
	v := make([]float32, dims)
	x := uint64(seed)*2654435761 + 1
	var norm float64
	for i := range v {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		v[i] = float32(int64(x%2001)-1000) / 1000
		norm += float64(v[i]) * float64(v[i])
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(norm))
	}
	return v
}

// perturb returns v with small noise: near v, far from the others.
func perturb(v []float32) []float32 {
	out := make([]float32, len(v))
	for i := range v {
		out[i] = v[i] + 0.01*float32((i%3)-1)
	}
	return out
}
