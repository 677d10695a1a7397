# まなび+ (Manabi Plus) — the two commands of the README are `make run` and `make test`.
# Each installs what it needs on a fresh Debian machine and is quick the second time.

SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
RUN := $(UV) run --frozen
WEB_SOURCES := $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print 2>/dev/null)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export UV_PYTHON_DOWNLOADS := never

.PHONY: help run reset test dr-drill lint typecheck unit integration infra e2e synth deploy diff smoke bench codegen inventory system-packages clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-16s %s\n", $$1, $$2}'

run: .venv/.stamp web/dist/index.html system-packages ## install everything and run the whole system on this machine
	$(RUN) python -m manabi_local run

reset: .venv/.stamp web/dist/index.html system-packages ## delete the kept local data (.local/state) and run the system empty
	$(RUN) python -m manabi_local run --fresh

test: .venv/.stamp node_modules/.stamp web/dist/index.html system-packages ## install everything and run every check and test
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports
	$(RUN) python tools/codegen.py --check
	npm --prefix web run check:api --silent
	npm --prefix web test --silent
	$(RUN) pytest

lint: .venv/.stamp ## ruff, mypy and the layer contracts (import-linter)
	$(RUN) ruff check . && $(RUN) ruff format --check . && $(RUN) mypy && $(RUN) lint-imports

unit: .venv/.stamp ## unit tests (no network)
	$(RUN) pytest tests/unit

integration: .venv/.stamp ## adapters against the embedded AWS emulator
	$(RUN) pytest tests/integration

infra: .venv/.stamp ## assertions on the synthesized templates
	$(RUN) pytest tests/infra

e2e: .venv/.stamp web/dist/index.html system-packages ## the local system in headless Chromium
	$(RUN) pytest tests/e2e

synth: .venv/.stamp ## synthesize the CloudFormation templates into cdk.out/
	$(RUN) python -m manabi_infra.synth

# GL-DEP-01: the whole deploy of one environment from a fresh clone (docs/decisions/0029):
# credentials and account check, bootstrap check, synth, every stack in dependency order, the
# URLs. DRY_RUN=1 prints the plan and calls no AWS API. Production asks for a typed
# confirmation unless CI=true.
ENV ?=
DEPLOY_FLAGS := $(if $(filter 1 true yes,$(DRY_RUN)),--dry-run,) $(if $(WORKLOAD_REGION),--workload-region $(WORKLOAD_REGION),) $(if $(filter 1 true yes,$(CLAIM_ALIASES)),--claim-aliases,) $(if $(SERVING_TABLE),--serving-table $(SERVING_TABLE),)
deploy: .venv/.stamp node_modules/.stamp web/dist/index.html ## deploy one environment: make deploy ENV=staging|production [DRY_RUN=1] [SERVING_TABLE=t] [WORKLOAD_REGION=ap-northeast-3 [CLAIM_ALIASES=1]]
	@test -n "$(ENV)" || { echo "Name the environment: make deploy ENV=staging (or ENV=production)."; exit 2; }
	$(RUN) python -m manabi_infra.deploy deploy --env $(ENV) $(DEPLOY_FLAGS)

diff: .venv/.stamp node_modules/.stamp web/dist/index.html ## what a deploy would change: make diff ENV=staging|production
	@test -n "$(ENV)" || { echo "Name the environment: make diff ENV=staging (or ENV=production)."; exit 2; }
	$(RUN) python -m manabi_infra.deploy diff --env $(ENV) $(DEPLOY_FLAGS)

smoke: .venv/.stamp ## is a deployed site answering as it should: make smoke URL=https://… [EXECUTE_API_URL=…]
	@test -n "$(URL)" || { echo "Name the site: make smoke URL=https://manabiplus.example.jp (make deploy prints the line)."; exit 2; }
	$(RUN) python -m manabi_ops.smoke --site $(URL) $(if $(EXECUTE_API_URL),--execute-api $(EXECUTE_API_URL),)

inventory: .venv/.stamp ## regenerate docs/data-classification.md from the templates (GL-AUD-01)
	$(RUN) python -m manabi_infra.inventory

codegen: .venv/.stamp ## regenerate the request validators and docs/openapi.json
	$(RUN) python tools/codegen.py

bench: .venv/.stamp system-packages ## benchmarks: API cold start, warm latency, round trips; virus scans; local load
	$(RUN) python bench/cold_start.py
	$(RUN) python bench/warm_latency.py
	$(RUN) python bench/round_trips.py
	$(RUN) python bench/scan_latency.py
	$(RUN) python bench/load.py

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.stamp: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	touch $@

# The pinned AWS CDK CLI (package.json, package-lock.json): node_modules/.bin/cdk.
node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

web/node_modules/.stamp: web/package.json web/package-lock.json
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a==20&&b<19)) { console.error("Node.js >= 20.19 is needed for the web build (found " + process.version + ")."); process.exit(1) }'
	npm ci --prefix web --no-audit --no-fund
	touch $@

web/dist/index.html: web/node_modules/.stamp $(WEB_SOURCES)
	npm run --prefix web build

# Debian packages the tests and `make run` need: Chromium for the browser tests, ClamAV's
# clamd for the virus scanner (MP-AV-01; its database is generated at start) and freshclam for
# the definitions updater's test against a local mirror (MP-AV-04).
system-packages:
	@scripts/install-system-packages.sh chromium fonts-ipafont-gothic clamav clamav-daemon clamav-freshclam

clean: ## remove build outputs (keeps .venv, node_modules and the local data; `make reset` empties that)
	rm -rf build cdk.out web/dist .local/emulator.log

dr-drill: .venv/.stamp ## the DR runbook end to end on the emulator: seed, back up, destroy, restore, verify
	$(RUN) python -m tests.integration.dr_drill
