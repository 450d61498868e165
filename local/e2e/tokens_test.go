package e2e

import (
	"testing"

	"github.com/macro-ai/macro-ai/shared/testenv"
)

// TestIDTokensAreRefused: Cognito's ID token names the app client as its
// audience too; only the access token's scope (the authorizer's
// AuthorizationScopes) lets a request through the HTTP API, and the
// functions read the caller from access tokens only.
func TestIDTokensAreRefused(t *testing.T) {
	s := newStack(t)
	_, _, email := s.signIn(t) // signed up and confirmed
	access, id, _ := s.env.SignIn(t, email, testenv.TestPassword)
	for _, path := range []string{"/me", "/conversations"} {
		if r := s.do("GET", path, access, nil); r.status != 200 {
			t.Errorf("GET %s with the access token: %d %s", path, r.status, r.body)
		}
		if r := s.do("GET", path, id, nil); r.status != 403 || string(r.body) != `{"message":"Forbidden"}` {
			t.Errorf("GET %s with the ID token: %d %s, want API Gateway's 403", path, r.status, r.body)
		}
	}
}
