package store_test

// Fuzz targets for the store's pure decoders: keyset cursors and ids. They
// need no database.

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/store"
)

const fuzzUser = "5f0c1d2e-8a41-4b0e-9a55-1d4c7b2e9f10"

// cursorSeeds are genuine cursors of fuzzUser and every way to break one.
func cursorSeeds() []string {
	id := uuid.MustParse("0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44")
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	conv := store.EncodeCursor(fuzzUser, store.Cursor{Time: at, ID: id})
	msg := store.EncodeCursor(fuzzUser, store.Cursor{Time: at, Seq: 42, ID: id})
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	wire, _ := base64.RawURLEncoding.DecodeString(conv)
	fp := string(wire[strings.Index(string(wire), `"u":"`)+5 : len(wire)-2]) // fuzzUser's fingerprint
	signed := func(t, s, i string) string {
		return b64(`{"t":` + t + `,"s":` + s + `,"i":` + i + `,"u":"` + fp + `"}`)
	}
	return []string{
		conv, msg, "", "x", "!!!", "=", conv + "=", conv + "A", conv[1:],
		strings.ReplaceAll(conv, "-", "+"), base64.StdEncoding.EncodeToString(wire),
		strings.Repeat("A", 201), b64("{}"), b64("null"), b64("[]"), b64(`"x"`),
		b64(`{"t":"2026-01-02T03:04:05Z","i":"` + id.String() + `","u":"AAAAAAAA"}`), // another user's
		signed(`"2026-01-02T03:04:05Z"`, `1`, `"`+id.String()+`"`),
		signed(`"0001-01-01T00:00:00Z"`, `1`, `"`+id.String()+`"`),                      // zero time
		signed(`"2026-01-02T03:04:05Z"`, `-1`, `"`+id.String()+`"`),                     // negative seq
		signed(`"2026-01-02T03:04:05Z"`, `1`, `"00000000-0000-0000-0000-000000000000"`), // nil id
		signed(`"2026-01-02T03:04:05Z"`, `1e3`, `"`+id.String()+`"`),
		signed(`"2026-01-02T03:04:05Z"`, `9223372036854775807`, `"`+id.String()+`"`),
		signed(`"2026-01-02T03:04:05Z"`, `1`, `"urn:uuid:`+id.String()+`"`),
		signed(`"2026-01-02T03:04:05Z"`, `1`, `"{`+id.String()+`}"`),
		signed(`"2026-01-02T03:04:05.123456789+05:30"`, `1`, `"`+id.String()+`"`),
		signed(`"0000-01-01T00:00:00+01:00"`, `1`, `"`+id.String()+`"`), // year -1 in UTC
		signed(`"9999-12-31T23:59:59-01:00"`, `1`, `"`+id.String()+`"`), // year 10000 in UTC
		signed(`"0000-01-01T00:00:00Z"`, `1`, `"`+id.String()+`"`),      // year 0
		signed(`"2026-01-02T03:04:05Z"`, `1`, `"`+strings.ToUpper(id.String())+`"`),
	}
}

// FuzzDecodeCursor: DecodeCursor never panics; it fails only with
// ErrBadCursor; a cursor it accepts is the caller's alone, holds a real
// position (a time, a sequence number ≥ 0, an id), and is one EncodeCursor
// can give back: encoding it again gives a cursor that decodes to the same
// position (so that every time it accepts is one PostgreSQL and JSON hold).
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range cursorSeeds() {
		f.Add(fuzzUser, s)
	}
	f.Fuzz(func(t *testing.T, userID, s string) {
		c, err := store.DecodeCursor(userID, s)
		if err != nil {
			if err != store.ErrBadCursor || c != nil {
				t.Fatalf("DecodeCursor(%q) = %v, %v; want nil, ErrBadCursor", s, c, err)
			}
			return
		}
		if s == "" {
			if c != nil {
				t.Fatalf("no cursor decoded to %+v", c)
			}
			return
		}
		if c == nil || c.Time.IsZero() || c.Seq < 0 || c.ID == uuid.Nil {
			t.Fatalf("DecodeCursor(%q) accepted %+v", s, c)
		}
		if other, err := store.DecodeCursor(userID+"x", s); err == nil {
			t.Fatalf("%q is accepted for another user too: %+v", s, other)
		}
		again := store.EncodeCursor(userID, *c)
		c2, err := store.DecodeCursor(userID, again)
		if err != nil || c2 == nil {
			t.Fatalf("accepted %q (%+v, time %s), but its encoding %q does not decode: %v", s, c, c.Time.UTC(), again, err)
		}
		if !c2.Time.Equal(c.Time) || c2.Seq != c.Seq || c2.ID != c.ID {
			t.Fatalf("round trip changed the position: %+v → %+v", c, c2)
		}
	})
}

