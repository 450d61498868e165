package main

import (
	"testing"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestRefresh(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	email, _ := env.NewConfirmedUser(t)
	_, _, refresh := env.SignIn(t, email, testenv.TestPassword)

	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"valid refresh token", map[string]string{"refreshToken": refresh}, 200, ""},
		{"unknown refresh token", map[string]string{"refreshToken": "not-a-token"}, 401, "invalid_credentials"},
		{"missing", map[string]string{}, 400, "validation_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("POST", "/auth/refresh", tt.body))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantCode != "" {
				if e := apitest.ErrorOf(t, resp); e.Code != tt.wantCode {
					t.Errorf("code = %q, want %q", e.Code, tt.wantCode)
				}
				return
			}
			var out map[string]any
			apitest.Decode(t, resp, &out)
			if out["accessToken"] == "" || out["idToken"] == "" || out["tokenType"] != "Bearer" || out["expiresIn"] == nil {
				t.Errorf("body = %s", resp.Body)
			}
			if _, ok := out["refreshToken"]; ok {
				t.Errorf("refresh answered with a refresh token: %s", resp.Body)
			}
		})
	}
}
