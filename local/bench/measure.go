package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/macro-ai/macro-ai/local/lambdaemu"
)

// ZipSize is the size of the zip SAM would upload for path: the file itself
// as "bootstrap", or, for a folder, every file under it, deflated. It also
// returns the unzipped size.
func ZipSize(path string) (zipped, unzipped int64, err error) {
	var cw countWriter
	zw := zip.NewWriter(&cw)
	add := func(file, name string) error {
		st, err := os.Stat(file)
		if err != nil {
			return err
		}
		h, err := zip.FileInfoHeader(st)
		if err != nil {
			return err
		}
		h.Name, h.Method = filepath.ToSlash(name), zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := io.Copy(w, f)
		unzipped += n
		return err
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
	case !st.IsDir():
		err = add(path, "bootstrap")
	default:
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			rel, err := filepath.Rel(path, p)
			if err != nil {
				return err
			}
			return add(p, rel)
		})
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return 0, 0, fmt.Errorf("zip %s: %w", path, err)
	}
	return cw.n, unzipped, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// Invocation is what to send and how to recognise a good answer.
type Invocation struct {
	Payload []byte
	// Want must occur in the response payload, e.g. `"statusCode":200`.
	Want string
}

func (inv Invocation) check(res *lambdaemu.Result) error {
	if res.Err != nil {
		return res.Err
	}
	if inv.Want != "" && !bytes.Contains(res.Payload, []byte(inv.Want)) {
		return fmt.Errorf("response %.200q lacks %q", res.Payload, inv.Want)
	}
	return nil
}

// Cold starts the function n times, each time in a new instance that is
// stopped (and reaped) before the next starts, so that one cold start never
// competes with another. It returns each start's init duration and the
// duration of its invocation.
func Cold(ctx context.Context, cfg lambdaemu.Config, inv Invocation, n int) (init, first []time.Duration, err error) {
	for range n {
		f, err := lambdaemu.New(cfg)
		if err != nil {
			return nil, nil, err
		}
		res, err := f.Invoke(ctx, inv.Payload)
		f.Close()
		if err == nil {
			err = inv.check(res)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("cold invoke %s: %w", f.Name(), err)
		}
		if !res.Report.Cold {
			return nil, nil, fmt.Errorf("cold invoke %s: the invocation was warm", f.Name())
		}
		init = append(init, res.Report.InitDuration)
		first = append(first, res.Report.Duration)
	}
	return init, first, nil
}

// Warm starts one instance, discards its cold invocation, then invokes it n
// times, one after the other. It returns the warm invocations' durations and
// the instance's peak resident set at the end.
func Warm(ctx context.Context, cfg lambdaemu.Config, inv Invocation, n int) (durations []time.Duration, maxRSS int64, err error) {
	f, err := lambdaemu.New(cfg)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	for i := range n + 1 {
		res, err := f.Invoke(ctx, inv.Payload)
		if err == nil {
			err = inv.check(res)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("warm invoke %s: %w", f.Name(), err)
		}
		if i == 0 {
			continue
		}
		if res.Report.Cold {
			return nil, 0, fmt.Errorf("warm invoke %s: instance restarted", f.Name())
		}
		durations = append(durations, res.Report.Duration)
		maxRSS = max(maxRSS, res.Report.MaxRSSBytes)
	}
	return durations, maxRSS, nil
}

// Measure fills r's timings and memory for inv: cold cold starts, then warm
// invocations of one instance. A failure is recorded in r.Error.
func Measure(ctx context.Context, r *Row, cfg lambdaemu.Config, inv Invocation, cold, warm int) {
	init, first, err := Cold(ctx, cfg, inv, cold)
	if err != nil {
		r.Error = err.Error()
		return
	}
	r.Init, r.FirstCall = Summarize(init), Summarize(first)
	ds, rss, err := Warm(ctx, cfg, inv, warm)
	if err != nil {
		r.Error = err.Error()
		return
	}
	r.Warm, r.MaxRSSBytes = Summarize(ds), rss
}

// MeasureBeside is Measure with the floor (floor, floorInv) cold-started in
// turn with the function, floor first, so that the machine's load touches
// both alike: on a shared machine a floor measured minutes earlier makes
// init/floor a measure of the load. r.FloorInit holds the floor's inits.
func MeasureBeside(ctx context.Context, r *Row, cfg lambdaemu.Config, inv Invocation, floor lambdaemu.Config, floorInv Invocation, cold, warm int) {
	var init, first, floorInit []time.Duration
	for range cold {
		fl, _, err := Cold(ctx, floor, floorInv, 1)
		if err != nil {
			r.Error = "the floor beside it: " + err.Error()
			return
		}
		in, fi, err := Cold(ctx, cfg, inv, 1)
		if err != nil {
			r.Error = err.Error()
			return
		}
		floorInit, init, first = append(floorInit, fl...), append(init, in...), append(first, fi...)
	}
	r.Init, r.FirstCall, r.FloorInit = Summarize(init), Summarize(first), Summarize(floorInit)
	ds, rss, err := Warm(ctx, cfg, inv, warm)
	if err != nil {
		r.Error = err.Error()
		return
	}
	r.Warm, r.MaxRSSBytes = Summarize(ds), rss
}
