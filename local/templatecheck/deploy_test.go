package templatecheck

import (
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

// secretTiers is every secret a function may name, with its tier: a missing
// critical secret fails the cold start, a missing standard one is left out.
// A new secret is added here on purpose.
var secretTiers = map[string]string{
	"database-url":   "critical",
	"openai-api-key": "critical",
	"redis-url":      "standard",
	// The direct URL for migrations behind a transaction-mode pooler; optional.
	"migration-database-url": "standard",
}

// parameterPath is how a policy names a secret's parameter: the part of the
// ARN after ":parameter".
func parameterPath(kind, name string) string { return "/macro-ai/${Stage}/" + kind + "/" + name }

// TestSecretsAndTheirGrants: each function reads exactly the parameters its
// SECRETS names, decrypts only through Parameter Store, and rotate-secrets
// touches exactly the pending, current and previous values of ROTATE_SECRETS.
func TestSecretsAndTheirGrants(t *testing.T) {
	_, node := loadTemplate(t)
	for _, p := range checkSecrets(node) {
		t.Error(p)
	}
}

// TestWarmupGrants: the warmup invokes exactly the HTTP functions, and no
// other function may invoke any.
func TestWarmupGrants(t *testing.T) {
	tpl, node := loadTemplate(t)
	for _, p := range checkWarmup(tpl, node) {
		t.Error(p)
	}
}

// TestLogsAndTracing: JSON logs and X-Ray for every function, each in its own
// log group kept 14 days.
func TestLogsAndTracing(t *testing.T) {
	_, node := loadTemplate(t)
	for _, p := range checkLogs(node) {
		t.Error(p)
	}
}

// TestDeployPieces: the schedules, the migrations custom resource, the
// budget alert, the outputs and justified memory sizes.
func TestDeployPieces(t *testing.T) {
	tpl, node := loadTemplate(t)
	for _, p := range checkDeploy(tpl, node) {
		t.Error(p)
	}
}

// allChecks runs every check that reads only the template.
func allChecks(tpl *template.Template, node *yaml.Node) []string {
	var problems []string
	problems = append(problems, checkPolicies(node)...)
	problems = append(problems, checkBuild(node)...)
	problems = append(problems, checkSecrets(node)...)
	problems = append(problems, checkWarmup(tpl, node)...)
	problems = append(problems, checkLogs(node)...)
	problems = append(problems, checkDeploy(tpl, node)...)
	problems = append(problems, checkFirstDeploy(tpl, node)...)
	return problems
}

// TestChecksCatchOnTheRealTemplate proves the checks above can fail: each
// case is template.yaml with one fault (a textual edit) that a check must
// report; the unedited file must report nothing.
func TestChecksCatchOnTheRealTemplate(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	real := string(data)
	ssmARN := "!Sub arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/macro-ai/${Stage}/"
	// inFunction edits the first occurrence of old after the resource id.
	inFunction := func(id, old, new string) func(string) string {
		return func(s string) string {
			i := strings.Index(s, "\n  "+id+":\n")
			if i < 0 {
				return s
			}
			j := strings.Index(s[i:], old)
			if j < 0 {
				return s
			}
			return s[:i+j] + new + s[i+j+len(old):]
		}
	}
	tests := []struct {
		name string
		edit func(string) string
		want string // "" for no problem at all
	}{
		{name: "as it is", edit: func(s string) string { return s }},
		{name: "a secret used but not granted",
			edit: inFunction("MeFunction", "SECRETS: critical/database-url,standard/redis-url", "SECRETS: critical/database-url,standard/redis-url,critical/openai-api-key"),
			want: "MeFunction: SECRETS names critical/openai-api-key, but no ssm:GetParameters grants /macro-ai/${Stage}/critical/openai-api-key"},
		{name: "a secret granted but not used",
			edit: inFunction("MeFunction", "SECRETS: critical/database-url,standard/redis-url", "SECRETS: critical/database-url"),
			want: "MeFunction: ssm:GetParameters on /macro-ai/${Stage}/standard/redis-url, which SECRETS does not name"},
		{name: "a secret in the wrong tier",
			edit: func(s string) string {
				s = inFunction("AuthSignUpFunction", "SECRETS: standard/redis-url", "SECRETS: critical/redis-url")(s)
				return inFunction("AuthSignUpFunction", "${Stage}/standard/redis-url", "${Stage}/critical/redis-url")(s)
			},
			want: "AuthSignUpFunction: SECRETS: redis-url is standard, not critical"},
		{name: "an unknown secret",
			edit: func(s string) string {
				s = inFunction("AuthSignUpFunction", "SECRETS: standard/redis-url", "SECRETS: standard/redis-url,standard/smtp-password")(s)
				return inFunction("AuthSignUpFunction", "          - "+ssmARN+"standard/redis-url",
					"          - "+ssmARN+"standard/redis-url\n                - "+ssmARN+"standard/smtp-password")(s)
			},
			want: `AuthSignUpFunction: SECRETS: "standard/smtp-password" is no known secret`},
		{name: "a whole path granted",
			edit: inFunction("HealthFunction", "${Stage}/standard/redis-url", "${Stage}/standard/*"),
			want: "HealthFunction: ssm:GetParameters on /macro-ai/${Stage}/standard/*"},
		{name: "decrypt without the Parameter Store condition",
			edit: inFunction("SearchFunction", "kms:ViaService: !Sub ssm.${AWS::Region}.amazonaws.com", "kms:ViaService: !Sub s3.${AWS::Region}.amazonaws.com"),
			want: "SearchFunction: reads secrets, so it needs kms:Decrypt"},
		{name: "decrypt for a function without secrets",
			edit: inFunction("WarmupFunction", "            - Sid: InvokeTheHttpFunctions", "            - Effect: Allow\n              Action: kms:Decrypt\n              Resource: !Sub arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/abc\n            - Sid: InvokeTheHttpFunctions"),
			want: "WarmupFunction: kms:Decrypt, but it reads no secret"},
		{name: "rotation may write a parameter it does not rotate",
			edit: inFunction("RotateSecretsFunction", "Action: ssm:PutParameter\n              Resource:\n", "Action: ssm:PutParameter\n              Resource:\n                - "+ssmARN+"critical/other\n"),
			want: "RotateSecretsFunction: ssm:PutParameter on /macro-ai/${Stage}/critical/other"},
		{name: "rotation cannot delete the pending value",
			edit: inFunction("RotateSecretsFunction", "Action: ssm:DeleteParameter", "Action: ssm:GetParameter"),
			want: "RotateSecretsFunction: ssm:DeleteParameter lacks /macro-ai/${Stage}/pending/database-url"},
		{name: "rotation cannot encrypt",
			edit: inFunction("RotateSecretsFunction", "Action: [kms:Decrypt, kms:Encrypt]", "Action: [kms:Decrypt]"),
			want: "RotateSecretsFunction: writes secrets, so it needs kms:Encrypt"},
		{name: "another SSM action",
			edit: inFunction("MeFunction", "Action: ssm:GetParameters", "Action: [ssm:GetParameters, ssm:PutParameter]"),
			want: "MeFunction: ssm:PutParameter"},
		{name: "warmup misses a function",
			edit: inFunction("WarmupFunction", "              - !Ref SearchFunction\n", ""),
			want: "WarmupFunction: WARMUP_FUNCTIONS lacks SearchFunction"},
		{name: "warmup may not invoke a function it warms",
			edit: inFunction("WarmupFunction", "                - !GetAtt SearchFunction.Arn\n", ""),
			want: "WarmupFunction: lambda:InvokeFunction lacks SearchFunction"},
		{name: "warmup may invoke a function that is not HTTP",
			edit: inFunction("WarmupFunction", "                - !GetAtt SearchFunction.Arn\n", "                - !GetAtt SearchFunction.Arn\n                - !GetAtt MigrateFunction.Arn\n"),
			want: "WarmupFunction: lambda:InvokeFunction on MigrateFunction, which is no HTTP function"},
		{name: "another function may invoke",
			edit: inFunction("MeFunction", "            - Sid: ReadItsSecrets", "            - Effect: Allow\n              Action: lambda:InvokeFunction\n              Resource: !GetAtt SearchFunction.Arn\n            - Sid: ReadItsSecrets"),
			want: "MeFunction: lambda:InvokeFunction: only the warmup function may invoke functions"},
		{name: "retention other than 14 days",
			edit: inFunction("SearchLogGroup", "RetentionInDays: 14", "RetentionInDays: 30"),
			want: "SearchLogGroup: RetentionInDays 30, want 14"},
		{name: "a function logging to the default group",
			edit: inFunction("SearchFunction", "      LoggingConfig:\n        LogGroup: !Ref SearchLogGroup\n", ""),
			want: "SearchFunction: LoggingConfig.LogGroup"},
		{name: "a log group named for another function",
			edit: inFunction("SearchLogGroup", "-search", "-searches"),
			want: "SearchLogGroup: LogGroupName"},
		{name: "no tracing",
			edit: func(s string) string { return strings.Replace(s, "    Tracing: !Ref Tracing\n", "", 1) },
			want: "Globals.Function.Tracing"},
		{name: "tracing off by default",
			edit: func(s string) string {
				return strings.Replace(s, "    Default: Active\n", "    Default: PassThrough\n", 1)
			},
			want: "Globals.Function.Tracing"},
		{name: "text logs",
			edit: func(s string) string {
				return strings.Replace(s, "      LogFormat: JSON\n", "      LogFormat: Text\n", 1)
			},
			want: "Globals.Function.LoggingConfig.LogFormat"},
		{name: "more memory without a reason",
			edit: func(s string) string {
				return regexp.MustCompile(`MemorySize: 256 #.*`).ReplaceAllString(s, "MemorySize: 256")
			},
			want: "ChatStreamFunction: MemorySize 256 without a comment"},
		{name: "warmup every hour",
			edit: inFunction("WarmupFunction", "ScheduleExpression: rate(5 minutes)", "ScheduleExpression: rate(1 hour)"),
			want: "WarmupFunction: schedule rate(1 hour)"},
		{name: "no rotation schedule",
			edit: inFunction("RotateSecretsFunction", "Type: ScheduleV2", "Type: Api"),
			want: "RotateSecretsFunction: schedule"},
		{name: "migrations only on the first deploy",
			edit: func(s string) string {
				return strings.Replace(s, "      Version: !GetAtt MigrateFunction.Version.Version\n", "", 1)
			},
			want: "Migrations: no property changes"},
		{name: "the version's ARN: a rollback is never recognised",
			edit: func(s string) string {
				return strings.Replace(s, "Version: !GetAtt MigrateFunction.Version.Version", "Version: !Ref MigrateFunction.Version", 1)
			},
			want: "Migrations: Version [!Ref MigrateFunction.Version], want !GetAtt MigrateFunction.Version.Version"},
		{name: "no CORS on the HTTP API",
			edit: func(s string) string {
				i := strings.Index(s, "      CorsConfiguration:\n")
				j := strings.Index(s[i:], "        MaxAge: 600\n") + len("        MaxAge: 600\n")
				return s[:i] + s[i+j:]
			},
			want: "HttpApi: CorsConfiguration: missing"},
		{name: "Retry-After not exposed by the HTTP API",
			edit: func(s string) string {
				return strings.Replace(s, "        ExposeHeaders: [retry-after, x-request-id]\n", "        ExposeHeaders: [x-request-id]\n", 1)
			},
			want: "HttpApi: CorsConfiguration: ExposeHeaders lacks retry-after"},
		{name: "PATCH not allowed across origins",
			edit: func(s string) string {
				return strings.Replace(s, "AllowMethods: [GET, POST, PUT, PATCH, DELETE]", "AllowMethods: [GET, POST, PUT, DELETE]", 1)
			},
			want: "HttpApi: CorsConfiguration: AllowMethods lacks PATCH"},
		{name: "no CORS on the stream's Function URL",
			edit: inFunction("ChatStreamFunction", "        Cors:\n", "        NoCors:\n"),
			want: "ChatStreamFunction: FunctionUrlConfig.Cors: missing"},
		{name: "the stream does not expose its headers",
			edit: inFunction("ChatStreamFunction", "          ExposeHeaders: [retry-after, x-request-id]\n", ""),
			want: "ChatStreamFunction: FunctionUrlConfig.Cors: ExposeHeaders lacks retry-after"},
		{name: "an HTTP route that outlives API Gateway's 30 s",
			edit: func(s string) string {
				return strings.Replace(s, "        HTTP_API_TIMEOUT: 28s\n", "", 1)
			},
			want: "ChatStreamFunction: Timeout 1m0s behind HTTP API routes and no HTTP_API_TIMEOUT below 30s"},
		{name: "an HTTP API deadline at the limit",
			edit: func(s string) string {
				return strings.Replace(s, "        HTTP_API_TIMEOUT: 28s\n", "        HTTP_API_TIMEOUT: 30s\n", 1)
			},
			want: "EmbedFunction: Timeout 1m0s behind HTTP API routes and no HTTP_API_TIMEOUT below 30s"},
		{name: "no reserved concurrency",
			edit: func(s string) string {
				return strings.Replace(s, "    ReservedConcurrentExecutions: !If [ReservesConcurrency, !Ref ReservedConcurrency, !Ref AWS::NoValue]\n", "", 1)
			},
			want: "HealthFunction: no ReservedConcurrentExecutions"},
		{name: "the stream shares the others' reservation",
			edit: inFunction("ChatStreamFunction", "      ReservedConcurrentExecutions: !If [ChatReservesConcurrency, !Ref ChatReservedConcurrency, !Ref AWS::NoValue]\n", ""),
			want: "ChatStreamFunction: a Function URL has no API throttle"},
		{name: "ID tokens accepted",
			edit: func(s string) string {
				return strings.Replace(s, "            AuthorizationScopes: [aws.cognito.signin.user.admin]\n", "", 1)
			},
			want: "HttpApi: authorizer CognitoJwt has no AuthorizationScopes"},
		{name: "budget in pounds",
			edit: func(s string) string { return strings.Replace(s, "Unit: USD", "Unit: GBP", 1) },
			want: "Budget: BudgetLimit.Unit GBP"},
		{name: "budget alert on the forecast",
			edit: func(s string) string {
				return strings.Replace(s, "NotificationType: ACTUAL", "NotificationType: FORECASTED", 1)
			},
			want: "Budget: no e-mail at 80% of the ACTUAL spend"},
		{name: "no stream URL output",
			edit: func(s string) string { return strings.Replace(s, "  StreamUrl:\n", "  ChatUrl:\n", 1) },
			want: "Outputs: no StreamUrl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.edit(real)
			if tt.want != "" && doc == real {
				t.Fatal("the edit changed nothing: the template moved on, update the case")
			}
			tpl, err := template.Parse([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			node, err := parseYAML([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			problems := allChecks(tpl, node)
			checkProblems(t, problems, tt.want)
		})
	}
}

// functionResources maps each AWS::Serverless::Function to its Properties.
func functionResources(root *yaml.Node) map[string]*yaml.Node {
	fns := map[string]*yaml.Node{}
	for id, res := range pairs(get(root, "Resources")) {
		if scalar(get(res, "Type")) == "AWS::Serverless::Function" {
			fns[id] = get(res, "Properties")
		}
	}
	return fns
}

// allowStatements returns a function's inline Allow statements.
func allowStatements(props *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for _, doc := range content(get(props, "Policies")) {
		stmts := get(doc, "Statement")
		list := []*yaml.Node{stmts}
		if stmts != nil && stmts.Kind == yaml.SequenceNode {
			list = stmts.Content
		}
		for _, st := range list {
			if st != nil && scalar(get(st, "Effect")) == "Allow" {
				out = append(out, st)
			}
		}
	}
	return out
}

// granted maps each action (lower case) of props' Allow statements to the
// resources it is allowed on, as refStrings gives them; conditions maps it to
// its statements' Condition blocks.
func granted(props *yaml.Node) (resources map[string][]string, conditions map[string][]*yaml.Node) {
	resources, conditions = map[string][]string{}, map[string][]*yaml.Node{}
	for _, st := range allowStatements(props) {
		for _, a := range strs(get(st, "Action")) {
			a = strings.ToLower(a)
			resources[a] = append(resources[a], refStrings(get(st, "Resource"))...)
			conditions[a] = append(conditions[a], get(st, "Condition"))
		}
	}
	return resources, conditions
}

// actionNames spells the actions these checks name in their reports.
var actionNames = map[string]string{
	"ssm:getparameter": "ssm:GetParameter", "ssm:getparameters": "ssm:GetParameters",
	"ssm:putparameter": "ssm:PutParameter", "ssm:deleteparameter": "ssm:DeleteParameter",
	"lambda:invokefunction": "lambda:InvokeFunction", "kms:decrypt": "kms:Decrypt", "kms:encrypt": "kms:Encrypt",
}

// actionName is a lower-cased action as IAM spells it, where known.
func actionName(a string) string {
	if n, ok := actionNames[a]; ok {
		return n
	}
	return a
}

// envVar returns a function's environment variable node.
func envVar(props *yaml.Node, name string) *yaml.Node {
	return get(get(get(props, "Environment"), "Variables"), name)
}

// secretList parses "critical/database-url,standard/redis-url".
func secretList(s string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			tier, name, _ := strings.Cut(part, "/")
			out = append(out, [2]string{tier, name})
		}
	}
	return out
}

// paths returns the parameter paths (after ":parameter") of ssm ARNs;
// anything else is kept as it is.
func paths(resources []string) []string {
	var out []string
	for _, r := range resources {
		if _, p, ok := strings.Cut(r, ":parameter"); ok {
			r = p
		}
		out = append(out, r)
	}
	return out
}

// compareSets reports the members of want missing from got and of got
// missing from want.
func compareSets(want, got []string) (missing, extra []string) {
	for _, w := range want {
		if !slices.Contains(got, w) && !slices.Contains(missing, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) && !slices.Contains(extra, g) {
			extra = append(extra, g)
		}
	}
	return missing, extra
}

// viaSSM reports a condition block that allows KMS only through Parameter
// Store (kms:ViaService ssm.<region>.amazonaws.com).
func viaSSM(conds []*yaml.Node) bool {
	for _, c := range conds {
		for _, op := range pairs(c) {
			for k, v := range pairs(op) {
				if strings.EqualFold(k, "kms:ViaService") && slices.ContainsFunc(refStrings(v), func(s string) bool { return strings.HasPrefix(s, "ssm.") }) {
					return true
				}
			}
		}
	}
	return false
}

func checkSecrets(root *yaml.Node) []string {
	var problems []string
	for id, props := range functionResources(root) {
		res, conds := granted(props)
		var want []string
		for _, s := range secretList(scalar(envVar(props, "SECRETS"))) {
			tier, ok := secretTiers[s[1]]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: SECRETS: %q is no known secret (add it to secretTiers of this test, with its tier)", id, s[0]+"/"+s[1]))
			case tier != s[0]:
				problems = append(problems, fmt.Sprintf("%s: SECRETS: %s is %s, not %s", id, s[1], tier, s[0]))
			}
			want = append(want, parameterPath(s[0], s[1]))
		}
		missing, extra := compareSets(want, paths(res["ssm:getparameters"]))
		for _, m := range missing {
			problems = append(problems, fmt.Sprintf("%s: SECRETS names %s, but no ssm:GetParameters grants %s", id, strings.TrimPrefix(m, "/macro-ai/${Stage}/"), m))
		}
		for _, e := range extra {
			problems = append(problems, fmt.Sprintf("%s: ssm:GetParameters on %s, which SECRETS does not name", id, e))
		}

		rotated := secretList(scalar(envVar(props, "ROTATE_SECRETS")))
		wantSSM := map[string][]string{}
		for _, s := range rotated {
			cur, pending, previous := parameterPath(s[0], s[1]), parameterPath("pending", s[1]), parameterPath("previous", s[1])
			wantSSM["ssm:getparameter"] = append(wantSSM["ssm:getparameter"], pending, cur)
			wantSSM["ssm:putparameter"] = append(wantSSM["ssm:putparameter"], cur, previous)
			wantSSM["ssm:deleteparameter"] = append(wantSSM["ssm:deleteparameter"], pending)
		}
		for _, action := range sortedKeys(res) {
			if !strings.HasPrefix(action, "ssm:") || action == "ssm:getparameters" {
				continue
			}
			if _, ok := wantSSM[action]; !ok {
				problems = append(problems, fmt.Sprintf("%s: %s: only rotate-secrets (ROTATE_SECRETS) writes or reads single parameters", id, actionName(action)))
			}
		}
		for _, action := range sortedKeys(wantSSM) {
			missing, extra := compareSets(wantSSM[action], paths(res[action]))
			for _, m := range missing {
				problems = append(problems, fmt.Sprintf("%s: %s lacks %s, which rotating ROTATE_SECRETS needs", id, actionName(action), m))
			}
			for _, e := range extra {
				problems = append(problems, fmt.Sprintf("%s: %s on %s, which rotating ROTATE_SECRETS does not need", id, actionName(action), e))
			}
		}

		readsSecrets := len(want) > 0 || len(rotated) > 0
		switch {
		case readsSecrets && !viaSSM(conds["kms:decrypt"]):
			problems = append(problems, fmt.Sprintf("%s: reads secrets, so it needs kms:Decrypt under kms:ViaService ssm.${AWS::Region}.amazonaws.com", id))
		case !readsSecrets && res["kms:decrypt"] != nil:
			problems = append(problems, fmt.Sprintf("%s: kms:Decrypt, but it reads no secret", id))
		}
		switch {
		case len(rotated) > 0 && !viaSSM(conds["kms:encrypt"]):
			problems = append(problems, fmt.Sprintf("%s: writes secrets, so it needs kms:Encrypt under kms:ViaService ssm.${AWS::Region}.amazonaws.com", id))
		case len(rotated) == 0 && res["kms:encrypt"] != nil:
			problems = append(problems, fmt.Sprintf("%s: kms:Encrypt, but it writes no secret", id))
		}
	}
	sort.Strings(problems)
	return problems
}

func checkWarmup(tpl *template.Template, root *yaml.Node) []string {
	var problems []string
	var httpFns []string
	for _, f := range tpl.Functions {
		if len(f.Routes) > 0 || f.Streaming {
			httpFns = append(httpFns, f.LogicalID)
		}
	}
	var warmups []string
	for id, props := range functionResources(root) {
		res, _ := granted(props)
		list := envVar(props, "WARMUP_FUNCTIONS")
		if list == nil {
			for action := range res {
				if strings.HasPrefix(action, "lambda:invoke") {
					problems = append(problems, fmt.Sprintf("%s: %s: only the warmup function may invoke functions", id, actionName(action)))
				}
			}
			continue
		}
		warmups = append(warmups, id)
		var listed []string
		for _, r := range refStrings(list) {
			if name, ok := strings.CutPrefix(r, "!Ref "); ok {
				listed = append(listed, name)
			}
		}
		missing, extra := compareSets(httpFns, listed)
		for _, m := range missing {
			problems = append(problems, fmt.Sprintf("%s: WARMUP_FUNCTIONS lacks %s (want !Join [\",\", [!Ref …]] of every HTTP function)", id, m))
		}
		for _, e := range extra {
			problems = append(problems, fmt.Sprintf("%s: WARMUP_FUNCTIONS has %s, which is no HTTP function", id, e))
		}
		var invokable []string
		for _, r := range res["lambda:invokefunction"] {
			if name, ok := strings.CutPrefix(r, "!GetAtt "); ok && strings.HasSuffix(name, ".Arn") {
				invokable = append(invokable, strings.TrimSuffix(name, ".Arn"))
			} else {
				problems = append(problems, fmt.Sprintf("%s: lambda:InvokeFunction on %q: name each function as !GetAtt Fn.Arn", id, r))
			}
		}
		missing, extra = compareSets(httpFns, invokable)
		for _, m := range missing {
			problems = append(problems, fmt.Sprintf("%s: lambda:InvokeFunction lacks %s, which it warms", id, m))
		}
		for _, e := range extra {
			problems = append(problems, fmt.Sprintf("%s: lambda:InvokeFunction on %s, which is no HTTP function", id, e))
		}
		for action := range res {
			if strings.HasPrefix(action, "lambda:") && action != "lambda:invokefunction" {
				problems = append(problems, fmt.Sprintf("%s: %s: the warmup needs lambda:InvokeFunction only", id, action))
			}
		}
	}
	if len(warmups) != 1 {
		problems = append(problems, fmt.Sprintf("want one function with WARMUP_FUNCTIONS, have %v", warmups))
	}
	sort.Strings(problems)
	return problems
}

func checkLogs(root *yaml.Node) []string {
	var problems []string
	globals := get(get(root, "Globals"), "Function")
	if got := scalar(get(get(globals, "LoggingConfig"), "LogFormat")); got != "JSON" {
		problems = append(problems, fmt.Sprintf("Globals.Function.LoggingConfig.LogFormat = %q, want JSON", got))
	}
	// Tracing is Active, or a parameter whose default is Active.
	tracing := get(globals, "Tracing")
	if ref := refStrings(tracing); len(ref) == 1 && strings.HasPrefix(ref[0], "!Ref ") {
		tracing = get(get(get(root, "Parameters"), strings.TrimPrefix(ref[0], "!Ref ")), "Default")
	}
	if got := scalar(tracing); got != "Active" {
		problems = append(problems, fmt.Sprintf("Globals.Function.Tracing = %q, want Active (Lambda's own X-Ray segments), or a parameter with that default", got))
	}
	groups := map[string]*yaml.Node{}
	for id, res := range pairs(get(root, "Resources")) {
		if scalar(get(res, "Type")) == "AWS::Logs::LogGroup" {
			groups[id] = get(res, "Properties")
		}
	}
	used := map[string]string{}
	for id, props := range functionResources(root) {
		if v := get(props, "Tracing"); v != nil {
			problems = append(problems, fmt.Sprintf("%s: Tracing %v overrides Globals", id, refStrings(v)))
		}
		lc := get(props, "LoggingConfig")
		if f := get(lc, "LogFormat"); f != nil && scalar(f) != "JSON" {
			problems = append(problems, fmt.Sprintf("%s: LoggingConfig.LogFormat %q, want JSON", id, scalar(f)))
		}
		ref := refStrings(get(lc, "LogGroup"))
		if len(ref) != 1 || !strings.HasPrefix(ref[0], "!Ref ") {
			problems = append(problems, fmt.Sprintf("%s: LoggingConfig.LogGroup must be !Ref of its AWS::Logs::LogGroup", id))
			continue
		}
		group := strings.TrimPrefix(ref[0], "!Ref ")
		gp, ok := groups[group]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: LoggingConfig.LogGroup %s is no AWS::Logs::LogGroup", id, group))
			continue
		}
		if other, dup := used[group]; dup {
			problems = append(problems, fmt.Sprintf("%s: shares log group %s with %s", id, group, other))
		}
		used[group] = id
		fnName := refStrings(get(props, "FunctionName"))
		groupName := refStrings(get(gp, "LogGroupName"))
		if len(fnName) != 1 || len(groupName) != 1 || groupName[0] != "/aws/lambda/"+fnName[0] {
			problems = append(problems, fmt.Sprintf("%s: LogGroupName %v, want /aws/lambda/ + %s's FunctionName %v", group, groupName, id, fnName))
		}
	}
	for _, id := range sortedKeys(groups) {
		if got := scalar(get(groups[id], "RetentionInDays")); got != "14" {
			problems = append(problems, fmt.Sprintf("%s: RetentionInDays %s, want 14", id, got))
		}
		if _, ok := used[id]; !ok {
			problems = append(problems, fmt.Sprintf("%s: no function logs to it", id))
		}
	}
	sort.Strings(problems)
	return problems
}

