package templatecheck

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/macro-ai/macro-ai/local/template"
)

// root is the repository root, relative to this package's directory (where
// go test runs).
const root = "../.."

// publicRoutes are the API's public routes (openapi.yaml gives them
// `security: []`): every /auth/* route but sign-out, and /health. Every other
// route needs a Cognito access token.
var publicRoutes = map[string]bool{
	"POST /auth/sign-up":         true,
	"POST /auth/confirm":         true,
	"POST /auth/resend-code":     true,
	"POST /auth/sign-in":         true,
	"POST /auth/refresh":         true,
	"POST /auth/forgot-password": true,
	"POST /auth/reset-password":  true,
	"POST /auth/mfa/challenge":   true,
	"GET /health":                true,
}

// starResourceActions are the only actions a statement may allow on Resource
// "*", each because AWS offers no resource-level permission for it.
var starResourceActions = map[string]string{
	// X-Ray's actions support no resource ARNs: AWS's own policies
	// (AWSXRayDaemonWriteAccess) grant them on "*".
	"xray:puttracesegments":              "X-Ray has no resource-level permissions",
	"xray:puttelemetryrecords":           "X-Ray has no resource-level permissions",
	"xray:getsamplingrules":              "X-Ray has no resource-level permissions",
	"xray:getsamplingtargets":            "X-Ray has no resource-level permissions",
	"xray:getsamplingstatisticsummaries": "X-Ray has no resource-level permissions",
	// CloudWatch metrics have no ARNs (scope them with the cloudwatch:namespace condition).
	"cloudwatch:putmetricdata": "CloudWatch metrics have no ARNs",
	// usage-watch reads Lambda's metrics and the functions' memory: neither
	// action supports a resource ARN (ops_test.go: no other function has them).
	"cloudwatch:getmetricstatistics": "CloudWatch metrics have no ARNs",
	"lambda:listfunctions":           "ListFunctions lists the account's functions; it takes no resource",
}

// conditionalStarActions may use a wildcard resource ("*", or an ARN with a
// "*" in it) only under one of the listed condition keys, which then does
// the scoping.
var conditionalStarActions = map[string][]string{
	// The SSM parameters are encrypted with the AWS managed key aws/ssm, whose
	// key id differs per account and region and cannot be named in a policy
	// (an alias ARN does not match kms:Decrypt): AWS documents a wildcard key
	// scoped by kms:ViaService (ssm.<region>.amazonaws.com), the key's alias,
	// or the encryption context's parameter ARN.
	"kms:decrypt": {"kms:viaservice", "kms:resourcealiases", "kms:requestalias", "kms:encryptioncontext:parameter_arn"},
	// The same for writing a SecureString (rotate-secrets' PutParameter).
	"kms:encrypt": {"kms:viaservice", "kms:resourcealiases", "kms:requestalias", "kms:encryptioncontext:parameter_arn"},
}

// objectPrefixActions may name S3 objects by a key prefix ("…/imports/*"):
// the keys are made at run time (a user's id, an import's id), so a policy
// can name no more than the prefix. The bucket-wide "…/*" stays refused.
var objectPrefixActions = map[string]bool{
	"s3:getobject": true, "s3:putobject": true, "s3:deleteobject": true, "s3:abortmultipartupload": true,
}

// objectPrefix matches an object ARN whose only wildcard ends a named
// prefix below the bucket: …:s3:::bucket/prefix/* or ${Bucket.Arn}/prefix/*.
var objectPrefix = regexp.MustCompile(`^(arn:\$\{AWS::Partition\}:s3:::[^/*]+|\$\{[A-Za-z0-9]+\.Arn\})/[a-z0-9-]+/\*$`)

// samPolicyTemplates are the SAM policy templates a function may use: each
// one is scoped to the resource its parameter names. Left out on purpose:
// SSMParameterReadPolicy and SSMParameterWithSlashPrefixReadPolicy (they add
// ssm:DescribeParameters on "*", which no function needs), and
// LambdaInvokePolicy (it grants function:NAME*, every function whose name
// starts with NAME).
var samPolicyTemplates = map[string]bool{
	"KMSDecryptPolicy": true, // kms:Decrypt on one key id
}

