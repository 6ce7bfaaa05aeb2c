# SCS Portal — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
# uv resolves for every platform and Python >= 3.11; hashes of every file of each pinned release
LOCK := $(PY) -m uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock"

.PHONY: run test lint format lock messages gettext browser pdf-libs services services-stop clean-data bench-seed

# Dependencies come from the lock files, every file checked against its hash (pip and the
# setuptools that builds the project included); the project itself adds none (--no-deps).
$(VENV)/.installed: requirements/base.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes -r requirements/base.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.lock
	$(PIP) install --require-hashes -r requirements/test.lock
	touch $@

## Run the portal: embedded PostgreSQL + Redis unless DATABASE_URL / REDIS_URL are set,
## migrate, seed demo data once, web on 127.0.0.1:8000 + Celery worker + beat.
run: $(VENV)/.installed
	@$(MAKE) --no-print-directory pdf-libs || echo "The verifiable credit report (PDF) stays unavailable until then." >&2
	$(PY) -m scs_portal.run serve

## Lint, then the whole test suite (unit, integration, real-browser).
test: $(VENV)/.installed-test browser pdf-libs lint
	$(PY) -m scs_portal.run test

## ruff; mypy on services, selectors and tasks ([tool.mypy] in pyproject.toml); the lock files
## cover pyproject.toml; the translation catalog is complete and current.
lint: $(VENV)/.installed-test gettext
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	# django-stubs loads the settings: the development defaults, no secrets needed
	DJANGO_DEBUG=true $(PY) -m mypy
	$(PY) scripts/check_lock.py
	$(PY) scripts/catalog.py check

format: $(VENV)/.installed-test
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## Refresh requirements/*.lock from pyproject.toml and requirements/build.in: keeps the current
## pins where they still fit; `make lock UPGRADE=1` takes the newest releases of everything,
## `make lock UPGRADE_PACKAGE=chinesecalendar` of that package only.
lock: $(VENV)/.installed-test
	$(LOCK) $(if $(UPGRADE),--upgrade) $(if $(UPGRADE_PACKAGE),--upgrade-package $(UPGRADE_PACKAGE)) \
		--extra test -o requirements/test.lock \
		pyproject.toml requirements/build.in
	$(LOCK) -c requirements/test.lock -o requirements/base.lock pyproject.toml requirements/build.in

## Translation catalog: makemessages into locale/ and compile the .mo. Fill in the new msgstr
## in locale/zh_Hans/LC_MESSAGES/django.po, then run it again (CONTRIBUTING.md).
messages: $(VENV)/.installed-test gettext
	$(PY) scripts/catalog.py update

## GNU gettext (makemessages, msgfmt) for the catalog: Debian's package, like chromium below.
gettext:
	@if ! command -v msgfmt >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gettext >/dev/null) ; \
	  else \
	    echo "gettext is missing: sudo apt-get install gettext" >&2; exit 1; \
	  fi; \
	fi

## Debian's Chromium for the browser tests (never a browser download by a test tool).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null) ; \
	  else \
	    echo "chromium is missing: sudo apt-get install chromium fonts-noto-cjk" >&2; exit 1; \
	  fi; \
	fi

## Debian's libraries for the verifiable credit report: pango and HarfBuzz's subsetter, which
## WeasyPrint renders and embeds fonts with, the Noto CJK fonts it embeds (also installed with
## chromium above), and poppler-utils' pdftotext/pdffonts, which the tests read the PDF with.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils
pdf-libs:
	@if [ "$$(dpkg-query -W -f='$${db:Status-Status}\n' $(PDF_PACKAGES) 2>/dev/null | grep -cx installed)" \
	      != "$(words $(PDF_PACKAGES))" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PDF_PACKAGES) >/dev/null) ; \
	  else \
	    echo "missing for the PDF credit report: sudo apt-get install $(PDF_PACKAGES)" >&2; exit 1; \
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
