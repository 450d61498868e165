package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/macro-ai/macro-ai/local/bench"
	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/local/gateway"
	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/local/template"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// ChatTargets are the chat turn's targets (docs/operating.md).
type ChatTargets struct {
	// MaxOverheadMs bounds the time to the first delta over the model's own
	// first-token time, at p50 and at p99.
	MaxOverheadMs    float64 `json:"maxOverheadMs"`
	MaxRedisCommands int64   `json:"maxRedisCommands"` // per turn, the rate limit included
	MaxSQLRoundTrips int64   `json:"maxSqlRoundTrips"` // per turn
}

// DefaultChatTargets: ≤ 15 ms of overhead (p50 and p99), ≤ 3 Redis
// commands and ≤ 6 SQL round trips a turn.
var DefaultChatTargets = ChatTargets{MaxOverheadMs: 15, MaxRedisCommands: 3, MaxSQLRoundTrips: 6}

// ChatResult is POST /conversations/{id}/messages through the chat-stream
// Function URL of the local gateway, the real bootstrap, as a signed-in user.
type ChatResult struct {
	Request       string `json:"request"`
	Turns         int    `json:"turns"` // warm turns measured
	Conversations int    `json:"conversations"`
	// FirstTokenDelayMs is the dev model's fixed delay before its first chunk.
	FirstTokenDelayMs float64 `json:"firstTokenDelayMs"`
	// FirstDelta is what the client waits from sending the request to
	// reading the first delta event; ModelFirstToken is the model's own
	// time, measured at the model server from the chat request's arrival to
	// its first chunk; Overhead is, per turn, the first minus the second.
	FirstDelta      bench.Dist `json:"firstDelta"`
	ModelFirstToken bench.Dist `json:"modelFirstToken"`
	Overhead        bench.Dist `json:"overhead"`
	// RetrievalEmbed is the embeddings call for the new message, which the
	// turn makes before it calls the chat model (at the model server).
	RetrievalEmbed bench.Dist `json:"retrievalEmbed"`
	// Done is the client's time to the done event; Duration the function's.
	Done     bench.Dist `json:"done"`
	Duration bench.Dist `json:"duration"`
	// Per warm turn: Redis commands as the server receives them (a script
	// is one), and SQL round trips.
	RedisMin    int64              `json:"redisCommandsMin"`
	RedisMax    int64              `json:"redisCommandsMax"`
	RedisMean   float64            `json:"redisCommandsMean"`
	RedisByName map[string]float64 `json:"redisCommandsByName"` // mean per warm turn
	SQLMin      int64              `json:"sqlRoundTripsMin"`
	SQLMax      int64              `json:"sqlRoundTripsMax"`
	SQLMean     float64            `json:"sqlRoundTripsMean"`
	// How many warm turns made each number of Redis commands, of SQL round trips.
	RedisHistogram map[int64]int `json:"redisCommandsHistogram"`
	SQLHistogram   map[int64]int `json:"sqlRoundTripsHistogram"`
	// WarmupTurns are untimed turns after the cold one: each conversation's
	// history window gets cached before the measured turns.
	WarmupTurns int `json:"warmupTurns"`
	// The cold turn's, after ColdConnections PostgreSQL connections were opened.
	ColdRedis int64 `json:"coldRedisCommands"`
	// ColdRedisByName is the cold turn's Redis commands by name (the
	// connection's HELLO among them).
	ColdRedisByName map[string]int64 `json:"coldRedisCommandsByName"`
	ColdSQL         int64            `json:"coldSqlRoundTrips"`
	ColdConnections int64            `json:"coldConnections"`
	Targets         ChatTargets      `json:"targets"`
	Missed          []string         `json:"missed,omitempty"`
	Method          string           `json:"method"`
}

const chatMethod = "the client times POST to the chat-stream Function URL (local gateway, lambdaemu, real bootstrap) until the first `event: delta`; " +
	"the dev model server times its chat request from arrival to the first chunk written; overhead = the first minus the second, per turn. " +
	"Redis commands: a TCP proxy parses what the function sends (RESP); SQL round trips: a TCP proxy counts Sync and Query messages; " +
	"a turn's counts include what it does after the stream ends (vectors, history window), until the function has been quiet for 100 ms"

// modelTimer wraps the dev model and records, per request, how long it took
// to its first written byte (chat) or to its end (embeddings).
type modelTimer struct {
	next http.Handler
	mu   sync.Mutex
	chat []time.Duration
	emb  []time.Duration
}

