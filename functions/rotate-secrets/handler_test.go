package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/macro-ai/macro-ai/local/devmodel"
	"github.com/macro-ai/macro-ai/shared/observe"
	"github.com/macro-ai/macro-ai/shared/secrets/rotation"
	"github.com/macro-ai/macro-ai/shared/secrets/ssmtest"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	oldKey   = "sk-old-key-0001"
	newKey   = "sk-new-key-0002"
	wrongKey = "sk-wrong-key-0003"
	deadPass = "Dead-Pa55word"
)

type fixture struct {
	ssm  *ssmtest.Server
	h    *handler
	logs *bytes.Buffer
}

func path(kind, name string) string { return "/macro-ai/prod/" + kind + "/" + name }

// setup gives a Parameter Store holding the current values, the dev model
// accepting only newKey, and the handler over the real SDK client.
func setup(t *testing.T) fixture {
	t.Helper()
	env := testenv.Get(t)
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(observe.NewLogger(&logs, slog.LevelDebug))
	t.Cleanup(func() { slog.SetDefault(prev) })

	fake, endpoint := ssmtest.Start(t)
	t.Setenv("SSM_ENDPOINT", endpoint)
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	fake.Put(path("critical", "openai-api-key"), oldKey)
	fake.Put(path("critical", "database-url"), env.DatabaseURL)
	fake.Put(path("standard", "redis-url"), env.RedisURL)

	_, model := devmodel.NewTestServer(t, devmodel.Config{APIKey: newKey})
	h, err := newHandler("critical/openai-api-key,critical/database-url,standard/redis-url", "prod",
		rotation.NewClient(), validators(model))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{ssm: fake, h: h, logs: &logs}
}

func deadAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestRotate(t *testing.T) {
	env := testenv.Get(t)
	dead := deadAddr(t)
	tests := []struct {
		name     string
		secret   string // the secret's name
		tier     string
		pending  string
		result   string // the outcome
		reason   string // in the outcome's reason and the error
		rotated  bool
		previous string // the value kept under previous/, when rotated
	}{
		{"openai key accepted", "openai-api-key", "critical", newKey, "rotated", "", true, oldKey},
		{"openai key refused by the provider", "openai-api-key", "critical", wrongKey, "rejected", "refused our credentials", false, ""},
		{"database reachable", "database-url", "critical", env.DatabaseURL + "&application_name=rotated", "rotated", "", true, env.DatabaseURL},
		{"database unreachable", "database-url", "critical", "postgres://app:" + deadPass + "@" + dead + "/macro?sslmode=disable&connect_timeout=2", "rejected", "connect to PostgreSQL", false, ""},
		{"not a connection string", "database-url", "critical", "mysql://" + deadPass, "rejected", "not a PostgreSQL connection string", false, ""},
		{"redis answers PING", "redis-url", "standard", strings.Replace(env.RedisURL, "/0", "/1", 1), "rotated", "", true, env.RedisURL},
		{"redis unreachable", "redis-url", "standard", "redis://default:" + deadPass + "@" + dead + "/0", "rejected", "PING", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			current, _ := f.ssm.Value(path(tt.tier, tt.secret))
			f.ssm.Put(path("pending", tt.secret), tt.pending)

			rep, err := f.h.Invoke(context.Background(), json.RawMessage(`{"secret":"`+tt.secret+`"}`))
			if len(rep.Results) != 1 || rep.Results[0].Result != tt.result || !strings.Contains(rep.Results[0].Reason, tt.reason) {
				t.Fatalf("outcome = %+v, want %s with %q", rep.Results, tt.result, tt.reason)
			}
			if (err != nil) == tt.rotated || (err != nil && !strings.Contains(err.Error(), tt.reason)) {
				t.Fatalf("err = %v, want an error only when not rotated, naming %q", err, tt.reason)
			}
			got, _ := f.ssm.Value(path(tt.tier, tt.secret))
			prev, hasPrev := f.ssm.Value(path("previous", tt.secret))
			_, hasPending := f.ssm.Value(path("pending", tt.secret))
			if tt.rotated {
				if got != tt.pending || prev != tt.previous || hasPending {
					t.Fatalf("after rotation: current %q, previous %q, pending left %v", got, prev, hasPending)
				}
			} else if got != current || hasPrev || !hasPending {
				t.Fatalf("a rejected rotation changed something: current %q (was %q), previous %v, pending kept %v", got, current, hasPrev, hasPending)
			}

			// The audit line names the secret and the result, never a value.
			logs := f.logs.String()
			if !strings.Contains(logs, `"audit":true`) || !strings.Contains(logs, `"result":"`+tt.result+`"`) {
				t.Fatalf("no audit line in %s", logs)
			}
			for _, v := range []string{tt.pending, oldKey, deadPass} {
				if strings.Contains(logs, v) || (err != nil && strings.Contains(err.Error(), v)) {
					t.Fatalf("a secret value reached the logs or the error: %q\n%s\n%v", v, logs, err)
				}
			}
		})
	}
}

