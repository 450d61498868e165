package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/macro-ai/macro-ai/local/bench"
)

// printReport writes the table, the GET /conversations figures and the
// verdict.
func printReport(w io.Writer, rep *Report) {
	t := rep.Targets
	fmt.Fprintf(w, "\n%s, %d CPUs: %d cold starts (one at a time) and %d warm invocations per row; times in ms, sizes in MB (MiB)\n",
		rep.Platform, rep.CPUs, rep.ColdStarts, rep.WarmInvocations)
	if rep.SizeArch != "" {
		fmt.Fprintf(w, "sizes: the %s bootstraps (what ships); times: this machine's builds; init/floor: over the floor's init p50, cold-started in turn with the row's\n", rep.SizeArch)
	}
	fmt.Fprintf(w, "targets: bootstrap ≤ %s MB, zip ≤ %s MB, warm max RSS ≤ %s MB, init p50 ≤ %.1f× the floor's, Express init p50 ≥ %.0f× ours\n",
		bench.FormatMB(t.MaxBootstrapBytes), bench.FormatMB(t.MaxZipBytes), bench.FormatMB(t.MaxRSSBytes), t.MaxInitVsFloor, t.MinExpressVsInit)
	fmt.Fprint(w, "init: process start to the first /next; 1st call: the cold invocation's Duration; warm: Duration on one instance;\n"+
		"express: bootstrap is its whole package (app.js, node_modules) unzipped; node itself is the runtime's\n\n")

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "function\tevent\tbootstrap\tzip\tinit p50\tinit p95\t1st call p50\twarm p50\twarm p99\tmax RSS\tinit/floor\texpress/init\ttargets")
	for _, r := range rep.Rows {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\tERROR: %s\n", r.Name, r.Event,
				bench.FormatMB(r.BootstrapBytes), bench.FormatMB(r.ZipBytes), firstLine(r.Error))
			continue
		}
		verdict := "-"
		if r.Kind == bench.KindFunction || (r.Kind == bench.KindReference && len(r.Checks) > 0) {
			verdict = "ok"
			if m := r.Missed(); len(m) > 0 {
				verdict = "MISS " + strings.Join(m, ",")
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\n",
			r.Name, r.Event,
			miss(r, bench.CheckBootstrap, bench.FormatMB(r.BootstrapBytes)),
			miss(r, bench.CheckZip, bench.FormatMB(r.ZipBytes)),
			r.Init.P50Ms, r.Init.P95Ms, r.FirstCall.P50Ms, r.Warm.P50Ms, r.Warm.P99Ms,
			miss(r, bench.CheckRSS, bench.FormatMB(r.MaxRSSBytes)),
			ratio(r, bench.CheckFloor), ratio(r, bench.CheckExpress), verdict)
	}
	tw.Flush()

	if l := rep.List; l != nil {
		fmt.Fprintf(w, "\n%s through the local gateway, signed in, %d conversations (%d per response), %d warm requests:\n",
			l.Request, l.Conversations, l.Items, l.Latency.N)
		fmt.Fprintf(w, "  latency (client, incl. gateway and JWT check)  p50 %.2f ms  p99 %.2f ms\n", l.Latency.P50Ms, l.Latency.P99Ms)
		fmt.Fprintf(w, "  function Duration                              p50 %.2f ms  p99 %.2f ms\n", l.Duration.P50Ms, l.Duration.P99Ms)
		fmt.Fprintf(w, "  SQL round trips per warm request               %.2f (min %d, max %d); cold request: %d after opening %d connection(s)\n",
			l.RoundTripsMean, l.RoundTripsMin, l.RoundTripsMax, l.ColdRoundTrips, l.ColdConnections)
		fmt.Fprintf(w, "  counted by %s\n", l.Method)
	}

	printTracing(w, rep)
	printCost(w, rep.Cost)
	if c := rep.Chat; c != nil {
		t := c.Targets
		fmt.Fprintf(w, "\n%s, signed in, %d warm turns over %d conversations, the dev model's first token after %.0f ms:\n",
			c.Request, c.Turns, c.Conversations, c.FirstTokenDelayMs)
		fmt.Fprintf(w, "  time to first delta (client)                   p50 %.2f ms  p99 %.2f ms\n", c.FirstDelta.P50Ms, c.FirstDelta.P99Ms)
		fmt.Fprintf(w, "  the model's own first-token time               p50 %.2f ms  p99 %.2f ms\n", c.ModelFirstToken.P50Ms, c.ModelFirstToken.P99Ms)
		fmt.Fprintf(w, "  overhead (first delta - model's first token)   p50 %.2f ms  p99 %.2f ms  (target ≤ %.0f ms)%s\n",
			c.Overhead.P50Ms, c.Overhead.P99Ms, t.MaxOverheadMs, mark(c.Overhead.P50Ms <= t.MaxOverheadMs && c.Overhead.P99Ms <= t.MaxOverheadMs))
		fmt.Fprintf(w, "    of which the retrieval embedding call        p50 %.2f ms  p99 %.2f ms  (the dev model answers embeddings at once; a real provider's time adds here)\n",
			c.RetrievalEmbed.P50Ms, c.RetrievalEmbed.P99Ms)
		fmt.Fprintf(w, "  to the done event (client)                     p50 %.2f ms  p99 %.2f ms; function Duration p50 %.2f ms\n", c.Done.P50Ms, c.Done.P99Ms, c.Duration.P50Ms)
		var names []string
		for _, n := range slices.Sorted(maps.Keys(c.RedisByName)) {
			names = append(names, fmt.Sprintf("%s %.2f", n, c.RedisByName[n]))
		}
		fmt.Fprintf(w, "  Redis commands per warm turn                   %.2f (min %d, max %d; %s; %s)  (target ≤ %d)%s\n",
			c.RedisMean, c.RedisMin, c.RedisMax, strings.Join(names, ", "), histogram(c.RedisHistogram), t.MaxRedisCommands, mark(c.RedisMax <= t.MaxRedisCommands))
		fmt.Fprintf(w, "  SQL round trips per warm turn                  %.2f (min %d, max %d; %s)  (target ≤ %d)%s\n",
			c.SQLMean, c.SQLMin, c.SQLMax, histogram(c.SQLHistogram), t.MaxSQLRoundTrips, mark(c.SQLMax <= t.MaxSQLRoundTrips))
		fmt.Fprintf(w, "  (after 1 cold and %d untimed warm turns, so that every conversation's history window is cached)\n", c.WarmupTurns)
		var cold []string
		for _, n := range slices.Sorted(maps.Keys(c.ColdRedisByName)) {
			cold = append(cold, fmt.Sprintf("%s %d", n, c.ColdRedisByName[n]))
		}
		fmt.Fprintf(w, "  cold turn: %d Redis commands (%s), %d SQL round trips after opening %d connection(s)\n",
			c.ColdRedis, strings.Join(cold, ", "), c.ColdSQL, c.ColdConnections)
		fmt.Fprintf(w, "  measured: %s\n", c.Method)
	}
	printLatency(w, rep.Latency)

	fmt.Fprintln(w)
	if len(rep.Missed) == 0 {
		fmt.Fprintln(w, "every function meets every target")
	} else {
		fmt.Fprintf(w, "MISSED %d target(s):\n", len(rep.Missed))
		for _, m := range rep.Missed {
			fmt.Fprintf(w, "  %s\n", m)
		}
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "ERROR %s\n", e)
	}
	fmt.Fprintf(w, "elapsed %.1f s\n", rep.ElapsedSeconds)
}

