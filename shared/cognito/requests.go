package cognito

import (
	"strings"

	"github.com/macro-ai/macro-ai/shared/api"
)

// NormalizeEmail trims and lower-cases an e-mail, as the API does for every
// address it is given (openapi.yaml).
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// maxEmail is the longest address SMTP allows.
const maxEmail = 254

// Credentials is the body of sign-up: the password policy is checked.
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Normalize implements api.Normalizer.
func (c *Credentials) Normalize() { c.Email = NormalizeEmail(c.Email) }

// Validate implements api.Validator.
func (c *Credentials) Validate() error {
	var f api.Fields
	f.Required("email", c.Email, api.MaxChars(maxEmail), api.Email)
	f.Required("password", c.Password, api.Password)
	return f.Err()
}

// SignInRequest is the body of sign-in: the policy is not checked, so a wrong
// password always meets the same 401.
type SignInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Normalize implements api.Normalizer.
func (r *SignInRequest) Normalize() { r.Email = NormalizeEmail(r.Email) }

// Validate implements api.Validator.
func (r *SignInRequest) Validate() error {
	var f api.Fields
	f.Required("email", r.Email, api.MaxChars(maxEmail), api.Email)
	f.Required("password", r.Password, api.MaxChars(256))
	return f.Err()
}

// EmailRequest is the body of resend-code and forgot-password.
type EmailRequest struct {
	Email string `json:"email"`
}

// Normalize implements api.Normalizer.
func (r *EmailRequest) Normalize() { r.Email = NormalizeEmail(r.Email) }

// Validate implements api.Validator.
func (r *EmailRequest) Validate() error {
	var f api.Fields
	f.Required("email", r.Email, api.MaxChars(maxEmail), api.Email)
	return f.Err()
}

// ConfirmRequest is the body of confirm.
type ConfirmRequest struct {
	Email string `json:"email"`
	Code  string `json:"code"`
}

// Normalize implements api.Normalizer.
func (r *ConfirmRequest) Normalize() {
	r.Email = NormalizeEmail(r.Email)
	r.Code = strings.TrimSpace(r.Code)
}

// Validate implements api.Validator.
func (r *ConfirmRequest) Validate() error {
	var f api.Fields
	f.Required("email", r.Email, api.MaxChars(maxEmail), api.Email)
	f.Required("code", r.Code, api.MaxChars(20))
	return f.Err()
}

// ResetPasswordRequest is the body of reset-password.
type ResetPasswordRequest struct {
	Email       string `json:"email"`
	Code        string `json:"code"`
	NewPassword string `json:"newPassword"`
}

// Normalize implements api.Normalizer.
func (r *ResetPasswordRequest) Normalize() {
	r.Email = NormalizeEmail(r.Email)
	r.Code = strings.TrimSpace(r.Code)
}

// Validate implements api.Validator.
func (r *ResetPasswordRequest) Validate() error {
	var f api.Fields
	f.Required("email", r.Email, api.MaxChars(maxEmail), api.Email)
	f.Required("code", r.Code, api.MaxChars(20))
	f.Required("newPassword", r.NewPassword, api.Password)
	return f.Err()
}

// RefreshRequest is the body of refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// Validate implements api.Validator.
func (r *RefreshRequest) Validate() error {
	var f api.Fields
	f.Required("refreshToken", r.RefreshToken, api.MaxChars(8192))
	return f.Err()
}

// ChangePasswordRequest is the body of POST /me/password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// Validate implements api.Validator. The current password is not checked
// against the policy (an old password may predate it); the new one is, and
// must differ from it.
func (r *ChangePasswordRequest) Validate() error {
	var f api.Fields
	f.Required("currentPassword", r.CurrentPassword, api.MaxChars(256))
	f.Required("newPassword", r.NewPassword, api.Password)
	if r.CurrentPassword != "" && r.NewPassword == r.CurrentPassword {
		f.Add("newPassword", "must differ from the current password")
	}
	return f.Err()
}

// PasswordRequest is the body of POST /me/delete: the password, asked again.
type PasswordRequest struct {
	Password string `json:"password"`
}

// Validate implements api.Validator.
func (r *PasswordRequest) Validate() error {
	var f api.Fields
	f.Required("password", r.Password, api.MaxChars(256))
	return f.Err()
}

// sixDigits is the form of a TOTP code: Cognito's are 6 digits.
func sixDigits(s string) (bool, string) {
	if len(s) != 6 {
		return false, "must be the 6-digit code of your authenticator app"
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false, "must be the 6-digit code of your authenticator app"
		}
	}
	return true, ""
}

// normalizeCode drops the spaces an app shows in a code ("123 456").
func normalizeCode(s string) string { return strings.Join(strings.Fields(s), "") }

// MFACodeRequest is the body of POST /auth/mfa/verify.
type MFACodeRequest struct {
	Code string `json:"code"`
}

// Normalize implements api.Normalizer.
func (r *MFACodeRequest) Normalize() { r.Code = normalizeCode(r.Code) }

// Validate implements api.Validator.
func (r *MFACodeRequest) Validate() error {
	var f api.Fields
	f.Required("code", r.Code, sixDigits)
	return f.Err()
}

// MFADisableRequest is the body of POST /auth/mfa/disable: the password and a
// current code, both checked by a sign-in (Cognito checks a code of an
// enrolled app nowhere else).
type MFADisableRequest struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

// Normalize implements api.Normalizer.
func (r *MFADisableRequest) Normalize() { r.Code = normalizeCode(r.Code) }

// Validate implements api.Validator.
func (r *MFADisableRequest) Validate() error {
	var f api.Fields
	f.Required("password", r.Password, api.MaxChars(256))
	f.Required("code", r.Code, sixDigits)
	return f.Err()
}

// MFAChallengeRequest is the body of POST /auth/mfa/challenge: the sign-in's
// e-mail, the session its mfa_required answer gave, and the app's code.
type MFAChallengeRequest struct {
	Email   string `json:"email"`
	Session string `json:"session"`
	Code    string `json:"code"`
}

// Normalize implements api.Normalizer.
func (r *MFAChallengeRequest) Normalize() {
	r.Email = NormalizeEmail(r.Email)
	r.Code = normalizeCode(r.Code)
}

// Validate implements api.Validator. Cognito's sessions are 20 to 2048
// characters.
func (r *MFAChallengeRequest) Validate() error {
	var f api.Fields
	f.Required("email", r.Email, api.MaxChars(maxEmail), api.Email)
	f.Required("session", r.Session, api.CharsBetween(20, 2048))
	f.Required("code", r.Code, sixDigits)
	return f.Err()
}
