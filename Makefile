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

# The whole answer-quality measurement with the bundled models (~45 min on 2 cores): the public
# questions over the bundled articles, then the dev set and its held-out split over the bundled
# articles plus the dev corpus (data/eval/), in an index of its own.
DEV = RAG_INDEX_DIR=index-dev
eval: install
	$(BIN)/rag index
	$(BIN)/rag eval data/eval/public.jsonl --json reports/public.json --report reports/public.md
	$(DEV) $(BIN)/rag index data/articles data/eval/corpus
	$(DEV) $(BIN)/rag eval data/eval/dev.jsonl --json reports/dev.json --report reports/dev.md
	$(DEV) $(BIN)/rag eval data/eval/holdout.jsonl --json reports/holdout.json --report reports/holdout.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache reports
