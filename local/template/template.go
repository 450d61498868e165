// Package template reads the functions, routes and schedules of an AWS SAM
// template.yaml, with the template's Globals merged into each function, so
// that local tooling runs exactly what the template deploys.
//
// Intrinsic functions (!Ref, !Sub, !GetAtt, !If, …) never break the parse:
// they are kept as opaque values, and a value that needs one is resolved only
// where a local equivalent exists (see Function.Env).
package template

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Template is the part of a SAM template that local tooling runs.
type Template struct {
	// Functions are the AWS::Serverless::Function resources, sorted by LogicalID.
	Functions []*Function
	// Parameters maps each template parameter to its Default ("" when it has
	// none); a local run may override them (sam deploy --parameter-overrides).
	Parameters map[string]string
	// APIs are the AWS::Serverless::HttpApi resources by logical id.
	APIs map[string]*HTTPAPI
	// Buckets are the AWS::S3::Bucket resources by logical id.
	Buckets map[string]*Bucket
	// HeadersPolicies are the AWS::CloudFront::ResponseHeadersPolicy
	// resources by logical id: the headers CloudFront adds to the web app's
	// answers, which the local gateway serves it with.
	HeadersPolicies map[string]*HeadersPolicy
	// conditions are the template's Conditions, for !If.
	conditions map[string]*yaml.Node
}

// HTTPAPI is one AWS::Serverless::HttpApi.
type HTTPAPI struct {
	// CORS is its CorsConfiguration; nil when it has none (API Gateway then
	// answers no preflight and adds no CORS header).
	CORS *CORS
}

// CORS is a CorsConfiguration (HTTP API) or FunctionUrlConfig.Cors: what the
// service answers preflights with and adds to responses. Values may be
// intrinsics (!Ref AppOrigin): resolve them with Template.ResolveAll.
type CORS struct {
	AllowOrigins     []Value
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	MaxAge           int // seconds; 0 when unset
	AllowCredentials bool
}

// Function is one AWS::Serverless::Function with Globals.Function merged in.
type Function struct {
	LogicalID  string        // HealthFunction
	Dir        string        // health: the folder under functions/ and under the build dir
	Handler    string        // bootstrap
	Runtime    string        // provided.al2023
	MemorySize int           // MB
	Timeout    time.Duration // the function's Timeout
	// Environment holds the declared variables. A plain scalar is Value.Literal;
	// an intrinsic (!Ref …) has Value.Intrinsic set and no literal.
	Environment map[string]Value
	Routes      []Route
	Schedules   []Schedule
	S3Events    []S3Event
	// Streaming reports FunctionUrlConfig.InvokeMode RESPONSE_STREAM: the
	// function's responses are served streamed.
	Streaming bool
	// URL reports a FunctionUrlConfig; URLCORS is its Cors (nil: none).
	URL     bool
	URLCORS *CORS
	// LogFormat is LoggingConfig.LogFormat (Text or JSON).
	LogFormat string
	// ReservedConcurrency is ReservedConcurrentExecutions (often an !If on a
	// parameter): resolve it with Template.Resolve; no value means none.
	ReservedConcurrency Value
}

// Value is a template scalar or an intrinsic function.
type Value struct {
	Literal   string
	Intrinsic string // the tag, such as "!Ref", when the value is an intrinsic
	Ref       string // the referenced name for !Ref
	// Args are !Join's arguments: the delimiter, then the values joined.
	Args []Value
}

// Route is an HttpApi event: API Gateway HTTP API route.
type Route struct {
	Method string // GET, POST, … or ANY
	Path   string // /conversations/{id}, /{proxy+} or $default
	// Public reports that no authorizer runs: Auth.Authorizer NONE, or no
	// authorizer on the route and no DefaultAuthorizer on its API.
	Public bool
	// Authorizer names the authorizer that runs when the route is not public.
	Authorizer string
	// Scopes is Auth.AuthorizationScopes: the token needs one of them.
	Scopes []string
	// API is the logical id of the AWS::Serverless::HttpApi ("" for the implicit one).
	API string
}

// Key is the route key API Gateway uses: "GET /conversations/{id}" or "$default".
func (r Route) Key() string {
	if r.Path == "$default" {
		return "$default"
	}
	return r.Method + " " + r.Path
}