// wantSchedules are the scheduled functions: what the expression must match.
var wantSchedules = map[string]*regexp.Regexp{
	"EmbedFunction":         regexp.MustCompile(`^rate\(5 minutes\)$`),            // the embedding backfill
	"WarmupFunction":        regexp.MustCompile(`^rate\(5 minutes\)$`),            // keeps the HTTP functions warm
	"RotateSecretsFunction": regexp.MustCompile(`^cron\(\d+ \d+ \d+ \* \? \*\)$`), // monthly
	"UsageWatchFunction":    regexp.MustCompile(`^cron\(\d+ \d+ \* \* \? \*\)$`),  // daily: the free tiers' use
}

func checkDeploy(tpl *template.Template, root *yaml.Node) []string {
	var problems []string
	for _, id := range sortedKeys(wantSchedules) {
		f, ok := tpl.Function(id)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: missing (it runs on a schedule)", id))
			continue
		}
		var exprs []string
		for _, s := range f.Schedules {
			if s.Enabled {
				exprs = append(exprs, s.Expression)
			}
		}
		if len(exprs) != 1 || !wantSchedules[id].MatchString(exprs[0]) {
			problems = append(problems, fmt.Sprintf("%s: schedule %v, want one matching %s", id, strings.Join(exprs, ", "), wantSchedules[id]))
		}
	}
	if f, ok := tpl.Function("EmbedFunction"); ok && len(f.Schedules) == 1 && !strings.Contains(f.Schedules[0].Input, `"backfill"`) {
		problems = append(problems, fmt.Sprintf("EmbedFunction: schedule input %q, want the backfill event", f.Schedules[0].Input))
	}

	fns := functionResources(root)
	for _, id := range sortedKeys(fns) {
		mem := get(fns[id], "MemorySize")
		if mem != nil && scalar(mem) != "128" && strings.TrimSpace(strings.TrimPrefix(mem.LineComment, "#")) == "" {
			problems = append(problems, fmt.Sprintf("%s: MemorySize %s without a comment that says why (128 MB is the rule)", id, scalar(mem)))
		}
	}
	if got := scalar(get(get(get(root, "Globals"), "Function"), "MemorySize")); got != "128" {
		problems = append(problems, fmt.Sprintf("Globals.Function.MemorySize = %q, want 128", got))
	}

	var migrations, budgets []string
	for id, res := range pairs(get(root, "Resources")) {
		props := get(res, "Properties")
		switch scalar(get(res, "Type")) {
		case "Custom::Migrations":
			migrations = append(migrations, id)
			if got := refStrings(get(props, "ServiceToken")); !slices.Equal(got, []string{"!GetAtt MigrateFunction.Arn"}) {
				problems = append(problems, fmt.Sprintf("%s: ServiceToken %v, want !GetAtt MigrateFunction.Arn", id, got))
			}
			// A property must change with every deploy of new code, or
			// CloudFormation never sends another Update: the migrate
			// function's version (AutoPublishAlias publishes one per build).
			changes := false
			for _, v := range pairs(props) {
				if ref := refStrings(v); slices.Equal(ref, []string{"!GetAtt MigrateFunction.Version.Version"}) || slices.Equal(ref, []string{"!Ref MigrateFunction.Version"}) {
					changes = true
				}
			}
			if !changes || scalar(get(fns["MigrateFunction"], "AutoPublishAlias")) == "" {
				problems = append(problems, fmt.Sprintf("%s: no property changes with each deploy (want Version: !GetAtt MigrateFunction.Version.Version and an AutoPublishAlias on MigrateFunction)", id))
			}
		case "AWS::Budgets::Budget":
			budgets = append(budgets, id)
			b := get(props, "Budget")
			for key, want := range map[string]string{"BudgetType": "COST", "TimeUnit": "MONTHLY"} {
				if got := scalar(get(b, key)); got != want {
					problems = append(problems, fmt.Sprintf("%s: Budget.%s %s, want %s", id, key, got, want))
				}
			}
			// AWS Budgets takes cost limits in USD only ("… is not in the
			// supported unit set: [USD]"), whatever the billing currency.
			if got := scalar(get(get(b, "BudgetLimit"), "Unit")); got != "USD" {
				problems = append(problems, fmt.Sprintf("%s: BudgetLimit.Unit %s, want USD (the only unit AWS Budgets accepts for cost)", id, got))
			}
			alert := false
			for _, n := range content(get(props, "NotificationsWithSubscribers")) {
				nt := get(n, "Notification")
				if scalar(get(nt, "NotificationType")) != "ACTUAL" || scalar(get(nt, "Threshold")) != "80" ||
					scalar(get(nt, "ThresholdType")) != "PERCENTAGE" || scalar(get(nt, "ComparisonOperator")) != "GREATER_THAN" {
					continue
				}
				for _, s := range content(get(n, "Subscribers")) {
					if scalar(get(s, "SubscriptionType")) == "EMAIL" {
						alert = true
					}
				}
			}
			if !alert {
				problems = append(problems, fmt.Sprintf("%s: no e-mail at 80%% of the ACTUAL spend", id))
			}
		}
	}
	if len(migrations) != 1 {
		problems = append(problems, fmt.Sprintf("want one Custom::Migrations resource, have %v", migrations))
	}
	if len(budgets) != 1 {
		problems = append(problems, fmt.Sprintf("want one AWS::Budgets::Budget, have %v", budgets))
	}
	outputs := get(root, "Outputs")
	for _, name := range []string{"ApiUrl", "StreamUrl", "UserPoolId", "UserPoolClientId"} {
		if get(outputs, name) == nil {
			problems = append(problems, fmt.Sprintf("Outputs: no %s", name))
		}
	}
	sort.Strings(problems)
	return problems
}
