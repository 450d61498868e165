package main

import (
	"context"
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
	h, err := wire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
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
