package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Setenv points a function's settings at the stack for the test: what the
// function's wire reads (DATABASE_URL, REDIS_URL, COGNITO_*), with databaseURL
// (a NewDatabase copy, say) as the database, reached as the functions' role
// (FunctionsUser: rows only, no schema changes), as on AWS.
func (e Env) Setenv(tb testing.TB, databaseURL string) {
	tb.Helper()
	setenv := tb.(interface{ Setenv(string, string) })
	for k, v := range e.Vars() {
		setenv.Setenv(k, v)
	}
	setenv.Setenv("DATABASE_URL", AsFunctions(databaseURL))
}

// NewEmail returns an address no other test uses.
func NewEmail() string { return "user-" + randomHex(6) + "@example.com" }

// TestPassword meets the pool's policy.
const TestPassword = "Correct-Horse-9"

// NewConfirmedUser signs up a fresh user with TestPassword and confirms it,
// and returns its e-mail and sub.
func (e Env) NewConfirmedUser(tb testing.TB) (email, sub string) {
	tb.Helper()
	ctx := context.Background()
	c := NewCognitoClient(e.CognitoEndpoint)
	email = NewEmail()
	out, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(e.CognitoClientID), Username: aws.String(email), Password: aws.String(TestPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	})
	if err != nil {
		tb.Fatalf("testenv: sign up %s: %v", email, err)
	}
	if _, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId: aws.String(e.CognitoUserPoolID), Username: aws.String(email),
	}); err != nil {
		tb.Fatalf("testenv: confirm %s: %v", email, err)
	}
	return email, aws.ToString(out.UserSub)
}

// SignIn returns the access, id and refresh tokens of email with password.
func (e Env) SignIn(tb testing.TB, email, password string) (access, id, refresh string) {
	tb.Helper()
	out, err := NewCognitoClient(e.CognitoEndpoint).InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(e.CognitoClientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		tb.Fatalf("testenv: sign in %s: %v", email, err)
	}
	r := out.AuthenticationResult
	return aws.ToString(r.AccessToken), aws.ToString(r.IdToken), aws.ToString(r.RefreshToken)
}

// ConfirmationCode reads the latest code cognito-local issued to email (a
// sign-up or a forgot-password code) from its database file: the e-mail a
// real pool would send.
func (e Env) ConfirmationCode(tb testing.TB, email string) string {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, err := e.LatestCode(email)
		if err == nil {
			return code
		}
		if time.Now().After(deadline) {
			tb.Fatalf("testenv: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// LatestCode is the newest code cognito-local issued to email.
func (e Env) LatestCode(email string) (string, error) {
	path := filepath.Join(e.CognitoDataDir, ".cognito", "db", e.CognitoUserPoolID+".json")
	code, err := readCode(path, email)
	if err == nil && code == "" {
		err = fmt.Errorf("no code has been issued to %s", email)
	}
	return code, err
}

func readCode(path, email string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var db struct {
		Users map[string]struct {
			ConfirmationCode string
			Attributes       []struct{ Name, Value string }
		}
	}
	if err := json.Unmarshal(b, &db); err != nil {
		return "", fmt.Errorf("parse %s: %w", path, err)
	}
	for _, u := range db.Users {
		for _, a := range u.Attributes {
			if a.Name == "email" && strings.EqualFold(a.Value, email) {
				return u.ConfirmationCode, nil
			}
		}
	}
	return "", fmt.Errorf("user %s not found", email)
}
