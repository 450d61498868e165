// Command migrate applies the database migrations. CloudFormation calls it as
// a custom resource on every deploy (template.yaml's Migrations resource), so
// `sam deploy` leaves the database ready; invoked by hand with any other
// event ({} or {"migrate":true}) it migrates and answers the versions.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/secrets"
)

func main() {
	observe.Setup("migrate")
	// A failed cold start would leave CloudFormation waiting an hour for an
	// answer: a missing secret or setting is reported by the invocation instead.
	_, err := secrets.Export(context.Background())
	h := &handler{setupErr: err, migrate: migrateFromEnv}
	lambda.Start(h.Invoke)
}
