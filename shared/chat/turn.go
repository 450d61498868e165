// Package chat is the chat turn: store the user's message, build the prompt
// (system prompt, related excerpts found by vector search, the newest history
// that fits a token budget), stream the model's answer as server-sent events,
// store the answer, and embed both messages.
package chat

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/store"
)

// storeReserve is the time kept back from the model to store the answer and
// close the stream before the invocation's deadline.
const storeReserve = 3 * time.Second

// ErrClientGone is the cause a turn's context is cancelled with when its
// client went away (a stop, a closed tab, a dropped connection): Run stops the
// model at once and stores what it produced as incomplete.
var ErrClientGone = errors.New("the client went away")

// Service runs chat turns.
type Service struct {
	db      store.DB
	model   *ai.Client
	history historyCache
	cfg     config.Chat
	spent   Spender
}

// Spender counts what a turn spent against its user's daily quotas
// (cache.Limiter does), alone or with the conversation's new history window
// in the same Redis command.
type Spender interface {
	Spend(ctx context.Context, userID string, used cache.Usage)
	SpendAndSet(ctx context.Context, userID string, used cache.Usage, key string, value []byte, ttl time.Duration)
}

// Option configures a Service.
type Option func(*Service)

// WithSpending counts each turn's spending (tokens, and the answer's size)
// in s once the turn is done.
func WithSpending(s Spender) Option { return func(svc *Service) { svc.spent = s } }

// NewService returns a Service; rdb may be nil (no history cache).
func NewService(db store.DB, model *ai.Client, rdb *redis.Client, cfg config.Chat, opts ...Option) *Service {
	s := &Service{db: db, model: model, history: historyCache{rdb: rdb}, cfg: cfg}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Request is one user message.
type Request struct {
	UserID          string
	ConversationID  string
	Content         string
	ClientMessageID *string
	// Parent is where the message goes in the conversation's tree: after
	// the current leaf unless set (an edit: after the edited message's
	// parent).
	Parent store.Parent
}

// Turn is a turn whose user message is stored and whose answer can stream.
type Turn struct {
	req         Request
	user        store.UserTurn
	assistantID string
	// gathered: history and related were read with the message (Prepare);
	// otherwise Run reads them (Regenerate).
	gathered bool
	history  []store.Message
	related  []store.Related
	// embedding is the new message's vector in the making (nil: not
	// started); Run reuses it to store the message's vector.
	embedding *pendingVector
	// historyFrom says where the history came from, for the turn's
	// HistoryCacheHit metric: fromNothing (a first message), fromCache
	// or fromDatabase.
	historyFrom historySource
}

// historySource is where a turn's history was read from.
type historySource int8

const (
	fromNothing historySource = iota
	fromCache
	fromDatabase
)

// pendingVector is an embedding being made.
type pendingVector struct {
	done   chan struct{}
	vector []float32
}

// embedAsync starts embedding text, bounded by RetrievalTimeout.
func (s *Service) embedAsync(ctx context.Context, text string) *pendingVector {
	p := &pendingVector{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RetrievalTimeout)
		defer cancel()
		vecs, err := s.model.Embed(ctx, []string{text})
		if err != nil {
			slog.WarnContext(ctx, "chat: message not embedded now; no retrieval by it, left for the backfill", "error", err.Error())
			return
		}
		p.vector = vecs[0]
	}()
	return p
}

// wait returns the vector once made, or nil when it failed or is not made
// within d.
func (p *pendingVector) wait(d time.Duration) []float32 {
	if p == nil {
		return nil
	}
	select {
	case <-p.done:
		return p.vector
	case <-time.After(d):
		return nil
	}
}

// The events of the chat stream (openapi.yaml's StartEvent, DeltaEvent,
// DoneEvent and ErrorEvent; docs/chat-turn.md).
type (
	startEvent struct {
		ConversationID     string `json:"conversationId"`
		UserMessageID      string `json:"userMessageId"`
		AssistantMessageID string `json:"assistantMessageId"`
	}
	deltaEvent struct {
		Text string `json:"text"`
	}
	doneEvent struct {
		AssistantMessageID string      `json:"assistantMessageId"`
		FinishReason       string      `json:"finishReason"`
		Usage              store.Usage `json:"usage"`
		Model              string      `json:"model,omitempty"`
		DurationMs         int64       `json:"durationMs"`
	}
	errorBody struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	errorEvent struct {
		Error errorBody `json:"error"`
	}
)

