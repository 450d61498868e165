package testenv

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/macro-ai/macro-ai/shared/migrations"
)

// Env describes a running local stack: everything a test or a function needs to
// reach it. It is written to and read from a KEY=value file.
type Env struct {
	DatabaseURL         string // the migrated application database, direct (tests, migrations)
	PooledDatabaseURL   string // the same through PgBouncer in transaction mode, as FunctionsUser (the functions')
	PgBouncerPort       int
	PostgresAdminURL    string // the postgres database, as superuser
	PostgresPort        int
	RedisURL            string
	CognitoEndpoint     string
	CognitoUserPoolID   string
	CognitoClientID     string
	CognitoRegion       string
	CognitoDataDir      string // cognito-local's working folder (.cognito/db/<pool>.json)
	EmbeddingDimensions int
}

// StackOptions configures StartStack.
type StackOptions struct {
	Dir                 string // state folder: postgres/, redis/, cognito/
	PostgresPort        int    // 0 picks a free port
	PgBouncerPort       int
	RedisPort           int
	CognitoPort         int
	Database            string // name of the migrated database
	Durable             bool   // keep fsync and Redis snapshots (make dev)
	EmbeddingDimensions int
}

// Stack is PostgreSQL with pgvector behind PgBouncer, Redis and
// cognito-local, started together.
type Stack struct {
	Env       Env
	Postgres  *Postgres
	PgBouncer *PgBouncer
	Redis     *Redis
	Cognito   *Cognito
}

// StartStack starts the three servers concurrently, migrates the database and
// creates the user pool. State in opts.Dir is reused: a second start keeps the
// data, the pool and the client.
func StartStack(ctx context.Context, opts StackOptions) (*Stack, error) {
	if opts.Database == "" {
		opts.Database = "macro"
	}
	if opts.EmbeddingDimensions == 0 {
		opts.EmbeddingDimensions = 512
	}
	for _, p := range []*int{&opts.PostgresPort, &opts.PgBouncerPort, &opts.RedisPort, &opts.CognitoPort} {
		if *p == 0 {
			port, err := FreePort()
			if err != nil {
				return nil, err
			}
			*p = port
		}
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create stack dir: %w", err)
	}
	s := &Stack{}
	var wg sync.WaitGroup
	var pgErr, redisErr, cognitoErr error
	wg.Add(3)
	go func() {
		defer wg.Done()
		s.Postgres, pgErr = StartPostgres(ctx, filepath.Join(opts.Dir, "postgres"), opts.PostgresPort, PostgresOptions{Durable: opts.Durable})
	}()
	go func() {
		defer wg.Done()
		s.Redis, redisErr = StartRedis(filepath.Join(opts.Dir, "redis"), opts.RedisPort, opts.Durable)
	}()
	go func() {
		defer wg.Done()
		s.Cognito, cognitoErr = StartCognito(filepath.Join(opts.Dir, "cognito"), opts.CognitoPort)
	}()
	wg.Wait()
	if err := errors.Join(pgErr, redisErr, cognitoErr); err != nil {
		s.Stop()
		return nil, err
	}
	var err error
	if s.PgBouncer, err = StartPgBouncer(ctx, filepath.Join(opts.Dir, "pgbouncer"), opts.PgBouncerPort, opts.PostgresPort); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.prepare(ctx, opts); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Stack) prepare(ctx context.Context, opts StackOptions) error {
	if err := s.Postgres.CreateDatabase(ctx, opts.Database, ""); err != nil {
		return err
	}
	dbURL := s.Postgres.URL(opts.Database)
	if err := migrations.Apply(ctx, dbURL, opts.EmbeddingDimensions); err != nil {
		return err
	}
	if _, err := migrations.GrantApp(ctx, dbURL, AsFunctions(dbURL)); err != nil {
		return err
	}
	if err := s.Postgres.RecreateDatabase(ctx, opts.Database+TemplateSuffix, opts.Database); err != nil {
		return err
	}
	poolID, clientID, err := s.pool(ctx, filepath.Join(opts.Dir, "cognito", "macro-ai-pool.json"))
	if err != nil {
		return err
	}
	s.Env = Env{
		DatabaseURL:         dbURL,
		PooledDatabaseURL:   AsFunctions(s.PgBouncer.URL(opts.Database)),
		PgBouncerPort:       s.PgBouncer.Port,
		PostgresAdminURL:    s.Postgres.URL("postgres"),
		PostgresPort:        s.Postgres.Port,
		RedisURL:            s.Redis.URL(0),
		CognitoEndpoint:     s.Cognito.Endpoint(),
		CognitoUserPoolID:   poolID,
		CognitoClientID:     clientID,
		CognitoRegion:       CognitoRegion,
		CognitoDataDir:      filepath.Join(opts.Dir, "cognito"),
		EmbeddingDimensions: opts.EmbeddingDimensions,
	}
	return nil
}

