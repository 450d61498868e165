# Macro AI — every command a person needs. `make dev` runs it all locally,
# `make test` runs the tests; both install what they need first.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Lambda runs arm64 (Graviton); make dev, invoke, bench and test build for this machine.
ARCH      ?= arm64
HOST_ARCH := $(shell go env GOARCH)
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
FUNCTIONS := $(notdir $(wildcard functions/*))
MODULES    = $(shell go list -m | sed 's|$$|/...|')
BUILD_DIR := .build
GOFLAGS_LAMBDA := -tags lambda.norpc -trimpath -ldflags "-s -w -X github.com/macro-ai/macro-ai/shared/observe.Version=$(VERSION)"

.PHONY: help deps build build-host test test-short vet dev code invoke metrics bench deploy deploy-web clean web web-test soak load $(FUNCTIONS:%=fn-%)

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

deps: ## install PostgreSQL+pgvector, Redis, cognito-local, Chromium and the Go modules (idempotent)
	@local/scripts/install-deps.sh
	@go mod download $$(go list -m) >/dev/null 2>&1 || true

build: ## build every function's bootstrap for ARCH (default arm64) into .build/ARCH/NAME/
	@$(MAKE) --no-print-directory $(FUNCTIONS:%=fn-%)
	@ls -l $(BUILD_DIR)/$(ARCH)/*/bootstrap | awk '{printf "  %-10s %s\n", $$5, $$9}'

build-host: ## build every function for this machine (what dev, invoke, bench and test run)
	@$(MAKE) --no-print-directory build ARCH=$(HOST_ARCH) >/dev/null

$(FUNCTIONS:%=fn-%): fn-%:
	@cd functions/$* && CGO_ENABLED=0 GOOS=linux GOARCH=$(ARCH) \
		go build $(GOFLAGS_LAMBDA) -o $(CURDIR)/$(BUILD_DIR)/$(ARCH)/$*/bootstrap .

# SAM's makefile builder: `sam build` calls build-<LogicalId> with ARTIFACTS_DIR
# set. HealthFunction builds functions/health, AuthSignUpFunction functions/auth-sign-up.
build-%Function:
	@fn=$$(echo '$*' | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr 'A-Z' 'a-z'); \
	cd functions/$$fn && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 \
		go build $(GOFLAGS_LAMBDA) -o $(ARTIFACTS_DIR)/bootstrap .

vet: ## gofmt check, go vet and staticcheck over every module, actionlint over .github/workflows
	@unformatted=$$(gofmt -l shared functions local | grep -v node_modules || true); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	@go vet $(MODULES)
	@go tool staticcheck $(MODULES)
	@go tool actionlint

STAGE = local/scripts/stage.sh
test: ## vet, every module's tests with -race against a real local stack, then make web-test; each stage timed
	@$(STAGE) deps $(MAKE) --no-print-directory deps
	@$(STAGE) vet $(MAKE) --no-print-directory vet
	@$(STAGE) build-host $(MAKE) --no-print-directory build-host
	@$(STAGE) go-tests go run ./local/cmd/localstack test -- go test -race -count=1 $(MODULES)
	@$(STAGE) web-test $(MAKE) --no-print-directory web-test WEB_TEST_DEPS=

# -short skips every test that needs the local stack (testenv.Get and the
# servers a test starts itself): no deps, no build, no stack.
test-short: ## the tests that need no server, in seconds: go test -short over every module
	@go test -short $(MODULES)

dev: deps build-host ## run the whole stack locally (Ctrl-C stops it)
	@$(MAKE) --no-print-directory web
	@go run ./local/cmd/localstack up

# The web app: npm ci when web/node_modules is missing or older than the lockfile,
# then a build unless web/dist is newer than every source (fast when up to date).
# The build checks web/src/api/schema.d.ts against openapi.yaml (npm run types
# regenerates it) and renders openapi.yaml into web/dist/docs/index.html, the
# page the local gateway serves at /docs: a change to openapi.yaml rebuilds.
WEB_SRC = web/src web/public web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json web/scripts \
	web/tools/openapi-types/generate.mjs web/tools/openapi-types/package.json openapi.yaml
web: ## build the web app and its /docs page into web/dist when their sources (openapi.yaml too) or VITE_API_URL/VITE_STREAM_URL changed
	@if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then \
		cd web && npm ci --no-audit --no-fund --loglevel=error; fi
	@want="$${VITE_API_URL:-}|$${VITE_STREAM_URL:-}"; have=$$(cat web/dist/.build-env 2>/dev/null || echo none); \
	if [ ! -f web/dist/index.html ] || [ "$$want" != "$$have" ] || [ -n "$$(find $(WEB_SRC) -newer web/dist/index.html -print -quit)" ]; then \
		cd web && { npm run --silent build && echo "$$want" > dist/.build-env || { rm -f dist/index.html; exit 1; }; }; \
	else echo "web/dist is up to date"; fi

# make test has run deps and build-host already, and passes WEB_TEST_DEPS= .
WEB_TEST_DEPS ?= deps build-host
web-test: $(WEB_TEST_DEPS) web ## the web app's unit tests (Vitest), then its e2e test in headless Chromium on a local stack
	@cd web && npm test --silent
	@cd web && npm run --silent e2e

load: deps build-host ## load and fault run on a local stack: cold burst, warm, concurrent chat turns, fault matrix; .local/load/
	@go run ./local/cmd/load $(LOAD_FLAGS)

RUNS ?= 10
SOAK_TARGET ?= web-test
soak: ## RUNS (10) fresh clones of HEAD each running make SOAK_TARGET (web-test) beside a CPU-heavy job; stops at the first failure
	@local/scripts/soak.sh $(RUNS) $(SOAK_TARGET)

code: ## the latest sign-up/reset code cognito-local "e-mailed": make code EMAIL=you@example.com
	@go run ./local/cmd/localstack code $(EMAIL)

metrics: ## the app's EMF metrics in make dev's log, summed as CloudWatch would (METRICS_FLAGS="-since 10m", "-log FILE")
	@go run ./local/cmd/localstack metrics $(METRICS_FLAGS)

invoke: build-host ## one invocation: make invoke FN=health EVENT=events/health.json
	@go run ./local/cmd/invoke -fn $(FN) -event $(EVENT)

bench: SCALE ?= 100000
bench: deps build-host build ## functions (cold start, arm64 size, memory, latency), chat turn, tracing; vector search of SCALE messages (default 100000); .local/bench/
	@rc=0; go run ./local/cmd/bench || rc=$$?; \
	go run ./local/cmd/vectorbench -scale $(SCALE) || rc=$$?; exit $$rc

# --parameter-overrides on the command line replaces samconfig's, so Stage is
# always passed with whatever PARAMS adds (AlertEmail=…, AppOrigin=…): a prod
# deploy can never fall back to the dev stage's secrets. VERSION goes into the
# build (SAM runs build-<LogicalId> below; samconfig builds in the source
# tree). CI adds DEPLOY_FLAGS=--no-confirm-changeset: it has no terminal.
STAGE ?= dev
PARAMS ?=
DEPLOY_FLAGS ?=
deploy: ## sam build + sam deploy of STAGE (dev or prod) with PARAMS="AlertEmail=…", then make deploy-web; see the README
	VERSION=$(VERSION) sam build --config-env $(STAGE)
	sam deploy --config-env $(STAGE) --parameter-overrides Stage=$(STAGE) $(PARAMS) $(DEPLOY_FLAGS)
	local/scripts/deploy-web.sh $(WEB_DEPLOY_FLAGS) $(STAGE)

# The web app alone: web/dist built with STAGE's stack outputs (VITE_API_URL,
# VITE_STREAM_URL), uploaded to its bucket with its Cache-Control, index.html
# invalidated. WEB_DEPLOY_FLAGS=--dry-run prints the commands instead.
WEB_DEPLOY_FLAGS ?=
deploy-web: ## build web/dist with STAGE's stack outputs, upload it to the stack's app bucket, invalidate index.html
	local/scripts/deploy-web.sh $(WEB_DEPLOY_FLAGS) $(STAGE)

clean: ## remove build output (keeps .local/ state; rm -rf .local to reset it)
	rm -rf $(BUILD_DIR) .aws-sam
