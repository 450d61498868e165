package api

// Fuzz targets for what the routes decode from a request: the JSON body
// (DecodeJSON and the Fields rules), query values (Fields.Int and the query
// string check of Serve) and whole HTTP API events (Wrap). Each runs over its
// seeds in every go test; go test -fuzz=FuzzX ./api/ searches for more.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// fuzzBody has the field kinds the routes' bodies have: a required bounded
// string that is trimmed, an optional UUID behind a pointer, an optional
// e-mail, a list, a number and a nested object.
type fuzzBody struct {
	Title  string   `json:"title"`
	ID     *string  `json:"id"`
	Email  string   `json:"email"`
	Tags   []string `json:"tags"`
	Limit  int      `json:"limit"`
	Nested struct {
		On bool `json:"on"`
	} `json:"nested"`
}

func (b *fuzzBody) Normalize() {
	b.Title = strings.TrimSpace(b.Title)
	b.Email = strings.ToLower(strings.TrimSpace(b.Email))
}

func (b *fuzzBody) Validate() error {
	var f Fields
	f.Required("title", b.Title, CharsBetween(1, 255))
	if b.ID != nil {
		f.Required("id", *b.ID, UUID)
	}
	f.Optional("email", b.Email, MaxChars(254), Email)
	for i, t := range b.Tags {
		f.Required(fmt.Sprintf("tags[%d]", i), t, MaxChars(10))
	}
	if b.Limit < 0 || b.Limit > 100 {
		f.Add("limit", "must be from 0 to 100")
	}
	return f.Err()
}

