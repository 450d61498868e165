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

func TestConfirm(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	email := testenv.NewEmail()
	if _, err := testenv.NewCognitoClient(env.CognitoEndpoint).SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(env.CognitoClientID), Username: aws.String(email), Password: aws.String(testenv.TestPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	}); err != nil {
		t.Fatal(err)
	}
	code := env.ConfirmationCode(t, email)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}

	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantField  string
	}{
		{"wrong code", map[string]string{"email": email, "code": wrong}, 400, "code"},
		{"unknown e-mail answers like a wrong code", map[string]string{"email": testenv.NewEmail(), "code": code}, 400, "code"},
		{"missing code", map[string]string{"email": email}, 400, "code"},
		{"bad e-mail", map[string]string{"email": "x", "code": code}, 400, "email"},
		{"right code, upper-case e-mail", map[string]string{"email": " " + email + " ", "code": code}, 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("POST", "/auth/confirm", tt.body))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantField != "" {
				e := apitest.ErrorOf(t, resp)
				if e.Code != "validation_failed" || len(e.Details) == 0 || e.Details[0].Field != tt.wantField {
					t.Errorf("error = %+v, want validation_failed on %s", e, tt.wantField)
				}
			}
		})
	}
	// Confirmed for real: the account can sign in now.
	env.SignIn(t, email, testenv.TestPassword)
}
