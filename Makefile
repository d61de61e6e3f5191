# Task runner. `make run` and `make test` are the README's two commands: each installs what it
# needs first (a virtualenv in .venv with uv; system fonts for PDF rendering) and is safe to rerun.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install system-deps run test lint typecheck corpus ui clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[dev]'
	touch $(STAMP)

system-deps:
	bash scripts/install-system-deps.sh

run: install
	$(VENV)/bin/gongwen run

test: install system-deps
	bash scripts/install-browser.sh
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check parsers schemas

typecheck: install
	$(VENV)/bin/mypy

corpus: install system-deps
	$(PY) -m scripts.corpus

ui: install
	$(VENV)/bin/gongwen ui

clean:
	rm -rf warehouse .dagster .pytest_cache