// bodySeeds are bodies every decoder meets: valid ones, each kind of
// invalid JSON, wrong types, NUL characters, huge numbers, unknown fields.
var bodySeeds = []string{
	`{"title":"plans"}`,
	`{"title":"  plans  ","id":"0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44","email":" Ada@Example.com ","tags":["a"],"limit":5,"nested":{"on":true}}`,
	`{"title":"plans","id":null}`,
	`{"title":"plans","unknown":1,"__proto__":{"x":1}}`,
	`{"title":"a","title":5}`,
	`{"TITLE":"case-insensitive keys"}`,
	``,
	`   `,
	`null`,
	`[]`,
	`"title"`,
	`12`,
	`true`,
	`{`,
	`{"title":}`,
	`{"title":"x"}}`,
	`{"title":"x"} {"title":"y"}`,
	`{"title":"x"} trailing`,
	`{"title":5} x`,
	"\ufeff{\"title\":\"bom\"}",
	`{"title":5}`,
	`{"title":["a"]}`,
	`{"title":{"a":1}}`,
	`{"title":"x","limit":"5"}`,
	`{"title":"x","limit":1e400}`,
	`{"title":"x","limit":-1}`,
	`{"title":"x","limit":9223372036854775808}`,
	`{"title":"x","limit":1.5}`,
	`{"title":"x","tags":[1]}`,
	`{"title":"x","tags":"a"}`,
	`{"title":"x","nested":5}`,
	`{"title":"x","nested":{"on":"yes"}}`,
	`{"title":"a\u0000b"}`,
	`{"title":"\ud800"}`,
	"{\"title\":\"\xff\xfe\"}",
	`{"title":"` + strings.Repeat("é", 256) + `"}`,
	`{"title":"` + strings.Repeat("😀", 255) + `"}`,
	`{"title":"x","id":"urn:uuid:0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44"}`,
	`{"title":"x","id":"{0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44}"}`,
	`{"title":"x","id":"0b6f6f4c3b1e4f6e8d2a3c9e1f7a2b44"}`,
	`{"title":"x","id":"0B6F6F4C-3B1E-4F6E-8D2A-3C9E1F7A2B44"}`,
	`{"title":"x","id":""}`,
	`{"title":"x","email":"Ada <a@b.co>"}`,
	`{"title":"x","email":"a@b.co\u0000"}`,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

// FuzzDecodeJSON: DecodeJSON never panics; every failure is a 400 *Error,
// invalid_json exactly when the body is not one JSON object (or null) and
// validation_failed with one detail per failing field otherwise; an accepted
// body meets its rules and decodes again to the same value from its own
// encoding (normalising twice changes nothing).
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add(s, false)
		f.Add(base64.StdEncoding.EncodeToString([]byte(s)), true)
	}
	f.Add("not base64!", true)
	f.Fuzz(func(t *testing.T, body string, b64 bool) {
		var dst fuzzBody
		err := DecodeJSON(&Request{Body: body, IsBase64Encoded: b64}, &dst)
		raw, rawOK := body, true
		if b64 {
			b, derr := base64.StdEncoding.DecodeString(body)
			raw, rawOK = string(b), derr == nil
		}
		if err != nil {
			e := checkAPIError(t, err)
			if e.Code == "invalid_json" && rawOK && oneObject(raw) {
				t.Fatalf("a well-formed JSON object is answered invalid_json: %q: %v", raw, e)
			}
			if e.Code != "invalid_json" && (!rawOK || !oneObject(raw)) {
				t.Fatalf("a body that is not one JSON object is answered %s: %q: %v", e.Code, raw, e)
			}
			return
		}
		if !rawOK || !oneObject(raw) {
			t.Fatalf("accepted a body that is not one JSON object: %q", raw)
		}
		if n := utf8.RuneCountInString(dst.Title); n < 1 || n > 255 || dst.Title != strings.TrimSpace(dst.Title) {
			t.Fatalf("accepted title %q (%d characters)", dst.Title, n)
		}
		for _, s := range append([]string{dst.Title, dst.Email}, dst.Tags...) {
			if strings.ContainsRune(s, 0) {
				t.Fatalf("accepted a NUL character: %q", s)
			}
		}
		if dst.ID != nil && !canonicalUUID(*dst.ID) {
			t.Fatalf("accepted id %q", *dst.ID)
		}
		again, err := json.Marshal(&dst)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", dst, err)
		}
		var dst2 fuzzBody
		if err := DecodeJSON(&Request{Body: string(again)}, &dst2); err != nil {
			t.Fatalf("its own encoding %s is refused: %v", again, err)
		}
		if !reflect.DeepEqual(dst, dst2) {
			t.Fatalf("round trip changed the value:\n%+v\n%+v", dst, dst2)
		}
	})
}

// checkAPIError asserts that err is a 400 *Error of a decoder, with a
// message, and details that name each field when validation failed.
func checkAPIError(t *testing.T, err error) *Error {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %T %v, want *api.Error", err, err)
	}
	if e.Status != http.StatusBadRequest || e.Message == "" {
		t.Fatalf("error %v: want a 400 with a message", e)
	}
	switch e.Code {
	case "invalid_json":
		if len(e.Details) != 0 {
			t.Fatalf("invalid_json with details %v", e.Details)
		}
	case "validation_failed":
		if len(e.Details) == 0 {
			t.Fatalf("validation_failed without details: %v", e)
		}
		for _, d := range e.Details {
			if d.Field == "" || d.Message == "" {
				t.Fatalf("detail %+v names no field or says nothing", d)
			}
		}
		if want := e.Details[0].Field + ": " + e.Details[0].Message; !strings.HasPrefix(e.Message, want) {
			t.Fatalf("message %q does not start with the first detail %q", e.Message, want)
		}
	default:
		t.Fatalf("code %q, want invalid_json or validation_failed", e.Code)
	}
	return e
}

// oneObject reports whether s is exactly one JSON object or null, the
// bodies DecodeJSON takes (null decodes to the zero value).
func oneObject(s string) bool {
	s = strings.TrimSpace(s)
	if !json.Valid([]byte(s)) {
		return false
	}
	return s == "null" || strings.HasPrefix(s, "{")
}

