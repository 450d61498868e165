// Package s3local is the local stand-in for the S3 bucket of imports and
// exports, speaking S3's REST protocol (path-style) to the real
// aws-sdk-go-v2 client and to browsers holding pre-signed URLs:
// PutObject, GetObject, HeadObject, DeleteObject, the multipart upload
// (CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// AbortMultipartUpload), pre-signed PUT and GET. Every request's Signature
// Version 4 is verified against the stack's credentials (in the query
// string or the Authorization header, with the expiry of a pre-signed URL
// and the signed Content-Length); a refused one gets S3's XML error. CORS
// preflights are answered from the bucket's CorsConfiguration, and after
// an object is created the bucket's notifications run: the function named
// is invoked asynchronously with a real-shaped S3 event, as Lambda's S3
// event source would. Objects live in files, so a 50 MB upload is never
// held in memory.
//
// It is local tooling only (the local stack and tests); no Lambda imports it.
package s3local

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CORSRule is one rule of a bucket's CorsConfiguration.
type CORSRule struct {
	AllowedOrigins []string
	AllowedMethods []string
	AllowedHeaders []string
	ExposedHeaders []string
	MaxAge         int
}

// Notification invokes Function when an object whose key starts with
// Prefix and ends with Suffix is created.
type Notification struct {
	Prefix, Suffix string
	Function       string
}

// Bucket is one bucket's configuration.
type Bucket struct {
	Name          string
	CORS          []CORSRule
	Notifications []Notification
}

// Config is the server's configuration.
type Config struct {
	Dir             string // where objects are kept
	Region          string // the signing region requests must name ("": any)
	AccessKeyID     string
	SecretAccessKey string
	Buckets         []Bucket
	// Invoke runs a function with an event (the notifications); it is
	// called on a goroutine of its own, as an asynchronous invocation.
	Invoke func(ctx context.Context, function string, event []byte) error
	Now    func() time.Time
	Log    *slog.Logger
}

// Server is the fake.
type Server struct {
	cfg     Config
	mu      sync.Mutex
	objects map[string]*object // bucket + "/" + key
	uploads map[string]*upload // upload id
	seq     int64
	wg      sync.WaitGroup
}

type object struct {
	path        string
	size        int64
	etag        string
	contentType string
	modified    time.Time
}

type upload struct {
	bucket, key, contentType string
	parts                    map[int32]*object
}

// New returns a server keeping its objects in cfg.Dir.
func New(cfg Config) (*Server, error) {
	if cfg.Dir == "" || cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		return nil, errors.New("s3local: Dir, AccessKeyID and SecretAccessKey are required")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("s3local: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Server{cfg: cfg, objects: map[string]*object{}, uploads: map[string]*upload{}}, nil
}

// Wait waits for the notifications under way.
func (s *Server) Wait() { s.wg.Wait() }

// s3Error is S3's error document.
type s3Error struct {
	Status  int
	Code    string
	Message string
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, e *s3Error) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	if r.Method == http.MethodHead {
		return
	}
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		Resource  string
		RequestID string `xml:"RequestId"`
	}{Code: e.Code, Message: e.Message, Resource: r.URL.Path, RequestID: w.Header().Get("X-Amz-Request-Id")})
}

func (s *Server) bucket(name string) *Bucket {
	for i := range s.cfg.Buckets {
		if s.cfg.Buckets[i].Name == name {
			return &s.cfg.Buckets[i]
		}
	}
	return nil
}

