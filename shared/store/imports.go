package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Import is one file a user imports (GET /imports/{id}).
type Import struct {
	ID            string     `json:"id"`
	Status        string     `json:"status"` // pending, running, done or failed
	Size          int64      `json:"size"`   // what the client said it uploads
	Format        *string    `json:"format"` // once recognised
	BytesRead     int64      `json:"bytesRead"`
	Conversations int        `json:"conversations"` // created so far (written when done)
	Messages      int        `json:"messages"`
	Skipped       int        `json:"skipped"` // already imported before: not created again
	Error         *string    `json:"error"`
	CreatedAt     time.Time  `json:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
	FinishedAt    *time.Time `json:"finishedAt"`
}

// ImportStalledAfter is how long a running import may go without progress
// before it reads as failed: longer than the import function's timeout, so
// only an import whose function died (out of memory, killed) reads so.
const ImportStalledAfter = 20 * time.Minute

// importColumns reads a running import that stopped moving as failed.
const importColumns = `id::text,
	CASE WHEN status = 'running' AND updated_at < now() - $3::interval THEN 'failed' ELSE status END,
	size, format, bytes_read, conversations, messages, skipped,
	CASE WHEN status = 'running' AND updated_at < now() - $3::interval THEN 'the import stopped before it finished; nothing was written' ELSE error END,
	created_at, updated_at, finished_at`

func scanImport(row pgx.Row) (Import, error) {
	var i Import
	err := row.Scan(&i.ID, &i.Status, &i.Size, &i.Format, &i.BytesRead, &i.Conversations, &i.Messages, &i.Skipped,
		&i.Error, &i.CreatedAt, &i.UpdatedAt, &i.FinishedAt)
	return i, err
}

// CreateImport records a pending import of size bytes for userID (whose row
// is created in the same statement if missing), in one round trip.
func CreateImport(ctx context.Context, db DB, userID string, size int64) (Import, error) {
	i, err := scanImport(db.QueryRow(ctx, `
		WITH u AS (INSERT INTO users (id, email) VALUES ($1, '') ON CONFLICT (id) DO NOTHING)
		INSERT INTO imports (user_id, size) VALUES ($1, $2)
		RETURNING `+importColumnsNoStall, userID, size))
	if err != nil {
		return Import{}, fmt.Errorf("create import for %s: %w", userID, err)
	}
	return i, nil
}

// importColumnsNoStall is importColumns for a statement without the stall
// parameter (a row just written has not stalled).
const importColumnsNoStall = `id::text, status, size, format, bytes_read, conversations, messages, skipped, error,
	created_at, updated_at, finished_at`

// GetImport returns the caller's import id, or ErrNotFound (also for
// another user's id).
func GetImport(ctx context.Context, db DB, userID, id string) (Import, error) {
	if !ValidID(id) {
		return Import{}, ErrNotFound
	}
	i, err := scanImport(db.QueryRow(ctx, `
		SELECT `+importColumns+` FROM imports
		WHERE id = $1 AND user_id = $2`, id, userID, ImportStalledAfter))
	if err == pgx.ErrNoRows {
		return Import{}, ErrNotFound
	}
	if err != nil {
		return Import{}, fmt.Errorf("get import %s: %w", id, err)
	}
	return i, nil
}

// StartImport moves the caller's pending import id to running and returns
// it; ok is false when it is not pending (a repeated event: S3 delivers at
// least once) and ErrNotFound when it is not the user's.
func StartImport(ctx context.Context, db DB, userID, id string) (imp Import, ok bool, err error) {
	if !ValidID(id) {
		return Import{}, false, ErrNotFound
	}
	imp, err = scanImport(db.QueryRow(ctx, `
		UPDATE imports SET status = 'running', updated_at = now()
		WHERE id = $1 AND user_id = $2 AND status = 'pending'
		RETURNING `+importColumnsNoStall, id, userID))
	if err == nil {
		return imp, true, nil
	}
	if err != pgx.ErrNoRows {
		return Import{}, false, fmt.Errorf("start import %s: %w", id, err)
	}
	imp, err = GetImport(ctx, db, userID, id)
	return imp, false, err
}

// ImportProgress records how far a running import got (outside its
// transaction, so that GET /imports/{id} sees it move).
func ImportProgress(ctx context.Context, db DB, userID, id string, bytesRead int64, conversations, messages int) error {
	_, err := db.Exec(ctx, `
		UPDATE imports SET bytes_read = $3, conversations = $4, messages = $5, updated_at = now()
		WHERE id = $1 AND user_id = $2 AND status = 'running'`, id, userID, bytesRead, conversations, messages)
	if err != nil {
		return fmt.Errorf("record progress of import %s: %w", id, err)
	}
	return nil
}

// ImportResult is what a finished import wrote.
type ImportResult struct {
	Format        string
	BytesRead     int64
	Conversations int
	Messages      int
	Skipped       int
}

// FinishImport marks the caller's import done with what it wrote.
func FinishImport(ctx context.Context, db DB, userID, id string, r ImportResult) error {
	_, err := db.Exec(ctx, `
		UPDATE imports SET status = 'done', format = $3, bytes_read = $4, conversations = $5, messages = $6, skipped = $7,
			error = NULL, updated_at = now(), finished_at = now()
		WHERE id = $1 AND user_id = $2`, id, userID, r.Format, r.BytesRead, r.Conversations, r.Messages, r.Skipped)
	if err != nil {
		return fmt.Errorf("finish import %s: %w", id, err)
	}
	return nil
}

// FailImport marks the caller's import failed with message, written for
// the user; nothing it read was kept, so its counts go back to zero.
func FailImport(ctx context.Context, db DB, userID, id, format, message string) error {
	var f *string
	if format != "" {
		f = &format
	}
	_, err := db.Exec(ctx, `
		UPDATE imports SET status = 'failed', format = coalesce($3, format), error = $4,
			conversations = 0, messages = 0, skipped = 0, updated_at = now(), finished_at = now()
		WHERE id = $1 AND user_id = $2`, id, userID, f, message)
	if err != nil {
		return fmt.Errorf("fail import %s: %w", id, err)
	}
	return nil
}

// ImportedMessage is a message read from a file. SourceID and
// ParentSourceID are the file's own ids: they only link the tree together
// and are never stored.
type ImportedMessage struct {
	SourceID       string
	ParentSourceID string // "" for a first message
	Role           string // user or assistant
	Content        string
	Status         string // complete or incomplete
	CreatedAt      time.Time
	Model          *string
	Usage          *Usage
	DurationMs     *int
}

// ImportedConversation is a conversation read from a file; SourceKey
// ("chatgpt:<id>") makes its import idempotent per user.
type ImportedConversation struct {
	SourceKey    string
	Title        string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Model        *string
	SystemPrompt *string
	LeafSourceID string // the end of the branch shown; "" or unknown: the last one
	Messages     []ImportedMessage
}

// importBatch is how many message inserts go in one round trip.
const importBatch = 500

// ImportConversation writes c as a new conversation of userID, with new
// ids for it and its messages, and returns how many messages it stored;
// created is false (and nothing is written) when the user already has a
// conversation with c's SourceKey. Messages whose parent is not in c start
// a tree of their own; messages on a cycle are dropped. Run it in the
// import's transaction: it is several round trips.
func ImportConversation(ctx context.Context, tx DB, userID string, c ImportedConversation) (created bool, stored int, err error) {
	var convID string
	err = tx.QueryRow(ctx, `
		INSERT INTO conversations (user_id, title, created_at, updated_at, model, system_prompt, source_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (user_id, source_key) WHERE source_key IS NOT NULL DO NOTHING
		RETURNING id::text`, userID, c.Title, c.CreatedAt, c.UpdatedAt, c.Model, c.SystemPrompt, c.SourceKey).Scan(&convID)
	if err == pgx.ErrNoRows {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, fmt.Errorf("import conversation %q: %w", c.SourceKey, err)
	}
	order := treeOrder(c.Messages)
	ids := make(map[string]string, len(order)) // source id → new id
	roles := make(map[string]string, len(order))
	leaf := ""
	b := &pgx.Batch{}
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		err := tx.SendBatch(ctx, b).Close()
		b = &pgx.Batch{}
		if err != nil {
			return fmt.Errorf("import messages of %q: %w", c.SourceKey, err)
		}
		return nil
	}
	for i, m := range order {
		id := uuid.NewString()
		ids[m.SourceID], roles[m.SourceID] = id, m.Role
		parent, replyTo := "00000000-0000-0000-0000-000000000000", (*string)(nil) // the nil UUID: a first message
		if p, ok := ids[m.ParentSourceID]; ok && m.ParentSourceID != "" {
			parent = p
			if m.Role == "assistant" && roles[m.ParentSourceID] == "user" {
				replyTo = &p
			}
		}
		var prompt, completion *int
		if m.Usage != nil {
			prompt, completion = &m.Usage.PromptTokens, &m.Usage.CompletionTokens
		}
		b.Queue(`INSERT INTO messages (id, conversation_id, user_id, role, content, status, created_at, parent_id, reply_to, seq,
				model, prompt_tokens, completion_tokens, duration_ms)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			id, convID, userID, m.Role, m.Content, m.Status, m.CreatedAt, parent, replyTo, 2*(i+1),
			m.Model, prompt, completion, m.DurationMs)
		if b.Len() >= importBatch {
			if err := flush(); err != nil {
				return false, 0, err
			}
		}
		leaf = id
	}
	if err := flush(); err != nil {
		return false, 0, err
	}
	if l, ok := ids[c.LeafSourceID]; ok && c.LeafSourceID != "" {
		leaf = l
	}
	var leafID *string
	if leaf != "" {
		leafID = &leaf
	}
	// The triggers moved updated_at and the leaf as messages arrived: the
	// file's own values win.
	if _, err := tx.Exec(ctx, `
		UPDATE conversations SET leaf_id = $3, created_at = $4, updated_at = $5
		WHERE id = $1 AND user_id = $2`, convID, userID, leafID, c.CreatedAt, c.UpdatedAt); err != nil {
		return false, 0, fmt.Errorf("import conversation %q: %w", c.SourceKey, err)
	}
	return true, len(order), nil
}