func (m *modelTimer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	fw := &firstWrite{ResponseWriter: w}
	m.next.ServeHTTP(fw, r)
	m.mu.Lock()
	defer m.mu.Unlock()
	switch r.URL.Path {
	case "/v1/chat/completions":
		if !fw.at.IsZero() {
			m.chat = append(m.chat, fw.at.Sub(start))
		}
	case "/v1/embeddings":
		m.emb = append(m.emb, time.Since(start))
	}
}

// take returns and forgets what was recorded.
func (m *modelTimer) take() (chat, emb []time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	chat, emb = m.chat, m.emb
	m.chat, m.emb = nil, nil
	return chat, emb
}

type firstWrite struct {
	http.ResponseWriter
	at time.Time
}

func (f *firstWrite) Write(p []byte) (int, error) {
	if f.at.IsZero() {
		f.at = time.Now()
	}
	return f.ResponseWriter.Write(p)
}

func (f *firstWrite) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// benchChat runs o.turns warm chat turns (after one cold) of a signed-in
// user through the chat-stream Function URL, the dev model answering after
// a fixed first-token delay.
func benchChat(ctx context.Context, tpl *template.Template, o options, env testenv.Env, fnLog io.Writer) (*ChatResult, error) {
	token, sub, convs, err := bench.SeedUser(ctx, env, o.chatConversations)
	if err != nil {
		return nil, err
	}
	// Each conversation holds 200 messages and the turns go on a branch
	// that leaves it halfway (an edit of its 100th message): the history is
	// read along the branch.
	if err := seedBranches(ctx, env.DatabaseURL, sub, convs, branchSeed); err != nil {
		return nil, err
	}

	// The dev model, timed; PostgreSQL and Redis, counted.
	c, err := newCounted(env, devmodel.Config{Dimensions: env.EmbeddingDimensions, FirstTokenDelay: o.firstToken})
	if err != nil {
		return nil, err
	}
	defer c.close()
	pg, rc, timer, vars := c.pg, c.rc, c.timer, c.vars
	vars["RATE_LIMIT_CHAT_PER_MINUTE"] = "1000000"                       // one user sends more than a minute's 20 turns
	vars["QUOTA_TURNS_PER_DAY"], vars["QUOTA_TOKENS_PER_DAY"] = "0", "0" // and more than a day's

	reports := make(chan lambdaemu.Report, 1)
	g, err := gateway.New(gateway.Config{
		Template: tpl, BuildDir: o.buildDir, Env: vars, Region: env.CognitoRegion, Log: io.Discard, FunctionOutput: fnLog,
		OnReport: func(r lambdaemu.Report) {
			select {
			case reports <- r:
			default:
			}
		},
	})
	if err != nil {
		return nil, err
	}
	defer g.Close()
	h, err := g.FunctionURL("chat-stream")
	if err != nil {
		return nil, err
	}
	streamURL, stopStream, err := serve(h)
	if err != nil {
		return nil, err
	}
	defer stopStream()

	res := &ChatResult{
		Request: fmt.Sprintf("POST /conversations/{id}/messages (chat-stream Function URL), on a branch of a %d-message conversation", branchSeed), Conversations: len(convs),
		FirstTokenDelayMs: float64(o.firstToken) / float64(time.Millisecond), Targets: DefaultChatTargets, Method: chatMethod,
	}
	var firstDelta, modelFirst, overhead, retrieval, done, durations []time.Duration
	var redisN, sqlN []int64
	byName := map[string]int64{}
	res.WarmupTurns = 2 * len(convs)
	for i := range 1 + res.WarmupTurns + o.turns {
		conv := convs[i%len(convs)]
		r0, s0, names0 := rc.Commands(), pg.RoundTrips(), rc.ByName()
		timer.take()
		t, err := turn(ctx, streamURL+"/conversations/"+conv+"/messages", token,
			fmt.Sprintf("Bench turn %d: what did we say about topic %d, and what should I plan next week?", i, i%7))
		if err != nil {
			return nil, fmt.Errorf("turn %d: %w", i, err)
		}
		var rep lambdaemu.Report
		select {
		case rep = <-reports:
		case <-time.After(10 * time.Second):
			return nil, fmt.Errorf("turn %d: no REPORT from chat-stream", i)
		}
		// The turn stores the vectors and the history window after the
		// stream has ended (and lambdaemu has reported): wait for the
		// function to fall quiet before counting.
		quiet(pg.RoundTrips, rc.Commands)
		chat, emb := timer.take()
		if len(chat) != 1 {
			return nil, fmt.Errorf("turn %d: the model saw %d chat requests, want 1", i, len(chat))
		}
		r, s := rc.Commands()-r0, pg.RoundTrips()-s0
		if i == 0 {
			if !rep.Cold {
				return nil, errors.New("the first turn was warm")
			}
			res.ColdRedis, res.ColdSQL, res.ColdConnections = r, s, pg.Connections()
			res.ColdRedisByName = map[string]int64{}
			for name, n := range rc.ByName() {
				if d := n - names0[name]; d != 0 {
					res.ColdRedisByName[name] = d
				}
			}
			continue
		}
		if rep.Cold {
			return nil, fmt.Errorf("turn %d: the instance restarted", i)
		}
		if i <= res.WarmupTurns {
			continue
		}
		for name, n := range rc.ByName() {
			if d := n - names0[name]; d != 0 {
				byName[name] += d
			}
		}
		firstDelta, modelFirst = append(firstDelta, t.firstDelta), append(modelFirst, chat[0])
		overhead = append(overhead, t.firstDelta-chat[0])
		if len(emb) > 0 {
			retrieval = append(retrieval, emb[0])
		}
		done, durations = append(done, t.done), append(durations, rep.Duration)
		redisN, sqlN = append(redisN, r), append(sqlN, s)
	}
	res.Turns = len(firstDelta)
	res.FirstDelta, res.ModelFirstToken, res.Overhead = bench.Summarize(firstDelta), bench.Summarize(modelFirst), bench.Summarize(overhead)
	res.RetrievalEmbed, res.Done, res.Duration = bench.Summarize(retrieval), bench.Summarize(done), bench.Summarize(durations)
	res.RedisMin, res.RedisMax, res.RedisMean = slices.Min(redisN), slices.Max(redisN), mean(redisN)
	res.SQLMin, res.SQLMax, res.SQLMean = slices.Min(sqlN), slices.Max(sqlN), mean(sqlN)
	res.RedisHistogram, res.SQLHistogram = map[int64]int{}, map[int64]int{}
	for i := range redisN {
		res.RedisHistogram[redisN[i]]++
		res.SQLHistogram[sqlN[i]]++
	}
	res.RedisByName = map[string]float64{}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		res.RedisByName[name] = float64(byName[name]) / float64(res.Turns)
	}
	t := res.Targets
	if res.Overhead.P50Ms > t.MaxOverheadMs || res.Overhead.P99Ms > t.MaxOverheadMs {
		res.Missed = append(res.Missed, fmt.Sprintf("first-delta overhead p50 %.1f ms, p99 %.1f ms > %.0f ms", res.Overhead.P50Ms, res.Overhead.P99Ms, t.MaxOverheadMs))
	}
	if res.RedisMax > t.MaxRedisCommands {
		res.Missed = append(res.Missed, fmt.Sprintf("Redis commands per turn up to %d > %d", res.RedisMax, t.MaxRedisCommands))
	}
	if res.SQLMax > t.MaxSQLRoundTrips {
		res.Missed = append(res.Missed, fmt.Sprintf("SQL round trips per turn up to %d > %d", res.SQLMax, t.MaxSQLRoundTrips))
	}
	return res, nil
}

