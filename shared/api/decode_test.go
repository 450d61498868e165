package api

import (
	"errors"
	"strings"
	"testing"
)

type signUpBody struct {
	Email    string   `json:"email"`
	Password string   `json:"password"`
	Tags     []string `json:"tags"`
}

func (b *signUpBody) Normalize() { b.Email = strings.ToLower(strings.TrimSpace(b.Email)) }

func (b *signUpBody) Validate() error {
	var f Fields
	f.Required("email", b.Email, Email)
	f.Required("password", b.Password, Password)
	if len(b.Tags) > 2 {
		f.Add("tags", "must have at most 2 items")
	}
	return f.Err()
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantCode   string
		wantFields []string
		wantEmail  string
	}{
		{name: "valid, e-mail normalised", body: `{"email":"  Ada@Example.COM ","password":"Abcdef1!"}`, wantEmail: "ada@example.com"},
		{name: "empty body", body: ``, wantCode: "invalid_json"},
		{name: "not JSON", body: `{"email":`, wantCode: "invalid_json"},
		{name: "array instead of object", body: `[1,2]`, wantCode: "invalid_json"},
		{name: "two objects", body: `{"email":"a@b.co","password":"Abcdef1!"} {}`, wantCode: "invalid_json"},
		{name: "wrong type names the field", body: `{"email":5,"password":"Abcdef1!"}`, wantCode: "validation_failed", wantFields: []string{"email"}},
		{name: "missing fields", body: `{}`, wantCode: "validation_failed", wantFields: []string{"email", "password"}},
		{name: "bad e-mail", body: `{"email":"nope","password":"Abcdef1!"}`, wantCode: "validation_failed", wantFields: []string{"email"}},
		{name: "e-mail with a display name", body: `{"email":"Ada <a@b.co>","password":"Abcdef1!"}`, wantCode: "validation_failed", wantFields: []string{"email"}},
		{name: "e-mail without a dotted domain", body: `{"email":"a@localhost","password":"Abcdef1!"}`, wantCode: "validation_failed", wantFields: []string{"email"}},
		{name: "too many items", body: `{"email":"a@b.co","password":"Abcdef1!","tags":["a","b","c"]}`, wantCode: "validation_failed", wantFields: []string{"tags"}},
		{name: "weak password", body: `{"email":"a@b.co","password":"abcdefgh"}`, wantCode: "validation_failed", wantFields: []string{"password"}},
		{name: "a NUL character (no PostgreSQL text holds one)", body: `{"email":"a@b.co","password":"Abcdef1!\u0000"}`, wantCode: "validation_failed", wantFields: []string{"password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst signUpBody
			err := DecodeJSON(&Request{Body: tt.body}, &dst)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if dst.Email != tt.wantEmail {
					t.Errorf("email = %q, want %q", dst.Email, tt.wantEmail)
				}
				return
			}
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.Code != tt.wantCode || apiErr.Status != 400 {
				t.Fatalf("err = %v, want 400 %s", err, tt.wantCode)
			}
			var fields []string
			for _, d := range apiErr.Details {
				fields = append(fields, d.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tt.wantFields, ",") {
				t.Errorf("detail fields = %v, want %v", fields, tt.wantFields)
			}
		})
	}
}

func TestValidPassword(t *testing.T) {
	for pw, want := range map[string]bool{
		"Abcdef1!":                 true,
		"Abc de1f":                 true, // a space counts as a symbol, as in Cognito
		"Abcde1!":                  false,
		"abcdef1!":                 false,
		"ABCDEF1!":                 false,
		"Abcdefg!":                 false,
		"Abcdefg1":                 false,
		strings.Repeat("Aa1!", 65): false,
	} {
		if got := ValidPassword(pw); got != want {
			t.Errorf("ValidPassword(%q) = %v, want %v", pw, got, want)
		}
	}
}
