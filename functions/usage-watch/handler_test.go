package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fakeCloudWatch answers GetMetricStatistics from a table and records the
// requests.
type fakeCloudWatch struct {
	mu    sync.Mutex
	calls []metricQuery
	sums  map[string][]float64 // "Invocations" or "Duration/<function>" → daily sums
	err   error
}

func (f *fakeCloudWatch) GetMetricStatistics(_ context.Context, q metricQuery) (*metricStatistics, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, q)
	if f.err != nil {
		return nil, f.err
	}
	key := q.MetricName
	for _, d := range q.Dimensions {
		key += "/" + d.Value
	}
	out := &metricStatistics{}
	for _, s := range f.sums[key] {
		out.Datapoints = append(out.Datapoints, datapoint{Sum: s})
	}
	return out, nil
}

// fakeLambda lists functions two to a page.
type fakeLambda struct{ memory map[string]int32 }

func (f fakeLambda) ListFunctions(_ context.Context, marker string) (*functionPage, error) {
	names := slices.Sorted(maps.Keys(f.memory))
	start := 0
	if marker != "" {
		start, _ = strconv.Atoi(marker)
	}
	out := &functionPage{}
	for _, n := range names[start:min(start+2, len(names))] {
		out.Functions = append(out.Functions, lambdaFunction{FunctionName: n, MemorySize: f.memory[n]})
	}
	if start+2 < len(names) {
		out.NextMarker = strconv.Itoa(start + 2)
	}
	return out, nil
}

// fixture is the handler on the test stack's PostgreSQL (a database of its
// own, migrated, with one stored vector) and Redis.
type fixture struct {
	h    *handler
	rdb  *redis.Client
	logs *bytes.Buffer
	size func() int64
}

