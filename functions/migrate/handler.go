package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/migrations"
)

// physicalID names the one schema this resource manages. It never changes,
// so an update never makes CloudFormation delete the "old" resource.
const physicalID = "macro-ai-schema"

// reserve is kept back from the Lambda deadline so that a slow migration
// still answers CloudFormation (FAILED) instead of leaving it waiting.
const reserve = 3 * time.Second

type handler struct {
	setupErr error // from the cold start: reported on every invocation
	migrate  func(ctx context.Context) (migrations.Result, error)
}

// Invoke answers a CloudFormation custom resource request through its
// pre-signed URL, or migrates and returns the versions for any other event.
func (h *handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		RequestType string `json:"RequestType"`
		ResponseURL string `json:"ResponseURL"`
	}
	_ = json.Unmarshal(raw, &probe)
	if probe.RequestType == "" || probe.ResponseURL == "" {
		res, err := h.run(ctx)
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	var event cfn.Event
	if err := json.Unmarshal(raw, &event); err != nil {
		return nil, fmt.Errorf("decode custom resource event: %w", err)
	}
	// LambdaWrap sends SUCCESS or FAILED to the pre-signed URL; its reason is
	// non-empty only when that answer could not be delivered.
	reason, err := cfn.LambdaWrap(h.resource)(ctx, event)
	if err == nil && reason != "" {
		err = errors.New(reason)
	}
	if err != nil {
		return nil, fmt.Errorf("answer CloudFormation: %w", err)
	}
	return map[string]string{"answered": string(event.RequestType)}, nil
}

// resource is the custom resource: Create and Update migrate, Delete keeps
// the data (deleting the stack must never drop the conversations).
func (h *handler) resource(ctx context.Context, event cfn.Event) (string, map[string]any, error) {
	slog.InfoContext(ctx, "custom resource", "requestType", event.RequestType, "logicalId", event.LogicalResourceID)
	if event.RequestType == cfn.RequestDelete {
		return event.PhysicalResourceID, nil, nil
	}
	if isRollback(event) {
		// CloudFormation rolls a failed update back by sending the old
		// properties, but the function it calls is the new one: migrations
		// only go forward, and failing again would leave the stack in
		// UPDATE_ROLLBACK_FAILED. The schema stays as it is.
		slog.InfoContext(ctx, "rollback: the schema stays as it is", "from", event.OldResourceProperties["Version"], "to", event.ResourceProperties["Version"])
		return physicalID, nil, nil
	}
	res, err := h.run(ctx)
	if err != nil {
		return physicalID, nil, err
	}
	return physicalID, map[string]any{"From": res.From, "To": res.To}, nil
}

// isRollback reports whether an Update goes back to an older version of the
// migrate function (the Version property: the function's published version,
// as its number or its ARN): CloudFormation's rollback of a failed update.
func isRollback(event cfn.Event) bool {
	if event.RequestType != cfn.RequestUpdate {
		return false
	}
	to, ok1 := versionNumber(event.ResourceProperties["Version"])
	from, ok2 := versionNumber(event.OldResourceProperties["Version"])
	return ok1 && ok2 && to < from
}

// versionNumber reads a published Lambda version: 7, "7", or its ARN
// "arn:aws:lambda:eu-west-2:123456789012:function:name:7" (what !Ref of an
// AWS::Lambda::Version gives).
func versionNumber(v any) (int, bool) {
	s := fmt.Sprint(v)
	if strings.HasPrefix(s, "arn:") {
		s = s[strings.LastIndexByte(s, ':')+1:]
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

func (h *handler) run(ctx context.Context) (migrations.Result, error) {
	if h.setupErr != nil {
		return migrations.Result{}, h.setupErr
	}
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-reserve))
		defer cancel()
	}
	start := time.Now()
	res, err := h.migrate(ctx)
	if err != nil {
		slog.ErrorContext(ctx, "migration failed", "error", err.Error())
		return res, err
	}
	slog.InfoContext(ctx, "migrated", "from", res.From, "to", res.To, "durationMs", time.Since(start).Milliseconds())
	return res, nil
}

// migrateFromEnv migrates the database of DATABASE_URL (or
// MIGRATION_DATABASE_URL, the direct connection string when DATABASE_URL goes
// through a transaction-mode pooler) to the newest version.
func migrateFromEnv(ctx context.Context) (migrations.Result, error) {
	db, err := config.Load[config.Database]()
	if err != nil {
		return migrations.Result{}, err
	}
	emb, err := config.Load[config.Embedding]()
	if err != nil {
		return migrations.Result{}, err
	}
	m, err := config.Load[config.Migration]()
	if err != nil {
		return migrations.Result{}, err
	}
	if m.URL == "" {
		// One URL for both: the functions keep the owner's rights.
		slog.WarnContext(ctx, "migrate: no MIGRATION_DATABASE_URL; the functions' database user keeps the right to change the schema")
		return migrations.Migrate(ctx, db.URL, emb.Dimensions)
	}
	res, err := migrations.Migrate(ctx, m.URL, emb.Dimensions)
	if err != nil {
		return res, err
	}
	// The functions' user: rows only (migration 008), created with its
	// password on the first deploy.
	limited, err := migrations.GrantApp(ctx, m.URL, db.URL)
	if err != nil {
		return res, err
	}
	if !limited {
		slog.WarnContext(ctx, "migrate: DATABASE_URL and MIGRATION_DATABASE_URL name the same user; the functions keep the right to change the schema")
	}
	return res, nil
}