// S3Event is an S3 event of a function: the bucket's notification that
// invokes it when an object is created under Prefix and ending in Suffix.
type S3Event struct {
	Name   string   // the event's name in Events
	Bucket string   // the bucket's logical id (its !Ref)
	Events []string // s3:ObjectCreated:*, …
	Prefix string
	Suffix string
}

// Bucket is an AWS::S3::Bucket: what the local S3 stand-in needs of it.
type Bucket struct {
	LogicalID string
	CORS      []BucketCORSRule
}

// BucketCORSRule is one of a bucket's CorsConfiguration.CorsRules. Origins
// may be intrinsics (!Ref AppOrigin): resolve them with Template.ResolveAll.
type BucketCORSRule struct {
	AllowedOrigins []Value
	AllowedMethods []string
	AllowedHeaders []string
	ExposedHeaders []string
	MaxAge         int
}

// HeadersPolicy is an AWS::CloudFront::ResponseHeadersPolicy: the response
// headers it sets, by their HTTP names.
type HeadersPolicy struct {
	LogicalID string
	// CSP is SecurityHeadersConfig.ContentSecurityPolicy as written: a !Sub's
	// template keeps its ${…} references unresolved.
	CSP string
	// Headers are the other security headers (Strict-Transport-Security,
	// X-Content-Type-Options, X-Frame-Options, Referrer-Policy) and the
	// CustomHeadersConfig items, as CloudFront sends them.
	Headers map[string]string
}

// Schedule is a Schedule or ScheduleV2 event.
type Schedule struct {
	Name       string // the event's name in Events
	Expression string // rate(5 minutes) or cron(…)
	Input      string // the constant JSON payload, "" for the scheduled-event shape
	Enabled    bool
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse parses a SAM template.
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("parse template: not a YAML mapping")
	}
	root := doc.Content[0]

	t := &Template{Parameters: map[string]string{}, APIs: map[string]*HTTPAPI{}, Buckets: map[string]*Bucket{},
		HeadersPolicies: map[string]*HeadersPolicy{}, conditions: map[string]*yaml.Node{}}
	for name, c := range Pairs(Get(root, "Conditions")) {
		t.conditions[name] = c
	}
	for name, p := range Pairs(Get(root, "Parameters")) {
		t.Parameters[name] = scalar(Get(p, "Default"))
	}

	globals := Get(Get(root, "Globals"), "Function")
	resources := Get(root, "Resources")
	if resources == nil {
		return nil, errors.New("parse template: no Resources")
	}
	apis := map[string]*yaml.Node{} // HttpApi logical id → Properties
	for id, res := range Pairs(resources) {
		if scalar(Get(res, "Type")) == "AWS::Serverless::HttpApi" {
			apis[id] = Get(res, "Properties")
			t.APIs[id] = &HTTPAPI{CORS: parseCORS(Get(apis[id], "CorsConfiguration"))}
		}
	}
	for id, res := range Pairs(resources) {
		switch scalar(Get(res, "Type")) {
		case "AWS::S3::Bucket":
			t.Buckets[id] = parseBucket(id, Get(res, "Properties"))
		case "AWS::CloudFront::ResponseHeadersPolicy":
			t.HeadersPolicies[id] = parseHeadersPolicy(id, Get(Get(res, "Properties"), "ResponseHeadersPolicyConfig"))
		}
	}
	for id, res := range Pairs(resources) {
		if scalar(Get(res, "Type")) != "AWS::Serverless::Function" {
			continue
		}
		fn, err := parseFunction(id, Get(res, "Properties"), globals, apis)
		if err != nil {
			return nil, fmt.Errorf("parse template: %s: %w", id, err)
		}
		t.Functions = append(t.Functions, fn)
	}
	sort.Slice(t.Functions, func(i, j int) bool { return t.Functions[i].LogicalID < t.Functions[j].LogicalID })
	return t, nil
}

// Function returns the function whose Dir or LogicalID is name.
func (t *Template) Function(name string) (*Function, bool) {
	for _, f := range t.Functions {
		if f.Dir == name || f.LogicalID == name {
			return f, true
		}
	}
	return nil, false
}