// pool returns the pool and client recorded in path, creating them once.
func (s *Stack) pool(ctx context.Context, path string) (poolID, clientID string, err error) {
	var rec struct{ PoolID, ClientID string }
	if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &rec) == nil && rec.PoolID != "" {
		return rec.PoolID, rec.ClientID, nil
	}
	rec.PoolID, rec.ClientID, err = s.Cognito.CreatePool(ctx, "macro-ai")
	if err != nil {
		return "", "", err
	}
	b, _ := json.Marshal(rec)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return "", "", fmt.Errorf("record user pool: %w", err)
	}
	return rec.PoolID, rec.ClientID, nil
}

// Stop stops every server that started.
func (s *Stack) Stop() error {
	var errs []error
	if s.Cognito != nil {
		errs = append(errs, s.Cognito.Stop())
	}
	if s.Redis != nil {
		errs = append(errs, s.Redis.Stop())
	}
	if s.PgBouncer != nil {
		errs = append(errs, s.PgBouncer.Stop())
	}
	if s.Postgres != nil {
		errs = append(errs, s.Postgres.Stop())
	}
	return errors.Join(errs...)
}

// Vars returns the environment a function needs to use the stack.
func (e Env) Vars() map[string]string {
	return map[string]string{
		// The functions go through the pooler, as on Neon; migrations (their
		// advisory lock needs a session) and tests go direct.
		"DATABASE_URL":           e.PooledDatabaseURL,
		"MIGRATION_DATABASE_URL": e.DatabaseURL,
		"DIRECT_DATABASE_URL":    e.DatabaseURL,
		"PGBOUNCER_PORT":         fmt.Sprint(e.PgBouncerPort),
		"POSTGRES_ADMIN_URL":     e.PostgresAdminURL,
		"POSTGRES_PORT":          fmt.Sprint(e.PostgresPort),
		"REDIS_URL":              e.RedisURL,
		"COGNITO_ENDPOINT":       e.CognitoEndpoint,
		"COGNITO_USER_POOL_ID":   e.CognitoUserPoolID,
		"COGNITO_CLIENT_ID":      e.CognitoClientID,
		"COGNITO_REGION":         e.CognitoRegion,
		"COGNITO_DATA_DIR":       e.CognitoDataDir,
		"EMBEDDING_DIMENSIONS":   fmt.Sprint(e.EmbeddingDimensions),
	}
}

// WriteEnvFile writes vars as sorted KEY=value lines.
func WriteEnvFile(path string, vars map[string]string) error {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, vars[k])
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadEnvFile reads KEY=value lines; blank lines and # comments are skipped.
func ReadEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: bad line %q", path, line)
		}
		vars[k] = v
	}
	return vars, sc.Err()
}

// EnvFromVars is the inverse of Env.Vars.
func EnvFromVars(v map[string]string) (Env, error) {
	e := Env{
		DatabaseURL:       v["DIRECT_DATABASE_URL"],
		PooledDatabaseURL: v["DATABASE_URL"],
		PostgresAdminURL:  v["POSTGRES_ADMIN_URL"],
		RedisURL:          v["REDIS_URL"],
		CognitoEndpoint:   v["COGNITO_ENDPOINT"],
		CognitoUserPoolID: v["COGNITO_USER_POOL_ID"],
		CognitoClientID:   v["COGNITO_CLIENT_ID"],
		CognitoRegion:     v["COGNITO_REGION"],
		CognitoDataDir:    v["COGNITO_DATA_DIR"],
	}
	fmt.Sscan(v["POSTGRES_PORT"], &e.PostgresPort)
	fmt.Sscan(v["PGBOUNCER_PORT"], &e.PgBouncerPort)
	fmt.Sscan(v["EMBEDDING_DIMENSIONS"], &e.EmbeddingDimensions)
	for k, val := range e.Vars() {
		if val == "" || val == "0" {
			return Env{}, fmt.Errorf("stack env: %s is missing", k)
		}
	}
	return e, nil
}
