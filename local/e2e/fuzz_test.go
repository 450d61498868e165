package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	mathrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// fuzzSeed seeds the generator's random choices: every run sends the same
// requests (up to the fresh e-mails and ids a valid request needs).
const fuzzSeed = 20260601

// fuzzWorkers is how many operations are fuzzed at once (each one's
// requests in turn): enough to overlap the round trips on two CPUs without
// starting many instances of each function.
const fuzzWorkers = 3

// TestRouteFuzz sends every operation of openapi.yaml requests that break
// its contract one way at a time — wrong types, missing and unknown fields,
// oversized strings, NUL characters, bad UUIDs, bad percent-encoding, invalid
// JSON, wrong content types, huge and negative numbers, bad and tampered
// cursors, missing and garbage tokens — through the local gateway and the real
// bootstraps, and checks each answer: never a 5xx (every dependency is up, so
// not even a documented 502 or 503); every error in the one Error shape with
// the request's id and a code of its status, except API Gateway's own 401 (no
// or a bad token), 403 (an ID token) and 404 (no route) exactly where API
// Gateway answers them; a request the schema refuses is a 4xx, an id not in
// canonical form a 404, a body over 64 KiB a 413; every status is one the
// operation documents; every success body matches its schema. The chat
// turn's validation is fuzzed on its Function URL too.
func TestRouteFuzz(t *testing.T) {
	start := time.Now()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	sp, err := loadSpec(filepath.Join(root, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := sp.operations()
	if err != nil {
		t.Fatal(err)
	}
	codes, err := sp.codeStatuses()
	if err != nil {
		t.Fatal(err)
	}
	_, modelURL := devmodel.NewTestServer(t, devmodel.Config{Dimensions: testenv.Get(t).EmbeddingDimensions})
	s := newStack(t, func(v map[string]string) {
		v["OPENAI_BASE_URL"], v["OPENAI_API_KEY"] = modelURL, "dev"
		// Limits and quotas would answer 429 to a fuzzer, not what it is
		// after (and every valid request names a fresh e-mail address).
		for _, k := range []string{"RATE_LIMIT_AUTH_PER_MINUTE", "RATE_LIMIT_AUTH_EMAIL_PER_HOUR",
			"RATE_LIMIT_CHAT_PER_MINUTE", "RATE_LIMIT_PER_MINUTE"} {
			v[k] = "1000000"
		}
		for _, k := range []string{"QUOTA_TURNS_PER_DAY", "QUOTA_TOKENS_PER_DAY", "QUOTA_EMBED_CHARS_PER_DAY",
			"QUOTA_STORED_BYTES_PER_DAY"} {
			v[k] = "0" // unlimited
		}
	})
	fu, err := s.gw.FunctionURL("chat-stream")
	if err != nil {
		t.Fatal(err)
	}
	stream := httptest.NewServer(fu)
	t.Cleanup(stream.Close)
	fx := newFixtures(t, s)
	setup := time.Since(start)

	g := &generator{sp: sp, fx: fx, rng: mathrand.New(mathrand.NewPCG(fuzzSeed, fuzzSeed))}
	var groups [][]*fuzzCase // one per operation, then the unknown routes
	// Sign-out and a password change revoke the user's refresh token, and a
	// valid account deletion (the fixture user's password is the schema's
	// valid password) deletes the user: after the rest, in this order.
	var last []*fuzzCase
	for _, op := range ops {
		cs := g.cases(op)
		if op.id == "signOut" || op.id == "changePassword" || op.id == "deleteAccount" {
			last = append(last, cs...)
			continue
		}
		groups = append(groups, cs)
	}
	groups = append(groups, g.unknownRoutes(ops))

	transport := &http.Transport{MaxIdleConnsPerHost: 2 * fuzzWorkers}
	t.Cleanup(transport.CloseIdleConnections)
	f := &fuzzer{sp: sp, codes: codes, api: s.url, stream: stream.URL, statuses: map[int]int{},
		client: &http.Client{Timeout: 40 * time.Second, Transport: transport}}
	work := make(chan []*fuzzCase)
	var wg sync.WaitGroup
	for range fuzzWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for cs := range work {
				for _, c := range cs {
					f.run(c)
				}
			}
		}()
	}
	for _, cs := range groups {
		work <- cs
	}
	close(work)
	wg.Wait()
	for _, c := range last {
		f.run(c)
	}

	for i, p := range f.problems {
		if i == 60 {
			t.Errorf("… and %d more problems", len(f.problems)-i)
			break
		}
		t.Error(p)
	}
	seen := make([]int, 0, len(f.statuses))
	for status := range f.statuses {
		seen = append(seen, status)
	}
	sort.Ints(seen)
	var hist []string
	for _, status := range seen {
		hist = append(hist, fmt.Sprintf("%d×%d", f.statuses[status], status))
	}
	t.Logf("%d requests (%d of them to the chat Function URL) over %d operations (seed %d) in %v after %v of set-up: %s",
		f.sent.Load(), f.viaURL.Load(), len(ops), fuzzSeed, (time.Since(start) - setup).Round(time.Millisecond),
		setup.Round(time.Millisecond), strings.Join(hist, " "))
}