// Env resolves the function's Environment for a local run. For each variable
// the template declares: the value in local (the local stack's settings and the
// process environment) wins; else a literal template value is used; else an
// intrinsic with a local equivalent is resolved (see Resolve); else the
// variable is omitted.
//
// Two kinds of local values reach the function although the template does not
// declare them, because on AWS they come from elsewhere:
//   - the secrets the function names in SECRETS ("critical/database-url" is
//     DATABASE_URL), which shared/secrets reads from Parameter Store on AWS
//     unless the environment has them, as it has locally;
//   - every *_ENDPOINT variable (SSM_ENDPOINT, LAMBDA_ENDPOINT, …), which points
//     an AWS SDK client at a local stand-in of the service.
//
// Every other local value is ignored.
func (f *Function) Env(t *Template, local map[string]string) map[string]string {
	env := make(map[string]string, len(f.Environment))
	for name, v := range f.Environment {
		if lv, ok := local[name]; ok {
			env[name] = lv
		} else if rv, ok := t.Resolve(v); ok {
			env[name] = rv
		}
	}
	for _, name := range f.SecretVariables() {
		if lv, ok := local[name]; ok {
			env[name] = lv
		}
	}
	for name, lv := range local {
		if strings.HasSuffix(name, "_ENDPOINT") {
			env[name] = lv
		}
	}
	return env
}

// SecretVariables are the environment variables that stand for the secrets
// the function declares in SECRETS: DATABASE_URL for critical/database-url.
// An entry without a tier counts by its name.
func (f *Function) SecretVariables() []string {
	var names []string
	for _, part := range strings.Split(f.Environment["SECRETS"].Literal, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if _, name, ok := strings.Cut(part, "/"); ok {
			part = name
		}
		names = append(names, strings.ToUpper(strings.ReplaceAll(part, "-", "_")))
	}
	return names
}

// Resolve gives v its local value: a literal as it is; a !Ref to a template
// parameter its Default (as sam local does; an empty default resolves to
// nothing); a !Ref to a function its local name, the function's folder (the
// name the local gateway and its Invoke API know it by); a !Join of values
// that all resolve, the joined string. Anything else has no local value.
func (t *Template) Resolve(v Value) (string, bool) {
	switch v.Intrinsic {
	case "":
		return v.Literal, true
	case "!Ref":
		if t == nil {
			return "", false
		}
		if d := t.Parameters[v.Ref]; d != "" {
			return d, true
		}
		for _, f := range t.Functions {
			if f.LogicalID == v.Ref {
				return f.Dir, true
			}
		}
	case "!If":
		if t == nil || len(v.Args) != 2 {
			return "", false
		}
		cond, ok := t.condition(t.conditions[v.Ref])
		if !ok {
			return "", false
		}
		if cond {
			return t.Resolve(v.Args[0])
		}
		return t.Resolve(v.Args[1])
	case "!Join":
		if len(v.Args) == 0 {
			return "", false
		}
		sep, ok := t.Resolve(v.Args[0])
		if !ok {
			return "", false
		}
		parts := make([]string, 0, len(v.Args)-1)
		for _, a := range v.Args[1:] {
			s, ok := t.Resolve(a)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, sep), true
	}
	return "", false
}

// condition evaluates a condition made of !Equals, !Not, !And, !Or and
// !Condition over values Resolve knows; ok is false for anything else.
func (t *Template) condition(n *yaml.Node) (result, ok bool) {
	if n == nil {
		return false, false
	}
	args := n.Content
	switch n.Tag {
	case "!Equals":
		if len(args) != 2 {
			return false, false
		}
		a, ok1 := t.Resolve(value(args[0]))
		b, ok2 := t.Resolve(value(args[1]))
		return a == b, ok1 && ok2
	case "!Not":
		if len(args) != 1 {
			return false, false
		}
		r, ok := t.condition(args[0])
		return !r, ok
	case "!And", "!Or":
		all := n.Tag == "!And"
		for _, a := range args {
			r, ok := t.condition(a)
			if !ok {
				return false, false
			}
			if r != all {
				return r, true
			}
		}
		return all, true
	case "!Condition":
		return t.condition(t.conditions[n.Value])
	}
	return false, false
}

var camelBoundary = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// DirOf maps a LogicalID to its function folder: AuthSignUpFunction → auth-sign-up.
func DirOf(logicalID string) string {
	name := strings.TrimSuffix(logicalID, "Function")
	return strings.ToLower(camelBoundary.ReplaceAllString(name, "$1-$2"))
}

