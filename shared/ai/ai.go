// Package ai talks to an OpenAI-compatible API through the official openai-go
// client: streamed chat completions and embeddings, with upstream failures
// classified so that the API can answer them correctly.
package ai

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/macro-ai/macro-ai/shared/config"
)

// Client holds the two services the product uses. It builds only those, not
// the SDK's whole client.
type Client struct {
	chat       openai.ChatCompletionService
	embeddings openai.EmbeddingService
	cfg        config.AI
	dimensions int
}

// New returns a client for cfg that makes vectors of dimensions.
func New(cfg config.AI, dimensions int) *Client {
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithAPIKey(cfg.APIKey),
		// A retry would re-stream from the start; the turn handles failures itself.
		option.WithMaxRetries(0),
		option.WithHTTPClient(&http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: cfg.FirstTokenTimeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   2,
			ForceAttemptHTTP2:     true,
		}}),
	}
	return &Client{
		chat:       openai.NewChatCompletionService(opts...),
		embeddings: openai.NewEmbeddingService(opts...),
		cfg:        cfg,
		dimensions: dimensions,
	}
}

// Dimensions is the size of the vectors Embed returns.
func (c *Client) Dimensions() int { return c.dimensions }

// EmbeddingModel names the embedding model.
func (c *Client) EmbeddingModel() string { return c.cfg.EmbeddingModel }

// Role is who said a message.
type Role string

// The roles of a prompt.
const (
	System    Role = "system"
	User      Role = "user"
	Assistant Role = "assistant"
)

// Message is one message of a prompt.
type Message struct {
	Role    Role
	Content string
}

// Completion is what a stream produced.
type Completion struct {
	Text             string
	FinishReason     string
	PromptTokens     int
	CompletionTokens int
}

// Stream sends messages to the chat model and calls onDelta with each piece
// of the answer as it arrives. It returns what was produced, also on failure
// (a partial answer), and an error that Classify understands. The first token
// must come within FirstTokenTimeout and no two chunks may be further apart
// than StreamIdleTimeout.
func (c *Client) Stream(ctx context.Context, messages []Message, onDelta func(string)) (Completion, error) {
	return c.StreamWith(ctx, c.cfg.Default(), messages, onDelta)
}

// ChatModels are the chat models a turn may use, the default first.
func (c *Client) ChatModels() config.Models { return c.cfg.Models }

// StreamWith is Stream with the chat model model (one of ChatModels).
func (c *Client) StreamWith(ctx context.Context, model string, messages []Message, onDelta func(string)) (Completion, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(c.cfg.FirstTokenTimeout, func() { cancel(ErrTimeout) })
	defer watchdog.Stop()

	params := openai.ChatCompletionNewParams{
		Model:               model,
		Messages:            toParams(messages),
		Temperature:         openai.Float(c.cfg.Temperature),
		MaxCompletionTokens: openai.Int(int64(c.cfg.MaxTokens)),
		StreamOptions:       openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	stream := c.chat.NewStreaming(ctx, params)
	defer stream.Close()
	var out Completion
	var text []byte
	for stream.Next() {
		watchdog.Reset(c.cfg.StreamIdleTimeout)
		chunk := stream.Current()
		if chunk.Usage.TotalTokens > 0 || chunk.Usage.PromptTokens > 0 {
			out.PromptTokens, out.CompletionTokens = int(chunk.Usage.PromptTokens), int(chunk.Usage.CompletionTokens)
		}
		for _, choice := range chunk.Choices {
			if choice.Delta.Content != "" {
				text = append(text, choice.Delta.Content...)
				onDelta(choice.Delta.Content)
			}
			if choice.FinishReason != "" {
				out.FinishReason = choice.FinishReason
			}
		}
	}
	out.Text = string(text)
	err := stream.Err()
	if err == nil && out.FinishReason == "" {
		err = fmt.Errorf("%w: the stream ended without a finish reason", ErrServer)
	}
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && errors.Is(cause, ErrTimeout) {
			err = ErrTimeout
		}
		return out, fmt.Errorf("chat completion: %w", err)
	}
	return out, nil
}

// Complete asks model for one short answer, not streamed, of at most
// maxTokens tokens: for small side calls such as a conversation's title.
// ctx bounds it.
func (c *Client) Complete(ctx context.Context, model string, messages []Message, maxTokens int) (Completion, error) {
	resp, err := c.chat.New(ctx, openai.ChatCompletionNewParams{
		Model:               model,
		Messages:            toParams(messages),
		Temperature:         openai.Float(0.2),
		MaxCompletionTokens: openai.Int(int64(maxTokens)),
	})
	if err != nil {
		return Completion{}, fmt.Errorf("chat completion: %w", err)
	}
	out := Completion{PromptTokens: int(resp.Usage.PromptTokens), CompletionTokens: int(resp.Usage.CompletionTokens)}
	if len(resp.Choices) > 0 {
		out.Text, out.FinishReason = resp.Choices[0].Message.Content, resp.Choices[0].FinishReason
	}
	return out, nil
}

func toParams(messages []Message) []openai.ChatCompletionMessageParamUnion {
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(messages))
	for _, m := range messages {
		switch m.Role {
		case System:
			out = append(out, openai.SystemMessage(m.Content))
		case Assistant:
			out = append(out, openai.AssistantMessage(m.Content))
		default:
			out = append(out, openai.UserMessage(m.Content))
		}
	}
	return out
}

// Embed returns one vector per input, in order, from one batched call.
func (c *Client) Embed(ctx context.Context, inputs []string) ([][]float32, error) {
	if len(inputs) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.EmbeddingTimeout)
	defer cancel()
	resp, err := c.embeddings.New(ctx, openai.EmbeddingNewParams{
		Model:          c.cfg.EmbeddingModel,
		Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: inputs},
		Dimensions:     openai.Int(int64(c.dimensions)),
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatFloat,
	})
	if err != nil {
		return nil, fmt.Errorf("embeddings: %w", err)
	}
	out := make([][]float32, len(inputs))
	for _, e := range resp.Data {
		if e.Index < 0 || int(e.Index) >= len(inputs) {
			return nil, fmt.Errorf("embeddings: %w: index %d out of range", ErrServer, e.Index)
		}
		if len(e.Embedding) != c.dimensions {
			return nil, fmt.Errorf("embeddings: %w: got %d dimensions, want %d", ErrServer, len(e.Embedding), c.dimensions)
		}
		v := make([]float32, len(e.Embedding))
		for i, x := range e.Embedding {
			v[i] = float32(x)
		}
		out[e.Index] = v
	}
	for i, v := range out {
		if v == nil {
			return nil, fmt.Errorf("embeddings: %w: no vector for input %d", ErrServer, i)
		}
	}
	return out, nil
}

// ListModels asks the provider for its models: a cheap check that a key works.
func (c *Client) ListModels(ctx context.Context) error {
	svc := openai.NewModelService(c.chat.Options...)
	if _, err := svc.List(ctx); err != nil {
		return fmt.Errorf("list models: %w", err)
	}
	return nil
}
