package cognito

import (
	"errors"
	"net/http"

	"github.com/aws/smithy-go"

	"github.com/macro-ai/macro-ai/shared/api"
)

// ExceptionName is the Cognito exception behind err ("NotAuthorizedException",
// …), or "" when err is not an answer from Cognito (a network failure, say).
func ExceptionName(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// APIError maps a Cognito failure to the API's errors. Messages are ours:
// Cognito's own text is never echoed to the client.
func APIError(err error) *api.Error {
	return apiError(err).WithCause(err)
}

func apiError(err error) *api.Error {
	switch ExceptionName(err) {
	case "NotAuthorizedException", "UserNotFoundException":
		// An unknown user answers like a wrong password: no account enumeration.
		return InvalidCredentials()
	case "UserNotConfirmedException":
		return api.Errorf(http.StatusForbidden, "user_not_confirmed", "confirm your e-mail address first: use the code we sent")
	case "UsernameExistsException", "AliasExistsException":
		return api.Errorf(http.StatusConflict, "user_exists", "an account with this e-mail already exists")
	case "CodeMismatchException":
		return api.ValidationFailed(api.FieldError{Field: "code", Message: "the code is wrong"})
	case "ExpiredCodeException":
		return api.ValidationFailed(api.FieldError{Field: "code", Message: "the code has expired; ask for a new one"})
	case "InvalidPasswordException":
		return api.ValidationFailed(api.FieldError{Field: "password", Message: "does not meet the password policy"})
	case "TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException":
		e := api.Errorf(http.StatusTooManyRequests, "rate_limited", "too many attempts; try again later")
		e.RetryAfter = 60
		return e
	default:
		return api.Errorf(http.StatusBadGateway, "upstream_error", "the identity provider failed; try again")
	}
}

// InvalidCredentials is 401 invalid_credentials.
func InvalidCredentials() *api.Error {
	return api.Errorf(http.StatusUnauthorized, "invalid_credentials", "the e-mail or password is wrong, or the session is no longer valid")
}

// WrongPassword maps the failure of a password check of a signed-in caller
// (a sign-in with the e-mail of their own token, before changing the password
// or deleting the account): a wrong password is 400 validation_failed on
// field, not 401, which would read as a session that ended; anything else
// maps as APIError does.
func WrongPassword(err error, field string) *api.Error {
	switch ExceptionName(err) {
	case "NotAuthorizedException", "UserNotFoundException", "InvalidPasswordException":
		// InvalidPasswordException: cognito-local's answer to a wrong password.
		return api.ValidationFailed(api.FieldError{Field: field, Message: "the password is wrong"}).WithCause(err)
	}
	return APIError(err)
}

// ChangePasswordError maps a ChangePassword failure after the current
// password was checked: the policy refusing the new password is 400 on
// newPassword; anything else maps as APIError does.
func ChangePasswordError(err error) *api.Error {
	if ExceptionName(err) == "InvalidPasswordException" {
		return api.ValidationFailed(api.FieldError{Field: "newPassword", Message: "does not meet the password policy"}).WithCause(err)
	}
	return APIError(err)
}