// managedPolicies are the AWS managed policies a function may attach by name.
var managedPolicies = map[string]bool{
	"AWSLambdaBasicExecutionRole": true, // logs to the function's own log group (SAM attaches it anyway)
	"AWSXRayDaemonWriteAccess":    true, // tracing: X-Ray has no resource-level permissions
	"AWSXrayWriteOnlyAccess":      true, // the older name of the same
}

func loadTemplate(t *testing.T) (*template.Template, *yaml.Node) {
	t.Helper()
	path := filepath.Join(root, "template.yaml")
	tpl, err := template.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	node, err := parseYAML(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return tpl, node
}

func loadSpec(t *testing.T) *openAPI {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parseSpec(data)
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return spec
}

func TestFunctionFolders(t *testing.T) {
	tpl, _ := loadTemplate(t)
	folders, err := functionFolders(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	if len(folders) == 0 {
		t.Fatal("no folders under functions/")
	}
	for _, p := range checkFunctionFolders(folders, tpl) {
		t.Error(p)
	}
}

func TestRoutesMatchOpenAPI(t *testing.T) {
	tpl, _ := loadTemplate(t)
	spec := loadSpec(t)
	if len(spec.operations()) == 0 {
		t.Fatal("openapi.yaml has no operations")
	}
	for _, p := range checkRoutes(tpl, spec) {
		t.Error(p)
	}
}

func TestPublicAndAuthRoutes(t *testing.T) {
	tpl, node := loadTemplate(t)
	spec := loadSpec(t)
	for _, p := range checkAuth(tpl, node, spec, publicRoutes) {
		t.Error(p)
	}
}

func TestIAMLeastPrivilege(t *testing.T) {
	_, node := loadTemplate(t)
	for _, p := range checkPolicies(node) {
		t.Error(p)
	}
}

func TestBuildSettings(t *testing.T) {
	_, node := loadTemplate(t)
	for _, p := range checkBuild(node) {
		t.Error(p)
	}
}

// TestChecksCatch proves that every check can fail: each case is a template
// (and spec) with one fault that its check must report.
func TestChecksCatch(t *testing.T) {
	const api = `
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: CognitoJwt
        Authorizers:
          CognitoJwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}
              audience: [!Ref UserPoolClient]
`
	const globals = `
Globals:
  Function:
    Runtime: provided.al2023
    Architectures: [arm64]
    Handler: bootstrap
Resources:` + api
	fn := func(id, props string) string {
		return "  " + id + ":\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildMethod: makefile\n    Properties:\n      CodeUri: .\n" + props
	}
	route := func(path, method string, public bool) string {
		s := "      Events:\n        Api:\n          Type: HttpApi\n          Properties:\n            ApiId: !Ref HttpApi\n" +
			"            Path: " + path + "\n            Method: " + method + "\n"
		if public {
			s += "            Auth:\n              Authorizer: NONE\n"
		}
		return s
	}
	policy := func(stmt string) string {
		return "      Policies:\n        - Statement:\n" + stmt
	}
	const spec = `
openapi: 3.1.0
security: [{bearerAuth: []}]
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer, bearerFormat: JWT}
paths:
  /health:
    get: {security: [], responses: {'200': {description: ok}}}
  /me:
    get: {responses: {'200': {description: ok}}}
`
	good := globals + fn("HealthFunction", route("/health", "GET", true)) + fn("MeFunction", route("/me", "GET", false))
	folders := []string{"health", "me"}
	public := map[string]bool{"GET /health": true}

	tests := []struct {
		name     string
		template string
		spec     string
		folders  []string
		want     string // a substring of one reported problem; "" for none
	}{
		{name: "clean", template: good, spec: spec, folders: folders},
		{name: "folder without a resource", template: good, spec: spec, folders: []string{"health", "me", "warmup"}, want: "WarmupFunction"},
		{name: "resource without a folder", template: good, spec: spec, folders: []string{"health"}, want: "functions/me"},
		{name: "route missing from openapi", template: good + fn("SearchFunction", route("/search", "GET", false)),
			spec: spec, folders: []string{"health", "me", "search"}, want: "GET /search"},
		{name: "operation missing from the template", template: good, folders: folders,
			spec: spec + "  /search:\n    get: {responses: {'200': {description: ok}}}\n", want: "GET /search"},
		{name: "public route with an authorizer", template: globals + fn("HealthFunction", route("/health", "GET", false)) + fn("MeFunction", route("/me", "GET", false)),
			spec: spec, folders: folders, want: "GET /health: template"},
		{name: "auth route without an authorizer", template: globals + fn("HealthFunction", route("/health", "GET", true)) + fn("MeFunction", route("/me", "GET", true)),
			spec: spec, folders: folders, want: "GET /me: template"},
		{name: "public operation with bearer security", template: good, folders: folders,
			spec: strings.Replace(spec, "get: {security: [], responses", "get: {responses", 1), want: "GET /health: openapi.yaml"},
		{name: "auth operation marked public", template: good, folders: folders,
			spec: strings.Replace(spec, "/me:\n    get: {responses", "/me:\n    get: {security: [], responses", 1), want: "GET /me: openapi.yaml"},
		{name: "no bearer scheme", template: good, folders: folders,
			spec: strings.Replace(spec, "scheme: bearer", "scheme: basic", 1), want: "bearerAuth"},
		{name: "action *", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: '*'\n              Resource: !Sub arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x\n")),
			spec: spec, want: `action "*"`},
		{name: "service wildcard", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: [ssm:*]\n              Resource: arn:aws:ssm:eu-west-2:1:parameter/x\n")),
			spec: spec, want: `action "ssm:*"`},
		{name: "resource *", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: [ssm:GetParameters]\n              Resource: '*'\n")),
			spec: spec, want: `ssm:GetParameters on Resource "*"`},
		{name: "resource !Sub *", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: ssm:GetParameters\n              Resource: [!Sub '*']\n")),
			spec: spec, want: `Resource "*"`},
		{name: "kms:Decrypt on * without a condition", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: kms:Decrypt\n              Resource: '*'\n")),
			spec: spec, want: "kms:Decrypt"},
		{name: "kms:Decrypt on * scoped by kms:ViaService", spec: spec, folders: []string{"health", "me", "x"},
			template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: kms:Decrypt\n              Resource: '*'\n"+
				"              Condition:\n                StringEquals:\n                  kms:ViaService: !Sub ssm.${AWS::Region}.amazonaws.com\n"))},
		{name: "X-Ray on *", spec: spec, folders: []string{"health", "me", "x"},
			template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: [xray:PutTraceSegments, xray:PutTelemetryRecords]\n              Resource: '*'\n"))},
		{name: "allowed managed policy and templates", spec: spec, folders: []string{"health", "me", "x"},
			template: good + fn("XFunction", "      Policies:\n        - AWSLambdaBasicExecutionRole\n        - KMSDecryptPolicy:\n            KeyId: abc\n")},
		{name: "SSM read policy template (DescribeParameters on *)", spec: spec, want: "SSMParameterWithSlashPrefixReadPolicy",
			template: good + fn("XFunction", "      Policies:\n        - SSMParameterWithSlashPrefixReadPolicy:\n            ParameterName: !Sub /macro-ai/${Stage}/critical/database-url\n")},
		{name: "LambdaInvokePolicy (name prefix)", spec: spec, want: "LambdaInvokePolicy",
			template: good + fn("XFunction", "      Policies:\n        - LambdaInvokePolicy:\n            FunctionName: !Ref MeFunction\n")},
		{name: "wildcard in an ARN", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: ssm:GetParameters\n              Resource: !Sub arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/macro-ai/${Stage}/*\n")),
			spec: spec, want: `ssm:GetParameters on Resource "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/macro-ai/${Stage}/*"`},
		{name: "wildcard in a long-form Sub", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: lambda:InvokeFunction\n              Resource: {\"Fn::Sub\": [\"arn:aws:lambda:x:1:function:${N}*\", {N: me}]}\n")),
			spec: spec, want: `lambda:InvokeFunction on Resource "arn:aws:lambda:x:1:function:${N}*"`},
		{name: "kms key/* scoped by kms:ViaService", spec: spec, folders: []string{"health", "me", "x"},
			template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: [kms:Decrypt, kms:Encrypt]\n              Resource: !Sub arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*\n"+
				"              Condition:\n                StringEquals:\n                  kms:ViaService: !Sub ssm.${AWS::Region}.amazonaws.com\n"))},
		{name: "kms key/* without a condition", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: kms:Decrypt\n              Resource: !Sub arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*\n")),
			spec: spec, want: `kms:Decrypt on Resource "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*"`},
		{name: "X-Ray on a wildcard ARN is not X-Ray's *", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: xray:PutTraceSegments\n              Resource: arn:aws:xray:*\n")),
			spec: spec, want: "xray:PutTraceSegments"},
		{name: "Deny * is fine", spec: spec, folders: []string{"health", "me", "x"},
			template: good + fn("XFunction", policy("            - Effect: Deny\n              Action: '*'\n              Resource: '*'\n"))},
		{name: "NotResource", template: good + fn("XFunction", policy("            - Effect: Allow\n              Action: s3:GetObject\n              NotResource: arn:aws:s3:::b/x\n")),
			spec: spec, want: "NotResource"},
		{name: "IAM role with *", spec: spec, want: "Role",
			template: good + "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - {Effect: Allow, Action: '*', Resource: '*'}\n"},
		{name: "unknown managed policy", template: good + fn("XFunction", "      Policies: [AdministratorAccess]\n"), spec: spec, want: "AdministratorAccess"},
		{name: "unknown policy template", template: good + fn("XFunction", "      Policies:\n        - S3FullAccessPolicy: {BucketName: b}\n"), spec: spec, want: "S3FullAccessPolicy"},
		{name: "not built by make", spec: spec, want: "BuildMethod",
			template: strings.Replace(good, "BuildMethod: makefile", "BuildMethod: go1.x", 1)},
		{name: "CodeUri elsewhere", spec: spec, want: "CodeUri",
			template: strings.Replace(good, "CodeUri: .", "CodeUri: functions/health", 1)},
		{name: "x86 globals", spec: spec, want: "Architectures",
			template: strings.Replace(good, "Architectures: [arm64]", "Architectures: [x86_64]", 1)},
		{name: "other runtime on a function", spec: spec, want: "Runtime",
			template: strings.Replace(good, "CodeUri: .\n", "CodeUri: .\n      Runtime: go1.x\n", 1)},
		{name: "handler not bootstrap", spec: spec, want: "Handler",
			template: strings.Replace(good, "Handler: bootstrap", "Handler: main", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := template.Parse([]byte(tt.template))
			if err != nil {
				t.Fatal(err)
			}
			node, err := parseYAML([]byte(tt.template))
			if err != nil {
				t.Fatal(err)
			}
			spec, err := parseSpec([]byte(tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			var problems []string
			if tt.folders != nil {
				problems = append(problems, checkFunctionFolders(tt.folders, tpl)...)
			}
			problems = append(problems, checkRoutes(tpl, spec)...)
			problems = append(problems, checkAuth(tpl, node, spec, public)...)
			problems = append(problems, checkPolicies(node)...)
			problems = append(problems, checkBuild(node)...)
			checkProblems(t, problems, tt.want)
		})
	}
}

func TestCamelCase(t *testing.T) {
	for in, want := range map[string]string{
		"health":           "Health",
		"auth-sign-up":     "AuthSignUp",
		"rotate-secrets":   "RotateSecrets",
		"conversations-id": "ConversationsId",
	} {
		if got := camelCase(in); got != want {
			t.Errorf("camelCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// functionFolders lists the folders under dir.
func functionFolders(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list function folders: %w", err)
	}
	var folders []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			folders = append(folders, e.Name())
		}
	}
	return folders, nil
}

// camelCase turns a folder name into the CamelCase of its logical id:
// auth-sign-up → AuthSignUp.
func camelCase(folder string) string {
	var b strings.Builder
	for _, part := range strings.Split(folder, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// checkFunctionFolders reports folders without a function resource and
// function resources without a folder.
func checkFunctionFolders(folders []string, tpl *template.Template) []string {
	var problems []string
	ids := map[string]bool{}
	for _, fn := range tpl.Functions {
		ids[fn.LogicalID] = true
	}
	want := map[string]bool{}
	for _, f := range folders {
		id := camelCase(f) + "Function"
		want[id] = true
		if !ids[id] {
			problems = append(problems, fmt.Sprintf("functions/%s has no AWS::Serverless::Function %s in template.yaml", f, id))
		}
	}
	for _, fn := range tpl.Functions {
		if !want[fn.LogicalID] {
			problems = append(problems, fmt.Sprintf("%s has no folder functions/%s (the logical id must be CamelCase(folder)+\"Function\")",
				fn.LogicalID, template.DirOf(fn.LogicalID)))
		}
	}
	return problems
}

// checkRoutes reports HttpApi routes missing from the spec, operations
// missing from the template, and routes declared twice.
func checkRoutes(tpl *template.Template, spec *openAPI) []string {
	var problems []string
	routes := map[string]string{} // route key → function
	for _, fn := range tpl.Functions {
		for _, r := range fn.Routes {
			if other, dup := routes[r.Key()]; dup {
				problems = append(problems, fmt.Sprintf("%s is declared by both %s and %s", r.Key(), other, fn.LogicalID))
			}
			routes[r.Key()] = fn.LogicalID
		}
	}
	ops := spec.operations()
	for _, key := range sortedKeys(routes) {
		if _, ok := ops[key]; !ok {
			problems = append(problems, fmt.Sprintf("%s (%s) is in template.yaml but not in openapi.yaml", key, routes[key]))
		}
	}
	for _, key := range sortedKeys(ops) {
		if _, ok := routes[key]; !ok {
			problems = append(problems, fmt.Sprintf("%s is in openapi.yaml but no function of template.yaml serves it", key))
		}
	}
	return problems
}

// checkAuth reports routes whose template authorizer or spec security
// disagrees with public (publicRoutes), and an API whose default authorizer is not
// a JWT authorizer on the Authorization header.
func checkAuth(tpl *template.Template, root *yaml.Node, spec *openAPI, public map[string]bool) []string {
	var problems []string
	apis := map[string]*yaml.Node{} // HttpApi logical id → Properties.Auth
	for id, res := range pairs(get(root, "Resources")) {
		if scalar(get(res, "Type")) == "AWS::Serverless::HttpApi" {
			apis[id] = get(get(res, "Properties"), "Auth")
		}
	}
	for _, fn := range tpl.Functions {
		for _, r := range fn.Routes {
			key := r.Key()
			switch {
			case public[key] && !r.Public:
				problems = append(problems, fmt.Sprintf("%s: template: a public route, but %s runs authorizer %q (want Auth: {Authorizer: NONE})", key, fn.LogicalID, r.Authorizer))
			case !public[key] && r.Public:
				problems = append(problems, fmt.Sprintf("%s: template: a signed-in route, but %s runs no authorizer", key, fn.LogicalID))
			case !public[key]:
				auth, ok := apis[r.API]
				if !ok {
					problems = append(problems, fmt.Sprintf("%s: template: not on an AWS::Serverless::HttpApi of the template (ApiId %q)", key, r.API))
					continue
				}
				def := scalar(get(auth, "DefaultAuthorizer"))
				if r.Authorizer != def {
					problems = append(problems, fmt.Sprintf("%s: template: authorizer %q, want the API's default %q", key, r.Authorizer, def))
				}
				a := get(get(auth, "Authorizers"), r.Authorizer)
				if get(a, "JwtConfiguration") == nil {
					problems = append(problems, fmt.Sprintf("%s: template: authorizer %q of %s is not a JWT authorizer", key, r.Authorizer, r.API))
				}
				if src := scalar(get(a, "IdentitySource")); src != "" && src != "$request.header.Authorization" {
					problems = append(problems, fmt.Sprintf("%s: template: authorizer %q reads %s, want $request.header.Authorization", key, r.Authorizer, src))
				}
			}
		}
	}

	scheme, ok := spec.Components.SecuritySchemes["bearerAuth"]
	if !ok || scheme.Type != "http" || !strings.EqualFold(scheme.Scheme, "bearer") || scheme.BearerFormat != "JWT" {
		problems = append(problems, fmt.Sprintf("openapi.yaml: components.securitySchemes.bearerAuth = %+v, want {type: http, scheme: bearer, bearerFormat: JWT}", scheme))
	}
	ops := spec.operations()
	for _, key := range sortedKeys(ops) {
		sec := spec.Security // inherited unless the operation says otherwise
		if ops[key].Security != nil {
			sec = *ops[key].Security
		}
		isPublic := len(sec) == 0
		switch {
		case public[key] && (ops[key].Security == nil || !isPublic):
			problems = append(problems, fmt.Sprintf("%s: openapi.yaml: a public route: want security: [] on the operation", key))
		case !public[key] && !bearerOnly(sec):
			problems = append(problems, fmt.Sprintf("%s: openapi.yaml: a signed-in route: want security [{bearerAuth: []}] (inherited or its own), got %v", key, sec))
		}
	}
	return problems
}

// bearerOnly reports that sec requires exactly the bearer token.
func bearerOnly(sec []map[string][]string) bool {
	if len(sec) != 1 || len(sec[0]) != 1 {
		return false
	}
	_, ok := sec[0]["bearerAuth"]
	return ok
}

// iamPolicyHolders are the resource types whose Policies property holds IAM
// policies.
var iamPolicyHolders = map[string]bool{
	"AWS::Serverless::Function":     true,
	"AWS::Serverless::StateMachine": true,
	"AWS::IAM::Role":                true,
	"AWS::IAM::User":                true,
	"AWS::IAM::Group":               true,
	"AWS::IAM::Policy":              true,
	"AWS::IAM::ManagedPolicy":       true,
}

// checkPolicies reports every Allow statement that grants "*" (or a whole
// service) as an action, or "*" as a resource beyond the allow-lists, and
// every managed policy or SAM policy template not on its allow-list.
func checkPolicies(root *yaml.Node) []string {
	var problems []string
	for id, res := range pairs(get(root, "Resources")) {
		typ := scalar(get(res, "Type"))
		props := get(res, "Properties")
		where := id + " (" + typ + ")"
		if !iamPolicyHolders[typ] {
			// Other types' Policies are not IAM (a user pool's password policy).
			if doc := get(props, "PolicyDocument"); doc != nil { // resource policies
				problems = append(problems, checkStatements(where, get(doc, "Statement"))...)
			}
			continue
		}
		for _, doc := range content(get(props, "Policies")) {
			switch {
			case doc.Kind == yaml.ScalarNode && typ == "AWS::Serverless::Function":
				if !managedPolicies[doc.Value] {
					problems = append(problems, fmt.Sprintf("%s: managed policy %q is not on the allow-list of this test", where, doc.Value))
				}
			case get(doc, "Statement") != nil: // SAM inline policy document
				problems = append(problems, checkStatements(where, get(doc, "Statement"))...)
			case get(doc, "PolicyDocument") != nil: // AWS::IAM::Role inline policy
				problems = append(problems, checkStatements(where, get(get(doc, "PolicyDocument"), "Statement"))...)
			case doc.Kind == yaml.MappingNode && len(doc.Content) == 2 && typ == "AWS::Serverless::Function":
				if name := doc.Content[0].Value; !samPolicyTemplates[name] {
					problems = append(problems, fmt.Sprintf("%s: SAM policy template %q is not on the allow-list of this test", where, name))
				}
			default:
				problems = append(problems, fmt.Sprintf("%s: a policy this test cannot read (line %d)", where, doc.Line))
			}
		}
		if p := get(props, "Policies"); p != nil && get(p, "Statement") != nil { // a single inline document
			problems = append(problems, checkStatements(where, get(p, "Statement"))...)
		}
		if doc := get(props, "PolicyDocument"); doc != nil { // IAM policies, resource policies
			problems = append(problems, checkStatements(where, get(doc, "Statement"))...)
		}
	}
	sort.Strings(problems)
	return problems
}

// checkStatements checks a Statement list (or a single statement).
func checkStatements(where string, stmts *yaml.Node) []string {
	list := []*yaml.Node{stmts}
	if stmts != nil && stmts.Kind == yaml.SequenceNode {
		list = stmts.Content
	}
	var problems []string
	for _, st := range list {
		if st == nil || scalar(get(st, "Effect")) != "Allow" {
			continue
		}
		for _, not := range []string{"NotAction", "NotResource"} {
			if get(st, not) != nil {
				problems = append(problems, fmt.Sprintf("%s: statement at line %d uses %s, which grants everything else", where, st.Line, not))
			}
		}
		actions := strs(get(st, "Action"))
		for _, a := range actions {
			if a == "*" || strings.HasSuffix(a, ":*") {
				problems = append(problems, fmt.Sprintf("%s: statement at line %d allows action %q", where, st.Line, a))
			}
		}
		var wild []string
		for _, r := range refStrings(get(st, "Resource")) {
			if strings.Contains(r, "*") {
				wild = append(wild, r)
			}
		}
		if len(wild) == 0 {
			continue
		}
		conditions := conditionKeys(get(st, "Condition"))
		if readByDistribution(st, actions, conditions) {
			continue
		}
		for _, a := range actions {
			la := strings.ToLower(a)
			if _, ok := starResourceActions[la]; ok && slices.Equal(wild, []string{"*"}) {
				continue
			}
			if keys, ok := conditionalStarActions[la]; ok && slices.ContainsFunc(keys, func(k string) bool { return conditions[k] }) {
				continue
			}
			if objectPrefixActions[la] && !slices.ContainsFunc(wild, func(r string) bool { return !objectPrefix.MatchString(r) }) {
				continue
			}
			for _, r := range wild {
				problems = append(problems, fmt.Sprintf("%s: statement at line %d allows %s on Resource %q; AWS does not require a wildcard: name the resource", where, st.Line, a, r))
			}
		}
	}
	return problems
}

// readByDistribution reports a bucket policy statement that lets CloudFront
// read the web app's bucket through origin access control: every key of it
// is served, so "…/*" is the resource, and AWS:SourceArn names the one
// distribution that may (apphosting_test.go checks which).
func readByDistribution(st *yaml.Node, actions []string, conditions map[string]bool) bool {
	if !slices.Equal(strs(get(get(st, "Principal"), "Service")), []string{"cloudfront.amazonaws.com"}) || !conditions["aws:sourcearn"] {
		return false
	}
	for _, a := range actions {
		if la := strings.ToLower(a); la != "s3:getobject" && la != "s3:listbucket" {
			return false
		}
	}
	return true
}

// conditionKeys returns the lower-cased keys of a Condition block
// ({StringEquals: {kms:ViaService: …}}).
func conditionKeys(cond *yaml.Node) map[string]bool {
	keys := map[string]bool{}
	for _, op := range pairs(cond) {
		for k := range pairs(op) {
			keys[strings.ToLower(k)] = true
		}
	}
	return keys
}

// strs returns the strings of a scalar or a sequence; an intrinsic scalar
// (!Sub "arn:…") counts with its text, other intrinsics are skipped.
func strs(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

// checkBuild reports functions not built by make from the repository root
// and Globals other than provided.al2023, arm64, bootstrap; a function may
// not override them either.
func checkBuild(root *yaml.Node) []string {
	var problems []string
	globals := get(get(root, "Globals"), "Function")
	want := map[string]string{"Runtime": "provided.al2023", "Architectures": "arm64", "Handler": "bootstrap"}
	for _, key := range sortedKeys(want) {
		if got := strs(get(globals, key)); !slices.Equal(got, []string{want[key]}) {
			problems = append(problems, fmt.Sprintf("Globals.Function.%s = %v, want %s", key, got, want[key]))
		}
	}
	globalCodeURI := scalar(get(globals, "CodeUri"))
	for id, res := range pairs(get(root, "Resources")) {
		if scalar(get(res, "Type")) != "AWS::Serverless::Function" {
			continue
		}
		if got := scalar(get(get(res, "Metadata"), "BuildMethod")); got != "makefile" {
			problems = append(problems, fmt.Sprintf("%s: Metadata.BuildMethod = %q, want makefile", id, got))
		}
		props := get(res, "Properties")
		codeURI := globalCodeURI
		if v := get(props, "CodeUri"); v != nil {
			codeURI = scalar(v)
		}
		if codeURI != "." {
			problems = append(problems, fmt.Sprintf("%s: CodeUri = %q, want . (the Makefile at the root builds it)", id, codeURI))
		}
		for _, key := range sortedKeys(want) {
			if v := get(props, key); v != nil && !slices.Equal(strs(v), []string{want[key]}) {
				problems = append(problems, fmt.Sprintf("%s: overrides %s with %v, want %s", id, key, strs(v), want[key]))
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// openAPI is the part of openapi.yaml these checks read.
type openAPI struct {
	Security   []map[string][]string           `yaml:"security"`
	Paths      map[string]map[string]yaml.Node `yaml:"paths"`
	Components struct {
		SecuritySchemes map[string]struct {
			Type         string `yaml:"type"`
			Scheme       string `yaml:"scheme"`
			BearerFormat string `yaml:"bearerFormat"`
		} `yaml:"securitySchemes"`
	} `yaml:"components"`
}

// operation is the part of an operation these checks read. Security is nil
// when the operation does not say (it inherits the document's).
type operation struct {
	Security *[]map[string][]string `yaml:"security"`
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func parseSpec(data []byte) (*openAPI, error) {
	var spec openAPI
	if err := yaml.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("parse openapi: %w", err)
	}
	return &spec, nil
}

// operations maps "METHOD /path" to each operation.
func (s *openAPI) operations() map[string]operation {
	ops := map[string]operation{}
	for path, item := range s.Paths {
		for m, n := range item {
			if !slices.Contains(methods, m) {
				continue // parameters, summary, …
			}
			var op operation
			if err := n.Decode(&op); err != nil {
				op.Security = &[]map[string][]string{{"unreadable": nil}}
			}
			ops[strings.ToUpper(m)+" "+path] = op
		}
	}
	return ops
}

// parseYAML parses a CloudFormation template into nodes; short-form
// intrinsics (!Ref, !Sub, !GetAtt, …) stay nodes with their tag.
func parseYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("parse template: not a YAML mapping")
	}
	return doc.Content[0], nil
}

// get and pairs read the template's YAML as local/template does.
var (
	get   = template.Get
	pairs = template.Pairs
)

// content returns a sequence's items, or a lone non-sequence node as one item.
func content(n *yaml.Node) []*yaml.Node {
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.SequenceNode:
		return n.Content
	case n.Kind == yaml.MappingNode && get(n, "Statement") != nil:
		return nil // a single inline document: checkPolicies reads it directly
	default:
		return []*yaml.Node{n}
	}
}

// scalar returns a plain scalar's text; "" for intrinsics and non-scalars.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || (strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")) {
		return ""
	}
	return n.Value
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// refStrings returns the values of a Resource (or any reference list) as
// text: plain and !Sub strings as written (the template of a !Sub [text,
// vars]), "!Ref X" and "!GetAtt X.Attr" for references, in both the short
// (!Ref) and the long ({Ref: …}, {"Fn::Sub": …}) form; a list gives each item.
func refStrings(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	switch {
	case n.Kind == yaml.SequenceNode && n.Tag == "!!seq":
		var out []string
		for _, c := range n.Content {
			out = append(out, refStrings(c)...)
		}
		return out
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && (n.Content[0].Value == "Ref" || strings.HasPrefix(n.Content[0].Value, "Fn::")):
		// The long form: rewrite it as the short one.
		short := *n.Content[1]
		short.Tag = "!" + strings.TrimPrefix(n.Content[0].Value, "Fn::")
		return refStrings(&short)
	}
	switch n.Tag {
	case "!Ref":
		return []string{"!Ref " + n.Value}
	case "!GetAtt":
		if n.Kind == yaml.SequenceNode {
			var parts []string
			for _, c := range n.Content {
				parts = append(parts, c.Value)
			}
			return []string{"!GetAtt " + strings.Join(parts, ".")}
		}
		return []string{"!GetAtt " + n.Value}
	case "!Sub":
		if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
			return []string{n.Content[0].Value}
		}
		return []string{n.Value}
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	// Another intrinsic (!Join, !If, …): every string inside it.
	var out []string
	for _, c := range n.Content {
		out = append(out, refStrings(c)...)
	}
	return out
}

// checkProblems fails t unless problems is empty (want "") or one of them
// mentions want: the verdict of every doctored-copy case.
func checkProblems(t *testing.T, problems []string, want string) {
	t.Helper()
	if want == "" {
		if len(problems) > 0 {
			t.Fatalf("problems:\n%s", strings.Join(problems, "\n"))
		}
		return
	}
	if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, want) }) {
		t.Fatalf("no problem mentions %q; got:\n%s", want, strings.Join(problems, "\n"))
	}
}
