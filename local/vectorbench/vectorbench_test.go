package vectorbench

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := Percentile(ds, c.p); got != c.want {
			t.Errorf("Percentile(1..100 ms, %v) = %v, want %v", c.p, got, c.want)
		}
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("Percentile sorted its argument")
	}
	if got := Percentile(nil, 95); got != 0 {
		t.Errorf("Percentile(nil) = %v, want 0", got)
	}
	if got := Percentile([]time.Duration{7}, 95); got != 7 {
		t.Errorf("Percentile of one = %v, want 7", got)
	}
}

func TestRecall(t *testing.T) {
	want := []string{"a", "b", "c", "d"}
	for _, c := range []struct {
		got  []string
		want float64
	}{
		{[]string{"a", "b", "c", "d"}, 1},
		{[]string{"d", "c", "b", "a"}, 1}, // order does not matter
		{[]string{"a", "x", "c", "y"}, 0.5},
		{[]string{"a", "a", "a", "a"}, 0.25}, // duplicates count once
		{nil, 0},                             // a short answer misses
		{[]string{"x"}, 0},
	} {
		if got := Recall(c.got, want); got != c.want {
			t.Errorf("Recall(%v) = %v, want %v", c.got, got, c.want)
		}
	}
	if got := Recall([]string{"a"}, nil); got != 1 {
		t.Errorf("Recall with nothing to find = %v, want 1", got)
	}
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestModelVectorsAreUnitAndClustered(t *testing.T) {
	for _, domains := range []int{20, -1} {
		rng := rand.New(rand.NewPCG(1, 2))
		m := NewModel(rng, 512, ModelOptions{Topics: 20, Domains: domains})
		var same, other []float64
		for i := range 200 {
			topic := i % m.Topics()
			a := m.Vector(rng, topic, nil)
			b := m.Vector(rng, topic, make([]float32, 512))
			c := m.Vector(rng, (topic+1)%m.Topics(), nil)
			for _, v := range [][]float32{a, b, c} {
				if len(v) != 512 {
					t.Fatalf("len = %d, want 512", len(v))
				}
				if n := norm(v); math.Abs(n-1) > 1e-5 {
					t.Fatalf("norm = %v, want 1", n)
				}
			}
			same = append(same, dot(a, b))
			other = append(other, dot(a, c))
		}
		// Messages of a topic are far closer to each other than to others.
		if s, o := Mean(same), Mean(other); s < 0.6 || s > 0.8 || o > 0.45 || s-o < 0.25 {
			t.Errorf("domains %d: mean cosine same topic %.3f, other topic %.3f", domains, s, o)
		}
	}
}

func TestModelTopicCoversAll(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := NewModel(rng, 8, ModelOptions{Topics: 5})
	seen := map[int]int{}
	for range 10000 {
		seen[m.Topic(rng)]++
	}
	if len(seen) != 5 {
		t.Fatalf("topics drawn: %v, want all 5", seen)
	}
	if seen[0] <= seen[4] {
		t.Errorf("popularity is not skewed: %v", seen)
	}
}

func TestNormalizeZero(t *testing.T) {
	v := []float32{0, 0}
	Normalize(v)
	if v[0] != 0 || v[1] != 0 {
		t.Errorf("Normalize(0) = %v", v)
	}
}

func TestHalf(t *testing.T) {
	for _, c := range []struct {
		f    float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{0.5, 0x3800},
		{0.1, 0x2e66},
		{-0.044, 0xa9a2},
		{65504, 0x7bff},
		{65520, 0x7c00}, // rounds up to infinity
		{1e6, 0x7c00},
		{float32(math.Inf(-1)), 0xfc00},
		{6.1035156e-05, 0x0400}, // smallest normal
		{5.9604645e-08, 0x0001}, // smallest subnormal
		{2.9802322e-08, 0x0000}, // half of it: ties to even, zero
		{4.4703484e-08, 0x0001}, // 0.75 of it: rounds up
		{3.0517578e-05, 0x0200}, // a subnormal
		{1 + 1.0/2048, 0x3c00},  // tie, even stays
		{1 + 3.0/2048, 0x3c02},  // tie, odd rounds up
		{1 + 1.5/2048, 0x3c01},  // above the tie
		{1e-10, 0x0000},
	} {
		if got := Half(c.f); got != c.want {
			t.Errorf("Half(%g) = %#04x, want %#04x", c.f, got, c.want)
		}
	}
	if got := Half(float32(math.NaN())); got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
		t.Errorf("Half(NaN) = %#04x, not a NaN", got)
	}
}

func TestHalfVecBinary(t *testing.T) {
	b := HalfVecBinary([]byte{9}, []float32{1, -2, 0.5})
	want := []byte{9, 0, 3, 0, 0, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x00}
	if string(b) != string(want) {
		t.Errorf("HalfVecBinary = % x, want % x", b, want)
	}
	if n := binary.BigEndian.Uint16(b[1:]); n != 3 {
		t.Errorf("dims = %d", n)
	}
}

func TestUserSizes(t *testing.T) {
	got := UserSizes(100000, 10)
	if len(got) != 10 || got[0] != 100000 || got[1] != 10000 || got[8] != 10000 || got[9] != 2000 {
		t.Errorf("UserSizes(100000, 10) = %v", got)
	}
	if got := UserSizes(10, 1); len(got) != 1 || got[0] != 10 {
		t.Errorf("UserSizes(10, 1) = %v", got)
	}
	if got := UserSizes(10, 2); len(got) != 2 || got[1] != 1 {
		t.Errorf("UserSizes(10, 2) = %v", got)
	}
}

func TestUUID(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	u := newUUID(rng)
	s := uuidString(u)
	if len(s) != 36 || s[14] != '4' || s[8] != '-' || s[23] != '-' || !(s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b') {
		t.Errorf("uuid %s is not a version 4 UUID", s)
	}
}
