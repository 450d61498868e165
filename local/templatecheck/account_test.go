package templatecheck

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/macro-ai/macro-ai/local/template"
)

// accountRoutes are the signed-in routes that check the caller's password
// or a code of their authenticator app (or enrol one), and their functions.
var accountRoutes = map[string]string{
	"POST /me/password":      "MePasswordFunction",
	"POST /me/delete":        "MeDeleteFunction",
	"POST /auth/mfa/setup":   "AuthMfaSetupFunction",
	"POST /auth/mfa/verify":  "AuthMfaVerifyFunction",
	"POST /auth/mfa/disable": "AuthMfaDisableFunction",
}

// TestAccountRoutes: the account routes are signed in (the access token is
// what authorises their Cognito calls), and no function holds a Cognito IAM
// action: changing a password and deleting a user go through Cognito's
// user API with the user's own token (ChangePassword, GlobalSignOut,
// DeleteUser), so no function can act on another user of the pool; and the
// account functions may read their secrets and nothing else — but the
// deletion, which also lists and deletes the user's files in the data
// bucket (its policy scopes them to the imports/ and exports/ prefixes).
func TestAccountRoutes(t *testing.T) {
	tpl, node := loadTemplate(t)
	checkProblems(t, checkAccountRoutes(tpl, node), "")
}

