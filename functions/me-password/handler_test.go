package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const newPassword = "Battery-Staple-7"

// anIP is a client address of its own, so that the per-IP limit of one test
// does not count another's requests.
func anIP() string { return fmt.Sprintf("198.51.%d.%d", rand.IntN(256), 1+rand.IntN(254)) }

// signInErr is what Cognito answers a sign-in of email with password.
func signInErr(env testenv.Env, email, password string) error {
	_, err := testenv.NewCognitoClient(env.CognitoEndpoint).InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(env.CognitoClientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	return err
}

// refreshErr is what Cognito answers a refresh with refreshToken.
func refreshErr(env testenv.Env, refreshToken string) error {
	_, err := testenv.NewCognitoClient(env.CognitoEndpoint).InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(env.CognitoClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken},
	})
	return err
}

// TestChangePassword: the body is checked before Cognito is called, a wrong
// current password is 400 on currentPassword and changes nothing, and a
// change answers fresh tokens, makes the new password the one that signs in
// and signs out every other session. No password reaches the log.
func TestChangePassword(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	h := testenv.Wire(t, wire)
	email, sub := env.NewConfirmedUser(t)
	access, _, refresh := env.SignIn(t, email, testenv.TestPassword)
	_, _, otherRefresh := env.SignIn(t, email, testenv.TestPassword) // a second device
	ip := anIP()

	post := func(body any, token string) (int, string, []string) {
		t.Helper()
		resp := apitest.Do(t, h, apitest.Event("POST", "/me/password", body, apitest.WithUser(sub, token), apitest.WithSourceIP(ip)))
		if resp.StatusCode < 300 {
			return resp.StatusCode, "", nil
		}
		e := apitest.ErrorOf(t, resp)
		var fields []string
		for _, d := range e.Details {
			fields = append(fields, d.Field)
		}
		return resp.StatusCode, e.Code, fields
	}

	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"not JSON", "{", 400, "invalid_json", ""},
		{"no current password", map[string]string{"newPassword": newPassword}, 400, "validation_failed", "currentPassword"},
		{"a weak new password", map[string]string{"currentPassword": testenv.TestPassword, "newPassword": "weakpass"}, 400, "validation_failed", "newPassword"},
		{"the same password", map[string]string{"currentPassword": testenv.TestPassword, "newPassword": testenv.TestPassword}, 400, "validation_failed", "newPassword"},
		{"a wrong current password", map[string]string{"currentPassword": "Wrong-Horse-1", "newPassword": newPassword}, 400, "validation_failed", "currentPassword"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code, fields := post(tt.body, access)
			if status != tt.wantStatus || code != tt.wantCode {
				t.Fatalf("answer %d %s, want %d %s", status, code, tt.wantStatus, tt.wantCode)
			}
			if tt.wantField != "" && (len(fields) != 1 || fields[0] != tt.wantField) {
				t.Errorf("fields %v, want [%s]", fields, tt.wantField)
			}
		})
	}
	if err := signInErr(env, email, testenv.TestPassword); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}
	if status, code, _ := post(map[string]string{"currentPassword": testenv.TestPassword, "newPassword": newPassword}, ""); status != 401 || code != "unauthorized" {
		t.Errorf("without a token: %d %s, want 401 unauthorized", status, code)
	}

	resp := apitest.Do(t, h, apitest.Event("POST", "/me/password",
		map[string]string{"currentPassword": testenv.TestPassword, "newPassword": newPassword},
		apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
	if resp.StatusCode != 200 {
		t.Fatalf("change: %d %s", resp.StatusCode, resp.Body)
	}
	var tokens cognito.Tokens
	apitest.Decode(t, resp, &tokens)
	if tokens.AccessToken == "" || tokens.RefreshToken == "" || tokens.ExpiresIn <= 0 {
		t.Fatalf("tokens = %+v", tokens)
	}
	if err := signInErr(env, email, newPassword); err != nil {
		t.Errorf("sign-in with the new password: %v", err)
	}
	if err := signInErr(env, email, testenv.TestPassword); err == nil {
		t.Error("the old password still signs in")
	}
	for name, rt := range map[string]string{"this session's old": refresh, "another device's": otherRefresh} {
		var notAuth *types.NotAuthorizedException
		if err := refreshErr(env, rt); !errors.As(err, &notAuth) {
			t.Errorf("%s refresh token after the change: %v, want NotAuthorizedException", name, err)
		}
	}
	if err := refreshErr(env, tokens.RefreshToken); err != nil {
		t.Errorf("the refresh token the change answered: %v", err)
	}
	if !strings.Contains(logs.String(), `"/me/password"`) {
		t.Fatalf("the log was not captured: %q", logs.String())
	}
	for _, secret := range []string{testenv.TestPassword, newPassword, "Wrong-Horse-1", "weakpass"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds a password %q", secret)
		}
	}
}