// fixtures are what the schema cannot say: a signed-in user's tokens, and
// ids and cursors that exist.
type fixtures struct {
	token, idToken, refresh string
	conv                    string // the user's conversation, with a chat turn in it
	answer                  string // the answer of that turn ({messageId})
	doomed                  string // a conversation DELETE may delete
	convCursor, msgCursor   string // genuine cursors: nextCursor of a page of one
}

func newFixtures(t *testing.T, s *stack) *fixtures {
	t.Helper()
	token, refresh, email := s.signIn(t)
	_, idToken, _ := s.env.SignIn(t, email, testenv.TestPassword)
	fx := &fixtures{token: token, idToken: idToken, refresh: refresh}
	create := func(title string) string {
		var c struct{ ID string }
		r := s.do("POST", "/conversations", token, map[string]string{"title": title})
		r.decode(t, &c)
		if r.status != 201 || c.ID == "" {
			t.Fatalf("create a conversation: %d %s", r.status, r.body)
		}
		return c.ID
	}
	fx.doomed = create("doomed")
	fx.conv = create("fuzzed")
	r := s.do("POST", "/conversations/"+fx.conv+"/messages", token, map[string]string{"content": "My cat is called Miso."})
	if r.status != 200 || !bytes.Contains(r.body, []byte("event: done")) {
		t.Fatalf("a chat turn: %d %s", r.status, r.body)
	}
	var msgs struct{ Items []struct{ ID, Role string } }
	r = s.do("GET", "/conversations/"+fx.conv+"/messages", token, nil)
	r.decode(t, &msgs)
	if n := len(msgs.Items); r.status != 200 || n == 0 || msgs.Items[n-1].Role != "assistant" {
		t.Fatalf("the turn's messages: %d %s", r.status, r.body)
	}
	fx.answer = msgs.Items[len(msgs.Items)-1].ID
	next := func(path string) string {
		var page struct{ NextCursor *string }
		r := s.do("GET", path, token, nil)
		r.decode(t, &page)
		if r.status != 200 || page.NextCursor == nil {
			t.Fatalf("GET %s: %d %s, want a next page", path, r.status, r.body)
		}
		return *page.NextCursor
	}
	fx.convCursor = next("/conversations?limit=1")
	fx.msgCursor = next("/conversations/" + fx.conv + "/messages?limit=1")
	return fx
}

// want is what an answer must be, besides never a 5xx.
type want int

const (
	wantAny        want = iota // whatever the operation documents
	wantReject                 // a 4xx: the request breaks the contract
	wantNotFound               // 404 not_found: an id not in canonical form
	wantTooLarge               // 413 payload_too_large: a body over 64 KiB
	wantGateway401             // API Gateway's own 401: no or a bad token
	wantGateway403             // API Gateway's own 403: a token without the route's scope
	wantGateway404             // API Gateway's own 404: no such route
)

// fuzzCase is one request.
type fuzzCase struct {
	op          *operation // nil: no operation has this route
	what        string     // the mutation
	method      string
	path        string // escaped
	query       string // raw, sent as it is
	body        []byte
	hasBody     bool
	ctype       string // Content-Type; "" none
	auth        string // Authorization; "" none
	want        want
	functionURL bool // to the chat function's URL rather than the HTTP API
}

func (c *fuzzCase) String() string {
	target := c.method + " " + c.path
	if c.query != "" {
		target += "?" + c.query
	}
	if c.functionURL {
		target += " (Function URL)"
	}
	return fmt.Sprintf("%s [%s] body %s", trunc(target, 160), c.what, trunc(string(c.body), 160))
}

func (c *fuzzCase) clone(what string) *fuzzCase {
	d := *c
	d.what = what
	d.body = slices.Clone(c.body)
	return &d
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%q…(%d bytes)", s[:n], len(s))
}

// field is one member of a JSON object body, its value as raw JSON.
type field struct{ name, raw string }

func object(fs []field) []byte {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(rawJSON(f.name) + ":" + f.raw)
	}
	b.WriteByte('}')
	return []byte(b.String())
}

func rawJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // values made here always encode
	}
	return string(b)
}

// newUUID is a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := fmt.Sprintf("%x", b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// generator makes the requests of each operation from its schema.
type generator struct {
	sp  *apiSpec
	fx  *fixtures
	rng *mathrand.Rand
}

// validString is a valid value for a string named name: the fixtures where
// the schema cannot say (an id that exists, a real refresh token), fresh
// e-mails and ids so that no per-address limit or idempotency key is hit,
// else the least the schema allows.
func (g *generator) validString(name string, s *schema) string {
	switch {
	case name == "id" || name == "conversationId":
		return g.fx.conv
	case name == "refreshToken":
		return g.fx.refresh
	case name == "code":
		return "123456"
	case name == "content":
		return "Tell me about Miso."
	case name == "q":
		return "cat"
	case name == "messageId":
		return g.fx.answer
	case name == "parentId":
		return g.fx.answer
	case name == "model" || name == "defaultModel":
		return "gpt-4o-mini" // the template's ChatModel: what GET /models lists on the stack
	case s.Format == "email":
		return testenv.NewEmail()
	case s.Format == "password":
		return testenv.TestPassword
	case s.Format == "uuid":
		return newUUID()
	}
	n := 1
	if s.MinLength != nil && *s.MinLength > n {
		n = *s.MinLength
	}
	return strings.Repeat("a", n)
}

