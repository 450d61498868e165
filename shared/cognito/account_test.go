package cognito

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/macro-ai/macro-ai/shared/api"
)

// TestWrongPassword: the password check of a signed-in caller answers a
// wrong password (Cognito's NotAuthorized, cognito-local's InvalidPassword)
// as 400 on the field, never 401; every other failure as the auth routes do.
func TestWrongPassword(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
		field  string
	}{
		{&types.NotAuthorizedException{Message: aws.String(internals)}, 400, "validation_failed", "currentPassword"},
		{&types.InvalidPasswordException{Message: aws.String(internals)}, 400, "validation_failed", "currentPassword"},
		{&types.UserNotFoundException{Message: aws.String(internals)}, 400, "validation_failed", "currentPassword"},
		{&types.TooManyFailedAttemptsException{Message: aws.String(internals)}, 429, "rate_limited", ""},
		{&types.InternalErrorException{Message: aws.String(internals)}, 502, "upstream_error", ""},
	}
	for _, tt := range tests {
		e := WrongPassword(fromSDK("InitiateAuth", tt.err), "currentPassword")
		if e.Status != tt.status || e.Code != tt.code {
			t.Errorf("%T: %d %s, want %d %s", tt.err, e.Status, e.Code, tt.status, tt.code)
		}
		if tt.field != "" && (len(e.Details) != 1 || e.Details[0].Field != tt.field) {
			t.Errorf("%T: details %+v, want one on %s", tt.err, e.Details, tt.field)
		}
		if !errors.Is(e, tt.err) {
			t.Errorf("%T: the cause is not kept for the log", tt.err)
		}
		if strings.Contains(e.Message, "Secret1") {
			t.Errorf("%T: the message leaks Cognito's text: %s", tt.err, e.Message)
		}
	}
}

// TestChangePasswordError: after the current password was checked, Cognito
// refusing the new one is 400 on newPassword; a token Cognito no longer
// honours is 401.
func TestChangePasswordError(t *testing.T) {
	e := ChangePasswordError(fromSDK("ChangePassword", &types.InvalidPasswordException{Message: aws.String(internals)}))
	if e.Status != 400 || len(e.Details) != 1 || e.Details[0].Field != "newPassword" {
		t.Errorf("a refused new password: %d %+v", e.Status, e.Details)
	}
	if e := ChangePasswordError(fromSDK("ChangePassword", &types.NotAuthorizedException{Message: aws.String(internals)})); e.Status != 401 {
		t.Errorf("a revoked token: %d, want 401", e.Status)
	}
}

// TestAccountRequests: what the two account bodies accept.
func TestAccountRequests(t *testing.T) {
	fields := func(err error) []string {
		var e *api.Error
		if !errors.As(err, &e) {
			return nil
		}
		var out []string
		for _, d := range e.Details {
			out = append(out, d.Field)
		}
		return out
	}
	tests := []struct {
		name string
		v    api.Validator
		want string // the failing fields, comma-separated
	}{
		{"a change", &ChangePasswordRequest{CurrentPassword: "old", NewPassword: "Correct-Horse-9"}, ""},
		{"no current password", &ChangePasswordRequest{NewPassword: "Correct-Horse-9"}, "currentPassword"},
		{"a weak new password", &ChangePasswordRequest{CurrentPassword: "old", NewPassword: "password"}, "newPassword"},
		{"the same password", &ChangePasswordRequest{CurrentPassword: "Correct-Horse-9", NewPassword: "Correct-Horse-9"}, "newPassword"},
		{"a current password too long", &ChangePasswordRequest{CurrentPassword: strings.Repeat("x", 257), NewPassword: "Correct-Horse-9"}, "currentPassword"},
		{"a deletion", &PasswordRequest{Password: "whatever it was"}, ""},
		{"a deletion without the password", &PasswordRequest{}, "password"},
	}
	for _, tt := range tests {
		if got := strings.Join(fields(tt.v.Validate()), ","); got != tt.want {
			t.Errorf("%s: failing fields %q, want %q", tt.name, got, tt.want)
		}
	}
}
