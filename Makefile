# SCS Portal — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test lint format browser services services-stop clean-data bench-seed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -e ".[test]"
	touch $@

## Run the portal: embedded PostgreSQL + Redis unless DATABASE_URL / REDIS_URL are set,
## migrate, seed demo data once, web on 127.0.0.1:8000 + Celery worker + beat.
run: $(VENV)/.installed
	$(PY) -m scs_portal.run serve

## Lint, then the whole test suite (unit, integration, real-browser).
test: $(VENV)/.installed-test browser lint
	$(PY) -m scs_portal.run test

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed-test
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## Debian's Chromium for the browser tests (never a browser download by a test tool).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null) ; \
	  else \
	    echo "chromium is missing: sudo apt-get install chromium fonts-noto-cjk" >&2; exit 1; \
	  fi; \
	fi

services: $(VENV)/.installed
	$(PY) -m scs_portal.embedded start

services-stop: $(VENV)/.installed
	$(PY) -m scs_portal.embedded stop

## Delete the embedded servers' data (the next `make run` starts from scratch).
clean-data: $(VENV)/.installed
	$(PY) -m scs_portal.embedded destroy

## Large synthetic data set for benchmarks (1M subjects / 3M records by default).
bench-seed: $(VENV)/.installed
	$(PY) -m scs_portal.embedded start
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput -v0
	DJANGO_DEBUG=true $(PY) manage.py seed_demo --bulk --subjects $${SUBJECTS:-1000000}