// validValue is a valid value of s as raw JSON.
func (g *generator) validValue(name string, s *schema) string {
	s = g.sp.resolve(s)
	switch {
	case len(s.OneOf) > 0:
		return g.validValue(name, s.OneOf[0])
	case s.is("string"):
		return rawJSON(g.validString(name, s))
	case s.is("integer"), s.is("number"):
		if s.Default != nil {
			return rawJSON(s.Default)
		}
		if s.Minimum != nil {
			return rawJSON(*s.Minimum)
		}
		return "1"
	case s.is("boolean"):
		return "true"
	case s.is("array"):
		return "[" + g.validValue(name, s.Items) + "]"
	case s.is("object"):
		return string(object(g.validFields(s)))
	}
	return "null"
}

// validFields are every property of an object schema, valid, in name order.
func (g *generator) validFields(s *schema) []field {
	s = g.sp.resolve(s)
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	var fs []field
	for _, name := range names {
		fs = append(fs, field{name, g.validValue(name, s.Properties[name])})
	}
	return fs
}

// base is a valid request of op: the fixture conversation (the doomed one
// for DELETE), the required query parameters, a full valid body, the token.
func (g *generator) base(op *operation) *fuzzCase {
	c := &fuzzCase{op: op, what: "valid", method: op.method, path: op.path}
	id := g.fx.conv
	if op.method == "DELETE" {
		id = g.fx.doomed
	}
	c.path = strings.ReplaceAll(strings.ReplaceAll(c.path, "{id}", id), "{messageId}", g.fx.answer)
	var q []string
	for _, p := range op.params {
		if p.In == "query" && p.Required {
			q = append(q, p.Name+"="+url.QueryEscape(g.validString(p.Name, g.sp.resolve(p.Schema))))
		}
	}
	c.query = strings.Join(q, "&")
	if op.body != nil {
		c.body, c.hasBody, c.ctype = object(g.validFields(op.body)), true, "application/json"
	}
	if !op.public {
		c.auth = "Bearer " + g.fx.token
	}
	return c
}

// judgeBody sets c.want from the schema: a body it refuses must be refused.
func (g *generator) judgeBody(c *fuzzCase) *fuzzCase {
	v, err := decodeJSON(c.body)
	if err != nil || g.sp.validate(c.op.body, v, "body") != nil {
		c.want = wantReject
	}
	if len(c.body) > 64<<10 {
		c.want = wantTooLarge
	}
	return c
}

// wrongTypes are values of every kind, put where another kind belongs.
var wrongTypes = []string{`null`, `true`, `0`, `-1`, `1.5`, `1e400`, `-1e400`, `123456789012345678901234567890`,
	`{}`, `{"a":1}`, `[]`, `["a"]`, `[null]`, `""`}

// badUUIDs are forms of id that are not its canonical form, and ids that are
// no UUID at all.
func badUUIDs(id string) []string {
	return []string{"urn:uuid:" + id, "{" + id + "}", "(" + id + ")", strings.ReplaceAll(id, "-", ""),
		id[:35], id + "0", " " + id, id + " ", id + "\x00", "00000000-0000-0000-0000-000000000000",
		"ffffffff-ffff-ffff-ffff-ffffffffffff", strings.ReplaceAll(id, "-", "_"), "123", "-1", "null",
		"' OR 1=1 --", "é", strings.Repeat("a", 2000)}
}

// badEmails break an e-mail address, or sit at the edges of one.
var badEmails = []string{"a", "a@b", "@b.co", "a@", "a@b.co.", "a b@c.co", "Ada <a@b.co>", "a@b..co", "a@@b.co",
	"\"a\"@b.co", "ü@b.co", "a@b.co\x00", strings.Repeat("a", 250) + "@b.co", "a@" + strings.Repeat("b", 250) + ".co",
	"a@b.co\nBcc: c@d.co", "a+tag@b.co", "A@B.CO"}

// badPasswords break the password policy, or sit at its edges (lengths
// in characters, not bytes; spaces Cognito may refuse at either end).
var badPasswords = []string{"short1!", "alllowercase1!", "ALLUPPERCASE1!", "NoDigits!!", "NoSymbols11", "Aé1!éé",
	strings.Repeat("é", 252) + "Aa1!", strings.Repeat("é", 253) + "Aa1!", strings.Repeat("a", 254) + "A1!",
	" Leading1!", "Trailing1! ", "Tab\t1!aA", "Ünïcödé1!", "Pass\x00word1!"}

// badStrings are strings that break a string of s, or sit at its edges.
func badStrings(s *schema) []string {
	out := []string{"", " ", "   \t\n ", "a\x00b", "\x00", "\x01\x1f\x7f", "\u202eevil", "\u2028\u2029", "😀",
		"<script>alert(1)</script>", "' OR 1=1 --", "%00", "${jndi:ldap://x}", strings.Repeat("a", 60<<10)}
	if s.MaxLength != nil {
		n := *s.MaxLength
		out = append(out, strings.Repeat("a", n), strings.Repeat("a", n+1), strings.Repeat("é", n),
			strings.Repeat("é", n+1), strings.Repeat("😀", n))
	}
	return out
}

