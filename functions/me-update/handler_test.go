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

func TestSettings(t *testing.T) {
	env := testenv.Get(t)
	dbURL := env.NewDatabase(t)
	env.Setenv(t, dbURL)
	t.Setenv("OPENAI_CHAT_MODELS", "small,large")
	h := testenv.Wire(t, wire)
	ctx := context.Background()
	pool := testenv.Pool(t, dbURL)
	user := uuid.NewString()
	str := func(s string) *string { return &s }

	tests := []struct {
		name         string
		body         string
		wantStatus   int
		wantField    string
		instructions *string
		model        *string
	}{
		{"instructions, for a user with no row yet", `{"instructions":" Call me Sam. "}`, 200, "", str("Call me Sam."), nil},
		{"a default model; the instructions stay", `{"defaultModel":"large"}`, 200, "", str("Call me Sam."), str("large")},
		{"a model not in the list", `{"defaultModel":"huge"}`, 400, "defaultModel", str("Call me Sam."), str("large")},
		{"instructions too long", `{"instructions":"` + strings.Repeat("x", 4001) + `"}`, 400, "instructions", str("Call me Sam."), str("large")},
		{"nothing to change", `{}`, 400, "instructions", str("Call me Sam."), str("large")},
		{"not JSON", `{`, 400, "", str("Call me Sam."), str("large")},
		{"both cleared", `{"instructions":null,"defaultModel":null}`, 200, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := apitest.Event("PATCH", "/me", nil, apitest.WithUser(user, ""))
			ev.Body = tt.body
			resp := apitest.Do(t, h, ev)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantField != "" {
				if e := apitest.ErrorOf(t, resp); len(e.Details) == 0 || e.Details[0].Field != tt.wantField {
					t.Errorf("details = %+v, want %s", e.Details, tt.wantField)
				}
			}
			u, err := store.GetUser(ctx, pool, user)
			if err != nil {
				t.Fatal(err)
			}
			if !equal(u.Instructions, tt.instructions) || !equal(u.DefaultModel, tt.model) {
				t.Errorf("stored %v %v, want %v %v", u.Instructions, u.DefaultModel, tt.instructions, tt.model)
			}
		})
	}
	t.Run("signed out is 401", func(t *testing.T) {
		if resp := apitest.Do(t, h, apitest.Event("PATCH", "/me", map[string]string{"instructions": "x"})); resp.StatusCode != 401 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

func equal(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
