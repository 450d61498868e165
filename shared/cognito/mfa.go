package cognito

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/macro-ai/macro-ai/shared/api"
)

// MFARequired is a sign-in whose password was right and that waits for a code
// of the user's authenticator app (Cognito's SOFTWARE_TOKEN_MFA challenge):
// RespondMFA completes it with Session. Its message never holds the session.
type MFARequired struct{ Session string }

func (*MFARequired) Error() string { return "cognito: the sign-in waits for an authenticator code" }

// MFAChallenge is the body of a sign-in that waits for a code (openapi.yaml's
// MFAChallenge): 200 {"challenge":"mfa_required","session":…}.
type MFAChallenge struct {
	Challenge string `json:"challenge"`
	Session   string `json:"session"`
}

// Challenge is the answer to a sign-in that waits for a code.
func (e *MFARequired) Challenge() MFAChallenge {
	return MFAChallenge{Challenge: "mfa_required", Session: e.Session}
}

// PasswordRight tells whether err, the failure of a sign-in, is the MFA
// challenge: the password was right and only the code is missing.
func PasswordRight(err error) bool {
	var m *MFARequired
	return errors.As(err, &m)
}

// AssociateSoftwareToken starts enrolling the access token's user in TOTP MFA:
// a new secret (base32), which counts once VerifySoftwareToken confirms it.
func (c *Client) AssociateSoftwareToken(ctx context.Context, accessToken string) (string, error) {
	out, err := c.client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(accessToken)})
	if err != nil {
		return "", fmt.Errorf("cognito AssociateSoftwareToken: %w", err)
	}
	return aws.ToString(out.SecretCode), nil
}

// VerifySoftwareToken confirms the secret AssociateSoftwareToken gave with a
// code of the app.
func (c *Client) VerifySoftwareToken(ctx context.Context, accessToken, code string) error {
	out, err := c.client.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{
		AccessToken: aws.String(accessToken), UserCode: aws.String(code), FriendlyDeviceName: aws.String("Authenticator app"),
	})
	if err != nil {
		return fmt.Errorf("cognito VerifySoftwareToken: %w", err)
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return fmt.Errorf("cognito VerifySoftwareToken: status %q", out.Status)
	}
	return nil
}

// SetSoftwareTokenMFA turns TOTP MFA on (and preferred) or off for the access
// token's user.
func (c *Client) SetSoftwareTokenMFA(ctx context.Context, accessToken string, on bool) error {
	_, err := c.client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{
		AccessToken:              aws.String(accessToken),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: on, PreferredMfa: on},
	})
	if err != nil {
		return fmt.Errorf("cognito SetUserMFAPreference: %w", err)
	}
	return nil
}

// Account returns the e-mail of the access token's user and whether they
// sign in with a TOTP code, in one GetUser.
func (c *Client) Account(ctx context.Context, accessToken string) (email string, mfa bool, err error) {
	out, err := c.client.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(accessToken)})
	if err != nil {
		return "", false, fmt.Errorf("cognito GetUser: %w", err)
	}
	for _, a := range out.UserAttributes {
		if aws.ToString(a.Name) == "email" {
			email = aws.ToString(a.Value)
		}
	}
	for _, m := range out.UserMFASettingList {
		if m == string(types.ChallengeNameTypeSoftwareTokenMfa) {
			mfa = true
		}
	}
	if email == "" {
		return "", false, errors.New("cognito GetUser: the user has no email attribute")
	}
	return email, mfa, nil
}

// RespondMFA completes a sign-in that MFARequired interrupted, with the code
// of the user's app.
func (c *Client) RespondMFA(ctx context.Context, email, session, code string) (*Tokens, error) {
	responses := map[string]string{"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code}
	if h := c.secretHash(email); h != nil {
		responses["SECRET_HASH"] = *h
	}
	out, err := c.client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(c.clientID), ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa,
		Session: aws.String(session), ChallengeResponses: responses,
	})
	if err != nil {
		return nil, fmt.Errorf("cognito RespondToAuthChallenge SOFTWARE_TOKEN_MFA: %w", err)
	}
	if out.AuthenticationResult == nil {
		return nil, fmt.Errorf("cognito RespondToAuthChallenge: unexpected challenge %q", out.ChallengeName)
	}
	return fromResult(out.AuthenticationResult), nil
}

// RevokeToken revokes a refresh token and the access tokens issued with it.
func (c *Client) RevokeToken(ctx context.Context, refreshToken string) error {
	_, err := c.client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(c.clientID), Token: aws.String(refreshToken)})
	if err != nil {
		return fmt.Errorf("cognito RevokeToken: %w", err)
	}
	return nil
}

// WrongMFACode maps the failure of a code check of a signed-in caller
// (enrolling, turning MFA off): a wrong code is 400 validation_failed on
// code, with message — not 401, which the web client reads as a session that
// ended; anything else maps as APIError does.
func WrongMFACode(err error, message string) *api.Error {
	switch ExceptionName(err) {
	case "CodeMismatchException", "EnableSoftwareTokenMFAException", "NotAuthorizedException", "InvalidPasswordException", "UserNotFoundException":
		// NotAuthorized also answers an expired or spent session; InvalidPassword
		// is cognito-local's answer to a wrong password.
		return api.ValidationFailed(api.FieldError{Field: "code", Message: message}).WithCause(err)
	}
	return APIError(err)
}

// ChallengeError maps the failure of POST /auth/mfa/challenge: a wrong code,
// an expired or spent session and an unknown user are the one 401 of a wrong
// password, so the answer never tells which part was wrong.
func ChallengeError(err error) *api.Error {
	switch ExceptionName(err) {
	case "CodeMismatchException", "NotAuthorizedException", "UserNotFoundException", "ExpiredCodeException", "InvalidParameterException":
		return InvalidCredentials().WithCause(err)
	}
	return APIError(err)
}

// MFAEnabledConflict is 409 mfa_enabled: enrolling again while MFA is on.
func MFAEnabledConflict() *api.Error {
	return api.Errorf(http.StatusConflict, "mfa_enabled", "two-step sign-in is already on; turn it off first")
}

// MFANotEnabled is 409 mfa_not_enabled: turning off MFA that is off.
func MFANotEnabled() *api.Error {
	return api.Errorf(http.StatusConflict, "mfa_not_enabled", "two-step sign-in is not on")
}

// OTPAuthURI is the otpauth:// URI (Google Authenticator's key URI format)
// of a TOTP secret for account, which an authenticator app reads from a QR
// code: SHA-1, 6 digits, 30 s, as Cognito's codes are.
func OTPAuthURI(issuer, account, secret string) string {
	label := escape(issuer) + ":" + escape(account)
	return "otpauth://totp/" + label + "?secret=" + secret + "&issuer=" + escape(issuer) +
		"&algorithm=SHA1&digits=6&period=30"
}

// escape percent-encodes everything but unreserved characters and @ (a space
// is %20, in the label as in the query).
func escape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~', c == '@':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
