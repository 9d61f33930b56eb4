# The two set-up commands of the README: `make demo` and `make test`. Both create the virtual
# environment when it is missing. torch is installed first, pinned to the CPU build on this
# machine's disk: a bare torch requirement would pull a multi-GB CUDA build.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TORCH := torch==2.13.0

.PHONY: demo test lint typecheck pytest venv train evaluate bench browser clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/analyser analyse examples/nomination-amira.txt --format markdown

test: $(STAMP) browser lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check analyser tests scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# Debian's Chromium for the browser tests (no browser download from the test tools).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  echo "warning: could not install chromium; browser tests will fail"; }

train: $(STAMP)
	$(BIN)/analyser corpus build
	$(BIN)/analyser train --corpus corpora/train.jsonl --out models/inclusive-leader-v1 \
	  --heldout corpora/heldout.jsonl --twins corpora/heldout-twins.jsonl

evaluate: $(STAMP)
	$(BIN)/analyser evaluate corpora/heldout.jsonl

bench: $(STAMP)
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
