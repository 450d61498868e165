package main

import (
	"testing"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestForgotPassword(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	email, _ := env.NewConfirmedUser(t)
	tests := []struct {
		name       string
		email      string
		wantStatus int
	}{
		{"known e-mail", email, 204},
		{"unknown e-mail: same answer, no enumeration", testenv.NewEmail(), 204},
		{"invalid e-mail", "nope", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("POST", "/auth/forgot-password", map[string]string{"email": tt.email}))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
		})
	}
	if env.ConfirmationCode(t, email) == "" {
		t.Error("no reset code was issued")
	}
}
