package gateway

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestInvokeAPI drives the Invoke API with the real SDK client, as the
// warmup function does locally.
func TestInvokeAPI(t *testing.T) {
	fx := newFixture(t, nil)
	srv := httptest.NewServer(fx.gw.InvokeAPI())
	defer srv.Close()
	client := awslambda.New(awslambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	ctx := context.Background()

	tests := []struct {
		name, function, payload string
		want                    string // in the payload
		functionError           bool
		notFound                bool
	}{
		{"by folder", "echo", `{"warmup":true}`, `{"warm":true}`, false, false},
		{"by LogicalID", "EchoFunction", `{"payload":"x"}`, `"statusCode":200`, false, false},
		{"by ARN", "arn:aws:lambda:us-east-1:123456789012:function:echo", `{}`, `"statusCode":200`, false, false},
		{"init error", "init-error", `{}`, `errorType`, true, false},
		{"unknown function", "nope", `{}`, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(tt.function), Payload: []byte(tt.payload)})
			var nf *types.ResourceNotFoundException
			if tt.notFound {
				if !errors.As(err, &nf) {
					t.Fatalf("err = %v, want ResourceNotFoundException", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (out.FunctionError != nil) != tt.functionError || !strings.Contains(string(out.Payload), tt.want) {
				t.Fatalf("FunctionError %v, payload %s; want %q", aws.ToString(out.FunctionError), out.Payload, tt.want)
			}
		})
	}
}
