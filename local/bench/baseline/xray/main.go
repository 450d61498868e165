// Command xray is the hello-world floor with the AWS X-Ray SDK for Go
// (aws-xray-sdk-go, in maintenance mode since 2026-02-25) set up as a Lambda
// function uses it: Lambda makes the segment, the function adds a
// subsegment per invocation, sent by UDP to the daemon (127.0.0.1:2000).
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-xray-sdk-go/xray"
)

func main() {
	if err := xray.Configure(xray.Config{ServiceVersion: "bench"}); err != nil {
		panic(err)
	}
	lambda.Start(func(ctx context.Context, event json.RawMessage) (map[string]bool, error) {
		ctx, seg := xray.BeginSubsegment(ctx, "hello")
		if seg != nil {
			_ = seg.AddMetadata("event.bytes", len(event))
			seg.Close(nil)
		}
		return map[string]bool{"warm": true}, nil
	})
}
