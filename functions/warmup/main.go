// Command warmup runs on an EventBridge schedule and invokes every HTTP
// function once with the warmup event, concurrently, so that their next real
// request finds a warm instance.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/observe"
)

func main() {
	observe.Setup("warmup")
	cfg, err := config.Load[config.Warmup]()
	if err != nil {
		api.ExitColdStart(err)
	}
	h := &handler{cfg: cfg, invoker: newLambdaClient()}
	lambda.Start(h.Invoke)
}

// newLambdaClient builds the Lambda client from the environment Lambda gives
// (region, the role's credentials); LAMBDA_ENDPOINT overrides the endpoint.
func newLambdaClient() *awslambda.Client {
	opts := awslambda.Options{
		Region: os.Getenv("AWS_REGION"),
		Credentials: credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")),
	}
	if ep := os.Getenv("LAMBDA_ENDPOINT"); ep != "" {
		opts.BaseEndpoint = aws.String(ep)
	}
	return awslambda.New(opts)
}
