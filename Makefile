# The two commands of the README:
#   make run    set up a virtual environment, an SQLite database with demo content and an
#               editor account, then serve the site at http://127.0.0.1:8000/
#   make test   run the whole test suite (DATABASE_URL selects the database)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format setup messages

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

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo
	$(PY) manage.py runserver $(HOST)

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

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
