package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/macro-ai/macro-ai/shared/awsapi"
)

// ParameterStore is the one call every function makes to Parameter Store at
// cold start, GetParameters, spoken directly (AWS JSON 1.1, shared/awsapi)
// instead of through the SDK's SSM client: that client, its middleware
// stack, serialisers and endpoint rules were 0.6 MB of every bootstrap
// (12.5 → 11.9 MB for conversations-list on arm64). Rotation, which runs in
// rotate-secrets only, still uses the SDK's client (shared/secrets/rotation).
type ParameterStore struct {
	api *awsapi.Client
}

// NewParameterStore returns the Parameter Store client of the Lambda
// environment (shared/awsenv): its region, its role's credentials, and
// SSM_ENDPOINT when set (tests, local emulators).
func NewParameterStore() *ParameterStore {
	return &ParameterStore{api: awsapi.New("ssm", "SSM_ENDPOINT")}
}

// Parameter is one parameter GetParameters returned, decrypted.
type Parameter struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// GetParametersOutput is GetParameters' answer: the parameters found and the
// names that are not.
type GetParametersOutput struct {
	Parameters        []Parameter `json:"Parameters"`
	InvalidParameters []string    `json:"InvalidParameters"`
}

// GetParameters reads names (at most 10), decrypted.
func (p *ParameterStore) GetParameters(ctx context.Context, names []string) (*GetParametersOutput, error) {
	body, err := json.Marshal(map[string]any{"Names": names, "WithDecryption": true})
	if err != nil {
		return nil, err
	}
	var out GetParametersOutput
	err = p.api.Call(ctx, awsapi.Request{
		Method: http.MethodPost, Path: "/", Body: body,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"AmazonSSM.GetParameters"}},
	}, &out)
	if err != nil {
		return nil, fmt.Errorf("ssm GetParameters: %w", err)
	}
	return &out, nil
}