// canonicalUUID reports whether s is 8-4-4-4-12 hexadecimal digits.
func canonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// FuzzFieldsInt: a query integer is its default when absent, else a whole
// number in [lo, hi] read as strconv.Atoi reads it, else one field error
// and the default; it never leaves the range.
func FuzzFieldsInt(f *testing.F) {
	for _, raw := range []string{"", "20", "1", "100", "0", "101", "-1", "+5", "05", " 5", "5 ", "1.5", "1e3",
		"0x10", "abc", "NaN", "99999999999999999999", "-9223372036854775808", "5\x00", "１"} {
		f.Add(raw, 20, 1, 100)
	}
	f.Fuzz(func(t *testing.T, raw string, def, lo, hi int) {
		if lo > hi || def < lo || def > hi {
			t.Skip("not a valid range and default")
		}
		var fs Fields
		got := fs.Int("limit", raw, def, lo, hi)
		n, perr := strconv.Atoi(raw)
		wantOK := raw == "" || perr == nil && n >= lo && n <= hi
		err := fs.Err()
		switch {
		case got < lo || got > hi:
			t.Fatalf("Int(%q) = %d, outside [%d, %d]", raw, got, lo, hi)
		case wantOK && err != nil:
			t.Fatalf("Int(%q) refused: %v", raw, err)
		case !wantOK && err == nil:
			t.Fatalf("Int(%q) = %d accepted", raw, got)
		case raw == "" && got != def, !wantOK && got != def:
			t.Fatalf("Int(%q) = %d, want the default %d", raw, got, def)
		case raw != "" && wantOK && got != n:
			t.Fatalf("Int(%q) = %d, want %d", raw, got, n)
		}
		if err != nil {
			if e := checkAPIError(t, err); len(e.Details) != 1 || e.Details[0].Field != "limit" {
				t.Fatalf("details %+v, want one on limit", e.Details)
			}
		}
	})
}

// querySeeds are raw query strings: valid, repeated, empty values and every
// kind of broken percent-encoding.
var querySeeds = []string{
	"", "limit=5", "limit=5&cursor=abc", "limit=1&limit=2", "limit=", "limit", "=", "&&&", "a=1;b=2",
	"%", "%Z", "%ZZ", "limit=%zz", "%00=1", "limit=5%00", "q=%E0%A4%A", "q=%F0%9F%98%80", "q=a+b%20c",
	"limit=99999999999999999999", "limit=-1", "limit=1e3", "cursor=" + strings.Repeat("A", 300),
}

