package templatecheck

import (
	"encoding/json"
	"fmt"
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
	"github.com/macro-ai/macro-ai/shared/observe"
)

// freeAlarmMetrics is CloudWatch's free tier of alarms: 10 alarm metrics a
// month (an alarm on one metric is one; a metric-math alarm counts each
// metric it reads).
const freeAlarmMetrics = 10

// appNamespace is the template's spelling of observe.Namespace().
const appNamespace = "MacroAI/${Stage}"

// wantAlarm is an alarm the template must have, found by what it watches.
type wantAlarm struct {
	why       string
	namespace string
	metric    string
	dimension string // "" none; else the !Ref/!GetAtt its one dimension's value is
	op        string
	threshold func(float64) bool
	missing   string // TreatMissingData
}

var wantAlarms = []wantAlarm{
	{"function errors", "AWS/Lambda", "Errors", "", "GreaterThanOrEqualToThreshold", func(f float64) bool { return f == 1 }, "notBreaching"},
	{"function throttles", "AWS/Lambda", "Throttles", "", "GreaterThanOrEqualToThreshold", func(f float64) bool { return f >= 1 && f <= 10 }, "notBreaching"},
	{"API 5xx", "AWS/ApiGateway", "5xx", "!Ref HttpApi", "GreaterThanOrEqualToThreshold", func(f float64) bool { return f >= 1 && f <= 10 }, "notBreaching"},
	{"chat turn error rate", appNamespace, observe.ChatTurnFailed, "", "GreaterThanThreshold", func(f float64) bool { return f > 0 && f < 1 }, "notBreaching"},
	{"chat duration near its timeout", "AWS/Lambda", "Duration", "!Ref ChatStreamFunction", "GreaterThanOrEqualToThreshold", nil, "notBreaching"},
	{"warmup not running", "AWS/Lambda", "Invocations", "!Ref WarmupFunction", "LessThanThreshold", func(f float64) bool { return f == 1 }, "breaching"},
	{"backfill not running", "AWS/Lambda", "Invocations", "!Ref EmbedFunction", "LessThanThreshold", func(f float64) bool { return f == 1 }, "breaching"},
	{"failures queued", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "!GetAtt FailureQueue.QueueName", "GreaterThanOrEqualToThreshold", func(f float64) bool { return f == 1 }, "notBreaching"},
	{"free tier at 80%", appNamespace, observe.FreeTierUsedPercent, "", "GreaterThanOrEqualToThreshold", func(f float64) bool { return f == 80 }, "notBreaching"},
}

// appMetrics are the EMF metrics the dashboard must graph.
var appMetrics = []string{observe.ChatTurns, observe.ChatTurnFailed, observe.ModelErrors, observe.ModelTokens,
	observe.TimeToFirstToken, observe.HistoryCacheHit, observe.DatabaseUnavailable, observe.FreeTierUsedPercent}

// perFunctionMetrics are the Lambda metrics the dashboard graphs per function.
var perFunctionMetrics = map[string]string{"Invocations": "Sum", "Errors": "Sum", "Duration": "p99", "Throttles": "Sum", "ConcurrentExecutions": "Maximum"}

// TestOperations: the alarms reach the owner (an SNS topic, its e-mail
// subscription only with AlertEmail) and stay within the free alarm
// metrics; each signal of docs/operating.md has its alarm; every scheduled
// or asynchronous invocation has somewhere to fail to; the dashboard graphs
// every function and every app metric; only the usage watch reads metrics.
func TestOperations(t *testing.T) {
	tpl, node := loadTemplate(t)
	checkProblems(t, checkOperations(tpl, node), "")
}

