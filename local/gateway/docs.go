package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	samtemplate "github.com/macro-ai/macro-ai/local/template"
)

// Paths Docs serves.
const (
	DocsPath        = "/docs"
	OpenAPIYAMLPath = "/openapi.yaml"
	OpenAPIJSONPath = "/openapi.json"
)

// Docs serves the OpenAPI document at openapiPath:
//
//   - GET /openapi.yaml: the file as it is (application/yaml);
//   - GET /openapi.json: the same document as JSON, in the file's key order;
//   - GET /docs: an HTML page that renders it (every operation with its
//     security, parameters, request body and responses, then the schemas),
//     built on the server and self-contained: it loads nothing from anywhere.
//
// The file is read on every request, so an edit shows at the next reload.
// Other paths are 404, other methods 405.
func Docs(openapiPath string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case OpenAPIYAMLPath, OpenAPIJSONPath, DocsPath:
		default:
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		data, err := os.ReadFile(openapiPath)
		if err != nil {
			http.Error(w, fmt.Sprintf("docs: %v", err), http.StatusInternalServerError)
			return
		}
		var body []byte
		var contentType string
		switch r.URL.Path {
		case OpenAPIYAMLPath:
			body, contentType = data, "application/yaml"
		case OpenAPIJSONPath:
			body, err = yamlToJSON(data)
			contentType = "application/json"
		case DocsPath:
			body, err = renderDocs(data)
			contentType = "text/html; charset=utf-8"
		}
		if err != nil {
			http.Error(w, fmt.Sprintf("docs: %s: %v", openapiPath, err), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Path == DocsPath {
			// The page has inline CSS and no script at all.
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		}
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

// WithDocs serves Docs(openapiPath) on /docs, /openapi.yaml and
// /openapi.json, and every other request with next.
func WithDocs(next http.Handler, openapiPath string) http.Handler {
	docs := Docs(openapiPath)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case DocsPath, OpenAPIYAMLPath, OpenAPIJSONPath:
			docs.ServeHTTP(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// parseDocument parses one YAML document and returns its root node.
func parseDocument(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("parse: not a YAML mapping")
	}
	return doc.Content[0], nil
}

// yamlToJSON converts a YAML document to indented JSON, keeping the order of
// every mapping's keys (encoding/json would sort them).
func yamlToJSON(data []byte) ([]byte, error) {
	root, err := parseDocument(data)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, root); err != nil {
		return nil, fmt.Errorf("to JSON: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("to JSON: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			buf.Write(k)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, c); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		switch n.ShortTag() {
		case "!!null":
			v = nil
		case "!!bool", "!!int", "!!float":
			if err := n.Decode(&v); err != nil {
				return fmt.Errorf("line %d: %w", n.Line, err)
			}
			if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
				return fmt.Errorf("line %d: %s has no JSON form", n.Line, n.Value)
			}
		default:
			v = n.Value
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		buf.Write(b)
	default:
		return fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	return nil
}

// The page's model.
type (
	docsPage struct {
		Title, Version, Description string
		Operations                  []docsOperation
		Schemas                     []docsSchema
	}
	docsOperation struct {
		ID, Method, Path, Summary, Description string
		Public                                 bool
		Security                               string
		Parameters                             []docsField
		Body                                   *docsBody
		Responses                              []docsResponse
	}
	docsBody struct {
		Required    bool
		Description string
		Content     []docsContent
	}
	docsContent struct {
		Type   string
		Schema []docsField // one row: the schema itself
	}
	docsResponse struct {
		Status, Description string
		Headers             []docsField
		Content             []docsContent
	}
	docsSchema struct {
		Name   string
		Fields []docsField
	}
	// docsField is one row of a schema tree: a property, a parameter, a
	// header, an array's items or an alternative of oneOf.
	docsField struct {
		Name, In    string
		Required    bool
		Type        string
		Ref         string // a components.schemas name, linked
		Constraints string
		Description string
		Children    []docsField
	}
)

var httpMethods = []string{"get", "put", "post", "patch", "delete", "head", "options", "trace"}

// renderDocs renders the docs page of an OpenAPI document.
func renderDocs(data []byte) ([]byte, error) {
	root, err := parseDocument(data)
	if err != nil {
		return nil, err
	}
	d := &docResolver{root: root}
	info := samtemplate.Get(root, "info")
	page := docsPage{
		Title:       scalarOf(samtemplate.Get(info, "title")),
		Version:     scalarOf(samtemplate.Get(info, "version")),
		Description: scalarOf(samtemplate.Get(info, "description")),
	}
	globalSecurity := securityText(samtemplate.Get(root, "security"))
	for path, item := range samtemplate.Pairs(samtemplate.Get(root, "paths")) {
		item = d.deref(item)
		shared := samtemplate.Get(item, "parameters")
		for method, op := range samtemplate.Pairs(item) {
			if !contains(httpMethods, method) {
				continue
			}
			o := docsOperation{
				ID:          scalarOf(samtemplate.Get(op, "operationId")),
				Method:      strings.ToUpper(method),
				Path:        path,
				Summary:     scalarOf(samtemplate.Get(op, "summary")),
				Description: scalarOf(samtemplate.Get(op, "description")),
				Security:    globalSecurity,
			}
			if sec := samtemplate.Get(op, "security"); sec != nil {
				o.Security = securityText(sec)
			}
			o.Public = o.Security == ""
			if o.ID == "" {
				o.ID = strings.ToLower(o.Method) + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(path)
			}
			for _, list := range []*yaml.Node{shared, samtemplate.Get(op, "parameters")} {
				for _, p := range seqOf(list) {
					p = d.deref(p)
					f := d.field(scalarOf(samtemplate.Get(p, "name")), samtemplate.Get(p, "schema"), 0)
					f.In = scalarOf(samtemplate.Get(p, "in"))
					f.Required = scalarOf(samtemplate.Get(p, "required")) == "true"
					if desc := scalarOf(samtemplate.Get(p, "description")); desc != "" {
						f.Description = desc
					}
					o.Parameters = append(o.Parameters, f)
				}
			}
			if rb := d.deref(samtemplate.Get(op, "requestBody")); rb != nil {
				o.Body = &docsBody{
					Required:    scalarOf(samtemplate.Get(rb, "required")) == "true",
					Description: scalarOf(samtemplate.Get(rb, "description")),
					Content:     d.content(samtemplate.Get(rb, "content")),
				}
			}
			for status, resp := range samtemplate.Pairs(samtemplate.Get(op, "responses")) {
				resp = d.deref(resp)
				r := docsResponse{Status: status, Description: scalarOf(samtemplate.Get(resp, "description")),
					Content: d.content(samtemplate.Get(resp, "content"))}
				for name, h := range samtemplate.Pairs(samtemplate.Get(resp, "headers")) {
					h = d.deref(h)
					f := d.field(name, samtemplate.Get(h, "schema"), 0)
					f.Required = scalarOf(samtemplate.Get(h, "required")) == "true"
					if desc := scalarOf(samtemplate.Get(h, "description")); desc != "" {
						f.Description = desc
					}
					r.Headers = append(r.Headers, f)
				}
				o.Responses = append(o.Responses, r)
			}
			page.Operations = append(page.Operations, o)
		}
	}
	for name, s := range samtemplate.Pairs(samtemplate.Get(samtemplate.Get(root, "components"), "schemas")) {
		page.Schemas = append(page.Schemas, docsSchema{Name: name, Fields: []docsField{d.field("", s, 0)}})
	}
	var buf bytes.Buffer
	if err := docsTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("render docs: %w", err)
	}
	return buf.Bytes(), nil
}

// docResolver resolves local $refs ("#/components/…") of one document.
type docResolver struct{ root *yaml.Node }

// deref follows n's $ref within the document (up to a few hops); n itself
// when it has none or the target is missing.
func (d *docResolver) deref(n *yaml.Node) *yaml.Node {
	for range 8 {
		ref := scalarOf(samtemplate.Get(n, "$ref"))
		if !strings.HasPrefix(ref, "#/") {
			return n
		}
		target := d.root
		for _, part := range strings.Split(ref[2:], "/") {
			part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
			target = samtemplate.Get(target, part)
		}
		if target == nil {
			return n
		}
		n = target
	}
	return n
}

func (d *docResolver) content(n *yaml.Node) []docsContent {
	var out []docsContent
	for typ, media := range samtemplate.Pairs(n) {
		c := docsContent{Type: typ}
		if s := samtemplate.Get(media, "schema"); s != nil {
			c.Schema = []docsField{d.field("", s, 0)}
		}
		out = append(out, c)
	}
	return out
}

// field describes schema s as a row named name, with its properties,
// items and alternatives as children. A $ref to a components schema is a
// link, never expanded, so the tree is finite.
func (d *docResolver) field(name string, s *yaml.Node, depth int) docsField {
	f := docsField{Name: name, Description: scalarOf(samtemplate.Get(s, "description"))}
	if ref := scalarOf(samtemplate.Get(s, "$ref")); ref != "" {
		f.Ref = ref[strings.LastIndexByte(ref, '/')+1:]
		return f
	}
	if depth > 12 {
		f.Type = "…"
		return f
	}
	types := strs(samtemplate.Get(s, "type"))
	f.Type = strings.Join(types, " | ")
	if format := scalarOf(samtemplate.Get(s, "format")); format != "" {
		f.Type += " (" + format + ")"
	}
	var cons []string
	if v := samtemplate.Get(s, "const"); v != nil {
		cons = append(cons, "= "+scalarOf(v))
	}
	if e := strs(samtemplate.Get(s, "enum")); len(e) > 0 {
		cons = append(cons, "one of: "+strings.Join(e, ", "))
	}
	cons = appendRange(cons, s, "minLength", "maxLength", " characters")
	cons = appendRange(cons, s, "minimum", "maximum", "")
	cons = appendRange(cons, s, "minItems", "maxItems", " items")
	if p := scalarOf(samtemplate.Get(s, "pattern")); p != "" {
		cons = append(cons, "pattern "+p)
	}
	if v := samtemplate.Get(s, "default"); v != nil {
		cons = append(cons, "default "+scalarOf(v))
	}
	f.Constraints = strings.Join(cons, "; ")

	required := map[string]bool{}
	for _, r := range strs(samtemplate.Get(s, "required")) {
		required[r] = true
	}
	for pname, p := range samtemplate.Pairs(samtemplate.Get(s, "properties")) {
		c := d.field(pname, p, depth+1)
		c.Required = required[pname]
		f.Children = append(f.Children, c)
	}
	if ap := samtemplate.Get(s, "additionalProperties"); ap != nil && ap.Kind == yaml.MappingNode {
		f.Children = append(f.Children, d.field("(any other key)", ap, depth+1))
	}
	if items := samtemplate.Get(s, "items"); items != nil {
		f.Children = append(f.Children, d.field("[items]", items, depth+1))
	}
	for _, kind := range []string{"oneOf", "anyOf", "allOf"} {
		alts := seqOf(samtemplate.Get(s, kind))
		if len(alts) == 0 {
			continue
		}
		if f.Type == "" {
			f.Type = kind
		}
		for i, a := range alts {
			f.Children = append(f.Children, d.field(fmt.Sprintf("(%s #%d)", kind, i+1), a, depth+1))
		}
	}
	return f
}

func appendRange(cons []string, s *yaml.Node, minKey, maxKey, unit string) []string {
	lo, hi := scalarOf(samtemplate.Get(s, minKey)), scalarOf(samtemplate.Get(s, maxKey))
	switch {
	case lo != "" && hi != "":
		return append(cons, lo+"–"+hi+unit)
	case lo != "":
		return append(cons, "≥ "+lo+unit)
	case hi != "":
		return append(cons, "≤ "+hi+unit)
	}
	return cons
}

// securityText summarises a security requirement list: "" for none (a
// public operation), else the schemes, "bearerAuth" or "a or b".
func securityText(n *yaml.Node) string {
	var alts []string
	for _, req := range seqOf(n) {
		var names []string
		for name := range samtemplate.Pairs(req) {
			names = append(names, name)
		}
		if len(names) == 0 {
			return "" // {} makes the requirement optional
		}
		alts = append(alts, strings.Join(names, " + "))
	}
	return strings.Join(alts, " or ")
}

func seqOf(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// scalarOf is a scalar's text; "" for anything else.
func scalarOf(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// strs is a scalar as one string, or a sequence's scalars.
func strs(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range seqOf(n) {
		out = append(out, scalarOf(c))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} {{.Version}} — API</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem 2rem; color: #1d1d1f; }
code, .path, .type, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
.desc { white-space: pre-wrap; }
nav ul { list-style: none; padding: 0; columns: 2; }
nav li { margin: .15rem 0; }
a { color: #0b57d0; text-decoration: none; } a:hover { text-decoration: underline; }
.method { display: inline-block; min-width: 4.2rem; text-align: center; border-radius: 4px; color: #fff; font-weight: 600; font-size: 12px; padding: 0 .3rem; }
.GET { background: #1a7f37; } .POST { background: #0b57d0; } .PATCH { background: #9a6700; } .PUT { background: #8250df; } .DELETE { background: #cf222e; }
.badge { font-size: 12px; border: 1px solid #999; border-radius: 4px; padding: 0 .35rem; margin-left: .4rem; }
.public { border-color: #1a7f37; color: #1a7f37; } .auth { border-color: #9a6700; color: #9a6700; }
section.op { border-top: 1px solid #ddd; padding: .6rem 0 1rem; }
h2 { margin-top: 2.5rem; } h3 { margin: .3rem 0; font-size: 1.05rem; } h4 { margin: .8rem 0 .2rem; font-size: .95rem; }
table { border-collapse: collapse; width: 100%; margin: .2rem 0; }
td, th { text-align: left; vertical-align: top; padding: .15rem .5rem; border-bottom: 1px solid #eee; }
th { font-weight: 600; font-size: 13px; color: #555; }
.req { color: #cf222e; } .cons { color: #555; font-size: 13px; }
.status { font-weight: 600; }
</style>
</head>
<body>
<header>
<h1>{{.Title}} <small>{{.Version}}</small></h1>
<p>The API description as <a href="/openapi.yaml">/openapi.yaml</a> and <a href="/openapi.json">/openapi.json</a>.</p>
<div class="desc">{{.Description}}</div>
</header>
<nav>
<h2>Operations</h2>
<ul>
{{- range .Operations}}
<li><a href="#op-{{.ID}}"><span class="method {{.Method}}">{{.Method}}</span> <span class="path">{{.Path}}</span></a> {{.Summary}}</li>
{{- end}}
</ul>
</nav>
<main>
{{- range .Operations}}
<section class="op" id="op-{{.ID}}">
<h3><span class="method {{.Method}}">{{.Method}}</span> <span class="path">{{.Path}}</span>
{{- if .Public}}<span class="badge public">public</span>{{else}}<span class="badge auth">{{.Security}}</span>{{end}}</h3>
<p>{{.Summary}}</p>
{{- with .Description}}<div class="desc">{{.}}</div>{{end}}
{{- with .Parameters}}
<h4>Parameters</h4>
<table><tr><th>name</th><th>in</th><th>type</th><th>constraints</th><th>description</th></tr>
{{- range .}}
<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{.In}}</td><td class="type">{{template "type" .}}</td><td class="cons">{{.Constraints}}</td><td>{{.Description}}</td></tr>
{{- end}}
</table>
{{- end}}
{{- with .Body}}
<h4>Request body{{if .Required}} <span class="req">required</span>{{end}}</h4>
{{- with .Description}}<div class="desc">{{.}}</div>{{end}}
{{- range .Content}}{{template "content" .}}{{end}}
{{- end}}
<h4>Responses</h4>
<table><tr><th>status</th><th>description</th></tr>
{{- range .Responses}}
<tr><td class="status">{{.Status}}</td><td><div class="desc">{{.Description}}</div>
{{- with .Headers}}<div>Headers: {{range $i, $h := .}}{{if $i}}, {{end}}<code>{{$h.Name}}</code>{{with $h.Type}} ({{.}}){{end}}{{end}}</div>{{end}}
{{- range .Content}}{{template "content" .}}{{end}}</td></tr>
{{- end}}
</table>
</section>
{{- end}}
<h2>Schemas</h2>
{{- range .Schemas}}
<section class="op" id="schema-{{.Name}}">
<h3>{{.Name}}</h3>
{{template "fields" .Fields}}
</section>
{{- end}}
</main>
</body>
</html>
{{- define "type"}}{{if .Ref}}<a href="#schema-{{.Ref}}">{{.Ref}}</a>{{else}}{{.Type}}{{end}}{{end}}
{{- define "content"}}<div><code>{{.Type}}</code>{{with .Schema}}{{template "fields" .}}{{end}}</div>{{end}}
{{- define "fields"}}
<table>
{{- range .}}
<tr><td>{{if .Name}}<code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}{{end}}</td><td class="type">{{template "type" .}}</td><td class="cons">{{.Constraints}}</td><td><div class="desc">{{.Description}}</div>
{{- with .Children}}{{template "fields" .}}{{end}}</td></tr>
{{- end}}
</table>
{{- end}}
`))
