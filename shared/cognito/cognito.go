// Package cognito is accounts: the Cognito user-pool calls behind the auth
// routes, their request bodies, and the mapping of Cognito's exceptions to
// the API's errors (openapi.yaml). (Token verification is package auth's, so that functions
// that only verify tokens do not link the AWS SDK.)
package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/macro-ai/macro-ai/shared/config"
)

// Client calls the user pool's public (token- or client-authenticated) API:
// none of these calls needs AWS credentials, so the client skips the SDK's
// credential chain and its cold-start cost.
type Client struct {
	client   *cip.Client
	clientID string
	secret   string
}

// FromEnv returns the client of the pool and app client in COGNITO_*.
func FromEnv() (*Client, error) {
	cfg, err := config.Load[config.Cognito]()
	if err != nil {
		return nil, err
	}
	return New(cfg), nil
}

// New returns a client for cfg's pool and app client.
func New(cfg config.Cognito) *Client {
	opts := cip.Options{
		Region:      cfg.Region,
		HTTPClient:  &http.Client{Timeout: cfg.Timeout},
		Retryer:     retry.AddWithMaxAttempts(retry.NewStandard(), 2),
		Credentials: aws.AnonymousCredentials{},
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	return &Client{client: cip.New(opts), clientID: cfg.ClientID, secret: cfg.ClientSecret}
}

// Tokens are what a sign-in or a refresh returns.
type Tokens struct {
	AccessToken  string `json:"accessToken"`
	IDToken      string `json:"idToken"`
	RefreshToken string `json:"refreshToken,omitempty"`
	ExpiresIn    int32  `json:"expiresIn"`
	TokenType    string `json:"tokenType"`
}

// secretHash is SECRET_HASH for an app client with a secret, else nil.
func (c *Client) secretHash(username string) *string {
	if c.secret == "" {
		return nil
	}
	mac := hmac.New(sha256.New, []byte(c.secret))
	mac.Write([]byte(username + c.clientID))
	return aws.String(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// SignUp registers email with password and returns the new user's sub and
// whether the pool confirmed it already.
func (c *Client) SignUp(ctx context.Context, email, password string) (sub string, confirmed bool, err error) {
	out, err := c.client.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(c.clientID), Username: aws.String(email), Password: aws.String(password),
		SecretHash:     c.secretHash(email),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	})
	if err != nil {
		return "", false, fmt.Errorf("cognito SignUp: %w", err)
	}
	return aws.ToString(out.UserSub), out.UserConfirmed, nil
}

// ConfirmSignUp confirms email with the code the pool sent.
func (c *Client) ConfirmSignUp(ctx context.Context, email, code string) error {
	_, err := c.client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(c.clientID), Username: aws.String(email), ConfirmationCode: aws.String(code),
		SecretHash: c.secretHash(email),
	})
	if err != nil {
		return fmt.Errorf("cognito ConfirmSignUp: %w", err)
	}
	return nil
}

// ResendCode sends email a new confirmation code.
func (c *Client) ResendCode(ctx context.Context, email string) error {
	_, err := c.client.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{
		ClientId: aws.String(c.clientID), Username: aws.String(email), SecretHash: c.secretHash(email),
	})
	if err != nil {
		return fmt.Errorf("cognito ResendConfirmationCode: %w", err)
	}
	return nil
}

// SignIn runs USER_PASSWORD_AUTH. A user with MFA on gets an *MFARequired
// error carrying the challenge's session: the password was right.
func (c *Client) SignIn(ctx context.Context, email, password string) (*Tokens, error) {
	params := map[string]string{"USERNAME": email, "PASSWORD": password}
	if h := c.secretHash(email); h != nil {
		params["SECRET_HASH"] = *h
	}
	out, err := c.client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(c.clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params,
	})
	if err != nil {
		return nil, fmt.Errorf("cognito InitiateAuth USER_PASSWORD_AUTH: %w", err)
	}
	return tokens(out)
}

// Refresh runs REFRESH_TOKEN_AUTH. (An app client with a secret would need the
// user's name for SECRET_HASH, which the refresh route does not take: the
// template's client has no secret.)
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	out, err := c.client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(c.clientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken},
	})
	if err != nil {
		return nil, fmt.Errorf("cognito InitiateAuth REFRESH_TOKEN_AUTH: %w", err)
	}
	return tokens(out)
}

func tokens(out *cip.InitiateAuthOutput) (*Tokens, error) {
	r := out.AuthenticationResult
	if r == nil {
		if out.ChallengeName == types.ChallengeNameTypeSoftwareTokenMfa && aws.ToString(out.Session) != "" {
			return nil, &MFARequired{Session: aws.ToString(out.Session)}
		}
		// A challenge (SMS, new password) the API does not offer.
		return nil, fmt.Errorf("cognito InitiateAuth: unsupported challenge %q", out.ChallengeName)
	}
	return fromResult(r), nil
}

