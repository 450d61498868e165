package chat

import (
	"strings"
	"testing"
)

func TestCleanTitle(t *testing.T) {
	tests := []struct{ reply, want string }{
		{"Weekend in Lisbon", "Weekend in Lisbon"},
		{`"Weekend in Lisbon."`, "Weekend in Lisbon"},
		{"Title: **Weekend in Lisbon**", "Weekend in Lisbon"},
		{"\n\n  Weekend in Lisbon\nSecond line", "Weekend in Lisbon"},
		{"« Week-end à Lisbonne »", "Week-end à Lisbonne"},
		{"Trip\x00 plan", "Trip plan"},
		{"...", ""},
		{"   ", ""},
		{strings.Repeat("word ", 20), strings.TrimSpace(strings.Repeat("word ", 12))},
	}
	for _, tt := range tests {
		t.Run(tt.reply, func(t *testing.T) {
			if got := CleanTitle(tt.reply); got != tt.want {
				t.Errorf("CleanTitle(%q) = %q, want %q", tt.reply, got, tt.want)
			}
		})
	}
}