// TestScheduledRun: the monthly event rotates what is pending and reports
// the others as having nothing pending, without failing.
func TestScheduledRun(t *testing.T) {
	f := setup(t)
	f.ssm.Put(path("pending", "openai-api-key"), newKey)
	event := `{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`
	rep, err := f.h.Invoke(context.Background(), json.RawMessage(event))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rep.Results {
		got[r.Secret] = r.Result
	}
	want := map[string]string{"critical/openai-api-key": "rotated", "critical/database-url": "nothing-pending", "standard/redis-url": "nothing-pending"}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("results = %v, want %v", got, want)
		}
	}
	if v, _ := f.ssm.Value(path("critical", "openai-api-key")); v != newKey {
		t.Fatalf("key not promoted: %q", v)
	}
}

// TestFirstValue: promoting into an empty slot keeps no previous value.
func TestFirstValue(t *testing.T) {
	f := setup(t)
	if err := f.ssm.Delete(path("critical", "openai-api-key")); err != nil {
		t.Fatal(err)
	}
	f.ssm.Put(path("pending", "openai-api-key"), newKey)
	rep, err := f.h.Invoke(context.Background(), json.RawMessage(`{"secret":"openai-api-key"}`))
	if err != nil || rep.Results[0].Result != "rotated" || rep.Results[0].Previous {
		t.Fatalf("outcome %+v, %v", rep.Results, err)
	}
	if _, ok := f.ssm.Value(path("previous", "openai-api-key")); ok {
		t.Fatal("a previous value appeared from nowhere")
	}
}

func TestBadRequests(t *testing.T) {
	f := setup(t)
	tests := []struct{ event, want string }{
		{`{"secret":"github-token"}`, `unknown secret "github-token"`},
		{`{"secret":"redis-url"}`, "no value under /macro-ai/prod/pending/redis-url"},
	}
	for _, tt := range tests {
		if _, err := f.h.Invoke(context.Background(), json.RawMessage(tt.event)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.event, err, tt.want)
		}
	}
	for _, list := range []string{"", "critical/github-token", "secret/openai-api-key"} {
		if _, err := newHandler(list, "prod", nil, validators("")); err == nil {
			t.Errorf("newHandler(%q) accepted", list)
		}
	}
}

// TestScrubbed: whatever a library puts in its error, the value and the
// password inside it do not come out.
func TestScrubbed(t *testing.T) {
	leaky := scrubbed(func(_ context.Context, v string) error {
		return errors.New("cannot use " + v + " (password " + deadPass + ")")
	})
	value := "postgres://app:" + deadPass + "@db.example.com/macro"
	err := leaky(context.Background(), value)
	if err == nil || strings.Contains(err.Error(), deadPass) || strings.Contains(err.Error(), value) || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("err = %v", err)
	}
}

// TestPendingAlreadyCurrent: a pending value that was promoted already (its
// deletion failed, or two runs overlapped) leaves the previous value alone.
func TestPendingAlreadyCurrent(t *testing.T) {
	f := setup(t)
	f.ssm.Put(path("previous", "openai-api-key"), "sk-the-real-previous")
	f.ssm.Put(path("pending", "openai-api-key"), oldKey) // oldKey is the current value
	rep, err := f.h.Invoke(context.Background(), json.RawMessage(`{"secret":"openai-api-key"}`))
	if err != nil || rep.Results[0].Result != "rotated" {
		t.Fatalf("outcome %+v, %v", rep.Results, err)
	}
	if prev, _ := f.ssm.Value(path("previous", "openai-api-key")); prev != "sk-the-real-previous" {
		t.Fatalf("previous = %q: overwritten", prev)
	}
	if _, ok := f.ssm.Value(path("pending", "openai-api-key")); ok {
		t.Fatal("the pending value was not deleted")
	}
}
