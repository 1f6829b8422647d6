# The two commands of the README:
#   make run    set up a virtual environment, an SQLite database with demo content and an
#               editor account, then serve the site at http://127.0.0.1:8000/
#   make test   run the whole test suite (DATABASE_URL selects the database)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format setup messages browser bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Translations are compiled from the committed .po files; the .mo files are not in git.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(MO_FILES): %.mo: %.po $(STAMP)
	$(PY) scripts/compile_messages.py

setup: $(STAMP) $(MO_FILES)
	@mkdir -p var

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo
	$(PY) manage.py runserver $(HOST)

test: setup browser
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (never a downloaded browser) and audit the
# pages with axe-core from npm. Without them those tests are skipped with the reason;
# CI sets PRESSROOM_REQUIRE_BROWSER=1, which turns a missing piece into a failure.
CHROMIUM ?= /usr/bin/chromium
AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else \
		echo "npm is missing (apt-get install npm): the accessibility audits will be skipped."; \
	fi

# Programs from Debian the tests run: Chromium for the browser tests, nginx, wrk and
# redis-server for the deployment, fault, load and benchmark tests. `make test` installs
# the missing ones with apt-get when it runs as root.
APT_PROGRAMS := $(CHROMIUM):chromium /usr/sbin/nginx:nginx-light /usr/bin/wrk:wrk \
	/usr/bin/redis-server:redis-server

browser: $(AXE)
	@missing=""; for pair in $(APT_PROGRAMS); do \
		[ -x "$${pair%%:*}" ] || missing="$$missing $${pair##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get install -y --no-install-recommends $$missing || \
			{ apt-get update && apt-get install -y --no-install-recommends $$missing; }; \
		else \
			echo "Missing Debian packages:$$missing. They cannot be installed here (needs root" \
				"and apt-get): run 'apt-get install$$missing' as root; the tests that need" \
				"them will be skipped."; \
		fi; \
	fi

# The benchmark (docs/performance.md): needs PostgreSQL (BENCH_POSTGRES, default
# postgres://postgres@127.0.0.1:5432), wrk, nginx and redis-server.
ARTICLES ?= 1000
bench: setup
	$(PY) bench/run.py --articles $(ARTICLES) $(BENCH_ARGS)

lint: setup
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# For developers who add strings: needs GNU gettext (apt-get install gettext).
messages: setup
	$(PY) manage.py makemessages --locale ru --ignore ".venv/*" --ignore "demo/*" --no-obsolete
	$(PY) scripts/compile_messages.py
