package templatecheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/macro-ai/macro-ai/local/template"
)

// The rules below each stand for a defect a review with the real SAM
// translator found before the first deploy: a rollback that migrates again,
// a hosted web app that cannot call the API, HTTP routes that outlive API
// Gateway's 30 s, a CI deploy stuck at a prompt, a push that cancels a
// running deploy, a build that reports version "dev".

// wantExposed are the response headers the web app reads: not CORS-safelisted,
// so both the HTTP API and the Function URL must expose them.
var wantExposed = []string{"retry-after", "x-request-id"}

// wantAllowedHeaders are the request headers the web app sends.
var wantAllowedHeaders = []string{"authorization", "content-type"}

// TestFirstDeployRules: the template passes every first-deploy rule.
func TestFirstDeployRules(t *testing.T) {
	tpl, node := loadTemplate(t)
	for _, p := range checkFirstDeploy(tpl, node) {
		t.Error(p)
	}
}

// checkFirstDeploy checks the migrations' rollback version, CORS on the
// HTTP API and the Function URLs, and the HTTP routes' time limit.
func checkFirstDeploy(tpl *template.Template, root *yaml.Node) []string {
	var problems []string
	for id, res := range pairs(get(root, "Resources")) {
		props := get(res, "Properties")
		switch scalar(get(res, "Type")) {
		case "Custom::Migrations":
			// !Ref of a version is its ARN (…:function:migrate:7), which no
			// number comparison reads: a rollback would migrate again.
			if got := refStrings(get(props, "Version")); !slices.Equal(got, []string{"!GetAtt MigrateFunction.Version.Version"}) {
				problems = append(problems, fmt.Sprintf("%s: Version %v, want !GetAtt MigrateFunction.Version.Version (the number; !Ref gives the ARN, so a rollback is never recognised)", id, got))
			}
		case "AWS::Serverless::HttpApi":
			var methods []string
			for _, fn := range tpl.Functions {
				for _, r := range fn.Routes {
					if r.API == id && !slices.Contains(methods, r.Method) {
						methods = append(methods, r.Method)
					}
				}
			}
			problems = append(problems, checkCORS(id+": CorsConfiguration", tpl, tpl.APIs[id].CORS, methods)...)
			// Cognito's ID tokens have the client id as their audience too:
			// only the access token's scope tells them apart.
			for name, a := range pairs(get(get(props, "Auth"), "Authorizers")) {
				if !slices.Contains(strs(get(a, "AuthorizationScopes")), "aws.cognito.signin.user.admin") {
					problems = append(problems, fmt.Sprintf("%s: authorizer %s has no AuthorizationScopes [aws.cognito.signin.user.admin]: ID tokens are accepted", id, name))
				}
			}
		}
	}
	// Bounded concurrency (docs/operating.md): every function is held to a reserved
	// concurrency when the account can reserve, the chat turn's Function URL
	// (no API Gateway throttle in front of it) to its own.
	for _, fn := range tpl.Functions {
		if fn.ReservedConcurrency.Intrinsic == "" && fn.ReservedConcurrency.Literal == "" {
			problems = append(problems, fmt.Sprintf("%s: no ReservedConcurrentExecutions: its concurrency is bounded by nothing of its own", fn.LogicalID))
		}
		if fn.URL && fn.ReservedConcurrency.Ref != "ChatReservesConcurrency" {
			problems = append(problems, fmt.Sprintf("%s: a Function URL has no API throttle: give it its own ReservedConcurrentExecutions (ChatReservedConcurrency)", fn.LogicalID))
		}
	}
	for _, fn := range tpl.Functions {
		if fn.URL {
			problems = append(problems, checkCORS(fn.LogicalID+": FunctionUrlConfig.Cors", tpl, fn.URLCORS, []string{"POST"})...)
		}
		if len(fn.Routes) == 0 || fn.Timeout <= 30*time.Second {
			continue
		}
		// Behind the HTTP API a request is cut at 30 s while the function runs
		// on: a function that may run longer must bound its HTTP requests.
		limit, err := time.ParseDuration(fn.Environment["HTTP_API_TIMEOUT"].Literal)
		if err != nil || limit <= 0 || limit >= 30*time.Second {
			problems = append(problems, fmt.Sprintf("%s: Timeout %v behind HTTP API routes and no HTTP_API_TIMEOUT below 30s (API Gateway's hard limit); have %q",
				fn.LogicalID, fn.Timeout, fn.Environment["HTTP_API_TIMEOUT"].Literal))
		}
	}
	slices.Sort(problems)
	return problems
}

