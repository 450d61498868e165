package template

import (
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"
)

const sample = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
  DatabaseUrl:
    Type: String
    NoEcho: true
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    MemorySize: 128
    Timeout: 10
    LoggingConfig:
      LogFormat: JSON
    Environment:
      Variables:
        STAGE: !Ref Stage
        LOG_LEVEL: info
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: $default
      Auth:
        DefaultAuthorizer: CognitoAuthorizer
        Authorizers:
          CognitoAuthorizer:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}
              audience: [!Ref UserPoolClient]
  UserPool:
    Type: AWS::Cognito::UserPool
  HealthFunction:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 5
      Environment:
        Variables:
          DATABASE_URL: !Ref DatabaseUrl
          SECRETS: critical/database-url, standard/redis-url
          POOL: !GetAtt UserPool.Arn
          HEALTH_CHECK_TIMEOUT: 1500ms
          MODE: !If [IsProd, a, b]
      Events:
        Get:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Path: /health
            Method: get
            Auth:
              Authorizer: NONE
  ConversationsGetFunction:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: 256
      Events:
        Get:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Path: /conversations/{id}
            Method: GET
            Auth:
              AuthorizationScopes: [aws.cognito.signin.user.admin]
  ChatStreamFunction:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 60
      FunctionUrlConfig:
        AuthType: NONE
        InvokeMode: RESPONSE_STREAM
      Events:
        Post:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Path: /conversations/{id}/messages
            Method: POST
  WarmupFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          WARMUP_FUNCTIONS: !Join [",", [!Ref HealthFunction, !Ref ChatStreamFunction]]
          LONG_FORM: {"Fn::Join": ["-", [a, {Ref: Stage}, b]]}
          NOT_LOCAL: !Join [",", [!GetAtt HealthFunction.Arn]]
          NO_LIST: !Join [",", !Ref Names]
      Events:
        Every5:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
            Input: '{"warmup":true}'
        Off:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 3 * * ? *)
            State: DISABLED
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  ApiUrl:
    Value: !Sub https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com