// TestAccountRoutesChecksCatch proves each rule on a doctored template.
func TestAccountRoutesChecksCatch(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	real := string(data)
	deleteRoute := "            Path: /me/delete\n            Method: POST\n"
	deletePolicies := "        LogGroup: !Ref MeDeleteLogGroup\n      Environment:\n        Variables:\n          SECRETS: critical/database-url,standard/redis-url\n          DATA_BUCKET: !Ref DataBucket\n      Policies:\n        - Statement:\n"
	mfaRoute := "            Path: /auth/mfa/disable\n            Method: POST\n"
	tests := []struct{ name, old, new, want string }{
		{"MFA off without a token", mfaRoute, mfaRoute + "            Auth:\n              Authorizer: NONE\n", "POST /auth/mfa/disable must be signed in"},
		{"public", deleteRoute, deleteRoute + "            Auth:\n              Authorizer: NONE\n", "POST /me/delete must be signed in"},
		{"gone", deleteRoute, "            Path: /me/remove\n            Method: POST\n", "POST /me/delete: no function serves it"},
		{"an admin action", deletePolicies, deletePolicies + "            - Effect: Allow\n              Action: cognito-idp:AdminDeleteUser\n              Resource: !GetAtt UserPool.Arn\n",
			"MeDeleteFunction: cognito-idp:admindeleteuser"},
		{"another function with a Cognito action", "              Action: ssm:GetParameters\n", "              Action: [ssm:GetParameters, cognito-idp:AdminGetUser]\n",
			"cognito-idp:admingetuser: no function needs a Cognito IAM action"},
		{"an account function reads more than its secrets",
			"        LogGroup: !Ref MePasswordLogGroup\n      Environment:\n        Variables:\n          SECRETS: standard/redis-url\n      Policies:\n        - Statement:\n",
			"        LogGroup: !Ref MePasswordLogGroup\n      Environment:\n        Variables:\n          SECRETS: standard/redis-url\n      Policies:\n        - Statement:\n            - Effect: Allow\n              Action: s3:GetObject\n              Resource: !Sub ${DataBucket.Arn}/exports/*\n",
			"MePasswordFunction: s3:getobject: an account function reads its secrets and nothing else"},
		{"the deletion reads files", deletePolicies, deletePolicies + "            - Effect: Allow\n              Action: s3:GetObject\n              Resource: !Sub ${DataBucket.Arn}/exports/*\n",
			"MeDeleteFunction: s3:getobject: an account function reads its secrets and nothing else"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(real, tt.old, tt.new, 1)
			if !strings.Contains(real, tt.old) {
				t.Fatal("the edit matches nothing: the template moved on, update the case")
			}
			tpl, err := template.Parse([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			node, err := parseYAML([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			checkProblems(t, checkAccountRoutes(tpl, node), tt.want)
		})
	}
}

// accountFileActions are the data-bucket actions an account function may
// hold besides reading its secrets: the deletion removes the user's files.
var accountFileActions = map[string]map[string]bool{
	"MeDeleteFunction": {"s3:listbucket": true, "s3:deleteobject": true},
}

func checkAccountRoutes(tpl *template.Template, root *yaml.Node) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	served := map[string]bool{}
	for _, fn := range tpl.Functions {
		for _, r := range fn.Routes {
			key := r.Method + " " + r.Path
			want, ok := accountRoutes[key]
			if !ok {
				continue
			}
			served[key] = true
			if fn.LogicalID != want {
				add("%s: served by %s, want %s", key, fn.LogicalID, want)
			}
			if r.Public {
				add("%s must be signed in: its Cognito calls are authorised by the caller's access token", key)
			}
		}
	}
	for key := range accountRoutes {
		if !served[key] {
			add("%s: no function serves it", key)
		}
	}
	accountFns := map[string]bool{}
	for _, fn := range accountRoutes {
		accountFns[fn] = true
	}
	for id, props := range functionResources(root) {
		actions, _ := granted(props)
		for a := range actions {
			if strings.HasPrefix(a, "cognito-idp:") {
				add("%s: %s: no function needs a Cognito IAM action (the user API is authorised by the user's token)", id, a)
			}
			if accountFns[id] && a != "ssm:getparameters" && a != "kms:decrypt" && !accountFileActions[id][a] {
				add("%s: %s: an account function reads its secrets and nothing else", id, a)
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// TestUserPoolMFA: two-step sign-in as the API offers it — optional, by an
// authenticator app only. CloudFormation refuses a pool whose MFA is OPTIONAL
// or ON with no factor enabled (it would ask for an SMS configuration), and
// SMS_MFA would need an SNS role the template does not have; with MFA OFF the
// /auth/mfa routes could never work.
func TestUserPoolMFA(t *testing.T) {
	_, node := loadTemplate(t)
	checkProblems(t, checkUserPoolMFA(node), "")
}

// TestUserPoolMFAChecksCatch proves each rule on a doctored template.
func TestUserPoolMFAChecksCatch(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	real := string(data)
	const mfa = "      MfaConfiguration: OPTIONAL\n      EnabledMfas: [SOFTWARE_TOKEN_MFA]\n"
	tests := []struct{ name, new, want string }{
		{"off", "      MfaConfiguration: \"OFF\"\n", "UserPool: MfaConfiguration is \"OFF\", want OPTIONAL"},
		{"required of everyone", "      MfaConfiguration: \"ON\"\n      EnabledMfas: [SOFTWARE_TOKEN_MFA]\n", "UserPool: MfaConfiguration is \"ON\", want OPTIONAL"},
		{"no factor", "      MfaConfiguration: OPTIONAL\n", "UserPool: EnabledMfas must be exactly [SOFTWARE_TOKEN_MFA]"},
		{"SMS too", "      MfaConfiguration: OPTIONAL\n      EnabledMfas: [SOFTWARE_TOKEN_MFA, SMS_MFA]\n", "UserPool: EnabledMfas must be exactly [SOFTWARE_TOKEN_MFA]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(real, mfa) {
				t.Fatal("the edit matches nothing: the template moved on, update the case")
			}
			node, err := parseYAML([]byte(strings.Replace(real, mfa, tt.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			checkProblems(t, checkUserPoolMFA(node), tt.want)
		})
	}
}

func checkUserPoolMFA(root *yaml.Node) []string {
	props := get(get(get(root, "Resources"), "UserPool"), "Properties")
	var problems []string
	if got := scalar(get(props, "MfaConfiguration")); got != "OPTIONAL" {
		problems = append(problems, fmt.Sprintf("UserPool: MfaConfiguration is %q, want OPTIONAL (two-step sign-in by each user's choice)", got))
	}
	var enabled []string
	for _, n := range content(get(props, "EnabledMfas")) {
		enabled = append(enabled, scalar(n))
	}
	if len(enabled) != 1 || enabled[0] != "SOFTWARE_TOKEN_MFA" {
		problems = append(problems, fmt.Sprintf("UserPool: EnabledMfas must be exactly [SOFTWARE_TOKEN_MFA] (an authenticator app; SMS needs an SNS role), got %v", enabled))
	}
	return problems
}
