package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Unembedded is a message the backfill must embed.
type Unembedded struct {
	ID      string
	UserID  string
	Content string
}

// Claim is one backfill batch: the rows are locked until Commit or Rollback,
// and a concurrent backfill skips them (FOR UPDATE SKIP LOCKED), so that two
// runs never embed the same message.
type Claim struct {
	tx       pgx.Tx
	Messages []Unembedded
}

// Beginner starts transactions: *pgxpool.Pool satisfies it.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// ClaimUnembedded locks up to limit messages without a vector that are older
// than grace (younger ones are still being embedded by their turn), fewest
// failed attempts first, then oldest.
// Messages in skip are left out (the ones that failed earlier in this run).
func ClaimUnembedded(ctx context.Context, db Beginner, limit int, grace time.Duration, skip []string) (*Claim, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin backfill batch: %w", err)
	}
	rows, err := tx.Query(ctx, `
		SELECT id::text, user_id::text, content FROM messages
		WHERE embedded_at IS NULL AND created_at < now() - $2::interval AND NOT (id = ANY(COALESCE($3::uuid[], '{}')))
		ORDER BY embed_attempts, created_at, id
		LIMIT $1
		FOR UPDATE SKIP LOCKED`, limit, grace, skip)
	if err != nil {
		tx.Rollback(ctx)
		return nil, fmt.Errorf("claim unembedded messages: %w", err)
	}
	msgs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Unembedded])
	if err != nil {
		tx.Rollback(ctx)
		return nil, fmt.Errorf("claim unembedded messages: %w", err)
	}
	return &Claim{tx: tx, Messages: msgs}, nil
}

// Store saves the batch's vectors (in the order of Messages) and commits.
func (c *Claim) Store(ctx context.Context, model string, vectors [][]float32) error {
	defer c.tx.Rollback(ctx)
	byUser := map[string][]Embedding{}
	for i, m := range c.Messages {
		byUser[m.UserID] = append(byUser[m.UserID], Embedding{MessageID: m.ID, Vector: vectors[i]})
	}
	for user, items := range byUser {
		if err := StoreEmbeddings(ctx, c.tx, user, model, items); err != nil {
			return err
		}
	}
	if err := c.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit backfill batch: %w", err)
	}
	return nil
}

// Failed records a failed attempt for the messages ids (of the batch), stores
// the vectors of the others (done: index → vector) and commits; the failed
// ones are retried after the others in a later run.
func (c *Claim) Failed(ctx context.Context, model string, ids []string, done map[int][]float32) error {
	defer c.tx.Rollback(ctx)
	byUser := map[string][]Embedding{}
	for i, v := range done {
		m := c.Messages[i]
		byUser[m.UserID] = append(byUser[m.UserID], Embedding{MessageID: m.ID, Vector: v})
	}
	for user, items := range byUser {
		if err := StoreEmbeddings(ctx, c.tx, user, model, items); err != nil {
			return err
		}
	}
	if _, err := c.tx.Exec(ctx, `UPDATE messages SET embed_attempts = least(embed_attempts + 1, 1000)
		WHERE id = ANY($1::uuid[])`, ids); err != nil {
		return fmt.Errorf("record failed embedding attempt: %w", err)
	}
	if err := c.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit failed attempt: %w", err)
	}
	return nil
}

// Release gives the rows back untouched.
func (c *Claim) Release(ctx context.Context) { c.tx.Rollback(ctx) }
