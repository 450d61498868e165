package templatecheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/macro-ai/macro-ai/local/template"
)

// API.md is the public contract; it lives in the shared folder beside the
// repository (../shared/API.md), where CI lays it too. MACRO_API_MD names
// another copy.
func apiMDPath() string {
	if p := os.Getenv("MACRO_API_MD"); p != "" {
		return p
	}
	return filepath.Join(root, "..", "shared", "API.md")
}

func loadAPIMD(t *testing.T) *apiDoc {
	t.Helper()
	data, err := os.ReadFile(apiMDPath())
	if err != nil {
		t.Skipf("no API.md to compare with (%v); set MACRO_API_MD", err)
	}
	doc, err := parseAPIMD(string(data))
	if err != nil {
		t.Fatalf("API.md: %v", err)
	}
	return doc
}

// TestAPIMDRoutes: API.md's routes are the template's, and the public ones
// are the publicRoutes table that the auth checks use.
func TestAPIMDRoutes(t *testing.T) {
	doc := loadAPIMD(t)
	tpl, node := loadTemplate(t)
	spec := loadSpec(t)
	for _, p := range checkAPIMDRoutes(doc, tpl) {
		t.Error(p)
	}
	if got := doc.public(); !maps.Equal(got, publicRoutes) {
		t.Errorf("API.md's public routes %v differ from publicRoutes %v", sortedKeys(got), sortedKeys(publicRoutes))
	}
	for _, p := range checkAuth(tpl, node, spec, doc.public()) {
		t.Error(p)
	}
}

