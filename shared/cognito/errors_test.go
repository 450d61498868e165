package cognito

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/config"
)

// internals is what Cognito's own messages may hold and a client must
// never see: the pool, the user, Cognito's wording.
const internals = "User pool eu-west-2_Secret1: user 6f1c-internal-id (owner@example.com): Password attempts exceeded"

// fromSDK wraps e the way a Cognito call of this package returns it: the
// operation error of the SDK around the HTTP response error around the
// modelled exception, wrapped again by the Client method.
func fromSDK(operation string, e error) error {
	return fmt.Errorf("cognito %s: %w", operation, &smithy.OperationError{
		ServiceID: "Cognito Identity Provider", OperationName: operation,
		Err: &awshttp.ResponseError{
			RequestID: "0e6f3b1c-request-id",
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusBadRequest}},
				Err:      e,
			},
		},
	})
}

// mapping is what the client sees for one Cognito failure.
type mapping struct {
	status     int
	code       string
	field      string // the detail's field, for validation_failed
	retryAfter int
}

// exceptionMappings: each Cognito exception the auth routes can meet, and
// what the API answers.
var exceptionMappings = []struct {
	err  error
	want mapping
}{
	{&types.NotAuthorizedException{Message: aws.String(internals)}, mapping{401, "invalid_credentials", "", 0}},
	{&types.UserNotFoundException{Message: aws.String(internals)}, mapping{401, "invalid_credentials", "", 0}},
	{&types.UserNotConfirmedException{Message: aws.String(internals)}, mapping{403, "user_not_confirmed", "", 0}},
	{&types.UsernameExistsException{Message: aws.String(internals)}, mapping{409, "user_exists", "", 0}},
	{&types.AliasExistsException{Message: aws.String(internals)}, mapping{409, "user_exists", "", 0}},
	{&types.CodeMismatchException{Message: aws.String(internals)}, mapping{400, "validation_failed", "code", 0}},
	{&types.ExpiredCodeException{Message: aws.String(internals)}, mapping{400, "validation_failed", "code", 0}},
	{&types.InvalidPasswordException{Message: aws.String(internals)}, mapping{400, "validation_failed", "password", 0}},
	{&types.TooManyRequestsException{Message: aws.String(internals)}, mapping{429, "rate_limited", "", 60}},
	{&types.LimitExceededException{Message: aws.String(internals)}, mapping{429, "rate_limited", "", 60}},
	{&types.TooManyFailedAttemptsException{Message: aws.String(internals)}, mapping{429, "rate_limited", "", 60}},
	{&types.InternalErrorException{Message: aws.String(internals)}, mapping{502, "upstream_error", "", 0}},
	{&types.InvalidParameterException{Message: aws.String(internals)}, mapping{502, "upstream_error", "", 0}},
	{&types.ResourceNotFoundException{Message: aws.String(internals)}, mapping{502, "upstream_error", "", 0}},
	{&types.PasswordResetRequiredException{Message: aws.String(internals)}, mapping{502, "upstream_error", "", 0}},
}

// TestAPIError: every Cognito exception, as the SDK returns it, maps to its
// status, code, field detail and Retry-After; what the client sees never holds
// Cognito's text, while the log keeps the cause.
func TestAPIError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want mapping
	}{
		{"not an answer of Cognito's: the network", &url.Error{Op: "Post", URL: "https://cognito-idp.eu-west-2.amazonaws.com/",
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}}, mapping{502, "upstream_error", "", 0}},
		{"not an answer of Cognito's: the deadline", fmt.Errorf("cognito SignUp: %w", context.DeadlineExceeded), mapping{502, "upstream_error", "", 0}},
		{"an exception the SDK does not model", fromSDK("SignUp", &smithy.GenericAPIError{Code: "SomethingNewException", Message: internals}), mapping{502, "upstream_error", "", 0}},
	}
	for _, m := range exceptionMappings {
		name := m.err.(smithy.APIError).ErrorCode()
		tests = append(tests, struct {
			name string
			err  error
			want mapping
		}{name, fromSDK("InitiateAuth", m.err), m.want})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := APIError(tt.err)
			if e.Status != tt.want.status || e.Code != tt.want.code || e.RetryAfter != tt.want.retryAfter {
				t.Errorf("APIError = %d %s (Retry-After %d), want %d %s (Retry-After %d)",
					e.Status, e.Code, e.RetryAfter, tt.want.status, tt.want.code, tt.want.retryAfter)
			}
			if tt.want.field != "" && (len(e.Details) != 1 || e.Details[0].Field != tt.want.field) {
				t.Errorf("details = %+v, want one on %q", e.Details, tt.want.field)
			}
			if tt.want.field == "" && len(e.Details) != 0 {
				t.Errorf("details = %+v, want none", e.Details)
			}
			if !errors.Is(e, tt.err) {
				t.Error("the cause is not kept for the log")
			}
			checkSeenByClient(t, e, tt.want)
		})
	}
}

// checkSeenByClient answers e through the API's wrapper and checks what a
// client receives: the status, the code, Retry-After, and none of Cognito's
// text; and that the log names the cause of a 5xx, which an operator must
// be able to look into.
func checkSeenByClient(t *testing.T, e *api.Error, want mapping) {
	t.Helper()
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	defer slog.SetDefault(prev)
	resp := apitest.Do(t, func(context.Context, *api.Request) (api.Response, error) { return api.Response{}, e },
		apitest.Event("POST", "/auth/sign-in", map[string]string{}))
	if resp.StatusCode != want.status {
		t.Errorf("status %d, want %d", resp.StatusCode, want.status)
	}
	if got := apitest.ErrorOf(t, resp); got.Code != want.code || got.Message == "" {
		t.Errorf("body %s, want code %s and a message", resp.Body, want.code)
	}
	if got, want := resp.Headers["Retry-After"], fmt.Sprint(want.retryAfter); want != "0" && got != want {
		t.Errorf("Retry-After %q, want %q", got, want)
	}
	for _, secret := range []string{"eu-west-2", "6f1c-internal-id", "owner@example.com", "Password attempts exceeded", "Exception", "request-id", "cognito-idp"} {
		if strings.Contains(resp.Body, secret) {
			t.Errorf("the body leaks %q: %s", secret, resp.Body)
		}
	}
	if want.status >= 500 && !logsError(logs.Bytes(), e.Cause.Error()) {
		t.Errorf("the log does not name the cause %q:\n%s", e.Cause, logs.String())
	}
}

