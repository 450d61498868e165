package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/macro-ai/macro-ai/shared/blob"
	"github.com/macro-ai/macro-ai/shared/importer"
	"github.com/macro-ai/macro-ai/shared/store"
)

// progressEvery is how often a running import records its progress.
const progressEvery = 2 * time.Second

// failedOnOurSide is what the user reads when the import failed for a
// reason that is not the file's.
const failedOnOurSide = "the import failed on our side; nothing was written: please try again"

type handler struct {
	db            *pgxpool.Pool
	bucket        func(name string) *blob.Store
	maxBytes      int64
	progressEvery time.Duration
}

// Result is the invocation's answer (for make invoke and the logs): each
// record's outcome.
type Result struct {
	Imports []Outcome `json:"imports"`
}

// Outcome is what became of one uploaded object.
type Outcome struct {
	Key    string `json:"key"`
	Status string `json:"status"` // done, failed, or ignored (not an import's object, or seen before)
	Error  string `json:"error,omitempty"`
}

// keyPattern is the object key POST /imports signs for.
var keyPattern = regexp.MustCompile(`^imports/([0-9a-f-]{36})/([0-9a-f-]{36})\.json$`)

// Invoke handles S3's event: each record is one uploaded file. A file the
// user got wrong ends as a failed import with the reason, and the
// invocation succeeds (a retry would fail the same way); only a failure to
// reach the database is the invocation's error, so that Lambda retries it.
func (h *handler) Invoke(ctx context.Context, e events.S3Event) (Result, error) {
	var res Result
	for _, r := range e.Records {
		out, err := h.one(ctx, r)
		if err != nil {
			return res, err
		}
		res.Imports = append(res.Imports, out)
	}
	return res, nil
}

func (h *handler) one(ctx context.Context, r events.S3EventRecord) (Outcome, error) {
	key := r.S3.Object.URLDecodedKey
	out := Outcome{Key: key, Status: "ignored"}
	m := keyPattern.FindStringSubmatch(key)
	if m == nil {
		slog.WarnContext(ctx, "an object that is no import", "key", key)
		return out, nil
	}
	userID, importID := m[1], m[2]
	bucket := h.bucket(r.S3.Bucket.Name)
	// The uploaded file is not kept, whatever becomes of it (the bucket's
	// lifecycle rule would expire it after a day anyway).
	defer func() {
		if err := bucket.Delete(context.WithoutCancel(ctx), key); err != nil {
			slog.WarnContext(ctx, "delete the imported file", "key", key, "error", err)
		}
	}()
	imp, started, err := store.StartImport(ctx, h.db, userID, importID)
	if errors.Is(err, store.ErrNotFound) {
		slog.WarnContext(ctx, "an upload with no import of its user", "key", key)
		return out, nil
	}
	if err != nil {
		return out, err
	}
	if !started {
		slog.InfoContext(ctx, "import seen before", "import", importID, "status", imp.Status)
		return out, nil // S3 delivers at least once
	}
	fail := func(format, msg string, cause error) (Outcome, error) {
		if cause != nil {
			slog.ErrorContext(ctx, "import failed", "import", importID, "error", cause)
		}
		if err := store.FailImport(context.WithoutCancel(ctx), h.db, userID, importID, format, msg); err != nil {
			return out, err
		}
		out.Status, out.Error = "failed", msg
		return out, nil
	}
	if size := r.S3.Object.Size; size > h.maxBytes {
		return fail("", fmt.Sprintf("the file is %d bytes, more than the %d an import may have", size, h.maxBytes), nil)
	}
	body, _, err := bucket.Open(ctx, key)
	if err != nil {
		return fail("", failedOnOurSide, err)
	}
	defer body.Close()

	result, err := h.write(ctx, userID, importID, importer.NewParser(body, h.maxBytes))
	var refused *importer.Error
	switch {
	case errors.As(err, &refused):
		return fail(result.Format, refused.Message, nil)
	case err != nil:
		return fail(result.Format, failedOnOurSide, err)
	}
	if err := store.FinishImport(ctx, h.db, userID, importID, result); err != nil {
		return out, err
	}
	slog.InfoContext(ctx, "import done", "import", importID, "format", result.Format, "conversations", result.Conversations,
		"messages", result.Messages, "skipped", result.Skipped, "bytes", result.BytesRead)
	out.Status = "done"
	return out, nil
}

// write parses the whole file inside one transaction, which commits only
// if the file was good to its last byte: a failure anywhere keeps nothing.
// Progress goes to the import's row outside the transaction.
func (h *handler) write(ctx context.Context, userID, importID string, p *importer.Parser) (store.ImportResult, error) {
	var res store.ImportResult
	tx, err := h.db.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("begin import %s: %w", importID, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	last := time.Now()
	err = p.Parse(func(c store.ImportedConversation) error {
		res.Format = p.Format()
		created, n, err := store.ImportConversation(ctx, tx, userID, c)
		if err != nil {
			return err
		}
		if !created {
			res.Skipped++
			return nil
		}
		res.Conversations++
		res.Messages += n
		if time.Since(last) >= h.progressEvery {
			last = time.Now()
			if err := store.ImportProgress(ctx, h.db, userID, importID, p.BytesRead(), res.Conversations, res.Messages); err != nil {
				slog.WarnContext(ctx, "record import progress", "import", importID, "error", err)
			}
		}
		return nil
	})
	res.Format, res.BytesRead = p.Format(), p.BytesRead()
	if err != nil {
		return res, err
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("commit import %s: %w", importID, err)
	}
	return res, nil
}
