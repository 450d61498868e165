package lifecycle

import (
	"context"
	"slices"
	"testing"
)

func TestScope(t *testing.T) {
	var closed []string
	OnClose(context.Background(), func() { closed = append(closed, "unscoped") }) // recorded nowhere

	ctx, s := NewScope(context.Background())
	OnClose(ctx, func() { closed = append(closed, "pool") })
	OnClose(ctx, func() { closed = append(closed, "redis") })
	if len(closed) != 0 {
		t.Fatalf("closed before Close: %v", closed)
	}
	s.Close()
	s.Close() // once
	if want := []string{"redis", "pool"}; !slices.Equal(closed, want) {
		t.Fatalf("closed %v, want %v", closed, want)
	}
}
