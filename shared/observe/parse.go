package observe

import (
	"bytes"
	"encoding/json"
	"time"
)

// Document is the metrics of one EMF log line.
type Document struct {
	Namespace string
	Timestamp time.Time
	// Values and Units by metric name; an array value counts its numbers
	// as that many values (Values has their sum).
	Values map[string]float64
	Units  map[string]Unit
	Counts map[string]int
	// Fields is the whole line (msg, function, outcome, …).
	Fields map[string]any
}

// ParseEMF reads the metrics of line, one JSON log line (anything before
// its first '{', such as the local stack's "[function] " prefix, is
// skipped). ok is false when the line is no EMF document, or names a
// metric it does not carry as a number.
func ParseEMF(line []byte) (doc Document, ok bool) {
	i := bytes.IndexByte(line, '{')
	if i < 0 || !bytes.Contains(line, []byte(`"_aws"`)) {
		return doc, false
	}
	var raw struct {
		AWS struct {
			Timestamp         int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace string `json:"Namespace"`
				Metrics   []struct {
					Name string `json:"Name"`
					Unit Unit   `json:"Unit"`
				} `json:"Metrics"`
			} `json:"CloudWatchMetrics"`
		} `json:"_aws"`
	}
	if json.Unmarshal(line[i:], &raw) != nil || len(raw.AWS.CloudWatchMetrics) == 0 {
		return doc, false
	}
	d := json.NewDecoder(bytes.NewReader(line[i:]))
	d.UseNumber()
	if d.Decode(&doc.Fields) != nil {
		return doc, false
	}
	doc.Namespace = raw.AWS.CloudWatchMetrics[0].Namespace
	doc.Timestamp = time.UnixMilli(raw.AWS.Timestamp)
	doc.Values, doc.Units, doc.Counts = map[string]float64{}, map[string]Unit{}, map[string]int{}
	for _, dir := range raw.AWS.CloudWatchMetrics {
		for _, m := range dir.Metrics {
			switch v := doc.Fields[m.Name].(type) {
			case json.Number:
				f, err := v.Float64()
				if err != nil {
					return doc, false
				}
				doc.Values[m.Name], doc.Counts[m.Name] = f, 1
			case []any:
				var sum float64
				for _, x := range v {
					n, isNum := x.(json.Number)
					f, err := n.Float64()
					if !isNum || err != nil {
						return doc, false
					}
					sum += f
				}
				doc.Values[m.Name], doc.Counts[m.Name] = sum, len(v)
			default:
				return doc, false
			}
			doc.Units[m.Name] = m.Unit
		}
	}
	return doc, true
}
