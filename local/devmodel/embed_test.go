package devmodel_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/macro-ai/macro-ai/local/devmodel"
)

func cosine(a, b []float64) float64 {
	var dot float64
	for i := range a {
		dot += a[i] * b[i]
	}
	return dot
}

func embed(t *testing.T, c openai.Client, params openai.EmbeddingNewParams) [][]float64 {
	t.Helper()
	res, err := c.Embeddings.New(t.Context(), params)
	if err != nil {
		t.Fatal(err)
	}
	vs := make([][]float64, len(res.Data))
	for i, d := range res.Data {
		if d.Index != int64(i) {
			t.Errorf("data[%d].index = %d", i, d.Index)
		}
		vs[i] = d.Embedding
	}
	if res.Usage.PromptTokens <= 0 || res.Usage.TotalTokens != res.Usage.PromptTokens || res.Model != params.Model {
		t.Errorf("usage %+v, model %q", res.Usage, res.Model)
	}
	return vs
}

func TestEmbeddings(t *testing.T) {
	_, url := devmodel.NewTestServer(t, devmodel.Config{Dimensions: 256})
	c := client(url)
	doc := "The capital of France is Paris."
	texts := []string{doc, "What is the capital of France?", "How do I bake bread?"}
	tests := []struct {
		name       string
		dimensions int64
		format     openai.EmbeddingNewParamsEncodingFormat
		want       int
	}{
		{"server default", 0, "", 256},
		{"requested dimensions", 1536, openai.EmbeddingNewParamsEncodingFormatFloat, 1536},
		{"base64", 64, openai.EmbeddingNewParamsEncodingFormatBase64, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := openai.EmbeddingNewParams{
				Model:          "e",
				Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts},
				EncodingFormat: tt.format,
			}
			if tt.dimensions > 0 {
				params.Dimensions = openai.Int(tt.dimensions)
			}
			vs := embed(t, c, params)
			if len(vs) != len(texts) {
				t.Fatalf("%d embeddings for %d inputs", len(vs), len(texts))
			}
			for i, v := range vs {
				if len(v) != tt.want {
					t.Errorf("embedding %d has %d dimensions, want %d", i, len(v), tt.want)
				}
				if n := math.Sqrt(cosine(v, v)); math.Abs(n-1) > 1e-5 {
					t.Errorf("embedding %d has norm %v", i, n)
				}
				want := devmodel.Embed(texts[i], tt.want)
				for j := range want {
					if float32(v[j]) != want[j] {
						t.Fatalf("embedding %d differs from Embed at %d: %v, %v", i, j, v[j], want[j])
					}
				}
			}
			related, unrelated := cosine(vs[0], vs[1]), cosine(vs[0], vs[2])
			if related < 0.5 || related <= unrelated+0.3 {
				t.Errorf("similarity to the related question %.3f, to the unrelated one %.3f", related, unrelated)
			}
		})
	}

	t.Run("float and base64 agree", func(t *testing.T) {
		var vs [2][]float64
		for i, f := range []openai.EmbeddingNewParamsEncodingFormat{"float", "base64"} {
			vs[i] = embed(t, c, openai.EmbeddingNewParams{Model: "e", EncodingFormat: f,
				Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String(doc)}})[0]
		}
		for j := range vs[0] {
			if float32(vs[0][j]) != float32(vs[1][j]) {
				t.Fatalf("at %d: float %v, base64 %v", j, vs[0][j], vs[1][j])
			}
		}
	})

	t.Run("batch of 64", func(t *testing.T) {
		batch := make([]string, 64)
		for i := range batch {
			batch[i] = fmt.Sprintf("message number %d about topic %d", i, i%7)
		}
		if vs := embed(t, c, openai.EmbeddingNewParams{Model: "e", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: batch}}); len(vs) != 64 {
			t.Errorf("%d embeddings", len(vs))
		}
	})

	t.Run("tokens", func(t *testing.T) {
		vs := embed(t, c, openai.EmbeddingNewParams{Model: "e", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfTokenArrays: [][]int64{{1, 2, 3}, {1, 2, 4}}}})
		if len(vs) != 2 || cosine(vs[0], vs[1]) < 0.3 {
			t.Errorf("token embeddings %d, similarity %v", len(vs), cosine(vs[0], vs[1]))
		}
	})
}

func TestEmbeddingFailures(t *testing.T) {
	srv, url := devmodel.NewTestServer(t, devmodel.Config{})
	c := client(url)
	call := func(inputs ...string) error {
		_, err := c.Embeddings.New(t.Context(), openai.EmbeddingNewParams{Model: "e", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: inputs}})
		return err
	}
	wantStatus := func(err error, status int) {
		t.Helper()
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
			t.Errorf("error = %v, want status %d", err, status)
		}
	}
	wantStatus(call("fine", "broken "+devmodel.Marker(devmodel.FailEmbedding)), 500)
	wantStatus(call("fine", devmodel.Marker(devmodel.RateLimit)), 429)
	if err := call("fine"); err != nil {
		t.Fatal(err)
	}
	srv.SetFailEmbeddings(true)
	wantStatus(call("fine"), 500)
	srv.SetFailEmbeddings(false)
	if err := call("fine"); err != nil {
		t.Error(err)
	}
}

func TestEmbedEmptyText(t *testing.T) {
	for _, text := range []string{"the of", "?!", "a"} {
		v := devmodel.Embed(text, 8)
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if math.Abs(n-1) > 1e-5 {
			t.Errorf("Embed(%q) has norm² %v", text, n)
		}
	}
}