func parseFunction(id string, props, globals *yaml.Node, apis map[string]*yaml.Node) (*Function, error) {
	fn := &Function{
		LogicalID:   id,
		Dir:         DirOf(id),
		MemorySize:  128, // Lambda's defaults
		Timeout:     3 * time.Second,
		Environment: map[string]Value{},
	}
	// Globals first, then the function's own properties override them.
	for _, src := range []*yaml.Node{globals, props} {
		if src == nil {
			continue
		}
		if v := Get(src, "Handler"); v != nil {
			fn.Handler = scalar(v)
		}
		if v := Get(src, "Runtime"); v != nil {
			fn.Runtime = scalar(v)
		}
		if v := Get(src, "MemorySize"); v != nil {
			n, err := strconv.Atoi(scalar(v))
			if err != nil {
				return nil, fmt.Errorf("MemorySize %q: %w", scalar(v), err)
			}
			fn.MemorySize = n
		}
		if v := Get(src, "Timeout"); v != nil {
			n, err := strconv.ParseFloat(scalar(v), 64)
			if err != nil {
				//lint:ignore ST1005 Timeout is the template property's name, capitalised as in template.yaml (as MemorySize above)
				return nil, fmt.Errorf("Timeout %q: %w", scalar(v), err)
			}
			fn.Timeout = time.Duration(n * float64(time.Second))
		}
		if v := Get(Get(src, "LoggingConfig"), "LogFormat"); v != nil {
			fn.LogFormat = scalar(v)
		}
		if v := Get(src, "ReservedConcurrentExecutions"); v != nil {
			fn.ReservedConcurrency = value(v)
		}
		for name, v := range Pairs(Get(Get(src, "Environment"), "Variables")) {
			fn.Environment[name] = value(v)
		}
	}
	if fn.Handler == "" {
		fn.Handler = "bootstrap"
	}
	if props == nil {
		return fn, nil
	}
	if url := Get(props, "FunctionUrlConfig"); url != nil {
		fn.URL = true
		fn.Streaming = scalar(Get(url, "InvokeMode")) == "RESPONSE_STREAM"
		fn.URLCORS = parseCORS(Get(url, "Cors"))
	}

	for name, ev := range Pairs(Get(props, "Events")) {
		p := Get(ev, "Properties")
		switch scalar(Get(ev, "Type")) {
		case "HttpApi":
			r, err := parseRoute(p, apis)
			if err != nil {
				return nil, fmt.Errorf("event %s: %w", name, err)
			}
			fn.Routes = append(fn.Routes, r)
		case "S3":
			e := S3Event{Name: name}
			if b := value(Get(p, "Bucket")); b.Intrinsic == "!Ref" {
				e.Bucket = b.Ref
			}
			if ev := Get(p, "Events"); ev != nil && ev.Kind == yaml.SequenceNode {
				for _, v := range ev.Content {
					e.Events = append(e.Events, scalar(v))
				}
			} else {
				e.Events = []string{scalar(ev)}
			}
			for _, rule := range content(Get(Get(Get(p, "Filter"), "S3Key"), "Rules")) {
				switch strings.ToLower(scalar(Get(rule, "Name"))) {
				case "prefix":
					e.Prefix = scalar(Get(rule, "Value"))
				case "suffix":
					e.Suffix = scalar(Get(rule, "Value"))
				}
			}
			fn.S3Events = append(fn.S3Events, e)
		case "Schedule", "ScheduleV2":
			s := Schedule{Name: name, Input: scalar(Get(p, "Input")), Enabled: true}
			s.Expression = scalar(Get(p, "Schedule"))
			if s.Expression == "" {
				s.Expression = scalar(Get(p, "ScheduleExpression"))
			}
			if v := Get(p, "Enabled"); v != nil {
				s.Enabled = scalar(v) != "false"
			}
			if v := Get(p, "State"); v != nil {
				s.Enabled = scalar(v) != "DISABLED"
			}
			fn.Schedules = append(fn.Schedules, s)
		}
	}
	sort.Slice(fn.Routes, func(i, j int) bool { return fn.Routes[i].Key() < fn.Routes[j].Key() })
	sort.Slice(fn.Schedules, func(i, j int) bool { return fn.Schedules[i].Name < fn.Schedules[j].Name })
	return fn, nil
}

