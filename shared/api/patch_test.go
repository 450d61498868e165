package api

import (
	"encoding/json"
	"testing"
)

func TestPatch(t *testing.T) {
	tests := []struct {
		body            string
		set, null       bool
		value           string
		decodeFailsWith bool
	}{
		{`{}`, false, false, "", false},
		{`{"v":null}`, true, true, "", false},
		{`{"v":"x"}`, true, false, "x", false},
		{`{"v":""}`, true, false, "", false},
		{`{"v":1}`, true, false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			var b struct {
				V Patch[string] `json:"v"`
			}
			err := json.Unmarshal([]byte(tt.body), &b)
			if (err != nil) != tt.decodeFailsWith {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			if b.V.Set != tt.set || b.V.Null != tt.null || b.V.Value != tt.value {
				t.Errorf("got %+v", b.V)
			}
			if p := b.V.Ptr(); (p != nil) != (tt.set && !tt.null) {
				t.Errorf("Ptr() = %v", p)
			}
		})
	}
}
