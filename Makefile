# Two commands on a fresh machine:  `make run` (the chat page over the bundled articles)  and  `make test`.
# Everything installs into .venv from PyPI (pip's cache makes re-runs fast); nothing downloads at run time.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install run browser test test-fast lint eval clean

# The bundled model's runtime (llama.cpp, through xllamacpp) is compiled for this CPU when cmake and
# a C++ compiler are present: with AVX-512/VNNI kernels it processes prompts ~1.35x faster than the
# prebuilt generic (AVX2) wheel (docs/benchmarks.md). The first build takes ~9 min on 2 cores; pip
# caches the wheel, so later installs on the same machine take a second. Without a compiler, or
# with NATIVE_LLM=no, the prebuilt wheel is installed and `rag status` says what that costs.
NATIVE_LLM ?= yes
XLLAMACPP  = xllamacpp==2026.10.11549
# llguidance and BoringSSL would be fetched from GitHub at build time (no network here); neither is used.
# No AMX kernels: on a Sapphire Rapids host the native build's AMX matrix multiply crashes the first
# prompt (SIGSEGV at ldtilecfg: the compiler drops the stack tile config; llama.cpp issue #20824, fix
# PR #26954 unmerged). -mno-amx-* wins over -march=native whatever the order (GCC >= 11).
NO_AMX = -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
LLAMA_CMAKE_ARGS = -DLLAMA_LLGUIDANCE=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_OPENSSL=OFF \
                   -DCMAKE_C_FLAGS='$(NO_AMX)' -DCMAKE_CXX_FLAGS='$(NO_AMX)'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@if [ "$(NATIVE_LLM)" = yes ] && command -v cmake >/dev/null 2>&1 && command -v c++ >/dev/null 2>&1; then \
	  echo "building llama.cpp for this CPU ($(XLLAMACPP)): ~9 min the first time, cached after"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-binary xllamacpp "$(XLLAMACPP)" \
	    || echo "!!! the native llama.cpp build failed: installing the prebuilt generic wheel (slower prompts) !!!"; \
	elif [ "$(NATIVE_LLM)" = yes ]; then \
	  echo "!!! no cmake or C++ compiler: installing the prebuilt generic llama.cpp wheel (slower prompts) !!!"; \
	fi
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

# Everything, including the end-to-end tests with the real bundled models (marker `slow`). The 20
# slowest tests are listed at the end: where CI's time goes (2,916 s on a host without AVX-512).
test: lint browser
	$(BIN)/python -m pytest -q -ra --durations=20

# The quick loop while developing: no bundled-LLM runs.
test-fast: lint browser
	$(BIN)/python -m pytest -q -ra -m "not slow"

