package cognito

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/macro-ai/macro-ai/shared/api"
)

// SignUpPolicy is who may create an account on this deployment (a personal
// one is often the owner's alone): anyone, nobody, or the listed e-mail
// addresses and domains. Its zero value allows nobody.
type SignUpPolicy struct {
	anyone  bool
	emails  map[string]bool
	domains map[string]bool
}

// ParseSignUpPolicy reads SIGN_UP_ALLOWED: "*" is anyone; "none" (or
// nothing) is nobody; otherwise a comma-separated list of e-mail addresses
// (alice@example.com) and domains (@example.com), case-insensitive.
func ParseSignUpPolicy(s string) (SignUpPolicy, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "*":
		return SignUpPolicy{anyone: true}, nil
	case "", "none":
		return SignUpPolicy{}, nil
	}
	p := SignUpPolicy{emails: map[string]bool{}, domains: map[string]bool{}}
	for _, entry := range strings.Split(s, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		local, domain, ok := strings.Cut(entry, "@")
		switch {
		case entry == "":
		case ok && local == "" && validDomain(domain):
			p.domains[domain] = true
		case ok && local != "" && validDomain(domain) && !strings.ContainsAny(local, " @*"):
			p.emails[entry] = true
		default:
			return SignUpPolicy{}, fmt.Errorf("SIGN_UP_ALLOWED: %q is neither an e-mail address nor @domain (use * for anyone, none for nobody)", entry)
		}
	}
	return p, nil
}

func validDomain(d string) bool {
	return strings.Contains(d, ".") && !strings.ContainsAny(d, " @*,") && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".")
}

// Allows reports whether email (as the sign-up route normalised it:
// trimmed, lower-case) may create an account.
func (p SignUpPolicy) Allows(email string) bool {
	if p.anyone {
		return true
	}
	email = strings.ToLower(strings.TrimSpace(email))
	_, domain, _ := strings.Cut(email, "@")
	return p.emails[email] || p.domains[domain]
}

// Open reports whether anyone may sign up.
func (p SignUpPolicy) Open() bool { return p.anyone }

// SignUpClosed is 403 sign_up_closed: the same for an address not listed
// as for a closed deployment, saying nothing of who is.
func SignUpClosed() *api.Error {
	return api.Errorf(http.StatusForbidden, "sign_up_closed", "sign-up on this deployment is by invitation; ask its owner")
}
