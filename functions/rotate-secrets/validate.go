package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/macro-ai/macro-ai/shared/ai"
	"github.com/macro-ai/macro-ai/shared/config"
	"github.com/macro-ai/macro-ai/shared/secrets/rotation"
)

// checkTimeout bounds one validation.
const checkTimeout = 10 * time.Second

// validators checks each rotatable secret against its real service. The
// errors describe what failed and never include the candidate value.
func validators(openAIBaseURL string) map[string]rotation.Validator {
	return map[string]rotation.Validator{
		"database-url":           scrubbed(checkDatabase),
		"migration-database-url": scrubbed(checkDatabase),
		"redis-url":              scrubbed(checkRedis),
		"openai-api-key":         scrubbed(checkOpenAIKey(openAIBaseURL)),
	}
}

// checkDatabase connects and runs SELECT 1.
func checkDatabase(ctx context.Context, value string) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	cfg, err := pgx.ParseConfig(value)
	if err != nil {
		return errors.New("not a PostgreSQL connection string")
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL at %s: %w", cfg.Host, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("SELECT 1: %w", err)
	}
	return nil
}

// checkRedis sends PING.
func checkRedis(ctx context.Context, value string) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	opts, err := redis.ParseURL(value)
	if err != nil {
		return errors.New("not a redis:// or rediss:// URL")
	}
	opts.MaxRetries = -1
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("PING %s: %w", opts.Addr, err)
	}
	return nil
}

// checkOpenAIKey lists the provider's models with the candidate key.
func checkOpenAIKey(baseURL string) rotation.Validator {
	return func(ctx context.Context, value string) error {
		ctx, cancel := context.WithTimeout(ctx, checkTimeout)
		defer cancel()
		env := map[string]string{"OPENAI_API_KEY": value}
		if baseURL != "" {
			env["OPENAI_BASE_URL"] = baseURL
		}
		cfg, err := config.LoadFrom[config.AI](env)
		if err != nil {
			return err
		}
		if err := ai.New(cfg, 0).ListModels(ctx); err != nil {
			// The provider's own message may quote part of the key: only its kind is kept.
			return fmt.Errorf("list models at %s: %w", cfg.BaseURL, ai.Classify(err))
		}
		return nil
	}
}

// scrubbed removes the value and any password inside it from the
// validator's error, whatever a library put there.
func scrubbed(check rotation.Validator) rotation.Validator {
	return func(ctx context.Context, value string) error {
		err := check(ctx, value)
		if err == nil {
			return nil
		}
		msg := err.Error()
		for _, s := range sensitiveParts(value) {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
		return errors.New(msg)
	}
}

func sensitiveParts(value string) []string {
	parts := []string{value}
	if u, err := url.Parse(value); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			parts = append(parts, p, url.QueryEscape(p))
		}
	}
	return slices.DeleteFunc(parts, func(s string) bool { return len(s) < 4 })
}

func names(m map[string]rotation.Validator) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
