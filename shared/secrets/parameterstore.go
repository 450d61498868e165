package secrets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/macro-ai/macro-ai/shared/awsenv"
)

// ParameterStore is the one call every function makes to Parameter Store at
// cold start, GetParameters, spoken directly (AWS JSON 1.1, SigV4-signed with
// the SDK's signer) instead of through the SDK's SSM client: that client, its
// middleware stack, serialisers and endpoint rules were 0.6 MB of every
// bootstrap (12.5 → 11.9 MB for conversations-list on arm64). Rotation, which
// runs in rotate-secrets only, still uses the SDK's client (NewClient).
type ParameterStore struct {
	endpoint string // https://ssm.{region}.amazonaws.com, or SSM_ENDPOINT
	region   string
	creds    aws.CredentialsProvider
	signer   *v4.Signer
	http     *http.Client
	attempts int
	backoff  time.Duration // before the 2nd attempt; doubled after each
}

// NewParameterStore returns the Parameter Store client of the Lambda
// environment (shared/awsenv): its region, its role's credentials, and
// SSM_ENDPOINT when set (tests, local emulators).
func NewParameterStore() *ParameterStore {
	region := awsenv.Region()
	endpoint := "https://ssm." + region + ".amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		endpoint += ".cn"
	}
	if e := awsenv.Endpoint("SSM_ENDPOINT"); e != nil {
		endpoint = *e
	}
	return &ParameterStore{
		endpoint: endpoint, region: region, creds: awsenv.Credentials(), signer: v4.NewSigner(),
		http: &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: 5 * time.Second,
			IdleConnTimeout:     90 * time.Second,
			ForceAttemptHTTP2:   true,
		}},
		// As the SDK's standard retryer: 3 attempts for a throttled, failed
		// (5xx) or unreachable call.
		attempts: 3, backoff: 100 * time.Millisecond,
	}
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
	if err := p.call(ctx, "GetParameters", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ssmError is an error answer: its type and message (which name the
// operation's problem, never a parameter's value).
type ssmError struct {
	op, typ, msg string
	status       int
}

func (e *ssmError) Error() string {
	s := fmt.Sprintf("ssm %s: HTTP %d: %s", e.op, e.status, e.typ)
	if e.msg != "" {
		s += ": " + e.msg
	}
	return s
}

// retryable is what the SDK's standard retryer retries: throttling and the
// service's own failures.
func (e *ssmError) retryable() bool {
	return e.status >= 500 || e.status == http.StatusTooManyRequests ||
		strings.Contains(e.typ, "Throttling") || strings.Contains(e.typ, "TooManyUpdates")
}

func (p *ParameterStore) call(ctx context.Context, op string, body []byte, out any) error {
	var err error
	wait := p.backoff
	for attempt := 1; ; attempt++ {
		var retry bool
		retry, err = p.try(ctx, op, body, out)
		if err == nil || !retry || attempt >= p.attempts {
			return err
		}
		// Full jitter, as the SDK's.
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(rand.Int64N(int64(wait) + 1))):
		}
		wait *= 2
	}
}

// try makes one attempt and says whether a failure may be retried.
func (p *ParameterStore) try(ctx context.Context, op string, body []byte, out any) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("ssm %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM."+op)
	creds, err := p.creds.Retrieve(ctx)
	if err != nil {
		return false, fmt.Errorf("ssm %s: credentials: %w", op, err)
	}
	sum := sha256.Sum256(body)
	if err := p.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", p.region, time.Now()); err != nil {
		return false, fmt.Errorf("ssm %s: sign: %w", op, err)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("ssm %s: %w", op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("ssm %s: read the answer: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		if e.Type == "" {
			e.Type = resp.Header.Get("X-Amzn-Errortype")
		}
		// "com.amazonaws.ssm#ParameterNotFound" names ParameterNotFound.
		e.Type = e.Type[strings.LastIndex(e.Type, "#")+1:]
		if i := strings.Index(e.Type, ":"); i >= 0 {
			e.Type = e.Type[:i]
		}
		se := &ssmError{op: op, typ: e.Type, msg: e.Message, status: resp.StatusCode}
		return se.retryable(), se
	}
	if err := json.Unmarshal(b, out); err != nil {
		return false, fmt.Errorf("ssm %s: decode the answer: %w", op, err)
	}
	return false, nil
}
