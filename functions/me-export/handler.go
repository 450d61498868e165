package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/blob"
	"github.com/macro-ai/macro-ai/shared/importer"
	"github.com/macro-ai/macro-ai/shared/store"
)

// Page sizes of the keyset reads: what the function holds at once
// (variables so that a test can page through a small account).
var (
	conversationPage = 200
	messagePage      = 2000
)

type handler struct {
	db     store.DB
	bucket *blob.Store
	ttl    time.Duration
	now    func() time.Time
}

// response is GET /me/export's answer.
type response struct {
	URL           string    `json:"url"`
	ExpiresAt     time.Time `json:"expiresAt"`
	Bytes         int64     `json:"bytes"`
	Conversations int       `json:"conversations"`
	Messages      int       `json:"messages"`
}

// Serve: GET /me/export (auth) → 200 {url, expiresAt, bytes,
// conversations, messages}: the whole account as a macro-ai.account.v1
// JSON document (openapi.yaml's AccountExport, what POST /imports reads
// back) at url, a pre-signed GET that works until expiresAt. The document
// is streamed into the bucket as it is read, a page at a time, so the
// function's memory does not grow with the account.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	userID := api.UserID(req)
	now := h.now().UTC()
	key := "exports/" + userID + "/" + uuid.NewString() + ".json"
	w, err := h.bucket.Create(ctx, key, "application/json")
	if err != nil {
		return api.Response{}, err
	}
	counts, err := Write(ctx, h.db, userID, now, w)
	if err != nil {
		w.Abort()
		return api.Response{}, err
	}
	if err := w.Close(); err != nil {
		return api.Response{}, err
	}
	p, err := h.bucket.PresignGet(ctx, key, "macro-ai-export-"+now.Format("2006-01-02")+".json", h.ttl)
	if err != nil {
		return api.Response{}, err
	}
	resp := api.JSON(http.StatusOK, response{URL: p.URL, ExpiresAt: p.ExpiresAt.UTC(), Bytes: w.Written(),
		Conversations: counts.Conversations, Messages: counts.Messages})
	resp.Headers["Cache-Control"] = "no-store"
	return resp, nil
}

// Counts is what an export holds.
type Counts struct {
	Conversations int
	Messages      int
}

// Write writes userID's whole account to out as a macro-ai.account.v1
// document: {format, exportedAt, usage, conversations: [{conversation,
// messages}]}, each conversation as GET /conversations/{id}/export?format=json
// has it (its whole tree and its leafId), oldest first. It reads a page of
// conversations and a page of their messages at a time.
func Write(ctx context.Context, db store.DB, userID string, now time.Time, out io.Writer) (Counts, error) {
	var counts Counts
	bw := bufio.NewWriterSize(out, 64<<10)
	usage, err := store.UsageBetween(ctx, db, userID, time.Unix(0, 0), now.Add(time.Second))
	if err != nil {
		return counts, err
	}
	head := struct {
		Format     string             `json:"format"`
		ExportedAt time.Time          `json:"exportedAt"`
		Usage      []store.ModelUsage `json:"usage"`
	}{importer.FormatAccount, now, usage}
	b, err := json.Marshal(head)
	if err != nil {
		return counts, fmt.Errorf("encode export head: %w", err)
	}
	bw.Write(b[:len(b)-1]) // without its closing brace: the conversations follow
	bw.WriteString(`,"conversations":[`)

	var after *store.ConversationKey
	for {
		convs, err := store.ExportConversations(ctx, db, userID, after, conversationPage)
		if err != nil {
			return counts, err
		}
		if len(convs) == 0 {
			break
		}
		if err := writePage(ctx, db, userID, convs, bw, &counts); err != nil {
			return counts, err
		}
		last := convs[len(convs)-1]
		after = &store.ConversationKey{CreatedAt: last.CreatedAt, ID: last.ID}
		if len(convs) < conversationPage {
			break
		}
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		return counts, fmt.Errorf("write export: %w", err)
	}
	return counts, nil
}

// writePage writes the conversations of one page with their messages,
// read a page at a time in the same order (the conversation's index in
// the page, then seq).
func writePage(ctx context.Context, db store.DB, userID string, convs []store.Conversation, bw *bufio.Writer, counts *Counts) error {
	ids := make([]string, len(convs))
	for i, c := range convs {
		ids[i] = c.ID
	}
	cur, first := -1, false
	// advance closes the open conversation and opens each one up to to,
	// so that conversations without messages are written too.
	advance := func(to int) error {
		for cur < to {
			if cur >= 0 {
				bw.WriteString("]}")
			}
			cur++
			if counts.Conversations > 0 {
				bw.WriteString(",")
			}
			b, err := json.Marshal(convs[cur])
			if err != nil {
				return fmt.Errorf("encode conversation %s: %w", convs[cur].ID, err)
			}
			bw.WriteString(`{"conversation":`)
			bw.Write(b)
			bw.WriteString(`,"messages":[`)
			counts.Conversations++
			first = true
		}
		return nil
	}
	after := store.MessageKey{Conversation: -1}
	for {
		msgs, err := store.ExportMessages(ctx, db, userID, ids, after, messagePage)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if err := advance(m.Key.Conversation); err != nil {
				return err
			}
			if !first {
				bw.WriteString(",")
			}
			first = false
			b, err := json.Marshal(m.ExportedMessage)
			if err != nil {
				return fmt.Errorf("encode message %s: %w", m.ID, err)
			}
			if _, err := bw.Write(b); err != nil {
				return fmt.Errorf("write export: %w", err)
			}
			counts.Messages++
		}
		if len(msgs) < messagePage {
			break
		}
		after = msgs[len(msgs)-1].Key
	}
	if err := advance(len(convs) - 1); err != nil {
		return err
	}
	bw.WriteString("]}")
	return nil
}
