# Porchlight: `make run` serves the demo, `make test` runs the suite. Both do all set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every Django step runs with the URLs that scripts/services.sh found or started.
WITH_SERVICES := set -a && . ./.local/services.env && set +a &&
MANAGE := $(BIN)/python manage.py
# The port `make run` serves on: PORT=8123 make run (or make run PORT=8123).
PORT ?= 8000
export PORT

.PHONY: help setup services migrate static messages run run-prod seed test coverage lint format clean

help:
	@echo "make run    - set everything up and serve the demo departments on :$(PORT) (PORT=8123 make run for another)"
	@echo "make run-prod - the demo as production runs it: nginx with TLS on https://localhost:8443/ in front of"
	@echo "               2 server processes, 2 Celery workers, an intake worker and a beat (WEB_PROCESSES=4 HTTPS_PORT=8444 for others)"
	@echo "make test   - set everything up and run the whole test suite"
	@echo "make coverage - the test suite with line coverage (about twice as slow)"
	@echo "make lint   - ruff (lint + format check), mypy (apps and tests) and the layer contracts (lint-imports)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Porchlight needs Python 3.11 or newer as '$(PYTHON)' (set PYTHON=... to choose another)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(STAMP)

services:
	@scripts/services.sh $(SERVICES_FLAGS)

# Leaflet and htmx come from npm, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && [ -f /etc/debian_version ] && \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }; } || \
	  { echo "Porchlight needs Node.js and npm for its front-end packages: install the Debian packages nodejs and npm."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Departments already up to date are skipped (one query); the others migrate in forked workers
# (tenants/migration_executors.py, PORCHLIGHT_MIGRATE_PROCESSES). Both run as the owner
# (DATABASE_URL); db_grants then gives the app role (DATABASE_APP_URL, what scripts/run.sh and
# scripts/prod.sh serve as) its privileges on every schema (docs/database-roles.md).
migrate: $(STAMP) services
	@$(WITH_SERVICES) $(MANAGE) migrate_schemas --executor=multiprocessing -v 0 && $(MANAGE) db_grants -v 0

static: $(STAMP) node_modules/.installed
	@$(MANAGE) collectstatic --noinput -v 0

messages: $(STAMP)
	@if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then $(MANAGE) compilemessages -v 0 --ignore=.venv; fi

setup: $(STAMP) services migrate static messages

seed: setup
	@$(WITH_SERVICES) PORCHLIGHT_PORT=$${PORCHLIGHT_PORT:-$(PORT)} $(MANAGE) seed_demo

# scripts/run.sh seeds (showing any error) and starts the Procfile's processes with honcho;
# the virtualenv's bin comes first on PATH, where the Procfile's commands are found.
run: setup
	@$(WITH_SERVICES) PATH="$(CURDIR)/$(BIN):$$PATH" scripts/run.sh

# scripts/prod.sh installs nginx if missing (as root on Debian), makes a self-signed certificate
# in .local/tls, writes .local/prod/nginx.conf, seeds, and starts Procfile.prod with honcho.
run-prod: setup
	@$(WITH_SERVICES) PATH="$(CURDIR)/$(BIN):$$PATH" scripts/prod.sh

# Browser tests need Debian's Chromium (and ffmpeg for camera stand-ins): services.sh installs them.
test: SERVICES_FLAGS := --with-browser
# Two pytest-xdist workers (TEST_WORKERS=1 for one process): much of the suite waits on the
# servers, workers and browsers it starts, so two processes finish it far sooner on 2 cores.
# "load" hands out tests in collection order, so each worker runs a part of the one-process
# order (tests that commit data into Rialto come after those that count it, as in one process);
# a module's fixtures start at most once per worker.
TEST_WORKERS ?= 2
test: setup
	@$(WITH_SERVICES) $(BIN)/pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist load)

# The suite with the line coverage of the test process (the servers and workers it starts are not
# measured). Not in `make test`: the tracer about doubles the suite's time, and CI has 30 minutes.
coverage: SERVICES_FLAGS := --with-browser
coverage: setup
	@$(WITH_SERVICES) $(BIN)/pytest --cov --cov-report=term:skip-covered --no-cov-on-fail $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist load)

# mypy's Django plugin loads the settings, and GeoDjango needs GDAL: services.sh installs it.
lint: $(STAMP) services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	scripts/services-stop.sh || true
	rm -rf $(VENV) .local .pytest_cache .mypy_cache .ruff_cache node_modules
