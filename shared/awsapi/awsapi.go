// Package awsapi calls an AWS service's HTTP API directly: the request
// signed with the AWS SDK's SigV4 signer, sent with the SDK's standard retry
// policy (3 attempts, jittered exponential backoff, for throttling, 5xx and
// unreachable), an error answer decoded into *Error, whether the service
// answers in JSON (SSM, CloudWatch, Lambda) or XML (S3).
//
// It is what the functions use instead of the SDK's service clients for
// the few calls they make: a service client links its middleware stack,
// serialisers and endpoint rules, 0.6 MB (SSM, Cognito) to 1.3 MB (S3) of
// every bootstrap that constructs one, whatever it calls. Whoever needs
// many operations of a service (rotate-secrets, the Cognito functions)
// keeps the SDK's client.
package awsapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/macro-ai/macro-ai/shared/awsenv"
)

// Client calls one service in one region with the function's credentials.
type Client struct {
	// Endpoint is scheme://host[:port] of the service, no trailing slash.
	Endpoint string
	service  string // the signing name: ssm, s3, monitoring, lambda
	region   string
	creds    aws.CredentialsProvider
	signer   *v4.Signer
	http     *http.Client
	s3       bool // S3 signs the payload's hash in a header and its paths unescaped
	attempts int
	// Backoff is the most the 2nd attempt waits (full jitter), doubled for
	// each after it: 100 ms, as the SDK's (tests shorten it).
	Backoff time.Duration
}

// New returns the client of service (its signing name, and the first label
// of its host: https://{service}.{region}.amazonaws.com) in the Lambda
// environment's region with its role's credentials (shared/awsenv), or at
// the endpoint in endpointVar when that is set (tests, local emulators).
func New(service, endpointVar string) *Client {
	region := awsenv.Region()
	endpoint := "https://" + service + "." + region + ".amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		endpoint += ".cn"
	}
	if e := awsenv.Endpoint(endpointVar); e != nil {
		endpoint = strings.TrimSuffix(*e, "/")
	}
	c := &Client{
		Endpoint: endpoint, service: service, region: region, creds: awsenv.Credentials(),
		http: &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: 5 * time.Second,
			IdleConnTimeout:     90 * time.Second,
			ForceAttemptHTTP2:   true,
		}},
		attempts: 3, Backoff: 100 * time.Millisecond,
	}
	c.s3 = service == "s3"
	c.signer = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = c.s3 })
	return c
}

// Request is one call.
type Request struct {
	Method string
	// Host replaces the endpoint's host when set (S3's virtual-hosted
	// bucket.s3.region.amazonaws.com).
	Host string
	// Path is the escaped path, from "/" (EscapePath escapes a segment).
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// ContentLength is signed without a body (a pre-signed PUT's length).
	ContentLength int64
}

// Error is the service's error answer.
type Error struct {
	Status  int
	Code    string // ParameterNotFound, NoSuchKey, ThrottlingException…
	Message string
}

func (e *Error) Error() string {
	s := "HTTP " + strconv.Itoa(e.Status)
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// retryable is what the SDK's standard retryer retries: throttling and the
// service's own failures.
func (e *Error) retryable() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests ||
		strings.Contains(e.Code, "Throttl") || e.Code == "SlowDown" || strings.Contains(e.Code, "TooManyUpdates")
}

// Do sends r, signed, retrying as the SDK does, and returns the answer of a
// 2xx status for the caller to read and close; any other status is *Error.
func (c *Client) Do(ctx context.Context, r Request) (*http.Response, error) {
	wait := c.Backoff
	for attempt := 1; ; attempt++ {
		resp, retry, err := c.try(ctx, r)
		if err == nil || !retry || attempt >= c.attempts {
			return resp, err
		}
		// Full jitter, as the SDK's.
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(rand.Int64N(int64(wait) + 1))):
		}
		wait *= 2
	}
}

// Call sends r and reads the answer, as JSON into out unless out is nil.
func (c *Client) Call(ctx context.Context, r Request, out any) error {
	b, err := c.Body(ctx, r)
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode the answer: %w", err)
	}
	return nil
}

// Body sends r and returns the answer's body (at most 16 MiB). For S3, an
// <Error> in a 200 answer (CompleteMultipartUpload may send one after its
// headers) is *Error too.
func (c *Client) Body(ctx context.Context, r Request) ([]byte, error) {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if c.s3 && bytes.Contains(b[:min(len(b), 128)], []byte("<Error>")) {
		return nil, DecodeError(resp.StatusCode, resp.Header, b)
	}
	return b, nil
}

func (c *Client) request(ctx context.Context, r Request) (*http.Request, error) {
	u, err := url.Parse(c.Endpoint + r.Path)
	if err != nil {
		return nil, err
	}
	if r.Host != "" {
		u.Host = r.Host
	}
	u.RawQuery = r.Query.Encode()
	var body io.Reader = http.NoBody
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.Body == nil && r.ContentLength > 0 {
		req.ContentLength = r.ContentLength
	}
	return req, nil
}

// try makes one attempt and says whether a failure may be retried.
func (c *Client) try(ctx context.Context, r Request) (*http.Response, bool, error) {
	req, err := c.request(ctx, r)
	if err != nil {
		return nil, false, err
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(r.Body)
	payloadHash := hex.EncodeToString(sum[:])
	if c.s3 {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	if err := c.signer.SignHTTP(ctx, creds, req, payloadHash, c.service, c.region, time.Now()); err != nil {
		return nil, false, fmt.Errorf("sign: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, err
	}
	if resp.StatusCode < 300 {
		return resp, false, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("HTTP %d, then reading the answer: %w", resp.StatusCode, err)
	}
	e := DecodeError(resp.StatusCode, resp.Header, b)
	return nil, e.retryable(), e
}

// DecodeError reads an error answer: AWS JSON's {"__type", "message"} (its
// type perhaps "com.amazonaws.ssm#ParameterNotFound" or in X-Amzn-Errortype)
// or S3's XML <Error><Code/><Message/></Error>. It names the operation's
// problem, never a secret a request carried.
func DecodeError(status int, header http.Header, body []byte) *Error {
	e := &Error{Status: status}
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '<' {
		var x struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		}
		_ = xml.Unmarshal(b, &x)
		e.Code, e.Message = x.Code, x.Message
		return e
	}
	var j struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(body, &j)
	if j.Type == "" {
		j.Type = header.Get("X-Amzn-Errortype")
	}
	j.Type = j.Type[strings.LastIndex(j.Type, "#")+1:]
	if i := strings.Index(j.Type, ":"); i >= 0 {
		j.Type = j.Type[:i]
	}
	e.Code, e.Message = j.Type, j.Message
	if e.Message == "" {
		e.Message = j.MessageU
	}
	return e
}

// Presign returns r's URL signed in its query string for expires (S3's
// pre-signed URLs): its holder sends r.Method with r.Header, and nothing
// else, until then.
func (c *Client) Presign(ctx context.Context, r Request, expires time.Duration) (string, error) {
	if r.Query == nil {
		r.Query = url.Values{}
	}
	r.Query.Set("X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10))
	req, err := c.request(ctx, r)
	if err != nil {
		return "", err
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("credentials: %w", err)
	}
	signed, _, err := c.signer.PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", c.service, c.region, time.Now())
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return signed, nil
}

// EscapePath escapes each segment of path as SigV4 and S3 expect: every
// byte but A–Z a–z 0–9 - . _ ~ and the separating /.
func EscapePath(path string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
