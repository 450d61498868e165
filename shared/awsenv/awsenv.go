// Package awsenv gives AWS SDK clients what they need from the environment
// Lambda sets for a function: its region, its execution role's credentials,
// and an optional endpoint override (for local emulators and tests). Reading
// these directly keeps the SDK's whole configuration chain (shared files,
// SSO, IMDS) out of the cold start.
package awsenv

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the function's region (AWS_REGION).
func Region() string { return os.Getenv("AWS_REGION") }

// Credentials are the execution role's temporary credentials, which Lambda
// puts in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
func Credentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(
		os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))
}

// Endpoint is the endpoint override in variable (SSM_ENDPOINT,
// LAMBDA_ENDPOINT), or nil for AWS's own endpoint.
func Endpoint(variable string) *string {
	if v := os.Getenv(variable); v != "" {
		return aws.String(v)
	}
	return nil
}
