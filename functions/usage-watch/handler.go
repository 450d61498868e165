package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/store"
)

// settings are the free tiers watched and what the watch reads.
type settings struct {
	// DatabaseLimitBytes is Neon's free storage: 0.5 GB per project.
	DatabaseLimitBytes int64 `env:"USAGE_DATABASE_LIMIT_BYTES" envDefault:"536870912"`
	// RedisMemoryLimitBytes is Upstash's free data size: 256 MB.
	RedisMemoryLimitBytes int64 `env:"USAGE_REDIS_MEMORY_LIMIT_BYTES" envDefault:"268435456"`
	// RedisCommandsPerMonth is Upstash's free commands: 500 000 a month.
	RedisCommandsPerMonth int64 `env:"USAGE_REDIS_COMMANDS_PER_MONTH" envDefault:"500000"`
	// LambdaRequestsPerMonth and LambdaGBSecondsPerMonth are Lambda's
	// always-free tier.
	LambdaRequestsPerMonth  int64 `env:"USAGE_LAMBDA_REQUESTS_PER_MONTH" envDefault:"1000000"`
	LambdaGBSecondsPerMonth int64 `env:"USAGE_LAMBDA_GB_SECONDS_PER_MONTH" envDefault:"400000"`
	// LambdaMetrics is "cloudwatch" (read Lambda's own metrics with
	// GetMetricStatistics) or "off" (the local stack: no CloudWatch).
	LambdaMetrics string `env:"USAGE_LAMBDA_METRICS" envDefault:"cloudwatch"`
	// AlarmPercent is where a reading says "over": the alarm's threshold.
	AlarmPercent float64 `env:"USAGE_ALARM_PERCENT" envDefault:"80"`
	// Timeout bounds each reading.
	Timeout time.Duration `env:"USAGE_TIMEOUT" envDefault:"5s"`
}

// metricReader is the part of CloudWatch the watch uses (cloudWatch).
// GetMetricStatistics, not GetMetricData: it counts against CloudWatch's
// free million API requests a month, which GetMetricData never does.
type metricReader interface {
	GetMetricStatistics(ctx context.Context, q metricQuery) (*metricStatistics, error)
}

// functionLister is the part of Lambda the watch uses (lambdaAPI): the
// account's functions and their memory, for the GB-seconds, a page at a
// time from marker ("" for the first page).
type functionLister interface {
	ListFunctions(ctx context.Context, marker string) (*functionPage, error)
}

type handler struct {
	db  store.DB
	rdb *redis.Client
	// cw and lambda read Lambda's usage; nil: not measured.
	cw     metricReader
	lambda functionLister
	cfg    settings
	now    func() time.Time
}

// reading is one free tier's use.
type reading struct {
	Resource string  `json:"resource"`
	Used     float64 `json:"used"`
	Limit    float64 `json:"limit"`
	Unit     string  `json:"unit"`
	Percent  float64 `json:"percent"`
	Over     bool    `json:"over,omitempty"` // at or past AlarmPercent
	Error    string  `json:"error,omitempty"`
}

// report is what the watch found; make invoke FN=usage-watch prints it.
type report struct {
	Month          string    `json:"month"`
	Readings       []reading `json:"readings"`
	Vectors        int64     `json:"vectorsStored"`
	Highest        string    `json:"highest"`
	HighestPercent float64   `json:"highestPercent"`
	NotMeasured    []string  `json:"notMeasured,omitempty"`
}

// The resources a report reads, in its order.
const (
	resDatabase      = "database_size"
	resRedisMemory   = "redis_memory"
	resRedisCommands = "redis_commands_month"
	resLambdaReqs    = "lambda_requests_month"
	resLambdaGBs     = "lambda_gb_seconds_month"
)

