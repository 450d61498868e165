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
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/jackc/pgx/v5"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func anIP() string { return fmt.Sprintf("198.51.%d.%d", rand.IntN(256), 1+rand.IntN(254)) }

// TestChallenge: the second step of a sign-in with MFA on. A wrong code, a
// session that is not the pool's, another user's e-mail: each is the one
// 401 of a wrong password, word for word. The right code answers tokens whose
// refresh token works, creates the users row, and spends the session. Codes
// and sessions never reach the log.
func TestChallenge(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	h := testenv.Wire(t, wire)
	email, sub := env.NewConfirmedUser(t)
	other, _ := env.NewConfirmedUser(t)
	access, _, _ := env.SignIn(t, email, testenv.TestPassword)
	secret := env.EnableMFA(t, access)
	session := env.MFASession(t, email, testenv.TestPassword)
	ip := anIP()

	post := func(body any) (int, string, string) {
		t.Helper()
		resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/challenge", body, apitest.WithSourceIP(ip)))
		if resp.StatusCode < 300 {
			return resp.StatusCode, "", resp.Body
		}
		e := apitest.ErrorOf(t, resp)
		return resp.StatusCode, e.Code, e.Message
	}
	wrongPassword := cognito.InvalidCredentials()
	wrong := testenv.WrongCode(t, secret)
	tests := []struct {
		name string
		body map[string]string
	}{
		{"a wrong code", map[string]string{"email": email, "session": session, "code": wrong}},
		{"a made-up session", map[string]string{"email": email, "session": strings.Repeat("A", 256), "code": testenv.Code(t, secret)}},
		{"another user's e-mail", map[string]string{"email": other, "session": session, "code": testenv.Code(t, secret)}},
		{"an unknown e-mail", map[string]string{"email": testenv.NewEmail(), "session": session, "code": testenv.Code(t, secret)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code, msg := post(tt.body)
			if status != 401 || code != wrongPassword.Code || msg != wrongPassword.Message {
				t.Errorf("%d %s %q, want the 401 of a wrong password", status, code, msg)
			}
		})
	}
	if status, code, _ := post(map[string]string{"email": email, "session": session}); status != 400 || code != "validation_failed" {
		t.Errorf("no code: %d %s, want 400", status, code)
	}

	status, _, body := post(map[string]string{"email": strings.ToUpper(email), "session": session, "code": testenv.Code(t, secret)})
	if status != 200 {
		t.Fatalf("the right code: %d %s", status, body)
	}
	var tokens cognito.Tokens
	apitest.Decode(t, apitest.Response{StatusCode: status, Body: body}, &tokens)
	if tokens.AccessToken == "" || tokens.IDToken == "" || tokens.RefreshToken == "" || tokens.ExpiresIn <= 0 || tokens.TokenType != "Bearer" {
		t.Fatalf("tokens = %+v", tokens)
	}
	if _, err := testenv.NewCognitoClient(env.CognitoEndpoint).InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(env.CognitoClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": tokens.RefreshToken},
	}); err != nil {
		t.Errorf("the refresh token of an MFA sign-in: %v", err)
	}
	if status, code, _ := post(map[string]string{"email": email, "session": session, "code": testenv.Code(t, secret)}); status != 401 || code != wrongPassword.Code {
		t.Errorf("the session again: %d %s, want 401 (spent)", status, code)
	}

	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var got string
	if err := conn.QueryRow(context.Background(), "SELECT email FROM users WHERE id = $1", sub).Scan(&got); err != nil || got != email {
		t.Errorf("users row: %q, %v; want %q", got, err, email)
	}
	for _, s := range []string{session, wrong, secret} {
		if strings.Contains(logs.String(), s) {
			t.Error("the log holds a session, code or secret")
		}
	}
}

// TestChallengeSessionWearsOut: a session takes 5 wrong codes; after them
// even the right code is refused, and a new sign-in is needed.
func TestChallengeSessionWearsOut(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	email, _ := env.NewConfirmedUser(t)
	access, _, _ := env.SignIn(t, email, testenv.TestPassword)
	secret := env.EnableMFA(t, access)
	session := env.MFASession(t, email, testenv.TestPassword)
	ip := anIP()
	for i := 0; i < 5; i++ {
		resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/challenge",
			map[string]string{"email": email, "session": session, "code": testenv.WrongCode(t, secret)}, apitest.WithSourceIP(ip)))
		if resp.StatusCode != 401 {
			t.Fatalf("wrong code %d: %d %s", i+1, resp.StatusCode, resp.Body)
		}
	}
	resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/challenge",
		map[string]string{"email": email, "session": session, "code": testenv.Code(t, secret)}, apitest.WithSourceIP(anIP())))
	if resp.StatusCode != 401 {
		t.Errorf("the right code after 5 wrong ones: %d, want 401", resp.StatusCode)
	}
	fresh := env.MFASession(t, email, testenv.TestPassword)
	resp = apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/challenge",
		map[string]string{"email": email, "session": fresh, "code": testenv.Code(t, secret)}, apitest.WithSourceIP(anIP())))
	if resp.StatusCode != 200 {
		t.Errorf("a new sign-in's session with the right code: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestChallengeIsRateLimited: per client IP, as sign-in.
func TestChallengeIsRateLimited(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	t.Setenv("RATE_LIMIT_AUTH_PER_MINUTE", "2")
	h := testenv.Wire(t, wire)
	ip := anIP()
	for i := 1; i <= 3; i++ {
		resp := apitest.Do(t, h, apitest.Event("POST", "/auth/mfa/challenge", "{", apitest.WithSourceIP(ip)))
		want := 400
		if i == 3 {
			want = 429
		}
		if resp.StatusCode != want {
			t.Fatalf("attempt %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
}
