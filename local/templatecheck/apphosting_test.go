package templatecheck

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/macro-ai/macro-ai/local/template"
)

// The web app's hosting (docs/deploying.md#the-web-app): a private bucket
// read by one CloudFront distribution through origin access control, the
// single-page app's routes rewritten by a viewer-request function (no custom
// error responses, which would answer every 403/404 with the app), the
// security headers and CSP of a response headers policy, and CORS of the
// HTTP API, the Function URL and the data bucket naming the app's origin
// only — AppOrigin, else the distribution's domain — never "*".

// TestAppHosting: the template hosts the web app as above.
func TestAppHosting(t *testing.T) {
	tpl, node := loadTemplate(t)
	checkProblems(t, checkAppHosting(tpl, node), "")
}

// TestAppHostingChecksCatch proves each rule on a doctored template.
func TestAppHostingChecksCatch(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	real := string(data)
	const appIf = `[!If [HasAppOrigin, !Ref AppOrigin, !Sub "https://${AppDistribution.DomainName}"]]`
	tests := []struct{ name, old, new, want string }{
		{"OAI instead of OAC", "            OriginAccessControlId: !GetAtt AppOriginAccessControl.Id\n", "", "no origin access control"},
		{"legacy OAI", `              OriginAccessIdentity: "" #`, `              OriginAccessIdentity: origin-access-identity/cloudfront/E1 #`, "legacy origin access identity"},
		{"OAC signs nothing", "        SigningBehavior: always", "        SigningBehavior: never", "SigningBehavior never"},
		{"bucket made public", "  AppBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      PublicAccessBlockConfiguration:\n        BlockPublicAcls: true\n        BlockPublicPolicy: true",
			"  AppBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      PublicAccessBlockConfiguration:\n        BlockPublicAcls: true\n        BlockPublicPolicy: false", "AppBucket: BlockPublicPolicy is not true"},
		{"a website bucket", "  AppBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n", "  AppBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      WebsiteConfiguration:\n        IndexDocument: index.html\n", "AppBucket: a website endpoint"},
		{"any distribution may read", "            Condition:\n              StringEquals:\n                AWS:SourceArn: !Sub arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${AppDistribution}\n", "",
			"AppBucketPolicy: statement ReadByTheDistributionOnly is not scoped to AppDistribution"},
		{"anyone may read", "            Principal:\n              Service: cloudfront.amazonaws.com\n", "            Principal: \"*\"\n", "AppBucketPolicy: statement ReadByTheDistributionOnly allows a principal other than CloudFront"},
		{"no bucket policy", "      Bucket: !Ref AppBucket\n", "      Bucket: !Ref DataBucket\n", "AppBucket: no bucket policy"},
		{"plain HTTP to the distribution", "          ViewerProtocolPolicy: redirect-to-https", "          ViewerProtocolPolicy: allow-all", "ViewerProtocolPolicy allow-all"},
		{"custom error responses", "        DefaultRootObject: index.html\n", "        DefaultRootObject: index.html\n        CustomErrorResponses:\n          - ErrorCode: 404\n            ResponseCode: 200\n            ResponsePagePath: /index.html\n", "CustomErrorResponses"},
		{"no SPA routing", "          FunctionAssociations:\n            - EventType: viewer-request\n", "          FunctionAssociations:\n            - EventType: viewer-response\n", "no viewer-request function"},
		{"no headers policy", "          ResponseHeadersPolicyId: !Ref AppHeadersPolicy\n", "", "no ResponseHeadersPolicyId"},
		{"inline scripts", "              script-src 'self';", "              script-src 'self' 'unsafe-inline';", "script-src allows 'unsafe-inline'"},
		{"eval", "              script-src 'self';", "              script-src 'self' 'unsafe-eval';", "script-src allows 'unsafe-eval'"},
		{"may be framed", "              frame-ancestors 'none'", "              frame-ancestors *", "frame-ancestors"},
		{"plugins", "              object-src 'none';", "              object-src 'self';", "object-src"},
		{"base-uri open", "              base-uri 'self';", "", "base-uri"},
		{"connect anywhere", "              connect-src 'self' https://*.execute-api", "              connect-src 'self' https: https://*.execute-api", `connect-src allows "https:"`},
		{"no upload to the data bucket", " https://macro-ai-${Stage}-data-${AWS::AccountId}-${AWS::Region}.s3.${AWS::Region}.amazonaws.com;", ";", "connect-src lacks the data bucket"},
		{"the CSP names the API: a cycle", "https://*.execute-api.${AWS::Region}", "https://${HttpApi}.execute-api.${AWS::Region}", "names ${HttpApi}"},
		{"no HSTS", "          StrictTransportSecurity:\n            Override: true\n            AccessControlMaxAgeSec: 63072000", "          StrictTransportSecurity:\n            Override: true\n            AccessControlMaxAgeSec: 300", "Strict-Transport-Security max-age"},
		{"frames allowed", "            FrameOption: DENY", "            FrameOption: SAMEORIGIN", "X-Frame-Options SAMEORIGIN"},
		{"no nosniff", "          ContentTypeOptions:\n            Override: true\n", "", "X-Content-Type-Options"},
		{"the API allows any origin", "        AllowOrigins: " + appIf + "\n        AllowMethods: [GET, POST, PUT, PATCH, DELETE]", "        AllowOrigins: ['*']\n        AllowMethods: [GET, POST, PUT, PATCH, DELETE]", "HttpApi: CORS AllowOrigins"},
		{"the stream allows any origin", "          AllowOrigins: " + appIf + "\n          AllowMethods: [POST]", "          AllowOrigins: ['*']\n          AllowMethods: [POST]", "ChatStreamFunction: CORS AllowOrigins"},
		{"the stream allows AppOrigin alone", "          AllowOrigins: " + appIf + "\n          AllowMethods: [POST]", "          AllowOrigins: [!Ref AppOrigin]\n          AllowMethods: [POST]", "ChatStreamFunction: CORS AllowOrigins"},
		{"AppOrigin may be *", `    AllowedPattern: ^$|^https?://[a-z0-9.-]+(:[0-9]+)?$`, `    AllowedPattern: ^(\*|https?://[a-z0-9.-]+(:[0-9]+)?)$`, `AppOrigin: AllowedPattern accepts "*"`},
		{"no app URL output", "  AppUrl:\n", "  AppLink:\n", "Outputs: no AppUrl"},
		{"old TLS on the app's domain", "            MinimumProtocolVersion: TLSv1.2_2021", "            MinimumProtocolVersion: TLSv1_2016", "ViewerCertificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(real, tt.old, tt.new, 1)
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
			checkProblems(t, checkAppHosting(tpl, node), tt.want)
		})
	}
}

