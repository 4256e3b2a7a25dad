# fazhi — quick start: `make demo`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test lint bench clean

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

## test: create .venv if needed, install dev extras, lint and run the tests
test: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests tools bench
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests tools bench

bench: $(VENV)/.installed
	$(BIN)/fazhi bench --n 2000

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info
