package e2e

import (
	"strings"
	"testing"

	"github.com/macro-ai/macro-ai/shared/testenv"
)

// TestAccountJourney: sign-up → confirm → sign-in → /me → refresh → sign-out →
// the old refresh token no longer works, through the gateway and the real
// bootstraps.
func TestAccountJourney(t *testing.T) {
	s := newStack(t)
	if r := s.do("GET", "/health", "", nil); r.status != 200 {
		t.Fatalf("health: %d %s", r.status, r.body)
	}
	access, refresh, email := s.signIn(t)

	r := s.do("GET", "/me", access, nil)
	var me struct{ ID, Email string }
	r.decode(t, &me)
	if r.status != 200 || me.Email != email || me.ID == "" {
		t.Fatalf("/me: %d %s", r.status, r.body)
	}
	r = s.do("POST", "/auth/refresh", "", map[string]string{"refreshToken": refresh})
	var renewed struct{ AccessToken string }
	r.decode(t, &renewed)
	if r.status != 200 || renewed.AccessToken == "" {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	if r := s.do("GET", "/me", renewed.AccessToken, nil); r.status != 200 {
		t.Errorf("/me with the refreshed token: %d", r.status)
	}
	if r := s.do("POST", "/auth/sign-out", renewed.AccessToken, nil); r.status != 204 {
		t.Fatalf("sign-out: %d %s", r.status, r.body)
	}
	r = s.do("POST", "/auth/refresh", "", map[string]string{"refreshToken": refresh})
	if r.status != 401 || r.errorCode(t) != "invalid_credentials" {
		t.Errorf("refresh after sign-out: %d %s", r.status, r.body)
	}

	// The authorizer guards every non-public route.
	for _, tc := range []struct{ method, path, token string }{
		{"GET", "/me", ""},
		{"GET", "/me", "not.a.jwt"},
		{"GET", "/conversations", strings.Replace(access, "a", "b", 5)},
		{"POST", "/auth/sign-out", ""},
	} {
		if r := s.do(tc.method, tc.path, tc.token, nil); r.status != 401 {
			t.Errorf("%s %s with token %.10q: %d, want 401", tc.method, tc.path, tc.token, r.status)
		}
	}
	// Errors of the public routes keep the one shape.
	r = s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": "Wrong-Pass-1"})
	if r.status != 401 || r.errorCode(t) != "invalid_credentials" {
		t.Errorf("wrong password: %d %s", r.status, r.body)
	}
	r = s.do("POST", "/auth/sign-up", "", map[string]string{"email": email, "password": testenv.TestPassword})
	if r.status != 409 || r.errorCode(t) != "user_exists" {
		t.Errorf("taken e-mail: %d %s", r.status, r.body)
	}
	if r := s.do("GET", "/nowhere", "", nil); r.status != 404 || string(r.body) != `{"message":"Not Found"}` {
		t.Errorf("unknown route: %d %s", r.status, r.body)
	}
}