// TestOperationsChecksCatch proves each rule on a doctored template.
func TestOperationsChecksCatch(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	real := string(data)
	alarm := func(name string) string { // the whole resource, for duplicating it
		i := strings.Index(real, "\n  "+name+":\n")
		j := strings.Index(real[i+1:], "\n\n")
		return real[i+1 : i+1+j+1]
	}
	tests := []struct{ name, old, new, want string }{
		{"no action", "      OKActions: [!Ref AlertTopic]\n\n  # Lambda's own metrics", "\n  # Lambda's own metrics", "FailuresQueuedAlarm: no OKActions to AlertTopic"},
		{"no e-mail", "      Protocol: email\n", "      Protocol: sms\n", "AlertSubscription: want Protocol email"},
		{"always subscribed", "    Condition: HasAlertEmail\n    Properties:\n      TopicArn: !Ref AlertTopic", "    Properties:\n      TopicArn: !Ref AlertTopic", "AlertSubscription: want Condition HasAlertEmail"},
		{"over the free alarms", "  FreeTierAlarm:\n", alarm("Api5xxAlarm") + "  Api5xxAlarmCopy:\n" + strings.SplitN(alarm("Api5xxAlarm"), "\n", 2)[1] + "  FreeTierAlarm:\n", "alarm metrics, over CloudWatch's 10 free"},
		{"metric renamed", "      MetricName: ChatTurnFailed", "      MetricName: ChatTurnFailure", "no alarm for chat turn error rate"},
		{"dead schedule not breaching", "      TreatMissingData: breaching\n      AlarmActions: [!Ref AlertTopic]\n      OKActions: [!Ref AlertTopic]\n\n  BackfillNotRunningAlarm:", "      TreatMissingData: missing\n      AlarmActions: [!Ref AlertTopic]\n      OKActions: [!Ref AlertTopic]\n\n  BackfillNotRunningAlarm:", "no alarm for warmup not running"},
		{"duration past the timeout", "      Threshold: 48000", "      Threshold: 61000", "no alarm for chat duration near its timeout"},
		{"schedule without dead letters", "            Name: !Sub ${AWS::StackName}-warmup\n            RetryPolicy:\n              MaximumRetryAttempts: 0\n            DeadLetterConfig:\n              Arn: !GetAtt FailureQueue.Arn\n", "            Name: !Sub ${AWS::StackName}-warmup\n            RetryPolicy:\n              MaximumRetryAttempts: 0\n", "WarmupFunction: schedule Schedule has no DeadLetterConfig"},
		{"async without destination", "        MaximumRetryAttempts: 1 # a bad file fails without an error; only the database being down is retried\n        DestinationConfig:\n          OnFailure:\n            Type: SQS\n            Destination: !GetAtt FailureQueue.Arn\n", "        MaximumRetryAttempts: 1 # a bad file fails without an error; only the database being down is retried\n", "ImportFunction: invoked asynchronously (S3) without"},
		{"dashboard misses concurrency", `MetricName=\"ConcurrentExecutions\"`, `MetricName=\"UnreservedConcurrentExecutions\"`, "Dashboard: no per-function ConcurrentExecutions"},
		{"dashboard misses an app metric", `"ModelTokens"]]`, `"ModelTokenz"]]`, "Dashboard: no graph of ModelTokens"},
		{"dashboard is not JSON", `"start": "-PT24H",`, `"start": "-PT24H",,`, "Dashboard: body is not JSON"},
		{"another function lists functions", "            - Sid: InvokeTheHttpFunctions\n              Effect: Allow\n              Action: lambda:InvokeFunction", "            - Sid: InvokeTheHttpFunctions\n              Effect: Allow\n              Action: [lambda:InvokeFunction, lambda:ListFunctions]", "WarmupFunction: lambda:listfunctions is the usage watch's alone"},
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
			checkProblems(t, checkOperations(tpl, node), tt.want)
		})
	}
}

