# Two commands: `make run` (set up, migrate, load the demo, serve) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
JOB_WORKERS ?= 2
# A fresh schema of this database is created and dropped by each PostgreSQL test run.
POSTGRES_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export COSIGNE_DATA_DIR ?= $(CURDIR)/instance

.PHONY: install run test check test-sqlite test-postgres browser office node assets bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install assets office
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app demo
	@# The reference texts, when shared/ sits beside the repository (idempotent: checksums).
	@if [ -d ../shared/corpus ]; then $(BIN)/flask --app app kb ingest ../shared/corpus; fi
	@if [ -z "$$COSIGNE_SMTP_HOST" ]; then \
		echo "Aucun serveur SMTP (COSIGNE_SMTP_HOST non défini) : les e-mails sont conservés dans la boîte d'envoi," \
			"visibles des administrateurs sur http://$(HOST):$(PORT)/admin/outbox ; rien n'échoue."; fi
	@echo "Cosigne : http://$(HOST):$(PORT)"
	@# The job worker (app/jobs: e-mails, digests, deadline reminders; its queue in
	@# instance/jobs.db, no server) beside gunicorn, and stopped when gunicorn stops.
	@$(BIN)/flask --app app jobs worker --workers $(JOB_WORKERS) & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'app:create_app()'

# Debian's chromium for the end-to-end tests, and faketime that serves the app on a later
# day for the evaluation walk; installed when missing and we are root, otherwise those
# tests say why they are skipped.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v faketime >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installation de chromium et faketime (tests de bout en bout)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium faketime >/dev/null; \
	else echo "chromium ou faketime absent et installation impossible : les tests navigateur concernés seront ignorés."; fi

# LibreOffice Writer opens the Word exports in tests/e2e/test_libreoffice.py; installed
# when missing and we are root, otherwise those tests say why they are skipped.
office:
	@if command -v soffice >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installation de LibreOffice Writer (tests d'ouverture des exports Word)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null; \
	else echo "LibreOffice absent et installation impossible : les tests LibreOffice seront ignorés."; fi

# The rich-text editor's bundle (app/static/dist/editor.js and .css), built by esbuild
# from frontend/ with the exact packages of frontend/package-lock.json; rebuilt only when
# the lockfile, the build or a source changes (the stamp file).
ASSETS_STAMP := app/static/dist/.built
FRONTEND_SOURCES := frontend/package.json frontend/package-lock.json frontend/build.mjs $(wildcard frontend/src/*)

assets: $(ASSETS_STAMP)

$(ASSETS_STAMP): $(FRONTEND_SOURCES) | node
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	cd frontend && npm run --silent build
	touch $@

# Node.js and npm build the editor; Debian's are installed when missing and we are root.
node:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installation de Node.js et npm (construction de l'éditeur de texte)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	else echo "node et npm sont introuvables et ne peuvent être installés sans être root :" \
		"installez les paquets Debian nodejs et npm (ou Node.js 18 ou plus), puis relancez make." >&2; exit 1; fi

# The rules the code keeps, before any test runs: lint and format (ruff), the import
# contracts between app/, knowledge/ and workflows/ and around the features' doors
# (import-linter, in pyproject.toml), and the types (mypy).
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: install check assets browser office test-sqlite test-postgres

test-sqlite: install
	$(BIN)/python -m pytest

test-postgres: install
	@if $(BIN)/python -m tests.postgres_check "$(POSTGRES_TEST_URL)"; then \
		COSIGNE_TEST_DATABASE_URL="$(POSTGRES_TEST_URL)" $(BIN)/python -m pytest -m "not browser and not office"; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL injoignable ($(POSTGRES_TEST_URL)) alors que CI est défini : échec."; exit 1; \
	else echo "PostgreSQL injoignable ($(POSTGRES_TEST_URL)) : la série PostgreSQL est sautée."; fi

bench: install
	$(BIN)/python bench/bench_revisions.py
	$(BIN)/python bench/bench_collab.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_assistant.py
	$(BIN)/python bench/bench_digest.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