// Invoke reads every free tier's use, logs the report as one EMF line
// (FreeTierUsedPercent: the highest share used, which the template's alarm
// watches at 80%), and fails when the database or Redis could not be read,
// so that a watch that cannot see is an Errors alarm, not silence.
func (h *handler) Invoke(ctx context.Context, _ json.RawMessage) (report, error) {
	now := time.Now().UTC()
	if h.now != nil {
		now = h.now().UTC()
	}
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	rep := report{Month: monthStart.Format("2006-01")}
	readings := make([]reading, 5)
	var failed []error
	var mu sync.Mutex
	fail := func(r *reading, err error) {
		r.Error = err.Error()
		mu.Lock()
		failed = append(failed, fmt.Errorf("%s: %w", r.Resource, err))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
		defer cancel()
		r := reading{Resource: resDatabase, Unit: "bytes", Limit: float64(h.cfg.DatabaseLimitBytes)}
		var size, vectors int64
		err := h.db.QueryRow(ctx, `SELECT pg_database_size(current_database()), (SELECT count(*) FROM message_embeddings)`).Scan(&size, &vectors)
		if err != nil {
			fail(&r, err)
		}
		r.Used, rep.Vectors = float64(size), vectors
		readings[0] = r
	})
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
		defer cancel()
		mem := reading{Resource: resRedisMemory, Unit: "bytes", Limit: float64(h.cfg.RedisMemoryLimitBytes)}
		cmds := reading{Resource: resRedisCommands, Unit: "commands", Limit: float64(h.cfg.RedisCommandsPerMonth)}
		used, total, err := h.redisUsage(ctx, monthStart)
		if err != nil {
			fail(&mem, err)
			fail(&cmds, err)
		}
		mem.Used, cmds.Used = float64(used), float64(total)
		readings[1], readings[2] = mem, cmds
	})
	wg.Go(func() {
		reqs := reading{Resource: resLambdaReqs, Unit: "requests", Limit: float64(h.cfg.LambdaRequestsPerMonth)}
		gbs := reading{Resource: resLambdaGBs, Unit: "GB-seconds", Limit: float64(h.cfg.LambdaGBSecondsPerMonth)}
		if h.cw == nil || h.lambda == nil {
			reqs.Error, gbs.Error = "not measured (USAGE_LAMBDA_METRICS=off: no CloudWatch here)", "not measured (USAGE_LAMBDA_METRICS=off: no CloudWatch here)"
		} else {
			ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
			defer cancel()
			n, gbSeconds, err := h.lambdaUsage(ctx, monthStart, now)
			if err != nil {
				// CloudWatch's trouble, not the app's: reported, not failed.
				reqs.Error, gbs.Error = err.Error(), err.Error()
			}
			reqs.Used, gbs.Used = n, gbSeconds
		}
		readings[3], readings[4] = reqs, gbs
	})
	wg.Wait()

	for i := range readings {
		r := &readings[i]
		if r.Error != "" {
			rep.NotMeasured = append(rep.NotMeasured, r.Resource)
			continue
		}
		if r.Limit > 0 {
			r.Percent = round2(100 * r.Used / r.Limit)
		}
		r.Over = r.Percent >= h.cfg.AlarmPercent
		if rep.Highest == "" || r.Percent > rep.HighestPercent {
			rep.Highest, rep.HighestPercent = r.Resource, r.Percent
		}
	}
	rep.Readings = readings

	var ms observe.Metrics
	if rep.Highest != "" {
		ms.Add(observe.FreeTierUsedPercent, observe.Percent, rep.HighestPercent)
	}
	attrs := []slog.Attr{slog.String("highest", rep.Highest), slog.Int64("vectorsStored", rep.Vectors)}
	for _, r := range readings {
		if r.Error == "" {
			attrs = append(attrs, slog.Float64(r.Resource+"Percent", r.Percent), slog.Float64(r.Resource, r.Used))
		}
	}
	level := slog.LevelInfo
	if rep.HighestPercent >= h.cfg.AlarmPercent || len(failed) > 0 {
		level = slog.LevelWarn
	}
	observe.Log(ctx, level, "usage-watch", &ms, attrs...)
	for _, r := range readings {
		if r.Over {
			slog.WarnContext(ctx, "usage-watch: free tier nearly used", "resource", r.Resource, "percent", r.Percent, "used", r.Used, "limit", r.Limit)
		}
		if r.Error != "" {
			slog.WarnContext(ctx, "usage-watch: not measured", "resource", r.Resource, "error", r.Error)
		}
	}
	if len(failed) > 0 {
		return rep, errors.Join(failed...)
	}
	return rep, nil
}

