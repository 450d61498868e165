// Package bench measures Lambda functions the way make bench reports them:
// package sizes (the bootstrap, and its zip as SAM uploads it), cold-start
// init durations, warm invocation durations and peak memory, all through
// lambdaemu, and checks them against the project's targets.
//
// Sizes are in MiB, which is what Lambda means by MB.
package bench

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// MB is the unit of every size and memory figure: Lambda's MB, a mebibyte.
const MB = 1 << 20

// Dist summarises a set of durations, in milliseconds.
type Dist struct {
	N     int     `json:"n"`
	P50Ms float64 `json:"p50Ms"`
	P95Ms float64 `json:"p95Ms"`
	P99Ms float64 `json:"p99Ms"`
	MaxMs float64 `json:"maxMs"`
}

// Summarize returns the distribution of ds; ds is not modified.
func Summarize(ds []time.Duration) Dist {
	if len(ds) == 0 {
		return Dist{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Dist{
		N:     len(s),
		P50Ms: ms(Percentile(s, 50)),
		P95Ms: ms(Percentile(s, 95)),
		P99Ms: ms(Percentile(s, 99)),
		MaxMs: ms(s[len(s)-1]),
	}
}

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted,
// which must be sorted ascending; 0 when it is empty.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

// Kinds of Row.
const (
	KindFunction = "function" // one of the template's functions
	KindFloor    = "floor"    // the hello-world Go bootstrap
	KindExpress  = "express"  // the seed's Express app behind serverless-http
	KindTracing  = "tracing"  // the floor with a tracing SDK set up
	// KindReference is the floor with openai-go: checked like a function,
	// its misses are not counted as ours.
	KindReference = "reference"
)

// Row is one measured function and event.
type Row struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Event string `json:"event"` // "warmup" or the route, e.g. "GET /health"
	// BootstrapBytes is the bootstrap's size; for the Express baseline, the
	// whole deployment package (app, node_modules) unzipped.
	BootstrapBytes int64 `json:"bootstrapBytes"`
	ZipBytes       int64 `json:"zipBytes"`
	// Init is the init duration of each cold start: process start to its
	// first /next, Lambda's Init Duration.
	Init Dist `json:"init"`
	// FloorInit is the floor's init, cold-started in turn with this row's
	// (MeasureBeside); InitVsFloor is over it when it was measured.
	FloorInit Dist `json:"floorInit,omitzero"`
	// FirstCall is the Duration of the cold starts' invocations: the first
	// request's own work (connections opened lazily, say).
	FirstCall Dist `json:"firstCall"`
	// Warm is the Duration of warm invocations on one instance.
	Warm Dist `json:"warm"`
	// MaxRSSBytes is the warm instance's peak resident set (Max Memory Used).
	MaxRSSBytes int64 `json:"maxRssBytes"`
	// InitVsFloor is Init.P50Ms over the floor's; ExpressVsInit is the
	// Express baseline's Init.P50Ms over this one's. Functions only.
	InitVsFloor   float64 `json:"initVsFloor,omitempty"`
	ExpressVsInit float64 `json:"expressVsInit,omitempty"`
	Checks        []Check `json:"checks,omitempty"`
	Error         string  `json:"error,omitempty"`
}

// Targets are the limits every function must meet.
type Targets struct {
	MaxBootstrapBytes int64   `json:"maxBootstrapBytes"`
	MaxZipBytes       int64   `json:"maxZipBytes"`
	MaxRSSBytes       int64   `json:"maxRssBytes"`
	MaxInitVsFloor    float64 `json:"maxInitVsFloor"`   // our init p50 / hello-world's
	MinExpressVsInit  float64 `json:"minExpressVsInit"` // Express's init p50 / ours
}

// DefaultTargets are the functions' footprint targets (docs/operating.md): a
// 128 MB Lambda suffices, and cold starts stay near the floor and far below
// the Express design.
var DefaultTargets = Targets{
	MaxBootstrapBytes: 12 * MB,
	MaxZipBytes:       5 * MB,
	MaxRSSBytes:       40 * MB,
	MaxInitVsFloor:    1.5,
	MinExpressVsInit:  5,
}

// Check names.
const (
	CheckBootstrap = "bootstrap"
	CheckZip       = "zip"
	CheckRSS       = "rss"
	CheckFloor     = "init/floor"
	CheckExpress   = "express/init"
)

// Check is one target's verdict.
type Check struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"` // MB for sizes, a ratio for the others
	Limit float64 `json:"limit"`
	OK    bool    `json:"ok"`
}

// Evaluate sets r's ratios from the floor's (r.FloorInit's when measured)
// and the Express baseline's init p50 (0 when unknown) and checks r against t. A figure that could not be
// measured is not checked.
func Evaluate(r *Row, t Targets, floorInitMs, expressInitMs float64) {
	r.Checks = nil
	r.InitVsFloor, r.ExpressVsInit = 0, 0
	if r.BootstrapBytes > 0 {
		r.Checks = append(r.Checks, Check{CheckBootstrap, mb(r.BootstrapBytes), mb(t.MaxBootstrapBytes), r.BootstrapBytes <= t.MaxBootstrapBytes})
	}
	if r.ZipBytes > 0 {
		r.Checks = append(r.Checks, Check{CheckZip, mb(r.ZipBytes), mb(t.MaxZipBytes), r.ZipBytes <= t.MaxZipBytes})
	}
	if r.MaxRSSBytes > 0 {
		r.Checks = append(r.Checks, Check{CheckRSS, mb(r.MaxRSSBytes), mb(t.MaxRSSBytes), r.MaxRSSBytes <= t.MaxRSSBytes})
	}
	if r.Init.N == 0 || r.Init.P50Ms <= 0 {
		return
	}
	if r.FloorInit.N > 0 && r.FloorInit.P50Ms > 0 {
		floorInitMs = r.FloorInit.P50Ms
	}
	if floorInitMs > 0 {
		r.InitVsFloor = round2(r.Init.P50Ms / floorInitMs)
		r.Checks = append(r.Checks, Check{CheckFloor, r.InitVsFloor, t.MaxInitVsFloor, r.InitVsFloor <= t.MaxInitVsFloor})
	}
	if expressInitMs > 0 {
		r.ExpressVsInit = round2(expressInitMs / r.Init.P50Ms)
		r.Checks = append(r.Checks, Check{CheckExpress, r.ExpressVsInit, t.MinExpressVsInit, r.ExpressVsInit >= t.MinExpressVsInit})
	}
}

// Missed returns the names of the checks r fails.
func (r *Row) Missed() []string {
	var names []string
	for _, c := range r.Checks {
		if !c.OK {
			names = append(names, c.Name)
		}
	}
	return names
}

// Check returns r's check called name.
func (r *Row) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func mb(n int64) float64 { return round2(float64(n) / MB) }

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// FormatMB formats n bytes as MB with two decimals, without the unit.
func FormatMB(n int64) string { return fmt.Sprintf("%.2f", float64(n)/MB) }
