package testenv

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TOTP is the RFC 6238 code (SHA-1, 6 digits, 30 s steps: what Cognito and
// authenticator apps use) of a base32 secret at t: what an authenticator app
// would show. Tests only.
func TOTP(secret string, t time.Time) (string, error) {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		return "", fmt.Errorf("totp: the secret is not base32: %w", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000), nil
}

// Code is secret's TOTP code now.
func Code(tb testing.TB, secret string) string {
	tb.Helper()
	code, err := TOTP(secret, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return code
}

// WrongCode is a code that looks valid but is none of secret's codes within
// a step of now (the window a verifier accepts).
func WrongCode(tb testing.TB, secret string) string {
	tb.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := TOTP(secret, time.Now().Add(d))
		if err != nil {
			tb.Fatal(err)
		}
		valid[c] = true
	}
	for {
		c := fmt.Sprintf("%06d", rand.IntN(1_000_000))
		if !valid[c] {
			return c
		}
	}
}

// EnableMFA enrols the access token's user in TOTP MFA straight through the
// user pool (AssociateSoftwareToken, VerifySoftwareToken with a computed
// code, SetUserMFAPreference) and returns the secret.
func (e Env) EnableMFA(tb testing.TB, accessToken string) string {
	tb.Helper()
	ctx := context.Background()
	c := NewCognitoClient(e.CognitoEndpoint)
	out, err := c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(accessToken)})
	if err != nil {
		tb.Fatalf("testenv: AssociateSoftwareToken: %v", err)
	}
	secret := aws.ToString(out.SecretCode)
	if _, err := c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{
		AccessToken: aws.String(accessToken), UserCode: aws.String(Code(tb, secret)),
	}); err != nil {
		tb.Fatalf("testenv: VerifySoftwareToken: %v", err)
	}
	if _, err := c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{
		AccessToken:              aws.String(accessToken),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true},
	}); err != nil {
		tb.Fatalf("testenv: SetUserMFAPreference: %v", err)
	}
	return secret
}

// MFASession signs email in with password and returns the session of the
// SOFTWARE_TOKEN_MFA challenge the pool answers (failing the test otherwise).
func (e Env) MFASession(tb testing.TB, email, password string) string {
	tb.Helper()
	out, err := NewCognitoClient(e.CognitoEndpoint).InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(e.CognitoClientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		tb.Fatalf("testenv: sign in %s: %v", email, err)
	}
	if out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa || aws.ToString(out.Session) == "" {
		tb.Fatalf("testenv: sign in %s: challenge %q, want SOFTWARE_TOKEN_MFA with a session", email, out.ChallengeName)
	}
	return aws.ToString(out.Session)
}