// printTracing compares the tracing experiments with the floor.
func printTracing(w io.Writer, rep *Report) {
	tr := rep.Tracing
	if tr == nil || len(tr.Rows) < 2 {
		return
	}
	floor := tr.Rows[0]
	fmt.Fprintf(w, "\ntracing on the floor: %d interleaved rounds of cold starts, %d warm invocations each; times in ms, sizes in MB\n",
		tr.Rounds, floor.Warm.N)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  set-up\tinit p50\t+ms\tinit p95\tbootstrap\t+MB\tzip\t1st call p50\twarm p50\tmax RSS")
	for _, r := range tr.Rows {
		fmt.Fprintf(tw, "  %s\t%.2f\t%+.2f\t%.2f\t%s\t%+.2f\t%s\t%.2f\t%.2f\t%s\n", r.Name, r.Init.P50Ms, r.Init.P50Ms-floor.Init.P50Ms, r.Init.P95Ms,
			bench.FormatMB(r.BootstrapBytes), float64(r.BootstrapBytes-floor.BootstrapBytes)/bench.MB, bench.FormatMB(r.ZipBytes),
			r.FirstCall.P50Ms, r.Warm.P50Ms, bench.FormatMB(r.MaxRSSBytes))
	}
	tw.Flush()
	for _, n := range tr.Notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
}

// histogram formats {4: 37, 5: 3} as "4 in 37 turns, 5 in 3".
func histogram(h map[int64]int) string {
	var parts []string
	for i, k := range slices.Sorted(maps.Keys(h)) {
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%d in %d turns", k, h[k]))
		} else {
			parts = append(parts, fmt.Sprintf("%d in %d", k, h[k]))
		}
	}
	return strings.Join(parts, ", ")
}

func mark(ok bool) string {
	if ok {
		return " ok"
	}
	return " MISS"
}

// miss appends MISS to a value whose check failed.
func miss(r *bench.Row, check, value string) string {
	if c, ok := r.Check(check); ok && !c.OK {
		return value + " MISS"
	}
	return value
}

func ratio(r *bench.Row, check string) string {
	c, ok := r.Check(check)
	if !ok {
		return "-"
	}
	return miss(r, check, fmt.Sprintf("%.2f×", c.Value))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// printLatency prints the routes at each delay, as a Markdown table for the
// README.
func printLatency(w io.Writer, l *LatencyResult) {
	if l == nil || len(l.RTTsMs) == 0 {
		return
	}
	fmt.Fprintf(w, "\nwarm routes with each round trip to PostgreSQL and Redis delayed, the dev model's embeddings after %.0f ms (%d requests each):\n\n",
		l.EmbeddingMs, l.Requests)
	head := "| route |"
	rule := "|---|"
	for _, d := range l.RTTsMs {
		head += fmt.Sprintf(" p50 at +%.0f ms |", d)
		rule += "---|"
	}
	fmt.Fprintln(w, head+" round trips on the critical path | target |")
	fmt.Fprintln(w, rule+"---|---|")
	for _, r := range l.Routes {
		line := "| " + r.Route + " |"
		for _, d := range r.At {
			line += fmt.Sprintf(" %.1f ms |", d.P50Ms)
		}
		fmt.Fprintf(w, "%s %.1f | ≤ %.0f%s |\n", line, r.RoundTrips, r.Target, mark(r.Missed == ""))
	}
	for _, r := range l.Routes {
		for i, d := range r.TTFT {
			fmt.Fprintf(w, "  chat turn at +%.0f ms: time to the first delta p50 %.1f ms, p99 %.1f ms (the model's own first token after %.0f ms)\n",
				l.RTTsMs[i], d.P50Ms, d.P99Ms, l.FirstTokenMs)
		}
	}
	fmt.Fprintf(w, "  measured: %s\n", l.Method)
}
