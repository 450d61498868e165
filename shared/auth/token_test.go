package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// issuer is a JWKS server with its own RSA keys that signs tokens.
type issuer struct {
	srv     *httptest.Server
	keys    map[string]*rsa.PrivateKey
	mu      sync.Mutex
	fetches atomic.Int32
	down    atomic.Bool
}

func newIssuer(t *testing.T, kids ...string) *issuer {
	t.Helper()
	is := &issuer{keys: map[string]*rsa.PrivateKey{}}
	for _, kid := range kids {
		is.addKey(t, kid)
	}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		if is.down.Load() || r.URL.Path != "/pool/.well-known/jwks.json" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		is.mu.Lock()
		defer is.mu.Unlock()
		var doc struct {
			Keys []map[string]string `json:"keys"`
		}
		for kid, k := range is.keys {
			doc.Keys = append(doc.Keys, map[string]string{
				"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
				"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
			})
		}
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) addKey(t *testing.T, kid string) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is.mu.Lock()
	is.keys[kid] = k
	is.mu.Unlock()
	return k
}

func (is *issuer) url() string { return is.srv.URL + "/pool" }

func sign(t *testing.T, key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func accessClaims(iss, client string, now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub": "user-1", "iss": iss, "client_id": client, "token_use": "access",
		"scope": "aws.cognito.signin.user.admin", "username": "user-1",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "cognito:groups": []string{"admin", "beta"},
	}
}

func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func TestVerifyOwnKeys(t *testing.T) {
	is := newIssuer(t, "k1")
	forger, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Now()
	base := accessClaims(is.url(), "client-a", now)
	good := is.keys["k1"]

	tests := []struct {
		name    string
		token   string
		wantErr error
	}{
		{"valid", sign(t, good, "k1", base), nil},
		{"forged signature: key not in the JWKS, known kid", sign(t, forger, "k1", base), ErrTokenInvalid},
		{"unknown kid", sign(t, forger, "k9", base), ErrTokenInvalid},
		{"no kid", sign(t, good, "", base), ErrTokenInvalid},
		{"expired", sign(t, good, "k1", with(base, "exp", now.Add(-time.Minute).Unix())), ErrTokenExpired},
		{"expired within leeway", sign(t, good, "k1", with(base, "exp", now.Add(-10*time.Second).Unix())), nil},
		{"forged and expired is invalid, not expired", sign(t, forger, "k1", with(base, "exp", now.Add(-time.Minute).Unix())), ErrTokenInvalid},
		{"no exp", sign(t, good, "k1", with(base, "exp", nil)), ErrTokenInvalid},
		{"not yet valid", sign(t, good, "k1", with(base, "nbf", now.Add(time.Hour).Unix())), ErrTokenInvalid},
		{"issued in the future", sign(t, good, "k1", with(base, "iat", now.Add(time.Hour).Unix())), ErrTokenInvalid},
		{"wrong issuer", sign(t, good, "k1", with(base, "iss", is.srv.URL+"/other")), ErrTokenInvalid},
		{"wrong client", sign(t, good, "k1", with(base, "client_id", "client-b")), ErrTokenInvalid},
		{"id token instead of access token", sign(t, good, "k1", with(base, "token_use", "id", "client_id", nil, "aud", "client-a")), ErrTokenInvalid},
		{"garbage", "not.a.jwt", ErrTokenInvalid},
		{"empty", "", ErrTokenInvalid},
		{"HS256 with the public modulus as secret", hs256(t, base), ErrTokenInvalid},
	}
	v, err := NewVerifier(VerifierConfig{Issuer: is.url(), ClientID: "client-a"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tt.token)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.Subject != "user-1" || c.ClientID != "client-a" || c.TokenUse != "access" ||
					len(c.Scopes) != 1 || len(c.Groups) != 2 || c.ExpiresAt.IsZero() {
					t.Errorf("claims = %+v", c)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == ErrTokenInvalid && errors.Is(err, ErrTokenExpired) {
				t.Errorf("error %v is both invalid and expired", err)
			}
		})
	}
}