// isAppOrigin reports the one origin CORS may allow: !If [HasAppOrigin,
// !Ref AppOrigin, !Sub "https://${AppDistribution.DomainName}"] (the !Sub's
// text is checked on the YAML by checkAppHosting).
func isAppOrigin(v template.Value) bool {
	return v.Intrinsic == "!If" && v.Ref == "HasAppOrigin" && len(v.Args) == 2 &&
		v.Args[0].Intrinsic == "!Ref" && v.Args[0].Ref == "AppOrigin" && v.Args[1].Intrinsic == "!Sub"
}

// appOrigins checks a CORS origin list: exactly the app's origin.
func appOrigins(where string, list *yaml.Node, distribution string) []string {
	want := []string{"HasAppOrigin", "!Ref AppOrigin", "https://${" + distribution + ".DomainName}"}
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) != 1 || list.Content[0].Tag != "!If" ||
		!slices.Equal(refStrings(list.Content[0]), want) {
		return []string{fmt.Sprintf(`%s: CORS AllowOrigins %v, want [!If [HasAppOrigin, !Ref AppOrigin, !Sub "https://${%s.DomainName}"]]: the app's origin, never "*"`,
			where, refStrings(list), distribution)}
	}
	return nil
}

// cspDirectives splits a CSP into its directives' sources.
func cspDirectives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 {
			out[strings.ToLower(f[0])] = f[1:]
		}
	}
	return out
}

var subRefs = regexp.MustCompile(`\$\{([^}]*)\}`)