// Prepare stores the user's message (idempotently on ClientMessageID) before
// anything streams, so that its failures get a normal status: store.ErrNotFound,
// store.ErrBadParent, store.ErrTurnInProgress, or a database error.
//
// It is the turn's one round trip to PostgreSQL before the model is called
// (store.StartTurn): the message, the history it follows and the related
// messages of other conversations, in one pipelined batch. cached is the
// conversation's history window as the caller read it from Redis with its
// rate limit (nil: none): when it ends where the new message goes, the
// batch does not read the history; the vector cached with it (the previous
// question's) is what related messages are searched by. Without one, the
// turn waits up to RetrievalWait for the new message's own embedding, and
// goes on without retrieval past it: a slow embedding never holds the first
// token back longer.
func (s *Service) Prepare(ctx context.Context, req Request, cached []byte) (*Turn, error) {
	entry := decodeEntry(cached)
	t := &Turn{req: req, gathered: true}
	reads := store.TurnReads{History: s.cfg.HistoryMaxMessages}
	if entry != nil && (!req.Parent.Set || (req.Parent.ID != nil && *req.Parent.ID == entry.Leaf)) {
		reads.History = 0 // the cached window, if the message does follow its leaf
	}
	if s.cfg.RetrievalK > 0 {
		reads.RelatedLimit = s.cfg.RetrievalK
		if entry != nil && entry.Vector != nil {
			reads.Related = entry.Vector
		} else {
			t.embedding = s.embedAsync(ctx, req.Content)
			reads.Related = t.embedding.wait(s.cfg.RetrievalWait)
		}
	}
	ts, err := store.StartTurn(ctx, s.db, req.UserID, req.ConversationID, req.Content, req.ClientMessageID,
		TitleFrom(req.Content), answerWithin(ctx), req.Parent, reads)
	if err != nil {
		return nil, err
	}
	t.user, t.assistantID = ts.UserTurn, uuid.NewString()
	if u := t.user; u.Answer != nil && u.Answer.Status == "complete" {
		t.assistantID = u.Answer.ID
		return t, nil // answered already: no model call, no embedding
	}
	for _, r := range ts.Related {
		if r.Score >= s.cfg.RetrievalMinScore {
			t.related = append(t.related, r)
		}
	}
	switch {
	case ts.HistoryRead:
		t.history = ts.History
		if t.user.ParentID != nil {
			t.historyFrom = fromDatabase // (a first message has none to read)
		}
	case t.user.ParentID == nil:
		// A first message: no history.
	case !t.user.Retry && entry != nil && entry.Leaf == *t.user.ParentID:
		t.history, t.historyFrom = entry.Messages, fromCache
	default:
		t.gathered = false // Run reads it (a retry always from the database)
	}
	if t.embedding == nil {
		t.embedding = s.embedAsync(ctx, req.Content) // for the message's stored vector
	}
	return t, nil
}

// Regenerate claims the question of the caller's answer answerID for a new
// answer beside it (store.RegenerateTurn): store.ErrNotFound,
// store.ErrNotAnAnswer, store.ErrTurnInProgress, or a database error.
func (s *Service) Regenerate(ctx context.Context, userID, conversationID, answerID string) (*Turn, error) {
	u, content, err := store.RegenerateTurn(ctx, s.db, userID, conversationID, answerID, answerWithin(ctx))
	if err != nil {
		return nil, err
	}
	req := Request{UserID: userID, ConversationID: conversationID, Content: content}
	return &Turn{req: req, user: u, assistantID: uuid.NewString(), embedding: s.embedAsync(ctx, content)}, nil
}

// answerWithin is how long a turn claims its message: until the invocation's
// deadline (the turn cannot outlive it), with a margin; a minute and a half
// without a deadline.
func answerWithin(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return time.Until(d) + 2*time.Second
	}
	return 90 * time.Second
}

// release ends the turn's claim on its message when no answer was stored, so
// that a retry answers it at once.
func (s *Service) release(ctx context.Context, t *Turn) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := store.ReleaseTurn(rctx, s.db, t.req.UserID, t.user.MessageID); err != nil {
		slog.WarnContext(ctx, "chat: turn not released; a retry waits for it to expire", "error", err.Error())
	}
}

