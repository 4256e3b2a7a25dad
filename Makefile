# fazhi — quick start: `make demo`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo demo-supervision test test-fast lint bench clean

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
	@$(MAKE) --no-print-directory demo-supervision

## demo-supervision: a small campaign built from the bundled 分工表 (out/demo/supervision.sqlite, thrown
## away and built again each time): progress accepted and returned, a unit's annual report proposed as
## evidence, the overdue list as of 2025-07-01, a year-end assessment opened under a demo 考核细则, a draft
## annual report from the record, the submission status, the 情况通报 and a 审查意见书 (Word)
demo-supervision: $(VENV)/.installed
	@mkdir -p out/demo && rm -f out/demo/supervision.sqlite out/demo/supervision.sqlite-*
	@set -e; export COLUMNS=150; F=$(BIN)/fazhi; DB="--db out/demo/supervision.sqlite"; \
	FW=$$($$F framework import demo-county-2025 $$DB | tail -1); \
	C=$$($$F campaign create "郧西县2025年法治政府建设" --year 2025 --organiser 郧西县 --framework $$FW $$DB | tail -1); \
	$$F task import src/fazhi/examples/supervision/yunxi_2025_tasks.xlsx --campaign $$C $$DB; \
	$$F task report 2 --text "已公布告知承诺制证明事项目录" --figure "告知承诺事项=35项" $$DB > /dev/null; \
	$$F task review 2 --accept $$DB; \
	$$F task report 1 --text "网上可办率已达88%" --figure "网上可办率=88%" $$DB > /dev/null; \
	$$F task review 1 --return "未达到90%的目标，请说明原因和整改措施" $$DB; \
	$$F ingest src/fazhi/examples/supervision/yunxi_sifaju_2025.txt $$DB --workers 0; \
	$$F evidence list --campaign $$C $$DB | head -3; \
	$$F task list --campaign $$C --overdue --as-of 2025-07-01 $$DB; \
	$$F campaign show $$C --as-of 2025-07-01 $$DB; \
	echo; echo "== 年终考核（部门共性指标，演示细则）"; \
	P=$$($$F profile import src/fazhi/supervision/data/profile_demo_department.yaml $$DB | tail -1); \
	$$F assess open --campaign $$C --profile $$P --as-of 2026-01-15 $$DB 2>/dev/null | tail -1; \
	$$F assess compute --campaign $$C --as-of 2026-01-15 --format text $$DB 2>/dev/null | head -4; \
	echo; echo "== 年度报告：按记录起草、报送情况、情况通报、审查意见书"; \
	$$F draft --campaign $$C --unit 郧西县司法局 --out out/demo/郧西县司法局-年度报告草稿.docx $$DB | tail -1; \
	$$F report status --campaign $$C --as-of 2026-03-15 $$DB | head -6; \
	$$F memo --campaign $$C --out out/demo/情况通报.docx --as-of 2026-03-15 $$DB; \
	$$F review src/fazhi/examples/sichuan_county_2021.txt --format docx --out out/demo; \
	echo "Word documents (公文格式) written to out/demo/: 年度报告草稿, 情况通报, 审查意见书"

## test: create .venv if needed, install dev extras, lint, check the import contracts and the types, run the tests
test: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests tools bench
	$(BIN)/lint-imports
	$(BIN)/mypy src
	$(BIN)/python -m pytest

## test-fast: the pipeline's tests only (no database, web, browser or slow tests): half a minute
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not db and not web and not browser and not pg and not slow"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests tools bench
	$(BIN)/lint-imports
	$(BIN)/mypy src

bench: $(VENV)/.installed
	$(BIN)/fazhi bench --n 2000

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info
