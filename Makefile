# Wenji: `make run` serves the archive on http://127.0.0.1:$(PORT); `make test`
# runs ruff and the suite on SQLite, then on PostgreSQL.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PG_URL ?= postgres://postgres@127.0.0.1:5432/wenji
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The browser tests use Debian's Chromium; Playwright never downloads one.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test test-sqlite test-postgres lint install migrate seed index serve clean messages check-migrations browser-deps node-deps screenshots bench bench-deps profile-import

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The index is repaired from the database: only what it lacks or holds stale
# (everything for a new index); the import then indexes just the essays it
# created or changed, and repairs what an earlier crashed run left out.
index: migrate
	$(BIN)/python manage.py ensure_search_index

seed: index
	$(BIN)/python manage.py import_seeds seeds/

run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Wenji is at http://$(HOST):$(PORT)/"
	$(BIN)/gunicorn archive.wsgi --bind $(HOST):$(PORT) --workers 2 --preload --access-logfile -

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0

# For the browser tests (tests/browser): Debian's Chromium and CJK fonts, and
# Java for the Nu HTML checker. Each is installed only when it is missing.
browser-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# axe-core and vnu.jar, pinned by package-lock.json. --ignore-scripts: vnu-jar's
# install script would fetch a Java runtime; the system's Java is used instead.
$(NODE_STAMP): package.json package-lock.json | browser-deps
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node-deps: $(NODE_STAMP)

test-sqlite: install browser-deps node-deps
	DATABASE_URL= $(BIN)/pytest

test-postgres: install browser-deps node-deps
	@.ci/ensure-postgres
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

test: lint check-migrations test-sqlite test-postgres

# wrk (Debian's package) for the throughput runs, installed only when missing.
bench-deps:
	@command -v wrk >/dev/null 2>&1 || { echo "apt-get install wrk"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

# Pages, throughput, imports and search on synthetic corpora (not part of
# `make test`): writes docs/benchmarks.md and its PNG plots. Corpora built
# before are reused (--keep); the whole run takes about half an hour (the
# corpora and the 100,000-essay import); BENCH_ESSAYS="2000 20000" and
# BENCH_IMPORT=5000 for a quick one. The cached run uses (and flushes) Redis
# database 3: BENCH_REDIS= to skip.
BENCH_ESSAYS ?= 2000 20000 100000
BENCH_IMPORT ?= 100000
BENCH_REDIS ?= redis://127.0.0.1:6379/3
bench: install bench-deps
	$(BIN)/python -m bench.run --essays $(BENCH_ESSAYS) --keep --import-essays $(BENCH_IMPORT) \
	  --redis-url "$(BENCH_REDIS)" --output docs/benchmarks.md

# Where an import's time goes, function by function: the benchmark's import
# under py-spy (requirements-dev.txt), every process sampled; writes
# docs/import-profile.md. About two minutes at 20,000 essays.
PROFILE_IMPORT ?= 20000
profile-import: install
	$(BIN)/python -m bench.profile_import $(PROFILE_IMPORT) --output docs/import-profile.md

# PNGs for the README, taken from a running server (`make run` in another
# terminal): SCREENSHOT_URL=http://127.0.0.1:8000 by default.
SCREENSHOT_URL ?= http://$(HOST):$(PORT)
screenshots: install browser-deps
	$(BIN)/python docs/screenshots/make_screenshots.py --base-url $(SCREENSHOT_URL)

# Refresh the English catalogue after changing UI strings; commit both files.
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore ".venv/*" --ignore "var/*" --ignore "node_modules/*" --ignore "tests/*" --ignore "bench/*"
	$(BIN)/python manage.py compilemessages --ignore ".venv/*" --ignore "node_modules/*"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules
