package cognito

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
)

// TestSignInMFAChallenge: Cognito's SOFTWARE_TOKEN_MFA answer to a sign-in,
// read off the wire by the real SDK client, is an *MFARequired carrying the
// session (which its message never shows); PasswordRight tells it from a
// wrong password.
func TestSignInMFAChallenge(t *testing.T) {
	const session = "AYABeSessionOfTheChallenge-0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprintf(w, `{"ChallengeName":"SOFTWARE_TOKEN_MFA","ChallengeParameters":{"USER_ID_FOR_SRP":"u"},"Session":%q}`, session)
	}))
	defer srv.Close()
	c := New(config.Cognito{Region: "eu-west-2", UserPoolID: "eu-west-2_x", ClientID: "client", Endpoint: srv.URL, Timeout: 5 * time.Second})
	_, err := c.SignIn(context.Background(), "owner@example.com", "Correct-Horse-9")
	var mfa *MFARequired
	if !errors.As(err, &mfa) || mfa.Session != session {
		t.Fatalf("SignIn = %v, want *MFARequired with the session", err)
	}
	if !PasswordRight(err) || PasswordRight(fromSDK("InitiateAuth", &types.NotAuthorizedException{})) {
		t.Error("PasswordRight does not tell the challenge from a wrong password")
	}
	if strings.Contains(err.Error(), session) {
		t.Errorf("the error's message holds the session: %s", err)
	}
	if got := mfa.Challenge(); got.Challenge != "mfa_required" || got.Session != session {
		t.Errorf("Challenge() = %+v", got)
	}
}

// TestChallengeError: every way the challenge's second step fails on the
// user's side is the one 401 of a wrong password, word for word.
func TestChallengeError(t *testing.T) {
	wrongPassword := InvalidCredentials()
	for _, e := range []error{
		&types.CodeMismatchException{Message: aws.String(internals)},
		&types.NotAuthorizedException{Message: aws.String("Invalid session for the user, session is expired.")},
		&types.UserNotFoundException{Message: aws.String(internals)},
		&types.ExpiredCodeException{Message: aws.String(internals)},
	} {
		got := ChallengeError(fromSDK("RespondToAuthChallenge", e))
		if got.Status != 401 || got.Code != wrongPassword.Code || got.Message != wrongPassword.Message {
			t.Errorf("%T: %d %s %q, want the answer to a wrong password", e, got.Status, got.Code, got.Message)
		}
		if !errors.Is(got, e) {
			t.Errorf("%T: the cause is not kept for the log", e)
		}
	}
	if got := ChallengeError(fromSDK("RespondToAuthChallenge", &types.TooManyRequestsException{})); got.Status != 429 {
		t.Errorf("throttled: %d, want 429", got.Status)
	}
	if got := ChallengeError(fromSDK("RespondToAuthChallenge", &types.InternalErrorException{})); got.Status != 502 {
		t.Errorf("Cognito failing: %d, want 502", got.Status)
	}
}

// TestWrongMFACode: a wrong code of a signed-in caller is 400 on code with
// the message given; a failure of Cognito is not.
func TestWrongMFACode(t *testing.T) {
	for _, e := range []error{
		&types.CodeMismatchException{}, &types.EnableSoftwareTokenMFAException{},
		&types.NotAuthorizedException{}, &types.InvalidPasswordException{},
	} {
		got := WrongMFACode(fromSDK("VerifySoftwareToken", e), "the code is wrong")
		if got.Status != 400 || len(got.Details) != 1 || got.Details[0].Field != "code" || got.Details[0].Message != "the code is wrong" {
			t.Errorf("%T: %d %+v, want 400 on code", e, got.Status, got.Details)
		}
	}
	if got := WrongMFACode(fromSDK("VerifySoftwareToken", &types.InternalErrorException{}), "x"); got.Status != 502 {
		t.Errorf("Cognito failing: %d, want 502", got.Status)
	}
}

// TestOTPAuthURI: the key URI authenticator apps read, with the label and
// issuer escaped.
func TestOTPAuthURI(t *testing.T) {
	got := OTPAuthURI("Macro AI", "me+mfa@example.com", "JBSWY3DPEHPK3PXP")
	want := "otpauth://totp/Macro%20AI:me%2Bmfa@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Macro%20AI&algorithm=SHA1&digits=6&period=30"
	if got != want {
		t.Errorf("OTPAuthURI =\n%s\nwant\n%s", got, want)
	}
}

// TestMFARequests: what the MFA bodies accept.
func TestMFARequests(t *testing.T) {
	session := strings.Repeat("s", 40)
	tests := []struct {
		name string
		body interface {
			Normalize()
			Validate() error
		}
		want string // the failing fields, comma-separated
	}{
		{"a code", &MFACodeRequest{Code: "123456"}, ""},
		{"a code as the app shows it", &MFACodeRequest{Code: " 123 456 "}, ""},
		{"no code", &MFACodeRequest{}, "code"},
		{"five digits", &MFACodeRequest{Code: "12345"}, "code"},
		{"letters", &MFACodeRequest{Code: "12345a"}, "code"},
		{"a challenge", &MFAChallengeRequest{Email: " Me@Example.com", Session: session, Code: "000000"}, ""},
		{"a challenge without anything", &MFAChallengeRequest{}, "email,session,code"},
		{"a session too short", &MFAChallengeRequest{Email: "me@example.com", Session: "short", Code: "000000"}, "session"},
		{"a session too long", &MFAChallengeRequest{Email: "me@example.com", Session: strings.Repeat("s", 2049), Code: "000000"}, "session"},
		{"turning off", &MFADisableRequest{Password: "whatever", Code: "654321"}, ""},
		{"turning off without the password", &MFADisableRequest{Code: "654321"}, "password"},
	}
	for _, tt := range tests {
		tt.body.Normalize()
		var fields []string
		err := tt.body.Validate()
		var e *api.Error
		if errors.As(err, &e) {
			for _, d := range e.Details {
				fields = append(fields, d.Field)
			}
		} else if err != nil {
			t.Errorf("%s: %v is not an *api.Error", tt.name, err)
		}
		if got := strings.Join(fields, ","); got != tt.want {
			t.Errorf("%s: failing fields %q (%v), want %q", tt.name, got, err, tt.want)
		}
	}
}
