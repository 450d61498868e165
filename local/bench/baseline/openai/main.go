// Command openai is make bench's openai-go floor: the hello-world floor
// that streams one chat completion with openai-go, built with the
// functions' flags, as shared/ai does it (only the chat completion service,
// no openai.NewClient). It is what linking openai-go costs before any of
// the product's own code: a function that uses openai-go cannot be smaller,
// nor start faster. The warmup event is answered {"warm":true} at once; any
// other event streams one completion from OPENAI_BASE_URL.
package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

func main() {
	chat := openai.NewChatCompletionService(
		option.WithBaseURL(os.Getenv("OPENAI_BASE_URL")),
		option.WithAPIKey(os.Getenv("OPENAI_API_KEY")),
		option.WithMaxRetries(0),
	)
	lambda.Start(func(ctx context.Context, event json.RawMessage) (map[string]any, error) {
		if strings.Contains(string(event), `"warmup"`) {
			return map[string]any{"warm": true}, nil
		}
		stream := chat.NewStreaming(ctx, openai.ChatCompletionNewParams{
			Model:    "gpt-4o-mini",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello.")},
		})
		defer stream.Close()
		var text strings.Builder
		for stream.Next() {
			for _, c := range stream.Current().Choices {
				text.WriteString(c.Delta.Content)
			}
		}
		return map[string]any{"text": text.String()}, stream.Err()
	})
}
