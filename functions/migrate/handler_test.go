package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/macro-ai/macro-ai/shared/migrations"
	"github.com/macro-ai/macro-ai/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// cloudFormation stands in for the pre-signed S3 URL CloudFormation waits on.
type cloudFormation struct {
	*httptest.Server
	mu      sync.Mutex
	answers []map[string]any
}

func newCloudFormation(t *testing.T) *cloudFormation {
	cf := &cloudFormation{}
	cf.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if r.Method != http.MethodPut || json.NewDecoder(r.Body).Decode(&body) != nil {
			http.Error(w, "want a PUT of JSON", http.StatusBadRequest)
			return
		}
		cf.mu.Lock()
		cf.answers = append(cf.answers, body)
		cf.mu.Unlock()
	}))
	t.Cleanup(cf.Close)
	return cf
}

func (cf *cloudFormation) last(t *testing.T) map[string]any {
	t.Helper()
	cf.mu.Lock()
	defer cf.mu.Unlock()
	if len(cf.answers) == 0 {
		t.Fatal("CloudFormation got no answer")
	}
	return cf.answers[len(cf.answers)-1]
}

func (cf *cloudFormation) event(requestType, physicalID string) json.RawMessage {
	ev := map[string]any{
		"RequestType": requestType, "RequestId": uuid.NewString(), "ResponseURL": cf.URL + "/signed?X-Amz-Signature=x",
		"ResourceType": "Custom::Migrations", "LogicalResourceId": "Migrations",
		"StackId":            "arn:aws:cloudformation:eu-west-2:123456789012:stack/macro-ai-dev/1",
		"ResourceProperties": map[string]any{"ServiceToken": "arn:aws:lambda:eu-west-2:123456789012:function:migrate", "Version": "v1"},
	}
	if physicalID != "" {
		ev["PhysicalResourceId"] = physicalID
	}
	b, _ := json.Marshal(ev)
	return b
}