// checkCORS: an origin, the app's request headers, its methods, and the
// headers it reads exposed.
func checkCORS(where string, tpl *template.Template, c *template.CORS, methods []string) []string {
	if c == nil {
		return []string{where + ": missing: the web app, hosted on its own origin, cannot call it"}
	}
	var problems []string
	if len(c.AllowOrigins) == 0 {
		problems = append(problems, where+": no AllowOrigins")
	}
	lower := func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strings.ToLower(x)
		}
		return out
	}
	for _, h := range wantAllowedHeaders {
		if !slices.Contains(lower(c.AllowHeaders), h) && !slices.Contains(c.AllowHeaders, "*") {
			problems = append(problems, fmt.Sprintf("%s: AllowHeaders lacks %s", where, h))
		}
	}
	for _, m := range methods {
		if m != "ANY" && !slices.Contains(c.AllowMethods, m) && !slices.Contains(c.AllowMethods, "*") {
			problems = append(problems, fmt.Sprintf("%s: AllowMethods lacks %s", where, m))
		}
	}
	for _, h := range wantExposed {
		if !slices.Contains(lower(c.ExposeHeaders), h) {
			problems = append(problems, fmt.Sprintf("%s: ExposeHeaders lacks %s (the app reads it; it is not CORS-safelisted)", where, h))
		}
	}
	return problems
}

// deployFiles are the files of the deploy path besides the template.
type deployFiles struct{ workflow, samconfig, makefile string }

func loadDeployFiles(t *testing.T) deployFiles {
	t.Helper()
	var f deployFiles
	for path, into := range map[string]*string{
		".github/workflows/ci.yml": &f.workflow, "samconfig.toml": &f.samconfig, "Makefile": &f.makefile,
	} {
		b, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Fatal(err)
		}
		*into = string(b)
	}
	return f
}

// TestDeployPath: CI deploys without a prompt and is never cancelled; the
// build knows its version.
func TestDeployPath(t *testing.T) {
	for _, p := range checkDeployPath(loadDeployFiles(t)) {
		t.Error(p)
	}
}

