package templatecheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestOpenAPIRefs: every local $ref of openapi.yaml resolves and every
// operation has its own operationId.
func TestOpenAPIRefs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parseYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkRefs(spec) {
		t.Error(p)
	}
	bad, err := parseYAML([]byte("paths:\n  /a:\n    get: {operationId: x, responses: {'200': {$ref: '#/components/responses/Gone'}}}\n" +
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
