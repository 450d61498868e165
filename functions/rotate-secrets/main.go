// Command rotate-secrets promotes new secret values waiting in Parameter
// Store, once a month on a schedule or when invoked by hand with a name
// ({"secret":"openai-api-key"}). Each candidate is checked against the real
// service first; a rejected one changes nothing. See shared/secrets/rotation.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/secrets/rotation"
)

func main() {
	observe.Setup("rotate-secrets")
	h, err := newHandler(os.Getenv("ROTATE_SECRETS"), os.Getenv("STAGE"), rotation.NewClient(), validators(os.Getenv("OPENAI_BASE_URL")))
	if err != nil {
		api.ExitColdStart(err)
	}
	lambda.Start(h.Invoke)
}
