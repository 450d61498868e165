package awsenv

import (
	"context"
	"testing"
)

func TestFromEnvironment(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	t.Setenv("SSM_ENDPOINT", "http://127.0.0.1:3002")
	t.Setenv("LAMBDA_ENDPOINT", "")

	if got := Region(); got != "eu-west-2" {
		t.Errorf("Region() = %q", got)
	}
	creds, err := Credentials().Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIDEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Errorf("Credentials() = %+v, %v", creds, err)
	}
	tests := []struct {
		variable string
		want     string // "" means nil
	}{
		{"SSM_ENDPOINT", "http://127.0.0.1:3002"},
		{"LAMBDA_ENDPOINT", ""},
		{"UNSET_ENDPOINT_FOR_TEST", ""},
	}
	for _, tt := range tests {
		got := Endpoint(tt.variable)
		if (got == nil) != (tt.want == "") || (got != nil && *got != tt.want) {
			t.Errorf("Endpoint(%s) = %v, want %q", tt.variable, got, tt.want)
		}
	}
}
