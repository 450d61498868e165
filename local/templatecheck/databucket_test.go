package templatecheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/macro-ai/macro-ai/local/template"
)

// bucketPrefixes is, for each function that touches the data bucket, the
// one key prefix it may touch and exactly the S3 actions it needs there
// (docs/import-export.md).
var bucketPrefixes = map[string]struct {
	prefix  string
	actions []string
}{
	"ImportsCreateFunction": {"imports/", []string{"s3:putobject"}},                                            // signs the upload
	"ImportFunction":        {"imports/", []string{"s3:deleteobject", "s3:getobject"}},                         // reads, then deletes, the upload
	"MeExportFunction":      {"exports/", []string{"s3:abortmultipartupload", "s3:getobject", "s3:putobject"}}, // writes, signs the download
}

// TestDataBucket: the bucket of imports and exports is private, encrypted,
// TLS only, forgets everything within a day, lets the app's origin PUT and
// GET only, notifies the import function of uploads only, and each function
// may touch only its own prefix.
func TestDataBucket(t *testing.T) {
	tpl, node := loadTemplate(t)
	checkProblems(t, checkDataBucket(tpl, node), "")
}

// TestDataBucketChecksCatch proves each rule on a doctored template.
func TestDataBucketChecksCatch(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	real := string(data)
	tests := []struct{ name, old, new, want string }{
		{"public ACLs allowed", "        BlockPublicAcls: true", "        BlockPublicAcls: false", "DataBucket: BlockPublicAcls is not true"},
		{"no encryption", "              SSEAlgorithm: AES256", "              SSEAlgorithm: none", "DataBucket: no default encryption"},
		{"kept a week", "            ExpirationInDays: 1\n", "            ExpirationInDays: 7\n", "DataBucket: objects must expire after 1 day"},
		{"multipart parts kept", "              DaysAfterInitiation: 1", "              DaysAfterInitiation: 30", "DataBucket: incomplete multipart uploads must be aborted after 1 day"},
		{"any origin", "          - AllowedOrigins: [!If [HasAppOrigin, !Ref AppOrigin, !Sub \"https://${AppDistribution.DomainName}\"]]", "          - AllowedOrigins: ['*']", "DataBucket: CORS origins must be the app's"},
		{"DELETE from the browser", "            AllowedMethods: [PUT, GET]", "            AllowedMethods: [PUT, GET, DELETE]", "DataBucket: CORS allows DELETE"},
		{"plain HTTP allowed", "                aws:SecureTransport: false", "                aws:SecureTransport: true", "DataBucketPolicy: no TLS-only deny"},
		{"every upload imported", "                  - Name: prefix\n                    Value: imports/", "                  - Name: prefix\n                    Value: exports/", "ImportFunction: its S3 event must be the DataBucket's ObjectCreated under imports/"},
		{"export may read imports", "              Resource: !Sub ${DataBucket.Arn}/exports/*", "              Resource: !Sub ${DataBucket.Arn}/imports/*", "MeExportFunction: s3:getobject on"},
		{"import may write", "              Action: [s3:GetObject, s3:DeleteObject]", "              Action: [s3:GetObject, s3:DeleteObject, s3:PutObject]", "ImportFunction: s3 actions"},
		{"a cycle", "              Resource: !Sub arn:${AWS::Partition}:s3:::macro-ai-${Stage}-data-${AWS::AccountId}-${AWS::Region}/imports/*", "              Resource: !Sub ${DataBucket.Arn}/imports/*", "ImportFunction: its policy names DataBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The edit applies from the data bucket on (the app's bucket, before it, has the same lines).
			at := strings.Index(real, "\n  DataBucket:\n")
			doc := real[:at] + strings.Replace(real[at:], tt.old, tt.new, 1)
			if doc == real {
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
			checkProblems(t, checkDataBucket(tpl, node), tt.want)
		})
	}
}

