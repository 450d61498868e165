package awsapi

import (
	"net/http"
	"testing"
)

func TestEndpoint(t *testing.T) {
	tests := []struct {
		service, region, override, want string
	}{
		{"ssm", "eu-west-2", "", "https://ssm.eu-west-2.amazonaws.com"},
		{"s3", "cn-north-1", "", "https://s3.cn-north-1.amazonaws.com.cn"},
		{"monitoring", "us-east-1", "http://127.0.0.1:3002/", "http://127.0.0.1:3002"},
	}
	for _, tt := range tests {
		t.Setenv("AWS_REGION", tt.region)
		t.Setenv("TEST_ENDPOINT", tt.override)
		if got := New(tt.service, "TEST_ENDPOINT").Endpoint; got != tt.want {
			t.Errorf("%s in %s (override %q): endpoint %s, want %s", tt.service, tt.region, tt.override, got, tt.want)
		}
	}
}

func TestDecodeError(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Error
		retry  bool
	}{
		{"json type with namespace", 400, nil, `{"__type":"com.amazonaws.ssm#AccessDeniedException","message":"not allowed"}`,
			Error{400, "AccessDeniedException", "not allowed"}, false},
		{"json throttling", 400, nil, `{"__type":"ThrottlingException","Message":"Rate exceeded"}`,
			Error{400, "ThrottlingException", "Rate exceeded"}, true},
		{"type in the header", 404, http.Header{"X-Amzn-Errortype": {"ResourceNotFoundException:http://internal.amazon.com/"}}, `{"Message":"Function not found"}`,
			Error{404, "ResourceNotFoundException", "Function not found"}, false},
		{"s3 xml", 404, nil, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
			Error{404, "NoSuchKey", "The specified key does not exist."}, false},
		{"s3 slow down", 503, nil, `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`,
			Error{503, "SlowDown", "Please reduce your request rate."}, true},
		{"no body", 500, nil, ``, Error{Status: 500}, true},
	}
	for _, tt := range tests {
		got := DecodeError(tt.status, tt.header, []byte(tt.body))
		if *got != tt.want || got.retryable() != tt.retry {
			t.Errorf("%s: %+v (retry %v), want %+v (retry %v)", tt.name, *got, got.retryable(), tt.want, tt.retry)
		}
	}
}

func TestEscapePath(t *testing.T) {
	tests := map[string]string{
		"/bucket/imports/1f0e/a.json": "/bucket/imports/1f0e/a.json",
		"/b/a b+c=d&e!'()*":           "/b/a%20b%2Bc%3Dd%26e%21%27%28%29%2A",
		"/b/é~_-.":                    "/b/%C3%A9~_-.",
	}
	for in, want := range tests {
		if got := EscapePath(in); got != want {
			t.Errorf("EscapePath(%q) = %q, want %q", in, got, want)
		}
	}
}
