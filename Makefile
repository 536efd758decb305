# Recoup: `make run` starts the app with a demo portfolio; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test lint typecheck venv clean-venv

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/recoup migrate
	$(BIN)/recoup demo-data --if-empty
	$(BIN)/recoup serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	@echo "== pytest on SQLite =="
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$RECOUP_TEST_DATABASE_URL" ]; then \
		echo "== pytest on PostgreSQL ($$RECOUP_TEST_DATABASE_URL) =="; \
		DATABASE_URL="$$RECOUP_TEST_DATABASE_URL" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
		echo "RECOUP_TEST_DATABASE_URL is not set: the PostgreSQL pass was skipped."; \
	fi

clean-venv:
	rm -rf $(VENV)
