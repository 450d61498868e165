package e2e

// The part of OpenAPI 3.1 the route fuzzer reads from openapi.yaml: paths,
// operations, parameters, request bodies, responses and the JSON Schema
// subset the document uses, with a validator for decoded JSON.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// apiSpec is an OpenAPI document.
type apiSpec struct {
	Security   []map[string][]string `yaml:"security"`
	Paths      map[string]*pathItem  `yaml:"paths"`
	Components struct {
		Schemas    map[string]*schema      `yaml:"schemas"`
		Parameters map[string]*parameter   `yaml:"parameters"`
		Responses  map[string]*responseObj `yaml:"responses"`
	} `yaml:"components"`
}

type pathItem struct {
	Parameters []*parameter  `yaml:"parameters"`
	Get        *operationObj `yaml:"get"`
	Put        *operationObj `yaml:"put"`
	Post       *operationObj `yaml:"post"`
	Delete     *operationObj `yaml:"delete"`
	Patch      *operationObj `yaml:"patch"`
}

type operationObj struct {
	OperationID string                  `yaml:"operationId"`
	Security    *[]map[string][]string  `yaml:"security"` // nil: the document's; empty: public
	Parameters  []*parameter            `yaml:"parameters"`
	RequestBody *requestBody            `yaml:"requestBody"`
	Responses   map[string]*responseObj `yaml:"responses"`
}

type parameter struct {
	Ref      string  `yaml:"$ref"`
	Name     string  `yaml:"name"`
	In       string  `yaml:"in"`
	Required bool    `yaml:"required"`
	Schema   *schema `yaml:"schema"`
}

type requestBody struct {
	Required bool                  `yaml:"required"`
	Content  map[string]*mediaType `yaml:"content"`
}

type mediaType struct {
	Schema *schema `yaml:"schema"`
}

type responseObj struct {
	Ref     string                `yaml:"$ref"`
	Content map[string]*mediaType `yaml:"content"`
}

// schema is the JSON Schema subset of the document.
type schema struct {
	Ref         string             `yaml:"$ref"`
	Description string             `yaml:"description"`
	Type        any                `yaml:"type"` // a name or a list of names
	Format      string             `yaml:"format"`
	Enum        []any              `yaml:"enum"`
	Const       any                `yaml:"const"`
	Required    []string           `yaml:"required"`
	Properties  map[string]*schema `yaml:"properties"`
	Items       *schema            `yaml:"items"`
	OneOf       []*schema          `yaml:"oneOf"`
	AllOf       []*schema          `yaml:"allOf"`
	MinLength   *int               `yaml:"minLength"`
	MaxLength   *int               `yaml:"maxLength"`
	MinItems    *int               `yaml:"minItems"`
	MaxItems    *int               `yaml:"maxItems"`
	Minimum     *float64           `yaml:"minimum"`
	Maximum     *float64           `yaml:"maximum"`
	Default     any                `yaml:"default"`
}

// types are the schema's type names.
func (s *schema) types() []string {
	switch t := s.Type.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

func (s *schema) is(typ string) bool { return slices.Contains(s.types(), typ) }

// operation is one method of one path, its references resolved.
type operation struct {
	id, method, path string
	public           bool
	params           []*parameter // path and query
	body             *schema      // nil: no request body
	bodyRequired     bool
	statuses         map[int]bool
	responses        map[int]*schema  // the JSON body of each documented status
	media            map[int][]string // each documented status's media types
}

func (o *operation) String() string { return o.method + " " + o.path }

func (o *operation) param(in, name string) *parameter {
	for _, p := range o.params {
		if p.In == in && p.Name == name {
			return p
		}
	}
	return nil
}

// loadSpec reads an OpenAPI document.
func loadSpec(path string) (*apiSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the API description: %w", err)
	}
	var sp apiSpec
	if err := yaml.Unmarshal(data, &sp); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if len(sp.Paths) == 0 {
		return nil, fmt.Errorf("%s has no paths", path)
	}
	return &sp, nil
}

// operations lists every operation, sorted by path and method.
func (sp *apiSpec) operations() ([]*operation, error) {
	var ops []*operation
	for path, item := range sp.Paths {
		for method, o := range map[string]*operationObj{"GET": item.Get, "PUT": item.Put, "POST": item.Post,
			"DELETE": item.Delete, "PATCH": item.Patch} {
			if o == nil {
				continue
			}
			op := &operation{id: o.OperationID, method: method, path: path, statuses: map[int]bool{},
				responses: map[int]*schema{}, media: map[int][]string{}}
			op.public = o.Security != nil && len(*o.Security) == 0 || o.Security == nil && len(sp.Security) == 0
			for _, p := range append(slices.Clone(item.Parameters), o.Parameters...) {
				rp, err := sp.parameter(p)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", op, err)
				}
				op.params = append(op.params, rp)
			}
			if rb := o.RequestBody; rb != nil {
				mt := rb.Content["application/json"]
				if mt == nil || mt.Schema == nil {
					return nil, fmt.Errorf("%s: a request body that is not JSON", op)
				}
				op.body, op.bodyRequired = mt.Schema, rb.Required
			}
			for code, r := range o.Responses {
				status, err := strconv.Atoi(code)
				if err != nil {
					return nil, fmt.Errorf("%s: response %q is not a status", op, code)
				}
				rr, err := sp.response(r)
				if err != nil {
					return nil, fmt.Errorf("%s %d: %w", op, status, err)
				}
				op.statuses[status] = true
				for media := range rr.Content {
					op.media[status] = append(op.media[status], media)
				}
				if mt := rr.Content["application/json"]; mt != nil {
					op.responses[status] = mt.Schema
				}
			}
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		return ops[i].path < ops[j].path || ops[i].path == ops[j].path && ops[i].method < ops[j].method
	})
	return ops, nil
}

