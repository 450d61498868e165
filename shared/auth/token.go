// Package auth verifies Cognito JWTs against the user pool's JWKS: what the
// HTTP API's JWT authorizer does, and what the streamed chat function (a
// Function URL, which has no authorizer) does itself.
package auth

// This file verifies Cognito tokens against the user pool's JWKS.

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	// ErrTokenExpired is a well-signed token past its exp: the client should refresh.
	ErrTokenExpired = errors.New("auth: token expired")
	// ErrTokenInvalid is any other rejected token: malformed, forged, wrong
	// issuer, audience or token use, not yet valid.
	ErrTokenInvalid = errors.New("auth: token invalid")
	// ErrKeysUnavailable means the JWKS could not be fetched: the token was not
	// judged, the verifier's dependency is down.
	ErrKeysUnavailable = errors.New("auth: signing keys unavailable")
)

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	// Issuer is the user pool's issuer: https://cognito-idp.{region}.amazonaws.com/{poolId}
	// (cognito-local: {endpoint}/{poolId}).
	Issuer string
	// ClientID is the app client whose access tokens Verify accepts.
	ClientID string
	// JWKSURL defaults to Issuer + "/.well-known/jwks.json".
	JWKSURL string
	// HTTPClient fetches the JWKS; default a client with a 5 s timeout.
	HTTPClient *http.Client
	// Leeway tolerates clock skew on exp, nbf and iat; default 30 s.
	Leeway time.Duration
	// RefreshInterval is the least time between two JWKS fetches caused by an
	// unknown key id; default 60 s. A failed fetch is retried after at most 2 s.
	RefreshInterval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Claims are the verified claims of a token.
type Claims struct {
	Subject   string    // sub: the user's id
	Username  string    // username (access) or cognito:username (id)
	ClientID  string    // client_id (access tokens)
	Audience  []string  // aud (id tokens)
	TokenUse  string    // access or id
	Scopes    []string  // scope, split on spaces
	Groups    []string  // cognito:groups
	Email     string    // email (id tokens)
	Issuer    string    // iss
	IssuedAt  time.Time // iat
	ExpiresAt time.Time // exp
	// Raw holds every claim as decoded from JSON.
	Raw map[string]any
}

// Verifier checks Cognito JWTs. It fetches the JWKS lazily on first use,
// caches it, and refetches it only for an unknown key id, at most once per
// RefreshInterval. It is safe for concurrent use.
type Verifier struct {
	cfg  VerifierConfig
	keys *keySet
}

// NewVerifier returns a Verifier for cfg. It does no network I/O.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("auth: verifier needs an Issuer")
	}
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = cfg.Issuer + "/.well-known/jwks.json"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = 30 * time.Second
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Verifier{cfg: cfg, keys: &keySet{
		url: cfg.JWKSURL, client: cfg.HTTPClient, interval: cfg.RefreshInterval, now: cfg.Now,
	}}, nil
}

// Verify checks an access token for the configured client: RS256 signature by
// a key of the pool's JWKS, iss, exp/nbf/iat with leeway, token_use "access"
// and client_id equal to ClientID. The error wraps ErrTokenExpired,
// ErrTokenInvalid or ErrKeysUnavailable.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	c, err := v.parse(ctx, token)
	if err != nil {
		return nil, err
	}
	if c.TokenUse != "access" {
		return nil, fmt.Errorf("%w: token_use is %q, want access", ErrTokenInvalid, c.TokenUse)
	}
	if v.cfg.ClientID == "" || c.ClientID != v.cfg.ClientID {
		return nil, fmt.Errorf("%w: client_id %q is not this app's client", ErrTokenInvalid, c.ClientID)
	}
	return c, nil
}

// VerifyAudience checks a token the way API Gateway's HTTP API JWT authorizer
// does: signature, iss, exp/nbf/iat, and aud — or client_id when the token has
// no aud — among audience. Access and id tokens both pass, as they do on API
// Gateway. Functions that take only access tokens use Verify.
func (v *Verifier) VerifyAudience(ctx context.Context, token string, audience []string) (*Claims, error) {
	c, err := v.parse(ctx, token)
	if err != nil {
		return nil, err
	}
	if len(c.Audience) > 0 {
		if !slices.ContainsFunc(c.Audience, func(a string) bool { return slices.Contains(audience, a) }) {
			return nil, fmt.Errorf("%w: the token does not have a valid audience", ErrTokenInvalid)
		}
		return c, nil
	}
	if c.ClientID == "" || !slices.Contains(audience, c.ClientID) {
		return nil, fmt.Errorf("%w: the token does not have a valid audience", ErrTokenInvalid)
	}
	return c, nil
}