func checkAppHosting(tpl *template.Template, root *yaml.Node) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	res := get(root, "Resources")
	ofType := func(typ string) []string {
		var ids []string
		for id, r := range pairs(res) {
			if scalar(get(r, "Type")) == typ {
				ids = append(ids, id)
			}
		}
		return ids
	}
	props := func(id string) *yaml.Node { return get(get(res, id), "Properties") }

	// AppOrigin: empty (the distribution's domain) or one origin, never "*".
	p := get(get(root, "Parameters"), "AppOrigin")
	if scalar(get(p, "Default")) != "" {
		add("AppOrigin: Default %q, want empty (the distribution's own domain)", scalar(get(p, "Default")))
	}
	if re, err := regexp.Compile(scalar(get(p, "AllowedPattern"))); err != nil || scalar(get(p, "AllowedPattern")) == "" {
		add("AppOrigin: no AllowedPattern that compiles (%v)", err)
	} else {
		if re.MatchString("*") {
			add(`AppOrigin: AllowedPattern accepts "*"`)
		}
		for _, ok := range []string{"", "https://chat.example.com"} {
			if !re.MatchString(ok) {
				add("AppOrigin: AllowedPattern refuses %q", ok)
			}
		}
	}
	if !slices.Contains(refStrings(get(get(root, "Conditions"), "HasAppOrigin")), "!Ref AppOrigin") {
		add("Conditions: no HasAppOrigin on AppOrigin")
	}

	dists := ofType("AWS::CloudFront::Distribution")
	if len(dists) != 1 {
		add("want one AWS::CloudFront::Distribution (the web app's), have %v", dists)
		return problems
	}
	dist := dists[0]
	cfg := get(props(dist), "DistributionConfig")

	// CORS of everything the app calls: the app's origin only.
	for _, api := range ofType("AWS::Serverless::HttpApi") {
		problems = append(problems, appOrigins(api, get(get(props(api), "CorsConfiguration"), "AllowOrigins"), dist)...)
	}
	for id, fn := range functionResources(root) {
		if url := get(fn, "FunctionUrlConfig"); url != nil {
			problems = append(problems, appOrigins(id, get(get(url, "Cors"), "AllowOrigins"), dist)...)
		}
	}
	for _, b := range ofType("AWS::S3::Bucket") {
		for _, rule := range content(get(get(props(b), "CorsConfiguration"), "CorsRules")) {
			problems = append(problems, appOrigins(b, get(rule, "AllowedOrigins"), dist)...)
		}
	}

	// The distribution: HTTPS, the app's root, its origins through OAC.
	if got := scalar(get(cfg, "DefaultRootObject")); got != "index.html" {
		add("%s: DefaultRootObject %q, want index.html", dist, got)
	}
	if get(cfg, "CustomErrorResponses") != nil {
		add("%s: CustomErrorResponses answer every 403/404 of the bucket with the app (a missing asset or a wrong path would be 200 HTML): route with the viewer-request function", dist)
	}
	// A domain of its own: AppOrigin's host, with its certificate, TLS 1.2 at least.
	if !slices.Contains(refStrings(get(cfg, "Aliases")), "!Ref AppOrigin") {
		add("%s: Aliases do not follow AppOrigin (with AppCertificateArn, the distribution must answer on its host)", dist)
	}
	vc := get(cfg, "ViewerCertificate")
	if !slices.Contains(refStrings(vc), "!Ref AppCertificateArn") || !slices.Contains(refStrings(vc), "sni-only") ||
		!slices.ContainsFunc(refStrings(vc), func(s string) bool { return strings.HasPrefix(s, "TLSv1.2_") || strings.HasPrefix(s, "TLSv1.3") }) {
		add("%s: ViewerCertificate: want AppCertificateArn's, sni-only, MinimumProtocolVersion TLSv1.2_2021 or newer", dist)
	}
	buckets := map[string]bool{}
	origins := content(get(cfg, "Origins"))
	if len(origins) == 0 {
		add("%s: no Origins", dist)
	}
	for _, o := range origins {
		id := scalar(get(o, "Id"))
		dom := refStrings(get(o, "DomainName"))
		if len(dom) != 1 || !strings.HasPrefix(dom[0], "!GetAtt ") || !strings.HasSuffix(dom[0], ".RegionalDomainName") {
			add("%s: origin %s: DomainName %v, want !GetAtt <bucket>.RegionalDomainName (the REST endpoint, not a website's)", dist, id, dom)
			continue
		}
		bucket := strings.TrimSuffix(strings.TrimPrefix(dom[0], "!GetAtt "), ".RegionalDomainName")
		buckets[bucket] = true
		oac := refStrings(get(o, "OriginAccessControlId"))
		if len(oac) != 1 || !strings.HasPrefix(oac[0], "!GetAtt ") || !strings.HasSuffix(oac[0], ".Id") {
			add("%s: origin %s has no origin access control (OriginAccessControlId: !GetAtt <OAC>.Id)", dist, id)
		} else {
			oacID := strings.TrimSuffix(strings.TrimPrefix(oac[0], "!GetAtt "), ".Id")
			c := get(props(oacID), "OriginAccessControlConfig")
			if scalar(get(get(res, oacID), "Type")) != "AWS::CloudFront::OriginAccessControl" {
				add("%s: origin %s: %s is no AWS::CloudFront::OriginAccessControl", dist, id, oacID)
			}
			for key, want := range map[string]string{"OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"} {
				if got := scalar(get(c, key)); got != want {
					add("%s: %s %s, want %s", oacID, key, got, want)
				}
			}
		}
		if oai := get(get(o, "S3OriginConfig"), "OriginAccessIdentity"); oai == nil || scalar(oai) != "" {
			add(`%s: origin %s: S3OriginConfig.OriginAccessIdentity must be "" (OAC; not the legacy origin access identity)`, dist, id)
		}
	}

	behaviors := append([]*yaml.Node{get(cfg, "DefaultCacheBehavior")}, content(get(cfg, "CacheBehaviors"))...)
	headersPolicy, routing := "", ""
	for i, b := range behaviors {
		where := fmt.Sprintf("%s: cache behavior %d", dist, i)
		if got := scalar(get(b, "ViewerProtocolPolicy")); got != "redirect-to-https" && got != "https-only" {
			add("%s: ViewerProtocolPolicy %s, want redirect-to-https", where, got)
		}
		for _, m := range strs(get(b, "AllowedMethods")) {
			if m != "GET" && m != "HEAD" && m != "OPTIONS" {
				add("%s: AllowedMethods has %s: the app is static files", where, m)
			}
		}
		ref := refStrings(get(b, "ResponseHeadersPolicyId"))
		if len(ref) != 1 || !strings.HasPrefix(ref[0], "!Ref ") {
			add("%s: no ResponseHeadersPolicyId (the CSP and security headers)", where)
		} else if headersPolicy == "" {
			headersPolicy = strings.TrimPrefix(ref[0], "!Ref ")
		} else if headersPolicy != strings.TrimPrefix(ref[0], "!Ref ") {
			add("%s: another ResponseHeadersPolicy than the default behavior's", where)
		}
		if i == 0 {
			for _, fa := range content(get(b, "FunctionAssociations")) {
				if scalar(get(fa, "EventType")) == "viewer-request" {
					if arn := refStrings(get(fa, "FunctionARN")); len(arn) == 1 && strings.HasSuffix(arn[0], ".FunctionMetadata.FunctionARN") {
						routing = strings.TrimSuffix(strings.TrimPrefix(arn[0], "!GetAtt "), ".FunctionMetadata.FunctionARN")
					}
				}
			}
			if routing == "" {
				add("%s: no viewer-request function (the single-page app's routes)", where)
			}
		}
	}
	if routing != "" {
		fp := props(routing)
		if scalar(get(get(res, routing), "Type")) != "AWS::CloudFront::Function" || scalar(get(fp, "AutoPublish")) != "true" ||
			scalar(get(get(fp, "FunctionConfig"), "Runtime")) != "cloudfront-js-2.0" || scalar(get(fp, "FunctionCode")) == "" {
			add("%s: want an AWS::CloudFront::Function, AutoPublish true, cloudfront-js-2.0, with its FunctionCode", routing)
		}
	}

	// The app's bucket: private, encrypted, read by this distribution only.
	for _, b := range sortedKeys(buckets) {
		bp := props(b)
		pab := get(bp, "PublicAccessBlockConfiguration")
		for _, key := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if scalar(get(pab, key)) != "true" {
				add("%s: %s is not true", b, key)
			}
		}
		if get(bp, "WebsiteConfiguration") != nil {
			add("%s: a website endpoint is public and bypasses CloudFront: the distribution reads the bucket through OAC", b)
		}
		owner := ""
		if rules := content(get(get(bp, "OwnershipControls"), "Rules")); len(rules) > 0 {
			owner = scalar(get(rules[0], "ObjectOwnership"))
		}
		if owner != "BucketOwnerEnforced" {
			add("%s: ObjectOwnership %q, want BucketOwnerEnforced (no ACLs)", b, owner)
		}
		if len(content(get(get(bp, "BucketEncryption"), "ServerSideEncryptionConfiguration"))) == 0 {
			add("%s: no default encryption", b)
		}
		var policy string
		for _, id := range ofType("AWS::S3::BucketPolicy") {
			if slices.Equal(refStrings(get(props(id), "Bucket")), []string{"!Ref " + b}) {
				policy = id
			}
		}
		if policy == "" {
			add("%s: no bucket policy: CloudFront's OAC cannot read it", b)
			continue
		}
		wantArn := "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${" + dist + "}"
		reads, tls := 0, false
		for _, st := range content(get(get(props(policy), "PolicyDocument"), "Statement")) {
			sid := scalar(get(st, "Sid"))
			if scalar(get(st, "Effect")) == "Deny" {
				if scalar(get(get(get(st, "Condition"), "Bool"), "aws:SecureTransport")) == "false" {
					tls = true
				}
				continue
			}
			if !slices.Equal(strs(get(get(st, "Principal"), "Service")), []string{"cloudfront.amazonaws.com"}) {
				add("%s: statement %s allows a principal other than CloudFront", policy, sid)
				continue
			}
			if got := refStrings(get(get(get(st, "Condition"), "StringEquals"), "AWS:SourceArn")); !slices.Equal(got, []string{wantArn}) {
				add("%s: statement %s is not scoped to %s (Condition StringEquals AWS:SourceArn %v, want %s)", policy, sid, dist, got, wantArn)
			}
			for _, a := range strs(get(st, "Action")) {
				if la := strings.ToLower(a); la != "s3:getobject" && la != "s3:listbucket" {
					add("%s: statement %s allows %s: CloudFront only reads", policy, sid, a)
				}
			}
			reads++
		}
		if reads == 0 {
			add("%s: no statement lets %s read %s", policy, dist, b)
		}
		if !tls {
			add("%s: no TLS-only deny", policy)
		}
	}

	// The headers: a strict CSP and the security headers, overriding the origin's.
	hp, ok := tpl.HeadersPolicies[headersPolicy]
	if headersPolicy != "" && !ok {
		add("%s: ResponseHeadersPolicyId names %s, no AWS::CloudFront::ResponseHeadersPolicy", dist, headersPolicy)
	}
	if ok {
		problems = append(problems, checkCSP(headersPolicy, hp.CSP, res)...)
		sec := get(get(props(headersPolicy), "ResponseHeadersPolicyConfig"), "SecurityHeadersConfig")
		for _, key := range []string{"ContentSecurityPolicy", "StrictTransportSecurity", "ContentTypeOptions", "FrameOptions", "ReferrerPolicy"} {
			if scalar(get(get(sec, key), "Override")) != "true" {
				add("%s: %s missing or without Override: true", headersPolicy, key)
			}
		}
		hsts := hp.Headers["Strict-Transport-Security"]
		if age, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(hsts, ";", 2)[0], "max-age=")); age < 31536000 {
			add("%s: Strict-Transport-Security max-age %q, want a year or more", headersPolicy, hsts)
		}
		if hp.Headers["X-Content-Type-Options"] != "nosniff" {
			add("%s: no X-Content-Type-Options: nosniff", headersPolicy)
		}
		if got := hp.Headers["X-Frame-Options"]; got != "DENY" {
			add("%s: X-Frame-Options %s, want DENY", headersPolicy, got)
		}
		if got := hp.Headers["Referrer-Policy"]; got == "" || got == "unsafe-url" || got == "no-referrer-when-downgrade" {
			add("%s: Referrer-Policy %q: the app's paths (conversation ids) would leak", headersPolicy, got)
		}
	}

	// What make deploy reads (local/scripts/deploy-web.sh).
	outputs := get(root, "Outputs")
	for _, name := range []string{"ApiUrl", "StreamUrl", "AppUrl", "AppBucketName", "AppDistributionId", "DataBucketUrl"} {
		if get(outputs, name) == nil {
			add("Outputs: no %s (make deploy reads it)", name)
		}
	}
	slices.Sort(problems)
	return problems
}

