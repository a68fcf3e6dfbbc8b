# The two commands of the README: `make run` and `make test`.
# Both create .venv on first use and reinstall when pyproject.toml changes.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types coverage install clean

# The browser tests load the real next-auth client from npm. Without npm they
# are skipped, and pytest prints why (-rs).
ifneq ($(shell command -v npm 2>/dev/null),)
NODE_DEPS := node_modules/.package-lock.json
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

coverage: $(STAMP) $(NODE_DEPS)
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest $(PYTEST_ARGS)
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report --fail-under=100

test: lint types coverage

clean:
	rm -rf $(VENV) node_modules test-artifacts .tox .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache
