package cognito

import "testing"

func TestSignUpPolicy(t *testing.T) {
	tests := []struct {
		policy  string
		allowed []string
		refused []string
	}{
		{"*", []string{"anyone@example.com", "x@y.z"}, nil},
		{"none", nil, []string{"owner@example.com"}},
		{"", nil, []string{"owner@example.com"}},
		{"Owner@Example.com", []string{"owner@example.com", " OWNER@example.COM "}, []string{"other@example.com", "owner@example.com.evil.io"}},
		{"@family.org, friend@mail.com", []string{"mum@family.org", "friend@mail.com"}, []string{"mum@sub.family.org", "friend@family.org.uk", "enemy@mail.com", "family.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			p, err := ParseSignUpPolicy(tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range tt.allowed {
				if !p.Allows(e) {
					t.Errorf("%q refused", e)
				}
			}
			for _, e := range tt.refused {
				if p.Allows(e) {
					t.Errorf("%q allowed", e)
				}
			}
		})
	}
}

func TestSignUpPolicyRejectsNonsense(t *testing.T) {
	for _, s := range []string{"everyone", "@", "@localhost", "a@b@c.d", "*@example.com", "owner@", "@.com"} {
		if _, err := ParseSignUpPolicy(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
