// Package blob is the S3 bucket of imports and exports: pre-signed URLs for
// the browser to upload a file to (PUT, its length signed) and download an
// export from (GET), a streamed read of an object, and a streamed write of
// one as a multipart upload whose memory is one part, whatever the size.
//
// It speaks S3's REST API through shared/awsapi (SigV4 by the SDK's signer,
// the SDK's retry policy) rather than the SDK's S3 client, whose endpoint
// rules, checksums and serialisers were 1.3 MB of each function that
// touches the bucket (imports-create 12.19 → 10.9 MB on arm64). S3_ENDPOINT
// points it at a local stand-in (local/s3local, which checks every
// signature as S3 does), which is then addressed path-style.
package blob

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/macro-ai/macro-ai/shared/awsapi"
	"github.com/macro-ai/macro-ai/shared/awsenv"
)

// Store is one bucket.
type Store struct {
	Bucket    string
	api       *awsapi.Client
	pathStyle bool // S3_ENDPOINT: /{bucket}/{key}; else {bucket}.s3.{region}.amazonaws.com/{key}
}

// New is the bucket named bucket, with the function's region, role
// credentials and S3_ENDPOINT override.
func New(bucket string) *Store {
	return &Store{Bucket: bucket, api: awsapi.New("s3", "S3_ENDPOINT"), pathStyle: awsenv.Endpoint("S3_ENDPOINT") != nil}
}

// object is the request for key, with query.
func (s *Store) object(method, key string, query url.Values) awsapi.Request {
	r := awsapi.Request{Method: method, Path: "/" + awsapi.EscapePath(key), Query: query, Header: http.Header{}}
	if s.pathStyle {
		r.Path = "/" + awsapi.EscapePath(s.Bucket)
		if key != "" {
			r.Path += "/" + awsapi.EscapePath(key)
		}
	} else {
		u, _ := url.Parse(s.api.Endpoint)
		r.Host = s.Bucket + "." + u.Host
	}
	return r
}

// Presigned is a URL the client calls with exactly these method and headers.
type Presigned struct {
	URL       string
	Method    string
	Headers   map[string]string
	ExpiresAt time.Time
}

// PresignPut lets its holder PUT exactly size bytes of contentType at key
// for ttl: the length is signed, so S3 refuses any other.
func (s *Store) PresignPut(ctx context.Context, key string, size int64, contentType string, ttl time.Duration) (Presigned, error) {
	now := time.Now()
	r := s.object(http.MethodPut, key, nil)
	r.Header.Set("Content-Type", contentType)
	r.ContentLength = size
	u, err := s.api.Presign(ctx, r, ttl)
	if err != nil {
		return Presigned{}, fmt.Errorf("presign PUT of %s: %w", key, err)
	}
	return Presigned{URL: u, Method: http.MethodPut, Headers: map[string]string{"Content-Type": contentType}, ExpiresAt: now.Add(ttl)}, nil
}

// PresignGet lets its holder GET key for ttl, downloaded as filename.
func (s *Store) PresignGet(ctx context.Context, key, filename string, ttl time.Duration) (Presigned, error) {
	now := time.Now()
	r := s.object(http.MethodGet, key, url.Values{"response-content-disposition": {`attachment; filename="` + filename + `"`}})
	u, err := s.api.Presign(ctx, r, ttl)
	if err != nil {
		return Presigned{}, fmt.Errorf("presign GET of %s: %w", key, err)
	}
	return Presigned{URL: u, Method: http.MethodGet, ExpiresAt: now.Add(ttl)}, nil
}

// ErrNoObject means the key holds nothing.
var ErrNoObject = errors.New("no such object")

// Open streams the object at key; size is its length.
func (s *Store) Open(ctx context.Context, key string) (body io.ReadCloser, size int64, err error) {
	resp, err := s.api.Do(ctx, s.object(http.MethodGet, key, nil))
	if e := (*awsapi.Error)(nil); errors.As(err, &e) && e.Code == "NoSuchKey" {
		return nil, 0, fmt.Errorf("get %s: %w", key, ErrNoObject)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("get %s: %w", key, err)
	}
	return resp.Body, resp.ContentLength, nil
}

// Delete removes the object at key (nothing there is no error).
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.call(ctx, s.object(http.MethodDelete, key, nil), nil); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// call sends r and decodes the XML answer into out unless out is nil.
func (s *Store) call(ctx context.Context, r awsapi.Request, out any) error {
	b, err := s.api.Body(ctx, r)
	if err != nil || out == nil {
		return err
	}
	if err := xml.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode the answer: %w", err)
	}
	return nil
}

