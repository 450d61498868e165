package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Normalizer is implemented by request bodies that clean themselves up before
// validation (trim and lower-case an e-mail, for example).
type Normalizer interface{ Normalize() }

// Validator is implemented by request bodies that check themselves.
type Validator interface{ Validate() error }

// DecodeJSON decodes req's body into dst, normalises it and, if dst is a
// Validator, validates it. Failures are *Error values: 400 invalid_json for a
// body that is not one JSON object, 400 validation_failed with one detail per
// field otherwise.
func DecodeJSON(req *Request, dst any) error {
	body := req.Body
	if req.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return Errorf(http.StatusBadRequest, "invalid_json", "the body is not valid base64")
		}
		body = string(b)
	}
	if strings.TrimSpace(body) == "" {
		return Errorf(http.StatusBadRequest, "invalid_json", "the body must be a JSON object")
	}
	dec := json.NewDecoder(strings.NewReader(body))
	err := dec.Decode(dst)
	var typeErr *json.UnmarshalTypeError
	if err != nil && (!errors.As(err, &typeErr) || typeErr.Field == "") {
		return Errorf(http.StatusBadRequest, "invalid_json", "the body is not valid JSON: %s", syntaxMessage(err))
	}
	// Only a body that is one JSON object may fail on a field: `{"a":1} x`
	// is invalid JSON whatever its first value holds.
	if _, err := dec.Token(); err != io.EOF {
		return Errorf(http.StatusBadRequest, "invalid_json", "the body must hold one JSON object")
	}
	if err != nil {
		return ValidationFailed(FieldError{Field: typeErr.Field, Message: "must be a " + jsonType(typeErr.Type)})
	}
	if n, ok := dst.(Normalizer); ok {
		n.Normalize()
	}
	if v, ok := dst.(Validator); ok {
		return v.Validate()
	}
	return nil
}

// Fields collects the field errors of a request, in order. Validation is plain
// code rather than a reflection-driven library on purpose: validator/v10 (via
// reflect.Value.MethodByName) and ozzo-validation (via text/template) both
// switch off the linker's dead-code elimination, which doubled every
// bootstrap (10 MB → 20 MB) and its cold start.
type Fields struct{ list []FieldError }

// Rule checks a string; msg says what is wrong when ok is false.
type Rule func(s string) (ok bool, msg string)

// Required checks a field that must be present and then meet rules; the first
// failure is recorded.
func (f *Fields) Required(field, value string, rules ...Rule) {
	if value == "" {
		f.Add(field, "is required")
		return
	}
	f.Optional(field, value, rules...)
}

// Optional checks rules when the field is present. Every field is also
// refused with a NUL character (U+0000), which no PostgreSQL text can hold.
func (f *Fields) Optional(field, value string, rules ...Rule) {
	if value == "" {
		return
	}
	if strings.ContainsRune(value, 0) {
		f.Add(field, "must not contain the NUL character (U+0000)")
		return
	}
	for _, r := range rules {
		if ok, msg := r(value); !ok {
			f.Add(field, msg)
			return
		}
	}
}

// Int parses an optional integer query parameter: def when raw is empty,
// else a whole number in [lo, hi].
func (f *Fields) Int(field, raw string, def, lo, hi int) int {
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		f.Add(field, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

// Add records that field is wrong.
func (f *Fields) Add(field, msg string) {
	f.list = append(f.list, FieldError{Field: field, Message: msg})
}

// Err is nil when every check passed, else 400 validation_failed.
func (f *Fields) Err() error {
	if len(f.list) == 0 {
		return nil
	}
	return ValidationFailed(f.list...)
}

// Email accepts a bare address with a dotted domain.
func Email(s string) (bool, string) { return validEmail(s), "must be a valid email address" }

// Password applies the password policy.
func Password(s string) (bool, string) {
	return ValidPassword(s), "must be at least 8 characters with upper case, lower case, a digit and a symbol"
}

// UUID accepts a UUID in its canonical text form.
func UUID(s string) (bool, string) {
	return len(s) == 36 && uuid.Validate(s) == nil, "must be a UUID (8-4-4-4-12 hexadecimal digits)"
}

// MaxChars limits a string to n characters.
func MaxChars(n int) Rule {
	return func(s string) (bool, string) {
		return utf8.RuneCountInString(s) <= n, fmt.Sprintf("must be at most %d characters", n)
	}
}

// CharsBetween bounds a string's length in characters.
func CharsBetween(lo, hi int) Rule {
	return func(s string) (bool, string) {
		n := utf8.RuneCountInString(s)
		return n >= lo && n <= hi, fmt.Sprintf("must be %d to %d characters", lo, hi)
	}
}

// validEmail accepts a bare address (no display name) with a dotted domain.
func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// passwordSymbols are the characters Cognito counts as symbols.
const passwordSymbols = "^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+= "

// ValidPassword applies the API's password policy (openapi.yaml), the user
// pool's: at least 8 characters with upper case, lower case, a digit and a
// symbol (and at most 256), and no space at either end (Cognito refuses
// those with InvalidParameterException, which would be a 502).
func ValidPassword(p string) bool {
	if n := utf8.RuneCountInString(p); n < 8 || n > 256 { // characters, as the pool counts them: not bytes
		return false
	}
	if strings.TrimSpace(p) != p {
		return false
	}
	var upper, lower, digit, symbol bool
	for _, r := range p {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	return upper && lower && digit && symbol
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	default:
		return "number"
	}
}

func syntaxMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "the body must be a JSON object"
	}
	return "malformed"
}
