package chat

import (
	"testing"

	"github.com/macro-ai/macro-ai/shared/config"
)

func TestSystemPrompt(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		name                 string
		instructions, prompt *string
		want                 string
	}{
		{"the deployment's alone", nil, nil, "Base."},
		{"empty ones are none", s(""), s(""), "Base."},
		{"the user's instructions", s("Call me Sam."), nil, "Base.\n\nThe user's instructions for every conversation:\nCall me Sam."},
		{"the conversation's prompt", nil, s("Be brief."), "Base.\n\nThis conversation's instructions:\nBe brief."},
		{"both, the conversation's last", s("Call me Sam."), s("Be brief."),
			"Base.\n\nThe user's instructions for every conversation:\nCall me Sam.\n\nThis conversation's instructions:\nBe brief."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SystemPrompt("Base.", tt.instructions, tt.prompt); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestChooseModel(t *testing.T) {
	s := func(v string) *string { return &v }
	list := config.Models{ChatModels: []string{"small", "large"}}
	tests := []struct {
		name                      string
		models                    config.Models
		conversation, userDefault *string
		want                      string
	}{
		{"nothing chosen: the deployment's default", list, nil, nil, "small"},
		{"the user's default", list, nil, s("large"), "large"},
		{"the conversation's wins", list, s("small"), s("large"), "small"},
		{"a retired conversation model falls to the user's", list, s("gone"), s("large"), "large"},
		{"both retired: the default", list, s("gone"), s("also-gone"), "small"},
		{"no list: OPENAI_CHAT_MODEL", config.Models{ChatModel: "only"}, s("large"), nil, "only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ChooseModel(tt.models, tt.conversation, tt.userDefault); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