// emptyDatabase creates a database with no schema at all, as a new Neon
// project has, and returns its URL.
func emptyDatabase(t *testing.T) string {
	env := testenv.Get(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, env.PostgresAdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := "t_migrate_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), env.PostgresAdminURL)
		if err == nil {
			c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	return strings.Replace(env.PostgresAdminURL, "/postgres?", "/"+name+"?", 1)
}

func tables(t *testing.T, url string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func migrateURL(url string, dims int) func(context.Context) (migrations.Result, error) {
	return func(ctx context.Context) (migrations.Result, error) { return migrations.Migrate(ctx, url, dims) }
}

// TestCustomResourceLifecycle: Create migrates an empty database, Update
// (the next deploy) is idempotent, Delete answers SUCCESS and keeps the data.
func TestCustomResourceLifecycle(t *testing.T) {
	url := emptyDatabase(t)
	cf := newCloudFormation(t)
	h := &handler{migrate: migrateURL(url, testenv.Get(t).EmbeddingDimensions)}
	ctx := context.Background()

	if _, err := h.Invoke(ctx, cf.event("Create", "")); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got := cf.last(t)
	data, _ := got["Data"].(map[string]any)
	if got["Status"] != "SUCCESS" || got["PhysicalResourceId"] != physicalID || data["From"] != 0.0 || data["To"].(float64) < 3 {
		t.Fatalf("Create answer = %v", got)
	}
	if got["LogicalResourceId"] != "Migrations" || got["StackId"] == "" || got["RequestId"] == "" {
		t.Fatalf("Create answer does not echo the request: %v", got)
	}
	if n := tables(t, url); n < 3 {
		t.Fatalf("%d tables after Create", n)
	}
	to := data["To"]

	if _, err := h.Invoke(ctx, cf.event("Update", physicalID)); err != nil {
		t.Fatalf("Update: %v", err)
	}
	got = cf.last(t)
	data, _ = got["Data"].(map[string]any)
	if got["Status"] != "SUCCESS" || got["PhysicalResourceId"] != physicalID || data["From"] != to || data["To"] != to {
		t.Fatalf("Update answer = %v, want From = To = %v", got, to)
	}

	before := tables(t, url)
	if _, err := h.Invoke(ctx, cf.event("Delete", physicalID)); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got = cf.last(t); got["Status"] != "SUCCESS" || got["PhysicalResourceId"] != physicalID {
		t.Fatalf("Delete answer = %v", got)
	}
	if after := tables(t, url); after != before {
		t.Fatalf("Delete dropped tables: %d -> %d", before, after)
	}
}

func TestCustomResourceFailures(t *testing.T) {
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()
	const password = "s3cret-PASSWORD"

	tests := []struct {
		name    string
		h       *handler
		request string
		status  string
		reason  string
	}{
		{"unreachable database", &handler{migrate: migrateURL("postgres://app:"+password+"@"+deadAddr+"/db?sslmode=disable&connect_timeout=2", 512)},
			"Create", "FAILED", "connect for migrations"},
		{"missing secret at cold start", &handler{setupErr: errors.New("secrets: critical secret /macro-ai/dev/critical/database-url is missing")},
			"Create", "FAILED", "critical/database-url is missing"},
		{"delete never touches the database", &handler{migrate: func(context.Context) (migrations.Result, error) {
			return migrations.Result{}, errors.New("must not run")
		}}, "Delete", "SUCCESS", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf := newCloudFormation(t)
			if _, err := tt.h.Invoke(context.Background(), cf.event(tt.request, physicalID)); err != nil {
				t.Fatalf("Invoke: %v (the answer itself must reach CloudFormation)", err)
			}
			got := cf.last(t)
			reason, _ := got["Reason"].(string)
			if got["Status"] != tt.status || !strings.Contains(reason, tt.reason) {
				t.Fatalf("answer = %v, want %s with a reason containing %q", got, tt.status, tt.reason)
			}
			if strings.Contains(reason, password) {
				t.Fatalf("the reason leaks the password: %q", reason)
			}
			if got["PhysicalResourceId"] == "" {
				t.Fatalf("answer without PhysicalResourceId: %v", got)
			}
		})
	}
}

// TestDimensionMismatchFails: a database created with other dimensions stops
// the deploy with the explanation.
func TestDimensionMismatchFails(t *testing.T) {
	url := emptyDatabase(t)
	ctx := context.Background()
	if _, err := migrations.Migrate(ctx, url, 8); err != nil {
		t.Fatal(err)
	}
	cf := newCloudFormation(t)
	h := &handler{migrate: migrateURL(url, 16)}
	if _, err := h.Invoke(ctx, cf.event("Update", physicalID)); err != nil {
		t.Fatal(err)
	}
	got := cf.last(t)
	if reason, _ := got["Reason"].(string); got["Status"] != "FAILED" || !strings.Contains(reason, "dimension mismatch") {
		t.Fatalf("answer = %v", got)
	}
}

// TestPlainInvoke is `make invoke FN=migrate`: no CloudFormation, the
// versions come back.
func TestPlainInvoke(t *testing.T) {
	url := emptyDatabase(t)
	h := &handler{migrate: migrateURL(url, 8)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := h.Invoke(ctx, json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if res := out.(migrations.Result); res.From != 0 || res.To < 3 {
		t.Fatalf("result = %+v", res)
	}
	out, err = h.Invoke(ctx, json.RawMessage(`{"migrate":true}`))
	if res := out.(migrations.Result); err != nil || res.From != res.To {
		t.Fatalf("second run = %+v, %v", res, err)
	}
}

// TestReportsBeforeTheDeadline: a migration that hangs still lets the
// function answer CloudFormation before Lambda's deadline.
func TestReportsBeforeTheDeadline(t *testing.T) {
	cf := newCloudFormation(t)
	h := &handler{migrate: func(ctx context.Context) (migrations.Result, error) {
		<-ctx.Done()
		return migrations.Result{}, ctx.Err()
	}}
	ctx, cancel := context.WithTimeout(context.Background(), reserve+500*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := h.Invoke(ctx, cf.event("Create", "")); err != nil {
		t.Fatal(err)
	}
	if got := cf.last(t); got["Status"] != "FAILED" || time.Since(start) > time.Second {
		t.Fatalf("answer %v after %v", got, time.Since(start))
	}
}

// TestRollbackIsANoOp: CloudFormation rolls a failed update back by sending
// the older Version to the new function; it must answer SUCCESS without
// migrating, or the stack ends in UPDATE_ROLLBACK_FAILED.
func TestRollbackIsANoOp(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-2:123456789012:function:macro-ai-prod-migrate"
	migrated := 0
	h := &handler{migrate: func(context.Context) (migrations.Result, error) {
		migrated++
		return migrations.Result{From: 4, To: 4}, nil
	}}
	tests := []struct {
		name        string
		from, to    any
		wantMigrate bool
	}{
		{"a deploy of a newer build", "6", "7", true},
		{"the rollback of it", "7", "6", false},
		{"numbers, not strings", 7.0, 6.0, false},
		{"version ARNs (!Ref of the version): a newer build", arn + ":9", arn + ":10", true},
		{"version ARNs: the rollback, 10 to 9 (not compared as text)", arn + ":10", arn + ":9", false},
		{"an unqualified ARN is no version: migrate", arn, arn, true},
		{"versions that are not numbers migrate", "v1", "v2", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf := newCloudFormation(t)
			var ev map[string]any
			json.Unmarshal(cf.event("Update", physicalID), &ev)
			ev["ResourceProperties"].(map[string]any)["Version"] = tt.to
			ev["OldResourceProperties"] = map[string]any{"Version": tt.from}
			raw, _ := json.Marshal(ev)
			before := migrated
			if _, err := h.Invoke(context.Background(), raw); err != nil {
				t.Fatal(err)
			}
			if got := cf.last(t); got["Status"] != "SUCCESS" || (migrated > before) != tt.wantMigrate {
				t.Fatalf("answer %v, migrated %v; want a migration: %v", got, migrated > before, tt.wantMigrate)
			}
		})
	}
}
