package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func anIP() string { return fmt.Sprintf("198.51.%d.%d", rand.IntN(256), 1+rand.IntN(254)) }

type answer struct {
	Secret string `json:"secret"`
	URI    string `json:"otpauthUri"`
}

// TestSetup: a signed-in caller gets a base32 secret and its otpauth URI
// naming them; a code of that secret is what Cognito then accepts; while MFA
// is on, a new setup is 409 mfa_enabled. The secret never reaches the log.
func TestSetup(t *testing.T) {
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

	resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/setup", nil, apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
	if resp.StatusCode != 200 {
		t.Fatalf("setup: %d %s", resp.StatusCode, resp.Body)
	}
	var got answer
	apitest.Decode(t, resp, &got)
	if _, err := testenv.TOTP(got.Secret, time.Now()); err != nil || len(got.Secret) < 16 {
		t.Fatalf("secret %q is not a base32 TOTP secret: %v", got.Secret, err)
	}
	u, err := url.Parse(got.URI)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("uri %q: %v", got.URI, err)
	}
	if label, _ := url.PathUnescape(strings.TrimPrefix(u.EscapedPath(), "/")); label != "Macro AI:"+email {
		t.Errorf("label %q, want %q", label, "Macro AI:"+email)
	}
	q := u.Query()
	if q.Get("secret") != got.Secret || q.Get("issuer") != "Macro AI" || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Errorf("uri query %v", q)
	}

	// A second setup replaces the secret that waits: its code is what counts.
	resp = apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/setup", nil, apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
	var second answer
	apitest.Decode(t, resp, &second)
	if second.Secret == "" || second.Secret == got.Secret {
		t.Fatalf("a second setup: secret %q, want a new one", second.Secret)
	}

	// On with the pool's own calls; then setup is refused.
	env.EnableMFA(t, access)
	resp = apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/setup", nil, apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
	if resp.StatusCode != 409 || apitest.ErrorOf(t, resp).Code != "mfa_enabled" {
		t.Errorf("setup with MFA on: %d %s, want 409 mfa_enabled", resp.StatusCode, resp.Body)
	}
	if resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/setup", nil, apitest.WithUser(sub, ""), apitest.WithSourceIP(ip))); resp.StatusCode != 401 {
		t.Errorf("without a token: %d, want 401", resp.StatusCode)
	}
	if !strings.Contains(logs.String(), `"/auth/mfa/setup"`) {
		t.Fatalf("the log was not captured: %q", logs.String())
	}
	for _, secret := range []string{got.Secret, second.Secret} {
		if strings.Contains(logs.String(), secret) {
			t.Error("the log holds a TOTP secret")
		}
	}
}

// TestSetupIsRateLimited: like the password routes, per IP and per user.
func TestSetupIsRateLimited(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	t.Setenv("RATE_LIMIT_AUTH_PER_MINUTE", "2")
	h := testenv.Wire(t, wire)
	user := "8f0e4a52-1b7c-4d3e-9a6f-" + fmt.Sprintf("%012x", rand.Int64N(1<<48))
	ip := anIP()
	for i := 1; i <= 3; i++ {
		// No token: 401 from the handler, counted all the same.
		resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/setup", nil, apitest.WithUser(user, ""), apitest.WithSourceIP(ip)))
		want := 401
		if i == 3 {
			want = 429
		}
		if resp.StatusCode != want {
			t.Fatalf("attempt %d: %d, want %d: %s", i, resp.StatusCode, want, resp.Body)
		}
	}
	resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/setup", nil, apitest.WithUser(user, ""), apitest.WithSourceIP(anIP())))
	if resp.StatusCode != 429 || resp.Headers["Retry-After"] == "" {
		t.Errorf("the same user from another IP: %d, want 429 with Retry-After", resp.StatusCode)
	}
}