func refName(ref, prefix string) (string, error) {
	name, ok := strings.CutPrefix(ref, prefix)
	if !ok {
		return "", fmt.Errorf("$ref %q is not under %s", ref, prefix)
	}
	return name, nil
}

func (sp *apiSpec) parameter(p *parameter) (*parameter, error) {
	if p.Ref == "" {
		return p, nil
	}
	name, err := refName(p.Ref, "#/components/parameters/")
	if err != nil {
		return nil, err
	}
	if rp := sp.Components.Parameters[name]; rp != nil {
		return rp, nil
	}
	return nil, fmt.Errorf("no parameter %s", p.Ref)
}

func (sp *apiSpec) response(r *responseObj) (*responseObj, error) {
	if r.Ref == "" {
		return r, nil
	}
	name, err := refName(r.Ref, "#/components/responses/")
	if err != nil {
		return nil, err
	}
	if rr := sp.Components.Responses[name]; rr != nil {
		return rr, nil
	}
	return nil, fmt.Errorf("no response %s", r.Ref)
}

// resolve follows a schema's $ref.
func (sp *apiSpec) resolve(s *schema) *schema {
	for s != nil && s.Ref != "" {
		name, err := refName(s.Ref, "#/components/schemas/")
		if err != nil {
			return nil
		}
		s = sp.Components.Schemas[name]
	}
	return s
}

// codeStatuses reads the status of each error code from ErrorCode's
// description: "400 `validation_failed`, `invalid_json`; 401 …".
func (sp *apiSpec) codeStatuses() (map[string]int, error) {
	ec := sp.Components.Schemas["ErrorCode"]
	if ec == nil {
		return nil, errors.New("no ErrorCode schema")
	}
	out := map[string]int{}
	for _, part := range strings.Split(ec.Description, ";") {
		status, codes, ok := strings.Cut(strings.TrimSpace(part), " ")
		n, err := strconv.Atoi(status)
		if !ok || err != nil {
			return nil, fmt.Errorf("ErrorCode's description: %q does not start with a status", part)
		}
		for _, c := range strings.Split(codes, ",") {
			out[strings.Trim(strings.TrimSpace(c), "`.")] = n
		}
	}
	for _, e := range ec.Enum {
		if out[fmt.Sprint(e)] == 0 {
			return nil, fmt.Errorf("ErrorCode's description gives no status for %v", e)
		}
	}
	return out, nil
}

// decodeJSON decodes b keeping numbers exact.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

// validate checks decoded JSON (from decodeJSON) against s: types,
// required, properties, items, enum, const, oneOf, allOf, lengths in characters,
// item counts, bounds, and the uuid and date-time formats. An e-mail is
// only checked to have an @: the format is an annotation in JSON Schema.
func (sp *apiSpec) validate(s *schema, v any, at string) error {
	s = sp.resolve(s)
	if s == nil {
		return fmt.Errorf("%s: unresolved schema", at)
	}
	if len(s.OneOf) > 0 {
		n := 0
		for _, alt := range s.OneOf {
			if sp.validate(alt, v, at) == nil {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("%s: matches %d of oneOf's %d schemas", at, n, len(s.OneOf))
		}
	}
	for _, part := range s.AllOf {
		if err := sp.validate(part, v, at); err != nil {
			return err
		}
	}
	if ts := s.types(); len(ts) > 0 && !slices.ContainsFunc(ts, func(t string) bool { return hasType(v, t) }) {
		return fmt.Errorf("%s: %s, want %s", at, jsonKind(v), strings.Join(ts, " or "))
	}
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, s.Enum)
	}
	if s.Const != nil && fmt.Sprint(s.Const) != fmt.Sprint(v) {
		return fmt.Errorf("%s: %v, want %v", at, v, s.Const)
	}
	switch x := v.(type) {
	case string:
		n := utf8.RuneCountInString(x)
		if s.MinLength != nil && n < *s.MinLength || s.MaxLength != nil && n > *s.MaxLength {
			return fmt.Errorf("%s: %d characters", at, n)
		}
		switch s.Format {
		case "uuid":
			if !canonicalUUID(x) {
				return fmt.Errorf("%s: %q is not a UUID", at, x)
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil {
				return fmt.Errorf("%s: %q is not a date-time", at, x)
			}
		case "email":
			if !strings.Contains(x, "@") {
				return fmt.Errorf("%s: %q is not an e-mail", at, x)
			}
		}
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return fmt.Errorf("%s: %s is out of range", at, x)
		}
		if s.Minimum != nil && f < *s.Minimum || s.Maximum != nil && f > *s.Maximum {
			return fmt.Errorf("%s: %s is out of bounds", at, x)
		}
	case []any:
		if s.MinItems != nil && len(x) < *s.MinItems || s.MaxItems != nil && len(x) > *s.MaxItems {
			return fmt.Errorf("%s: %d items", at, len(x))
		}
		if s.Items != nil {
			for i, e := range x {
				if err := sp.validate(s.Items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case map[string]any:
		for _, name := range s.Required {
			if _, ok := x[name]; !ok {
				return fmt.Errorf("%s: %s is missing", at, name)
			}
		}
		for name, ps := range s.Properties {
			if e, ok := x[name]; ok {
				if err := sp.validate(ps, e, at+"."+name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func hasType(v any, t string) bool {
	switch x := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	case json.Number:
		if t == "number" {
			return true
		}
		r, ok := new(big.Rat).SetString(string(x))
		return t == "integer" && ok && r.IsInt()
	}
	return false
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// canonicalUUID reports whether s is 8-4-4-4-12 hexadecimal digits.
func canonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
