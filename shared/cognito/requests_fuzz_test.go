package cognito

// Fuzz targets for the auth routes' request bodies and for the reading of
// the tokens Cognito returns.

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/macro-ai/macro-ai/shared/api"
)

// authBody is one of the auth routes' bodies, with what openapi.yaml says an
// accepted one holds.
type authBody interface {
	api.Validator
	// fields lists the body's strings by JSON name.
	fields() map[string]string
}

func (c *Credentials) fields() map[string]string {
	return map[string]string{"email": c.Email, "password": c.Password}
}

func (r *SignInRequest) fields() map[string]string {
	return map[string]string{"email": r.Email, "password": r.Password}
}
func (r *EmailRequest) fields() map[string]string { return map[string]string{"email": r.Email} }
func (r *ConfirmRequest) fields() map[string]string {
	return map[string]string{"email": r.Email, "code": r.Code}
}

func (r *ResetPasswordRequest) fields() map[string]string {
	return map[string]string{"email": r.Email, "code": r.Code, "newPassword": r.NewPassword}
}

func (r *RefreshRequest) fields() map[string]string {
	return map[string]string{"refreshToken": r.RefreshToken}
}

// authBodies are the bodies of the auth routes, by route.
var authBodies = []struct {
	route string
	new   func() authBody
}{
	{"sign-up", func() authBody { return new(Credentials) }},
	{"sign-in", func() authBody { return new(SignInRequest) }},
	{"resend-code, forgot-password", func() authBody { return new(EmailRequest) }},
	{"confirm", func() authBody { return new(ConfirmRequest) }},
	{"reset-password", func() authBody { return new(ResetPasswordRequest) }},
	{"refresh", func() authBody { return new(RefreshRequest) }},
}

// checkAccepted asserts openapi.yaml's constraints on the strings of an
// accepted body: no NUL anywhere (PostgreSQL and Cognito take none); the
// e-mail trimmed, lower-cased, an address of at most 254 characters; a
// policy password of 8–256 characters, any other 1–256; a trimmed code of
// 1–20; a refresh token of 1–8192.
func checkAccepted(t *testing.T, route string, fields map[string]string) {
	t.Helper()
	chars := func(s string, lo, hi int) bool { n := utf8.RuneCountInString(s); return n >= lo && n <= hi }
	for name, v := range fields {
		ok := !strings.ContainsRune(v, 0)
		switch name {
		case "email":
			ok = ok && v == NormalizeEmail(v) && chars(v, 3, 254) && strings.Contains(v, "@")
		case "password", "newPassword":
			if route == "sign-in" {
				ok = ok && chars(v, 1, 256)
			} else {
				ok = ok && chars(v, 8, 256) && api.ValidPassword(v)
			}
		case "code":
			ok = ok && v == strings.TrimSpace(v) && chars(v, 1, 20)
		case "refreshToken":
			ok = ok && chars(v, 1, 8192)
		default:
			t.Fatalf("field %s has no rule here", name)
		}
		if !ok {
			t.Fatalf("%s accepted %s %q (%d characters)", route, name, v, utf8.RuneCountInString(v))
		}
	}
}

// FuzzAuthBodies: every auth body decodes without a panic; a refusal is a
// 400 *api.Error (invalid_json or validation_failed naming a field of the
// body); an accepted body meets openapi.yaml's constraints and is accepted
// again, unchanged, from its own encoding.
func FuzzAuthBodies(f *testing.F) {
	for _, s := range []string{
		`{"email":" Ada@Example.COM ","password":"Correct-Horse-9","code":" 123456 ","newPassword":"Correct-Horse-9","refreshToken":"r"}`,
		`{"email":"ada@example.com","password":"x","code":"1","newPassword":"short","refreshToken":""}`,
		`{}`, `null`, ``, `[]`, `{`, `{"email":5}`, `{"password":true}`, `{"code":[]}`, `{"refreshToken":{}}`,
		`{"email":"a@b.co\u0000","password":"Correct-Horse-9\u0000"}`,
		`{"email":"Ada <a@b.co>"}`, `{"email":"a@b"}`, `{"email":"@b.co"}`, `{"email":"a@b.co."}`, `{"email":"\"a b\"@c.co"}`,
		`{"email":"ü@b.co","password":"Ünïcödé1!"}`, `{"email":"a@b.co","password":"Aé1!é"}`,
		`{"email":"a@b.co","password":"` + strings.Repeat("é", 200) + `Aa1!"}`,
		`{"email":"a@b.co","password":" Leading1!"}`, `{"email":"a@b.co","password":"Trailing1! "}`,
		`{"email":"` + strings.Repeat("a", 250) + `@b.co"}`, `{"email":"\u212a@b.co"}`,
		`{"code":"` + strings.Repeat("9", 21) + `"}`, `{"code":"   "}`, `{"refreshToken":"` + strings.Repeat("r", 8193) + `"}`,
		`{"email":"a@b.co","email":"c@d.co"}`, `{"EMAIL":"a@b.co"}`, `{"email":"a@b.co","unknown":1}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, b := range authBodies {
			dst := b.new()
			err := api.DecodeJSON(&api.Request{Body: body}, dst)
			if err != nil {
				e, ok := err.(*api.Error)
				if !ok || e.Status != http.StatusBadRequest || (e.Code != "invalid_json" && e.Code != "validation_failed") {
					t.Fatalf("%s: error %T %v, want a 400 invalid_json or validation_failed", b.route, err, err)
				}
				for _, d := range e.Details {
					if _, ok := dst.fields()[d.Field]; !ok && e.Code == "validation_failed" {
						t.Fatalf("%s: a detail on %q, not a field of the body: %v", b.route, d.Field, e)
					}
				}
				continue
			}
			checkAccepted(t, b.route, dst.fields())
			again, err := json.Marshal(dst)
			if err != nil {
				t.Fatalf("%s: re-encode: %v", b.route, err)
			}
			dst2 := b.new()
			if err := api.DecodeJSON(&api.Request{Body: string(again)}, dst2); err != nil || !reflect.DeepEqual(dst, dst2) {
				t.Fatalf("%s: accepted %q as %+v, but its encoding %s gives %+v, %v", b.route, body, dst, again, dst2, err)
			}
		}
	})
}

// FuzzIdentityOf: reading the claims of a token Cognito returned never
// panics; a sub is always there when there is no error, and the lifetime
// left is 0 to math.MaxInt32 seconds.
func FuzzIdentityOf(f *testing.F) {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, payload := range []string{
		`{"sub":"u1","email":"a@b.co","exp":4102444800}`, `{"sub":""}`, `{"sub":5}`, `{}`, `null`, `[]`, `{`,
		`{"sub":"u1","exp":-1}`, `{"sub":"u1","exp":1e300}`, `{"sub":"u1","exp":9223372036854775807}`, `{"sub":"u1","exp":"x"}`,
	} {
		f.Add("eyJhbGciOiJSUzI1NiJ9." + b64(payload) + ".c2ln")
	}
	f.Add("")
	f.Add("a.b")
	f.Add("a.!!.c")
	f.Add("a.b.c.d")
	f.Fuzz(func(t *testing.T, token string) {
		sub, _, err := IdentityOf(token)
		if err == nil && sub == "" {
			t.Fatalf("IdentityOf(%q): no sub and no error", token)
		}
		if s := secondsLeft(token); s < 0 || int64(s) > math.MaxInt32 {
			t.Fatalf("secondsLeft(%q) = %d", token, s)
		}
	})
}
