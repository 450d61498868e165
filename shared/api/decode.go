package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"unicode"

	"github.com/go-playground/validator/v10"
)

// Normalizer is implemented by request bodies that clean themselves up before
// validation (trim and lower-case an e-mail, for example).
type Normalizer interface{ Normalize() }

// DecodeJSON decodes req's body into dst, normalises and validates it. Failures
// are *Error values: 400 invalid_json for a body that is not a JSON object, 400
// validation_failed with one detail per field otherwise.
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
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return ValidationFailed(FieldError{Field: typeErr.Field, Message: "must be a " + jsonType(typeErr.Type)})
		}
		return Errorf(http.StatusBadRequest, "invalid_json", "the body is not valid JSON: %s", syntaxMessage(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf(http.StatusBadRequest, "invalid_json", "the body must hold one JSON object")
	}
	if n, ok := dst.(Normalizer); ok {
		n.Normalize()
	}
	return Validate(dst)
}

// Validate checks v's `validate` tags and reports each failing field by its
// JSON name.
func Validate(v any) error {
	err := validate().Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return fmt.Errorf("validate %T: %w", v, err)
	}
	details := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		details = append(details, FieldError{Field: fieldPath(fe), Message: message(fe)})
	}
	return ValidationFailed(details...)
}

// validate is built once per container.
var validate = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	_ = v.RegisterValidation("password", func(fl validator.FieldLevel) bool {
		return ValidPassword(fl.Field().String())
	})
	return v
})

// passwordSymbols are the characters Cognito counts as symbols.
const passwordSymbols = "^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+= "

// ValidPassword applies API.md's policy, the user pool's: at least 8
// characters with upper case, lower case, a digit and a symbol (and at most 256).
func ValidPassword(p string) bool {
	if len(p) < 8 || len(p) > 256 {
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

func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if i := strings.IndexByte(ns, '.'); i >= 0 {
		return ns[i+1:] // drop the struct's own name
	}
	return fe.Field()
}

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be a valid email address"
	case "password":
		return "must be at least 8 characters with upper case, lower case, a digit and a symbol"
	case "uuid", "uuid4":
		return "must be a UUID"
	case "min":
		if fe.Kind() == reflect.String {
			return "must be at least " + fe.Param() + " characters"
		}
		return "must have at least " + fe.Param() + " items"
	case "max":
		if fe.Kind() == reflect.String {
			return "must be at most " + fe.Param() + " characters"
		}
		return "must have at most " + fe.Param() + " items"
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	case "oneof":
		return "must be one of: " + fe.Param()
	case "numeric":
		return "must be a number"
	default:
		return "is not valid (" + fe.Tag() + ")"
	}
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