// parse verifies the signature and the time and issuer claims.
func (v *Verifier) parse(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: no token", ErrTokenInvalid)
	}
	var keyErr error
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(v.cfg.Issuer),
		jwt.WithLeeway(v.cfg.Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(v.cfg.Now),
	)
	mc := jwt.MapClaims{}
	_, err := p.ParseWithClaims(token, mc, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("no kid in the token header")
		}
		k, err := v.keys.get(ctx, kid)
		if err != nil && errors.Is(err, ErrKeysUnavailable) {
			keyErr = err
		}
		return k, err
	})
	switch {
	case keyErr != nil:
		return nil, keyErr
	case errors.Is(err, jwt.ErrTokenExpired):
		// golang-jwt v5 checks the signature before the claims: this token is genuine.
		return nil, fmt.Errorf("%w: %v", ErrTokenExpired, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	return claimsFrom(mc), nil
}

func claimsFrom(mc jwt.MapClaims) *Claims {
	str := func(k string) string { s, _ := mc[k].(string); return s }
	c := &Claims{
		Subject:  str("sub"),
		Username: str("username"),
		ClientID: str("client_id"),
		TokenUse: str("token_use"),
		Email:    str("email"),
		Issuer:   str("iss"),
		Raw:      mc,
	}
	if c.Username == "" {
		c.Username = str("cognito:username")
	}
	c.Audience, _ = mc.GetAudience()
	if s := str("scope"); s != "" {
		c.Scopes = strings.Fields(s)
	}
	if gs, ok := mc["cognito:groups"].([]any); ok {
		for _, g := range gs {
			if s, ok := g.(string); ok {
				c.Groups = append(c.Groups, s)
			}
		}
	}
	if t, err := mc.GetIssuedAt(); err == nil && t != nil {
		c.IssuedAt = t.Time
	}
	if t, err := mc.GetExpirationTime(); err == nil && t != nil {
		c.ExpiresAt = t.Time
	}
	return c
}

// StringClaims renders every claim as a string, the way API Gateway passes
// them in requestContext.authorizer.jwt.claims: strings as they are, numbers
// in decimal, arrays as "[a b]", objects as JSON.
func (c *Claims) StringClaims() map[string]string {
	out := make(map[string]string, len(c.Raw))
	for k, v := range c.Raw {
		switch x := v.(type) {
		case string:
			out[k] = x
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			out[k] = fmt.Sprint(x)
		case []any:
			parts := make([]string, len(x))
			for i, e := range x {
				parts[i] = fmt.Sprint(e)
			}
			out[k] = "[" + strings.Join(parts, " ") + "]"
		default:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		}
	}
	return out
}

// keySet is a lazily fetched, cached JWKS.
type keySet struct {
	url      string
	client   *http.Client
	interval time.Duration
	now      func() time.Time

	mu      sync.RWMutex
	keys    map[string]*rsa.PublicKey
	fetchMu sync.Mutex // one fetch at a time
	lastTry time.Time  // last fetch attempt
	lastErr error      // its error
}

// failureRetry bounds how long a failed fetch is remembered.
const failureRetry = 2 * time.Second

func (s *keySet) get(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	s.mu.RLock()
	k, ok := s.keys[kid]
	s.mu.RUnlock()
	if ok {
		return k, nil
	}

	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	s.mu.RLock()
	k, ok = s.keys[kid]
	fetched := s.keys != nil
	s.mu.RUnlock()
	if ok { // another caller fetched it meanwhile
		return k, nil
	}
	since := s.now().Sub(s.lastTry)
	switch {
	case s.lastErr != nil && since < min(failureRetry, s.interval):
		return nil, s.lastErr
	case s.lastErr == nil && fetched && since < s.interval:
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	s.lastTry = s.now()
	keys, err := s.fetch(ctx)
	if err != nil {
		s.lastErr = fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
		return nil, s.lastErr
	}
	s.lastErr = nil
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

func (s *keySet) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS %s: status %d", s.url, resp.StatusCode)
	}
	var doc struct {
		Keys []struct {
			Kty, Kid, Use, Alg, N, E string
		} `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode JWKS %s: %w", s.url, err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if err1 != nil || err2 != nil || len(e) > 4 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("JWKS %s has no RSA signing keys", s.url)
	}
	return keys, nil
}
