# Two commands on a fresh machine:  `make run` (the chat page over the bundled articles)  and  `make test`.
# Everything installs into .venv from PyPI (pip's cache makes re-runs fast); nothing downloads at run time.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install run browser test test-fast lint eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/rag ui

# The browser tests drive Debian's Chromium (never a downloaded browser). Installed when missing
# and we may (root); otherwise the browser tests skip and say so loudly.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "!!! chromium is not installed and cannot be installed here: browser tests will be SKIPPED !!!"

lint: install
	$(BIN)/ruff check rag ui tests
	$(BIN)/mypy

# Everything, including the end-to-end tests with the real bundled models (marker `slow`).
test: lint browser
	$(BIN)/python -m pytest -q -ra

# The quick loop while developing: no bundled-LLM runs.
test-fast: lint browser
	$(BIN)/python -m pytest -q -ra -m "not slow"

eval: install
	$(BIN)/rag index
	$(BIN)/rag eval ../shared/eval/questions.jsonl --json reports/eval.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache reports