func hs256(t *testing.T, c jwt.MapClaims) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// API Gateway's rule: aud if present, else client_id, among the audience.
func TestVerifyAudience(t *testing.T) {
	is := newIssuer(t, "k1")
	k := is.keys["k1"]
	now := time.Now()
	base := accessClaims(is.url(), "client-a", now)
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"access token, client_id in audience", sign(t, k, "k1", base), true},
		{"id token, aud in audience", sign(t, k, "k1", with(base, "token_use", "id", "client_id", nil, "aud", "client-a")), true},
		{"aud wins over client_id", sign(t, k, "k1", with(base, "aud", "client-x")), false},
		{"client_id not in audience", sign(t, k, "k1", with(base, "client_id", "client-x")), false},
		{"neither aud nor client_id", sign(t, k, "k1", with(base, "client_id", nil)), false},
		{"expired", sign(t, k, "k1", with(base, "exp", now.Add(-time.Hour).Unix())), false},
	}
	v, _ := NewVerifier(VerifierConfig{Issuer: is.url()})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.VerifyAudience(context.Background(), tt.token, []string{"client-a", "client-c"})
			if (err == nil) != tt.ok {
				t.Errorf("VerifyAudience error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// The JWKS is fetched once, refetched for an unknown kid at most once per
// RefreshInterval, and a rotated-in key is picked up.
func TestKeyCache(t *testing.T) {
	is := newIssuer(t, "k1")
	clock := time.Now()
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	v, _ := NewVerifier(VerifierConfig{Issuer: is.url(), ClientID: "c", RefreshInterval: time.Minute, Now: now})
	ctx := context.Background()

	if is.fetches.Load() != 0 {
		t.Fatal("NewVerifier fetched the JWKS")
	}
	tok := sign(t, is.keys["k1"], "k1", accessClaims(is.url(), "c", now()))
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := v.Verify(ctx, tok); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("fetches after 20 verifications = %d, want 1", n)
	}

	// A rotated key: once the interval has passed since the last fetch, the
	// first token with its kid triggers one refetch.
	advance(2 * time.Minute)
	k2 := is.addKey(t, "k2")
	tok2 := sign(t, k2, "k2", accessClaims(is.url(), "c", now()))
	if _, err := v.Verify(ctx, tok2); err != nil {
		t.Fatalf("token signed with the rotated key: %v", err)
	}
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2", n)
	}
	// Unknown kids within the interval cause no fetch.
	for i := range 10 {
		bad := sign(t, k2, "nope"+string(rune('a'+i)), accessClaims(is.url(), "c", now()))
		if _, err := v.Verify(ctx, bad); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("fetches after unknown kids = %d, want 2", n)
	}
	advance(2 * time.Minute)
	bad := sign(t, k2, "nope", accessClaims(is.url(), "c", now()))
	if _, err := v.Verify(ctx, bad); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("unknown kid: %v", err)
	}
	if n := is.fetches.Load(); n != 3 {
		t.Fatalf("fetches after the interval = %d, want 3", n)
	}
}

func TestKeysUnavailable(t *testing.T) {
	is := newIssuer(t, "k1")
	is.down.Store(true)
	v, _ := NewVerifier(VerifierConfig{Issuer: is.url(), ClientID: "c"})
	tok := sign(t, is.keys["k1"], "k1", accessClaims(is.url(), "c", time.Now()))
	for range 5 {
		_, err := v.Verify(context.Background(), tok)
		if !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("Verify with the JWKS down: %v, want ErrKeysUnavailable", err)
		}
	}
	if n := is.fetches.Load(); n != 1 {
		t.Errorf("fetches while down = %d, want 1 (failures are remembered briefly)", n)
	}
}

