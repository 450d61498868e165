package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/auth"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/chat"
	"github.com/macro-ai/macro-ai/shared/db"
	"github.com/macro-ai/macro-ai/shared/store"
)

// keepAliveIdle is how long the stream may stay silent before a comment is
// written: a client that left while the model is thinking is noticed within
// it (the write fails), not at the model's next token.
const keepAliveIdle = 100 * time.Millisecond

type handler struct {
	turns     *chat.Service
	verifier  *auth.Verifier
	limiter   *cache.Limiter
	perMinute int
	quotas    cache.Usage // each user's daily limits
	// run runs a prepared turn: h.turns.Run, unless a test replaces it.
	run func(ctx context.Context, t *chat.Turn, out *api.SSE)
}

// runTurn runs t into out; a panic ends the stream with an error event (the
// user's message is stored already) instead of killing the instance.
func (h *handler) runTurn(ctx context.Context, t *chat.Turn, out *api.SSE) {
	defer func() {
		if p := recover(); p != nil {
			slog.ErrorContext(ctx, "chat: panic in the turn", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			_ = out.Event("error", map[string]any{"error": map[string]string{
				"code": "internal", "message": "the answer failed; your message is saved, try again"}})
			_ = out.Close()
		}
	}()
	run := h.run
	if run == nil {
		run = h.turns.Run
	}
	run(ctx, t, out)
}

type request struct {
	Content         string  `json:"content"`
	ClientMessageID *string `json:"clientMessageId"`
	// ParentID is the message the new one follows: absent, the current
	// leaf; null, none (an edit of the first message); an id, that message
	// (an edit: the edited message's parent).
	ParentID api.Patch[string] `json:"parentId"`
}

// Validate implements api.Validator.
func (r *request) Validate() error {
	var f api.Fields
	f.Required("content", strings.TrimSpace(r.Content)) // blank is missing
	f.Optional("content", r.Content, api.MaxChars(10000))
	if r.ClientMessageID != nil {
		f.Required("clientMessageId", *r.ClientMessageID, api.UUID)
	}
	if r.ParentID.Set && !r.ParentID.Null {
		f.Required("parentId", r.ParentID.Value, api.UUID)
	}
	return f.Err()
}

// route is what a request asks for: a turn on conversation, or, with
// answer set, a new answer in place of that one.
type route struct {
	conversation, answer string
}

// Invoke serves POST /conversations/{id}/messages {content, clientMessageId?,
// parentId?} and POST /conversations/{id}/messages/{messageId}/regenerate.
// Through the Function URL (response streaming) the answer streams as it is
// made; through the HTTP API route, which cannot stream, the same events come
// in one response. Validation, auth, not-found and rate-limit failures come
// before the stream, with their status and the one error shape.
func (h *handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	if api.IsWarmup(raw) {
		return api.WarmupResponse(), nil
	}
	var req api.Request
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, fmt.Errorf("decode HTTP event: %w", err)
	}
	streaming := api.IsFunctionURL(&req)
	var turn *chat.Turn
	var turnCtx context.Context
	resp := api.Serve(ctx, &req, func(ctx context.Context, req *api.Request) (api.Response, error) {
		t, err := h.prepare(ctx, req, streaming)
		if err != nil {
			return api.Response{}, err
		}
		if streaming {
			turn, turnCtx = t, ctx
			return api.Response{StatusCode: http.StatusOK, Headers: api.SSEHeaders()}, nil
		}
		var buf bytes.Buffer
		h.runTurn(ctx, t, api.NewSSE(&buf))
		return api.Response{StatusCode: http.StatusOK, Headers: api.SSEHeaders(), Body: buf.String()}, nil
	})
	if !streaming {
		return resp, nil
	}
	if turn == nil {
		// Failed before the stream: its status and error body, as the stream's.
		return &events.LambdaFunctionURLStreamingResponse{StatusCode: resp.StatusCode, Headers: resp.Headers, Body: strings.NewReader(resp.Body)}, nil
	}
	runCtx, stop := context.WithCancelCause(turnCtx)
	body := newTurnBody(stop, func(w io.Writer) {
		out := api.NewSSE(w)
		defer out.KeepAlive(keepAliveIdle)()
		h.runTurn(runCtx, turn, out)
	})
	return &events.LambdaFunctionURLStreamingResponse{StatusCode: http.StatusOK, Headers: resp.Headers, Body: body}, nil
}

