package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/local/s3local"
	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/blob"
	"github.com/macro-ai/macro-ai/shared/cache"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// dataBucket serves the data bucket (the local S3, on S3's wire protocol) to
// the function wired next, and returns the real S3 client of it.
func dataBucket(t *testing.T) *blob.Store {
	t.Helper()
	s3local.ServeForTest(t, s3local.Config{Buckets: []s3local.Bucket{{Name: "macro-ai-data"}}})
	t.Setenv("DATA_BUCKET", "macro-ai-data")
	return blob.New("macro-ai-data")
}

// putFile stores an object; hasFile tells whether one is there.
func putFile(t *testing.T, b *blob.Store, key string) {
	t.Helper()
	w, err := b.Create(context.Background(), key, "application/json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(`{"file":"` + key + `"}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func hasFile(t *testing.T, b *blob.Store, key string) bool {
	t.Helper()
	body, _, err := b.Open(context.Background(), key)
	if err != nil {
		return false
	}
	body.Close()
	return true
}

// anIP is a client address of its own, so that the per-IP limit of one test
// does not count another's requests.
func anIP() string { return fmt.Sprintf("198.51.%d.%d", rand.IntN(256), 1+rand.IntN(254)) }

// seed gives user a row, two conversations with messages and vectors, and
// the Redis keys the app keeps for a user; it returns the Redis keys.
func seed(t *testing.T, pool *pgxpool.Pool, rdb *redis.Client, dims int, user, email string) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := store.UpsertUser(ctx, pool, user, email); err != nil {
		t.Fatal(err)
	}
	vector := "[" + strings.TrimSuffix(strings.Repeat("0.1,", dims), ",") + "]"
	keys := []string{
		"rate:rl:conversations-list:user:" + user, // redis_rate's prefix, then the limiter's key
		"rate:rl:chat-stream:user:" + user,
		cache.QuotaKey(user, time.Now().UTC().Truncate(24*time.Hour)),
		"vec:{" + user + "}:0123456789abcdef",
	}
	for i := range 2 {
		var conv, msg string
		if err := pool.QueryRow(ctx, `INSERT INTO conversations (user_id, title) VALUES ($1, $2) RETURNING id::text`,
			user, fmt.Sprintf("conversation %d", i)).Scan(&conv); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, 'user', 'my cat is called Miso') RETURNING id::text`,
			conv, user).Scan(&msg); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, 'assistant', 'A haiku.')`, conv, user); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO message_embeddings (message_id, user_id, conversation_id, model, embedding) VALUES ($1, $2, $3, 'test', $4::halfvec)`,
			msg, user, conv, vector); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, cache.HistoryKey(conv))
	}
	for _, k := range keys {
		if err := rdb.Set(ctx, k, "x", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// rowsOf counts, in every table of the schema, the rows in which any uuid
// column holds id: whatever table a later migration adds is counted too.
func rowsOf(t *testing.T, pool *pgxpool.Pool, id string) map[string]int {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `
		SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'uuid' ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, column string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.column); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if rows.Err() != nil || len(cols) < 5 {
		t.Fatalf("uuid columns: %v (%v)", cols, rows.Err())
	}
	found := map[string]int{}
	for _, c := range cols {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE %q = $1`, c.table, c.column)
		if err := pool.QueryRow(ctx, q, id).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n > 0 {
			found[c.table+"."+c.column] = n
		}
	}
	return found
}

// keysOf lists the Redis keys that name id, or are among named, that exist.
func keysOf(t *testing.T, rdb *redis.Client, id string, named []string) []string {
	t.Helper()
	ctx := context.Background()
	var found []string
	iter := rdb.Scan(ctx, 0, "*"+id+"*", 100).Iterator()
	for iter.Next(ctx) {
		found = append(found, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range named {
		if n, err := rdb.Exists(ctx, k).Result(); err != nil {
			t.Fatal(err)
		} else if n > 0 && !strings.Contains(k, id) {
			found = append(found, k)
		}
	}
	return found
}

func cognitoErr(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestDeleteAccount: a wrong password deletes nothing; the right one
// deletes every row of the user in every table, every Redis key of the user
// and the Cognito user, and nothing of another user; then the password no
// longer signs in, the refresh token no longer refreshes, and the access
// token issued before — still a valid JWT until it expires — gets 401 from
// this route and cannot bring the account back through a route that creates
// the users row.
func TestDeleteAccount(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	files := dataBucket(t)
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	h := testenv.Wire(t, wire)
	ctx := context.Background()
	pool := testenv.Pool(t, dbURL)
	opt, err := redis.ParseURL(env.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })

	email, sub := env.NewConfirmedUser(t)
	otherEmail, other := env.NewConfirmedUser(t)
	access, _, refresh := env.SignIn(t, email, testenv.TestPassword)
	keys := seed(t, pool, rdb, env.EmbeddingDimensions, sub, email)
	otherKeys := seed(t, pool, rdb, env.EmbeddingDimensions, other, otherEmail)
	otherRows := rowsOf(t, pool, other)
	ip := anIP()
	deleteWith := func(password, token string) (int, string, string) {
		t.Helper()
		resp := apitest.Do(t, h, apitest.Event("POST", "/me/delete", map[string]string{"password": password},
			apitest.WithUser(sub, token), apitest.WithSourceIP(ip)))
		if resp.StatusCode == 204 {
			return 204, "", ""
		}
		e := apitest.ErrorOf(t, resp)
		field := ""
		if len(e.Details) > 0 {
			field = e.Details[0].Field
		}
		return resp.StatusCode, e.Code, field
	}

	if status, code, field := deleteWith("", access); status != 400 || code != "validation_failed" || field != "password" {
		t.Errorf("no password: %d %s %s, want 400 validation_failed on password", status, code, field)
	}
	if status, code, field := deleteWith("Wrong-Horse-1", access); status != 400 || code != "validation_failed" || field != "password" {
		t.Errorf("a wrong password: %d %s %s, want 400 validation_failed on password", status, code, field)
	}
	if got := rowsOf(t, pool, sub); got["users.id"] != 1 || got["messages.user_id"] != 4 || got["message_embeddings.user_id"] != 2 {
		t.Fatalf("a wrong password deleted rows: %v", got)
	}
	// (The attempts themselves added this route's rate-limit key.)
	if got := keysOf(t, rdb, sub, keys); len(got) != len(keys)+1 {
		t.Fatalf("a wrong password deleted keys: %v", got)
	}

	mine := []string{"imports/" + sub + "/a.json", "exports/" + sub + "/b.json", "exports/" + sub + "/c.json"}
	theirs := []string{"imports/" + other + "/a.json", "exports/" + other + "/b.json"}
	for _, key := range append(append([]string{}, mine...), theirs...) {
		putFile(t, files, key)
	}
	if !hasFile(t, files, mine[0]) {
		t.Fatal("a file put is not there")
	}

	if status, code, _ := deleteWith(testenv.TestPassword, access); status != 204 {
		t.Fatalf("delete: %d %s", status, code)
	}
	if got := rowsOf(t, pool, sub); len(got) != 0 {
		t.Errorf("rows of the deleted user remain: %v", got)
	}
	for _, key := range mine {
		if hasFile(t, files, key) {
			t.Errorf("a file of the deleted user remains: %s", key)
		}
	}
	for _, key := range theirs {
		if !hasFile(t, files, key) {
			t.Errorf("another user's file was deleted: %s", key)
		}
	}
	if got := keysOf(t, rdb, sub, keys); len(got) != 0 {
		t.Errorf("Redis keys of the deleted user remain: %v", got)
	}
	if got := rowsOf(t, pool, other); fmt.Sprint(got) != fmt.Sprint(otherRows) {
		t.Errorf("another user's rows changed: %v, were %v", got, otherRows)
	}
	if got := keysOf(t, rdb, other, otherKeys); len(got) != len(otherKeys) {
		t.Errorf("another user's keys: %v, want all of %v", got, otherKeys)
	}

	c := testenv.NewCognitoClient(env.CognitoEndpoint)
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(env.CognitoClientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": testenv.TestPassword},
	})
	if name := cognitoErr(err); name != "NotAuthorizedException" && name != "UserNotFoundException" {
		t.Errorf("sign-in after the deletion: %v, want it refused", err)
	}
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(env.CognitoClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refresh},
	})
	if cognitoErr(err) != "NotAuthorizedException" {
		t.Errorf("refresh after the deletion: %v, want NotAuthorizedException", err)
	}

	// The old access token: Cognito no longer knows its user (401 here),
	// and the database refuses to create the user again (401 through
	// deps.StoreErrors on every route that would).
	if status, code, _ := deleteWith(testenv.TestPassword, access); status != 401 {
		t.Errorf("the old token after the deletion: %d %s, want 401", status, code)
	}
	if _, err := store.UpsertUser(ctx, pool, sub, email); !store.AccountDeleted(err) {
		t.Errorf("UpsertUser of the deleted user: %v, want the account-deleted refusal", err)
	}
	if _, err := store.UpdateUserSettings(ctx, pool, sub, store.UserSettings{}); !store.AccountDeleted(err) {
		t.Errorf("UpdateUserSettings of the deleted user: %v, want the account-deleted refusal", err)
	}
	if got := rowsOf(t, pool, sub); len(got) != 0 {
		t.Errorf("rows of the deleted user after the refused inserts: %v", got)
	}
	if !strings.Contains(logs.String(), `"account deleted"`) {
		t.Fatalf("the log was not captured: %q", logs.String())
	}
	for _, secret := range []string{testenv.TestPassword, "Wrong-Horse-1", access} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds a secret %q…", secret[:8])
		}
	}
}

// TestDeleteAccountRetry: a deletion that failed after the database step
// (Redis or Cognito down) left a login whose data is gone; the same request
// again completes it.
func TestDeleteAccountRetry(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	dataBucket(t)
	h := testenv.Wire(t, wire)
	pool := testenv.Pool(t, dbURL)
	email, sub := env.NewConfirmedUser(t)
	access, _, _ := env.SignIn(t, email, testenv.TestPassword)
	if _, err := store.UpsertUser(context.Background(), pool, sub, email); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DeleteAccount(context.Background(), pool, sub); err != nil {
		t.Fatal(err)
	}
	// The login still signs in; the app refuses it.
	access2, _, _ := env.SignIn(t, email, testenv.TestPassword)
	if _, err := store.UpsertUser(context.Background(), pool, sub, email); !store.AccountDeleted(err) {
		t.Fatalf("the half-deleted account's row came back: %v", err)
	}
	resp := apitest.Do(t, h, apitest.Event("POST", "/me/delete", map[string]string{"password": testenv.TestPassword},
		apitest.WithUser(sub, access2), apitest.WithSourceIP(anIP())))
	if resp.StatusCode != 204 {
		t.Fatalf("retry: %d %s", resp.StatusCode, resp.Body)
	}
	_, err := testenv.NewCognitoClient(env.CognitoEndpoint).GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(access)})
	if err == nil {
		t.Error("the Cognito user is still there")
	}
}

// TestDeleteAccountWithMFA: with MFA on, the password check stops at the
// code challenge, which tells the password was right: a wrong password is
// still 400 and deletes nothing, the right one deletes the account (with the
// caller's own token) and the login is gone.
func TestDeleteAccountWithMFA(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	dataBucket(t)
	h := testenv.Wire(t, wire)
	pool := testenv.Pool(t, dbURL)
	email, sub := env.NewConfirmedUser(t)
	access, _, _ := env.SignIn(t, email, testenv.TestPassword)
	if _, err := store.UpsertUser(context.Background(), pool, sub, email); err != nil {
		t.Fatal(err)
	}
	env.EnableMFA(t, access)
	ip := anIP()
	resp := apitest.Do(t, h, apitest.Event("POST", "/me/delete", map[string]string{"password": "Wrong-Horse-1"},
		apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
	if resp.StatusCode != 400 {
		t.Fatalf("a wrong password with MFA on: %d %s", resp.StatusCode, resp.Body)
	}
	if got := rowsOf(t, pool, sub); got["users.id"] != 1 {
		t.Fatalf("a wrong password deleted the row: %v", got)
	}
	resp = apitest.Do(t, h, apitest.Event("POST", "/me/delete", map[string]string{"password": testenv.TestPassword},
		apitest.WithUser(sub, access), apitest.WithSourceIP(ip)))
	if resp.StatusCode != 204 {
		t.Fatalf("the right password with MFA on: %d %s", resp.StatusCode, resp.Body)
	}
	if got := rowsOf(t, pool, sub); got["users.id"] != 0 {
		t.Errorf("the row survived: %v", got)
	}
	_, err := testenv.NewCognitoClient(env.CognitoEndpoint).GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(access)})
	if err == nil {
		t.Error("the Cognito user is still there")
	}
}