// checkCSP: scripts, styles and fonts of the app's origin only; no plugin,
// no framing, no <base>; connections to the API, the stream and the data
// bucket, and nothing that is a cycle (a !Ref to a resource whose CORS
// names the distribution).
func checkCSP(id, csp string, res *yaml.Node) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if csp == "" {
		return []string{id + ": no ContentSecurityPolicy"}
	}
	d := cspDirectives(csp)
	for _, dir := range []string{"default-src", "script-src", "style-src", "connect-src"} {
		if _, ok := d[dir]; !ok {
			add("%s: CSP has no %s", id, dir)
		}
		for _, src := range d[dir] {
			switch {
			case src == "*" || src == "https:" || src == "http:" || src == "data:" && dir != "img-src" || src == "blob:":
				add("%s: %s allows %q", id, dir, src)
			case src == "'unsafe-inline'" || src == "'unsafe-eval'" || src == "'unsafe-hashes'" || src == "'wasm-unsafe-eval'":
				add("%s: %s allows %s", id, dir, src)
			}
		}
	}
	if !slices.Equal(d["script-src"], []string{"'self'"}) {
		add("%s: script-src %v, want 'self' only", id, d["script-src"])
	}
	for dir, want := range map[string]string{"object-src": "'none'", "frame-ancestors": "'none'"} {
		if !slices.Equal(d[dir], []string{want}) {
			add("%s: %s %v, want %s", id, dir, d[dir], want)
		}
	}
	if b := d["base-uri"]; !slices.Equal(b, []string{"'self'"}) && !slices.Equal(b, []string{"'none'"}) {
		add("%s: base-uri %v, want 'self' or 'none'", id, b)
	}
	connect := strings.Join(d["connect-src"], " ")
	for what, re := range map[string]string{
		"the HTTP API":                      `https://[^ ]*\.execute-api\.\$\{AWS::Region\}\.amazonaws\.com`,
		"the chat stream's Function URL":    `https://[^ ]*\.lambda-url\.\$\{AWS::Region\}\.on\.aws`,
		"the data bucket (imports/exports)": `https://macro-ai-\$\{Stage\}-data-\$\{AWS::AccountId\}-\$\{AWS::Region\}\.s3\.\$\{AWS::Region\}\.amazonaws\.com`,
	} {
		if !regexp.MustCompile(`(^| )` + re + `( |$)`).MatchString(connect) {
			add("%s: connect-src lacks %s", id, what)
		}
	}
	for _, m := range subRefs.FindAllStringSubmatch(csp, -1) {
		name := strings.SplitN(m[1], ".", 2)[0]
		if get(res, name) != nil || strings.HasPrefix(name, "HttpApi") || strings.HasPrefix(name, "ChatStream") {
			add("%s: the CSP names ${%s}: the resources the app calls name the distribution in their CORS, so a reference back is a dependency cycle", id, m[1])
		}
	}
	return problems
}

