// Command warmup runs on an EventBridge schedule and invokes every HTTP
// function once with the warmup event, concurrently, so that their next real
// request finds a warm instance.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/awsenv"
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
// (see shared/awsenv); LAMBDA_ENDPOINT overrides the endpoint.
func newLambdaClient() *awslambda.Client {
	return awslambda.New(awslambda.Options{Region: awsenv.Region(), Credentials: awsenv.Credentials(), BaseEndpoint: awsenv.Endpoint("LAMBDA_ENDPOINT")})
}
