package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/jackc/pgx/v5"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestSignIn(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	h := testenv.Wire(t, wire)
	email, sub := env.NewConfirmedUser(t)
	unconfirmed := testenv.NewEmail()
	if _, err := testenv.NewCognitoClient(env.CognitoEndpoint).SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(env.CognitoClientID), Username: aws.String(unconfirmed), Password: aws.String(testenv.TestPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(unconfirmed)}},
	}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"wrong password", map[string]string{"email": email, "password": "Wrong-Pass-1"}, 401, "invalid_credentials"},
		{"unknown e-mail answers like a wrong password", map[string]string{"email": testenv.NewEmail(), "password": testenv.TestPassword}, 401, "invalid_credentials"},
		{"unconfirmed", map[string]string{"email": unconfirmed, "password": testenv.TestPassword}, 403, "user_not_confirmed"},
		{"missing password", map[string]string{"email": email}, 400, "validation_failed"},
		{"right password, e-mail in capitals", map[string]string{"email": "  " + email, "password": testenv.TestPassword}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-in", tt.body))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantCode != "" {
				if e := apitest.ErrorOf(t, resp); e.Code != tt.wantCode {
					t.Errorf("code = %q, want %q", e.Code, tt.wantCode)
				}
				return
			}
			var tokens cognito.Tokens
			apitest.Decode(t, resp, &tokens)
			if tokens.AccessToken == "" || tokens.IDToken == "" || tokens.RefreshToken == "" || tokens.ExpiresIn <= 0 || tokens.TokenType != "Bearer" {
				t.Errorf("tokens = %+v", tokens)
			}
		})
	}

	// The sign-in created the user's row, keyed by the Cognito sub.
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var gotEmail string
	if err := conn.QueryRow(context.Background(), "SELECT email FROM users WHERE id = $1", sub).Scan(&gotEmail); err != nil || gotEmail != email {
		t.Errorf("users row: email %q, err %v; want %q", gotEmail, err, email)
	}
}

// TestSignInWithMFA: with MFA on, a right password answers 200
// {"challenge":"mfa_required","session"} and no tokens; a wrong one is the
// same 401 as without MFA.
func TestSignInWithMFA(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	email, _ := env.NewConfirmedUser(t)
	access, _, _ := env.SignIn(t, email, testenv.TestPassword)
	env.EnableMFA(t, access)

	resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-in", map[string]string{"email": email, "password": testenv.TestPassword}))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	var got map[string]any
	apitest.Decode(t, resp, &got)
	if got["challenge"] != "mfa_required" || len(fmt.Sprint(got["session"])) < 20 || got["accessToken"] != nil || len(got) != 2 {
		t.Errorf("body %v, want exactly challenge mfa_required and a session", got)
	}
	resp = apitest.Do(t, h, apitest.Event("POST", "/auth/sign-in", map[string]string{"email": email, "password": "Wrong-Pass-1"}))
	if resp.StatusCode != 401 || apitest.ErrorOf(t, resp).Code != "invalid_credentials" {
		t.Errorf("a wrong password with MFA on: %d %s", resp.StatusCode, resp.Body)
	}
}
