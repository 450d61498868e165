package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/local/faultproxy"
)

// fault is one row of the matrix: what breaks, how it is undone, and
// whether the list route is probed (the model's faults touch only turns).
type fault struct {
	name        string
	set, unset  func()
	probeList   bool
	turnContent string
}

func faultMatrix(ctx context.Context, o options, pg, rd *faultproxy.Proxy, list vegeta.Target, streamURL, token string, convs []string, directDB string) []Fault {
	restart := func(p *faultproxy.Proxy) func() { return p.Reset }
	faults := []fault{
		{name: "database hung (the pooler or PostgreSQL)", set: func() { pg.Set(faultproxy.Hang) }, unset: func() { pg.Set(faultproxy.Pass) }, probeList: true},
		{name: "database down (the pooler refuses)", set: func() { pg.Set(faultproxy.Down) }, unset: func() { pg.Set(faultproxy.Pass) }, probeList: true},
		{name: "pooler restarted (connections reset)", set: restart(pg), unset: func() {}, probeList: true},
		// A sleeping compute closed every connection a while ago (the
		// pool finds them dead: it pings a connection idle for over a
		// second) and takes 1.5 s to accept a new one.
		{name: "database asleep (connections gone, 1.5 s to accept)", set: func() {
			pg.SetAcceptDelay(1500 * time.Millisecond)
			pg.Reset()
			time.Sleep(1100 * time.Millisecond)
		}, unset: func() { pg.SetAcceptDelay(0) }, probeList: true},
		{name: "Redis hung", set: func() { rd.Set(faultproxy.Hang) }, unset: func() { rd.Set(faultproxy.Pass) }, probeList: true},
		{name: "Redis down", set: func() { rd.Set(faultproxy.Down) }, unset: func() { rd.Set(faultproxy.Pass) }, probeList: true},
		{name: "model hung before the first token", set: func() {}, unset: func() {}, turnContent: devmodel.Marker(devmodel.Hang)},
		{name: "model cut mid-stream", set: func() {}, unset: func() {}, turnContent: devmodel.Marker(devmodel.FailMidStream)},
	}
	var out []Fault
	next := 0
	for _, f := range faults {
		step("(d) %s", f.name)
		f.set()
		row := Fault{Name: f.name, Statuses: map[string]int{}, Model: f.turnContent != ""}
		var mu sync.Mutex
		var wg sync.WaitGroup
		record := func(key string, first, took time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			row.Statuses[key]++
			row.MaxMs = max(row.MaxMs, ms(took))
			row.FirstMax = max(row.FirstMax, ms(first))
		}
		if f.probeList {
			for range 5 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					start := time.Now()
					code, body := get(ctx, list)
					record(fmt.Sprintf("list %d%s", code, errorCode(body)), time.Since(start), time.Since(start))
				}()
			}
		}
		var contents []string
		var started []bool
		for i := range 3 {
			content := fmt.Sprintf("Fault %q turn %d at %d %s", f.name, i, time.Now().UnixNano(), f.turnContent)
			contents = append(contents, content)
			started = append(started, false)
			conv := convs[next%len(convs)]
			next++
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := turn(ctx, streamURL, token, conv, content)
				mu.Lock()
				started[i] = e.started
				mu.Unlock()
				record("turn "+e.end, e.first, e.took)
			}()
		}
		wg.Wait()
		f.unset()
		row.After = recovers(ctx, list, o.recovery)
		row.Sent = len(contents)
		for i, c := range contents {
			stored := count(ctx, directDB, "SELECT count(*) FROM messages WHERE role = 'user' AND content = "+quote(c)) == 1
			if stored {
				row.Stored++
			} else if started[i] {
				row.Lost++
			}
		}
		out = append(out, row)
	}
	return out
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func get(ctx context.Context, t vegeta.Target) (int, string) {
	req, _ := newRequest(ctx, t)
	resp, err := clientWithTimeout.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// errorCode is " code" of the one error shape in body, if it is one.
func errorCode(body string) string {
	i := strings.Index(body, `"code":"`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`"code":"`):]
	if j := strings.IndexByte(rest, '"'); j >= 0 {
		return " " + rest[:j]
	}
	return ""
}
