package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// check sets the report's targets.
func check(rep *Report, o options) {
	add := func(name string, ok bool, seen string) {
		rep.Checks = append(rep.Checks, Check{Name: name, OK: ok, Seen: seen})
	}
	for _, a := range []*Attack{rep.Cold, rep.Warm} {
		add(a.Name+": no time-outs, no 5xx but throttles", a.Timeouts == 0 && a.Other5xx == 0 && a.Statuses["error"] == 0,
			fmt.Sprintf("%d time-outs, %d other 5xx, %d errors", a.Timeouts, a.Other5xx, a.Statuses["error"]))
		if a.Throttled > 0 {
			add(a.Name+": throttled answers fast", a.Throttle99 <= ms(o.throttleWithin),
				fmt.Sprintf("p99 %.1f ms over %d throttles", a.Throttle99, a.Throttled))
		}
		add(a.Name+": all well again within "+o.recovery.String(), a.Recovered, fmt.Sprint(a.Recovered))
	}
	add("chat: every turn done", rep.Chat.Done == rep.Chat.Sent, fmt.Sprintf("%d/%d %v", rep.Chat.Done, rep.Chat.Sent, rep.Chat.Events))
	add("chat: every message stored", rep.Chat.Stored == 2*rep.Chat.Sent, fmt.Sprintf("%d of %d", rep.Chat.Stored, 2*rep.Chat.Sent))
	// However many instances connect to the pooler, PostgreSQL sees at most
	// its pool.
	add(fmt.Sprintf("PostgreSQL server connections within the pooler's pool (%d; clients up to %d instances × %d)", rep.PoolSize, rep.Account, rep.MaxConns),
		rep.PeakConns <= rep.PoolSize, fmt.Sprintf("peak %d", rep.PeakConns))
	for _, f := range rep.Faults {
		shaped := true
		for k := range f.Statuses {
			shaped = shaped && inErrorShape(k)
		}
		if f.Model {
			// The model's own deadlines (first token 20 s, idle 15 s) are
			// longer than 3 s on purpose: slow models think. The stream
			// answers at once and must end with an error event, never hang.
			add(f.Name+": answered within "+o.faultDeadline.String()+", ended by an SSE error event", shaped && f.FirstMax <= ms(o.faultDeadline),
				fmt.Sprintf("first answer after %.0f ms at most, ended after %.0f ms, %v", f.FirstMax, f.MaxMs, f.Statuses))
		} else {
			add(f.Name+": answered within "+o.faultDeadline.String()+", 503 in the error shape", shaped && f.MaxMs <= ms(o.faultDeadline),
				fmt.Sprintf("max %.0f ms, %v", f.MaxMs, f.Statuses))
		}
		add(f.Name+": nothing acknowledged lost, recovers", f.Lost == 0 && f.After, fmt.Sprintf("lost %d, recovered %v", f.Lost, f.After))
	}
}

func printReport(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "\nload on %s, %d CPUs; account concurrency %d, reserved %s (chat %s)\n\n", rep.Platform, rep.CPUs, rep.Account, rep.Reserved, rep.ChatReserve)
	fmt.Fprintf(w, "| run | rate | requests | success | p50 | p99 | max | throttled (p99) | statuses |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, a := range []*Attack{rep.Cold, rep.Warm} {
		fmt.Fprintf(w, "| %s | %d/s × %.0f s | %d | %.1f %% | %.1f ms | %.1f ms | %.0f ms | %d (%.1f ms) | %s |\n", a.Name, a.Rate, a.Seconds, a.Requests,
			100*a.Success, a.P50Ms, a.P99Ms, a.MaxMs, a.Throttled, a.Throttle99, statuses(a.Statuses))
	}
	c := rep.Chat
	fmt.Fprintf(w, "\nchat: %d concurrent turns, %d done, %d messages stored, p99 %.1f s, endings %s\n", c.Sent, c.Done, c.Stored, c.P99DoneS, statuses(c.Events))
	fmt.Fprintf(w, "peak PostgreSQL client connections during (a)-(c): %d\n", rep.PeakConns)
	if len(rep.Faults) > 0 {
		fmt.Fprintf(w, "\n| fault | answers | max | user messages stored / sent | recovered |\n|---|---|---|---|---|\n")
		for _, f := range rep.Faults {
			fmt.Fprintf(w, "| %s | %s | %.0f ms | %d / %d | %v |\n", f.Name, statuses(f.Statuses), f.MaxMs, f.Stored, f.Sent, f.After)
		}
	}
	fmt.Fprintln(w)
	for _, ck := range rep.Checks {
		mark := "ok  "
		if !ck.OK {
			mark = "MISS"
		}
		fmt.Fprintf(w, "%s %s: %s\n", mark, ck.Name, ck.Seen)
	}
}

func statuses(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// inErrorShape: a probe's answer was a success, a 503 in the one error shape
// (a dependency is down: not a 500, never a bare gateway 5xx) or an SSE
// ending; never a cut stream or no answer.
func inErrorShape(k string) bool {
	parts := strings.Fields(k)
	if len(parts) < 2 {
		return false
	}
	unavailable := len(parts) == 3 && parts[1] == "503"
	switch parts[0] {
	case "list":
		return parts[1] == "200" || unavailable
	case "turn":
		return parts[1] == "done" || strings.HasPrefix(parts[1], "error:") || unavailable
	}
	return false
}
