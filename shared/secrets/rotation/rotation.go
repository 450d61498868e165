// Package rotation is the two-phase rotation of the secrets in Parameter
// Store (rotate-secrets). It is apart from shared/secrets, which every
// function links, because it uses the SDK's SSM client: the ssm package (and
// its package init) stays out of every other bootstrap.
package rotation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/macro-ai/macro-ai/shared/awsenv"
	"github.com/macro-ai/macro-ai/shared/secrets"
)

// API is the part of the SSM client rotation uses.
type API interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, opts ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	DeleteParameter(ctx context.Context, in *ssm.DeleteParameterInput, opts ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
}

// ErrNothingPending means no value is stored under a name (the pending one,
// or the current one before the first rotation).
var ErrNothingPending = errors.New("no pending value")

// Validator checks a candidate value against the real service.
type Validator func(ctx context.Context, value string) error

// Rotation is the two-phase rotation of one secret: a new value is written
// first under /macro-ai/{stage}/pending/{name}; Rotate validates it against
// the real service, keeps the current value under …/previous/{name},
// promotes the new one and deletes the pending one. A failed validation
// changes nothing.
type Rotation struct {
	API   API
	Stage string
}

// Outcome is what a rotation did, for the audit log.
type Outcome struct {
	Secret   string `json:"secret"`
	Result   string `json:"result"` // rotated, rejected, nothing-pending, failed
	Reason   string `json:"reason,omitempty"`
	Version  int64  `json:"parameterVersion,omitempty"`
	Previous bool   `json:"previousKept"`
}

func (r Rotation) path(kind, name string) string {
	return "/macro-ai/" + r.Stage + "/" + kind + "/" + name
}

// Rotate runs the rotation of sec with validate. The outcome is also logged
// as one structured audit line (names and versions, never values).
func (r Rotation) Rotate(ctx context.Context, sec secrets.Secret, validate Validator) (out Outcome) {
	out = Outcome{Secret: string(sec.Tier) + "/" + sec.Name}
	defer func() {
		slog.InfoContext(ctx, "secret rotation", "audit", true, "secret", out.Secret, "result", out.Result,
			"reason", out.Reason, "parameterVersion", out.Version, "previousKept", out.Previous)
	}()
	pending, err := r.get(ctx, r.path("pending", sec.Name))
	if errors.Is(err, ErrNothingPending) {
		out.Result, out.Reason = "nothing-pending", "no value under "+r.path("pending", sec.Name)
		return out
	}
	if err != nil {
		out.Result, out.Reason = "failed", "read the pending value: "+err.Error()
		return out
	}
	current, err := r.get(ctx, r.path(string(sec.Tier), sec.Name))
	hasCurrent := err == nil
	if err != nil && !errors.Is(err, ErrNothingPending) {
		out.Result, out.Reason = "failed", "read the current value: "+err.Error()
		return out
	}
	if hasCurrent && current == pending {
		// Promoted already (an earlier run could not delete the pending
		// value, or two runs overlapped): keeping "previous" from it would
		// overwrite the real previous value. Only the pending one goes.
		if _, err := r.API.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(r.path("pending", sec.Name))}); err != nil {
			out.Result, out.Reason = "failed", "delete the pending value, which is already current: "+err.Error()
			return out
		}
		out.Result, out.Reason = "rotated", "the pending value was already current; previous kept as it was"
		return out
	}
	if err := validate(ctx, pending); err != nil {
		// The validator's error describes the failure, not the value.
		out.Result, out.Reason = "rejected", err.Error()
		return out
	}
	if hasCurrent {
		if err := r.put(ctx, r.path("previous", sec.Name), current); err != nil {
			out.Result, out.Reason = "failed", "keep the previous value: "+err.Error()
			return out
		}
		out.Previous = true
	}
	res, err := r.API.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(r.path(string(sec.Tier), sec.Name)),
		Value: aws.String(pending), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true)})
	if err != nil {
		out.Result, out.Reason = "failed", "promote: "+err.Error()
		return out
	}
	out.Version = res.Version
	if _, err := r.API.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(r.path("pending", sec.Name))}); err != nil {
		out.Result, out.Reason = "rotated", "the pending value could not be deleted: "+err.Error()
		return out
	}
	out.Result = "rotated"
	return out
}

func (r Rotation) get(ctx context.Context, name string) (string, error) {
	res, err := r.API.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	var nf *types.ParameterNotFound
	if errors.As(err, &nf) {
		return "", ErrNothingPending
	}
	if err != nil {
		return "", fmt.Errorf("get %s: %w", name, err)
	}
	return aws.ToString(res.Parameter.Value), nil
}

func (r Rotation) put(ctx context.Context, name, value string) error {
	_, err := r.API.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value),
		Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("put %s: %w", name, err)
	}
	return nil
}

// NewClient returns the SDK's SSM client from the Lambda environment (see
// shared/awsenv); SSM_ENDPOINT overrides the endpoint (tests, local emulators).
func NewClient() *ssm.Client {
	return ssm.New(ssm.Options{Region: awsenv.Region(), Credentials: awsenv.Credentials(), BaseEndpoint: awsenv.Endpoint("SSM_ENDPOINT")})
}
