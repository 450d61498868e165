package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestResetPassword(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	email, _ := env.NewConfirmedUser(t)
	if _, err := testenv.NewCognitoClient(env.CognitoEndpoint).ForgotPassword(context.Background(), &cip.ForgotPasswordInput{
		ClientId: aws.String(env.CognitoClientID), Username: aws.String(email),
	}); err != nil {
		t.Fatal(err)
	}
	code := env.ConfirmationCode(t, email)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	const newPassword = "Brand-New-Pass-7"
	tests := []struct {
		name       string
		body       map[string]string
		wantStatus int
		wantField  string
	}{
		{"weak new password, checked before Cognito", map[string]string{"email": email, "code": code, "newPassword": "weak"}, 400, "newPassword"},
		{"wrong code", map[string]string{"email": email, "code": wrong, "newPassword": newPassword}, 400, "code"},
		{"unknown e-mail answers like a wrong code", map[string]string{"email": testenv.NewEmail(), "code": code, "newPassword": newPassword}, 400, "code"},
		{"right code", map[string]string{"email": email, "code": code, "newPassword": newPassword}, 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("POST", "/auth/reset-password", tt.body))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantField != "" {
				if e := apitest.ErrorOf(t, resp); len(e.Details) == 0 || e.Details[0].Field != tt.wantField {
					t.Errorf("error = %+v, want a detail on %s", e, tt.wantField)
				}
			}
		})
	}
	env.SignIn(t, email, newPassword) // fails the test if the new password does not work
}
