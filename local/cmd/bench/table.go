package main

import (
	"fmt"
	"io"
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
		if r.Kind == bench.KindFunction {
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
