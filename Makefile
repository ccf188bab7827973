# Wenji: `make run` serves the archive on http://127.0.0.1:$(PORT); `make test`
# runs ruff and the suite on SQLite, then on PostgreSQL.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PG_URL ?= postgres://postgres@127.0.0.1:5432/wenji
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint install migrate seed index serve clean messages check-migrations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The index is rebuilt from the database only when it is missing; the import
# then indexes just the essays it created or changed.
index: migrate
	@[ -d "$${WENJI_VAR_DIR:-var}/search_index" ] || $(BIN)/python manage.py rebuild_index --noinput --verbosity 1

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

test-sqlite: install
	DATABASE_URL= $(BIN)/pytest

test-postgres: install
	@.ci/ensure-postgres
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

test: lint check-migrations test-sqlite test-postgres

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
