package ai

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/openai/openai-go/v3"
)

// The kinds of upstream failure.
var (
	ErrTimeout   = errors.New("the model did not answer in time")
	ErrServer    = errors.New("the model provider failed")
	ErrAuth      = errors.New("the model provider refused our credentials")
	ErrRateLimit = errors.New("the model provider is rate limiting us")
	ErrRequest   = errors.New("the model provider refused the request")
)

// Classify names the kind of failure behind err: one of the Err* values.
func Classify(err error) error {
	var apiErr *openai.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return ErrTimeout
	case errors.As(err, &apiErr):
		switch {
		case apiErr.StatusCode == http.StatusUnauthorized, apiErr.StatusCode == http.StatusForbidden:
			return ErrAuth
		case apiErr.StatusCode == http.StatusTooManyRequests:
			return ErrRateLimit
		case apiErr.StatusCode >= 500:
			return ErrServer
		default:
			return ErrRequest
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout
	}
	return ErrServer
}
