package secrets

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// DefaultTTL is how long a fetched secret is trusted.
const DefaultTTL = 5 * time.Minute

// Export resolves the secrets a function declares in SECRETS (a comma list
// such as "critical/database-url,standard/redis-url") for STAGE and sets each
// as its environment variable, before the function reads its settings. Those
// already in the environment are not fetched; the others come from Parameter
// Store in one call. Without SECRETS it does nothing, which is the local case.
func Export(ctx context.Context) (*Store, error) {
	list, err := declared(os.Getenv("SECRETS"))
	if err != nil || len(list) == 0 {
		return nil, err
	}
	missing := false
	for _, sec := range list {
		if os.Getenv(sec.Env()) == "" {
			missing = true
		}
	}
	if !missing {
		return nil, nil
	}
	stage := os.Getenv("STAGE")
	if stage == "" {
		return nil, fmt.Errorf("secrets: STAGE is not set")
	}
	store := New(NewClient(), stage, DefaultTTL)
	vals, err := store.Load(ctx, list)
	if err != nil {
		return nil, err
	}
	for k, v := range vals {
		os.Setenv(k, v)
	}
	return store, nil
}

func declared(s string) ([]Secret, error) {
	var out []Secret
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		sec, err := Parse(part)
		if err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	return out, nil
}

// NewClient returns an SSM client from the Lambda environment: the region and
// the execution role's credentials are environment variables there, so the
// SDK's whole configuration chain (files, SSO, IMDS) is not needed at cold
// start. SSM_ENDPOINT overrides the endpoint (tests, local emulators).
func NewClient() *ssm.Client {
	opts := ssm.Options{
		Region: os.Getenv("AWS_REGION"),
		Credentials: credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")),
	}
	if ep := os.Getenv("SSM_ENDPOINT"); ep != "" {
		opts.BaseEndpoint = aws.String(ep)
	}
	return ssm.New(opts)
}
