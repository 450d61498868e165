package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// Response is what a route returns: API Gateway HTTP API's payload v2.0 response.
type Response = events.APIGatewayV2HTTPResponse

// JSON returns status with v encoded as the body.
func JSON(status int, v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		return errorResponse(Internal(), "")
	}
	return Response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}

// NoContent is 204.
func NoContent() Response {
	return Response{StatusCode: http.StatusNoContent, Headers: map[string]string{}}
}

// errorResponse renders e in the one error shape.
func errorResponse(e *Error, requestID string) Response {
	e.RequestID = requestID
	b, _ := json.Marshal(struct {
		Error *Error `json:"error"`
	}{e})
	r := Response{
		StatusCode: e.Status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
	if e.RetryAfter > 0 {
		r.Headers["Retry-After"] = strconv.Itoa(e.RetryAfter)
	}
	return r
}