func newFixture(t *testing.T, cw metricReader) *fixture {
	t.Helper()
	stack := testenv.Get(t)
	dbURL := stack.NewDatabase(t)
	stack.Setenv(t, dbURL)
	pool := testenv.Pool(t, dbURL)
	ctx := context.Background()
	userID := uuid.NewString()
	if _, err := store.UpsertUser(ctx, pool, userID, userID+"@example.com"); err != nil {
		t.Fatal(err)
	}
	conv, err := store.CreateConversation(ctx, pool, userID, "t")
	if err != nil {
		t.Fatal(err)
	}
	turn, err := store.AddUserMessage(ctx, pool, userID, conv.ID, "hello", nil, "t", time.Minute, store.Parent{})
	if err != nil {
		t.Fatal(err)
	}
	vec := make([]float32, stack.EmbeddingDimensions)
	vec[0] = 1
	if err := store.StoreEmbeddings(ctx, pool, userID, "test-model", []store.Embedding{{MessageID: turn.MessageID, Vector: vec}}); err != nil {
		t.Fatal(err)
	}
	opt, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	cfg, err := config.LoadFrom[settings](map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(observe.NewLogger(&logs, slog.LevelInfo))
	t.Cleanup(func() { slog.SetDefault(prev) })
	// A month of its own, far away: its Redis key is this test's alone.
	month := time.Date(2000+int(time.Now().UnixNano()%900), 3, 17, 6, 0, 0, 0, time.UTC)
	t.Cleanup(func() { rdb.Del(context.Background(), "usage:redis-commands:"+month.Format("2006-01")) })
	h := &handler{db: pool, rdb: rdb, cfg: cfg, now: func() time.Time { return month }}
	if cw != nil {
		h.cw = cw
		h.lambda = fakeLambda{memory: map[string]int32{"stack-chat-stream": 256, "stack-health": 128, "idle-a": 512, "idle-b": 128, "idle-c": 1024}}
	}
	size := func() int64 {
		var n int64
		if err := pool.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return &fixture{h: h, rdb: rdb, logs: &logs, size: size}
}

func (r report) get(t *testing.T, resource string) reading {
	t.Helper()
	for _, x := range r.Readings {
		if x.Resource == resource {
			return x
		}
	}
	t.Fatalf("no reading %s in %+v", resource, r)
	return reading{}
}

// TestReport: every free tier is read from the real servers (and a
// CloudWatch that answers from a table), the highest share is the EMF
// metric the alarm watches, and a tier at 80% or more says so.
func TestReport(t *testing.T) {
	cw := &fakeCloudWatch{sums: map[string][]float64{
		"Invocations":                {300000, 250000},
		"Duration/stack-chat-stream": {1000000, 600000}, // 1 600 s at 0.25 GB: 400 GB-s
		"Duration/stack-health":      {800000},          // 800 s at 0.125 GB: 100 GB-s
	}}
	f := newFixture(t, cw)
	size := f.size()
	f.h.cfg.DatabaseLimitBytes = size * 10 / 9 // the database is 90% of it

	rep, err := f.h.Invoke(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	db := rep.get(t, resDatabase)
	if math.Abs(db.Used-float64(size)) > float64(size)/100 || db.Percent < 89 || db.Percent > 91 || !db.Over {
		t.Errorf("database reading %+v, size %d", db, size)
	}
	if rep.Vectors != 1 {
		t.Errorf("vectors stored = %d, want 1", rep.Vectors)
	}
	if mem := rep.get(t, resRedisMemory); mem.Used <= 0 || mem.Limit != 268435456 || mem.Error != "" {
		t.Errorf("Redis memory %+v", mem)
	}
	if cmds := rep.get(t, resRedisCommands); cmds.Used != 0 || cmds.Limit != 500000 {
		t.Errorf("the month's first reading counts from itself: %+v", cmds)
	}
	reqs, gbs := rep.get(t, resLambdaReqs), rep.get(t, resLambdaGBs)
	if reqs.Used != 550000 || reqs.Percent != 55 || gbs.Used != 500 || gbs.Percent != 0.13 || reqs.Over {
		t.Errorf("Lambda: %+v, %+v", reqs, gbs)
	}
	if rep.Highest != resDatabase || rep.HighestPercent != db.Percent || rep.Month != rep.Month[:4]+"-03" || len(rep.NotMeasured) != 0 {
		t.Errorf("report %+v", rep)
	}
	// What was asked of CloudWatch: the month's daily sums, Invocations for
	// the whole account, Duration per function.
	// Every listed function (three pages of them) is read, idle ones too.
	if len(cw.calls) != 6 {
		t.Fatalf("%d GetMetricStatistics calls, want 6", len(cw.calls))
	}
	for _, c := range cw.calls {
		if c.Namespace != "AWS/Lambda" || c.Period != 24*time.Hour || c.Start.Day() != 1 || c.Start.Hour() != 0 ||
			len(c.Statistics) != 1 || c.Statistics[0] != "Sum" {
			t.Errorf("request %+v", c)
		}
		if (c.MetricName == "Invocations") != (len(c.Dimensions) == 0) {
			t.Errorf("%s with dimensions %v", c.MetricName, c.Dimensions)
		}
	}

	// The log line is an EMF document whose FreeTierUsedPercent is the highest share.
	var line observe.Document
	for _, l := range strings.Split(f.logs.String(), "\n") {
		if doc, ok := observe.ParseEMF([]byte(l)); ok && doc.Fields["msg"] == "usage-watch" {
			line = doc
		}
	}
	if line.Values[observe.FreeTierUsedPercent] != rep.HighestPercent || line.Units[observe.FreeTierUsedPercent] != observe.Percent || line.Fields["level"] != "WARN" {
		t.Errorf("EMF line %+v", line)
	}
	if !strings.Contains(f.logs.String(), `"msg":"usage-watch: free tier nearly used","resource":"database_size"`) {
		t.Errorf("no warning for the database: %s", f.logs.String())
	}

	// Commands since the month's first reading.
	for range 25 {
		f.rdb.Ping(context.Background())
	}
	rep, err = f.h.Invoke(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cmds := rep.get(t, resRedisCommands); cmds.Used < 25 || cmds.Used > 1000 {
		t.Errorf("commands this month %v, want the 25 PINGs and the watch's own", cmds.Used)
	}
	// A restarted server (its total below the month's first): counted afresh.
	f.rdb.Set(context.Background(), "usage:redis-commands:"+rep.Month, math.MaxInt64, time.Hour)
	rep, _ = f.h.Invoke(context.Background(), nil)
	if cmds := rep.get(t, resRedisCommands); cmds.Used != 0 {
		t.Errorf("after a restart: %v", cmds.Used)
	}
}

// TestLambdaNotMeasured: CloudWatch failing, or off (the local stack), is
// reported and leaves the invocation successful; the other tiers still count.
func TestLambdaNotMeasured(t *testing.T) {
	for name, cw := range map[string]metricReader{"CloudWatch fails": &fakeCloudWatch{err: errors.New("AccessDenied")}, "off": nil} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, cw)
			rep, err := f.h.Invoke(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rep.NotMeasured, ",") != resLambdaReqs+","+resLambdaGBs || rep.get(t, resLambdaReqs).Error == "" || rep.Highest == "" {
				t.Errorf("report %+v", rep)
			}
		})
	}
}

// TestDatabaseDownFailsTheRun: a watch that cannot read the database fails
// its invocation (the Errors alarm and the failure queue hear of it) and
// still reports the rest.
func TestDatabaseDownFailsTheRun(t *testing.T) {
	f := newFixture(t, nil)
	pool := testenv.Pool(t, os.Getenv("DATABASE_URL"))
	pool.Close()
	f.h.db = pool
	rep, err := f.h.Invoke(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), resDatabase) {
		t.Fatalf("error %v", err)
	}
	if rep.get(t, resRedisMemory).Used <= 0 || rep.get(t, resDatabase).Error == "" {
		t.Errorf("report %+v", rep)
	}
}

func TestParseInfo(t *testing.T) {
	info := "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\n\r\n# Stats\r\ntotal_commands_processed:42\r\n"
	got := parseInfo(info)
	if got["used_memory"] != "1048576" || got["total_commands_processed"] != "42" || len(got) != 3 {
		t.Errorf("%v", got)
	}
}