// redisUsage reads Redis's memory and how many commands it has run since
// the month began: INFO's total_commands_processed counts since the server
// started, so the first reading of each month is kept (SET NX, for 40 days)
// and the month's commands are the difference. The first day of a month
// therefore reads 0, and a server restart (the total goes down) restarts
// the count.
func (h *handler) redisUsage(ctx context.Context, monthStart time.Time) (usedMemory, commands int64, err error) {
	// INFO's default sections hold both (INFO memory stats, two sections
	// in one command, needs Redis 7).
	info, err := h.rdb.Info(ctx).Result()
	if err != nil {
		return 0, 0, err
	}
	fields := parseInfo(info)
	usedMemory, err1 := strconv.ParseInt(fields["used_memory"], 10, 64)
	total, err2 := strconv.ParseInt(fields["total_commands_processed"], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("INFO: %w", err)
	}
	key := "usage:redis-commands:" + monthStart.Format("2006-01")
	// SET NX, then GET (not SET NX GET, which Redis before 7 refuses).
	firstReading, err := h.rdb.SetNX(ctx, key, total, 40*24*time.Hour).Result()
	if err != nil || firstReading {
		return usedMemory, 0, err
	}
	first, err := h.rdb.Get(ctx, key).Result()
	if err != nil {
		return 0, 0, err
	}
	base, err := strconv.ParseInt(first, 10, 64)
	if err != nil || base > total { // unreadable, or the server restarted
		if err := h.rdb.Set(ctx, key, total, 40*24*time.Hour).Err(); err != nil {
			return 0, 0, err
		}
		return usedMemory, 0, nil
	}
	return usedMemory, total - base, nil
}

// parseInfo reads INFO's "name:value" lines.
func parseInfo(info string) map[string]string {
	out := map[string]string{}
	for line := range strings.Lines(info) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && !strings.HasPrefix(k, "#") {
			out[k] = v
		}
	}
	return out
}

// lambdaUsage reads, from Lambda's own metrics, the account's invocations
// since monthStart (Invocations without dimensions: every function of the
// region) and its GB-seconds (each function's Duration times its memory,
// every function ListFunctions names): the free tier is the account's, not
// this stack's. One GetMetricStatistics call per metric, daily datapoints.
func (h *handler) lambdaUsage(ctx context.Context, monthStart, now time.Time) (requests, gbSeconds float64, err error) {
	sum := func(metric string, dims []dimension) (float64, error) {
		out, err := h.cw.GetMetricStatistics(ctx, metricQuery{
			Namespace: "AWS/Lambda", MetricName: metric, Dimensions: dims,
			Start: monthStart, End: now, Period: 24 * time.Hour, Statistics: []string{"Sum"},
		})
		if err != nil {
			return 0, err
		}
		var total float64
		for _, p := range out.Datapoints {
			total += p.Sum
		}
		return total, nil
	}
	if requests, err = sum("Invocations", nil); err != nil {
		return 0, 0, err
	}
	memory, err := functionMemory(ctx, h.lambda)
	if err != nil {
		return 0, 0, err
	}
	for _, name := range slices.Sorted(maps.Keys(memory)) {
		ms, err := sum("Duration", []dimension{{Name: "FunctionName", Value: name}})
		if err != nil {
			return 0, 0, err
		}
		gbSeconds += ms / 1000 * float64(memory[name]) / 1024
	}
	return requests, round2(gbSeconds), nil
}

// functionMemory reads every page of ListFunctions: each function's memory
// (MB) by its name.
func functionMemory(ctx context.Context, l functionLister) (map[string]int32, error) {
	memory := map[string]int32{}
	for marker := ""; ; {
		page, err := l.ListFunctions(ctx, marker)
		if err != nil {
			return nil, err
		}
		for _, f := range page.Functions {
			memory[f.FunctionName] = f.MemorySize
		}
		if page.NextMarker == "" {
			return memory, nil
		}
		marker = page.NextMarker
	}
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