// TestChangePasswordIsRateLimited: like the public auth routes, at most
// RATE_LIMIT_AUTH_PER_MINUTE attempts a minute, per IP and per user, so that
// a stolen access token cannot guess the password faster than sign-in can.
func TestChangePasswordIsRateLimited(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	t.Setenv("RATE_LIMIT_AUTH_PER_MINUTE", "3")
	h := testenv.Wire(t, wire)
	user := "8f0e4a52-1b7c-4d3e-9a6f-" + fmt.Sprintf("%012x", rand.Int64N(1<<48))
	ip := anIP()
	for i := 1; i <= 4; i++ {
		// A body that fails validation: the limit counts it all the same,
		// and no Cognito call is made.
		resp := apitest.Do(t, h, apitest.Event("POST", "/me/password", "{", apitest.WithUser(user, "token"), apitest.WithSourceIP(ip)))
		want := 400
		if i == 4 {
			want = 429
		}
		if resp.StatusCode != want {
			t.Fatalf("attempt %d: status %d, want %d: %s", i, resp.StatusCode, want, resp.Body)
		}
	}
	// Per user too: the same user from another address is limited.
	resp := apitest.Do(t, h, apitest.Event("POST", "/me/password", "{", apitest.WithUser(user, "token"), apitest.WithSourceIP(anIP())))
	if resp.StatusCode != 429 || resp.Headers["Retry-After"] == "" {
		t.Errorf("the same user from another IP: %d %v, want 429 with Retry-After", resp.StatusCode, resp.Headers)
	}
}

// TestChangePasswordWithMFA: with MFA on, the current password is checked
// all the same (the challenge tells it was right), the password changes, and
// this session's new sign-in answers the mfa_required challenge, which the
// new password and a code complete.
func TestChangePasswordWithMFA(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	email, sub := env.NewConfirmedUser(t)
	access, _, _ := env.SignIn(t, email, testenv.TestPassword)
	secret := env.EnableMFA(t, access)
	ip := anIP()
	resp := apitest.Do(t, h, apitest.Event("POST", "/me/password",
		map[string]string{"currentPassword": "Wrong-Horse-1", "newPassword": newPassword}, apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
	if resp.StatusCode != 400 {
		t.Fatalf("a wrong current password with MFA on: %d %s", resp.StatusCode, resp.Body)
	}
	resp = apitest.Do(t, h, apitest.Event("POST", "/me/password",
		map[string]string{"currentPassword": testenv.TestPassword, "newPassword": newPassword}, apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
	if resp.StatusCode != 200 {
		t.Fatalf("change with MFA on: %d %s", resp.StatusCode, resp.Body)
	}
	var got cognito.MFAChallenge
	apitest.Decode(t, resp, &got)
	if got.Challenge != "mfa_required" || got.Session == "" {
		t.Fatalf("answer %s, want the mfa_required challenge", resp.Body)
	}
	out, err := testenv.NewCognitoClient(env.CognitoEndpoint).RespondToAuthChallenge(context.Background(), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(env.CognitoClientID), ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: aws.String(got.Session),
		ChallengeResponses: map[string]string{"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": testenv.Code(t, secret)},
	})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("completing the answer's challenge: %v", err)
	}
	if err := signInErr(env, email, testenv.TestPassword); err == nil {
		t.Error("the old password still signs in")
	}
}
