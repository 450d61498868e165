// Command otel is the hello-world floor with OpenTelemetry tracing set up
// the way a Lambda function would use it: the SDK's tracer provider with a
// batch span processor and an OTLP/HTTP exporter (to a collector such as the
// ADOT layer's on localhost:4318; OTEL_EXPORTER_OTLP_ENDPOINT), the W3C
// trace-context propagator, and a span per invocation flushed before the
// invocation returns (the environment freezes after it).
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

func main() {
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		panic(err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName(os.Getenv("AWS_LAMBDA_FUNCTION_NAME")),
		semconv.CloudProviderAWS,
		semconv.FaaSName(os.Getenv("AWS_LAMBDA_FUNCTION_NAME")),
		semconv.FaaSVersion(os.Getenv("AWS_LAMBDA_FUNCTION_VERSION")),
	)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	tracer := tp.Tracer("hello")

	lambda.Start(func(ctx context.Context, event json.RawMessage) (map[string]bool, error) {
		ctx, span := tracer.Start(ctx, "hello")
		span.SetAttributes(attribute.Int("event.bytes", len(event)))
		span.End()
		_ = tp.ForceFlush(ctx)
		return map[string]bool{"warm": true}, nil
	})
}
