// Command hello is make bench's floor: the smallest useful Go Lambda, built
// with the functions' own flags. It answers every event, the warmup event
// included, with {"warm":true}.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, event json.RawMessage) (map[string]bool, error) {
		return map[string]bool{"warm": true}, nil
	})
}