// ServeHTTP serves path-style requests: /{bucket}/{key}.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amz-Request-Id", s.newID()[:16])
	name, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	b := s.bucket(name)
	if b == nil {
		s.fail(w, r, &s3Error{http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist"})
		return
	}
	if r.Method == http.MethodOptions {
		s.preflight(w, r, b)
		return
	}
	s.corsHeaders(w, r, b)
	sig, e := s.verify(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	q := r.URL.Query()
	if key == "" {
		if r.Method == http.MethodGet && q.Get("list-type") == "2" {
			s.listObjects(w, name, q)
			return
		}
		s.fail(w, r, &s3Error{http.StatusNotImplemented, "NotImplemented", "bucket operations other than ListObjectsV2 are not emulated"})
		return
	}
	switch {
	case r.Method == http.MethodPut && q.Has("uploadId"):
		s.uploadPart(w, r, sig, q)
	case r.Method == http.MethodPut:
		s.putObject(w, r, b, key, sig)
	case r.Method == http.MethodPost && q.Has("uploads"):
		s.createUpload(w, r, name, key)
	case r.Method == http.MethodPost && q.Has("uploadId"):
		s.completeUpload(w, r, b, key, q.Get("uploadId"))
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		s.abortUpload(w, r, q.Get("uploadId"))
	case r.Method == http.MethodDelete:
		s.deleteObject(w, name, key)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.getObject(w, r, name, key, q)
	default:
		s.fail(w, r, &s3Error{http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource."})
	}
}

func (s *Server) newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// receive writes r's body to a new file, checking the declared SHA-256 of
// a header-signed request, and returns it as an object.
func (s *Server) receive(r *http.Request, sig signed) (*object, *s3Error) {
	if r.ContentLength < 0 {
		return nil, &s3Error{http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header."}
	}
	f, err := os.CreateTemp(s.cfg.Dir, "object-")
	if err != nil {
		return nil, &s3Error{http.StatusInternalServerError, "InternalError", err.Error()}
	}
	defer f.Close()
	sum, md := sha256.New(), md5.New()
	n, err := io.Copy(io.MultiWriter(f, sum, md), r.Body)
	if err != nil || n != r.ContentLength {
		os.Remove(f.Name())
		return nil, &s3Error{http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	}
	if sig.payloadHash != unsignedPayload && !strings.EqualFold(sig.payloadHash, hexSum(sum)) {
		os.Remove(f.Name())
		return nil, &s3Error{http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	return &object{path: f.Name(), size: n, etag: `"` + hexSum(md) + `"`, contentType: r.Header.Get("Content-Type"), modified: s.cfg.Now().UTC()}, nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, b *Bucket, key string, sig signed) {
	obj, e := s.receive(r, sig)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	if obj.contentType == "" {
		obj.contentType = "binary/octet-stream"
	}
	s.store(b.Name, key, obj)
	w.Header().Set("ETag", obj.etag)
	w.WriteHeader(http.StatusOK)
	s.notify(b, key, obj, "ObjectCreated:Put", r)
}

func (s *Server) store(bucket, key string, obj *object) {
	s.mu.Lock()
	old := s.objects[bucket+"/"+key]
	s.objects[bucket+"/"+key] = obj
	s.mu.Unlock()
	if old != nil {
		os.Remove(old.path)
	}
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, bucket, key string, q url.Values) {
	s.mu.Lock()
	obj := s.objects[bucket+"/"+key]
	s.mu.Unlock()
	if obj == nil {
		s.fail(w, r, &s3Error{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."})
		return
	}
	f, err := os.Open(obj.path)
	if err != nil { // replaced or deleted meanwhile
		s.fail(w, r, &s3Error{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."})
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Length", strconv.FormatInt(obj.size, 10))
	h.Set("Content-Type", obj.contentType)
	h.Set("ETag", obj.etag)
	h.Set("Last-Modified", obj.modified.Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	for param, header := range map[string]string{
		"response-content-disposition": "Content-Disposition", "response-content-type": "Content-Type",
		"response-cache-control": "Cache-Control",
	} {
		if v := q.Get(param); v != "" {
			h.Set(header, v)
		}
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, f)
	}
}

// listObjects is ListObjectsV2: the keys under prefix in key order, at
// most max-keys (1 000) a page, continued after continuation-token (here
// the last key of the page before).
func (s *Server) listObjects(w http.ResponseWriter, bucket string, q url.Values) {
	prefix, after := q.Get("prefix"), q.Get("continuation-token")
	maxKeys := 1000
	if n, err := strconv.Atoi(q.Get("max-keys")); err == nil && n >= 0 && n < maxKeys {
		maxKeys = n
	}
	type content struct {
		Key          string
		LastModified string
		ETag         string
		Size         int64
		StorageClass string
	}
	s.mu.Lock()
	var keys []string
	for k := range s.objects {
		if key, ok := strings.CutPrefix(k, bucket+"/"); ok && strings.HasPrefix(key, prefix) && key > after {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	truncated := len(keys) > maxKeys
	keys = keys[:min(len(keys), maxKeys)]
	var contents []content
	for _, k := range keys {
		o := s.objects[bucket+"/"+k]
		contents = append(contents, content{Key: k, LastModified: o.modified.UTC().Format(time.RFC3339), ETag: o.etag, Size: o.size, StorageClass: "STANDARD"})
	}
	s.mu.Unlock()
	res := struct {
		XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
		Name                  string
		Prefix                string
		KeyCount              int
		MaxKeys               int
		IsTruncated           bool
		ContinuationToken     string `xml:",omitempty"`
		NextContinuationToken string `xml:",omitempty"`
		Contents              []content
	}{Name: bucket, Prefix: prefix, KeyCount: len(contents), MaxKeys: maxKeys, IsTruncated: truncated, ContinuationToken: after, Contents: contents}
	if truncated {
		res.NextContinuationToken = keys[len(keys)-1]
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(res)
}

func (s *Server) deleteObject(w http.ResponseWriter, bucket, key string) {
	s.mu.Lock()
	obj := s.objects[bucket+"/"+key]
	delete(s.objects, bucket+"/"+key)
	s.mu.Unlock()
	if obj != nil {
		os.Remove(obj.path)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createUpload(w http.ResponseWriter, r *http.Request, bucket, key string) {
	id := s.newID()
	s.mu.Lock()
	s.uploads[id] = &upload{bucket: bucket, key: key, contentType: r.Header.Get("Content-Type"), parts: map[int32]*object{}}
	s.mu.Unlock()
	writeXML(w, struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		Bucket   string
		Key      string
		UploadID string `xml:"UploadId"`
	}{Bucket: bucket, Key: key, UploadID: id})
}

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, sig signed, q url.Values) {
	num, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil || num < 1 || num > 10000 {
		s.fail(w, r, &s3Error{http.StatusBadRequest, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"})
		return
	}
	s.mu.Lock()
	u := s.uploads[q.Get("uploadId")]
	s.mu.Unlock()
	if u == nil {
		s.fail(w, r, noSuchUpload())
		return
	}
	part, e := s.receive(r, sig)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	s.mu.Lock()
	if old := u.parts[int32(num)]; old != nil {
		os.Remove(old.path)
	}
	u.parts[int32(num)] = part
	s.mu.Unlock()
	w.Header().Set("ETag", part.etag)
	w.WriteHeader(http.StatusOK)
}

func noSuchUpload() *s3Error {
	return &s3Error{http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
}

// completeUpload joins the listed parts, each but the last at least 5 MiB
// as S3 requires, into the object.
func (s *Server) completeUpload(w http.ResponseWriter, r *http.Request, b *Bucket, key, id string) {
	var req struct {
		Parts []struct {
			PartNumber int32
			ETag       string
		} `xml:"Part"`
	}
	if err := xml.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || len(req.Parts) == 0 {
		s.fail(w, r, &s3Error{http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema."})
		return
	}
	s.mu.Lock()
	u := s.uploads[id]
	if u != nil && (u.bucket != b.Name || u.key != key) {
		u = nil
	}
	s.mu.Unlock()
	if u == nil {
		s.fail(w, r, noSuchUpload())
		return
	}
	f, err := os.CreateTemp(s.cfg.Dir, "object-")
	if err != nil {
		s.fail(w, r, &s3Error{http.StatusInternalServerError, "InternalError", err.Error()})
		return
	}
	defer f.Close()
	md := md5.New()
	var size int64
	for i, p := range req.Parts {
		s.mu.Lock()
		part := u.parts[p.PartNumber]
		s.mu.Unlock()
		if part == nil || strings.Trim(p.ETag, `"`) != strings.Trim(part.etag, `"`) || (i > 0 && p.PartNumber <= req.Parts[i-1].PartNumber) {
			os.Remove(f.Name())
			s.fail(w, r, &s3Error{http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found."})
			return
		}
		if i < len(req.Parts)-1 && part.size < 5<<20 {
			os.Remove(f.Name())
			s.fail(w, r, &s3Error{http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size."})
			return
		}
		raw, _ := hex.DecodeString(strings.Trim(part.etag, `"`))
		md.Write(raw)
		pf, err := os.Open(part.path)
		if err != nil {
			os.Remove(f.Name())
			s.fail(w, r, &s3Error{http.StatusInternalServerError, "InternalError", err.Error()})
			return
		}
		n, err := io.Copy(f, pf)
		pf.Close()
		if err != nil {
			os.Remove(f.Name())
			s.fail(w, r, &s3Error{http.StatusInternalServerError, "InternalError", err.Error()})
			return
		}
		size += n
	}
	obj := &object{path: f.Name(), size: size, etag: fmt.Sprintf(`"%s-%d"`, hexSum(md), len(req.Parts)),
		contentType: u.contentType, modified: s.cfg.Now().UTC()}
	if obj.contentType == "" {
		obj.contentType = "binary/octet-stream"
	}
	s.dropUpload(id)
	s.store(b.Name, key, obj)
	writeXML(w, struct {
		XMLName xml.Name `xml:"CompleteMultipartUploadResult"`
		Bucket  string
		Key     string
		ETag    string
	}{Bucket: b.Name, Key: key, ETag: obj.etag})
	s.notify(b, key, obj, "ObjectCreated:CompleteMultipartUpload", r)
}

func (s *Server) abortUpload(w http.ResponseWriter, r *http.Request, id string) {
	if !s.dropUpload(id) {
		s.fail(w, r, noSuchUpload())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) dropUpload(id string) bool {
	s.mu.Lock()
	u := s.uploads[id]
	delete(s.uploads, id)
	s.mu.Unlock()
	if u == nil {
		return false
	}
	for _, p := range u.parts {
		os.Remove(p.path)
	}
	return true
}

// Uploads is how many multipart uploads are open (neither completed nor
// aborted).
func (s *Server) Uploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.uploads)
}

// Object returns the content of an object directly (test assertions).
func (s *Server) Object(bucket, key string) ([]byte, bool) {
	s.mu.Lock()
	obj := s.objects[bucket+"/"+key]
	s.mu.Unlock()
	if obj == nil {
		return nil, false
	}
	b, err := os.ReadFile(obj.path)
	return b, err == nil
}

// Keys lists a bucket's keys under prefix, sorted (test assertions).
func (s *Server) Keys(bucket, prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.objects {
		if rest, ok := strings.CutPrefix(k, bucket+"/"); ok && strings.HasPrefix(rest, prefix) {
			keys = append(keys, rest)
		}
	}
	slices.Sort(keys)
	return keys
}

// Close removes the objects' files.
func (s *Server) Close() error {
	s.Wait()
	return os.RemoveAll(s.cfg.Dir)
}

// notify runs the bucket's notifications that match key, each on its own
// goroutine, with the S3 event Lambda would receive.
func (s *Server) notify(b *Bucket, key string, obj *object, eventName string, r *http.Request) {
	for _, n := range b.Notifications {
		if !strings.HasPrefix(key, n.Prefix) || !strings.HasSuffix(key, n.Suffix) || s.cfg.Invoke == nil {
			continue
		}
		s.mu.Lock()
		s.seq++
		seq := s.seq
		s.mu.Unlock()
		event := notification{Records: []record{{
			EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: s.cfg.Region,
			EventTime: obj.modified.Format("2006-01-02T15:04:05.000Z"), EventName: eventName,
			UserIdentity:      identity{"AWS:" + s.cfg.AccessKeyID},
			RequestParameters: map[string]string{"sourceIPAddress": strings.Split(r.RemoteAddr, ":")[0]},
			ResponseElements:  map[string]string{"x-amz-request-id": r.Header.Get("X-Amz-Request-Id"), "x-amz-id-2": s.newID()},
			S3: entity{
				SchemaVersion:   "1.0",
				ConfigurationID: "local-" + n.Function,
				Bucket:          bucketRef{Name: b.Name, OwnerIdentity: identity{"local"}, ARN: "arn:aws:s3:::" + b.Name},
				// S3 puts the key form-encoded in the event (a space is +).
				Object: objectRef{Key: url.QueryEscape(key), Size: obj.size, ETag: strings.Trim(obj.etag, `"`),
					Sequencer: fmt.Sprintf("%016X", seq)},
			},
		}}}
		payload, err := json.Marshal(event)
		if err != nil {
			s.cfg.Log.Error("s3local: encode event", "error", err)
			continue
		}
		fn := n.Function
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.cfg.Invoke(context.Background(), fn, payload); err != nil {
				s.cfg.Log.Error("s3local: notification failed", "function", fn, "key", key, "error", err)
			}
		}()
	}
}

// notification is the event S3 sends Lambda for an object created, field
// for field as AWS documents it ("Event message structure"): what
// aws-lambda-go's events.S3Event reads.
type notification struct {
	Records []record `json:"Records"`
}

type record struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      identity          `json:"userIdentity"`
	RequestParameters map[string]string `json:"requestParameters"`
	ResponseElements  map[string]string `json:"responseElements"`
	S3                entity            `json:"s3"`
}

type identity struct {
	PrincipalID string `json:"principalId"`
}

type entity struct {
	SchemaVersion   string    `json:"s3SchemaVersion"`
	ConfigurationID string    `json:"configurationId"`
	Bucket          bucketRef `json:"bucket"`
	Object          objectRef `json:"object"`
}

type bucketRef struct {
	Name          string   `json:"name"`
	OwnerIdentity identity `json:"ownerIdentity"`
	ARN           string   `json:"arn"`
}

type objectRef struct {
	Key       string `json:"key"`
	Size      int64  `json:"size"`
	ETag      string `json:"eTag"`
	Sequencer string `json:"sequencer"`
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}