// bodyCases mutate op's body: the whole body, each property, unknown
// members, the content type, random combinations.
func (g *generator) bodyCases(op *operation) []*fuzzCase {
	var out []*fuzzCase
	add := func(what string, body []byte) *fuzzCase {
		c := g.base(op).clone(what)
		c.body = body
		out = append(out, g.judgeBody(c))
		return c
	}
	valid := g.base(op).body
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	for _, b := range []string{"[]", "[{}]", `"x"`, "0", "true", "{", "}", `{"a":}`, `{"a" 1}`,
		`{'a':1}`, `{a:1}`, string(valid) + "}", string(valid) + " " + string(valid), string(valid) + " x",
		"\ufeff" + string(valid), deep, `{"a":` + strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5001),
		"\xff\xfe", string(valid[:len(valid)-1])} {
		add("body "+trunc(b, 20), []byte(b))
	}
	for _, b := range []string{"", " ", "null"} {
		// Without a body, or with null (read as {}), an optional body is absent.
		if c := add("no body: "+strconv.Quote(b), []byte(b)); !op.bodyRequired {
			c.want = wantAny
		}
	}
	add("empty object", []byte("{}"))
	// fresh are valid members with new e-mails and ids, so that no
	// per-address limit or idempotency key is met twice.
	fresh := func() []field { return g.validFields(op.body) }
	fs := fresh()
	pad := func(n int) []byte {
		return object(append(fresh(), field{"pad", rawJSON(strings.Repeat("a", n))}))
	}
	add("body over 64 KiB", pad(64<<10))
	add("body just under 64 KiB", pad(64<<10-len(valid)-20))

	bodySchema := g.sp.resolve(op.body)
	required := map[string]bool{}
	for _, name := range bodySchema.Required {
		required[name] = true
	}
	for i, f := range fs {
		ps := g.sp.resolve(bodySchema.Properties[f.name])
		with := func(raw string) []byte {
			m := fresh()
			m[i].raw = raw
			return object(m)
		}
		add("without "+f.name, object(slices.Delete(fresh(), i, i+1)))
		for _, raw := range wrongTypes {
			c := add(f.name+" = "+raw, with(raw))
			if raw == "null" && !required[f.name] {
				c.want = wantAny // an optional member given as null is absent
			}
		}
		var strs []string
		switch {
		case ps.is("string") || len(ps.OneOf) > 0:
			strs = badStrings(ps)
			if len(ps.OneOf) > 0 {
				strs = badStrings(g.sp.resolve(ps.OneOf[0]))
			}
		}
		switch ps.Format {
		case "uuid":
			strs = append(strs, badUUIDs(g.fx.conv)...)
			strs = append(strs, strings.ToUpper(newUUID()))
		case "email":
			strs = append(strs, badEmails...)
		case "password":
			strs = append(strs, badPasswords...)
		}
		for _, str := range strs {
			add(f.name+" = "+trunc(str, 20), with(rawJSON(str)))
		}
		add(f.name+" with invalid UTF-8", with("\"a\xff\xfeb\""))
		add(f.name+" with a lone surrogate", with(`"\ud800"`))
		if len(ps.OneOf) > 0 { // input: a string or an array of strings
			for _, raw := range []string{`[]`, `[""]`, `["a",1]`, `[["a"]]`, `["a\u0000"]`, `[null]`,
				rawJSON(slices.Repeat([]string{"x"}, 64)), rawJSON(slices.Repeat([]string{"x"}, 65)),
				rawJSON([]string{strings.Repeat("a", 8001)}), rawJSON([]string{"a", strings.Repeat("é", 8000)})} {
				add(f.name+" = "+trunc(raw, 20), with(raw))
			}
		}
		// The same member twice: the last one counts.
		add(f.name+" twice", object(append(fresh(), field{f.name, `5`})))
		m := fresh()
		c := add(strings.ToUpper(f.name)+" for "+f.name, object(append(slices.Delete(slices.Clone(m), i, i+1),
			field{strings.ToUpper(f.name), m[i].raw})))
		c.want = wantAny // encoding/json matches member names case-insensitively: lenient, not wrong
	}
	for _, extra := range []field{{"unknown", "1"}, {"__proto__", `{"admin":true}`}, {"constructor", `{"prototype":{}}`},
		{"", `""`}, {strings.Repeat("k", 1000), "1"}, {"a\x00b", "1"}} {
		add("unknown member "+trunc(extra.name, 10), object(append(fresh(), extra)))
	}
	// Random combinations of two or three broken members.
	anyString := badStrings(&schema{})
	for range 6 {
		m := fresh()
		for range 2 + g.rng.IntN(2) {
			i := g.rng.IntN(len(m))
			m[i].raw = g.pick(wrongTypes, rawJSON(anyString[g.rng.IntN(len(anyString))]))
		}
		add("random members", object(m))
	}
	// Random bytes from JSON's alphabet.
	for range 6 {
		const alphabet = `{}[]":,0123456789.eE+-truefalsnl \\u"abc` + "\x00\xff"
		b := make([]byte, g.rng.IntN(120))
		for i := range b {
			b[i] = alphabet[g.rng.IntN(len(alphabet))]
		}
		add("random bytes", b)
	}
	// Content types: the body is decoded as JSON whatever the header says.
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
		"application/json; charset=utf-8", "APPLICATION/JSON", "application/xml", "application/octet-stream"} {
		c := g.base(op).clone("Content-Type " + strconv.Quote(ct))
		c.ctype = ct
		out = append(out, c)
	}
	utf16le := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	c := g.base(op).clone("UTF-16 body")
	c.ctype, c.body, c.want = "application/json; charset=utf-16", utf16le(string(valid)), wantReject
	out = append(out, c)
	c = g.base(op).clone("form body")
	c.ctype, c.body, c.want = "application/x-www-form-urlencoded", []byte("a=1&b=2"), wantReject
	out = append(out, c)
	return out
}

