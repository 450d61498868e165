package main

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestModels(t *testing.T) {
	env := testenv.Get(t)
	tests := []struct {
		name    string
		env     map[string]string
		want    []model
		wireErr bool
	}{
		{"one model: OPENAI_CHAT_MODEL", map[string]string{"OPENAI_CHAT_MODEL": "gpt-4o-mini", "OPENAI_CHAT_MODELS": ""},
			[]model{{"gpt-4o-mini", true}}, false},
		{"a list, the default first", map[string]string{"OPENAI_CHAT_MODELS": "gpt-4o-mini, gpt-4o,o3-mini"},
			[]model{{"gpt-4o-mini", true}, {"gpt-4o", false}, {"o3-mini", false}}, false},
		{"a repeated model stops the function", map[string]string{"OPENAI_CHAT_MODELS": "a,a"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.Setenv(t, env.DatabaseURL)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			h, err := wire(context.Background())
			if tt.wireErr {
				if err == nil {
					t.Fatal("wired")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp := apitest.Do(t, h, apitest.Event("GET", "/models", nil, apitest.WithUser(uuid.NewString(), "")))
			var out response
			apitest.Decode(t, resp, &out)
			if len(out.Items) != len(tt.want) {
				t.Fatalf("%s, want %v", resp.Body, tt.want)
			}
			for i := range tt.want {
				if out.Items[i] != tt.want[i] {
					t.Errorf("item %d = %+v, want %+v", i, out.Items[i], tt.want[i])
				}
			}
		})
	}
	t.Run("no model key needed: only the list", func(t *testing.T) {
		env.Setenv(t, env.DatabaseURL)
		t.Setenv("OPENAI_API_KEY", "")
		if _, err := wire(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("signed out is 401", func(t *testing.T) {
		env.Setenv(t, env.DatabaseURL)
		h := testenv.Wire(t, wire)
		if resp := apitest.Do(t, h, apitest.Event("GET", "/models", nil)); resp.StatusCode != 401 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}
