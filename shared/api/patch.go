package api

import (
	"bytes"
	"encoding/json"
)

// Patch is a field of a PATCH body: absent (leave it), null (clear it) or a
// value (set it). The zero value is absent.
type Patch[T any] struct {
	Set   bool // present in the body, null or not
	Null  bool // present as null
	Value T    // when Set and not Null
}

// UnmarshalJSON implements json.Unmarshaler; it is called only when the
// field is present.
func (p *Patch[T]) UnmarshalJSON(b []byte) error {
	p.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		p.Null, p.Value = true, *new(T)
		return nil
	}
	return json.Unmarshal(b, &p.Value)
}

// Ptr is the value to store: nil when absent or null.
func (p Patch[T]) Ptr() *T {
	if !p.Set || p.Null {
		return nil
	}
	v := p.Value
	return &v
}
