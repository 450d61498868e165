package e2e

import (
	"strings"
	"testing"
)

// TestConversationIsolation: user B gets 404 on every route for user A's
// conversation and never sees it in a list; A's data is untouched.
func TestConversationIsolation(t *testing.T) {
	s := newStack(t)
	a, _, _ := s.signIn(t)
	b, _, _ := s.signIn(t)

	r := s.do("POST", "/conversations", a, map[string]string{"title": "A's plans"})
	var conv struct {
		ID    string
		Title string
	}
	r.decode(t, &conv)
	if r.status != 201 || conv.ID == "" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/conversations/" + conv.ID, nil},
		{"PATCH", "/conversations/" + conv.ID, map[string]string{"title": "B was here"}},
		{"DELETE", "/conversations/" + conv.ID, nil},
		{"GET", "/conversations/" + conv.ID + "/messages", nil},
	} {
		r := s.do(tc.method, tc.path, b, tc.body)
		if r.status != 404 || r.errorCode(t) != "not_found" {
			t.Errorf("B %s %s: %d %s, want 404 not_found", tc.method, tc.path, r.status, r.body)
		}
	}
	if r := s.do("GET", "/conversations", b, nil); r.status != 200 || strings.Contains(string(r.body), conv.ID) {
		t.Errorf("B's list: %d %s", r.status, r.body)
	}
	r = s.do("GET", "/conversations/"+conv.ID, a, nil)
	r.decode(t, &conv)
	if r.status != 200 || conv.Title != "A's plans" {
		t.Errorf("A's conversation after B's attempts: %d %s", r.status, r.body)
	}
	if r := s.do("DELETE", "/conversations/"+conv.ID, a, nil); r.status != 204 {
		t.Errorf("A deletes: %d", r.status)
	}
	if r := s.do("GET", "/conversations/"+conv.ID, a, nil); r.status != 404 {
		t.Errorf("after delete: %d", r.status)
	}
}
