# The two commands of the README: `make run` and `make test`.
# Both create .venv on first use and reinstall when pyproject.toml changes.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types coverage install clean browser-notice

# The browser tests drive Debian's chromium, and some load npm packages (the
# real next-auth client, axe-core, TypeScript) that `npm ci` installs. Without
# them those tests are skipped: browser-notice says so before anything runs,
# and pytest prints each skip's reason (-rs).
NUXT_PACKAGES := examples/nuxt/node_modules/.package-lock.json
ifneq ($(shell command -v npm 2>/dev/null),)
NODE_DEPS := node_modules/.package-lock.json
# The Nuxt example's packages too (tests/test_nuxt_*.py build it themselves).
NUXT_NODE_DEPS := $(NUXT_PACKAGES)
endif

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "django-useauth needs Python 3.11 or newer; set PYTHON=python3.X")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable . --group dev
	@touch $@

install: $(STAMP)

# The demo site on PORT and the demo OpenID Connect IdP on IDP_PORT (PORT+1).
run: $(STAMP)
	PORT=$(PORT) sh testproject/run-demo.sh $(BIN)/python

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

ifdef NODE_DEPS
$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@
endif

coverage: $(STAMP) $(NODE_DEPS) $(NUXT_NODE_DEPS)
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest $(PYTEST_ARGS)
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report --fail-under=100

test: browser-notice lint types coverage

browser-notice:
	@if ! command -v chromium >/dev/null 2>&1 && [ -z "$$USEAUTH_CHROMIUM" ]; then \
	  echo "NOTE: chromium is not installed: the browser tests (every BrowserTestCase of tests/browser.py:" \
	  "test_browser_*.py, test_useauth_js.py, test_nextauth_client.py) will be skipped."; \
	  echo "      Install it with: apt-get install chromium"; \
	fi
	@if ! command -v npm >/dev/null 2>&1 && [ ! -d node_modules/next-auth ]; then \
	  echo "NOTE: npm is not installed: the tests that need node_modules (the next-auth client," \
	  "axe-core, the TypeScript check of useauth.d.ts) will be skipped."; \
	  echo "      Install Node.js and npm with: apt-get install nodejs npm (make test then runs npm ci)"; \
	fi
	@if [ ! -d examples/nuxt/node_modules ]; then \
	  echo "NOTE: examples/nuxt/node_modules is missing: the Nuxt tests (tests/test_nuxt_*.py) will be" \
	  "skipped. Install and build the example with: make nuxt (Node.js 20.19 or newer)"; \
	fi

clean:
	rm -rf $(VENV) node_modules test-artifacts .tox .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache
	rm -rf examples/nuxt/node_modules examples/nuxt/.nuxt examples/nuxt/.output-*

# `make bench`: the benchmark of docs/benchmarks.md, in its own venv with
# benchmarks/requirements.txt, the Auth.js peer from benchmarks/authjs (npm ci)
# and Debian's wrk and valgrind (installed with apt-get when missing).
# ROUNDS=1 DURATION=2 make bench is a quick run.
BENCH_VENV := benchmarks/.venv
BENCH_STAMP := $(BENCH_VENV)/.installed
BENCH_NODE_DEPS := benchmarks/authjs/node_modules/.package-lock.json
BENCH_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BENCH_STAMP): pyproject.toml benchmarks/requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "the benchmark needs Python 3.11 or newer; set PYTHON=python3.X")'
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet --editable . -r benchmarks/requirements.txt
	@touch $@

$(BENCH_NODE_DEPS): benchmarks/authjs/package.json benchmarks/authjs/package-lock.json
	cd benchmarks/authjs && npm ci --no-audit --no-fund
	@touch $@

.PHONY: bench
bench: $(BENCH_STAMP) $(BENCH_NODE_DEPS)
	@for tool in wrk valgrind; do \
	  if ! command -v $$tool >/dev/null 2>&1; then \
	    echo "$$tool is missing: apt-get install -y $$tool"; \
	    $(BENCH_SUDO) apt-get update -qq && $(BENCH_SUDO) apt-get install -y $$tool || exit 1; \
	  fi; \
	done
	$(BENCH_VENV)/bin/python -m benchmarks.run

# `make nuxt`: the Nuxt example (examples/nuxt, docs/nuxt.md) that
# tests/test_nuxt_*.py drive: its node_modules (npm ci), then its two
# production builds, each redone only when its sources or lock file changed
# (tests/nuxt.py). The tests build what is missing themselves; this builds
# ahead of them.
NUXT_DIR := examples/nuxt

$(NUXT_PACKAGES): $(NUXT_DIR)/package.json $(NUXT_DIR)/package-lock.json
	cd $(NUXT_DIR) && npm ci --no-audit --no-fund
	@touch $@

.PHONY: nuxt
nuxt: $(STAMP) $(NUXT_PACKAGES)
	$(BIN)/python -m tests.nuxt

# `make faults`: the fault-injection matrix of issue 16 (tests/faults): the
# demo under gunicorn and a steady load, on a Redis and a PostgreSQL of its own
# (redis-server, PostgreSQL's initdb), each store while Redis stops (with and
# without appendonly) or pauses, and while PostgreSQL stops. It prints a
# Markdown table and writes test-artifacts/faults.json. FAULTS_ARGS=--quick
# is a short run; --only STORE and --fault FAULT pick scenarios.
.PHONY: faults
faults: $(STAMP)
	$(BIN)/python -m tests.faults $(FAULTS_ARGS)
