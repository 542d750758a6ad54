# Two commands set everything up on a fresh machine: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
LIGHTHOUSE := tests/lighthouse/node_modules/.installed
SITE_DIR := site
PORT ?= 8000
EDITIONS ?= all

.PHONY: site editions test lint serve check bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	@echo "Installing Carepath and its pinned dependencies into $(VENV)/ (quiet; a minute or two the first time)..."
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	@echo "Installing the test tools (pytest, hypothesis, Playwright, ruff, mypy; quiet, a minute or two the first time)..."
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# Lighthouse for tests/browser/test_lighthouse.py, pinned by tests/lighthouse/package-lock.json. Without npm
# the Lighthouse tests skip (with CI=true they fail; .ci/run installs Debian's nodejs and npm).
$(LIGHTHOUSE): tests/lighthouse/package.json tests/lighthouse/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  echo "Installing Lighthouse into tests/lighthouse/node_modules/ (npm ci; quiet, half a minute the first time)..."; \
	  cd tests/lighthouse && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
	  echo "npm not found: the Lighthouse tests will skip (apt-get install nodejs npm)"; \
	fi

## Build the site into site/ (built in a temporary folder; site/ is replaced only on success).
site: $(STAMP)
	$(PY) -m carepath build --site-dir $(SITE_DIR)

## Build every edition into one site (`make editions EDITIONS="en-GB en-US"`; default: all, the site's own at the
## root and each other under its own folder, en-us/); site/ is replaced only when every edition built.
editions: $(STAMP)
	$(PY) -m carepath build --site-dir $(SITE_DIR) $(foreach e,$(EDITIONS),--edition $(e))

## Validate the pathway data only.
check: $(STAMP)
	$(PY) -m carepath check --strict pathway

## Live preview at http://127.0.0.1:8000 (another port: `make serve PORT=8001`); an edit in content/ or pathway/
## re-renders only the pages it changes, and a build error is shown in the browser until it is fixed.
serve: $(STAMP)
	$(PY) -m carepath serve --port $(PORT)

## The whole test suite, after the linters (about 16 minutes alone on a 2-core machine; README, "Set-up").
test: lint $(LIGHTHOUSE)
	@echo "Running the whole test suite: about 16 minutes on a quiet 2-core machine (the browser tests build the site first)."
	$(PY) -m pytest

## ruff over the code and tests, mypy (strict) over the generator.
lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check generator tests benchmarks
	$(VENV)/bin/mypy generator/carepath

## Benchmarks on synthetic knowledge bases of 100, 1,000 and 5,000 nodes (3,000: generator only);
## writes the results table into BENCHMARKS.md. About 12 minutes on a quiet 2-CPU machine.
bench: $(STAMP)
	$(PY) benchmarks/run.py --nodes 100 1000 5000 --generator-nodes 3000 --repeat 3 --large-repeat 1 --update BENCHMARKS.md

clean:
	rm -rf $(SITE_DIR) .pytest_cache
