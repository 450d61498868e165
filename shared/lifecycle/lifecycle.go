// Package lifecycle lets the clients a function wires (database pools,
// Redis clients) be closed together when that wiring is replaced — after a
// secret rotation, a warm container wires its handler again from the new
// values and closes the old clients. Constructors register with OnClose on
// the context they are given; without a Scope in it, nothing is recorded and
// the clients live as long as the process.
package lifecycle

import (
	"context"
	"sync"
)

// Scope collects the close functions of one wiring.
type Scope struct {
	mu  sync.Mutex
	fns []func()
}

type scopeKey struct{}

// NewScope returns ctx carrying a new Scope, and the Scope.
func NewScope(ctx context.Context) (context.Context, *Scope) {
	s := &Scope{}
	return context.WithValue(ctx, scopeKey{}, s), s
}

// OnClose records fn in ctx's Scope, if it has one.
func OnClose(ctx context.Context, fn func()) {
	if s, ok := ctx.Value(scopeKey{}).(*Scope); ok {
		s.mu.Lock()
		s.fns = append(s.fns, fn)
		s.mu.Unlock()
	}
}

// Close runs the recorded functions, the last recorded first, once.
func (s *Scope) Close() {
	s.mu.Lock()
	fns := s.fns
	s.fns = nil
	s.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}
