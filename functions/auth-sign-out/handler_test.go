package main

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/macro-ai/macro-ai/shared/api/apitest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestSignOutRevokesRefreshTokens(t *testing.T) {
	env := testenv.Get(t)
	env.Setenv(t, env.DatabaseURL)
	h := testenv.Wire(t, wire)
	email, sub := env.NewConfirmedUser(t)
	access, _, refresh := env.SignIn(t, email, testenv.TestPassword)
	_, _, otherRefresh := env.SignIn(t, email, testenv.TestPassword) // a second device

	if resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-out", nil)); resp.StatusCode != 401 {
		t.Errorf("without a caller: status %d, want 401", resp.StatusCode)
	}
	if resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-out", nil, apitest.WithUser(sub, "garbage"))); resp.StatusCode != 401 {
		t.Errorf("with a garbage token: status %d, want 401: %s", resp.StatusCode, resp.Body)
	}
	resp := apitest.Do(t, h, apitest.Event("POST", "/auth/sign-out", nil, apitest.WithUser(sub, access)))
	if resp.StatusCode != 204 {
		t.Fatalf("sign-out: status %d: %s", resp.StatusCode, resp.Body)
	}
	for _, rt := range []string{refresh, otherRefresh} {
		_, err := testenv.NewCognitoClient(env.CognitoEndpoint).InitiateAuth(context.Background(), &cip.InitiateAuthInput{
			ClientId: aws.String(env.CognitoClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": rt},
		})
		var notAuth *types.NotAuthorizedException
		if !errors.As(err, &notAuth) {
			t.Errorf("refresh after global sign-out: err = %v, want NotAuthorizedException", err)
		}
	}
}
