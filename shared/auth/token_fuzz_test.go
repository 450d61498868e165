package auth

// Fuzz targets for what the verifier decodes: the token a client sends, and
// the user pool's JWKS. No network: the JWKS is served from memory.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	fuzzIssuer = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_fuzz"
	fuzzClient = "fuzz-client"
	fuzzLeeway = 30 * time.Second
)

var fuzzNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// staticJWKS answers every request with its bytes, as a JWKS endpoint.
type staticJWKS []byte

func (b staticJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(b)), Request: r}, nil
}

// fuzzVerifier verifies against jwks with a fixed clock.
func fuzzVerifier(tb testing.TB, jwks []byte) *Verifier {
	tb.Helper()
	v, err := NewVerifier(VerifierConfig{Issuer: fuzzIssuer, ClientID: fuzzClient, Leeway: fuzzLeeway,
		HTTPClient: &http.Client{Transport: staticJWKS(jwks)}, Now: func() time.Time { return fuzzNow }})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// jwksOf is the JWKS document of key under kid.
func jwksOf(kid string, key *rsa.PublicKey) []byte {
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}})
	return b
}

func signWith(tb testing.TB, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	tb.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func fuzzKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// genuine reports whether token is RS256 and signed by pub, checked without
// the JWT library: header.payload hashed, the signature verified.
func genuine(token string, pub *rsa.PublicKey) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	head, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	sig, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	var h struct{ Alg string }
	if err1 != nil || err2 != nil || json.Unmarshal(head, &h) != nil || h.Alg != "RS256" {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
}

// checkVerdict asserts what any verdict on a token must be: an error wraps
// exactly one of ErrTokenInvalid and ErrTokenExpired (the keys are up); an
// expired token is a genuine one; an accepted token is genuine, unexpired,
// of the pool's issuer, and its claims render.
func checkVerdict(t *testing.T, token string, pub *rsa.PublicKey, c *Claims, err error) {
	t.Helper()
	invalid, expired := errors.Is(err, ErrTokenInvalid), errors.Is(err, ErrTokenExpired)
	switch {
	case err != nil && invalid == expired:
		t.Fatalf("error %v: want ErrTokenInvalid or ErrTokenExpired", err)
	case errors.Is(err, ErrKeysUnavailable):
		t.Fatalf("keys unavailable although the JWKS answers: %v", err)
	case err != nil && c != nil:
		t.Fatalf("claims %+v with error %v", c, err)
	case expired && !genuine(token, pub):
		t.Fatalf("a token not signed by the pool is called expired: %q", token)
	case err != nil:
		return
	case c == nil:
		t.Fatal("no claims and no error")
	case !genuine(token, pub):
		t.Fatalf("accepted a token not signed by the pool's key: %q", token)
	case c.Issuer != fuzzIssuer:
		t.Fatalf("accepted issuer %q", c.Issuer)
	case c.ExpiresAt.IsZero() || !c.ExpiresAt.After(fuzzNow.Add(-fuzzLeeway)):
		t.Fatalf("accepted a token that expires at %v", c.ExpiresAt)
	}
	_ = c.StringClaims()
}

// FuzzVerify: whatever a client sends as its token, Verify and
// VerifyAudience never panic, refuse it with ErrTokenInvalid or
// ErrTokenExpired, and accept only an unexpired access token the pool's key
// signed for this app client.
func FuzzVerify(f *testing.F) {
	key := fuzzKey(f)
	jwks := jwksOf("k1", &key.PublicKey)
	good := accessClaims(fuzzIssuer, fuzzClient, fuzzNow)
	rs := func(kid string, c jwt.MapClaims) string { return signWith(f, jwt.SigningMethodRS256, key, kid, c) }
	valid := rs("k1", good)
	for _, tok := range []string{
		valid,
		rs("k1", with(good, "exp", fuzzNow.Add(-time.Hour).Unix())),
		rs("k1", with(good, "exp", nil)),
		rs("k1", with(good, "exp", "tomorrow")),
		rs("k1", with(good, "exp", 1e300)),
		rs("k1", with(good, "nbf", fuzzNow.Add(time.Hour).Unix())),
		rs("k1", with(good, "iat", fuzzNow.Add(time.Hour).Unix())),
		rs("k1", with(good, "iss", "https://evil.example/pool")),
		rs("k1", with(good, "client_id", "other")),
		rs("k1", with(good, "token_use", "id", "aud", fuzzClient)),
		rs("k1", with(good, "aud", []string{"other", fuzzClient})),
		rs("k1", with(good, "sub", 5, "scope", []string{"x"}, "cognito:groups", "admin")),
		rs("", good),
		rs("k2", good),
		signWith(f, jwt.SigningMethodRS512, key, "k1", good),
		signWith(f, jwt.SigningMethodHS256, []byte("secret"), "k1", good),
		signWith(f, jwt.SigningMethodHS256, jwks, "k1", good), // the public key as an HMAC secret
		signWith(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", good),
		valid[:len(valid)-2] + "AA", valid + "=", valid + ".x", " " + valid, strings.Replace(valid, ".", "..", 1),
		"", "x", "a.b.c", "..", "not.a.jwt", "Bearer " + valid, strings.Repeat("A", 10000),
		"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.", "eyJ9.eyJ9.eyJ9", "e30.e30.e30",
	} {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, token string) {
		v := fuzzVerifier(t, jwks)
		c, err := v.Verify(context.Background(), token)
		checkVerdict(t, token, &key.PublicKey, c, err)
		if err == nil && (c.TokenUse != "access" || c.ClientID != fuzzClient) {
			t.Fatalf("Verify accepted token_use %q, client_id %q", c.TokenUse, c.ClientID)
		}
		c, err = v.VerifyAudience(context.Background(), token, []string{fuzzClient})
		checkVerdict(t, token, &key.PublicKey, c, err)
		if err == nil && !slices.Contains(c.Audience, fuzzClient) && (len(c.Audience) > 0 || c.ClientID != fuzzClient) {
			t.Fatalf("VerifyAudience accepted aud %q, client_id %q", c.Audience, c.ClientID)
		}
	})
}

// FuzzJWKS: whatever the JWKS endpoint answers, verifying a genuine token
// never panics and fails with ErrTokenInvalid or ErrKeysUnavailable unless
// the document holds the token's key: an RSA signing key of its kid with
// the same modulus and exponent.
func FuzzJWKS(f *testing.F) {
	key := fuzzKey(f)
	token := signWith(f, jwt.SigningMethodRS256, key, "k1", accessClaims(fuzzIssuer, fuzzClient, fuzzNow))
	n := base64.RawURLEncoding.EncodeToString(key.N.Bytes())
	entry := func(kv ...string) string {
		m := map[string]string{"kty": "RSA", "use": "sig", "kid": "k1", "n": n, "e": "AQAB"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, doc := range []string{
		string(jwksOf("k1", &key.PublicKey)),
		`{"keys":[` + entry() + `,` + entry("kid", "k2") + `]}`,
		`{"keys":[` + entry("n", "") + `]}`,
		`{"keys":[` + entry("n", "AA") + `]}`,
		`{"keys":[` + entry("n", "AQ") + `]}`,
		`{"keys":[` + entry("e", "") + `]}`,
		`{"keys":[` + entry("e", "AA") + `]}`,
		`{"keys":[` + entry("e", "Ag") + `]}`,
		`{"keys":[` + entry("e", "_____w") + `]}`,
		`{"keys":[` + entry("e", "AQABAQAB") + `]}`,
		`{"keys":[` + entry("n", n+"==") + `]}`,
		`{"keys":[` + entry("n", "!!") + `]}`,
		`{"keys":[` + entry("kty", "EC") + `]}`,
		`{"keys":[` + entry("use", "enc") + `]}`,
		`{"keys":[` + entry("use", "") + `]}`,
		`{"keys":[` + entry("n", "AQ") + `,` + entry() + `]}`,
		`{"keys":[` + entry() + `,` + entry("n", "AQ") + `]}`,
		`{"keys":[{"KTY":"RSA","KID":"k1","N":"` + n + `","E":"AQAB"}]}`,
		`{"keys":[]}`, `{"keys":null}`, `{"keys":{}}`, `{}`, `[]`, `null`, ``, `{`, `{"keys":[1]}`,
	} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := fuzzVerifier(t, doc).Verify(context.Background(), token)
		switch {
		case err != nil && !errors.Is(err, ErrTokenInvalid) && !errors.Is(err, ErrKeysUnavailable):
			t.Fatalf("error %v: want ErrTokenInvalid or ErrKeysUnavailable", err)
		case errors.Is(err, ErrTokenExpired):
			t.Fatalf("a token valid until %v called expired: %v", fuzzNow.Add(time.Hour), err)
		case err == nil && c == nil:
			t.Fatal("no claims and no error")
		case err == nil && !holdsKey(doc, "k1", &key.PublicKey):
			t.Fatalf("accepted with a JWKS that does not hold its key: %s", doc)
		}
	})
}

// holdsKey reports whether the last usable RSA signing key of kid in the
// JWKS doc is pub.
func holdsKey(doc []byte, kid string, pub *rsa.PublicKey) bool {
	var d struct {
		Keys []struct{ Kty, Kid, Use, N, E string } `json:"keys"`
	}
	if json.Unmarshal(doc, &d) != nil {
		return false
	}
	var last *rsa.PublicKey
	for _, k := range d.Keys {
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") || err1 != nil || err2 != nil || len(e) > 4 {
			continue
		}
		if k.Kid == kid {
			last = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		}
	}
	return last != nil && last.N.Cmp(pub.N) == 0 && last.E == pub.E
}