func checkOperations(tpl *template.Template, root *yaml.Node) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	res := get(root, "Resources")

	// The topic, and its e-mail subscription only when AlertEmail is set.
	if scalar(get(get(res, "AlertTopic"), "Type")) != "AWS::SNS::Topic" {
		add("AlertTopic: no AWS::SNS::Topic")
	}
	sub := get(res, "AlertSubscription")
	if scalar(get(sub, "Type")) != "AWS::SNS::Subscription" {
		add("AlertSubscription: no AWS::SNS::Subscription")
	} else {
		p := get(sub, "Properties")
		if scalar(get(sub, "Condition")) != "HasAlertEmail" {
			add("AlertSubscription: want Condition HasAlertEmail (no subscription when AlertEmail is empty)")
		}
		if scalar(get(p, "Protocol")) != "email" {
			add("AlertSubscription: want Protocol email")
		}
		if !slices.Equal(refStrings(get(p, "Endpoint")), []string{"!Ref AlertEmail"}) || !slices.Equal(refStrings(get(p, "TopicArn")), []string{"!Ref AlertTopic"}) {
			add("AlertSubscription: want Endpoint !Ref AlertEmail on TopicArn !Ref AlertTopic")
		}
	}

	// The alarms: each acts on the topic; together within the free tier;
	// each wanted signal has one.
	metrics := 0
	found := make([]bool, len(wantAlarms))
	var ids []string
	for id := range pairs(res) {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := get(res, id)
		if scalar(get(r, "Type")) != "AWS::CloudWatch::Alarm" {
			continue
		}
		p := get(r, "Properties")
		for _, actions := range []string{"AlarmActions", "OKActions"} {
			if !slices.Contains(refStrings(get(p, actions)), "!Ref AlertTopic") {
				add("%s: no %s to AlertTopic", id, actions)
			}
		}
		if m := get(p, "Metrics"); m != nil {
			for _, q := range content(m) {
				if get(q, "MetricStat") != nil {
					metrics++
				}
			}
		} else {
			metrics++
		}
		if p := get(p, "Period"); p == nil {
			add("%s: no Period", id)
		}
		threshold, _ := strconv.ParseFloat(scalar(get(p, "Threshold")), 64)
		var dims []string
		for _, d := range content(get(p, "Dimensions")) {
			dims = append(dims, refStrings(get(d, "Value"))...)
		}
		for i, w := range wantAlarms {
			ns := refStrings(get(p, "Namespace"))
			if len(ns) != 1 || ns[0] != w.namespace || scalar(get(p, "MetricName")) != w.metric ||
				(w.dimension == "" && len(dims) != 0) || (w.dimension != "" && !slices.Equal(dims, []string{w.dimension})) ||
				scalar(get(p, "ComparisonOperator")) != w.op || scalar(get(p, "TreatMissingData")) != w.missing {
				continue
			}
			ok := w.threshold == nil || w.threshold(threshold)
			if w.metric == "Duration" { // near the timeout: 50–90% of it
				timeout := 3.0 // Lambda's default
				if f, found := tpl.Function("ChatStreamFunction"); found && f.Timeout > 0 {
					timeout = f.Timeout.Seconds()
				}
				ok = threshold >= 500*timeout && threshold <= 900*timeout
			}
			found[i] = found[i] || ok
		}
	}
	for i, w := range wantAlarms {
		if !found[i] {
			add("no alarm for %s (%s %s, %s, missing data %s)", w.why, w.namespace, w.metric, w.op, w.missing)
		}
	}
	if metrics > freeAlarmMetrics {
		add("%d alarm metrics, over CloudWatch's %d free: consolidate, or show their cost in the README", metrics, freeAlarmMetrics)
	}
	// The app namespace is observe's, per stage.
	if !strings.HasPrefix(observe.Namespace(), strings.TrimSuffix(appNamespace, "${Stage}")) {
		add("observe.Namespace() %q is not the template's %s", observe.Namespace(), appNamespace)
	}

	// Nothing fails silently: every schedule has a dead-letter queue and
	// every function invoked asynchronously an on-failure destination.
	fns := functionResources(root)
	for _, id := range sortedKeys(fns) {
		props := fns[id]
		async := ""
		for name, ev := range pairs(get(props, "Events")) {
			switch scalar(get(ev, "Type")) {
			case "ScheduleV2", "Schedule":
				async = "scheduled"
				if got := refStrings(get(get(get(ev, "Properties"), "DeadLetterConfig"), "Arn")); !slices.Equal(got, []string{"!GetAtt FailureQueue.Arn"}) {
					add("%s: schedule %s has no DeadLetterConfig Arn !GetAtt FailureQueue.Arn", id, name)
				}
			case "S3", "SNS", "EventBridgeRule", "CloudWatchEvent":
				if async == "" {
					async = "asynchronously (" + scalar(get(ev, "Type")) + ")"
				}
			}
		}
		if async == "" {
			continue
		}
		onFailure := get(get(get(props, "EventInvokeConfig"), "DestinationConfig"), "OnFailure")
		if !slices.Equal(refStrings(get(onFailure, "Destination")), []string{"!GetAtt FailureQueue.Arn"}) || scalar(get(onFailure, "Type")) != "SQS" {
			if async == "scheduled" {
				async = "on a schedule"
			}
			add("%s: invoked %s without EventInvokeConfig.DestinationConfig.OnFailure (SQS, !GetAtt FailureQueue.Arn)", id, async)
		}
	}
	if scalar(get(get(res, "FailureQueue"), "Type")) != "AWS::SQS::Queue" {
		add("FailureQueue: no AWS::SQS::Queue")
	}

	// Only the usage watch reads metrics and lists functions.
	for _, id := range sortedKeys(fns) {
		granted, _ := granted(fns[id])
		for _, a := range []string{"cloudwatch:getmetricstatistics", "lambda:listfunctions"} {
			if _, ok := granted[a]; ok != (id == "UsageWatchFunction") {
				add("%s: %s is the usage watch's alone (has it: %v)", id, a, ok)
			}
		}
	}

	problems = append(problems, checkDashboard(get(res, "Dashboard"))...)
	sort.Strings(problems)
	return problems
}