func parseRoute(p *yaml.Node, apis map[string]*yaml.Node) (Route, error) {
	r := Route{Method: strings.ToUpper(scalar(Get(p, "Method"))), Path: scalar(Get(p, "Path"))}
	if r.Path == "" && r.Method == "" {
		// An HttpApi event without Path and Method is the API's $default route.
		r.Path, r.Method = "$default", "ANY"
	}
	if r.Path == "" || r.Method == "" {
		return Route{}, errors.New("HttpApi event needs both Path and Method")
	}
	if r.Method == "X-AMAZON-APIGATEWAY-ANY-METHOD" || r.Method == "*" {
		r.Method = "ANY"
	}
	if api := value(Get(p, "ApiId")); api.Intrinsic == "!Ref" {
		r.API = api.Ref
	}
	auth := Get(p, "Auth")
	r.Authorizer = scalar(Get(auth, "Authorizer"))
	for _, s := range content(Get(auth, "AuthorizationScopes")) {
		r.Scopes = append(r.Scopes, scalar(s))
	}
	var apiProps *yaml.Node
	if r.API != "" {
		apiProps = apis[r.API]
	}
	if r.Authorizer == "" {
		// No authorizer on the route: the API's default authorizer, if any.
		r.Authorizer = scalar(Get(Get(apiProps, "Auth"), "DefaultAuthorizer"))
	}
	r.Public = r.Authorizer == "" || r.Authorizer == "NONE"
	if r.Public {
		r.Authorizer = ""
	} else if len(r.Scopes) == 0 {
		// No scopes on the route: its authorizer's AuthorizationScopes, as SAM
		// applies them to every route that uses it.
		for _, s := range content(Get(Get(Get(Get(apiProps, "Auth"), "Authorizers"), r.Authorizer), "AuthorizationScopes")) {
			r.Scopes = append(r.Scopes, scalar(s))
		}
	}
	return r, nil
}

// parseHeadersPolicy reads a ResponseHeadersPolicyConfig.
func parseHeadersPolicy(id string, cfg *yaml.Node) *HeadersPolicy {
	p := &HeadersPolicy{LogicalID: id, Headers: map[string]string{}}
	sec := Get(cfg, "SecurityHeadersConfig")
	if n := Get(Get(sec, "ContentSecurityPolicy"), "ContentSecurityPolicy"); n != nil && n.Kind == yaml.ScalarNode {
		p.CSP = n.Value // a plain string, or the template of a scalar !Sub
	}
	if h := Get(sec, "StrictTransportSecurity"); h != nil {
		v := "max-age=" + scalar(Get(h, "AccessControlMaxAgeSec"))
		if scalar(Get(h, "IncludeSubdomains")) == "true" {
			v += "; includeSubDomains"
		}
		if scalar(Get(h, "Preload")) == "true" {
			v += "; preload"
		}
		p.Headers["Strict-Transport-Security"] = v
	}
	if Get(sec, "ContentTypeOptions") != nil {
		p.Headers["X-Content-Type-Options"] = "nosniff"
	}
	if v := scalar(Get(Get(sec, "FrameOptions"), "FrameOption")); v != "" {
		p.Headers["X-Frame-Options"] = v
	}
	if v := scalar(Get(Get(sec, "ReferrerPolicy"), "ReferrerPolicy")); v != "" {
		p.Headers["Referrer-Policy"] = v
	}
	for _, item := range content(Get(Get(cfg, "CustomHeadersConfig"), "Items")) {
		if name := scalar(Get(item, "Header")); name != "" {
			p.Headers[name] = scalar(Get(item, "Value"))
		}
	}
	return p
}

// parseCORS reads a CorsConfiguration or a Function URL's Cors; nil for none.
// HTTP API's CorsConfiguration: true (SAM's shorthand) allows any origin.
func parseBucket(id string, props *yaml.Node) *Bucket {
	b := &Bucket{LogicalID: id}
	strs := func(n *yaml.Node) []string {
		var out []string
		for _, v := range content(n) {
			out = append(out, scalar(v))
		}
		return out
	}
	for _, r := range content(Get(Get(props, "CorsConfiguration"), "CorsRules")) {
		rule := BucketCORSRule{AllowedMethods: strs(Get(r, "AllowedMethods")), AllowedHeaders: strs(Get(r, "AllowedHeaders")),
			ExposedHeaders: strs(Get(r, "ExposedHeaders"))}
		for _, o := range content(Get(r, "AllowedOrigins")) {
			rule.AllowedOrigins = append(rule.AllowedOrigins, value(o))
		}
		rule.MaxAge, _ = strconv.Atoi(scalar(Get(r, "MaxAge")))
		b.CORS = append(b.CORS, rule)
	}
	return b
}

