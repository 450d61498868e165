package main

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/deps"
	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// TestModelAndSystemPrompt: a conversation's model (one of the list, or
// null) and its system prompt (or null), each left alone when absent; a
// change of either does not move the conversation up the list.
func TestModelAndSystemPrompt(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).NewPool(t)
	models := config.Models{ChatModels: []string{"small", "large"}}
	h := deps.StoreErrors((&handler{db: pool, models: models}).Serve)
	a := uuid.NewString()
	conv, _ := store.CreateConversation(ctx, pool, a, "t")
	str := func(s string) *string { return &s }

	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantField  string
		model      *string
		prompt     *string
	}{
		{"a model of the list", `{"model":"large"}`, 200, "", str("large"), nil},
		{"a prompt; the model stays", `{"systemPrompt":"  Answer in French.  "}`, 200, "", str("large"), str("Answer in French.")},
		{"a model not in the list", `{"model":"gpt-5-ultra"}`, 400, "model", str("large"), str("Answer in French.")},
		{"a prompt too long", `{"systemPrompt":"` + strings.Repeat("x", 4001) + `"}`, 400, "systemPrompt", str("large"), str("Answer in French.")},
		{"a blank prompt", `{"systemPrompt":"   "}`, 400, "systemPrompt", str("large"), str("Answer in French.")},
		{"a model of the wrong type", `{"model":7}`, 400, "", str("large"), str("Answer in French.")},
		{"a null title", `{"title":null}`, 400, "title", str("large"), str("Answer in French.")},
		{"nothing to change", `{}`, 400, "title", str("large"), str("Answer in French.")},
		{"both cleared", `{"model":null,"systemPrompt":null}`, 200, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := apitest.Event("PATCH", "/conversations/"+conv.ID, nil, apitest.WithUser(a, ""), apitest.WithPathParameter("id", conv.ID))
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
			got, err := store.GetConversation(ctx, pool, a, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !equal(got.Model, tt.model) || !equal(got.SystemPrompt, tt.prompt) {
				t.Errorf("stored model %v prompt %v, want %v %v", deref(got.Model), deref(got.SystemPrompt), deref(tt.model), deref(tt.prompt))
			}
			if !got.UpdatedAt.Equal(conv.UpdatedAt) {
				t.Error("a change of model or prompt moved the conversation up the list")
			}
		})
	}
}

func equal(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