// DeletePrefix removes every object whose key starts with prefix, a page
// of keys (ListObjectsV2) at a time, and returns how many it removed.
// Nothing there is no error.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	n := 0
	token := ""
	for {
		q := url.Values{"list-type": {"2"}, "prefix": {prefix}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		r := s.object(http.MethodGet, "", q)
		var page struct {
			Contents []struct {
				Key string `xml:"Key"`
			} `xml:"Contents"`
			IsTruncated           bool   `xml:"IsTruncated"`
			NextContinuationToken string `xml:"NextContinuationToken"`
		}
		if err := s.call(ctx, r, &page); err != nil {
			return n, fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			if err := s.Delete(ctx, o.Key); err != nil {
				return n, err
			}
			n++
		}
		if !page.IsTruncated || page.NextContinuationToken == "" {
			return n, nil
		}
		token = page.NextContinuationToken
	}
}

// PartSize is the size of each part of a multipart upload but the last:
// S3's smallest (5 MiB), so that a writer holds as little as it may.
const PartSize = 5 << 20

// Writer writes an object as a multipart upload, one part at a time: it
// holds one part in memory. Close completes the upload; Abort (or a failed
// Close) discards it, so that a failed write leaves no object.
type Writer struct {
	ctx      context.Context
	s        *Store
	key      string
	uploadID string
	buf      bytes.Buffer
	parts    []completedPart
	written  int64
	err      error
}

// completedPart is one part of CompleteMultipartUpload's request.
type completedPart struct {
	PartNumber int
	ETag       string
}

// Create starts a multipart upload of key.
func (s *Store) Create(ctx context.Context, key, contentType string) (*Writer, error) {
	r := s.object(http.MethodPost, key, url.Values{"uploads": {""}})
	r.Header.Set("Content-Type", contentType)
	var out struct {
		UploadID string `xml:"UploadId"`
	}
	if err := s.call(ctx, r, &out); err != nil {
		return nil, fmt.Errorf("start upload of %s: %w", key, err)
	}
	if out.UploadID == "" {
		return nil, fmt.Errorf("start upload of %s: no upload id in the answer", key)
	}
	w := &Writer{ctx: ctx, s: s, key: key, uploadID: out.UploadID}
	w.buf.Grow(PartSize)
	return w, nil
}

// Write buffers p and uploads each full part.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := len(p)
	for len(p) > 0 {
		room := PartSize - w.buf.Len()
		if room > len(p) {
			room = len(p)
		}
		w.buf.Write(p[:room])
		p = p[room:]
		if w.buf.Len() == PartSize {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	w.written += int64(n)
	return n, nil
}

// Written is how many bytes were written.
func (w *Writer) Written() int64 { return w.written }

func (w *Writer) flush() error {
	num := len(w.parts) + 1
	r := w.s.object(http.MethodPut, w.key, url.Values{"partNumber": {strconv.Itoa(num)}, "uploadId": {w.uploadID}})
	r.Body = w.buf.Bytes()
	resp, err := w.s.api.Do(w.ctx, r)
	if err != nil {
		w.err = fmt.Errorf("upload part %d of %s: %w", num, w.key, err)
		return w.err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	w.parts = append(w.parts, completedPart{PartNumber: num, ETag: resp.Header.Get("ETag")})
	w.buf.Reset()
	return nil
}

// Close uploads the last part and completes the object.
func (w *Writer) Close() error {
	if w.err != nil {
		w.Abort()
		return w.err
	}
	if w.buf.Len() > 0 || len(w.parts) == 0 {
		if err := w.flush(); err != nil {
			w.Abort()
			return err
		}
	}
	body, err := xml.Marshal(struct {
		XMLName xml.Name        `xml:"CompleteMultipartUpload"`
		Parts   []completedPart `xml:"Part"`
	}{Parts: w.parts})
	if err == nil {
		r := w.s.object(http.MethodPost, w.key, url.Values{"uploadId": {w.uploadID}})
		r.Body = body
		err = w.s.call(w.ctx, r, nil)
	}
	if err != nil {
		w.err = fmt.Errorf("complete upload of %s: %w", w.key, err)
		w.Abort()
		return w.err
	}
	w.err = errors.New("closed")
	return nil
}

// Abort discards the upload and its parts.
func (w *Writer) Abort() {
	// A fresh context: the write's may be what ended.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.ctx), 5*time.Second)
	defer cancel()
	_ = w.s.call(ctx, w.s.object(http.MethodDelete, w.key, url.Values{"uploadId": {w.uploadID}}), nil)
	if w.err == nil {
		w.err = errors.New("aborted")
	}
}
