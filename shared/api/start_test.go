package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/macro-ai/macro-ai/shared/lifecycle"
)

type fakeSecrets struct{ changes []bool }

func (f *fakeSecrets) Refresh(context.Context) bool {
	if len(f.changes) == 0 {
		return false
	}
	c := f.changes[0]
	f.changes = f.changes[1:]
	return c
}

// TestRewiring: a secret change wires the handler again and closes the old
// wiring's clients; a failed rewire keeps the old handler and its clients;
// a warmup never asks for a refresh.
func TestRewiring(t *testing.T) {
	wirings, closed := 0, map[int]bool{}
	failNext := false
	wire := func(ctx context.Context) (func(context.Context, json.RawMessage) (string, error), error) {
		if failNext {
			failNext = false
			lifecycle.OnClose(ctx, func() { closed[-1] = true })
			return nil, errors.New("a setting is missing")
		}
		wirings++
		n := wirings
		lifecycle.OnClose(ctx, func() { closed[n] = true })
		return func(context.Context, json.RawMessage) (string, error) { return fmt.Sprint("wiring ", n), nil }, nil
	}
	secrets := &fakeSecrets{}
	r, err := newRewiring(context.Background(), secrets, wire)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		event   string
		changed []bool // what Refresh answers, if asked
		fail    bool
		want    string
		closed  []int
		asked   bool
	}{
		{"no change", `{}`, []bool{false}, false, "wiring 1", nil, true},
		{"a rotation", `{}`, []bool{true}, false, "wiring 2", []int{1}, true},
		{"a warmup does not refresh", `{"warmup":true}`, []bool{true}, false, "wiring 2", []int{1}, false},
		{"a failed rewire keeps the handler", `{}`, []bool{true}, true, "wiring 2", []int{1, -1}, true},
	}
	for _, st := range steps {
		secrets.changes = st.changed
		failNext = st.fail
		got, _ := r.invoke(context.Background(), json.RawMessage(st.event))
		if got != st.want {
			t.Fatalf("%s: answered by %q, want %q", st.name, got, st.want)
		}
		if asked := len(secrets.changes) == 0; asked != st.asked {
			t.Fatalf("%s: refresh asked %v, want %v", st.name, asked, st.asked)
		}
		for _, n := range st.closed {
			if !closed[n] {
				t.Fatalf("%s: wiring %d not closed (%v)", st.name, n, closed)
			}
		}
		if closed[2] {
			t.Fatalf("%s: the live wiring was closed", st.name)
		}
	}
}
