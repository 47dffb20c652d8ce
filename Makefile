# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STATE := var/run
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install run test test-fast lint format messages dynamodb-local stop broker browser gettext bench clean

# Django's settings default to production (DEBUG off, HTTPS only, a SECRET_KEY of its own required):
# the app, the tests and the benchmarks run here in development mode, unless DEBUG is set already.
run test test-fast bench: export DEBUG ?= true

install: $(VENV)/.installed .cache/dynamodb-local/.fetched

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

.cache/dynamodb-local/.fetched: scripts/dynamodb_local.py | $(VENV)/.installed
	$(PY) scripts/dynamodb_local.py fetch
	@touch $@

dynamodb-local: install
	@$(PY) scripts/dynamodb_local.py start --data var/dynamodb --state $(STATE)

# Everything `make run` started: honcho (web, worker, beat), DynamoDB Local, and Redis if `make broker` started it.
stop:
	@$(PY) scripts/processes.py stop --state $(STATE)

broker: install
	@$(PY) scripts/ensure_broker.py --state $(STATE)

# Debian's gettext, for the catalog's tests and for makemessages/compilemessages.
gettext:
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)

# Debian's Chromium for the browser tests (a Playwright browser download cannot work here).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

run: install broker dynamodb-local
	@mkdir -p var
	@export DYNAMODB_ENDPOINT=http://127.0.0.1:$$(cat $(STATE)/dynamodb-local.port) PORT=$(PORT); \
	$(PY) manage.py migrate --noinput -v 0 && \
	$(PY) manage.py create_tables && \
	$(PY) manage.py seed_demo && \
	echo "Back office: http://127.0.0.1:$(PORT)/  (DynamoDB Local at $$DYNAMODB_ENDPOINT)" && \
	echo $$$$ > $(STATE)/honcho.pid && \
	exec honcho start -f Procfile

# Test processes (pytest-xdist): each has its own DynamoDB Local, table prefix and Celery queues.
TEST_WORKERS ?= 2
test: install broker browser gettext lint
	$(PY) -m pytest -n $(TEST_WORKERS) --durations=25

# ruff (lint and format check) and the import-linter layer contracts, all configured in pyproject.toml.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# Update the pt-BR catalog from the code and compile it (translate the new entries in between).
messages: install gettext
	DEBUG=true $(PY) manage.py makemessages -l pt_BR --no-obsolete --ignore='*/tests/*' --ignore=.venv --ignore=.cache --ignore=var --ignore=bench
	DEBUG=true $(PY) manage.py compilemessages -l pt_BR --ignore=.venv

# Apply ruff's fixes and formatting.
format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Everything but the slow end-to-end tests.
test-fast: install broker
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not slow"

# The benchmarks (not their helpers), each with RTT_MS of network round trip added to DynamoDB calls: make bench RTT_MS=10
BENCHES := $(filter-out bench/_setup.py bench/latency_proxy.py,$(wildcard bench/*.py))
RTT_MS ?= 0
bench: install broker
	@for script in $(BENCHES); do echo "== $$script --rtt-ms $(RTT_MS)"; $(PY) $$script --rtt-ms $(RTT_MS) || exit 1; done

clean: stop
	rm -rf var .pytest_cache
