// Package blob is the S3 bucket of imports and exports: pre-signed URLs for
// the browser to upload a file to (PUT, its length signed) and download an
// export from (GET), a streamed read of an object, and a streamed write of
// one as a multipart upload whose memory is one part, whatever the size.
// S3_ENDPOINT points the client at a local stand-in (local/s3local), which
// is then addressed path-style.
package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/macro-ai/macro-ai/shared/awsenv"
)

// Store is one bucket.
type Store struct {
	Bucket  string
	client  *s3.Client
	presign *s3.PresignClient
}

// New is the bucket named bucket, with the function's region, role
// credentials and S3_ENDPOINT override.
func New(bucket string) *Store {
	endpoint := awsenv.Endpoint("S3_ENDPOINT")
	client := s3.New(s3.Options{
		Region:       awsenv.Region(),
		Credentials:  awsenv.Credentials(),
		BaseEndpoint: endpoint,
		UsePathStyle: endpoint != nil,
		// No checksum the browser's PUT would have to match (a pre-signed
		// URL would otherwise carry the checksum of an empty body).
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return &Store{Bucket: bucket, client: client, presign: s3.NewPresignClient(client)}
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
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.Bucket, Key: &key, ContentLength: aws.Int64(size), ContentType: &contentType,
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return Presigned{}, fmt.Errorf("presign PUT of %s: %w", key, err)
	}
	return Presigned{URL: req.URL, Method: req.Method, Headers: map[string]string{"Content-Type": contentType}, ExpiresAt: now.Add(ttl)}, nil
}

// PresignGet lets its holder GET key for ttl, downloaded as filename.
func (s *Store) PresignGet(ctx context.Context, key, filename string, ttl time.Duration) (Presigned, error) {
	now := time.Now()
	disposition := `attachment; filename="` + filename + `"`
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: &s.Bucket, Key: &key, ResponseContentDisposition: &disposition,
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return Presigned{}, fmt.Errorf("presign GET of %s: %w", key, err)
	}
	return Presigned{URL: req.URL, Method: req.Method, ExpiresAt: now.Add(ttl)}, nil
}

// ErrNoObject means the key holds nothing.
var ErrNoObject = errors.New("no such object")

// Open streams the object at key; size is its length.
func (s *Store) Open(ctx context.Context, key string) (body io.ReadCloser, size int64, err error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &key})
	var missing *types.NoSuchKey
	if errors.As(err, &missing) {
		return nil, 0, fmt.Errorf("get %s: %w", key, ErrNoObject)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("get %s: %w", key, err)
	}
	return out.Body, aws.ToInt64(out.ContentLength), nil
}

// Delete removes the object at key (nothing there is no error).
func (s *Store) Delete(ctx context.Context, key string) error {
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: &key}); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// DeletePrefix removes every object whose key starts with prefix, a page
// of keys (ListObjectsV2) at a time, and returns how many it removed.
// Nothing there is no error.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	n := 0
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.Bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			if err := s.Delete(ctx, aws.ToString(o.Key)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
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
	uploadID *string
	buf      bytes.Buffer
	parts    []types.CompletedPart
	written  int64
	err      error
}

// Create starts a multipart upload of key.
func (s *Store) Create(ctx context.Context, key, contentType string) (*Writer, error) {
	out, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.Bucket, Key: &key, ContentType: &contentType})
	if err != nil {
		return nil, fmt.Errorf("start upload of %s: %w", key, err)
	}
	w := &Writer{ctx: ctx, s: s, key: key, uploadID: out.UploadId}
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
	num := int32(len(w.parts) + 1)
	out, err := w.s.client.UploadPart(w.ctx, &s3.UploadPartInput{
		Bucket: &w.s.Bucket, Key: &w.key, UploadId: w.uploadID, PartNumber: &num,
		Body: bytes.NewReader(w.buf.Bytes()), ContentLength: aws.Int64(int64(w.buf.Len())),
	})
	if err != nil {
		w.err = fmt.Errorf("upload part %d of %s: %w", num, w.key, err)
		return w.err
	}
	w.parts = append(w.parts, types.CompletedPart{ETag: out.ETag, PartNumber: &num})
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
	_, err := w.s.client.CompleteMultipartUpload(w.ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &w.s.Bucket, Key: &w.key, UploadId: w.uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: w.parts},
	})
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
	_, _ = w.s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &w.s.Bucket, Key: &w.key, UploadId: w.uploadID})
	if w.err == nil {
		w.err = errors.New("aborted")
	}
}
