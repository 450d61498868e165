// Package ssmtest is an in-memory SSM Parameter Store speaking the real wire
// protocol (AWS JSON 1.1, X-Amz-Target: AmazonSSM.*), for tests that run the
// real aws-sdk-go-v2 client: GetParameter, GetParameters, PutParameter,
// DeleteParameter. SSM cannot run here; this is the stand-in, also the
// Parameter Store of the local stack (local/cmd/localstack). It does not
// check signatures.
//
// It is test and local tooling only; no Lambda imports it.
package ssmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the fake.
type Server struct {
	mu     sync.Mutex
	params map[string]param
	calls  map[string]int
}

type param struct {
	Value    string
	Type     string
	Version  int64
	Modified time.Time
}

// New returns an empty store.
func New() *Server { return &Server{params: map[string]param{}, calls: map[string]int{}} }

// Start serves a new store for the test and returns it with its endpoint URL.
func Start(tb testing.TB) (*Server, string) {
	s := New()
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	return s, srv.URL
}

// Put sets a parameter directly (test set-up).
func (s *Server) Put(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.params[name]
	s.params[name] = param{Value: value, Type: "SecureString", Version: p.Version + 1, Modified: time.Now()}
}

// Value returns a parameter's value directly (test assertions).
func (s *Server) Value(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.params[name]
	return p.Value, ok
}

// Delete removes a parameter.
func (s *Server) Delete(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.params[name]; !ok {
		return fmt.Errorf("ssmtest: no parameter %s", name)
	}
	delete(s.params, name)
	return nil
}

// Calls returns how many times an operation ("GetParameters") was called.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "SerializationException", "bad JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	switch op {
	case "GetParameters":
		names, _ := in["Names"].([]any)
		if len(names) == 0 || len(names) > 10 {
			fail(w, http.StatusBadRequest, "ValidationException", "Names must hold 1 to 10 names")
			return
		}
		out := map[string]any{"Parameters": []any{}, "InvalidParameters": []string{}}
		for _, n := range names {
			name, _ := n.(string)
			if p, ok := s.params[name]; ok {
				out["Parameters"] = append(out["Parameters"].([]any), s.view(name, p))
			} else {
				out["InvalidParameters"] = append(out["InvalidParameters"].([]string), name)
			}
		}
		reply(w, out)
	case "GetParameter":
		name, _ := in["Name"].(string)
		p, ok := s.params[name]
		if !ok {
			fail(w, http.StatusBadRequest, "ParameterNotFound", "")
			return
		}
		reply(w, map[string]any{"Parameter": s.view(name, p)})
	case "PutParameter":
		name, _ := in["Name"].(string)
		value, _ := in["Value"].(string)
		overwrite, _ := in["Overwrite"].(bool)
		old, exists := s.params[name]
		if exists && !overwrite {
			fail(w, http.StatusBadRequest, "ParameterAlreadyExists", "")
			return
		}
		typ, _ := in["Type"].(string)
		if typ == "" {
			typ = "SecureString"
		}
		s.params[name] = param{Value: value, Type: typ, Version: old.Version + 1, Modified: time.Now()}
		reply(w, map[string]any{"Version": old.Version + 1, "Tier": "Standard"})
	case "DeleteParameter":
		name, _ := in["Name"].(string)
		if _, ok := s.params[name]; !ok {
			fail(w, http.StatusBadRequest, "ParameterNotFound", "")
			return
		}
		delete(s.params, name)
		reply(w, map[string]any{})
	default:
		fail(w, http.StatusBadRequest, "UnknownOperationException", op)
	}
}

func (s *Server) view(name string, p param) map[string]any {
	return map[string]any{"Name": name, "Type": p.Type, "Value": p.Value, "Version": p.Version,
		"LastModifiedDate": float64(p.Modified.Unix()), "ARN": "arn:aws:ssm:us-east-1:000000000000:parameter" + name, "DataType": "text"}
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