func parseCORS(n *yaml.Node) *CORS {
	if n == nil || scalar(n) == "false" {
		return nil
	}
	c := &CORS{}
	if scalar(n) == "true" {
		c.AllowOrigins = []Value{{Literal: "*"}}
		c.AllowMethods, c.AllowHeaders = []string{"*"}, []string{"*"}
		return c
	}
	strs := func(key string) []string {
		var out []string
		for _, v := range content(Get(n, key)) {
			out = append(out, scalar(v))
		}
		return out
	}
	if o := Get(n, "AllowOrigins"); o != nil && o.Kind == yaml.SequenceNode {
		for _, v := range o.Content {
			c.AllowOrigins = append(c.AllowOrigins, value(v))
		}
	} else if o != nil {
		c.AllowOrigins = []Value{value(o)} // a !Ref to a list parameter
	}
	c.AllowMethods, c.AllowHeaders, c.ExposeHeaders = strs("AllowMethods"), strs("AllowHeaders"), strs("ExposeHeaders")
	c.MaxAge, _ = strconv.Atoi(scalar(Get(n, "MaxAge")))
	c.AllowCredentials = scalar(Get(n, "AllowCredentials")) == "true"
	return c
}

// ResolveAll resolves each value (see Resolve); a !Ref to a
// CommaDelimitedList parameter gives its items. Values without a local
// value are left out.
func (t *Template) ResolveAll(vs []Value) []string {
	var out []string
	for _, v := range vs {
		s, ok := t.Resolve(v)
		if !ok {
			continue
		}
		for _, item := range strings.Split(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// scalar returns n's text when it is a plain scalar, else "".
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || isIntrinsic(n) {
		return ""
	}
	return n.Value
}

// value classifies n as a literal or an intrinsic, in either the short-form
// tag (!Ref X) or the long form ({Ref: X}, {Fn::Sub: …}).
func value(n *yaml.Node) Value {
	if n == nil {
		return Value{}
	}
	if isIntrinsic(n) {
		v := Value{Intrinsic: n.Tag}
		if n.Tag == "!Ref" && n.Kind == yaml.ScalarNode {
			v.Ref = n.Value
		}
		if n.Tag == "!Join" {
			v.Args = joinArgs(n)
		}
		if n.Tag == "!If" && n.Kind == yaml.SequenceNode && len(n.Content) == 3 {
			v.Ref, v.Args = scalar(n.Content[0]), []Value{value(n.Content[1]), value(n.Content[2])}
		}
		return v
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		key := n.Content[0].Value
		if key == "Ref" || strings.HasPrefix(key, "Fn::") {
			v := Value{Intrinsic: "!" + strings.TrimPrefix(key, "Fn::")}
			if key == "Ref" {
				v.Ref = n.Content[1].Value
			}
			if key == "Fn::Join" {
				v.Args = joinArgs(n.Content[1])
			}
			return v
		}
	}
	if n.Kind != yaml.ScalarNode {
		return Value{Intrinsic: "!Unknown"}
	}
	return Value{Literal: n.Value}
}

// joinArgs reads !Join's [delimiter, [values…]]; nil when it is not that shape
// (a list that is itself an intrinsic, say).
func joinArgs(n *yaml.Node) []Value {
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 || n.Content[1].Kind != yaml.SequenceNode || isIntrinsic(n.Content[1]) {
		return nil
	}
	args := []Value{value(n.Content[0])}
	for _, c := range n.Content[1].Content {
		args = append(args, value(c))
	}
	return args
}

// isIntrinsic reports a short-form CloudFormation tag such as !Ref or !Sub.
func isIntrinsic(n *yaml.Node) bool {
	return strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")
}

// Content returns n's children, nil for nil.
func content(n *yaml.Node) []*yaml.Node {
	if n == nil {
		return nil
	}
	return n.Content
}

// Get returns the value of key in mapping n, or nil.
func Get(n *yaml.Node, key string) *yaml.Node {
	for k, v := range Pairs(n) {
		if k == key {
			return v
		}
	}
	return nil
}

// Pairs iterates over a mapping's keys and values in order (none for nil or
// a node that is not a mapping; an alias is followed).
func Pairs(n *yaml.Node) func(yield func(string, *yaml.Node) bool) {
	return func(yield func(string, *yaml.Node) bool) {
		if n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i].Value, n.Content[i+1]) {
				return
			}
		}
	}
}