// checkDeployPath checks the workflow's deploy job, samconfig and the
// Makefile's deploy target.
func checkDeployPath(f deployFiles) []string {
	var problems []string
	wf, err := parseYAML([]byte(f.workflow))
	if err != nil {
		return []string{"workflow: " + err.Error()}
	}
	deploys := 0
	for id, job := range pairs(get(wf, "jobs")) {
		var runs []string
		for _, step := range content(get(job, "steps")) {
			runs = append(runs, scalar(get(step, "run")))
		}
		i := slices.IndexFunc(runs, func(r string) bool { return strings.Contains(r, "make deploy") || strings.Contains(r, "sam deploy") })
		if i < 0 {
			continue
		}
		deploys++
		// No terminal in CI: a change set that waits for "y" is "Aborted!".
		if !strings.Contains(runs[i], "--no-confirm-changeset") {
			problems = append(problems, fmt.Sprintf("workflow job %s: %q answers no prompt; pass --no-confirm-changeset (DEPLOY_FLAGS)", id, runs[i]))
		}
		// A cancelled sam deploy leaves the stack UPDATE_IN_PROGRESS.
		c := get(job, "concurrency")
		if c == nil || scalar(get(c, "group")) == "" || scalar(get(c, "cancel-in-progress")) == "true" {
			problems = append(problems, fmt.Sprintf("workflow job %s: deploys need a concurrency group of their own with cancel-in-progress false", id))
		}
	}
	if deploys > 0 && scalar(get(get(wf, "concurrency"), "cancel-in-progress")) == "true" {
		problems = append(problems, "workflow: concurrency with cancel-in-progress covers the whole run, the deploy job too; set it on the test job only")
	}
	// SAM builds in a copy of the tree otherwise: no .git (VERSION=dev) and
	// .build, .local and node_modules copied once per function.
	for _, env := range []string{"default", "dev", "prod"} {
		section := "[" + env + ".build.parameters]"
		i := strings.Index(f.samconfig, section)
		if i < 0 {
			problems = append(problems, "samconfig.toml: no "+section)
			continue
		}
		body := f.samconfig[i+len(section):]
		if j := strings.Index(body, "\n["); j >= 0 {
			body = body[:j]
		}
		if !strings.Contains(body, "build_in_source = true") {
			problems = append(problems, "samconfig.toml: "+section+" lacks build_in_source = true")
		}
	}
	recipe := f.makefile[strings.Index(f.makefile, "\ndeploy:"):]
	if j := strings.Index(recipe[1:], "\n\n"); j >= 0 {
		recipe = recipe[:j+1]
	}
	if !strings.Contains(recipe, "VERSION=$(VERSION) sam build") {
		problems = append(problems, "Makefile deploy: sam build without VERSION=$(VERSION): the functions report version dev")
	}
	if !strings.Contains(recipe, "--parameter-overrides Stage=$(STAGE)") {
		problems = append(problems, "Makefile deploy: Stage not passed with the parameter overrides: a --parameter-overrides on the command line drops samconfig's Stage")
	}
	if !strings.Contains(recipe, "$(DEPLOY_FLAGS)") {
		problems = append(problems, "Makefile deploy: no DEPLOY_FLAGS for CI's --no-confirm-changeset")
	}
	return problems
}

// TestDeployPathChecksCatch: every deploy-path rule fails on a doctored copy.
func TestDeployPathChecksCatch(t *testing.T) {
	real := loadDeployFiles(t)
	tests := []struct {
		name string
		edit func(*deployFiles)
		want string
	}{
		{"as it is", func(*deployFiles) {}, ""},
		{"CI deploy waits for a prompt", func(f *deployFiles) {
			f.workflow = strings.Replace(f.workflow, " DEPLOY_FLAGS=--no-confirm-changeset", "", 1)
		}, "answers no prompt"},
		{"a push cancels a running deploy", func(f *deployFiles) {
			f.workflow = strings.Replace(f.workflow, "      group: deploy-prod\n      cancel-in-progress: false", "      group: deploy-prod\n      cancel-in-progress: true", 1)
		}, "concurrency group of their own"},
		{"run-wide cancellation", func(f *deployFiles) {
			f.workflow = strings.Replace(f.workflow, "jobs:\n", "concurrency:\n  group: ci-${{ github.ref }}\n  cancel-in-progress: true\n\njobs:\n", 1)
		}, "covers the whole run"},
		{"SAM builds in a copy", func(f *deployFiles) {
			f.samconfig = strings.Replace(f.samconfig, "[prod.build.parameters]\ncached = true\nparallel = true\nbuild_in_source = true", "[prod.build.parameters]\ncached = true\nparallel = true", 1)
		}, "[prod.build.parameters] lacks build_in_source"},
		{"no version into the build", func(f *deployFiles) {
			f.makefile = strings.Replace(f.makefile, "VERSION=$(VERSION) sam build", "sam build", 1)
		}, "report version dev"},
		{"overrides drop the stage", func(f *deployFiles) {
			f.makefile = strings.Replace(f.makefile, "--parameter-overrides Stage=$(STAGE) $(PARAMS)", "$(if $(PARAMS),--parameter-overrides $(PARAMS))", 1)
		}, "drops samconfig's Stage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := real
			tt.edit(&f)
			if tt.want != "" && f == real {
				t.Fatal("the edit changed nothing: the files moved on, update the case")
			}
			problems := checkDeployPath(f)
			checkProblems(t, problems, tt.want)
		})
	}
}
