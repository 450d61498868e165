package bench

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/jackc/pgx/v5"

	"github.com/macro-ai/macro-ai/shared/store"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

// SeedUser signs up and confirms a user in cognito-local, gives it n
// conversations in the database, and returns its access token, its id and
// the conversations' ids.
func SeedUser(ctx context.Context, env testenv.Env, n int) (token, sub string, convs []string, err error) {
	c := testenv.NewCognitoClient(env.CognitoEndpoint)
	email := testenv.NewEmail()
	up, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(env.CognitoClientID), Username: aws.String(email), Password: aws.String(testenv.TestPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	})
	if err != nil {
		return "", "", nil, fmt.Errorf("sign up: %w", err)
	}
	if _, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId: aws.String(env.CognitoUserPoolID), Username: aws.String(email),
	}); err != nil {
		return "", "", nil, fmt.Errorf("confirm sign-up: %w", err)
	}
	in, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(env.CognitoClientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": testenv.TestPassword},
	})
	if err != nil {
		return "", "", nil, fmt.Errorf("sign in: %w", err)
	}
	if in.AuthenticationResult == nil || in.AuthenticationResult.AccessToken == nil {
		return "", "", nil, errors.New("sign in: no access token")
	}

	conn, err := pgx.Connect(ctx, env.DatabaseURL)
	if err != nil {
		return "", "", nil, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	sub = aws.ToString(up.UserSub)
	if _, err := store.UpsertUser(ctx, conn, sub, email); err != nil {
		return "", "", nil, err
	}
	for i := range n {
		c, err := store.CreateConversation(ctx, conn, sub, fmt.Sprintf("Bench conversation %d", i+1))
		if err != nil {
			return "", "", nil, err
		}
		convs = append(convs, c.ID)
	}
	return aws.ToString(in.AuthenticationResult.AccessToken), sub, convs, nil
}
