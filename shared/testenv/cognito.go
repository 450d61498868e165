package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// CognitoRegion is the region the emulator's clients use.
const CognitoRegion = "us-east-1"

// Cognito is a cognito-local server on loopback.
type Cognito struct {
	Port int
	proc *process
}

// StartCognito starts cognito-local (installed by npm into local/node_modules)
// on port with its state in dataDir.
func StartCognito(dataDir string, port int) (*Cognito, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	// local/cognito/start.js is cognito-local plus GlobalSignOut.
	bin := filepath.Join(root, "local", "cognito", "start.js")
	if _, err := os.Stat(filepath.Join(root, "local", "node_modules", "cognito-local")); err != nil {
		return nil, fmt.Errorf("cognito-local is not installed: run make deps (local/scripts/install-deps.sh)")
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create cognito data dir: %w", err)
	}
	cmd := exec.Command("node", bin)
	cmd.Dir = dataDir
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "HOST=127.0.0.1",
		"NODE_PATH="+filepath.Join(root, "local", "node_modules"))
	proc, err := startProcess("cognito-local", cmd, filepath.Join(dataDir, "cognito-local.log"))
	if err != nil {
		return nil, err
	}
	c := &Cognito{Port: port, proc: proc}
	if err := proc.waitFor(30*time.Second, dialable(fmt.Sprintf("127.0.0.1:%d", port))); err != nil {
		_ = c.Stop()
		return nil, err
	}
	return c, nil
}

// Endpoint is the emulator's base URL.
func (c *Cognito) Endpoint() string { return fmt.Sprintf("http://127.0.0.1:%d", c.Port) }

// Stop ends the emulator.
func (c *Cognito) Stop() error { return c.proc.stop(syscall.SIGTERM, 5*time.Second) }

// Client returns an SDK client for the emulator.
func (c *Cognito) Client() *cip.Client {
	return NewCognitoClient(c.Endpoint())
}

// NewCognitoClient returns an SDK client for a cognito-local at endpoint.
func NewCognitoClient(endpoint string) *cip.Client {
	return cip.New(cip.Options{
		Region:       CognitoRegion,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// CreatePool creates a user pool shaped like template.yaml's (e-mail as the
// user name, the API's password policy, optional MFA) and a public client without a secret
// that allows USER_PASSWORD_AUTH and refresh tokens.
func (c *Cognito) CreatePool(ctx context.Context, name string) (poolID, clientID string, err error) {
	cl := c.Client()
	pool, err := cl.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String(name),
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		MfaConfiguration:       types.UserPoolMfaTypeOptional, // TOTP by the user's choice, as template.yaml's
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(8), RequireLowercase: true, RequireUppercase: true,
			RequireNumbers: true, RequireSymbols: true,
		}},
	})
	if err != nil {
		return "", "", fmt.Errorf("create user pool: %w", err)
	}
	client, err := cl.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId:     pool.UserPool.Id,
		ClientName:     aws.String(name + "-client"),
		GenerateSecret: false,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		return "", "", fmt.Errorf("create user pool client: %w", err)
	}
	return aws.ToString(pool.UserPool.Id), aws.ToString(client.UserPoolClient.ClientId), nil
}
