package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// devLogName is the dev log under the dev stack's folder: every line the
// functions print while `localstack up` runs.
const devLogName = "functions.log"

// runMetrics summarises the EMF metrics of a functions' log (what
// CloudWatch would make of them): `make metrics`.
func runMetrics(args []string) error {
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("metrics", flag.ExitOnError)
	path := fs.String("log", filepath.Join(root, ".local", "dev", devLogName), "the functions' log (make dev writes .local/dev/functions.log; make load and make bench their own functions.log)")
	since := fs.Duration("since", 0, "only the metrics of the last DURATION (0: all)")
	fs.Parse(args)
	f, err := os.Open(*path)
	if err != nil {
		return fmt.Errorf("%w (make dev writes it; -log for another)", err)
	}
	defer f.Close()
	var after time.Time
	if *since > 0 {
		after = time.Now().Add(-*since)
	}
	rows, lines, err := summarise(f, after)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d lines with metrics\n", *path, lines)
	printSummary(os.Stdout, rows)
	return nil
}

// summary is one metric's values.
type summary struct {
	Namespace, Name string
	Unit            observe.Unit
	Values          []float64
	Functions       []string
}

func (s summary) sum() float64 {
	var t float64
	for _, v := range s.Values {
		t += v
	}
	return t
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// summarise reads every EMF line of r (at or after after) into one summary
// per metric, sorted by namespace and name.
func summarise(r io.Reader, after time.Time) ([]summary, int, error) {
	byName := map[string]*summary{}
	lines := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		doc, ok := observe.ParseEMF(sc.Bytes())
		if !ok || doc.Timestamp.Before(after) {
			continue
		}
		lines++
		fn, _ := doc.Fields["function"].(string)
		for name, v := range doc.Values {
			key := doc.Namespace + "\x00" + name
			s := byName[key]
			if s == nil {
				s = &summary{Namespace: doc.Namespace, Name: name, Unit: doc.Units[name]}
				byName[key] = s
			}
			s.Values = append(s.Values, v)
			if fn != "" && !slices.Contains(s.Functions, fn) {
				s.Functions = append(s.Functions, fn)
			}
		}
	}
	out := make([]summary, 0, len(byName))
	for _, s := range byName {
		sort.Float64s(s.Values)
		sort.Strings(s.Functions)
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, lines, sc.Err()
}

// printSummary prints a table: the statistics CloudWatch would show. For a
// 0/1 metric (ChatTurnFailed, HistoryCacheHit, ModelErrors) the average is
// its rate.
func printSummary(w io.Writer, rows []summary) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "namespace\tmetric\tunit\tsamples\tsum\taverage\tp50\tp99\tmax\tfrom")
	for _, s := range rows {
		n := float64(len(s.Values))
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.6g\t%.4g\t%.6g\t%.6g\t%.6g\t%v\n", s.Namespace, s.Name, s.Unit, len(s.Values),
			s.sum(), s.sum()/n, percentile(s.Values, 50), percentile(s.Values, 99), s.Values[len(s.Values)-1], s.Functions)
	}
	tw.Flush()
}