// Run streams the answer to out: start, deltas, then done or error, and closes
// out. Whatever happens, the user's message stays stored and what the model
// produced is stored (incomplete if it did not finish). The stream is closed
// before the vectors are made; Run returns when they are stored. Cancelling
// ctx with ErrClientGone (or a failed write to out) ends the model call at
// once, as a client that left.
func (s *Service) Run(ctx context.Context, t *Turn, out *api.SSE) {
	start := startEvent{ConversationID: t.req.ConversationID, UserMessageID: t.user.MessageID, AssistantMessageID: t.assistantID}
	if a := t.user.Answer; a != nil && a.Status == "complete" {
		// A retry of a finished turn: the stored answer again, no model call.
		_ = out.Event("start", start)
		_ = out.Event("delta", deltaEvent{Text: a.Content})
		done := doneEvent{AssistantMessageID: a.ID, FinishReason: "stop"}
		if a.Model != nil {
			done.Model = *a.Model
		}
		if a.Usage != nil {
			done.Usage = *a.Usage
		}
		if a.DurationMs != nil {
			done.DurationMs = int64(*a.DurationMs)
		}
		_ = out.Event("done", done)
		_ = out.Close()
		return
	}
	// The turn's one metrics line (observe's EMF), written when Run returns.
	tm := turnMetrics{outcome: "done"}
	defer func() { tm.log(ctx, t) }()
	if t.user.Retry && t.user.Answer != nil {
		if err := store.DeleteIncompleteAnswer(ctx, s.db, t.req.UserID, t.user.MessageID); err != nil {
			tm.storeFailed(out.Event("error", storeFailure(err)) == nil, err)
			s.release(ctx, t)
			return
		}
	}
	if out.Event("start", start) != nil {
		tm.outcome = "client_gone"
		s.release(ctx, t)
		return // the client is gone before anything was generated
	}

	history, related := t.history, t.related
	if !t.gathered {
		history, related = s.gather(ctx, t)
	}
	system := SystemPrompt(s.cfg.SystemPrompt, t.user.Instructions, t.user.SystemPrompt)
	prompt := BuildPrompt(system, related, history, t.req.Content, s.cfg.HistoryTokenBudget)
	model := ChooseModel(s.model.ChatModels(), t.user.Model, t.user.DefaultModel)

	// The model gets the invocation's time less a reserve to store the answer:
	// a hung model ends the turn with an error event, not a Lambda timeout.
	streamCtx, cancel := context.WithCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		streamCtx, cancel = context.WithDeadline(ctx, deadline.Add(-storeReserve))
	}
	defer cancel()
	clientGone := false
	modelStart := time.Now()
	completion, streamErr := s.model.StreamWith(streamCtx, model, prompt, func(text string) {
		text = withoutNUL(text)
		if text == "" {
			return
		}
		if tm.firstToken == 0 {
			tm.firstToken = time.Since(modelStart)
		}
		if !clientGone && out.Event("delta", deltaEvent{Text: text}) != nil {
			clientGone = true
			cancel() // nobody listens: stop paying for tokens
		}
	})
	if errors.Is(context.Cause(ctx), ErrClientGone) {
		clientGone = true
	}

	// Store what was produced, finished or not, before telling the client.
	completion.Text = withoutNUL(completion.Text) // no PostgreSQL text holds one
	answered := store.Answered{Model: model, Duration: time.Since(modelStart),
		Usage: store.Usage{PromptTokens: completion.PromptTokens, CompletionTokens: completion.CompletionTokens}}
	u := &answered.Usage
	if u.PromptTokens == 0 { // a provider that does not report usage (or a call cut short): our estimate
		for _, m := range prompt {
			u.PromptTokens += EstimateTokens(m.Content)
		}
		u.CompletionTokens = EstimateTokens(completion.Text)
	}
	tm.modelCalled, tm.tokens = true, u.PromptTokens+u.CompletionTokens
	tm.modelFailed = streamErr != nil && !clientGone // (also when its partial answer is then not stored)
	status := "complete"
	if streamErr != nil {
		status = "incomplete"
	}
	var answer *store.Message
	if streamErr == nil || completion.Text != "" {
		saveCtx, cancelSave := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		m, err := store.AddAssistantMessage(saveCtx, s.db, t.req.UserID, t.req.ConversationID, t.assistantID, t.user.MessageID, completion.Text, status, answered)
		cancelSave()
		if err != nil {
			slog.ErrorContext(ctx, "chat: answer not stored", "error", err.Error())
			tm.storeFailed(!clientGone, err)
			if !clientGone {
				_ = out.Event("error", storeFailure(err))
			}
			s.release(ctx, t)
			return
		}
		answer = &m
	} else {
		s.release(ctx, t) // nothing to store: a retry may answer it now
	}
	switch {
	case clientGone:
		tm.outcome = "client_gone"
		slog.InfoContext(ctx, "chat: client disconnected; partial answer stored", "chars", len(completion.Text))
	case streamErr != nil:
		tm.outcome = "model_failed"
		slog.WarnContext(ctx, "chat: model failed", "error", streamErr.Error(), "partialChars", len(completion.Text))
		_ = out.Event("error", upstreamFailure(streamErr))
	default:
		_ = out.Event("done", doneEvent{AssistantMessageID: t.assistantID, FinishReason: completion.FinishReason, Usage: *u,
			Model: model, DurationMs: answered.Duration.Milliseconds()})
	}

	// The client has its last event: end the stream now, then make the vectors
	// and update the history window, still within the invocation.
	_ = out.Close()
	after, cancelAfter := context.WithTimeout(context.WithoutCancel(ctx), 8*time.Second)
	defer cancelAfter()
	userVector := t.embedding.wait(s.cfg.RetrievalTimeout) // made by now, or given up
	s.embed(after, t, userVector, answer)
	size := int64(len(completion.Text))
	spent := cache.Usage{Tokens: int64(u.PromptTokens + u.CompletionTokens), EmbedChars: size, StoredBytes: size}
	if s.cfg.ModelTitles && t.user.Titled && answer != nil && status == "complete" {
		spent.Tokens += int64(s.retitle(after, t, completion.Text))
	}
	if answer == nil || status != "complete" {
		if s.spent != nil {
			s.spent.Spend(after, t.req.UserID, spent)
		}
		return
	}
	user := store.Message{ID: t.user.MessageID, Role: "user", Content: t.req.Content, Status: "complete", CreatedAt: t.user.CreatedAt}
	window := append([]store.Message{*answer, user}, history...)
	if len(window) > s.cfg.HistoryMaxMessages {
		window = window[:s.cfg.HistoryMaxMessages]
	}
	if s.spent == nil {
		s.history.set(after, t.req.ConversationID, window, userVector)
		return
	}
	// The spending and the new window: one Redis command.
	if entry, ok := s.history.entry(window, userVector); ok {
		s.spent.SpendAndSet(after, t.req.UserID, spent, historyKey(t.req.ConversationID), entry, historyTTL)
	} else {
		s.spent.Spend(after, t.req.UserID, spent)
	}
}

