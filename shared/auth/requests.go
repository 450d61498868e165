package auth

import "strings"

// NormalizeEmail trims and lower-cases an e-mail, as API.md requires.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Credentials is the body of sign-up (which checks the password policy) and,
// without the policy, of sign-in.
type Credentials struct {
	Email    string `json:"email" validate:"required,max=254,email"`
	Password string `json:"password" validate:"required,password"`
}

// Normalize implements api.Normalizer.
func (c *Credentials) Normalize() { c.Email = NormalizeEmail(c.Email) }

// SignInRequest is the body of sign-in: the policy is not checked, so a wrong
// password always meets the same 401.
type SignInRequest struct {
	Email    string `json:"email" validate:"required,max=254,email"`
	Password string `json:"password" validate:"required,max=256"`
}

// Normalize implements api.Normalizer.
func (c *SignInRequest) Normalize() { c.Email = NormalizeEmail(c.Email) }

// EmailRequest is the body of resend-code and forgot-password.
type EmailRequest struct {
	Email string `json:"email" validate:"required,max=254,email"`
}

// Normalize implements api.Normalizer.
func (r *EmailRequest) Normalize() { r.Email = NormalizeEmail(r.Email) }

// ConfirmRequest is the body of confirm.
type ConfirmRequest struct {
	Email string `json:"email" validate:"required,max=254,email"`
	Code  string `json:"code" validate:"required,max=20"`
}

// Normalize implements api.Normalizer.
func (r *ConfirmRequest) Normalize() {
	r.Email = NormalizeEmail(r.Email)
	r.Code = strings.TrimSpace(r.Code)
}

// ResetPasswordRequest is the body of reset-password.
type ResetPasswordRequest struct {
	Email       string `json:"email" validate:"required,max=254,email"`
	Code        string `json:"code" validate:"required,max=20"`
	NewPassword string `json:"newPassword" validate:"required,password"`
}

// Normalize implements api.Normalizer.
func (r *ResetPasswordRequest) Normalize() {
	r.Email = NormalizeEmail(r.Email)
	r.Code = strings.TrimSpace(r.Code)
}

// RefreshRequest is the body of refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refreshToken" validate:"required,max=8192"`
}
