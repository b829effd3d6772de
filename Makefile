# Two commands on a fresh machine:  `make run` (chat over the bundled articles)  and  `make test`.
# Everything installs into .venv from PyPI (pip's cache makes re-runs fast); nothing downloads at run time.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install run test test-fast lint eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/rag index
	$(BIN)/rag chat

lint: install
	$(BIN)/ruff check rag ui tests
	$(BIN)/mypy

# Everything, including the end-to-end tests with the real bundled models (marker `slow`).
test: lint
	$(BIN)/python -m pytest -q -ra

# The quick loop while developing: no bundled-LLM runs.
test-fast: lint
	$(BIN)/python -m pytest -q -ra -m "not slow"

eval: install
	$(BIN)/rag index
	$(BIN)/rag eval ../shared/eval/questions.jsonl --json reports/eval.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache reports