func (g *generator) pick(raws []string, alt string) string {
	if g.rng.IntN(2) == 0 {
		return alt
	}
	return raws[g.rng.IntN(len(raws))]
}

var intLike = regexp.MustCompile(`^[+-]?[0-9]+$`)

// queryCases mutate each query parameter of op, and the query string as a whole.
func (g *generator) queryCases(op *operation) []*fuzzCase {
	var out []*fuzzCase
	add := func(what, query string, w want) {
		c := g.base(op).clone(what)
		// The base's parameters but the one the mutation sets.
		name, _, _ := strings.Cut(query, "=")
		name, _, _ = strings.Cut(name, "[")
		var q []string
		for _, kv := range strings.Split(c.query, "&") {
			if k, _, _ := strings.Cut(kv, "="); kv != "" && k != name {
				q = append(q, kv)
			}
		}
		c.query = strings.Join(append(q, query), "&")
		c.want = w
		out = append(out, c)
	}
	for _, p := range op.params {
		if p.In != "query" {
			continue
		}
		s := g.sp.resolve(p.Schema)
		switch {
		case s.is("integer"):
			vs := []string{"", "abc", "1.5", "1e3", "-1", "0", "99999999999999999999", "-99999999999999999999",
				"+5", "05", " 5", "5 ", "0x10", "NaN", "Infinity", "5\x00", "１", "1,2", "٣"}
			lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
			if s.Minimum != nil {
				lo = int64(*s.Minimum)
				vs = append(vs, strconv.FormatInt(lo-1, 10), strconv.FormatInt(lo, 10))
			}
			if s.Maximum != nil {
				hi = int64(*s.Maximum)
				vs = append(vs, strconv.FormatInt(hi, 10), strconv.FormatInt(hi+1, 10))
			}
			for _, v := range vs {
				w := wantAny
				n, err := strconv.ParseInt(v, 10, 64)
				if v != "" && (!intLike.MatchString(v) || err != nil || n < lo || n > hi) {
					w = wantReject
				}
				add(p.Name+" = "+strconv.Quote(v), p.Name+"="+url.QueryEscape(v), w)
			}
		case s.Format == "uuid":
			for _, v := range append(badUUIDs(g.fx.conv), newUUID(), "") {
				w := wantReject
				if v == "" {
					w = wantAny // an empty value is no value
				}
				add(p.Name+" = "+trunc(v, 20), p.Name+"="+url.QueryEscape(v), w)
			}
			add(p.Name+" upper-case", p.Name+"="+strings.ToUpper(g.fx.conv), wantAny)
		case p.Name == "cursor" || p.Name == "before":
			for _, v := range g.badCursors(p.Name) {
				add(p.Name+" "+v.what, p.Name+"="+url.QueryEscape(v.cursor), v.want)
			}
		default:
			for _, v := range badStrings(s) {
				w := wantAny
				if p.Required && strings.TrimSpace(v) == "" || g.sp.validate(s, v, p.Name) != nil {
					w = wantReject
				}
				add(p.Name+" = "+trunc(v, 20), p.Name+"="+url.QueryEscape(v), w)
			}
		}
		add(p.Name+" twice", p.Name+"=1&"+p.Name+"=2", wantAny)
		add(p.Name+" bad percent-encoding", p.Name+"=%ZZ", wantReject)
		add(p.Name+" truncated percent-encoding", p.Name+"=%E0%A4%A", wantReject)
		add(p.Name+" percent-encoded invalid UTF-8", p.Name+"=%C3%28%FF", wantAny)
		add(p.Name+" without =", p.Name, wantAny)
		add(p.Name+"[]", p.Name+"[]=1", wantAny)
		if p.Required {
			c := g.base(op).clone("without " + p.Name)
			c.query, c.want = "", wantReject
			out = append(out, c)
		}
	}
	for _, q := range []string{"%", "%%", "%G0", "a=%", "=%00", "a=1;b=2", "&&&", "=", "&=&=", "unknown=1", "a=" + strings.Repeat("b", 8000),
		strings.Repeat("p=1&", 500)} {
		w := wantAny
		if _, err := url.ParseQuery(q); err != nil {
			w = wantReject
		}
		add("query "+trunc(q, 20), q, w)
	}
	return out
}

type badCursor struct {
	what, cursor string
	want         want
}