func checkDataBucket(tpl *template.Template, root *yaml.Node) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	res := get(root, "Resources")
	bucket := get(get(res, "DataBucket"), "Properties")
	if bucket == nil || scalar(get(get(res, "DataBucket"), "Type")) != "AWS::S3::Bucket" {
		return []string{"DataBucket: no AWS::S3::Bucket"}
	}
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if scalar(get(get(bucket, "PublicAccessBlockConfiguration"), k)) != "true" {
			add("DataBucket: %s is not true", k)
		}
	}
	encrypted := false
	for _, r := range content(get(get(bucket, "BucketEncryption"), "ServerSideEncryptionConfiguration")) {
		alg := scalar(get(get(r, "ServerSideEncryptionByDefault"), "SSEAlgorithm"))
		encrypted = encrypted || alg == "AES256" || alg == "aws:kms"
	}
	if !encrypted {
		add("DataBucket: no default encryption")
	}
	expires, aborts := false, false
	for _, r := range content(get(get(bucket, "LifecycleConfiguration"), "Rules")) {
		if scalar(get(r, "Status")) != "Enabled" || scalar(get(r, "Prefix")) != "" || get(r, "Filter") != nil {
			continue // a rule for every object only
		}
		expires = expires || scalar(get(r, "ExpirationInDays")) == "1"
		aborts = aborts || scalar(get(get(r, "AbortIncompleteMultipartUpload"), "DaysAfterInitiation")) == "1"
	}
	if !expires {
		add("DataBucket: objects must expire after 1 day")
	}
	if !aborts {
		add("DataBucket: incomplete multipart uploads must be aborted after 1 day")
	}
	b := tpl.Buckets["DataBucket"]
	if b == nil || len(b.CORS) == 0 {
		add("DataBucket: no CORS rule (the browser PUTs and GETs straight from it)")
	} else {
		for _, rule := range b.CORS {
			if len(rule.AllowedOrigins) != 1 || !isAppOrigin(rule.AllowedOrigins[0]) {
				add("DataBucket: CORS origins must be the app's (AppOrigin, else AppDistribution's domain), never \"*\"")
			}
			for _, m := range rule.AllowedMethods {
				if m != "PUT" && m != "GET" {
					add("DataBucket: CORS allows %s", m)
				}
			}
		}
	}
	policy := get(get(get(res, "DataBucketPolicy"), "Properties"), "PolicyDocument")
	tlsOnly := false
	for _, st := range content(get(policy, "Statement")) {
		if scalar(get(st, "Effect")) == "Deny" && scalar(get(get(get(st, "Condition"), "Bool"), "aws:SecureTransport")) == "false" {
			tlsOnly = true
		}
	}
	if !tlsOnly {
		add("DataBucketPolicy: no TLS-only deny")
	}

	fn, _ := tpl.Function("ImportFunction")
	if fn == nil || len(fn.S3Events) != 1 || fn.S3Events[0].Bucket != "DataBucket" || fn.S3Events[0].Prefix != "imports/" ||
		!slices.Contains(fn.S3Events[0].Events, "s3:ObjectCreated:*") {
		add("ImportFunction: its S3 event must be the DataBucket's ObjectCreated under imports/")
	}
	for _, f := range tpl.Functions {
		if f.LogicalID != "ImportFunction" && len(f.S3Events) > 0 {
			add("%s: an S3 event (only the import function reads uploads)", f.LogicalID)
		}
	}
	fns := functionResources(root)
	for id, want := range bucketPrefixes {
		props := fns[id]
		var actions []string
		for _, st := range allowStatements(props) {
			for _, a := range strs(get(st, "Action")) {
				a = strings.ToLower(a)
				if !strings.HasPrefix(a, "s3:") {
					continue
				}
				actions = append(actions, a)
				for _, r := range refStrings(get(st, "Resource")) {
					if !strings.HasSuffix(r, "/"+want.prefix+"*") {
						add("%s: %s on %s, outside %s", id, a, r, want.prefix)
					}
				}
			}
		}
		sort.Strings(actions)
		if !slices.Equal(actions, want.actions) {
			add("%s: s3 actions %v, want %v", id, actions, want.actions)
		}
	}
	// The import function is the bucket's notification target: its role
	// may not depend on the bucket (bucket → notification → function →
	// role → bucket is a cycle CloudFormation refuses).
	if importFn := fns["ImportFunction"]; importFn != nil {
		var text strings.Builder
		_ = yaml.NewEncoder(&text).Encode(get(importFn, "Policies"))
		if strings.Contains(text.String(), "DataBucket") {
			add("ImportFunction: its policy names DataBucket (a circular dependency): build the ARN from the bucket's name")
		}
	}
	sort.Strings(problems)
	return problems
}

// TestObjectPrefixWildcards: S3 object actions may name a key prefix, and
// nothing wider: the whole bucket, a wildcard inside the key or "*" stay
// refused, and only object actions get the exception.
func TestObjectPrefixWildcards(t *testing.T) {
	cases := []struct {
		action, resource string
		ok               bool
	}{
		{"s3:GetObject", "!Sub ${DataBucket.Arn}/imports/*", true},
		{"s3:PutObject", "!Sub arn:${AWS::Partition}:s3:::macro-ai-${Stage}-data/exports/*", true},
		{"s3:GetObject", "!Sub ${DataBucket.Arn}/*", false},
		{"s3:GetObject", "!Sub ${DataBucket.Arn}/imports/*/x*", false},
		{"s3:GetObject", "'*'", false},
		{"s3:ListBucket", "!Sub ${DataBucket.Arn}/imports/*", false},
	}
	for _, c := range cases {
		t.Run(c.action+" on "+c.resource, func(t *testing.T) {
			doc, err := parseYAML([]byte("Effect: Allow\nAction: " + c.action + "\nResource: " + c.resource + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if problems := checkStatements("F", doc); (len(problems) == 0) != c.ok {
				t.Errorf("problems %v, want allowed %v", problems, c.ok)
			}
		})
	}
}