// TestOpenAPIMatchesAPIMD: openapi.yaml has API.md's bodies, query
// parameters, success statuses and response fields, field by field, and its
// one error shape and codes.
func TestOpenAPIMatchesAPIMD(t *testing.T) {
	doc := loadAPIMD(t)
	data, err := os.ReadFile(filepath.Join(root, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parseDocNode(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkOpenAPIFields(doc, spec) {
		t.Error(p)
	}
}

// TestAPIMDChecksCatch: each case is a small API.md and openapi.yaml with
// one disagreement that a check must report.
func TestAPIMDChecksCatch(t *testing.T) {
	const md = "# API\n## Errors\n```json\n" +
		`{"error": {"code": "validation_failed", "message": "m", "details": [{"field": "email", "message": "m"}], "requestId": "r"}}` +
		"\n```\n| status | code(s) | when |\n|---|---|---|\n| 400 | `validation_failed` | x |\n| 404 | `not_found` | x |\n" +
		"## Things (all **auth**)\nA thing: `{id, name}`.\n\n| method & path | body / query | success |\n|---|---|---|\n" +
		"| `POST /things` | `{name, tag?}` | 201 thing |\n" +
		"| `GET /things` | `?limit=1..100 (20)&cursor=` | 200 `{items: [thing], nextCursor: string|null}` |\n" +
		"| `POST /things/{id}/tags` | `{tags: string | string[]}` | 204 |\n" +
		"## Health (public)\n`GET /health` → 200 `{status, checks: {database, ...}}`; 503 when down.\n"
	const spec = `
openapi: 3.1.0
paths:
  /things:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewThing'}
      responses:
        '201': {content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
        '404': {$ref: '#/components/responses/NotFound'}
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Thing'}}
                  nextCursor: {type: [string, 'null']}
  /things/{id}/tags:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [tags]
              properties:
                tags: {oneOf: [{type: string}, {type: array}]}
      responses:
        '204': {description: done}
  /health:
    get:
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                properties: {status: {type: string}, checks: {type: object}}
components:
  responses:
    NotFound: {content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
  schemas:
    NewThing:
      type: object
      required: [name]
      properties: {name: {type: string}, tag: {type: string}}
    Thing:
      type: object
      properties: {id: {type: string}, name: {type: string}}
    Error:
      type: object
      properties:
        error:
          type: object
          properties:
            code: {$ref: '#/components/schemas/ErrorCode'}
            message: {type: string}
            details: {type: array, items: {type: object, properties: {field: {type: string}, message: {type: string}}}}
            requestId: {type: string}
    ErrorCode: {type: string, enum: [validation_failed, not_found]}
`
	tests := []struct {
		name     string
		md, spec string
		want     string
	}{
		{name: "agreeing", md: md, spec: spec},
		{name: "body field missing", md: md, spec: strings.Replace(spec, "properties: {name: {type: string}, tag: {type: string}}", "properties: {name: {type: string}}", 1),
			want: "POST /things: request body: API.md has tag, openapi.yaml does not"},
		{name: "optional field required", md: md, spec: strings.Replace(spec, "required: [name]", "required: [name, tag]", 1),
			want: "POST /things: request body: tag is optional in API.md but required"},
		{name: "required field optional", md: md, spec: strings.Replace(spec, "required: [tags]", "required: []", 1),
			want: "POST /things/{id}/tags: request body: tags is required in API.md"},
		{name: "extra response field", md: md, spec: strings.Replace(spec, "properties: {id: {type: string}, name: {type: string}}", "properties: {id: {type: string}, name: {type: string}, color: {type: string}}", 1),
			want: "POST /things: 201 body: openapi.yaml has color, API.md does not"},
		{name: "list items' fields", md: strings.Replace(md, "A thing: `{id, name}`", "A thing: `{id, name, size}`", 1), spec: spec,
			want: "GET /things: 200 body items[]: API.md has size"},
		{name: "success status", md: strings.Replace(md, "| 201 thing |", "| 200 thing |", 1), spec: spec,
			want: "POST /things: API.md answers 200"},
		{name: "query parameter", md: strings.Replace(md, "&cursor=", "&cursor=&q=", 1), spec: spec,
			want: "GET /things: query: API.md has q"},
		{name: "nested health checks", md: md, spec: strings.Replace(spec, "checks: {type: object}", "check: {type: object}", 1),
			want: "GET /health: 200 body: API.md has checks"},
		{name: "route missing", md: md + "| `DELETE /things/{id}` | – | 204 |\n", spec: spec,
			want: "DELETE /things/{id}: in API.md, not in openapi.yaml"},
		{name: "error code missing", md: strings.Replace(md, "| 404 | `not_found` | x |", "| 404 | `not_found`, `gone` | x |", 1), spec: spec,
			want: "ErrorCode: API.md has gone"},
		{name: "error shape", md: strings.Replace(md, `"requestId": "r"`, `"requestId": "r", "hint": "h"`, 1), spec: spec,
			want: "Error: error: API.md has hint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parseAPIMD(tt.md)
			if err != nil {
				t.Fatal(err)
			}
			node, err := parseDocNode([]byte(tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			problems := checkOpenAPIFields(doc, node)
			checkProblems(t, problems, tt.want)
		})
	}

	// The routes and their auth against a template.
	doc, err := parseAPIMD(md)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := doc.public(), map[string]bool{"GET /health": true}; !maps.Equal(got, want) {
		t.Errorf("public routes %v, want %v", got, want)
	}
	tpl, err := template.Parse([]byte("Resources:\n  ThingsFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n" +
		"        A: {Type: HttpApi, Properties: {Path: /things, Method: POST}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	problems := checkAPIMDRoutes(doc, tpl)
	for _, want := range []string{"GET /things: in API.md, not in template.yaml", "GET /health: in API.md, not in template.yaml"} {
		if !slices.Contains(problems, want) {
			t.Errorf("no problem %q; got %v", want, problems)
		}
	}
}

// apiDoc is what the checks read from API.md.
type apiDoc struct {
	Routes     []*apiRoute
	Shapes     map[string][]field // "conversation" → its fields
	ErrorCodes []string
	ErrorShape map[string]any // the example error body
}

type apiRoute struct {
	Key     string // "POST /auth/sign-up"
	Public  bool
	Body    []field // nil: no body
	Query   []string
	Status  int     // the success status; 0 when API.md does not give it
	Success []field // the success body's fields; nil when none or not given
}

// field is one key of a `{a, b?, c: [x]}` shape.
type field struct {
	Name     string
	Optional bool
	Value    string // what follows "name:", "" for none
}

func (d *apiDoc) public() map[string]bool {
	out := map[string]bool{}
	for _, r := range d.Routes {
		if r.Public {
			out[r.Key] = true
		}
	}
	return out
}

var (
	routeRe    = regexp.MustCompile("`(GET|POST|PUT|PATCH|DELETE) (/[^`\\s]*)`")
	shapeRe    = regexp.MustCompile("A (\\w+): `(\\{[^`]*\\})`")
	statusRe   = regexp.MustCompile("^(\\d{3})\\b\\s*(.*)$")
	codeRowRe  = regexp.MustCompile("^\\|\\s*(\\d{3})\\s*\\|([^|]*)\\|")
	codeRe     = regexp.MustCompile("`([a-z_]+)`")
	queryRe    = regexp.MustCompile("[?&]([A-Za-z]+)=")
	bodyRe     = regexp.MustCompile("`(\\{[^`]*\\})`")
	withBodyRe = regexp.MustCompile("with `(\\{[^`]*\\})`")
	arrowRe    = regexp.MustCompile("→ (\\d{3}) `(\\{[^`]*\\})`")
)

// parseAPIMD reads API.md: each section's routes (public when the heading
// says "(public" unless the row says **auth**; auth when the heading says
// **auth**), their bodies, query parameters and success answers, the shapes
// ("A conversation: `{…}`"), the error codes of the status table and the
// example error body.
func parseAPIMD(md string) (*apiDoc, error) {
	doc := &apiDoc{Shapes: map[string][]field{}}
	sectionPublic := false
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(line, "```json") && doc.ErrorShape == nil:
			var block []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				block = append(block, lines[i])
			}
			if err := json.Unmarshal([]byte(strings.Join(block, "\n")), &doc.ErrorShape); err != nil {
				return nil, fmt.Errorf("the example error body: %w", err)
			}
			continue
		case strings.HasPrefix(line, "#"):
			sectionPublic = strings.Contains(line, "(public")
			continue
		}
		for _, m := range shapeRe.FindAllStringSubmatch(line, -1) {
			doc.Shapes[m[1]] = parseFields(m[2])
		}
		if m := codeRowRe.FindStringSubmatch(line); m != nil {
			for _, c := range codeRe.FindAllStringSubmatch(m[2], -1) {
				doc.ErrorCodes = append(doc.ErrorCodes, c[1])
			}
			continue
		}
		if strings.HasPrefix(line, "|") {
			cells := splitRow(line)
			if len(cells) < 3 {
				continue
			}
			m := routeRe.FindStringSubmatch(cells[0])
			if m == nil {
				continue
			}
			r := &apiRoute{Key: m[1] + " " + m[2], Public: sectionPublic && !strings.Contains(cells[0], "**auth**")}
			if b := bodyRe.FindStringSubmatch(cells[1]); b != nil {
				r.Body = parseFields(b[1])
			}
			for _, q := range queryRe.FindAllStringSubmatch(cells[1], -1) {
				r.Query = append(r.Query, q[1])
			}
			if s := statusRe.FindStringSubmatch(cells[2]); s != nil {
				r.Status, _ = strconv.Atoi(s[1])
				rest := strings.TrimSpace(s[2])
				if b := bodyRe.FindStringSubmatch(rest); b != nil && strings.HasPrefix(rest, "`") {
					r.Success = parseFields(b[1])
				} else if word := strings.Fields(rest); len(word) > 0 {
					r.Success = doc.Shapes[strings.Trim(word[0], ",.;")]
				}
			}
			doc.Routes = append(doc.Routes, r)
			continue
		}
		// A route in running text: "`POST /x` with `{…}`", "`GET /health` → 200 `{…}`".
		if m := routeRe.FindStringSubmatchIndex(line); m != nil && m[0] == 0 {
			r := &apiRoute{Key: line[m[2]:m[3]] + " " + line[m[4]:m[5]], Public: sectionPublic && !strings.Contains(line, "**auth**")}
			if b := withBodyRe.FindStringSubmatch(line); b != nil {
				r.Body = parseFields(b[1])
			}
			if a := arrowRe.FindStringSubmatch(line); a != nil {
				r.Status, _ = strconv.Atoi(a[1])
				r.Success = parseFields(a[2])
			}
			doc.Routes = append(doc.Routes, r)
		}
	}
	if len(doc.Routes) == 0 {
		return nil, fmt.Errorf("no routes found")
	}
	return doc, nil
}

// splitRow splits a Markdown table row on the | outside backticks.
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	code := false
	for _, c := range line {
		switch {
		case c == '`':
			code = !code
		case c == '|' && !code:
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteRune(c)
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// parseFields reads the top-level keys of "{a, b?, c: [x], d: {e, f}}";
// "..." and "…" entries are skipped.
func parseFields(s string) []field {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '{', '[', '(':
			depth++
		case '}', ']', ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	parts = append(parts, s[start:])
	var out []field
	for _, p := range parts {
		name, value, _ := strings.Cut(strings.TrimSpace(p), ":")
		name = strings.TrimSpace(name)
		if name == "" || name == "..." || name == "…" {
			continue
		}
		f := field{Name: name, Value: strings.TrimSpace(value)}
		if n, ok := strings.CutSuffix(name, "?"); ok {
			f.Name, f.Optional = n, true
		}
		out = append(out, f)
	}
	return out
}

func fieldNames(fs []field) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

func checkAPIMDRoutes(doc *apiDoc, tpl *template.Template) []string {
	var problems []string
	inTemplate := map[string]bool{}
	for _, f := range tpl.Functions {
		for _, r := range f.Routes {
			inTemplate[r.Key()] = true
		}
	}
	inDoc := map[string]bool{}
	for _, r := range doc.Routes {
		inDoc[r.Key] = true
		if !inTemplate[r.Key] {
			problems = append(problems, r.Key+": in API.md, not in template.yaml")
		}
	}
	for _, k := range sortedKeys(inTemplate) {
		if !inDoc[k] {
			problems = append(problems, k+": in template.yaml, not in API.md")
		}
	}
	return problems
}

// parseDocNode parses a YAML document into its root mapping.
func parseDocNode(data []byte) (*yaml.Node, error) { return parseYAML(data) }

// deref follows local $refs ("#/components/…").
func deref(root, n *yaml.Node) *yaml.Node {
	for range 8 {
		ref := scalar(get(n, "$ref"))
		if !strings.HasPrefix(ref, "#/") {
			return n
		}
		target := root
		for _, part := range strings.Split(ref[2:], "/") {
			target = get(target, part)
		}
		if target == nil {
			return n
		}
		n = target
	}
	return n
}

// props returns a schema's property names and required list.
func props(root, schema *yaml.Node) (names, required []string) {
	schema = deref(root, schema)
	for k := range pairs(get(schema, "properties")) {
		names = append(names, k)
	}
	return names, strs(get(schema, "required"))
}

// compareFields reports fields of want (API.md) that the schema lacks and
// properties it has that want lacks, then follows one level of lists
// ("items: [conversation]", "data: [{index, embedding}]").
func compareFields(doc *apiDoc, root, schema *yaml.Node, want []field, where string, checkRequired bool) []string {
	var problems []string
	names, required := props(root, schema)
	missing, extra := compareSets(fieldNames(want), names)
	for _, m := range missing {
		problems = append(problems, fmt.Sprintf("%s: API.md has %s, openapi.yaml does not", where, m))
	}
	for _, e := range extra {
		problems = append(problems, fmt.Sprintf("%s: openapi.yaml has %s, API.md does not", where, e))
	}
	for _, f := range want {
		if !checkRequired || !slices.Contains(names, f.Name) {
			continue
		}
		switch req := slices.Contains(required, f.Name); {
		case f.Optional && req:
			problems = append(problems, fmt.Sprintf("%s: %s is optional in API.md but required in openapi.yaml", where, f.Name))
		case !f.Optional && !req:
			problems = append(problems, fmt.Sprintf("%s: %s is required in API.md but optional in openapi.yaml", where, f.Name))
		}
	}
	for _, f := range want {
		if !strings.HasPrefix(f.Value, "[") {
			continue
		}
		inner := f.Value[1:strings.LastIndex(f.Value, "]")]
		var item []field
		switch {
		case strings.HasPrefix(inner, "{"):
			item = parseFields(inner)
		case doc.Shapes[inner] != nil:
			item = doc.Shapes[inner]
		default:
			continue // number[], string[]: no fields
		}
		prop := get(get(deref(root, schema), "properties"), f.Name)
		problems = append(problems, compareFields(doc, root, get(deref(root, prop), "items"), item, where+" "+f.Name+"[]", false)...)
	}
	return problems
}

func checkOpenAPIFields(doc *apiDoc, spec *yaml.Node) []string {
	var problems []string
	paths := get(spec, "paths")
	for _, r := range doc.Routes {
		method, path, _ := strings.Cut(r.Key, " ")
		item := get(paths, path)
		op := get(item, strings.ToLower(method))
		if op == nil {
			problems = append(problems, r.Key+": in API.md, not in openapi.yaml")
			continue
		}
		body := get(get(get(deref(spec, get(op, "requestBody")), "content"), "application/json"), "schema")
		switch {
		case r.Body != nil && body == nil:
			problems = append(problems, r.Key+": API.md has a JSON body, openapi.yaml none")
		case r.Body == nil && body != nil:
			problems = append(problems, r.Key+": openapi.yaml has a JSON body, API.md none")
		case r.Body != nil:
			problems = append(problems, compareFields(doc, spec, body, r.Body, r.Key+": request body", true)...)
		}
		var query []string
		for _, list := range []*yaml.Node{get(item, "parameters"), get(op, "parameters")} {
			for _, p := range content(list) {
				p = deref(spec, p)
				if scalar(get(p, "in")) == "query" {
					query = append(query, scalar(get(p, "name")))
				}
			}
		}
		missing, extra := compareSets(r.Query, query)
		for _, m := range missing {
			problems = append(problems, fmt.Sprintf("%s: query: API.md has %s, openapi.yaml does not", r.Key, m))
		}
		for _, e := range extra {
			problems = append(problems, fmt.Sprintf("%s: query: openapi.yaml has %s, API.md does not", r.Key, e))
		}
		if r.Status == 0 {
			continue
		}
		var ok2xx []string
		for status := range pairs(get(op, "responses")) {
			if strings.HasPrefix(status, "2") {
				ok2xx = append(ok2xx, status)
			}
		}
		if !slices.Equal(ok2xx, []string{strconv.Itoa(r.Status)}) {
			problems = append(problems, fmt.Sprintf("%s: API.md answers %d, openapi.yaml's success statuses are %v", r.Key, r.Status, ok2xx))
			continue
		}
		resp := deref(spec, get(get(op, "responses"), strconv.Itoa(r.Status)))
		schema := get(get(get(resp, "content"), "application/json"), "schema")
		if r.Success != nil {
			problems = append(problems, compareFields(doc, spec, schema, r.Success, fmt.Sprintf("%s: %d body", r.Key, r.Status), false)...)
		} else if r.Status == 204 && get(resp, "content") != nil {
			problems = append(problems, r.Key+": 204 with a body in openapi.yaml")
		}
	}

	schemas := get(get(spec, "components"), "schemas")
	missing, extra := compareSets(doc.ErrorCodes, strs(get(get(schemas, "ErrorCode"), "enum")))
	for _, m := range missing {
		problems = append(problems, "ErrorCode: API.md has "+m+", openapi.yaml does not")
	}
	for _, e := range extra {
		problems = append(problems, "ErrorCode: openapi.yaml has "+e+", API.md does not")
	}
	if errObj, ok := doc.ErrorShape["error"].(map[string]any); ok {
		want := slices.Sorted(maps.Keys(errObj))
		var fs []field
		for _, k := range want {
			f := field{Name: k, Optional: true}
			if d, ok := errObj[k].([]any); ok && len(d) > 0 {
				if m, ok := d[0].(map[string]any); ok {
					f.Value = "[{" + strings.Join(slices.Sorted(maps.Keys(m)), ", ") + "}]"
				}
			}
			fs = append(fs, f)
		}
		errProp := get(get(deref(spec, get(schemas, "Error")), "properties"), "error")
		problems = append(problems, compareFields(doc, spec, errProp, fs, "Error: error", false)...)
	} else {
		problems = append(problems, "API.md: no example error body {\"error\": {…}}")
	}
	sort.Strings(problems)
	return problems
}

// TestOpenAPIRefs: every local $ref of openapi.yaml resolves and every
// operation has its own operationId.
func TestOpenAPIRefs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parseDocNode(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkRefs(spec) {
		t.Error(p)
	}
	bad, err := parseDocNode([]byte("paths:\n  /a:\n    get: {operationId: x, responses: {'200': {$ref: '#/components/responses/Gone'}}}\n" +
		"  /b:\n    get: {operationId: x}\ncomponents: {responses: {}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(checkRefs(bad), "\n")
	for _, want := range []string{"#/components/responses/Gone", `operationId "x"`} {
		if !strings.Contains(got, want) {
			t.Errorf("checkRefs missed %q; got:\n%s", want, got)
		}
	}
}

func checkRefs(spec *yaml.Node) []string {
	var problems []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			if ref := scalar(get(n, "$ref")); strings.HasPrefix(ref, "#/") {
				target := spec
				for _, part := range strings.Split(ref[2:], "/") {
					target = get(target, strings.NewReplacer("~1", "/", "~0", "~").Replace(part))
				}
				if target == nil {
					problems = append(problems, fmt.Sprintf("line %d: $ref %s resolves to nothing", n.Line, ref))
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(spec)
	seen := map[string]string{}
	for path, item := range pairs(get(spec, "paths")) {
		for method, op := range pairs(item) {
			if !slices.Contains(methods, method) {
				continue
			}
			id := scalar(get(op, "operationId"))
			key := strings.ToUpper(method) + " " + path
			if other, dup := seen[id]; dup || id == "" {
				problems = append(problems, fmt.Sprintf("%s: operationId %q (also %s)", key, id, other))
			}
			seen[id] = key
		}
	}
	return problems
}
