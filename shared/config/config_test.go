package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadDatabase(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, d Database)
	}{
		{
			name:    "missing URL names the variable",
			env:     map[string]string{},
			wantErr: "DATABASE_URL",
		},
		{
			name: "defaults",
			env:  map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1/db"},
			check: func(t *testing.T, d Database) {
				if d.MaxConns != 2 || d.ConnectTimeout != 2*time.Second {
					t.Errorf("defaults not applied: %+v", d)
				}
			},
		},
		{
			name:    "pool size out of range",
			env:     map[string]string{"DATABASE_URL": "postgres://x", "DATABASE_MAX_CONNS": "0"},
			wantErr: "DATABASE_MAX_CONNS",
		},
		{
			name:    "bad duration names the variable",
			env:     map[string]string{"DATABASE_URL": "postgres://x", "DATABASE_CONNECT_TIMEOUT": "soonish"},
			wantErr: "DATABASE_CONNECT_TIMEOUT",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadFrom[Database](tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				for _, v := range tt.env {
					if len(v) > 3 && strings.Contains(err.Error(), v) {
						t.Errorf("err %q echoes the value %q", err, v)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, d)
		})
	}
}

func TestLoadEmbeddingBounds(t *testing.T) {
	for _, tt := range []struct {
		dims string
		ok   bool
	}{{"512", true}, {"1536", true}, {"0", false}, {"4001", false}, {"abc", false}} {
		_, err := LoadFrom[Embedding](map[string]string{"EMBEDDING_DIMENSIONS": tt.dims})
		if (err == nil) != tt.ok {
			t.Errorf("dims %s: err = %v, want ok=%v", tt.dims, err, tt.ok)
		}
	}
}
