package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestSignUp(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	taken, _ := env.NewConfirmedUser(t)
	fresh := testenv.NewEmail()

	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"new account, e-mail normalised", map[string]string{"email": "  " + strings.ToUpper(fresh) + " ", "password": testenv.TestPassword}, 201, "", ""},
		{"same e-mail again", map[string]string{"email": fresh, "password": testenv.TestPassword}, 409, "user_exists", ""},
		{"taken e-mail", map[string]string{"email": taken, "password": testenv.TestPassword}, 409, "user_exists", ""},
		{"invalid e-mail", map[string]string{"email": "not-an-email", "password": testenv.TestPassword}, 400, "validation_failed", "email"},
		{"weak password", map[string]string{"email": testenv.NewEmail(), "password": "password"}, 400, "validation_failed", "password"},
		{"missing password", map[string]string{"email": testenv.NewEmail()}, 400, "validation_failed", "password"},
		{"not JSON", "{", 400, "invalid_json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-up", tt.body, apitest.WithSourceIP("198.51.100."+fmt.Sprint(len(tt.name)))))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantCode == "" {
				var out struct {
					UserSub   string `json:"userSub"`
					Confirmed bool   `json:"confirmed"`
				}
				apitest.Decode(t, resp, &out)
				if len(out.UserSub) != 36 || out.Confirmed {
					t.Errorf("body = %s, want a uuid userSub and confirmed=false", resp.Body)
				}
				// The stored e-mail is the normalised one: the code is found under it.
				if env.ConfirmationCode(t, fresh) == "" {
					t.Error("no confirmation code for the normalised e-mail")
				}
				return
			}
			e := apitest.ErrorOf(t, resp)
			if e.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", e.Code, tt.wantCode)
			}
			if tt.wantField != "" && (len(e.Details) == 0 || e.Details[0].Field != tt.wantField) {
				t.Errorf("details = %+v, want field %q", e.Details, tt.wantField)
			}
		})
	}
}

func TestSignUpRateLimitedPerIP(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	t.Setenv("RATE_LIMIT_AUTH_PER_MINUTE", "3")
	h := testenv.Wire(t, wire)
	ip := fmt.Sprintf("203.0.113.%d", time.Now().UnixNano()%250)
	bad := map[string]string{"email": "x", "password": "y"}
	for i := range 3 {
		if resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-up", bad, apitest.WithSourceIP(ip))); resp.StatusCode != 400 {
			t.Fatalf("request %d: status %d", i+1, resp.StatusCode)
		}
	}
	resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-up", bad, apitest.WithSourceIP(ip)))
	if resp.StatusCode != 429 || apitest.ErrorOf(t, resp).Code != "rate_limited" || resp.Headers["Retry-After"] == "" {
		t.Fatalf("4th request: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	if resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-up", bad, apitest.WithSourceIP(ip+"1"))); resp.StatusCode != 400 {
		t.Errorf("another IP was limited: %d", resp.StatusCode)
	}
}

// TestSignUpCognitoDown: an identity provider that refuses connections is a
// fast 502 upstream_error that does not echo the cause.
func TestSignUpCognitoDown(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + l.Addr().String()
	l.Close()
	t.Setenv("COGNITO_ENDPOINT", dead)
	h := testenv.Wire(t, wire)
	start := time.Now()
	resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-up",
		map[string]string{"email": testenv.NewEmail(), "password": testenv.TestPassword}))
	if resp.StatusCode != 502 || apitest.ErrorOf(t, resp).Code != "upstream_error" {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if strings.Contains(resp.Body, "127.0.0.1") {
		t.Errorf("the error leaks the endpoint: %s", resp.Body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("answered in %s", d)
	}
}

// TestSignUpAllowList: a deployment that lists who may sign up refuses
// everyone else with 403 sign_up_closed, before Cognito is asked.
func TestSignUpAllowList(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	invited := testenv.NewEmail()
	t.Setenv("SIGN_UP_ALLOWED", invited+", @family.example")
	h := testenv.Wire(t, wire)
	family := "kid-" + fmt.Sprint(time.Now().UnixNano()) + "@family.example"
	stranger := testenv.NewEmail()
	tests := []struct {
		email  string
		status int
	}{
		{strings.ToUpper(invited), 201},
		{family, 201},
		{stranger, 403},
		{"kid@family.example.evil.io", 403},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-up", map[string]string{"email": tt.email, "password": testenv.TestPassword}))
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			if tt.status == 403 {
				if e := apitest.ErrorOf(t, resp); e.Code != "sign_up_closed" {
					t.Errorf("code %q, want sign_up_closed", e.Code)
				}
			}
		})
	}
	t.Run("a list that makes no sense stops the function", func(t *testing.T) {
		t.Setenv("SIGN_UP_ALLOWED", "everyone")
		if _, err := wire(context.Background()); err == nil {
			t.Fatal("wired")
		}
	})
}