// gather reads, for a turn that Prepare did not read them for (a
// regenerated answer, a retry, a window another turn moved), the history
// window (cache, else database) and, at the same time, the related messages
// of the user's other conversations by the new message's vector, waiting
// for it no longer than RetrievalWait. Failures here degrade the prompt,
// never the turn.
func (s *Service) gather(ctx context.Context, t *Turn) (history []store.Message, related []store.Related) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if s.cfg.RetrievalK == 0 {
			return
		}
		vector := t.embedding.wait(s.cfg.RetrievalWait)
		if vector == nil {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, s.cfg.RetrievalTimeout)
		defer cancel()
		near, err := store.NearestMessages(ctx, s.db, t.req.UserID, vector,
			store.NearestOptions{Limit: s.cfg.RetrievalK, NotInConversation: t.req.ConversationID})
		if err != nil {
			slog.WarnContext(ctx, "chat: retrieval failed", "error", err.Error())
			return
		}
		for _, r := range near {
			if r.Score >= s.cfg.RetrievalMinScore {
				related = append(related, r)
			}
		}
	}()
	if t.user.ParentID == nil {
		wg.Wait()
		return nil, related // a first message: no history
	}
	if !t.user.Retry {
		var hit bool
		if history, hit = s.history.get(ctx, t.req.ConversationID, *t.user.ParentID); hit {
			t.historyFrom = fromCache
		}
	}
	if history == nil {
		t.historyFrom = fromDatabase
		var err error
		history, err = store.RecentMessages(ctx, s.db, t.req.UserID, t.req.ConversationID, t.user.MessageID, s.cfg.HistoryMaxMessages)
		if err != nil {
			slog.WarnContext(ctx, "chat: history not read", "error", err.Error())
		}
	}
	wg.Wait()
	return history, related
}