# The whole answer-quality measurement with the bundled models (~3.3 h on 2 cores, summed from the
# runs' own times): the public questions over the bundled articles, then the dev set and its
# held-out split over the bundled articles plus the dev corpus (data/eval/), in an index of its own;
# then dev2, dev3 and the fresh held-out split holdout2, which also need data/eval/corpus2 (a third
# index); then dev4, which also needs data/eval/corpus3 (a fourth); then holdout3, which also needs
# data/eval/corpus4 (a fifth); then holdout4, which also needs data/eval/corpus5 (a sixth); then
# holdout5, which also needs data/eval/corpus6 (a seventh); then holdout6, which also needs
# data/eval/corpus7 (an eighth); then holdout7, which also needs data/eval/corpus8 (a ninth); then
# holdout8, which also needs data/eval/corpus9 (a tenth); then holdout9, which also needs
# data/eval/corpus10 (an eleventh); then holdout10, which also needs data/eval/corpus11 (a twelfth);
# then holdout11, over the bundled articles, corpus, corpus11 and corpus12 only (a thirteenth).
DEV = RAG_INDEX_DIR=index-dev
H2 = RAG_INDEX_DIR=index-h2
H3 = RAG_INDEX_DIR=index-h3
H4 = RAG_INDEX_DIR=index-h4
H5 = RAG_INDEX_DIR=index-h5
H6 = RAG_INDEX_DIR=index-h6
H7 = RAG_INDEX_DIR=index-h7
H8 = RAG_INDEX_DIR=index-h8
H9 = RAG_INDEX_DIR=index-h9
H10 = RAG_INDEX_DIR=index-h10
H11 = RAG_INDEX_DIR=index-h11
H12 = RAG_INDEX_DIR=index-h12
eval: install
	$(BIN)/rag index
	$(BIN)/rag eval data/eval/public.jsonl --json reports/public.json --report reports/public.md
	$(DEV) $(BIN)/rag index data/articles data/eval/corpus
	$(DEV) $(BIN)/rag eval data/eval/dev.jsonl --json reports/dev.json --report reports/dev.md
	$(DEV) $(BIN)/rag eval data/eval/holdout.jsonl --json reports/holdout.json --report reports/holdout.md
	$(H2) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2
	$(H2) $(BIN)/rag eval data/eval/dev2.jsonl --json reports/dev2.json --report reports/dev2.md
	$(H2) $(BIN)/rag eval data/eval/dev3.jsonl --json reports/dev3.json --report reports/dev3.md
	$(H2) $(BIN)/rag eval data/eval/holdout2.jsonl --json reports/holdout2.json
	$(H3) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2 data/eval/corpus3
	$(H3) $(BIN)/rag eval data/eval/dev4.jsonl --json reports/dev4.json --report reports/dev4.md
	$(H4) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2 data/eval/corpus3 data/eval/corpus4
	$(H4) $(BIN)/rag eval data/eval/holdout3.jsonl --json reports/holdout3.json --report reports/holdout3.md
	$(H5) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2 data/eval/corpus3 data/eval/corpus4 data/eval/corpus5
	$(H5) $(BIN)/rag eval data/eval/holdout4.jsonl --json reports/holdout4.json --report reports/holdout4.md
	$(H6) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2 data/eval/corpus3 data/eval/corpus4 data/eval/corpus5 data/eval/corpus6
	$(H6) $(BIN)/rag eval data/eval/holdout5.jsonl --json reports/holdout5.json --report reports/holdout5.md
	$(H7) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2 data/eval/corpus3 data/eval/corpus4 data/eval/corpus5 data/eval/corpus6 data/eval/corpus7
	$(H7) $(BIN)/rag eval data/eval/holdout6.jsonl --json reports/holdout6.json --report reports/holdout6.md
	$(H8) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2 data/eval/corpus3 data/eval/corpus4 data/eval/corpus5 data/eval/corpus6 data/eval/corpus7 data/eval/corpus8
	$(H8) $(BIN)/rag eval data/eval/holdout7.jsonl --json reports/holdout7.json --report reports/holdout7.md
	$(H9) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2 data/eval/corpus3 data/eval/corpus4 data/eval/corpus5 data/eval/corpus6 data/eval/corpus7 data/eval/corpus8 data/eval/corpus9
	$(H9) $(BIN)/rag eval data/eval/holdout8.jsonl --json reports/holdout8.json --report reports/holdout8.md
	$(H10) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2 data/eval/corpus3 data/eval/corpus4 data/eval/corpus5 data/eval/corpus6 data/eval/corpus7 data/eval/corpus8 data/eval/corpus9 data/eval/corpus10
	$(H10) $(BIN)/rag eval data/eval/holdout9.jsonl --json reports/holdout9.json --report reports/holdout9.md
	$(H11) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus2 data/eval/corpus3 data/eval/corpus4 data/eval/corpus5 data/eval/corpus6 data/eval/corpus7 data/eval/corpus8 data/eval/corpus9 data/eval/corpus10 data/eval/corpus11
	$(H11) $(BIN)/rag eval data/eval/holdout10.jsonl --json reports/holdout10.json --report reports/holdout10.md
	$(H12) $(BIN)/rag index data/articles data/eval/corpus data/eval/corpus11 data/eval/corpus12
	$(H12) $(BIN)/rag eval data/eval/holdout11.jsonl --json reports/holdout11.json --report reports/holdout11.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache reports
