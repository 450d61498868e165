package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func anIP() string { return fmt.Sprintf("198.51.%d.%d", rand.IntN(256), 1+rand.IntN(254)) }

// TestVerify: without a setup, 409 mfa_not_set_up; a wrong code is 400 on
// code and turns nothing on; the right code (RFC 6238, computed here) turns
// MFA on, so that the next sign-in answers the SOFTWARE_TOKEN_MFA
// challenge. Codes never reach the log.
func TestVerify(t *testing.T) {
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
		resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/verify", body, apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
		if resp.StatusCode < 300 {
			return resp.StatusCode, "", resp.Body
		}
		e := apitest.ErrorOf(t, resp)
		field := ""
		if len(e.Details) == 1 {
			field = e.Details[0].Field
		}
		return resp.StatusCode, e.Code, field
	}

	if status, code, _ := post(map[string]string{"code": "123456"}); status != 409 || code != "mfa_not_set_up" {
		t.Errorf("before setup: %d %s, want 409 mfa_not_set_up", status, code)
	}
	if status, code, field := post(map[string]string{"code": "12ab56"}); status != 400 || code != "validation_failed" || field != "code" {
		t.Errorf("not six digits: %d %s %s, want 400 on code", status, code, field)
	}
	out, err := testenv.NewCognitoClient(env.CognitoEndpoint).AssociateSoftwareToken(context.Background(),
		&cip.AssociateSoftwareTokenInput{AccessToken: aws.String(access)})
	if err != nil {
		t.Fatal(err)
	}
	secret := aws.ToString(out.SecretCode)
	wrong := testenv.WrongCode(t, secret)
	if status, code, field := post(map[string]string{"code": wrong}); status != 400 || code != "validation_failed" || field != "code" {
		t.Fatalf("a wrong code: %d %s %s, want 400 on code", status, code, field)
	}
	env.SignIn(t, email, testenv.TestPassword) // still no challenge: nothing was turned on

	right := testenv.Code(t, secret)
	status, _, body := post(map[string]string{"code": right[:3] + " " + right[3:]})
	if status != 200 || !strings.Contains(body, `"mfaEnabled":true`) {
		t.Fatalf("the right code: %d %s", status, body)
	}
	if session := env.MFASession(t, email, testenv.TestPassword); session == "" {
		t.Error("no challenge after MFA was turned on")
	}
	for _, secret := range []string{secret, wrong, right} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}
