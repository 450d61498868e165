package main

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestMe(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	h := testenv.Wire(t, wire)
	email, sub := env.NewConfirmedUser(t)
	access, _, _ := env.SignIn(t, email, testenv.TestPassword)

	if resp := apitest.Do(t, h, apitest.Event("GET", "/me", nil)); resp.StatusCode != 401 || apitest.ErrorOf(t, resp).Code != "unauthorized" {
		t.Errorf("without a caller: %d %s", resp.StatusCode, resp.Body)
	}

	// No row yet (the sign-in went around our API): /me creates it from Cognito.
	resp := apitest.Do(t, h, apitest.Event("GET", "/me", nil, apitest.WithUser(sub, access)))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	var me struct {
		ID        string    `json:"id"`
		Email     string    `json:"email"`
		CreatedAt time.Time `json:"createdAt"`
	}
	apitest.Decode(t, resp, &me)
	if me.ID != sub || me.Email != email || time.Since(me.CreatedAt) > time.Minute {
		t.Errorf("me = %+v, want id %s email %s", me, sub, email)
	}

	// Now it reads the row: change the e-mail in the database and see it.
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "UPDATE users SET email = 'stored@example.com' WHERE id = $1", sub); err != nil {
		t.Fatal(err)
	}
	resp = apitest.Do(t, h, apitest.Event("GET", "/me", nil, apitest.WithUser(sub, access)))
	apitest.Decode(t, resp, &me)
	if me.Email != "stored@example.com" {
		t.Errorf("second /me did not read the row: %+v", me)
	}
}
