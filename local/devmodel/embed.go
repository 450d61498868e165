package devmodel

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

const maxDimensions = 4096

// Embed returns the server's embedding of text with dims dimensions: a unit
// vector of hashed features. The features are the lower-cased words of text
// (letters and digits; a plural "s" removed; common English words left out
// unless the text has no other word), weight 1, and the pairs of adjacent
// kept words, weight 0.5; each adds its weight to the coordinate its FNV-1a
// hash selects, with the sign of the hash's top bit. Texts that share words
// are thus close in cosine similarity, texts that share none near 0.
func Embed(text string, dims int) []float32 {
	if dims <= 0 {
		panic("devmodel: Embed with dims <= 0")
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var kept []string
	for _, w := range words {
		if !stopWords[w] {
			kept = append(kept, stem(w))
		}
	}
	if len(kept) == 0 {
		kept = words
	}
	v := make([]float64, dims)
	add := func(feature string, weight float64) {
		h := fnv.New64a()
		h.Write([]byte(feature))
		x := h.Sum64()
		if x>>63 == 1 {
			weight = -weight
		}
		v[x%uint64(dims)] += weight
	}
	for i, w := range kept {
		add(w, 1)
		if i > 0 {
			add(kept[i-1]+" "+w, 0.5)
		}
	}
	if len(kept) == 0 {
		add("\x00"+text, 1) // no word at all: still a unit vector
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	if norm == 0 { // features cancelled out in a collision
		v[0], norm = 1, 1
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dims)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

func stem(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be been but by can could did do does for from had has have
		how i if in into is it its me my of on or our so than that the their them then there these they this to
		was we were what when where which who whom why will with would you your`) {
		m[w] = true
	}
	return m
}()

type embeddingRequest struct {
	Model          *string         `json:"model"`
	Input          json.RawMessage `json:"input"`
	Dimensions     *int            `json:"dimensions"`
	EncodingFormat string          `json:"encoding_format"`
}

// inputs returns the texts of an input: a string, an array of strings, an
// array of tokens or an array of arrays of tokens (token t as "t<t>").
func inputs(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many, nil
	}
	many = nil
	var tokens [][]int
	if err := json.Unmarshal(raw, &tokens); err != nil {
		var flat []int
		if json.Unmarshal(raw, &flat) != nil {
			return nil, errors.New("expected a string, an array of strings or an array of tokens")
		}
		tokens = [][]int{flat}
	}
	for _, ts := range tokens {
		var b strings.Builder
		for i, t := range ts {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("t" + strconv.Itoa(t))
		}
		many = append(many, b.String())
	}
	return many, nil
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req embeddingRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeBadJSON(w, err)
		return
	}
	bad := func(param, msg string) {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: param, Message: msg})
	}
	if req.Model == nil || *req.Model == "" {
		bad("", "you must provide a model parameter")
		return
	}
	if len(req.Input) == 0 || string(req.Input) == "null" {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: "input", Code: "missing_required_parameter",
			Message: "Missing required parameter: 'input'."})
		return
	}
	texts, err := inputs(req.Input)
	if err != nil {
		bad("input", "Invalid 'input': "+err.Error()+".")
		return
	}
	if len(texts) == 0 || len(texts) > 2048 {
		bad("input", fmt.Sprintf("Invalid 'input': %d inputs; expected 1 to 2048.", len(texts)))
		return
	}
	dims := s.cfg.Dimensions
	if req.Dimensions != nil {
		dims = *req.Dimensions
	}
	if dims < 1 || dims > maxDimensions {
		bad("dimensions", fmt.Sprintf("Invalid 'dimensions': %d; expected 1 to %d.", dims, maxDimensions))
		return
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
		bad("encoding_format", fmt.Sprintf("Invalid 'encoding_format': %q; expected 'float' or 'base64'.", req.EncodingFormat))
		return
	}
	faults := map[Fault]bool{}
	for i, t := range texts {
		if t == "" {
			bad("input", "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.")
			return
		}
		fs, _, err := parseMarkers(t)
		if err != nil {
			bad(fmt.Sprintf("input[%d]", i), err.Error())
			return
		}
		for f := range fs {
			faults[f] = true
		}
	}
	s.record(Request{Path: r.URL.Path, Model: *req.Model, Input: texts})
	if d := time.Duration(s.embeddingDelay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
	switch {
	case faults[RateLimit]:
		writeRateLimit(w, *req.Model)
		return
	case faults[Hang]:
		s.hang(w, r, "application/json")
		return
	case faults[FailEmbedding] || s.failEmbeddings.Load():
		writeServerError(w)
		return
	}

	type embedding struct {
		Object    string `json:"object"`
		Index     int    `json:"index"`
		Embedding any    `json:"embedding"`
	}
	data := make([]embedding, len(texts))
	tokens := 0
	for i, t := range texts {
		v := Embed(t, dims)
		data[i] = embedding{Object: "embedding", Index: i, Embedding: v}
		if req.EncodingFormat == "base64" {
			b := make([]byte, 0, 4*len(v))
			for _, x := range v {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
			}
			data[i].Embedding = base64.StdEncoding.EncodeToString(b)
		}
		tokens += len(Tokens(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"object": "list",
		"data":   data,
		"model":  *req.Model,
		"usage":  map[string]int{"prompt_tokens": tokens, "total_tokens": tokens},
	})
}
