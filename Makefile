# fazhi — quick start: `make demo`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

## demo: create .venv, install fazhi, review the bundled sample reports
demo: $(VENV)/.installed
	$(BIN)/fazhi review src/fazhi/examples/
	$(BIN)/fazhi review src/fazhi/examples/ --format json --out out/demo --quiet
	@echo "JSON reviews (fazhi.review/1) written to out/demo/"

## test: create .venv if needed, install dev extras, lint, check the import contracts, run the tests
test: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests tools bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

## test-fast: the pipeline's tests only (no database, web, browser or slow tests): half a minute
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not db and not web and not browser and not pg and not slow"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests tools bench
	$(BIN)/lint-imports

bench: $(VENV)/.installed
	$(BIN)/fazhi bench --n 2000

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info
