package store

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
)

// ErrBadCursor means a cursor was malformed, tampered with, or issued to
// another user: the client's mistake, answered 400.
var ErrBadCursor = errors.New("bad cursor")

// Cursor is a keyset position: the sort key and id of the last row a page
// returned (conversations sort by time, messages by their place in the
// conversation, Seq). On the wire it is opaque: base64url JSON that also
// carries a fingerprint of the user it was issued to.
type Cursor struct {
	Time time.Time
	Seq  int64 // messages only
	ID   uuid.UUID
}

type wireCursor struct {
	T time.Time `json:"t"`
	S int64     `json:"s,omitempty"`
	I uuid.UUID `json:"i"`
	U string    `json:"u"`
}

func fingerprint(userID string) string {
	sum := sha256.Sum256([]byte("macro-ai cursor:" + userID))
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}

// EncodeCursor returns c as an opaque string for userID.
func EncodeCursor(userID string, c Cursor) string {
	b, _ := json.Marshal(wireCursor{T: c.Time.UTC(), S: c.Seq, I: c.ID, U: fingerprint(userID)})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses s; "" is no cursor (nil). A cursor of another user, or
// one that does not parse, is ErrBadCursor.
func DecodeCursor(userID, s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > 200 {
		return nil, ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrBadCursor
	}
	var w wireCursor
	if err := json.Unmarshal(b, &w); err != nil || w.T.IsZero() || w.S < 0 || w.I == uuid.Nil || w.U != fingerprint(userID) {
		return nil, ErrBadCursor
	}
	if y := w.T.UTC().Year(); y < 0 || y > 9999 {
		// Never EncodeCursor's (JSON times are years 0–9999 in UTC): an
		// offset moved it out, as "0000-01-01T00:00:00+01:00" does.
		return nil, ErrBadCursor
	}
	return &Cursor{Time: w.T, Seq: w.S, ID: w.I}, nil
}
