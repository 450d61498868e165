package main

import (
	"context"
	"strings"
	"testing"

	"github.com/macro-ai/macro-ai/shared/store"
)

// TestModelAndInstructions: a turn uses the conversation's model, else the
// user's default, else the deployment's (one no longer listed is skipped);
// the user's instructions and the conversation's prompt join the system
// prompt; the answer stores and reports its model, usage and duration.
func TestModelAndInstructions(t *testing.T) {
	f := newFixture(t, map[string]string{"OPENAI_CHAT_MODELS": "small,large"})
	ctx := context.Background()
	conv := f.conversation("t")
	str := func(s string) *string { return &s }
	ptr := func(s *string) **string { return &s }

	tests := []struct {
		name         string
		userDefault  *string
		conversation *string
		prompt       *string
		instructions *string
		want         string
	}{
		{"the deployment's default", nil, nil, nil, nil, "small"},
		{"the user's default", str("large"), nil, nil, str("Call me Sam."), "large"},
		{"the conversation's model wins", str("large"), str("small"), str("Answer like a pirate."), str("Call me Sam."), "small"},
		{"a model no longer listed is skipped", str("retired"), nil, nil, nil, "small"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := store.UpdateUserSettings(ctx, f.db, f.userID, store.UserSettings{
				Instructions: ptr(tt.instructions), DefaultModel: ptr(tt.userDefault)}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.Exec(ctx, `UPDATE conversations SET model = $2, system_prompt = $3 WHERE id = $1`,
				conv, tt.conversation, tt.prompt); err != nil {
				t.Fatal(err)
			}
			before := len(f.model.Requests())
			status, body := f.stream(conv, map[string]string{"content": "question " + string(rune('A'+i))})
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			evs := parseEvents(t, body)
			done := evs[len(evs)-1]
			if done.Name != "done" || done.Data["model"] != tt.want || done.Data["durationMs"] == nil {
				t.Errorf("done event %v, want model %s and durationMs", done.Data, tt.want)
			}
			var chat *string
			var system string
			for _, r := range f.model.Requests()[before:] {
				if strings.HasSuffix(r.Path, "/chat/completions") {
					chat = &r.Model
					system = r.Messages[0].Content
				}
			}
			if chat == nil || *chat != tt.want {
				t.Fatalf("the model was asked with %v, want %s", chat, tt.want)
			}
			for _, part := range []*string{tt.instructions, tt.prompt} {
				if part != nil && !strings.Contains(system, *part) {
					t.Errorf("system prompt %q lacks %q", system, *part)
				}
			}
			if tt.instructions == nil && strings.Contains(system, "Call me Sam.") {
				t.Error("cleared instructions still in the system prompt")
			}
			msgs := f.messages(conv)
			a := msgs[len(msgs)-1]
			if a.Model == nil || *a.Model != tt.want || a.Usage == nil || a.Usage.CompletionTokens == 0 || a.DurationMs == nil {
				t.Errorf("stored answer: model %v usage %v duration %v", a.Model, a.Usage, a.DurationMs)
			}
			if !strings.Contains(a.Content, "I am "+tt.want+".") {
				t.Errorf("the dev model did not say it is %s: %q", tt.want, a.Content)
			}
		})
	}
}
