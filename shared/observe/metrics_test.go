package observe

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// emfSchema compiles testdata/emf.schema.json: the JSON schema AWS publishes
// with the embedded metric format's specification ("Embedded metric format
// example and JSON schema" in
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html),
// copied unchanged. It has no $schema; its "$id"s are draft-07 style.
func emfSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/emf.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	if err := c.AddResource("emf.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("emf.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validEMF checks line against the published schema, and what the schema
// cannot say and the specification requires: every metric and dimension a
// directive names is a member of the root, a number (metric) or a string
// (dimension).
func validEMF(t *testing.T, s *jsonschema.Schema, line []byte) map[string]any {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
	if err != nil {
		t.Fatalf("not JSON: %v: %s", err, line)
	}
	if err := s.Validate(doc); err != nil {
		t.Fatalf("not an EMF document: %v\n%s", err, line)
	}
	root := doc.(map[string]any)
	for _, d := range root["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
		dir := d.(map[string]any)
		for _, m := range dir["Metrics"].([]any) {
			name := m.(map[string]any)["Name"].(string)
			if _, ok := root[name].(json.Number); !ok {
				t.Errorf("metric %s: root member %v is not a number", name, root[name])
			}
		}
		for _, set := range dir["Dimensions"].([]any) {
			for _, k := range set.([]any) {
				if _, ok := root[k.(string)].(string); !ok {
					t.Errorf("dimension %s: root member %v is not a string", k, root[k.(string)])
				}
			}
		}
	}
	return root
}

func TestMetricsLineIsEMF(t *testing.T) {
	s := emfSchema(t)
	var buf bytes.Buffer
	l := NewLogger(&buf, slog.LevelInfo).With("function", "chat-stream", "version", "v1")
	var ms Metrics
	ms.Add(ChatTurns, Count, 1)
	ms.Add(ChatTurnFailed, Count, 0)
	ms.Add(ModelTokens, Count, 1234)
	ms.Add(TimeToFirstToken, Milliseconds, 412.5)
	ms.Add(HistoryCacheHit, Count, 1)
	ms.Add(FreeTierUsedPercent, Percent, 81.25)
	before := time.Now().UnixMilli()
	LogTo(WithRequestID(context.Background(), "req-1"), l, slog.LevelInfo, "chat turn", &ms, slog.String("outcome", "done"))
	root := validEMF(t, s, buf.Bytes())

	if root["msg"] != "chat turn" || root["outcome"] != "done" || root["requestId"] != "req-1" || root["function"] != "chat-stream" {
		t.Errorf("the line lost its log members: %s", buf.String())
	}
	want := map[string]string{ChatTurns: "1", ChatTurnFailed: "0", ModelTokens: "1234", TimeToFirstToken: "412.5", HistoryCacheHit: "1", FreeTierUsedPercent: "81.25"}
	for name, v := range want {
		if got := root[name]; got != json.Number(v) {
			t.Errorf("%s = %v, want %s", name, got, v)
		}
	}
	aws := root["_aws"].(map[string]any)
	ts, _ := aws["Timestamp"].(json.Number).Int64()
	if ts < before || ts > time.Now().UnixMilli() {
		t.Errorf("Timestamp %d is not now", ts)
	}
	dir := aws["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if dir["Namespace"] != Namespace() || !strings.HasPrefix(Namespace(), "MacroAI/") {
		t.Errorf("Namespace %v", dir["Namespace"])
	}
	// No dimensions: one custom metric per name, whichever function wrote it.
	if dims, _ := json.Marshal(dir["Dimensions"]); string(dims) != "[[]]" {
		t.Errorf("Dimensions %s, want [[]]", dims)
	}
	units := map[string]string{}
	for _, m := range dir["Metrics"].([]any) {
		units[m.(map[string]any)["Name"].(string)] = m.(map[string]any)["Unit"].(string)
	}
	if len(units) != len(want) || units[TimeToFirstToken] != "Milliseconds" || units[FreeTierUsedPercent] != "Percent" || units[ModelTokens] != "Count" {
		t.Errorf("metric definitions %v", units)
	}
}

// TestSchemaRejects proves the schema check can fail: documents that break
// the format are refused by the same validator.
func TestSchemaRejects(t *testing.T) {
	s := emfSchema(t)
	for name, doc := range map[string]string{
		"no _aws":           `{"ChatTurns":1}`,
		"no Timestamp":      `{"_aws":{"CloudWatchMetrics":[{"Namespace":"MacroAI/dev","Dimensions":[[]],"Metrics":[{"Name":"ChatTurns"}]}]},"ChatTurns":1}`,
		"string Timestamp":  `{"_aws":{"Timestamp":"now","CloudWatchMetrics":[{"Namespace":"MacroAI/dev","Dimensions":[[]],"Metrics":[{"Name":"ChatTurns"}]}]},"ChatTurns":1}`,
		"unknown unit":      `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"MacroAI/dev","Dimensions":[[]],"Metrics":[{"Name":"ModelTokens","Unit":"Tokens"}]}]},"ModelTokens":1}`,
		"no dimension sets": `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"MacroAI/dev","Dimensions":[],"Metrics":[{"Name":"ChatTurns"}]}]},"ChatTurns":1}`,
		"empty namespace":   `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"","Dimensions":[[]],"Metrics":[{"Name":"ChatTurns"}]}]},"ChatTurns":1}`,
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if s.Validate(v) == nil {
			t.Errorf("%s: the schema accepted %s", name, doc)
		}
	}
}

func TestLineWithoutMetricsIsPlain(t *testing.T) {
	var buf bytes.Buffer
	l := NewLogger(&buf, slog.LevelInfo)
	LogTo(context.Background(), l, slog.LevelInfo, "hello", &Metrics{}, slog.Int("n", 1))
	LogTo(context.Background(), l, slog.LevelInfo, "hello", nil)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || strings.Contains(buf.String(), "_aws") {
		t.Errorf("lines without metrics: %q", lines)
	}
}

// TestMetricsIgnoreLogLevel: LOG_LEVEL=error keeps the metrics; a line
// without metrics at info is filtered as before.
func TestMetricsIgnoreLogLevel(t *testing.T) {
	var buf bytes.Buffer
	l := NewLogger(&buf, slog.LevelError)
	LogTo(context.Background(), l, slog.LevelInfo, "plain", nil)
	var ms Metrics
	ms.Add(DatabaseUnavailable, Count, 1)
	LogTo(context.Background(), l, slog.LevelWarn, "with metrics", &ms)
	if strings.Contains(buf.String(), "plain") || !strings.Contains(buf.String(), `"DatabaseUnavailable":1`) {
		t.Errorf("log: %s", buf.String())
	}
}

func TestMetricsAddIsBoundedAndFree(t *testing.T) {
	var ms Metrics
	for i := range maxMetrics + 3 {
		ms.Add(strings.Repeat("m", i+1), Count, 1)
	}
	ms.Add("m", Count, 7) // replaces
	if ms.Len() != maxMetrics || ms.m[0].Value != 7 {
		t.Errorf("len %d, first %+v", ms.Len(), ms.m[0])
	}
	allocs := testing.AllocsPerRun(100, func() {
		var ms Metrics
		ms.Add(ChatTurns, Count, 1)
		ms.Add(ModelTokens, Count, 100)
	})
	if allocs != 0 {
		t.Errorf("Add allocates %.0f times", allocs)
	}
}

func TestParseEMF(t *testing.T) {
	var buf bytes.Buffer
	l := NewLogger(&buf, slog.LevelInfo)
	var ms Metrics
	ms.Add(ModelTokens, Count, 42)
	ms.Add(TimeToFirstToken, Milliseconds, 12.5)
	LogTo(context.Background(), l, slog.LevelInfo, "chat turn", &ms, slog.String("outcome", "done"))
	doc, ok := ParseEMF(append([]byte("[chat-stream] "), buf.Bytes()...))
	if !ok || doc.Values[ModelTokens] != 42 || doc.Values[TimeToFirstToken] != 12.5 || doc.Units[TimeToFirstToken] != Milliseconds ||
		doc.Fields["outcome"] != "done" || doc.Namespace != Namespace() || time.Since(doc.Timestamp) > time.Minute {
		t.Errorf("parsed %+v, %v from %s", doc, ok, buf.String())
	}
	for _, bad := range []string{
		`{"msg":"request","status":200}`,
		`not json "_aws"`,
		`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[[]],"Metrics":[{"Name":"X"}]}]}}`,
		`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[[]],"Metrics":[{"Name":"X"}]}]},"X":"1"}`,
	} {
		if _, ok := ParseEMF([]byte(bad)); ok {
			t.Errorf("ParseEMF accepted %s", bad)
		}
	}
	doc, ok = ParseEMF([]byte(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[[]],"Metrics":[{"Name":"X"}]}]},"X":[1,2,3]}`))
	if !ok || doc.Values["X"] != 6 || doc.Counts["X"] != 3 {
		t.Errorf("array value: %+v %v", doc, ok)
	}
}
