package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/testenv"
)

// TestTwoStepSignIn: two-step sign-in end to end through the gateway, the
// real bootstraps and cognito-local: enrol (setup's secret, a code computed
// here from it), the next sign-in answers mfa_required and no tokens, a wrong
// code is the 401 of a wrong password, the right one answers tokens that work
// (a signed-in route, a refresh); turning it off needs the password and a
// code, and sign-in answers tokens again.
func TestTwoStepSignIn(t *testing.T) {
	s := newStack(t, func(v map[string]string) {
		// The limits are the functions' tests' (every request here comes from
		// one address, and other tests of this package sign in from it too).
		v["RATE_LIMIT_AUTH_PER_MINUTE"] = "1000000"
	})
	access, _, email := s.signIn(t)

	r := s.do("POST", "/auth/mfa/setup", access, nil)
	if r.status != 200 {
		t.Fatalf("setup: %d %s", r.status, r.body)
	}
	var setup struct{ Secret, OtpauthURI string }
	r.decode(t, &setup)
	u, err := url.Parse(setup.OtpauthURI)
	if err != nil || u.Scheme != "otpauth" || u.Query().Get("secret") != setup.Secret || !strings.Contains(u.Path, email) {
		t.Fatalf("otpauthUri %q does not carry the secret and the account: %v", setup.OtpauthURI, err)
	}
	if r := s.do("POST", "/auth/mfa/verify", access, map[string]string{"code": "abc"}); r.status != 400 || r.errorCode(t) != "validation_failed" {
		t.Errorf("verify with a malformed code: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/auth/mfa/verify", access, map[string]string{"code": testenv.Code(t, setup.Secret)}); r.status != 200 {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/auth/mfa/setup", access, nil); r.status != 409 || r.errorCode(t) != "mfa_enabled" {
		t.Errorf("setup with MFA on: %d %s, want 409 mfa_enabled", r.status, r.body)
	}

	r = s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": testenv.TestPassword})
	if r.status != 200 {
		t.Fatalf("sign-in with MFA on: %d %s", r.status, r.body)
	}
	var challenge struct{ Challenge, Session, AccessToken string }
	r.decode(t, &challenge)
	if challenge.Challenge != "mfa_required" || challenge.Session == "" || challenge.AccessToken != "" {
		t.Fatalf("sign-in with MFA on: %s, want the mfa_required challenge and no tokens", r.body)
	}
	wrongPassword := s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": "Wrong-Horse-1"})
	wrong := code(t, setup.Secret, false)
	r = s.do("POST", "/auth/mfa/challenge", "", map[string]string{"email": email, "session": challenge.Session, "code": wrong})
	if r.status != 401 || string(r.body[:strings.Index(string(r.body), `"requestId"`)]) != string(wrongPassword.body[:strings.Index(string(wrongPassword.body), `"requestId"`)]) {
		t.Errorf("a wrong code: %d %s; want the answer to a wrong password: %d %s", r.status, r.body, wrongPassword.status, wrongPassword.body)
	}
	r = s.do("POST", "/auth/mfa/challenge", "", map[string]string{"email": email, "session": challenge.Session, "code": testenv.Code(t, setup.Secret)})
	if r.status != 200 {
		t.Fatalf("the right code: %d %s", r.status, r.body)
	}
	var tokens struct{ AccessToken, RefreshToken string }
	r.decode(t, &tokens)
	if r := s.do("GET", "/conversations", tokens.AccessToken, nil); r.status != 200 {
		t.Errorf("a signed-in route with the MFA sign-in's token: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/auth/refresh", "", map[string]string{"refreshToken": tokens.RefreshToken}); r.status != 200 {
		t.Errorf("refresh of the MFA sign-in: %d %s", r.status, r.body)
	}

	if r := s.do("POST", "/auth/mfa/disable", tokens.AccessToken, map[string]string{"password": testenv.TestPassword, "code": wrong}); r.status != 400 {
		t.Errorf("disable with a wrong code: %d %s, want 400", r.status, r.body)
	}
	if r := s.do("POST", "/auth/mfa/disable", tokens.AccessToken, map[string]string{"password": testenv.TestPassword, "code": testenv.Code(t, setup.Secret)}); r.status != 200 {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	r = s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": testenv.TestPassword})
	var after struct{ Challenge, AccessToken string }
	r.decode(t, &after)
	if r.status != 200 || after.AccessToken == "" || after.Challenge != "" {
		t.Errorf("sign-in after MFA off: %d %s, want tokens", r.status, r.body)
	}
}

// code is a code of secret: the current one, or (right false) one that is
// none of the codes valid now.
func code(t *testing.T, secret string, right bool) string {
	t.Helper()
	now := testenv.Code(t, secret)
	if right {
		return now
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if c != now && !validNear(t, secret, c) {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

// validNear tells whether c is secret's code a step before or after now.
func validNear(t *testing.T, secret, c string) bool {
	t.Helper()
	for _, d := range []int64{-30, 30} {
		got, err := testenv.TOTP(secret, time.Now().Add(time.Duration(d)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if got == c {
			return true
		}
	}
	return false
}