var searchExpr = regexp.MustCompile(`SEARCH\('\{AWS/Lambda,FunctionName\} MetricName="(\w+)" FunctionName=\$\{AWS::StackName\}', '(\w+)'`)

func checkDashboard(d *yaml.Node) []string {
	if scalar(get(d, "Type")) != "AWS::CloudWatch::Dashboard" {
		return []string{"Dashboard: no AWS::CloudWatch::Dashboard"}
	}
	body := get(get(d, "Properties"), "DashboardBody")
	if body == nil || body.Tag != "!Sub" {
		return []string{"Dashboard: DashboardBody must be a !Sub of its JSON"}
	}
	var problems []string
	// Each ${…} stands for a string (a name, an id, a region).
	var doc struct {
		Widgets []struct {
			Properties struct {
				Metrics []json.RawMessage `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(regexp.MustCompile(`\$\{[^}]+\}`).ReplaceAllString(body.Value, "x")), &doc); err != nil {
		return []string{fmt.Sprintf("Dashboard: body is not JSON: %v", err)}
	}
	var all strings.Builder
	for _, w := range doc.Widgets {
		for _, m := range w.Properties.Metrics {
			all.Write(m)
			all.WriteByte('\n')
		}
	}
	// The per-function searches, read from the template's own text (the
	// JSON above has the stack name replaced).
	plain := strings.ReplaceAll(body.Value, `\"`, `"`)
	seen := map[string]string{}
	for _, m := range searchExpr.FindAllStringSubmatch(plain, -1) {
		seen[m[1]] = m[2]
	}
	for _, metric := range sortedKeys(perFunctionMetrics) {
		if seen[metric] != perFunctionMetrics[metric] {
			problems = append(problems, fmt.Sprintf("Dashboard: no per-function %s (%s) SEARCH over this stack's functions", metric, perFunctionMetrics[metric]))
		}
	}
	for _, m := range appMetrics {
		if !strings.Contains(all.String(), `"`+m+`"`) {
			problems = append(problems, fmt.Sprintf("Dashboard: no graph of %s", m))
		}
	}
	if !strings.Contains(all.String(), `"MacroAI/x"`) {
		problems = append(problems, "Dashboard: the app metrics are not in "+appNamespace)
	}
	return problems
}