// TestAppRoutingFunction runs the CloudFront Function with node: a
// navigation to an app route gets /index.html, anything else (a file, an
// asset, a script's fetch) goes to the bucket as it is — as
// gateway.StaticApp serves the app locally.
func TestAppRoutingFunction(t *testing.T) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node on PATH")
	}
	_, doc := loadTemplate(t)
	code := scalar(get(get(get(get(doc, "Resources"), "AppRouting"), "Properties"), "FunctionCode"))
	if code == "" {
		t.Fatal("AppRouting has no FunctionCode")
	}
	const html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	cases := []struct {
		URI    string `json:"uri"`
		Accept string `json:"accept"`
		want   string
	}{
		{"/", html, "/index.html"},
		{"/sign-in", html, "/index.html"},
		{"/c/7b0e4c1a-0000-4000-8000-000000000000", html, "/index.html"},
		{"/settings/", html, "/index.html"},
		{"/index.html", html, "/index.html"},
		{"/theme.js", html, "/theme.js"},
		{"/assets/index-abc.js", "*/*", "/assets/index-abc.js"},
		{"/assets/gone", html, "/assets/gone"},                   // an asset path is never the app
		{"/robots.txt", html, "/robots.txt"},                     // a file: S3's 404 if missing
		{"/conversations", "application/json", "/conversations"}, // a script's fetch: a real 404
		{"/sign-in", "", "/sign-in"},                             // no Accept (curl): a real 404
	}
	input, _ := json.Marshal(cases)
	script := code + `
const cases = JSON.parse(process.argv[1]);
const out = cases.map((c) => {
  const headers = c.accept ? { accept: { value: c.accept } } : {};
  return handler({ request: { method: 'GET', uri: c.uri, headers, querystring: {}, cookies: {} } }).uri;
});
console.log(JSON.stringify(out));`
	b, err := exec.Command(nodeBin, "-e", script, string(input)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, b)
	}
	var got []string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s (Accept %q): uri %s, want %s", c.URI, c.Accept, got[i], c.want)
		}
	}
}