`

func TestParse(t *testing.T) {
	tpl, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range tpl.Functions {
		ids = append(ids, f.LogicalID)
	}
	if want := []string{"ChatStreamFunction", "ConversationsGetFunction", "HealthFunction", "WarmupFunction"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("functions = %v, want %v", ids, want)
	}

	tests := []struct {
		name      string
		dir       string
		memory    int
		timeout   time.Duration
		streaming bool
		routes    []Route
	}{
		{"HealthFunction", "health", 128, 5 * time.Second, false,
			[]Route{{Method: "GET", Path: "/health", Public: true, API: "HttpApi"}}},
		{"ConversationsGetFunction", "conversations-get", 256, 10 * time.Second, false,
			[]Route{{Method: "GET", Path: "/conversations/{id}", Authorizer: "CognitoAuthorizer",
				Scopes: []string{"aws.cognito.signin.user.admin"}, API: "HttpApi"}}},
		{"ChatStreamFunction", "chat-stream", 128, 60 * time.Second, true,
			[]Route{{Method: "POST", Path: "/conversations/{id}/messages", Authorizer: "CognitoAuthorizer", API: "HttpApi"}}},
		{"WarmupFunction", "warmup", 128, 10 * time.Second, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := tpl.Function(tt.dir)
			if !ok {
				t.Fatalf("no function %s", tt.dir)
			}
			if f.LogicalID != tt.name || f.MemorySize != tt.memory || f.Timeout != tt.timeout || f.Streaming != tt.streaming {
				t.Errorf("got %s memory %d timeout %s streaming %v", f.LogicalID, f.MemorySize, f.Timeout, f.Streaming)
			}
			if f.Handler != "bootstrap" || f.Runtime != "provided.al2023" || f.LogFormat != "JSON" {
				t.Errorf("globals not merged: handler %q runtime %q log format %q", f.Handler, f.Runtime, f.LogFormat)
			}
			if !reflect.DeepEqual(f.Routes, tt.routes) {
				t.Errorf("routes = %+v, want %+v", f.Routes, tt.routes)
			}
		})
	}

	w, _ := tpl.Function("WarmupFunction")
	wantSched := []Schedule{
		{Name: "Every5", Expression: "rate(5 minutes)", Input: `{"warmup":true}`, Enabled: true},
		{Name: "Off", Expression: "cron(0 3 * * ? *)", Enabled: false},
	}
	if !reflect.DeepEqual(w.Schedules, wantSched) {
		t.Errorf("schedules = %+v, want %+v", w.Schedules, wantSched)
	}
}

func TestEnv(t *testing.T) {
	tpl, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		fn    string
		local map[string]string
		want  map[string]string
	}{
		{"no local values; !If on a condition of parameters resolves", "health", nil, map[string]string{
			"STAGE": "dev", "LOG_LEVEL": "info", "HEALTH_CHECK_TIMEOUT": "1500ms", "MODE": "b",
			"SECRETS": "critical/database-url, standard/redis-url",
		}},
		{"local values win, undeclared ones are ignored", "health", map[string]string{
			"DATABASE_URL": "postgres://x", "LOG_LEVEL": "debug", "STAGE": "local", "UNRELATED": "1",
		}, map[string]string{
			"STAGE": "local", "LOG_LEVEL": "debug", "HEALTH_CHECK_TIMEOUT": "1500ms", "DATABASE_URL": "postgres://x", "MODE": "b",
			"SECRETS": "critical/database-url, standard/redis-url",
		}},
		{"the secrets of SECRETS and the endpoints come from local", "health", map[string]string{
			"REDIS_URL": "redis://x", "OPENAI_API_KEY": "not declared", "SSM_ENDPOINT": "http://ssm", "LAMBDA_ENDPOINT": "http://lambda",
		}, map[string]string{
			"STAGE": "dev", "LOG_LEVEL": "info", "HEALTH_CHECK_TIMEOUT": "1500ms", "MODE": "b",
			"SECRETS": "critical/database-url, standard/redis-url", "REDIS_URL": "redis://x",
			"SSM_ENDPOINT": "http://ssm", "LAMBDA_ENDPOINT": "http://lambda",
		}},
		{"a function without SECRETS gets no secret", "conversations-get", map[string]string{
			"DATABASE_URL": "postgres://x",
		}, map[string]string{"STAGE": "dev", "LOG_LEVEL": "info"}},
		{"!Ref of a function is its folder, !Join joins what resolves", "warmup", nil, map[string]string{
			"STAGE": "dev", "LOG_LEVEL": "info", "WARMUP_FUNCTIONS": "health,chat-stream", "LONG_FORM": "a-dev-b",
		}},
		{"a local value wins over a !Join", "warmup", map[string]string{"WARMUP_FUNCTIONS": "me"}, map[string]string{
			"STAGE": "dev", "LOG_LEVEL": "info", "WARMUP_FUNCTIONS": "me", "LONG_FORM": "a-dev-b",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := tpl.Function(tt.fn)
			if !ok {
				t.Fatalf("no function %s", tt.fn)
			}
			if got := f.Env(tpl, tt.local); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Env = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSecretVariables(t *testing.T) {
	for secrets, want := range map[string][]string{
		"":                      nil,
		"critical/database-url": {"DATABASE_URL"},
		" critical/openai-api-key , standard/redis-url,": {"OPENAI_API_KEY", "REDIS_URL"},
		"migration-database-url":                         {"MIGRATION_DATABASE_URL"},
	} {
		f := &Function{Environment: map[string]Value{"SECRETS": {Literal: secrets}}}
		if got := f.SecretVariables(); !reflect.DeepEqual(got, want) {
			t.Errorf("SecretVariables(%q) = %v, want %v", secrets, got, want)
		}
	}
}

func TestDirOf(t *testing.T) {
	for in, want := range map[string]string{
		"HealthFunction":     "health",
		"AuthSignUpFunction": "auth-sign-up",
		"ChatStreamFunction": "chat-stream",
		"Me2Function":        "me2",
	} {
		if got := DirOf(in); got != want {
			t.Errorf("DirOf(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"not yaml":     "a: [",
		"not mapping":  "- a",
		"no resources": "Globals: {}",
		"bad memory":   "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      MemorySize: lots\n",
		"route without method": "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n" +
			"        E:\n          Type: HttpApi\n          Properties:\n            Path: /x\n",
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: Parse succeeded", name)
		}
	}
}

// The project's own template must parse and declare GET /health.
func TestProjectTemplate(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	tpl, err := Load(filepath.Join(filepath.Dir(file), "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := tpl.Function("health")
	if !ok {
		t.Fatal("template.yaml has no HealthFunction")
	}
	found := false
	for _, r := range f.Routes {
		found = found || (r.Key() == "GET /health" && r.Public)
	}
	if !found {
		t.Errorf("HealthFunction routes = %+v, want a public GET /health", f.Routes)
	}
}

// TestIfFollowsParameters: !If follows its condition as the parameters
// stand (an override, as sam deploy's, flips it); an unknown condition or
// AWS::NoValue has no local value.
func TestIfFollowsParameters(t *testing.T) {
	tpl, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	mode := func() (string, bool) {
		f, _ := tpl.Function("health")
		return tpl.Resolve(f.Environment["MODE"])
	}
	if v, ok := mode(); v != "b" || !ok {
		t.Errorf("Stage dev: MODE %q %v, want b", v, ok)
	}
	tpl.Parameters["Stage"] = "prod"
	if v, ok := mode(); v != "a" || !ok {
		t.Errorf("Stage prod: MODE %q %v, want a", v, ok)
	}
	for _, v := range []Value{
		{Intrinsic: "!If", Ref: "NoSuchCondition", Args: []Value{{Literal: "a"}, {Literal: "b"}}},
		{Intrinsic: "!If", Ref: "IsProd", Args: []Value{{Intrinsic: "!Ref", Ref: "AWS::NoValue"}, {Literal: "b"}}},
	} {
		if got, ok := tpl.Resolve(v); ok {
			t.Errorf("Resolve(%+v) = %q, want no value", v, got)
		}
	}
}