// FuzzServe: whatever the query string and the body, Serve answers with
// X-Request-Id and no 5xx, every error in the one shape with the request's
// id; a query string that does not decode is 400 on "query", a body over
// MaxBodyBytes is 413.
func FuzzServe(f *testing.F) {
	for i, q := range querySeeds {
		f.Add(q, bodySeeds[i%len(bodySeeds)], false)
	}
	f.Add("limit=5", strings.Repeat("a", MaxBodyBytes+1), false)
	f.Add("", base64.StdEncoding.EncodeToString([]byte(`{"title":"x"}`)), true)
	quietLogs(f)
	h := func(ctx context.Context, req *Request) (Response, error) {
		var fs Fields
		limit := fs.Int("limit", req.QueryStringParameters["limit"], 20, 1, 100)
		fs.Optional("cursor", req.QueryStringParameters["cursor"], MaxChars(200))
		if err := fs.Err(); err != nil {
			return Response{}, err
		}
		var body fuzzBody
		if err := DecodeJSON(req, &body); err != nil {
			return Response{}, err
		}
		return JSON(http.StatusOK, map[string]any{"limit": limit, "body": body}), nil
	}
	f.Fuzz(func(t *testing.T, rawQuery, body string, b64 bool) {
		req := &Request{RawQueryString: rawQuery, Body: body, IsBase64Encoded: b64, RouteKey: "POST /things"}
		req.RequestContext.RequestID = "fuzz-request"
		queryOK := true
		if q, err := url.ParseQuery(rawQuery); err != nil {
			queryOK = false
		} else if len(q) > 0 {
			// As API Gateway passes them: repeated values joined by commas.
			req.QueryStringParameters = map[string]string{}
			for k, vs := range q {
				req.QueryStringParameters[k] = strings.Join(vs, ",")
			}
		}
		resp := Serve(context.Background(), req, h)
		if got := resp.Headers["X-Request-Id"]; got != "fuzz-request" {
			t.Fatalf("X-Request-Id %q", got)
		}
		switch {
		case bodyLen(req) > MaxBodyBytes:
			if e := checkErrorBody(t, resp); e.Code != "payload_too_large" || resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("a body of %d bytes: %d %s", bodyLen(req), resp.StatusCode, resp.Body)
			}
		case !queryOK:
			if e := checkErrorBody(t, resp); resp.StatusCode != http.StatusBadRequest || e.Code != "validation_failed" ||
				len(e.Details) != 1 || e.Details[0].Field != "query" {
				t.Fatalf("query %q that does not decode: %d %s", rawQuery, resp.StatusCode, resp.Body)
			}
		case resp.StatusCode == http.StatusOK:
			if !json.Valid([]byte(resp.Body)) {
				t.Fatalf("200 with a body that is not JSON: %q", resp.Body)
			}
		default:
			checkErrorBody(t, resp)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%d %s, want 200 or 400", resp.StatusCode, resp.Body)
			}
		}
	})
}

// checkErrorBody asserts the one error shape, {"error":{"code","message",
// "requestId",("details")}}, with the request's id, and returns the error.
func checkErrorBody(t *testing.T, resp Response) *Error {
	t.Helper()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("status %d: %s, want a 4xx", resp.StatusCode, resp.Body)
	}
	if ct := resp.Headers["Content-Type"]; ct != "application/json" {
		t.Fatalf("error with Content-Type %q", ct)
	}
	var shape map[string]json.RawMessage
	if err := json.Unmarshal([]byte(resp.Body), &shape); err != nil || len(shape) != 1 || shape["error"] == nil {
		t.Fatalf("error body %q is not {\"error\":{…}} (%v)", resp.Body, err)
	}
	var e Error
	dec := json.NewDecoder(strings.NewReader(string(shape["error"])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error %s: %v", shape["error"], err)
	}
	if e.Code == "" || e.Message == "" || e.RequestID != resp.Headers["X-Request-Id"] {
		t.Fatalf("error %s: want a code, a message and the request id %q", shape["error"], resp.Headers["X-Request-Id"])
	}
	return &e
}

// quietLogs discards the access log of Serve for the rest of the test.
func quietLogs(tb testing.TB) {
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	tb.Cleanup(func() { slog.SetDefault(prev) })
}

// FuzzWrap: any Lambda event either fails to decode (a Lambda error, never a
// panic) or is answered: a warmup at once, anything else without a 5xx and
// with X-Request-Id.
func FuzzWrap(f *testing.F) {
	for _, ev := range []string{
		`{"warmup":true}`, `{"warmup":false}`, `{"warmup":"yes"}`, `{}`, `null`, `[]`, `"x"`, ``, `{`,
		`{"rawPath":"/things","rawQueryString":"limit=%ZZ","requestContext":{"requestId":"r"}}`,
		`{"rawQueryString":"limit=5","queryStringParameters":{"limit":"5"},"body":"{\"title\":\"x\"}"}`,
		`{"body":"eyJ0aXRsZSI6IngifQ==","isBase64Encoded":true}`,
		`{"body":"%%%","isBase64Encoded":true}`,
		`{"body":5}`, `{"headers":{"authorization":5}}`, `{"requestContext":{"authorizer":{"jwt":{"claims":{"sub":1}}}}}`,
	} {
		f.Add([]byte(ev))
	}
	quietLogs(f)
	h := Wrap(func(ctx context.Context, req *Request) (Response, error) {
		var body fuzzBody
		if err := DecodeJSON(req, &body); err != nil {
			return Response{}, err
		}
		return JSON(http.StatusOK, body), nil
	})
	f.Fuzz(func(t *testing.T, raw []byte) {
		resp, err := h(context.Background(), raw)
		if err != nil {
			var req Request
			if json.Unmarshal(raw, &req) == nil {
				t.Fatalf("an event that decodes failed: %v", err)
			}
			return
		}
		if IsWarmup(raw) {
			if resp.StatusCode != http.StatusOK || resp.Body != `{"warm":true}` {
				t.Fatalf("warmup answered %d %s", resp.StatusCode, resp.Body)
			}
			return
		}
		if _, ok := resp.Headers["X-Request-Id"]; !ok {
			t.Fatal("no X-Request-Id")
		}
		if resp.StatusCode != http.StatusOK {
			checkErrorBody(t, resp)
		}
	})
}