// prepare authenticates, validates, rate-limits and stores the user's message.
func (h *handler) prepare(ctx context.Context, req *api.Request, streaming bool) (*chat.Turn, error) {
	userID := api.UserID(req) // behind the HTTP API: its JWT authorizer's claims
	if streaming {
		// A Function URL has no authorizer: the same checks, here.
		claims, err := h.verifier.Verify(ctx, api.BearerToken(req))
		switch {
		case errors.Is(err, auth.ErrTokenExpired):
			return nil, api.Errorf(http.StatusUnauthorized, "token_expired", "the access token has expired; refresh it")
		case errors.Is(err, auth.ErrKeysUnavailable):
			return nil, api.Errorf(http.StatusServiceUnavailable, "unavailable", "cannot verify tokens right now; try again").WithCause(err)
		case err != nil:
			return nil, api.Unauthorized().WithCause(err)
		}
		userID = claims.Subject
	}
	if userID == "" {
		return nil, api.Unauthorized()
	}
	rt, ok := routeOf(req)
	if !ok {
		return nil, api.NotFound()
	}
	var body request
	if rt.answer == "" {
		if err := api.DecodeJSON(req, &body); err != nil {
			return nil, err
		}
	}
	// One Redis command: the per-minute limit, the daily quotas, the
	// message's share of them (the answer's is counted once it is made), and
	// the conversation's cached history window; then one PostgreSQL round
	// trip (Prepare) before the model is called.
	size := int64(len(body.Content))
	charge := cache.Usage{Turns: 1, EmbedChars: size, StoredBytes: size}
	window := ""
	if rt.answer == "" {
		window = cache.HistoryKey(rt.conversation)
	}
	d, cached := h.limiter.AllowMeteredRead(ctx, "chat:user:"+userID, h.perMinute, userID, h.quotas, charge, window)
	if !d.Allowed {
		return nil, api.Refused(d)
	}
	var t *chat.Turn
	var err error
	if rt.answer != "" {
		t, err = h.turns.Regenerate(ctx, userID, rt.conversation, rt.answer)
	} else {
		t, err = h.turns.Prepare(ctx, chat.Request{UserID: userID, ConversationID: rt.conversation,
			Content: body.Content, ClientMessageID: body.ClientMessageID,
			Parent: store.Parent{Set: body.ParentID.Set, ID: body.ParentID.Ptr()}}, cached)
	}
	switch {
	case err == nil:
		return t, nil
	case errors.Is(err, store.ErrNotFound):
		return nil, api.NotFound()
	case errors.Is(err, store.ErrBadParent):
		return nil, api.ValidationFailed(api.FieldError{Field: "parentId", Message: "must be a message of this conversation"})
	case errors.Is(err, store.ErrNotAnAnswer):
		return nil, api.ValidationFailed(api.FieldError{Field: "messageId", Message: "only an answer can be regenerated; to change a message, send an edit with parentId"})
	case errors.Is(err, store.ErrTurnInProgress):
		// Never a second model call for one message: the client waits and
		// retries, and then gets the stored answer.
		e := api.Errorf(http.StatusConflict, "turn_in_progress", "this message is being answered; try again when the answer is done")
		var tip *store.TurnInProgressError
		if errors.As(err, &tip) {
			e.RetryAfter = cache.RetryAfterSeconds(time.Until(tip.Until))
		}
		return nil, e
	case db.IsUnavailable(err):
		return nil, api.DatabaseUnavailable().WithCause(err)
	default:
		return nil, err
	}
}

// routeOf reads the route: {id} (and {messageId}) as path parameters
// behind the HTTP API, from the raw path behind the Function URL:
// /conversations/{id}/messages or /conversations/{id}/messages/{messageId}/regenerate.
func routeOf(req *api.Request) (route, bool) {
	if id := req.PathParameters["id"]; id != "" {
		r := route{conversation: id, answer: req.PathParameters["messageId"]}
		return r, store.ValidID(r.conversation) && (r.answer == "" || store.ValidID(r.answer))
	}
	parts := strings.Split(strings.Trim(req.RawPath, "/"), "/")
	switch {
	case len(parts) == 3 && parts[0] == "conversations" && parts[2] == "messages" && store.ValidID(parts[1]):
		return route{conversation: parts[1]}, true
	case len(parts) == 5 && parts[0] == "conversations" && parts[2] == "messages" && parts[4] == "regenerate" &&
		store.ValidID(parts[1]) && store.ValidID(parts[3]):
		return route{conversation: parts[1], answer: parts[3]}, true
	}
	return route{}, false
}

// turnBody is the streamed response body: the turn writes its events into a
// pipe that the runtime reads. The runtime closes it when it is done with the
// response — at the end, or early when the client went away (Lambda drops
// the response connection, so the runtime's POST fails at once). Close then
// cancels the turn with chat.ErrClientGone (it stops the model without
// waiting for the next token), unblocks its writes, and waits for it to
// store what it has, so that nothing is lost when the invocation ends.
type turnBody struct {
	r    *io.PipeReader
	stop context.CancelCauseFunc
	done chan struct{}
}

func newTurnBody(stop context.CancelCauseFunc, run func(w io.Writer)) *turnBody {
	pr, pw := io.Pipe()
	b := &turnBody{r: pr, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		defer pw.Close()
		run(pw)
	}()
	return b
}

func (b *turnBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *turnBody) Close() error {
	b.stop(chat.ErrClientGone) // after a complete stream: nothing left to stop
	b.r.Close()
	select {
	case <-b.done:
	case <-time.After(20 * time.Second):
	}
	return nil
}
