package vectorbench

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
)

// Model draws synthetic embeddings with the structure of real ones. Topics
// are unit centroids grouped in domains: a centroid mixes a direction
// common to every text (real embeddings are anisotropic: unrelated texts
// still have a cosine around 0.1–0.2), its domain's direction and its own,
// so that topics of a domain are related (cosine ≈ 0.57) and others barely
// (≈ 0.14). A vector of a topic is its centroid plus a component in that
// topic's own low-rank subspace plus a little isotropic noise, normalised
// (cosine to its centroid ≈ 0.85, to another message of its topic ≈ 0.7).
// The low-rank part matters: real text embeddings have a low intrinsic
// dimension around each topic, and purely isotropic noise in 512
// dimensions makes every point nearly equidistant. With Domains < 0, topics
// are independent random directions instead: isolated islands, which is
// harsher on an HNSW graph than real text.
type Model struct {
	Dims      int
	centroids [][]float32 // [topic][dim], unit length
	bases     [][]float32 // [topic][rank*dim], rank columns of ~unit length
	rank      int
	spread    float64 // norm of the subspace component
	noise     float64 // norm of the isotropic component
	weights   []float64
	cum       []float64
}

// ModelOptions shapes a Model. Zero values take the defaults.
type ModelOptions struct {
	Topics int     `json:"topics"` // 200
	Rank   int     `json:"rank"`   // 24: intrinsic dimension around a topic
	Spread float64 `json:"spread"` // 0.6: norm of the in-topic component (the centroid's is 1)
	Noise  float64 `json:"noise"`  // 0.2: norm of the isotropic component
	// Domains groups the topics (20); negative: independent topics.
	Domains int `json:"domains"`
}

// DefaultModel is what zero ModelOptions mean.
var DefaultModel = ModelOptions{Topics: 200, Rank: 24, Spread: 0.6, Noise: 0.2, Domains: 20}

// NewModel draws the topics of a model from rng.
func NewModel(rng *rand.Rand, dims int, o ModelOptions) *Model {
	if o.Topics <= 0 {
		o.Topics = DefaultModel.Topics
	}
	if o.Rank <= 0 {
		o.Rank = DefaultModel.Rank
	}
	if o.Spread == 0 {
		o.Spread = DefaultModel.Spread
	}
	if o.Noise == 0 {
		o.Noise = DefaultModel.Noise
	}
	if o.Domains == 0 {
		o.Domains = DefaultModel.Domains
	}
	m := &Model{Dims: dims, rank: o.Rank, spread: o.Spread, noise: o.Noise}
	scale := float32(1 / math.Sqrt(float64(dims)))
	randomUnit := func() []float32 {
		v := make([]float32, dims)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		Normalize(v)
		return v
	}
	common := randomUnit()
	var domains [][]float32
	for range max(o.Domains, 0) {
		domains = append(domains, randomUnit())
	}
	var total float64
	for t := range o.Topics {
		c := randomUnit()
		if len(domains) > 0 {
			d := domains[t%len(domains)]
			for i := range c {
				c[i] = 0.4*common[i] + 0.7*d[i] + 0.7*c[i]
			}
			Normalize(c)
		}
		m.centroids = append(m.centroids, c)
		b := make([]float32, o.Rank*dims)
		for i := range b {
			b[i] = float32(rng.NormFloat64()) * scale
		}
		m.bases = append(m.bases, b)
		// Mildly skewed popularity: some topics are talked about far more.
		w := 1 / float64(t+10)
		m.weights = append(m.weights, w)
		total += w
	}
	acc := 0.0
	for _, w := range m.weights {
		acc += w / total
		m.cum = append(m.cum, acc)
	}
	return m
}

// Topics is the number of topics.
func (m *Model) Topics() int { return len(m.centroids) }

// Topic draws a topic by popularity.
func (m *Model) Topic(rng *rand.Rand) int {
	u := rng.Float64()
	lo, hi := 0, len(m.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if m.cum[mid] < u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// Vector draws a unit vector of topic into dst (len Dims) and returns it.
func (m *Model) Vector(rng *rand.Rand, topic int, dst []float32) []float32 {
	if len(dst) != m.Dims {
		dst = make([]float32, m.Dims)
	}
	copy(dst, m.centroids[topic])
	a := float32(m.spread / math.Sqrt(float64(m.rank)))
	basis := m.bases[topic]
	for r := range m.rank {
		z := float32(rng.NormFloat64()) * a
		col := basis[r*m.Dims : (r+1)*m.Dims]
		for i, x := range col {
			dst[i] += z * x
		}
	}
	s := float32(m.noise / math.Sqrt(float64(m.Dims)))
	for i := range dst {
		dst[i] += float32(rng.NormFloat64()) * s
	}
	Normalize(dst)
	return dst
}

// Normalize scales v to unit length in place (a zero vector stays zero).
func Normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	k := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= k
	}
}

// Half converts f to IEEE 754 binary16 bits, rounding to nearest even, as
// pgvector's halfvec stores it (overflow becomes infinity).
func Half(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case b&0x7fffffff >= 0x7f800000: // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp >= 0x1f:
		return sign | 0x7c00
	case exp <= 0:
		if exp < -10 {
			return sign
		}
		// Subnormal: shift the mantissa with its implicit 1 into place.
		mant |= 0x800000
		shift := uint(14 - exp)
		h := mant >> shift
		rem := mant & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, up to infinity: still correct
	}
	return sign | uint16(h)
}

// HalfVecBinary appends pgvector's binary halfvec form of v to dst: int16
// dimensions, int16 zero, then each element as binary16, big-endian.
func HalfVecBinary(dst []byte, v []float32) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(v)))
	dst = binary.BigEndian.AppendUint16(dst, 0)
	for _, x := range v {
		dst = binary.BigEndian.AppendUint16(dst, Half(x))
	}
	return dst
}

// newUUID draws a random (version 4) UUID from rng, so that a seed
// reproduces the data set.
func newUUID(rng *rand.Rand) [16]byte {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], rng.Uint64())
	binary.LittleEndian.PutUint64(u[8:], rng.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

var words = []string{
	"the", "a", "to", "and", "of", "in", "is", "it", "for", "that", "with", "on", "you", "this", "can",
	"how", "what", "would", "should", "could", "about", "more", "when", "like", "just", "use", "make",
	"query", "index", "vector", "search", "model", "answer", "question", "example", "function", "error",
	"recipe", "travel", "budget", "plan", "write", "email", "summary", "code", "test", "data", "time",
	"week", "morning", "project", "idea", "review", "draft", "thanks", "please", "help", "explain",
}

// content draws a message text of about mean bytes (uniform in [mean/4,
// 7*mean/4]) that mentions its topic.
func content(rng *rand.Rand, topic, mean int) string {
	n := mean/4 + rng.IntN(3*mean/2+1)
	b := make([]byte, 0, n+16)
	b = append(b, "topic "...)
	b = appendInt(b, topic)
	for len(b) < n {
		b = append(b, ' ')
		b = append(b, words[rng.IntN(len(words))]...)
	}
	return string(b)
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}