// embed stores the vectors of the turn's messages; the ones it cannot make
// are left for the embed function's backfill.
func (s *Service) embed(ctx context.Context, t *Turn, userVector []float32, answer *store.Message) {
	var inputs []string
	var ids []string
	if userVector == nil {
		inputs, ids = append(inputs, t.req.Content), append(ids, t.user.MessageID)
	}
	if answer != nil && answer.Content != "" {
		inputs, ids = append(inputs, answer.Content), append(ids, answer.ID)
	}
	var items []store.Embedding
	if userVector != nil {
		items = append(items, store.Embedding{MessageID: t.user.MessageID, Vector: userVector})
	}
	if len(inputs) > 0 {
		vecs, err := s.model.Embed(ctx, inputs)
		if err != nil {
			slog.WarnContext(ctx, "chat: answer not embedded; left for the backfill", "error", err.Error())
		} else {
			for i, v := range vecs {
				items = append(items, store.Embedding{MessageID: ids[i], Vector: v})
			}
		}
	}
	if err := store.StoreEmbeddings(ctx, s.db, t.req.UserID, s.model.EmbeddingModel(), items); err != nil {
		slog.WarnContext(ctx, "chat: vectors not stored; left for the backfill", "error", err.Error())
	}
}

// withoutNUL drops NUL characters, which a model may emit and no PostgreSQL
// text can hold (the answer would be lost when it is stored).
func withoutNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// turnMetrics is what a turn measured, for its one metrics line.
type turnMetrics struct {
	outcome     string // done, client_gone, model_failed, store_failed
	modelCalled bool
	modelFailed bool
	dbDown      bool // the client was told database_unavailable
	tokens      int
	firstToken  time.Duration // 0: no text came
}

// storeFailed records a failure to store; told: the client got the error event.
func (m *turnMetrics) storeFailed(told bool, err error) {
	m.outcome = "store_failed"
	m.dbDown = told && storeFailure(err).Error.Code == "database_unavailable"
}

// log writes the turn's line: msg "chat turn" with its outcome, as an EMF
// document with ChatTurns, ChatTurnFailed, ModelErrors, ModelTokens,
// TimeToFirstToken, HistoryCacheHit and DatabaseUnavailable (observe).
func (m *turnMetrics) log(ctx context.Context, t *Turn) {
	var ms observe.Metrics
	failed := m.outcome == "model_failed" || m.outcome == "store_failed"
	ms.Add(observe.ChatTurns, observe.Count, 1)
	ms.Add(observe.ChatTurnFailed, observe.Count, b2f(failed))
	if m.modelCalled {
		ms.Add(observe.ModelErrors, observe.Count, b2f(m.modelFailed))
		ms.Add(observe.ModelTokens, observe.Count, float64(m.tokens))
	}
	if m.firstToken > 0 {
		ms.Add(observe.TimeToFirstToken, observe.Milliseconds, float64(m.firstToken.Microseconds())/1000)
	}
	if t.historyFrom != fromNothing {
		ms.Add(observe.HistoryCacheHit, observe.Count, b2f(t.historyFrom == fromCache))
	}
	if m.dbDown {
		ms.Add(observe.DatabaseUnavailable, observe.Count, 1)
	}
	level := slog.LevelInfo
	if failed {
		level = slog.LevelWarn
	}
	observe.Log(ctx, level, "chat turn", &ms, slog.String("outcome", m.outcome))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func upstreamFailure(err error) errorEvent {
	msg := "the model failed while answering; your message is saved, try again"
	switch ai.Classify(err) {
	case ai.ErrTimeout:
		msg = "the model did not answer in time; your message is saved, try again"
	case ai.ErrRateLimit:
		msg = "the model provider is busy; your message is saved, try again in a moment"
	}
	return errorEvent{Error: errorBody{Code: "upstream_error", Message: msg}}
}

func storeFailure(err error) errorEvent {
	if errors.Is(err, context.DeadlineExceeded) {
		return errorEvent{Error: errorBody{Code: "database_unavailable", Message: "the database did not answer; try again"}}
	}
	return errorEvent{Error: errorBody{Code: "internal", Message: "the answer could not be saved; try again"}}
}
