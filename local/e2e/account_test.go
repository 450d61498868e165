package e2e

import (
	"testing"

	"github.com/macro-ai/macro-ai/shared/testenv"
)

// TestAccountPasswordAndDeletion runs the account routes through the gateway
// and the real bootstraps: a kept session (its refresh token) dies when
// another signs out everywhere; a password change answers fresh tokens and
// signs out the other sessions; a deletion with the wrong password deletes
// nothing, with the right one the login is gone, and the access token
// issued before — still a valid JWT, which the gateway's authorizer admits
// until it expires — gets 401 from every route that would create the
// account again and finds nothing where it reads.
func TestAccountPasswordAndDeletion(t *testing.T) {
	s := newStack(t)
	access, refresh, email := s.signIn(t)
	const newPassword = "Battery-Staple-7"

	// A second session, kept (its refresh token stored), then sign-out
	// everywhere from the first: the kept one can no longer refresh.
	r := s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": testenv.TestPassword})
	var kept struct{ AccessToken, RefreshToken string }
	r.decode(t, &kept)
	if r := s.do("POST", "/auth/sign-out", access, nil); r.status != 204 {
		t.Fatalf("sign-out: %d %s", r.status, r.body)
	}
	for name, rt := range map[string]string{"the kept session's": kept.RefreshToken, "the signed-out session's": refresh} {
		if r := s.do("POST", "/auth/refresh", "", map[string]string{"refreshToken": rt}); r.status != 401 || r.errorCode(t) != "invalid_credentials" {
			t.Errorf("refresh with %s refresh token after sign-out everywhere: %d %s, want 401 invalid_credentials", name, r.status, r.body)
		}
	}

	// The password.
	r = s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": testenv.TestPassword})
	var tokens struct{ AccessToken, RefreshToken string }
	r.decode(t, &tokens)
	if r := s.do("POST", "/me/password", tokens.AccessToken, map[string]string{"currentPassword": "Wrong-Horse-1", "newPassword": newPassword}); r.status != 400 || r.errorCode(t) != "validation_failed" {
		t.Errorf("a wrong current password: %d %s, want 400 validation_failed", r.status, r.body)
	}
	r = s.do("POST", "/me/password", tokens.AccessToken, map[string]string{"currentPassword": testenv.TestPassword, "newPassword": newPassword})
	if r.status != 200 {
		t.Fatalf("change the password: %d %s", r.status, r.body)
	}
	var changed struct{ AccessToken, RefreshToken string }
	r.decode(t, &changed)
	if r := s.do("POST", "/auth/refresh", "", map[string]string{"refreshToken": tokens.RefreshToken}); r.status != 401 {
		t.Errorf("the refresh token from before the change: %d, want 401", r.status)
	}
	if r := s.do("POST", "/auth/refresh", "", map[string]string{"refreshToken": changed.RefreshToken}); r.status != 200 {
		t.Errorf("the refresh token the change answered: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": testenv.TestPassword}); r.status != 401 {
		t.Errorf("sign-in with the old password: %d, want 401", r.status)
	}
	r = s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": newPassword})
	if r.status != 200 {
		t.Fatalf("sign-in with the new password: %d %s", r.status, r.body)
	}
	var last struct{ AccessToken, RefreshToken string }
	r.decode(t, &last)
	old := last.AccessToken
	if r := s.do("POST", "/conversations", old, map[string]string{"title": "Miso"}); r.status != 201 {
		t.Fatalf("create a conversation: %d %s", r.status, r.body)
	}

	// The deletion.
	if r := s.do("POST", "/me/delete", old, map[string]string{"password": testenv.TestPassword}); r.status != 400 || r.errorCode(t) != "validation_failed" {
		t.Errorf("delete with the old (wrong) password: %d %s, want 400 validation_failed", r.status, r.body)
	}
	if r := s.do("GET", "/conversations", old, nil); r.status != 200 || !containsTitle(t, r, "Miso") {
		t.Fatalf("a refused deletion deleted data: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/me/delete", old, map[string]string{"password": newPassword}); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": newPassword}); r.status != 401 || r.errorCode(t) != "invalid_credentials" {
		t.Errorf("sign-in after the deletion: %d %s, want 401 invalid_credentials", r.status, r.body)
	}
	if r := s.do("POST", "/auth/refresh", "", map[string]string{"refreshToken": last.RefreshToken}); r.status != 401 {
		t.Errorf("refresh after the deletion: %d, want 401", r.status)
	}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/me", nil},                                      // Cognito no longer knows the user
		{"POST", "/conversations", map[string]string{}},          // the tombstone refuses the users row
		{"PATCH", "/me", map[string]string{"instructions": "x"}}, // likewise
		{"POST", "/me/delete", map[string]string{"password": newPassword}},
	} {
		r := s.do(c.method, c.path, old, c.body)
		if r.status != 401 {
			t.Errorf("%s %s with the token issued before the deletion: %d %s, want 401", c.method, c.path, r.status, r.body)
			continue
		}
		if code := r.errorCode(t); code != "unauthorized" && code != "invalid_credentials" {
			t.Errorf("%s %s: code %q", c.method, c.path, code)
		}
	}
	if r := s.do("GET", "/conversations", old, nil); r.status != 200 || containsTitle(t, r, "Miso") {
		t.Errorf("the deleted user's conversations: %d %s, want an empty page", r.status, r.body)
	}
}

// containsTitle reports whether a page of conversations holds title.
func containsTitle(t *testing.T, r response, title string) bool {
	t.Helper()
	var page struct{ Items []struct{ Title string } }
	r.decode(t, &page)
	for _, c := range page.Items {
		if c.Title == title {
			return true
		}
	}
	return false
}