// FuzzUUIDRule: the UUID rule accepts exactly the canonical text form
// (8-4-4-4-12 hexadecimal digits) of a UUID, never the other forms the
// uuid package reads (urn:uuid:…, braces, 32 bare digits).
func FuzzUUIDRule(f *testing.F) {
	for _, s := range []string{
		"0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44", "0B6F6F4C-3B1E-4F6E-8D2A-3C9E1F7A2B44",
		"urn:uuid:0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44", "{0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44}",
		"0b6f6f4c3b1e4f6e8d2a3c9e1f7a2b44", "00000000-0000-0000-0000-000000000000", "",
		"0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b4", "0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44 ", "0b6f6f4c_3b1e_4f6e_8d2a_3c9e1f7a2b44",
		"0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2bgg", "0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b4\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok, msg := UUID(s)
		if msg == "" {
			t.Fatal("no message")
		}
		if ok != canonicalUUID(s) {
			t.Fatalf("UUID(%q) = %v, canonical form: %v", s, ok, canonicalUUID(s))
		}
		if ok {
			u, err := uuid.Parse(s)
			if err != nil || !strings.EqualFold(u.String(), s) {
				t.Fatalf("accepted %q: parses as %v, %v", s, u, err)
			}
		}
	})
}

// FuzzValidPassword: the password policy is openapi.yaml's Password, the
// user pool's: 8 to 256 characters (not bytes) with an upper-case and a
// lower-case letter, a digit and one of Cognito's symbols, and no space at
// either end.
func FuzzValidPassword(f *testing.F) {
	for _, p := range []string{
		"Correct-Horse-9", "Abcdef1!", "Abc de1f", "abcdef1!", "ABCDEF1!", "Abcdefg!", "Abcdefg1", "Ab1!",
		"Aé1!éééé", "Aé1!é", "Aé1!éé", "Ünïcödé1!", strings.Repeat("é", 252) + "Aa1!", strings.Repeat("é", 253) + "Aa1!",
		strings.Repeat("a", 252) + "A1!", strings.Repeat("a", 253) + "A1!", "Abcdef1\u00a7", "Abcdef1!\x00", " Abcdef1!", "Abcdef1! ", "Abc def1!",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		n := utf8.RuneCountInString(p)
		var upper, lower, digit, symbol bool
		for _, r := range p {
			upper = upper || unicode.IsUpper(r)
			lower = lower || unicode.IsLower(r)
			digit = digit || unicode.IsDigit(r)
			symbol = symbol || strings.ContainsRune(passwordSymbols, r)
		}
		want := n >= 8 && n <= 256 && upper && lower && digit && symbol && strings.TrimSpace(p) == p
		if got := ValidPassword(p); got != want {
			t.Fatalf("ValidPassword(%q) = %v (%d characters, %d bytes), want %v", p, got, n, len(p), want)
		}
	})
}
