package vectorbench

import (
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 < p ≤ 100) of ds by the
// nearest-rank method, or 0 for no samples. ds is not modified.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(float64(len(s))*p/100 + 0.9999999)
	rank = max(1, min(rank, len(s)))
	return s[rank-1]
}

// Recall is the share of want (the exact nearest neighbours) that got (an
// approximate answer) found: |got ∩ want| / |want|. An empty want has
// nothing to miss and gives 1; duplicates in got count once.
func Recall(got, want []string) float64 {
	if len(want) == 0 {
		return 1
	}
	in := make(map[string]bool, len(want))
	for _, w := range want {
		in[w] = true
	}
	hit := 0
	for _, g := range got {
		if in[g] {
			hit++
			in[g] = false
		}
	}
	return float64(hit) / float64(len(in))
}

// Mean is the arithmetic mean of xs, or 0 for none.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Millis is d in milliseconds.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