// badCursors are malformed, foreign and tampered cursors for the parameter
// name (cursor: conversations; before: messages). Tampered ones keep the
// genuine cursor's user fingerprint, so they reach the query: their
// positions must not break it.
func (g *generator) badCursors(name string) []badCursor {
	genuine, other := g.fx.convCursor, g.fx.msgCursor
	if name == "before" {
		genuine, other = other, genuine
	}
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	out := []badCursor{{"genuine", genuine, wantAny}}
	for _, v := range []string{"x", "!!!", "====", genuine + "=", genuine[1:], genuine + "A", strings.Repeat("A", 201),
		strings.Repeat("A", 10000), b64("{}"), b64("null"), b64("[]"), b64(`"x"`), b64("{"), b64("\x00"),
		base64.StdEncoding.EncodeToString([]byte(`{"t":"2026-01-01T00:00:00Z","i":"` + newUUID() + `","u":"AAAAAAAA"}`)),
		b64(`{"t":"2026-01-01T00:00:00Z","s":2,"i":"` + newUUID() + `","u":"AAAAAAAA"}`)} {
		out = append(out, badCursor{"malformed " + trunc(v, 16), v, wantReject})
	}
	// The other list's cursor: a conversations cursor has no sequence number.
	w := wantAny
	if name == "before" {
		w = wantReject
	}
	out = append(out, badCursor{"of the other list", other, w})

	raw, err := base64.RawURLEncoding.DecodeString(genuine)
	var m map[string]any
	if err != nil || json.Unmarshal(raw, &m) != nil {
		return out // not base64url JSON any more: nothing to tamper with
	}
	tamper := func(what string, w want, kv ...any) {
		t := map[string]any{}
		for k, v := range m {
			t[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(t, kv[i].(string))
			} else {
				t[kv[i].(string)] = kv[i+1]
			}
		}
		b, _ := json.Marshal(t)
		out = append(out, badCursor{"tampered: " + what, base64.RawURLEncoding.EncodeToString(b), w})
	}
	for _, at := range []string{"0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0000-01-01T00:00:00Z",
		"9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z", "2026-01-01T00:00:00.123456789+14:00", "0001-01-01T00:00:01Z"} {
		tamper("t "+at, wantAny, "t", at)
	}
	for _, bad := range []any{"yesterday", 5, "", "0001-01-01T00:00:00Z"} {
		tamper(fmt.Sprintf("t %v", bad), wantReject, "t", bad)
	}
	for _, s := range []any{json.Number("9223372036854775807"), json.Number("1"), json.Number("3")} {
		tamper(fmt.Sprintf("s %v", s), wantAny, "s", s)
	}
	for _, s := range []any{json.Number("-1"), json.Number("1.5"), json.Number("9223372036854775808"), "1"} {
		tamper(fmt.Sprintf("s %v", s), wantReject, "s", s)
	}
	id, _ := m["i"].(string)
	for _, i := range []string{"urn:uuid:" + id, "{" + id + "}", strings.ToUpper(id), strings.ReplaceAll(id, "-", ""), newUUID()} {
		tamper("i "+i, wantAny, "i", i)
	}
	for _, i := range []any{"00000000-0000-0000-0000-000000000000", "x", 5} {
		tamper(fmt.Sprintf("i %v", i), wantReject, "i", i)
	}
	tamper("another user", wantReject, "u", "AAAAAAAA")
	tamper("without u", wantReject, "u", nil)
	tamper("an extra member", wantAny, "x", 1)
	return out
}

// pathCases put ids that are not in canonical form, or do not exist, in
// place of {id}: each is 404; an upper-case id is the same id.
func (g *generator) pathCases(op *operation) []*fuzzCase {
	var out []*fuzzCase
	id := g.fx.conv
	if op.method == "DELETE" {
		id = g.fx.doomed
	}
	for _, bad := range append(badUUIDs(id), newUUID(), "..", ".", "%", "%2e%2e", id+"/x", "\x7f") {
		c := g.base(op).clone("id " + trunc(bad, 20))
		c.path = strings.ReplaceAll(strings.ReplaceAll(op.path, "{id}", url.PathEscape(bad)), "{messageId}", g.fx.answer)
		c.want = wantNotFound
		out = append(out, c)
	}
	c := g.base(op).clone("id upper-case")
	c.path = strings.ReplaceAll(strings.ReplaceAll(op.path, "{id}", strings.ToUpper(id)), "{messageId}", g.fx.answer)
	out = append(out, c)
	c = g.base(op).clone("id empty: no route")
	c.path = strings.ReplaceAll(strings.ReplaceAll(op.path, "{id}", ""), "{messageId}", g.fx.answer)
	c.want = wantGateway404
	out = append(out, c)
	return out
}

