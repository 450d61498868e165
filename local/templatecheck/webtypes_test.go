package templatecheck

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// webTypes maps each interface of the web app's typed client
// (web/src/api/types.ts) to the openapi.yaml schema it mirrors.
var webTypes = map[string][]string{
	"FieldError":                {"FieldError"},
	"ErrorBody":                 {"Error"},
	"SignUpRequest":             {"SignUpRequest"},
	"SignUpResponse":            {"SignUpResponse"},
	"ConfirmRequest":            {"ConfirmRequest"},
	"ResendCodeRequest":         {"EmailRequest"},
	"ForgotPasswordRequest":     {"EmailRequest"},
	"SignInRequest":             {"SignInRequest"},
	"SignInResponse":            {"Tokens"},
	"RefreshRequest":            {"RefreshRequest"},
	"RefreshResponse":           {"RefreshedTokens"},
	"ResetPasswordRequest":      {"ResetPasswordRequest"},
	"Me":                        {"User"},
	"Conversation":              {"Conversation"},
	"Message":                   {"Message"},
	"CreateConversationRequest": {"CreateConversationRequest"},
	"UpdateConversationRequest": {"UpdateConversationRequest"},
	"Page":                      {"ConversationPage", "MessagePage"},
	"SendMessageRequest":        {"SendMessageRequest"},
	"StartEvent":                {"StartEvent"},
	"DeltaEvent":                {"DeltaEvent"},
	"DoneEvent":                 {"DoneEvent"},
	"StreamErrorEvent":          {"ErrorEvent"},
	"EmbeddingsRequest":         {"EmbeddingsRequest"},
	"EmbeddingsResponse":        {"EmbeddingsResponse"},
	"SearchHit":                 {"SearchResult"},
	"SearchResponse":            {"SearchResponse"},
	"HealthResponse":            {"Health"},
}

// notInWebTypes are the object schemas the client does not model, and why.
var notInWebTypes = map[string]string{
	"HealthCheck": "the app reads /health's status only; checks is Record<string, unknown>",
}

// tsInterfaces reads the top-level properties of every exported interface:
// name -> property -> optional.
func tsInterfaces(src string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	head := regexp.MustCompile(`export interface (\w+)(?:<[^>]*>)?\s*\{`)
	prop := regexp.MustCompile(`^\s*(\w+)(\??):`)
	for _, m := range head.FindAllStringSubmatchIndex(src, -1) {
		name := src[m[2]:m[3]]
		props := map[string]bool{}
		depth, start := 1, m[1]
		i := start
		for ; i < len(src) && depth > 0; i++ {
			switch src[i] {
			case '{':
				depth++
			case '}':
				depth--
			}
		}
		body := src[start : i-1]
		// Only depth-1 text: drop nested braces' contents.
		var flat strings.Builder
		d := 0
		for _, r := range body {
			switch {
			case r == '{':
				d++
			case r == '}':
				d--
			case d == 0:
				flat.WriteRune(r)
			}
		}
		for _, part := range regexp.MustCompile(`[;\n]`).Split(flat.String(), -1) {
			if strings.HasPrefix(strings.TrimSpace(part), "/") || strings.HasPrefix(strings.TrimSpace(part), "*") {
				continue // a comment line
			}
			if pm := prop.FindStringSubmatch(part); pm != nil {
				props[pm[1]] = pm[2] == "?"
			}
		}
		out[name] = props
	}
	return out
}

// TestWebClientTypesMatchOpenAPI: the web app's hand-written client types
// have exactly the fields of the schemas they mirror, optional exactly where
// the schema does not require them.
func TestWebClientTypesMatchOpenAPI(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(root, "web", "src", "api", "types.ts"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]schema `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	ts := tsInterfaces(string(src))
	if problems := compareWebTypes(ts, doc.Components.Schemas); len(problems) > 0 {
		t.Errorf("web/src/api/types.ts and openapi.yaml disagree:\n  %s", strings.Join(problems, "\n  "))
	}

	// The check fails on a field the schema lacks, a missing one, and a
	// required field made optional.
	for _, edit := range []func(map[string]map[string]bool){
		func(m map[string]map[string]bool) { m["Conversation"]["archived"] = false },
		func(m map[string]map[string]bool) { delete(m["Message"], "status") },
		func(m map[string]map[string]bool) { m["StartEvent"]["conversationId"] = true },
	} {
		doctored := tsInterfaces(string(src))
		edit(doctored)
		if len(compareWebTypes(doctored, doc.Components.Schemas)) == 0 {
			t.Error("a doctored types.ts passed the check")
		}
	}
}

// schema is the part of an openapi.yaml schema the check reads.
type schema struct {
	Properties map[string]any `yaml:"properties"`
	Required   []string       `yaml:"required"`
}

func compareWebTypes(ts map[string]map[string]bool, schemas map[string]schema) []string {
	var problems []string
	covered := map[string]bool{}
	for tsName, schemaNames := range webTypes {
		props, ok := ts[tsName]
		if !ok {
			problems = append(problems, "types.ts has no interface "+tsName)
			continue
		}
		for _, sn := range schemaNames {
			covered[sn] = true
			st, ok := schemas[sn]
			if !ok {
				problems = append(problems, "openapi.yaml has no schema "+sn)
				continue
			}
			for p := range st.Properties {
				opt, ok := props[p]
				switch {
				case !ok:
					problems = append(problems, tsName+" lacks "+sn+"."+p)
				case opt == slices.Contains(st.Required, p):
					problems = append(problems, tsName+"."+p+": optional in one, required in the other")
				}
			}
			for p := range props {
				if _, ok := st.Properties[p]; !ok {
					problems = append(problems, tsName+"."+p+": not in "+sn)
				}
			}
		}
	}
	for sn, st := range schemas {
		if len(st.Properties) > 0 && !covered[sn] && notInWebTypes[sn] == "" {
			problems = append(problems, "openapi.yaml's "+sn+" has no counterpart in types.ts")
		}
	}
	sort.Strings(problems)
	return problems
}