// treeOrder orders msgs parents first, depth first, an answer before the
// user messages that follow the same message (so that the answer trigger
// of migration 011 has nothing to move), otherwise in the file's order.
// The last message in this order is a leaf. Messages on a cycle, which no
// root reaches, are left out.
func treeOrder(msgs []ImportedMessage) []ImportedMessage {
	index := make(map[string]int, len(msgs))
	for i, m := range msgs {
		if _, dup := index[m.SourceID]; !dup {
			index[m.SourceID] = i
		}
	}
	children := make(map[int][]int, len(msgs))
	var roots []int
	for i, m := range msgs {
		if index[m.SourceID] != i {
			continue // a repeated id: the first one counts
		}
		if p, ok := index[m.ParentSourceID]; ok && m.ParentSourceID != "" && p != i {
			children[p] = append(children[p], i)
		} else {
			roots = append(roots, i)
		}
	}
	out := make([]ImportedMessage, 0, len(msgs))
	seen := make([]bool, len(msgs))
	stack := make([]int, 0, len(roots))
	push := func(list []int) {
		// Pushed in reverse so that they pop in order: answers first, then
		// the rest, each in the file's order.
		for pass := 1; pass >= 0; pass-- {
			for j := len(list) - 1; j >= 0; j-- {
				if (msgs[list[j]].Role == "assistant") == (pass == 0) {
					stack = append(stack, list[j])
				}
			}
		}
	}
	push(roots)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[i] {
			continue
		}
		seen[i] = true
		out = append(out, msgs[i])
		push(children[i])
	}
	return out
}
