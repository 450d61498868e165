package s3local

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	amzDateFormat   = "20060102T150405Z"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	maxPresignTTL   = 7 * 24 * time.Hour // S3's longest X-Amz-Expires
	maxClockSkew    = 15 * time.Minute
)

// signed is what a verified request's signature covered.
type signed struct {
	presigned   bool
	payloadHash string // as the client declared it: a hex SHA-256 or UNSIGNED-PAYLOAD
	headers     []string
}

// verify checks r's AWS Signature Version 4, in its query string (a
// pre-signed URL) or its Authorization header, against the server's
// credentials, as S3 does: the canonical request rebuilt from what
// arrived, the string to sign, the derived key. It returns S3's error for
// a missing, malformed, foreign, expired or wrong signature.
func (s *Server) verify(r *http.Request) (signed, *s3Error) {
	q := r.URL.Query()
	var (
		credential, signedHeaders, signature, amzDate string
		out                                           signed
		expires                                       time.Duration
	)
	switch {
	case q.Get("X-Amz-Algorithm") != "":
		if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
			return out, errAuthQuery("only AWS4-HMAC-SHA256 is supported")
		}
		out.presigned = true
		credential, signedHeaders, signature, amzDate = q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature"), q.Get("X-Amz-Date")
		secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
		if err != nil || secs < 1 || time.Duration(secs)*time.Second > maxPresignTTL {
			return out, errAuthQuery("X-Amz-Expires must be a number of seconds from 1 to 604800")
		}
		expires = time.Duration(secs) * time.Second
		out.payloadHash = unsignedPayload
	case r.Header.Get("Authorization") != "":
		auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
		if !ok {
			return out, errAuthHeader("only AWS4-HMAC-SHA256 is supported")
		}
		for _, part := range strings.Split(auth, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "Credential":
				credential = v
			case "SignedHeaders":
				signedHeaders = v
			case "Signature":
				signature = v
			}
		}
		amzDate = r.Header.Get("X-Amz-Date")
		out.payloadHash = r.Header.Get("X-Amz-Content-Sha256")
		if out.payloadHash == "" {
			return out, &s3Error{http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"}
		}
	default:
		return out, &s3Error{http.StatusForbidden, "AccessDenied", "Access Denied"}
	}
	if credential == "" || signedHeaders == "" || signature == "" {
		return out, errAuthHeader("the signature is incomplete")
	}
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[3] != "s3" || scope[4] != "aws4_request" {
		return out, errAuthHeader("malformed credential " + credential)
	}
	if scope[0] != s.cfg.AccessKeyID {
		return out, &s3Error{http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."}
	}
	if s.cfg.Region != "" && scope[2] != s.cfg.Region {
		return out, errAuthHeader("the region '" + scope[2] + "' is wrong; expecting '" + s.cfg.Region + "'")
	}
	at, err := time.Parse(amzDateFormat, amzDate)
	if err != nil || at.Format("20060102") != scope[1] {
		return out, errAuthHeader("X-Amz-Date is missing or does not match the credential's date")
	}
	now := s.cfg.Now()
	if out.presigned {
		if now.After(at.Add(expires)) {
			return out, &s3Error{http.StatusForbidden, "AccessDenied", "Request has expired"}
		}
		if at.After(now.Add(maxClockSkew)) {
			return out, &s3Error{http.StatusForbidden, "AccessDenied", "Request is not valid yet"}
		}
	} else if d := now.Sub(at); d > maxClockSkew || d < -maxClockSkew {
		return out, &s3Error{http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."}
	}
	out.headers = strings.Split(signedHeaders, ";")
	hasHost := false
	for _, h := range out.headers {
		hasHost = hasHost || h == "host"
	}
	if !hasHost {
		return out, errAuthHeader("the host header must be signed")
	}

	canonical := strings.Join([]string{
		r.Method,
		r.URL.EscapedPath(),
		canonicalQuery(q, out.presigned),
		canonicalHeaders(r, out.headers),
		signedHeaders,
		out.payloadHash,
	}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	stringToSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + strings.Join(scope[1:], "/") + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+s.cfg.SecretAccessKey), scope[1])
	for _, part := range scope[2:] {
		key = hmacSHA256(key, part)
	}
	want := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return out, &s3Error{http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	}
	return out, nil
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// canonicalQuery is the query sorted by name then value, each part
// URI-encoded as SigV4 wants; a pre-signed URL's own signature left out.
func canonicalQuery(q url.Values, presigned bool) string {
	var pairs []string
	for k, vs := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// canonicalHeaders lists the signed headers, lower-cased, values trimmed
// with inner runs of spaces folded; host and content-length as received.
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, name := range names {
		var v string
		switch name {
		case "host":
			v = r.Host
		case "content-length":
			v = strconv.FormatInt(r.ContentLength, 10)
		default:
			vals := r.Header.Values(name)
			for i := range vals {
				vals[i] = strings.Join(strings.Fields(vals[i]), " ")
			}
			v = strings.Join(vals, ",")
		}
		b.WriteString(name + ":" + v + "\n")
	}
	return b.String()
}

// uriEncode encodes every byte but the unreserved characters.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func errAuthQuery(msg string) *s3Error {
	return &s3Error{http.StatusBadRequest, "AuthorizationQueryParametersError", msg}
}

func errAuthHeader(msg string) *s3Error {
	return &s3Error{http.StatusBadRequest, "AuthorizationHeaderMalformed", msg}
}