// FuzzCursorRoundTrip: every position the store can page from (a time of
// years 1–9999 with microseconds, as PostgreSQL keeps it; a sequence number
// ≥ 0; an id) encodes to a cursor DecodeCursor accepts back unchanged for
// the same user only.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Add(fuzzUser, int64(1767322000), int64(123456), int64(0), []byte("0123456789abcdef"))
	f.Add("", int64(-62135596800), int64(1), int64(9223372036854775807), []byte{1})
	f.Add("u", int64(253402300799), int64(999999), int64(1), []byte{0xff, 0xff})
	f.Fuzz(func(t *testing.T, userID string, sec, usec, seq int64, idBytes []byte) {
		// Any second of years 1–9999, any microsecond.
		const first, span = -62135596800, 253402300800 + 62135596800
		at := time.Unix(first+(sec%span+span)%span, (usec%1e6+1e6)%1e6*1e3).UTC()
		if at.IsZero() || seq < 0 {
			t.Skip("not a position the store holds")
		}
		var id uuid.UUID
		copy(id[:], idBytes)
		if id == uuid.Nil {
			t.Skip("no id")
		}
		want := store.Cursor{Time: at, Seq: seq, ID: id}
		s := store.EncodeCursor(userID, want)
		got, err := store.DecodeCursor(userID, s)
		if err != nil || got == nil {
			t.Fatalf("EncodeCursor(%+v) = %q (%d bytes), which does not decode: %v", want, s, len(s), err)
		}
		if !got.Time.Equal(want.Time) || got.Seq != want.Seq || got.ID != want.ID {
			t.Fatalf("round trip %+v → %+v", want, got)
		}
		if _, err := store.DecodeCursor(userID+"x", s); err == nil {
			t.Fatalf("%q is accepted for another user", s)
		}
	})
}

// FuzzValidID: an accepted id is a UUID in its canonical text form, and
// every other string the uuid package would read (urn:uuid:…, braces, 32
// bare digits) is refused; the UUID rule of request bodies agrees.
func FuzzValidID(f *testing.F) {
	id := "0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44"
	for _, s := range []string{
		id, strings.ToUpper(id), "urn:uuid:" + id, "{" + id + "}", strings.ReplaceAll(id, "-", ""),
		"00000000-0000-0000-0000-000000000000", "", "1", id[:35], id + " ", " " + id[1:], id[:35] + "\x00",
		strings.ReplaceAll(id, "-", "_"), "0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2bgg", "0b6f6f4c-3b1e-4f6e-8d2a3-c9e1f7a2b44",
		"' OR 1=1 --", "../../etc/passwd", "%2e%2e", strings.Repeat("a", 2000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := store.ValidID(s)
		if rule, _ := api.UUID(s); rule != ok {
			t.Fatalf("ValidID(%q) = %v, the UUID rule says %v", s, ok, rule)
		}
		u, err := uuid.Parse(s)
		if !ok {
			if err == nil && len(s) == 36 {
				t.Fatalf("refused %q, a canonical UUID (%v)", s, u)
			}
			return
		}
		if err != nil || !strings.EqualFold(u.String(), s) {
			t.Fatalf("accepted %q: parses as %v, %v", s, u, err)
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			hex := '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
			if (i == 8 || i == 13 || i == 18 || i == 23) != (c == '-') || c != '-' && !hex {
				t.Fatalf("accepted %q: byte %d is %q", s, i, c)
			}
		}
	})
}
