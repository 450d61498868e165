package main

import (
	"context"
	"log/slog"

	"github.com/macro-ai/macro-ai/shared/store"
)

// backfillResult is what a backfill run reports.
type backfillResult struct {
	Embedded int `json:"embedded"`
	Failed   int `json:"failed"`
	Batches  int `json:"batches"`
}

// runBackfill embeds messages that have no vector (their turn's embedding
// failed, or the provider was down), a batch at a time, oldest first. Rows are
// locked while their batch runs (a concurrent run skips them). A failed batch
// is retried one message at a time, so that a message the provider cannot
// take fails alone; when nothing in it succeeds the provider is down and the
// run ends. Failed messages count an attempt and sort after the others in
// later runs, so they never block the rest.
func (h *handler) runBackfill(ctx context.Context) (backfillResult, error) {
	var res backfillResult
	var failed []string
	for res.Batches < h.backfill.MaxBatches {
		claim, err := store.ClaimUnembedded(ctx, h.db, h.backfill.BatchSize, h.backfill.Grace, failed)
		if err != nil {
			return res, err
		}
		if len(claim.Messages) == 0 {
			claim.Release(ctx)
			break
		}
		res.Batches++
		texts := make([]string, len(claim.Messages))
		for i, m := range claim.Messages {
			texts[i] = m.Content
		}
		vectors, err := h.model.Embed(ctx, texts)
		if err == nil {
			if err := claim.Store(ctx, h.model.EmbeddingModel(), vectors); err != nil {
				return res, err
			}
			res.Embedded += len(texts)
			continue
		}
		slog.WarnContext(ctx, "backfill: batch failed", "messages", len(texts), "error", err.Error())
		// Embed one at a time, so that one message the provider cannot take
		// fails alone; three failures in a row mean the provider itself is down.
		done := map[int][]float32{}
		for i, misses := 0, 0; len(texts) > 1 && i < len(texts) && misses < 3; i++ {
			v, err := h.model.Embed(ctx, texts[i:i+1])
			if err != nil {
				misses++
				continue
			}
			misses = 0
			done[i] = v[0]
		}
		var ids []string
		for i, m := range claim.Messages {
			if _, ok := done[i]; !ok {
				ids = append(ids, m.ID)
			}
		}
		if err := claim.Failed(ctx, h.model.EmbeddingModel(), ids, done); err != nil {
			return res, err
		}
		res.Embedded += len(done)
		res.Failed += len(ids)
		failed = append(failed, ids...)
		if len(done) == 0 {
			break // the provider is down or busy: the next run tries again
		}
	}
	slog.InfoContext(ctx, "backfill done", "embedded", res.Embedded, "failed", res.Failed, "batches", res.Batches)
	return res, nil
}
