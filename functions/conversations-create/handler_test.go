package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/deps"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestCreate(t *testing.T) {
	env := testenv.Get(t)
	pool := env.NewPool(t)
	db := &testenv.CountingDB{DB: pool}
	h := deps.StoreErrors((&handler{db: db}).Serve)
	user := uuid.NewString() // no users row yet: the first conversation creates it

	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantTitle  string
		wantField  string
	}{
		{"no body", nil, 201, "New conversation", ""},
		{"empty object", map[string]any{}, 201, "New conversation", ""},
		{"title trimmed", map[string]string{"title": "  Trip to Lisbon  "}, 201, "Trip to Lisbon", ""},
		{"255 characters", map[string]string{"title": strings.Repeat("é", 255)}, 201, strings.Repeat("é", 255), ""},
		{"256 characters", map[string]string{"title": strings.Repeat("a", 256)}, 400, "", "title"},
		{"blank title", map[string]string{"title": "   "}, 400, "", "title"},
		{"title not a string", map[string]any{"title": 5}, 400, "", "title"},
		{"not JSON", "{", 400, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db.RoundTrips()
			resp := apitest.Do(t, h, apitest.Event("POST", "/conversations", tt.body, apitest.WithUser(user, "")))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantStatus != 201 {
				e := apitest.ErrorOf(t, resp)
				if tt.wantField != "" && (len(e.Details) == 0 || e.Details[0].Field != tt.wantField) {
					t.Errorf("details = %+v, want %s", e.Details, tt.wantField)
				}
				return
			}
			var c store.Conversation
			apitest.Decode(t, resp, &c)
			if c.Title != tt.wantTitle || uuid.Validate(c.ID) != nil || c.MessageCount != 0 || time.Since(c.CreatedAt) > time.Minute || !c.UpdatedAt.Equal(c.CreatedAt) {
				t.Errorf("conversation = %+v", c)
			}
			if n := db.RoundTrips(); n != 1 {
				t.Errorf("%d round trips, want 1", n)
			}
		})
	}
}

func TestCreateWiring(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.NewDatabase(t))
	h := testenv.Wire(t, wire)
	if resp := apitest.Do(t, h, apitest.Event("POST", "/conversations", nil)); resp.StatusCode != 401 {
		t.Errorf("without a caller: %d", resp.StatusCode)
	}
	if resp := apitest.Do(t, h, apitest.Event("POST", "/conversations", nil, apitest.WithUser(uuid.NewString(), ""))); resp.StatusCode != 201 {
		t.Errorf("with a caller: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestCreateDatabaseDown(t *testing.T) {
	env := testenv.Get(t)
	pg := testenv.StartPostgresT(t)
	url := pg.URL("postgres")
	pg.Stop()
	env.Setenv(t, url)
	h := testenv.Wire(t, wire)
	start := time.Now()
	resp := apitest.Do(t, h, apitest.Event("POST", "/conversations", nil, apitest.WithUser(uuid.NewString(), "")))
	if resp.StatusCode != 503 || apitest.ErrorOf(t, resp).Code != "database_unavailable" || resp.Headers["Retry-After"] == "" {
		t.Errorf("database down: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("answered in %s", d)
	}
}
