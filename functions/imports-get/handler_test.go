package main

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestGetImport: the caller's import is 200 with its status and counts;
// another user's, an unknown and a malformed id are 404.
func TestGetImport(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	h := testenv.Wire(t, wire)
	ctx := context.Background()
	pool := testenv.Pool(t, dbURL)
	owner := uuid.NewString()
	imp, err := store.CreateImport(ctx, pool, owner, 123)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.FailImport(ctx, pool, owner, imp.ID, "chatgpt", "the file is not valid JSON (at byte 7)"); err != nil {
		t.Fatal(err)
	}
	// An import whose function died while running: it reads failed.
	stalled, err := store.CreateImport(ctx, pool, owner, 456)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE imports SET status = 'running', updated_at = now() - interval '21 minutes' WHERE id = $1`, stalled.ID); err != nil {
		t.Fatal(err)
	}
	resp := apitest.Do(t, h, apitest.Event("GET", "/imports/"+stalled.ID, nil, apitest.WithUser(owner, ""), apitest.WithPathParameter("id", stalled.ID)))
	var got store.Import
	apitest.Decode(t, resp, &got)
	if resp.StatusCode != 200 || got.Status != "failed" || got.Error == nil || !strings.Contains(*got.Error, "stopped before it finished") {
		t.Errorf("stalled import: %d %+v", resp.StatusCode, got)
	}

	cases := []struct {
		name, user, id string
		status         int
	}{
		{"the caller's", owner, imp.ID, 200},
		{"another user's", uuid.NewString(), imp.ID, 404},
		{"unknown", owner, uuid.NewString(), 404},
		{"not a uuid", owner, "{" + imp.ID + "}", 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := apitest.Do(t, h, apitest.Event("GET", "/imports/"+c.id, nil, apitest.WithUser(c.user, ""), apitest.WithPathParameter("id", c.id)))
			if resp.StatusCode != c.status {
				t.Fatalf("%d %s", resp.StatusCode, resp.Body)
			}
			if c.status != 200 {
				if e := apitest.ErrorOf(t, resp); e.Code != "not_found" {
					t.Errorf("code %s", e.Code)
				}
				return
			}
			var got store.Import
			apitest.Decode(t, resp, &got)
			if got.ID != imp.ID || got.Status != "failed" || got.Error == nil || *got.Error != "the file is not valid JSON (at byte 7)" ||
				got.Format == nil || *got.Format != "chatgpt" || got.Size != 123 || got.FinishedAt == nil {
				t.Errorf("%+v", got)
			}
		})
	}
}