type turnTimes struct{ firstDelta, done time.Duration }

// turn posts one message and reads the stream to its end.
func turn(ctx context.Context, target, token, content string) (turnTimes, error) {
	var t turnTimes
	body := fmt.Sprintf(`{"content":%q}`, content)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return t, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return t, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return t, fmt.Errorf("%s: %.300s", resp.Status, b)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var events []string
	for sc.Scan() {
		line := sc.Bytes()
		name, ok := bytes.CutPrefix(line, []byte("event: "))
		if !ok {
			continue
		}
		events = append(events, string(name))
		switch string(name) {
		case "delta":
			if t.firstDelta == 0 {
				t.firstDelta = time.Since(start)
			}
		case "done":
			t.done = time.Since(start)
		case "error":
			sc.Scan()
			return t, fmt.Errorf("error event: %s", sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		return t, err
	}
	if t.firstDelta == 0 || t.done == 0 {
		return t, fmt.Errorf("stream without a delta and a done: %v", events)
	}
	return t, nil
}

// quietFor is how long the counters must stand still for a turn to be over.
const quietFor = 100 * time.Millisecond

// quiet returns once none of counters has moved for quietFor (at most 5 s).
func quiet(counters ...func() int64) {
	read := func() []int64 {
		v := make([]int64, len(counters))
		for i, c := range counters {
			v[i] = c()
		}
		return v
	}
	last, since, deadline := read(), time.Now(), time.Now().Add(5*time.Second)
	for time.Since(since) < quietFor && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		if v := read(); !slices.Equal(v, last) {
			last, since = v, time.Now()
		}
	}
}

// serve serves h on a free loopback port and returns its base URL.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

func mean(xs []int64) float64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return float64(s) / float64(len(xs))
}

