package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func anIP() string { return fmt.Sprintf("198.51.%d.%d", rand.IntN(256), 1+rand.IntN(254)) }

// TestDisable: MFA off needs the password and a current code; a wrong
// password and a wrong code are the same answer, word for word, and leave MFA
// on; both right turn it off (the next sign-in answers tokens); off already
// is 409 mfa_not_enabled. Neither the password nor a code reaches the log.
func TestDisable(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	h := testenv.Wire(t, wire)
	email, sub := env.NewConfirmedUser(t)
	access, _, _ := env.SignIn(t, email, testenv.TestPassword)
	ip := anIP()
	post := func(body any) (int, string, string) {
		t.Helper()
		resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/disable", body, apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
		if resp.StatusCode < 300 {
			return resp.StatusCode, "", resp.Body
		}
		e := apitest.ErrorOf(t, resp)
		return resp.StatusCode, e.Code, fmt.Sprint(e.Details)
	}

	if status, code, _ := post(map[string]string{"password": testenv.TestPassword, "code": "123456"}); status != 409 || code != "mfa_not_enabled" {
		t.Errorf("MFA off already: %d %s, want 409 mfa_not_enabled", status, code)
	}
	secret := env.EnableMFA(t, access)
	wrong := testenv.WrongCode(t, secret)
	s1, c1, d1 := post(map[string]string{"password": "Wrong-Horse-1", "code": testenv.Code(t, secret)})
	s2, c2, d2 := post(map[string]string{"password": testenv.TestPassword, "code": wrong})
	if s1 != 400 || c1 != "validation_failed" || !strings.Contains(d1, "code") {
		t.Errorf("a wrong password: %d %s %s, want 400 on code", s1, c1, d1)
	}
	if s1 != s2 || c1 != c2 || d1 != d2 {
		t.Errorf("a wrong password (%d %s %s) and a wrong code (%d %s %s) answer differently", s1, c1, d1, s2, c2, d2)
	}
	env.MFASession(t, email, testenv.TestPassword) // still on

	status, _, body := post(map[string]string{"password": testenv.TestPassword, "code": testenv.Code(t, secret)})
	if status != 200 || !strings.Contains(body, `"mfaEnabled":false`) {
		t.Fatalf("turning off: %d %s", status, body)
	}
	if a, _, _ := env.SignIn(t, email, testenv.TestPassword); a == "" {
		t.Error("a sign-in after turning MFA off answered no tokens")
	}
	if strings.Contains(logs.String(), "revoking the check's refresh token failed") {
		t.Errorf("the check's session was not revoked:\n%s", logs.String())
	}
	for _, s := range []string{testenv.TestPassword, "Wrong-Horse-1", secret, wrong} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log holds %q", s)
		}
	}
}
