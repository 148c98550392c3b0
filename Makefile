# amtsfluss — the two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
# the official KoSIT XRechnung configuration (release zip or folder), installed by `make run`
XRECHNUNG_RULES ?= ../shared/standards/xrechnung/validator-configuration-xrechnung-3.0.2
export PORT
HOST ?= 127.0.0.1
PYTHON := $(shell scripts/find-python)
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
AMTSFLUSS := $(BIN)/amtsfluss
# Bytecode of our own code, as uv writes it for the packages (--compile-bytecode): every
# process (web, worker, each command) then starts in about a second instead of compiling for
# several, also where PYTHONDONTWRITEBYTECODE keeps Python from caching it itself.
BYTECODE = $(BIN)/python -m compileall -q -j 0 src > /dev/null
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: help run test install install-test lint typecheck test-sqlite test-postgres audit-deps bench clean

help:
	@echo "make run   — install, migrate, load the demo, start web server and worker on http://$(HOST):$(PORT)"
	@echo "make test  — install test tools, then lint, type check and the suite on SQLite and PostgreSQL"
	@echo "make bench — run the benchmarks in bench/ (table + JSON in bench/results/)"

$(UV):
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found (see README)."; exit 1; }
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.8

$(VENV)/.run-installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --no-dev --compile-bytecode --python $(PYTHON)
	@touch $@

$(VENV)/.test-installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $(VENV)/.run-installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

debian-run:
	@scripts/debian-packages run

debian-test:
	@scripts/debian-packages test

install: debian-run $(VENV)/.run-installed node_modules/.installed
	$(BYTECODE)
	$(AMTSFLUSS) compilemessages --ignore '.venv' --ignore 'node_modules' -v 0
	$(AMTSFLUSS) collectstatic --noinput -v 0

install-test: debian-test $(VENV)/.test-installed node_modules/.installed
	$(BYTECODE)
	$(AMTSFLUSS) compilemessages --ignore '.venv' --ignore 'node_modules' -v 0
	$(AMTSFLUSS) collectstatic --noinput -v 0

run: install
	$(AMTSFLUSS) migrate --noinput -v 0
	@if [ -e "$(XRECHNUNG_RULES)" ]; then \
		$(AMTSFLUSS) erechnung rules install "$(XRECHNUNG_RULES)" --if-missing; \
	else echo "E-Rechnung: no rule pack at XRECHNUNG_RULES=$(XRECHNUNG_RULES) (see README)"; fi
	$(AMTSFLUSS) demo --if-empty
	$(AMTSFLUSS) siegel demo --mandant musterstadt
	$(AMTSFLUSS) serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests bench fuzz
	$(BIN)/ruff format --check src tests bench fuzz

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

test-sqlite: install-test
	$(BIN)/pytest -n 2 --dist loadgroup -q

test-postgres: install-test
	@if scripts/postgres-reachable; then \
		AMTSFLUSS_TEST_DATABASE_URL=$${AMTSFLUSS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/amtsfluss_test} \
		$(BIN)/pytest -n 2 --dist loadgroup -q; \
	else \
		echo "!!! PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL run is SKIPPED. !!!"; \
	fi

audit-deps: $(VENV)/.test-installed
	@mkdir -p var
	-$(UV) export --frozen --format requirements-txt --no-hashes --quiet > var/requirements-audit.txt 2>/dev/null || true
	-$(BIN)/pip-audit --progress-spinner off -r var/requirements-audit.txt --disable-pip --no-deps || echo "(pip-audit is a report, not a gate)"

test: install-test lint typecheck test-sqlite test-postgres audit-deps

bench: install-test
	$(BIN)/python -m bench

clean:
	rm -rf .venv .tools node_modules staticfiles .mypy_cache .ruff_cache
