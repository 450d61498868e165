// Package api is the HTTP layer every function shares: the one error shape of
// the API (openapi.yaml's Error), JSON responses, request decoding and
// validation, and the wrapper that turns a route handler into a Lambda handler
// (warmup short-circuit, request id, body limit, recover, access log).
package api

import (
	"fmt"
	"net/http"
)

// FieldError is one entry of an error's details.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error the client may see, in the API's one shape. Its message is
// written for the client and never carries internals.
type Error struct {
	Status     int          `json:"-"`
	Code       string       `json:"code"`
	Message    string       `json:"message"`
	Details    []FieldError `json:"details,omitempty"`
	RequestID  string       `json:"requestId"`
	RetryAfter int          `json:"-"` // seconds, for 429 and 503
	// Cause is what went wrong underneath, for the log only.
	Cause error `json:"-"`
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %s: %v", e.Status, e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// WithCause records cause for the log and returns e.
func (e *Error) WithCause(cause error) *Error {
	e.Cause = cause
	return e
}

// Errorf returns an *Error with the given status, code and message.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ValidationFailed lists each failing field; the message sums them up.
func ValidationFailed(details ...FieldError) *Error {
	msg := "the request is not valid"
	if len(details) > 0 {
		msg = details[0].Field + ": " + details[0].Message
		if len(details) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(details)-1)
		}
	}
	return &Error{Status: http.StatusBadRequest, Code: "validation_failed", Message: msg, Details: details}
}

// NotFound is 404 not_found: also the answer for another user's ids.
func NotFound() *Error {
	return Errorf(http.StatusNotFound, "not_found", "the resource does not exist")
}

// Unauthorized is 401 unauthorized.
func Unauthorized() *Error {
	return Errorf(http.StatusUnauthorized, "unauthorized", "a valid access token is required")
}

// Internal is 500 internal; its message never leaks the cause.
func Internal() *Error {
	return Errorf(http.StatusInternalServerError, "internal", "something went wrong on our side")
}

// DatabaseUnavailable is 503 database_unavailable.
func DatabaseUnavailable() *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "database_unavailable",
		Message: "the database is unavailable; try again shortly", RetryAfter: 5}
}

// PayloadTooLarge is 413 payload_too_large.
func PayloadTooLarge(limit int) *Error {
	return Errorf(http.StatusRequestEntityTooLarge, "payload_too_large", "the request body is over %d bytes", limit)
}