// TestDeployWeb: make deploy runs the web app's deploy after sam deploy, and
// the script (dry run, the stack's outputs from a file) builds with the
// stack's URLs, uploads assets immutable and the rest no-cache to the
// stack's bucket in samconfig's region, then invalidates index.html.
func TestDeployWeb(t *testing.T) {
	f := loadDeployFiles(t)
	recipe := f.makefile[strings.Index(f.makefile, "\ndeploy:"):]
	if j := strings.Index(recipe[1:], "\n\n"); j >= 0 {
		recipe = recipe[:j+1]
	}
	if i, j := strings.Index(recipe, "sam deploy"), strings.Index(recipe, "local/scripts/deploy-web.sh"); i < 0 || j < i {
		t.Errorf("Makefile deploy: no local/scripts/deploy-web.sh after sam deploy:\n%s", recipe)
	}

	script := filepath.Join(root, "local", "scripts", "deploy-web.sh")
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	// Every output the script reads is one the template has.
	_, doc := loadTemplate(t)
	for _, m := range regexp.MustCompile(`\$\(output (\w+)\)`).FindAllStringSubmatch(string(src), -1) {
		if get(get(doc, "Outputs"), m[1]) == nil {
			t.Errorf("deploy-web.sh reads the output %s, which template.yaml does not have", m[1])
		}
	}

	outputs := filepath.Join(t.TempDir(), "outputs")
	const (
		api    = "https://abc123.execute-api.eu-west-2.amazonaws.com"
		stream = "https://xyz789.lambda-url.eu-west-2.on.aws/"
		data   = "https://macro-ai-prod-data-123456789012-eu-west-2.s3.eu-west-2.amazonaws.com"
	)
	lines := "ApiUrl\t" + api + "\nStreamUrl\t" + stream + "\nAppUrl\thttps://d1.cloudfront.net\n" +
		"AppBucketName\tmacro-ai-prod-appbucket-x1\nAppDistributionId\tE2EXAMPLE\nDataBucketUrl\t" + data + "\nUserPoolId\teu-west-2_x\n"
	if err := os.WriteFile(outputs, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("bash", script, "--dry-run", "--outputs", outputs, "prod").CombinedOutput()
	if err != nil {
		t.Fatalf("deploy-web.sh --dry-run: %v\n%s", err, out)
	}
	printed := strings.Split(strings.ReplaceAll(string(out), `\`, ""), "\n") // printf %q's escapes off
	find := func(want ...string) int {
		for i, l := range printed {
			if !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(l, w) }) {
				return i
			}
		}
		t.Errorf("deploy-web.sh --dry-run printed no line with all of %q:\n%s", want, out)
		return -1
	}
	build := find("VITE_API_URL="+api, "VITE_STREAM_URL="+stream, "make --no-print-directory web")
	meta := find(`http-equiv="Content-Security-Policy"`, "connect-src 'self' "+api+" https://xyz789.lambda-url.eu-west-2.on.aws "+data+`"`)
	assets := find("aws s3 sync web/dist/assets s3://macro-ai-prod-appbucket-x1/assets", "--region eu-west-2", "--cache-control public, max-age=31536000, immutable")
	rest := find("aws s3 sync web/dist s3://macro-ai-prod-appbucket-x1 ", "--region eu-west-2", "--delete", "--exclude assets/*", "--cache-control no-cache")
	inval := find("aws cloudfront create-invalidation --distribution-id E2EXAMPLE --paths /index.html")
	if !(build < meta && meta < assets && assets < rest && rest < inval) {
		t.Errorf("deploy-web.sh order: build %d, CSP %d, assets %d, the rest %d, invalidation %d; want that order:\n%s", build, meta, assets, rest, inval, out)
	}

	// Without the stack's outputs it stops, naming the one missing.
	if err := os.WriteFile(outputs, []byte("ApiUrl\t"+api+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command("bash", script, "--dry-run", "--outputs", outputs, "prod").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no output StreamUrl") {
		t.Errorf("deploy-web.sh with outputs missing: err %v, output:\n%s", err, out)
	}
	// For real, with aws and make stubbed: the outputs read with the AWS CLI's
	// text output, the build, the <meta> CSP put into index.html once, the
	// uploads and the invalidation.
	stubs, dist := t.TempDir(), t.TempDir()
	log := filepath.Join(stubs, "calls.log")
	if err := os.WriteFile(outputs, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"aws":  "#!/bin/sh\necho \"aws $*\" >> \"$CALLS\"\nif [ \"$1\" = cloudformation ]; then cat \"$OUTPUTS\"; fi\n",
		"make": "#!/bin/sh\necho \"make $* VITE_API_URL=$VITE_API_URL VITE_STREAM_URL=$VITE_STREAM_URL\" >> \"$CALLS\"\n",
	} {
		if err := os.WriteFile(filepath.Join(stubs, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const page = "<!doctype html>\n<head>\n<meta charset=\"UTF-8\" />\n<script src=\"/theme.js\"></script>\n</head>\n"
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 { // twice: the <meta> goes in once
		cmd := exec.Command("bash", script, "prod")
		cmd.Env = append(os.Environ(), "PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"),
			"CALLS="+log, "OUTPUTS="+outputs, "DEPLOY_WEB_DIST="+dist)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("deploy-web.sh prod (aws and make stubbed): %v\n%s", err, out)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dist, "index.html"))
	wantMeta := `<meta charset="UTF-8" /><meta http-equiv="Content-Security-Policy" content="connect-src 'self' ` + api + " https://xyz789.lambda-url.eu-west-2.on.aws " + data + `">`
	if !strings.Contains(string(html), wantMeta) || strings.Count(string(html), "Content-Security-Policy") != 1 {
		t.Errorf("index.html after the deploy:\n%s\nwant once, after <meta charset>: %s", html, wantMeta)
	}
	calls, _ := os.ReadFile(log)
	wantCalls := []string{
		`aws cloudformation describe-stacks --region eu-west-2 --stack-name macro-ai-prod --query Stacks[0].Outputs[].[OutputKey,OutputValue] --output text`,
		"make --no-print-directory web VITE_API_URL=" + api + " VITE_STREAM_URL=" + stream,
		"aws s3 sync " + dist + "/assets s3://macro-ai-prod-appbucket-x1/assets --region eu-west-2 --cache-control public, max-age=31536000, immutable",
		"aws s3 sync " + dist + " s3://macro-ai-prod-appbucket-x1 --region eu-west-2 --delete --exclude assets/* --exclude docs/* --exclude .build-env --cache-control no-cache",
		"aws cloudfront create-invalidation --distribution-id E2EXAMPLE --paths /index.html /",
	}
	if got := strings.Split(strings.TrimSpace(string(calls)), "\n"); !slices.Equal(got[:len(wantCalls)], wantCalls) {
		t.Errorf("deploy-web.sh ran:\n%s\nwant (twice):\n%s", strings.Join(got, "\n"), strings.Join(wantCalls, "\n"))
	}

	// Without --outputs it asks CloudFormation for the stack samconfig names.
	out, err = exec.Command("bash", script, "--dry-run", "dev").CombinedOutput()
	if err != nil || !strings.Contains(strings.ReplaceAll(string(out), `\`, ""), "aws cloudformation describe-stacks --region eu-west-2 --stack-name macro-ai-dev") {
		t.Errorf("deploy-web.sh --dry-run dev: err %v, output:\n%s", err, out)
	}
}

// TestNoDependencyCycle: no resource of the template depends on itself
// through others, which CloudFormation refuses at deploy time ("Circular
// dependency between resources") and no offline tool here reports. Edges are
// !Ref, !GetAtt, !Sub's ${…} and DependsOn; a name SAM generates
// (ChatStreamFunctionUrl, MigrateFunctionRole) stands for the resource it
// comes from; a function's HttpApi and S3 events point the other way, as
// SAM translates them (the API's integrations and the bucket's notification
// name the function). The SAM translator's output of today's template has
// no cycle; with the CSP naming the API it has HttpApi → ImportsCreateFunction
// → its role → DataBucket → AppDistribution → AppHeadersPolicy → HttpApi.
func TestNoDependencyCycle(t *testing.T) {
	_, doc := loadTemplate(t)
	if c := dependencyCycle(doc); c != nil {
		t.Errorf("dependency cycle: %s", strings.Join(c, " → "))
	}
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string][2]string{
		"the CSP names the API":            {"https://*.execute-api.${AWS::Region}", "https://${HttpApi}.execute-api.${AWS::Region}"},
		"the CSP names the Function URL":   {"https://*.lambda-url.${AWS::Region}.on.aws", "${ChatStreamFunctionUrl.FunctionUrl}"},
		"the import policy names a bucket": {"              Resource: !Sub arn:${AWS::Partition}:s3:::macro-ai-${Stage}-data-${AWS::AccountId}-${AWS::Region}/imports/*", "              Resource: !Sub ${DataBucket.Arn}/imports/*"},
	} {
		doctored := strings.Replace(string(data), edit[0], edit[1], 1)
		if doctored == string(data) {
			t.Errorf("%s: the edit changed nothing: the template moved on, update the case", name)
			continue
		}
		node, err := parseYAML([]byte(doctored))
		if err != nil {
			t.Fatal(err)
		}
		if c := dependencyCycle(node); c == nil {
			t.Errorf("%s: no cycle found", name)
		} else {
			t.Logf("%s: %s", name, strings.Join(c, " → "))
		}
	}
}

// dependencyCycle returns one cycle of the template's resources, nil if none.
func dependencyCycle(doc *yaml.Node) []string {
	res := get(doc, "Resources")
	var ids []string
	for id := range pairs(res) {
		ids = append(ids, id)
	}
	// The resource a name stands for: itself, else the longest id it starts with.
	owner := func(name string) string {
		name = strings.SplitN(name, ".", 2)[0]
		best := ""
		for _, id := range ids {
			if strings.HasPrefix(name, id) && len(id) > len(best) {
				best = id
			}
		}
		return best
	}
	var names func(n *yaml.Node, into map[string]bool)
	names = func(n *yaml.Node, into map[string]bool) {
		if n == nil {
			return
		}
		tag, val := n.Tag, n.Value
		if n.Kind == yaml.MappingNode && len(n.Content) == 2 && (n.Content[0].Value == "Ref" || strings.HasPrefix(n.Content[0].Value, "Fn::")) {
			tag, val = "!"+strings.TrimPrefix(n.Content[0].Value, "Fn::"), n.Content[1].Value
		}
		switch {
		case tag == "!Ref" || tag == "!GetAtt" && n.Kind == yaml.ScalarNode:
			into[val] = true
		case tag == "!GetAtt" && n.Kind == yaml.SequenceNode && len(n.Content) > 0:
			into[n.Content[0].Value] = true
		case tag == "!Sub":
			s := val
			if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
				s = n.Content[0].Value
			}
			for _, m := range subRefs.FindAllStringSubmatch(s, -1) {
				into[m[1]] = true
			}
		}
		for _, c := range n.Content {
			names(c, into)
		}
	}
	edges := map[string]map[string]bool{}
	link := func(from string, refs map[string]bool) {
		for name := range refs {
			if to := owner(name); to != "" && to != from {
				if edges[from] == nil {
					edges[from] = map[string]bool{}
				}
				edges[from][to] = true
			}
		}
	}
	for id, r := range pairs(res) {
		refs := map[string]bool{}
		for key, v := range pairs(get(r, "Properties")) {
			if key != "Events" || scalar(get(r, "Type")) != "AWS::Serverless::Function" {
				names(v, refs)
			}
		}
		for _, d := range strs(get(r, "DependsOn")) {
			refs[d] = true
		}
		link(id, refs)
		// An event's other references (a schedule's dead-letter queue) go into
		// a resource SAM generates, which nothing depends on.
		for _, ev := range pairs(get(get(r, "Properties"), "Events")) {
			evRefs := map[string]bool{}
			names(get(get(ev, "Properties"), "ApiId"), evRefs)
			names(get(get(ev, "Properties"), "Bucket"), evRefs)
			for name := range evRefs {
				if src := owner(name); src != "" {
					link(src, map[string]bool{id: true})
				}
			}
		}
	}
	state := map[string]int{}
	var path, cycle []string
	var visit func(string) bool
	visit = func(n string) bool {
		state[n] = 1
		path = append(path, n)
		for _, m := range sortedKeys(edges[n]) {
			if state[m] == 1 {
				i := slices.Index(path, m)
				cycle = append(append([]string{}, path[i:]...), m)
				return true
			}
			if state[m] == 0 && visit(m) {
				return true
			}
		}
		state[n] = 2
		path = path[:len(path)-1]
		return false
	}
	slices.Sort(ids)
	for _, id := range ids {
		if state[id] == 0 && visit(id) {
			return cycle
		}
	}
	return nil
}

// TestReadByDistributionIsNarrow: the bucket-wide "…/*" that checkPolicies
// lets CloudFront read through OAC is refused to anyone else, to any other
// action, and without AWS:SourceArn.
func TestReadByDistributionIsNarrow(t *testing.T) {
	const ok = `Statement:
- Effect: Allow
  Principal:
    Service: cloudfront.amazonaws.com
  Action: [s3:GetObject, s3:ListBucket]
  Resource: !Sub ${AppBucket.Arn}/*
  Condition:
    StringEquals:
      AWS:SourceArn: !Sub arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${AppDistribution}
`
	for name, doc := range map[string]string{
		"as in the template": ok,
		"anyone":             strings.Replace(ok, "    Service: cloudfront.amazonaws.com", "    AWS: \"*\"", 1),
		"writes too":         strings.Replace(ok, "[s3:GetObject, s3:ListBucket]", "[s3:GetObject, s3:PutObject]", 1),
		"any distribution":   strings.Replace(ok, "      AWS:SourceArn:", "      aws:PrincipalAccount:", 1),
	} {
		node, err := parseYAML([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		problems := checkStatements("AppBucketPolicy", get(node, "Statement"))
		if (name == "as in the template") != (len(problems) == 0) {
			t.Errorf("%s: problems %q", name, problems)
		}
	}
}
