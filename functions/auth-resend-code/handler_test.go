package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestResendCode(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	pending := testenv.NewEmail()
	if _, err := testenv.NewCognitoClient(env.CognitoEndpoint).SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(env.CognitoClientID), Username: aws.String(pending), Password: aws.String(testenv.TestPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(pending)}},
	}); err != nil {
		t.Fatal(err)
	}
	confirmed, _ := env.NewConfirmedUser(t)
	tests := []struct {
		name       string
		email      string
		wantStatus int
	}{
		{"unconfirmed account", pending, 204},
		{"already confirmed: same answer", confirmed, 204},
		{"unknown e-mail: same answer", testenv.NewEmail(), 204},
		{"invalid e-mail", "@", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("POST", "/auth/resend-code", map[string]string{"email": tt.email}))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
		})
	}
	if env.ConfirmationCode(t, pending) == "" {
		t.Error("no code for the unconfirmed account")
	}
}

// TestCodesPerAddressAreLimited: one address gets RATE_LIMIT_AUTH_EMAIL_PER_HOUR
// codes an hour, whatever the IPs asking (no mail-bombing, no draining of
// Cognito's e-mail quota); another address is not affected.
func TestCodesPerAddressAreLimited(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	t.Setenv("RATE_LIMIT_AUTH_PER_MINUTE", "1000")
	t.Setenv("RATE_LIMIT_AUTH_EMAIL_PER_HOUR", "3")
	h := testenv.Wire(t, wire)
	victim, other := testenv.NewEmail(), testenv.NewEmail()
	send := func(email string, ip int) apitest.Response {
		return apitest.Do(t, h, apitest.Event("POST", "/auth/resend-code", map[string]string{"email": email},
			apitest.WithSourceIP(fmt.Sprintf("198.51.100.%d", ip))))
	}
	for i := range 3 {
		if r := send(victim, i+1); r.StatusCode != 204 {
			t.Fatalf("code %d: %d %s", i+1, r.StatusCode, r.Body)
		}
	}
	r := send(strings.ToUpper(victim), 9) // the same address, spelt otherwise, from another IP
	if r.StatusCode != 429 || r.Headers["Retry-After"] == "" || !strings.Contains(r.Body, `"rate_limited"`) {
		t.Errorf("a 4th code for one address within the hour: %d %v %s", r.StatusCode, r.Headers, r.Body)
	}
	if r := send(other, 9); r.StatusCode != 204 {
		t.Errorf("another address: %d %s", r.StatusCode, r.Body)
	}
}