// authCases send op without a token, with tokens the authorizer refuses,
// with the ID token, and with spellings of the valid token.
func (g *generator) authCases(op *operation) []*fuzzCase {
	var out []*fuzzCase
	tok := g.fx.token
	parts := strings.Split(tok, ".")
	other := byte('A') // a signature byte changed
	if tok[len(tok)-5] == 'A' {
		other = 'B'
	}
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	hs := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"x"}`)) + "." + parts[1] + "." + parts[2]
	for _, bad := range []struct{ what, header string }{
		{"no Authorization", ""}, {"Bearer alone", "Bearer"}, {"an empty token", "Bearer "}, {"spaces", "Bearer  "},
		{"Basic", "Basic dXNlcjpwYXNz"}, {"not a JWT", "Bearer not.a.jwt"},
		{"a changed signature", "Bearer " + tok[:len(tok)-5] + string(other) + tok[len(tok)-4:]},
		{"alg none", "Bearer " + none}, {"alg HS256", "Bearer " + hs}, {"no signature", "Bearer " + parts[0] + "." + parts[1]},
		{"a byte more", "Bearer " + tok + "x"}, {"two tokens", "Bearer " + tok + "," + tok},
		{"8000 bytes", "Bearer " + strings.Repeat("A", 8000)}, {"other claims", "Bearer " + parts[0] + ".e30." + parts[2]},
		{"another scheme", "Token " + tok},
	} {
		c := g.base(op).clone("token: " + bad.what)
		c.auth, c.want = bad.header, wantGateway401
		if op.public {
			c.want = wantAny // no authorizer: the header means nothing
		}
		out = append(out, c)
	}
	if !op.public {
		c := g.base(op).clone("ID token")
		c.auth, c.want = "Bearer "+g.fx.idToken, wantGateway403
		out = append(out, c)
		for _, a := range []string{"bearer " + tok, "BEARER " + tok, "Bearer  " + tok, tok} {
			c := g.base(op).clone("token spelled " + strconv.Quote(a[:8]))
			c.auth = a
			out = append(out, c)
		}
	}
	return out
}

// cases are every request for op. The chat turn's are sent to its Function
// URL too, where the function itself answers what the authorizer would; on
// the Function URL only the ones refused before the turn runs are sent.
func (g *generator) cases(op *operation) []*fuzzCase {
	out := []*fuzzCase{g.base(op)}
	if op.body != nil {
		out = append(out, g.bodyCases(op)...)
	} else {
		c := g.base(op).clone("a body where none belongs")
		c.body, c.hasBody, c.ctype = []byte(`{"unknown":1}`), true, "application/json"
		out = append(out, c)
		c = g.base(op).clone("invalid JSON where no body belongs")
		c.body, c.hasBody, c.ctype = []byte(`{`), true, "application/json"
		out = append(out, c)
		c = g.base(op).clone("body over 64 KiB where none belongs")
		c.body, c.hasBody, c.ctype, c.want = bytes.Repeat([]byte("a"), 64<<10+1), true, "text/plain", wantTooLarge
		out = append(out, c)
	}
	out = append(out, g.queryCases(op)...)
	if op.param("path", "id") != nil {
		out = append(out, g.pathCases(op)...)
	}
	out = append(out, g.authCases(op)...)
	for _, c := range out {
		if c.hasBody && c.body == nil {
			c.body = []byte{}
		}
		c.hasBody = c.hasBody || c.body != nil
	}
	if op.id == "sendMessage" {
		var viaURL []*fuzzCase
		for _, c := range out {
			if c.want == wantAny || c.want == wantGateway404 {
				continue
			}
			d := c.clone(c.what)
			d.functionURL = true
			if d.want == wantGateway401 || d.want == wantGateway403 {
				d.want = wantReject // the function answers 401 itself
			}
			viaURL = append(viaURL, d)
		}
		c := g.base(op).clone("no such path")
		c.path, c.functionURL, c.want = "/conversations", true, wantNotFound
		viaURL = append(viaURL, c)
		out = append(out, viaURL...)
	}
	return out
}

// unknownRoutes are methods and paths no operation has: API Gateway's 404.
func (g *generator) unknownRoutes(ops []*operation) []*fuzzCase {
	var out []*fuzzCase
	methods := map[string][]string{}
	for _, op := range ops {
		methods[op.path] = append(methods[op.path], op.method)
	}
	paths := make([]string, 0, len(methods))
	for p := range methods {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if slices.Contains(methods[p], m) {
				continue
			}
			out = append(out, &fuzzCase{what: "no such method", method: m, path: strings.ReplaceAll(strings.ReplaceAll(p, "{id}", g.fx.conv), "{messageId}", g.fx.answer),
				auth: "Bearer " + g.fx.token, want: wantGateway404})
		}
	}
	for _, p := range []string{"/", "/nowhere", "/me/", "/ME", "//me", "/conversations/", "/conversations//messages",
		"/conversations/" + g.fx.conv + "/messages/x", "/auth", "/auth/sign-up/x", "/%00", "/conversations/" + g.fx.conv + "/"} {
		out = append(out, &fuzzCase{what: "no such path", method: "GET", path: p, auth: "Bearer " + g.fx.token, want: wantGateway404})
	}
	return out
}

// fuzzer sends cases and judges the answers.
type fuzzer struct {
	sp          *apiSpec
	codes       map[string]int // the status of each error code
	api, stream string
	client      *http.Client
	sent        atomic.Int64 // requests
	viaURL      atomic.Int64 // of them to the chat function's URL

	mu       sync.Mutex
	problems []string
	statuses map[int]int
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (f *fuzzer) run(c *fuzzCase) {
	base := f.api
	if c.functionURL {
		base = f.stream
	}
	target := base + c.path
	if c.query != "" {
		target += "?" + c.query
	}
	var body io.Reader
	if c.hasBody {
		body = bytes.NewReader(c.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, c.method, target, body)
	if err != nil {
		f.problem(c, "cannot build the request: %v", err)
		return
	}
	req.URL.RawQuery = c.query // exactly as generated, bad escapes too
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	f.sent.Add(1)
	if c.functionURL {
		f.viaURL.Add(1)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.problem(c, "no answer: %v", err)
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		f.problem(c, "%d, then the body failed: %v", resp.StatusCode, err)
		return
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: b}
	f.mu.Lock()
	f.statuses[a.status]++
	f.mu.Unlock()
	f.judge(c, a)
}

func (f *fuzzer) problem(c *fuzzCase, format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, c.String()+": "+fmt.Sprintf(format, args...))
}

// gatewayAnswer is API Gateway's own body for status, or "".
func gatewayAnswer(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return `{"message":"Unauthorized"}`
	case http.StatusForbidden:
		return `{"message":"Forbidden"}`
	case http.StatusNotFound:
		return `{"message":"Not Found"}`
	}
	return ""
}

func (f *fuzzer) judge(c *fuzzCase, a answer) {
	got := fmt.Sprintf("%d %s", a.status, trunc(string(a.body), 300))
	if a.status >= 500 {
		f.problem(c, "%s: a 5xx", got)
		return
	}
	gateway := !c.functionURL && gatewayAnswer(a.status) != "" && string(bytes.TrimSpace(a.body)) == gatewayAnswer(a.status)
	switch wantStatus := map[want]int{wantGateway401: 401, wantGateway403: 403, wantGateway404: 404}[c.want]; {
	case wantStatus != 0:
		if !gateway || a.status != wantStatus {
			f.problem(c, "%s, want API Gateway's own %d", got, wantStatus)
		}
		return
	case gateway:
		f.problem(c, "%s: API Gateway's own answer, where the function answers", got)
		return
	}
	if a.header.Get("X-Request-Id") == "" {
		f.problem(c, "%s without X-Request-Id", got)
	}
	if c.op != nil && !c.op.statuses[a.status] && a.status != 413 && !(a.status == 400 && strings.Contains(string(a.body), `"field":"query"`)) {
		// 413 (a body over 64 KiB) and 400 for a query that does not decode
		// are every route's (the document's conventions).
		f.problem(c, "%s: a status %s does not document", got, c.op)
	}
	if a.status >= 400 {
		code := f.checkError(c, a, got)
		switch {
		case c.want == wantNotFound && (a.status != 404 || code != "not_found"):
			f.problem(c, "%s, want 404 not_found", got)
		case c.want == wantTooLarge && (a.status != 413 || code != "payload_too_large"):
			f.problem(c, "%s, want 413 payload_too_large", got)
		}
		return
	}
	if c.want != wantAny {
		f.problem(c, "%s: accepted a request the contract refuses", got)
		return
	}
	if strings.HasPrefix(a.header.Get("Content-Type"), "text/event-stream") {
		if !bytes.Contains(a.body, []byte("event: done")) || bytes.Contains(a.body, []byte("event: error")) {
			f.problem(c, "%s: a turn that did not finish", got)
		}
		return
	}
	if media, _, _ := strings.Cut(a.header.Get("Content-Type"), ";"); media != "" && media != "application/json" {
		// Another documented media type (an export's text/markdown): not JSON.
		if !slices.Contains(c.op.media[a.status], media) {
			f.problem(c, "%s: Content-Type %q, which the document does not give", got, a.header.Get("Content-Type"))
		}
		return
	}
	if s := c.op.responses[a.status]; s != nil {
		v, err := decodeJSON(a.body)
		if err == nil {
			err = f.sp.validate(s, v, "body")
		}
		if err != nil {
			f.problem(c, "%s: the body does not match the schema: %v", got, err)
		}
	}
}

// checkError asserts the one Error shape and returns its code.
func (f *fuzzer) checkError(c *fuzzCase, a answer, got string) string {
	v, err := decodeJSON(a.body)
	if err == nil {
		err = f.sp.validate(&schema{Ref: "#/components/schemas/Error"}, v, "body")
	}
	if err != nil {
		f.problem(c, "%s: not the Error shape: %v", got, err)
		return ""
	}
	e := v.(map[string]any)["error"].(map[string]any)
	if id := a.header.Get("X-Request-Id"); e["requestId"] != id || id == "" {
		f.problem(c, "%s: requestId %v, X-Request-Id %q", got, e["requestId"], id)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		f.problem(c, "%s: Content-Type %q", got, ct)
	}
	if a.status == 429 && a.header.Get("Retry-After") == "" {
		f.problem(c, "%s: 429 without Retry-After", got)
	}
	code, _ := e["code"].(string)
	if f.codes[code] != a.status {
		f.problem(c, "%s: code %s belongs to %d", got, code, f.codes[code])
	}
	details, _ := e["details"].([]any)
	for _, d := range details {
		name, _ := d.(map[string]any)["field"].(string)
		if !f.names(c.op)[strings.FieldsFunc(name, func(r rune) bool { return r == '[' || r == '.' })[0]] {
			f.problem(c, "%s: a detail on %q, which the request does not have", got, name)
		}
	}
	return code
}

// names are what a detail may name for op: "query" (the query string), its
// query parameters and its body's members.
func (f *fuzzer) names(op *operation) map[string]bool {
	names := map[string]bool{"query": true}
	if op == nil {
		return names
	}
	for _, p := range op.params {
		names[p.Name] = true
	}
	if op.body != nil {
		for name := range f.sp.resolve(op.body).Properties {
			names[name] = true
		}
	}
	return names
}