// fromResult is the Tokens of Cognito's AuthenticationResult.
func fromResult(r *types.AuthenticationResultType) *Tokens {
	tokenType := aws.ToString(r.TokenType)
	if tokenType == "" {
		tokenType = "Bearer"
	}
	t := &Tokens{
		AccessToken: aws.ToString(r.AccessToken), IDToken: aws.ToString(r.IdToken),
		RefreshToken: aws.ToString(r.RefreshToken), ExpiresIn: r.ExpiresIn, TokenType: tokenType,
	}
	if t.ExpiresIn == 0 {
		// Cognito always says; an emulator may not: the token's own exp tells.
		t.ExpiresIn = secondsLeft(t.AccessToken)
	}
	return t
}

// ForgotPassword sends email a code to reset the password.
func (c *Client) ForgotPassword(ctx context.Context, email string) error {
	_, err := c.client.ForgotPassword(ctx, &cip.ForgotPasswordInput{
		ClientId: aws.String(c.clientID), Username: aws.String(email), SecretHash: c.secretHash(email),
	})
	if err != nil {
		return fmt.Errorf("cognito ForgotPassword: %w", err)
	}
	return nil
}

// ResetPassword sets a new password with the code ForgotPassword sent.
func (c *Client) ResetPassword(ctx context.Context, email, code, newPassword string) error {
	_, err := c.client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: aws.String(c.clientID), Username: aws.String(email), ConfirmationCode: aws.String(code),
		Password: aws.String(newPassword), SecretHash: c.secretHash(email),
	})
	if err != nil {
		return fmt.Errorf("cognito ConfirmForgotPassword: %w", err)
	}
	return nil
}

// SignOut signs the token's user out everywhere: every refresh token is revoked.
func (c *Client) SignOut(ctx context.Context, accessToken string) error {
	if _, err := c.client.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(accessToken)}); err != nil {
		return fmt.Errorf("cognito GlobalSignOut: %w", err)
	}
	return nil
}

// ChangePassword changes the access token's user's password from previous
// to proposed.
func (c *Client) ChangePassword(ctx context.Context, accessToken, previous, proposed string) error {
	_, err := c.client.ChangePassword(ctx, &cip.ChangePasswordInput{
		AccessToken: aws.String(accessToken), PreviousPassword: aws.String(previous), ProposedPassword: aws.String(proposed),
	})
	if err != nil {
		return fmt.Errorf("cognito ChangePassword: %w", err)
	}
	return nil
}

// DeleteUser deletes the access token's user from the pool: the login, its
// attributes and every refresh token. Authorised by the token, not by IAM.
func (c *Client) DeleteUser(ctx context.Context, accessToken string) error {
	if _, err := c.client.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: aws.String(accessToken)}); err != nil {
		return fmt.Errorf("cognito DeleteUser: %w", err)
	}
	return nil
}

// Email returns the e-mail of the access token's user.
func (c *Client) Email(ctx context.Context, accessToken string) (string, error) {
	out, err := c.client.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(accessToken)})
	if err != nil {
		return "", fmt.Errorf("cognito GetUser: %w", err)
	}
	for _, a := range out.UserAttributes {
		if aws.ToString(a.Name) == "email" {
			return aws.ToString(a.Value), nil
		}
	}
	return "", errors.New("cognito GetUser: the user has no email attribute")
}

// secondsLeft is the lifetime left of a JWT that Cognito just issued, from its
// unverified exp claim; 0 if unreadable.
func secondsLeft(token string) int32 {
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if payload(token, &claims) != nil || claims.Exp == 0 {
		return 0
	}
	return int32(min(max(0, claims.Exp-time.Now().Unix()), math.MaxInt32)) // never wrapped negative
}

// payload decodes a JWT's claims without verifying it.
func payload(token string, v any) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("decode JWT payload: %w", err)
	}
	return json.Unmarshal(b, v)
}

// IdentityOf reads sub and email from an ID token that Cognito itself just
// returned over TLS; it does not verify the signature, so it must never be
// used on a token a client sent.
func IdentityOf(idToken string) (sub, email string, err error) {
	var claims struct {
		Sub   string `json:"sub"`
		Email string `json:"email"`
	}
	if err := payload(idToken, &claims); err != nil {
		return "", "", fmt.Errorf("read id token: %w", err)
	}
	if claims.Sub == "" {
		return "", "", errors.New("id token has no sub")
	}
	return claims.Sub, claims.Email, nil
}