// TestNoAccountEnumeration: an unknown user and a wrong password are the
// same answer, word for word.
func TestNoAccountEnumeration(t *testing.T) {
	unknown := APIError(fromSDK("InitiateAuth", &types.UserNotFoundException{Message: aws.String("User does not exist.")}))
	wrong := APIError(fromSDK("InitiateAuth", &types.NotAuthorizedException{Message: aws.String("Incorrect username or password.")}))
	if unknown.Status != wrong.Status || unknown.Code != wrong.Code || unknown.Message != wrong.Message {
		t.Errorf("unknown user: %d %s %q; wrong password: %d %s %q",
			unknown.Status, unknown.Code, unknown.Message, wrong.Status, wrong.Code, wrong.Message)
	}
	if c := InvalidCredentials(); c.Status != wrong.Status || c.Code != wrong.Code || c.Message != wrong.Message {
		t.Errorf("InvalidCredentials() = %+v, want the answer to a wrong password", c)
	}
}

// TestExceptionName: the exception behind a Cognito failure, however wrapped;
// "" for a failure that is not an answer of Cognito's.
func TestExceptionName(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("dial tcp: connection refused"), ""},
		{context.DeadlineExceeded, ""},
		{&types.CodeMismatchException{}, "CodeMismatchException"},
		{fromSDK("ConfirmSignUp", &types.CodeMismatchException{Message: aws.String("Invalid code")}), "CodeMismatchException"},
		{fromSDK("SignUp", &smithy.GenericAPIError{Code: "SomethingNewException"}), "SomethingNewException"},
		{api.Errorf(400, "x", "y").WithCause(fromSDK("GetUser", &types.UserNotFoundException{})), "UserNotFoundException"},
	}
	for _, tt := range tests {
		if got := ExceptionName(tt.err); got != tt.want {
			t.Errorf("ExceptionName(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestAPIErrorFromTheWire: Cognito's JSON error answers, read by the real
// SDK client, map as the modelled exceptions do. (Throttling and server
// faults are left out: the SDK retries them, which only slows this down.)
func TestAPIErrorFromTheWire(t *testing.T) {
	tests := []struct {
		exception string
		call      func(c *Client) error
		want      mapping
	}{
		{"UsernameExistsException", func(c *Client) error {
			_, _, err := c.SignUp(context.Background(), "owner@example.com", "Correct-Horse-9")
			return err
		}, mapping{409, "user_exists", "", 0}},
		{"NotAuthorizedException", func(c *Client) error {
			_, err := c.SignIn(context.Background(), "owner@example.com", "wrong")
			return err
		}, mapping{401, "invalid_credentials", "", 0}},
		{"UserNotConfirmedException", func(c *Client) error {
			_, err := c.SignIn(context.Background(), "owner@example.com", "Correct-Horse-9")
			return err
		}, mapping{403, "user_not_confirmed", "", 0}},
		{"CodeMismatchException", func(c *Client) error {
			return c.ConfirmSignUp(context.Background(), "owner@example.com", "000000")
		}, mapping{400, "validation_failed", "code", 0}},
		{"ExpiredCodeException", func(c *Client) error {
			return c.ResetPassword(context.Background(), "owner@example.com", "000000", "Correct-Horse-9")
		}, mapping{400, "validation_failed", "code", 0}},
		{"InvalidPasswordException", func(c *Client) error {
			return c.ResetPassword(context.Background(), "owner@example.com", "123456", "weak")
		}, mapping{400, "validation_failed", "password", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.exception, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.Header().Set("X-Amzn-ErrorType", tt.exception)
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"__type":%q,"message":%q}`, tt.exception, internals)
			}))
			defer srv.Close()
			c := New(config.Cognito{Region: "eu-west-2", UserPoolID: "eu-west-2_Secret1", ClientID: "client",
				Endpoint: srv.URL, Timeout: 5 * time.Second})
			err := tt.call(c)
			if got := ExceptionName(err); got != tt.exception {
				t.Fatalf("ExceptionName(%v) = %q, want %q", err, got, tt.exception)
			}
			if calls != 1 {
				t.Errorf("%d calls, want 1", calls)
			}
			e := APIError(err)
			if e.Status != tt.want.status || e.Code != tt.want.code {
				t.Errorf("APIError = %d %s, want %d %s", e.Status, e.Code, tt.want.status, tt.want.code)
			}
			if tt.want.field != "" && (len(e.Details) != 1 || e.Details[0].Field != tt.want.field) {
				t.Errorf("details = %+v, want one on %q", e.Details, tt.want.field)
			}
			checkSeenByClient(t, e, tt.want)
		})
	}
}

// logsError reports whether a JSON log line's error attribute holds cause.
func logsError(logs []byte, cause string) bool {
	for _, line := range bytes.Split(logs, []byte("\n")) {
		var rec struct{ Error string }
		if json.Unmarshal(line, &rec) == nil && strings.Contains(rec.Error, cause) {
			return true
		}
	}
	return false
}
