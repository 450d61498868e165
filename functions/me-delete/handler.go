package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/cognito"
	"github.com/macro-ai/macro-ai/shared/store"
)

type handler struct {
	cognito *cognito.Client
	db      store.DB
	redis   *redis.Client
	files   fileStore // the data bucket
}

// fileStore removes objects by key prefix (blob.Store does).
type fileStore interface {
	DeletePrefix(ctx context.Context, prefix string) (int, error)
}

// filePrefixes are where the data bucket keeps a user's files: the imports
// they uploaded and the exports they made (docs/import-export.md).
func filePrefixes(userID string) []string {
	return []string{"imports/" + userID + "/", "exports/" + userID + "/"}
}

// Serve: POST /me/delete {password} (auth) → 204: the account and all its
// data are gone. In this order (docs/decisions.md#deleting-an-account):
//
//  1. The body, then the caller's e-mail from Cognito by their access token
//     (401 for a token Cognito no longer honours), then the password, checked
//     by a sign-in with that e-mail: a wrong one is 400 on password, and
//     nothing is deleted.
//  2. PostgreSQL, in one statement: a tombstone of the user id's SHA-256,
//     then the users row, which cascades to every other row of the user. From
//     here on, a token issued before is refused (401) by any route that would
//     create the users row again.
//  3. Redis: every key of the user (history windows, rate limits, quotas,
//     cached query vectors), then the data bucket: every file the user
//     uploaded to import or exported (an export's download URL then finds
//     nothing). A failure is 503: try again.
//  4. Cognito last: DeleteUser with the fresh access token of step 1's
//     sign-in (with MFA on, that sign-in stops at its code challenge, which
//     tells the password was right: the caller's own token then); the login
//     and its refresh tokens are gone.
//
// The login goes last so that every failure leaves a state the same request
// repairs: until step 4 the password still works, and steps 2 and 3 find
// nothing left the second time. The other order could leave data that no
// login can reach any more. Between a failure after step 2 and the retry, the
// login can still sign in but the app refuses it (401): its data is gone.
func (h *handler) Serve(ctx context.Context, req *api.Request) (api.Response, error) {
	var body cognito.PasswordRequest
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.Response{}, err
	}
	token := api.BearerToken(req)
	if token == "" {
		return api.Response{}, api.Unauthorized()
	}
	userID := api.UserID(req)
	email, err := h.cognito.Email(ctx, token)
	if err != nil {
		return api.Response{}, cognito.APIError(err)
	}
	fresh, err := h.cognito.SignIn(ctx, email, body.Password)
	deleteWith := token // with MFA on, the password check ends at its challenge: the caller's own token deletes
	switch {
	case err == nil:
		if sub, _, err := cognito.IdentityOf(fresh.IDToken); err != nil || sub != userID {
			// The token's user and the e-mail's are one: never delete another.
			return api.Response{}, api.Unauthorized()
		}
		deleteWith = fresh.AccessToken
	case !cognito.PasswordRight(err):
		return api.Response{}, cognito.WrongPassword(err, "password")
	}
	conversations, err := store.DeleteAccount(ctx, h.db, userID)
	if err != nil {
		return api.Response{}, err // StoreErrors: 503 when the database is unreachable
	}
	keys, err := cache.DeleteUserKeys(ctx, h.redis, userID, conversations)
	if err != nil {
		e := api.Errorf(http.StatusServiceUnavailable, "unavailable", "your data is deleted but the cache could not be cleared; try again")
		e.RetryAfter = 5
		return api.Response{}, e.WithCause(err)
	}
	files := 0
	for _, prefix := range filePrefixes(userID) {
		n, err := h.files.DeletePrefix(ctx, prefix)
		files += n
		if err != nil {
			e := api.Errorf(http.StatusServiceUnavailable, "unavailable", "your data is deleted but your files could not be removed; try again")
			e.RetryAfter = 5
			return api.Response{}, e.WithCause(err)
		}
	}
	if err := h.cognito.DeleteUser(ctx, deleteWith); err != nil {
		e := cognito.APIError(err)
		if e.Status >= 500 {
			e.Message = "your data is deleted but the sign-in could not be removed; try again"
		}
		return api.Response{}, e
	}
	slog.InfoContext(ctx, "account deleted", "conversations", len(conversations), "redisKeys", keys, "files", files)
	return api.NoContent(), nil
}
