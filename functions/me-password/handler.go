package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cognito"
)

type handler struct{ cognito *cognito.Client }

// Serve: POST /me/password {currentPassword, newPassword} (auth) → 200 new
// tokens, as POST /auth/sign-in answers (an mfa_required challenge when MFA
// is on).
//
//  1. The body: the new password meets the policy and differs from the
//     current one (400 before any Cognito call).
//  2. The caller's e-mail from Cognito, by their access token (401 for a
//     token Cognito no longer honours: signed out, user deleted).
//  3. The current password, checked by a sign-in with that e-mail: a wrong
//     one is 400 on currentPassword. (Cognito's ChangePassword checks it too,
//     but its answer to a wrong one — NotAuthorizedException, also its answer
//     to a revoked token — cannot be told from a session that ended, and
//     cognito-local answers InvalidPasswordException, its answer to a weak
//     new password too; a sign-in is the same check everywhere.)
//  4. ChangePassword with the access token; the policy refusing the new
//     password is 400 on newPassword.
//  5. Every session is signed out (GlobalSignOut: every refresh token,
//     the other devices' and the check's own, is revoked), and this one signs
//     in again with the new password: the caller gets fresh tokens, and
//     whoever held the old password and a session elsewhere is out. With
//     MFA on, that sign-in waits for a code: the answer is then the
//     mfa_required challenge of POST /auth/sign-in.
//
// Passwords are never logged: the errors carry Cognito's exception, not the
// request.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.ChangePasswordRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	token := api.BearerToken(req)
	if token == "" {
		return api.Response{}, api.Unauthorized()
	}
	email, err := h.cognito.Email(ctx, token)
	if err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	if _, err := h.cognito.SignIn(ctx, email, body.CurrentPassword); err != nil && !cognito.PasswordRight(err) {
		// An MFA challenge means the password was right.
		return api.Response{}, cognito.WrongPassword(err, "currentPassword")
	}
	if err := h.cognito.ChangePassword(ctx, token, body.CurrentPassword, body.NewPassword); err != nil {
		return api.Response{}, cognito.ChangePasswordError(err)
	}
	// The password has changed: from here on a failure must say so, or the
	// caller would retry with the old one.
	if err := h.cognito.SignOut(ctx, token); err != nil {
		slog.WarnContext(ctx, "password changed; signing out the other sessions failed", "error", err.Error())
	}
	tokens, err := h.cognito.SignIn(ctx, email, body.NewPassword)
	var mfa *cognito.MFARequired
	if errors.As(err, &mfa) {
		// MFA is on: this session too signs in again, with the new password
		// and a code (or completes this challenge at POST /auth/mfa/challenge).
		return api.JSON(http.StatusOK, mfa.Challenge()), nil
	}
	if err != nil {
		return api.Response{}, api.Errorf(http.StatusBadGateway, "upstream_error",
			"the password was changed, but signing in again failed: sign in with the new password").WithCause(err)
	}
	return api.JSON(http.StatusOK, tokens), nil
}
