package bench

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(ds, tc.p); got != tc.want {
			t.Errorf("Percentile(1..100 ms, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("Percentile(nil) = %v, want 0", got)
	}
	three := []time.Duration{1, 2, 3}
	if got := Percentile(three, 50); got != 2 {
		t.Errorf("Percentile(1,2,3, 50) = %v, want 2", got)
	}
}

func TestSummarizeLeavesInputAlone(t *testing.T) {
	ds := []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}
	d := Summarize(ds)
	if d.N != 3 || d.P50Ms != 2 || d.P99Ms != 3 || d.MaxMs != 3 {
		t.Errorf("Summarize = %+v", d)
	}
	if ds[0] != 3*time.Millisecond {
		t.Error("Summarize sorted its input")
	}
	if got := Summarize(nil); got != (Dist{}) {
		t.Errorf("Summarize(nil) = %+v", got)
	}
}

func TestEvaluate(t *testing.T) {
	r := &Row{
		Name: "fn", Kind: KindFunction,
		BootstrapBytes: 13 * MB, ZipBytes: 4 * MB, MaxRSSBytes: 20 * MB,
		Init: Dist{N: 20, P50Ms: 12},
	}
	Evaluate(r, DefaultTargets, 10, 100)
	if r.InitVsFloor != 1.2 || r.ExpressVsInit != 8.33 {
		t.Errorf("ratios = %v, %v; want 1.2, 8.33", r.InitVsFloor, r.ExpressVsInit)
	}
	if got, want := r.Missed(), []string{CheckBootstrap}; !slices.Equal(got, want) {
		t.Errorf("Missed = %v, want %v", got, want)
	}

	// Slow init misses both ratio targets; a small one passes at the limit.
	r.BootstrapBytes, r.Init.P50Ms = 12*MB, 30
	Evaluate(r, DefaultTargets, 10, 100)
	if got, want := r.Missed(), []string{CheckFloor, CheckExpress}; !slices.Equal(got, want) {
		t.Errorf("Missed = %v, want %v", got, want)
	}
	r.Init.P50Ms = 15
	Evaluate(r, DefaultTargets, 10, 75)
	if got := r.Missed(); len(got) != 0 {
		t.Errorf("at the limits Missed = %v, want none", got)
	}

	// The floor measured beside the row wins over the one given.
	r.FloorInit = Dist{N: 20, P50Ms: 5}
	Evaluate(r, DefaultTargets, 10, 75)
	if r.InitVsFloor != 3 {
		t.Errorf("init/floor over the floor beside = %v, want 3", r.InitVsFloor)
	}
	r.FloorInit = Dist{}

	// Unmeasured figures are not checked.
	r = &Row{Name: "broken", Kind: KindFunction}
	Evaluate(r, DefaultTargets, 10, 100)
	if len(r.Checks) != 0 {
		t.Errorf("checks of an unmeasured row: %+v", r.Checks)
	}
}

func TestCountRESP(t *testing.T) {
	in := "*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n" +
		"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$12\r\nline\r\nbreaks\r\n" + // a value holding CRLF
		"PING\r\n" +
		"*4\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n1\r\n$0\r\n\r\n"
	var out bytes.Buffer
	var names []string
	err := CountRESP(&out, strings.NewReader(in), func(name string) { names = append(names, name) })
	if err != io.EOF {
		t.Fatalf("CountRESP: %v, want EOF", err)
	}
	if out.String() != in {
		t.Errorf("forwarded %q, want %q", out.String(), in)
	}
	if want := []string{"GET", "set", "PING", "EVALSHA"}; !slices.Equal(names, want) {
		t.Errorf("commands %v, want %v", names, want)
	}
	if err := CountRESP(io.Discard, strings.NewReader("*1\r\n+x\r\n"), func(string) {}); err == nil {
		t.Error("a malformed command was accepted")
	}
}