func TestStringClaims(t *testing.T) {
	c := &Claims{Raw: map[string]any{
		"sub": "u", "exp": float64(1700000000), "email_verified": true,
		"cognito:groups": []any{"a", "b"}, "obj": map[string]any{"x": 1.5},
	}}
	got := c.StringClaims()
	want := map[string]string{"sub": "u", "exp": "1700000000", "email_verified": "true",
		"cognito:groups": "[a b]", "obj": `{"x":1.5}`}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
}

// Real tokens from cognito-local, for the testenv user pool.
func TestVerifyCognitoLocal(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl := testenv.NewCognitoClient(env.CognitoEndpoint)
	access, id := cognitoTokens(ctx, t, cl, env.CognitoUserPoolID, env.CognitoClientID)
	other, err := cl.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(env.CognitoUserPoolID), ClientName: aws.String("other-" + randHex(t)),
	})
	if err != nil {
		t.Fatal(err)
	}
	iss := env.CognitoEndpoint + "/" + env.CognitoUserPoolID
	// A token with cognito-local's claims and kid, signed by another key.
	forged := reSign(t, access)

	tests := []struct {
		name     string
		issuer   string
		clientID string
		token    string
		now      time.Time
		wantErr  error
	}{
		{"valid access token", iss, env.CognitoClientID, access, time.Time{}, nil},
		{"id token", iss, env.CognitoClientID, id, time.Time{}, ErrTokenInvalid},
		{"wrong client", iss, aws.ToString(other.UserPoolClient.ClientId), access, time.Time{}, ErrTokenInvalid},
		{"wrong issuer (another pool)", env.CognitoEndpoint + "/local_other", env.CognitoClientID, access, time.Time{}, ErrTokenInvalid},
		{"expired (a day later)", iss, env.CognitoClientID, access, time.Now().Add(25 * time.Hour), ErrTokenExpired},
		{"forged signature", iss, env.CognitoClientID, forged, time.Time{}, ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := VerifierConfig{Issuer: tt.issuer, ClientID: tt.clientID,
				JWKSURL: env.CognitoEndpoint + "/" + env.CognitoUserPoolID + "/.well-known/jwks.json"}
			if !tt.now.IsZero() {
				cfg.Now = func() time.Time { return tt.now }
			}
			v, err := NewVerifier(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.Verify(ctx, tt.token)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.Subject == "" || c.ClientID != env.CognitoClientID || c.Issuer != iss {
				t.Errorf("claims = %+v", c)
			}
		})
	}

	// API Gateway's rule accepts the id token (aud = the client) as well.
	v, _ := NewVerifier(VerifierConfig{Issuer: iss})
	for name, tok := range map[string]string{"access": access, "id": id} {
		if _, err := v.VerifyAudience(ctx, tok, []string{env.CognitoClientID}); err != nil {
			t.Errorf("VerifyAudience(%s token): %v", name, err)
		}
	}
}

// cognitoTokens signs up a fresh user, confirms it and signs it in.
func cognitoTokens(ctx context.Context, t *testing.T, cl *cip.Client, poolID, clientID string) (access, id string) {
	t.Helper()
	email := "auth-" + randHex(t) + "@example.com"
	const password = "Passw0rd!x"
	if _, err := cl.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(email), Password: aws.String(password),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	}); err != nil {
		t.Fatalf("sign up: %v", err)
	}
	if _, err := cl.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId: aws.String(poolID), Username: aws.String(email),
	}); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	out, err := cl.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return aws.ToString(out.AuthenticationResult.AccessToken), aws.ToString(out.AuthenticationResult.IdToken)
}

func reSign(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	sig, err := jwt.SigningMethodRS256.Sign(parts[0]+"."+parts[1], key)
	if err != nil {
		t.Fatal(err)
	}
	return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func randHex(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return strings.ToLower(base64.RawURLEncoding.EncodeToString(b))
}