// branchSeed is how many messages each bench conversation holds before its
// branch.
const branchSeed = 200

// seedBranches fills each conversation with n messages, alternately the
// user's and answers, then branches it at its middle with an edit of the
// message there (a sibling after the same parent): the conversation's leaf,
// where the bench's turns go on, is on that branch.
func seedBranches(ctx context.Context, databaseURL, user string, convs []string, n int) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("connect to seed branches: %w", err)
	}
	defer conn.Close(context.Background())
	for _, conv := range convs {
		var middleParent *string
		for i := range n {
			role := []string{"user", "assistant"}[i%2]
			var parent *string
			if err := conn.QueryRow(ctx, `INSERT INTO messages (conversation_id, user_id, role, content)
				VALUES ($1, $2, $3, $4) RETURNING parent_id::text`,
				conv, user, role, fmt.Sprintf("Seeded %s message %d of a long conversation.", role, i)).Scan(&parent); err != nil {
				return fmt.Errorf("seed %s: %w", conv, err)
			}
			if i == n/2 {
				middleParent = parent
			}
		}
		if _, err := conn.Exec(ctx, `INSERT INTO messages (conversation_id, user_id, role, content, parent_id)
			VALUES ($1, $2, 'user', 'An edit, halfway: the branch the bench turns go on.', $3)`, conv, user, middleParent); err != nil {
			return fmt.Errorf("branch %s: %w", conv, err)
		}
	}
	return nil
}

// counted is a stack's settings for functions whose trips to PostgreSQL
// (through the pooler, as on AWS: exec mode, no prepared statements) and to
// Redis go through counting proxies, which are also delay lines, and whose
// model is the timed dev model.
type counted struct {
	vars  map[string]string
	pg    *bench.PGCounter
	rc    *bench.RedisCounter
	timer *modelTimer
	model *devmodel.Server
	stops []func()
}

// newCounted starts the dev model with cfg and the two proxies.
func newCounted(env testenv.Env, cfg devmodel.Config) (*counted, error) {
	c := &counted{model: devmodel.New(cfg)}
	c.stops = append(c.stops, func() { c.model.Close() })
	c.timer = &modelTimer{next: c.model}
	modelURL, stopModel, err := serve(c.timer)
	if err != nil {
		c.close()
		return nil, err
	}
	c.stops = append(c.stops, stopModel)
	if c.pg, err = bench.NewPGCounter(fmt.Sprintf("127.0.0.1:%d", env.PgBouncerPort)); err != nil {
		c.close()
		return nil, err
	}
	c.stops = append(c.stops, func() { c.pg.Close() })
	ru, err := url.Parse(env.RedisURL)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("redis url: %w", err)
	}
	if c.rc, err = bench.NewRedisCounter(ru.Host); err != nil {
		c.close()
		return nil, err
	}
	c.stops = append(c.stops, func() { c.rc.Close() })
	du, err := url.Parse(env.PooledDatabaseURL)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("database url: %w", err)
	}
	du.Host, ru.Host = c.pg.Addr(), c.rc.Addr()
	c.vars = env.Vars()
	c.vars["DATABASE_URL"], c.vars["REDIS_URL"] = du.String(), ru.String()
	c.vars["OPENAI_BASE_URL"], c.vars["OPENAI_API_KEY"] = modelURL+"/v1", "dev"
	return c, nil
}

// close stops what newCounted started, the last first.
func (c *counted) close() {
	for i := len(c.stops) - 1; i >= 0; i-- {
		c.stops[i]()
	}
}
