# Task runner. `make run` and `make test` are the README's two commands: each installs what it
# needs first (a virtualenv in .venv with uv; system fonts for PDF rendering) and is safe to rerun.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install system-deps run test lint typecheck corpus ui clean fuzz audit bad-corpus bench

install: $(STAMP)

# --compile-bytecode: uv does not write .pyc files by default, and where PYTHONDONTWRITEBYTECODE
# is set nothing ever does, so every process (a run, each reader) would compile Dagster, pandas,
# spaCy … from source at import: seconds per process.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -e '.[dev]'
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
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

corpus: install system-deps
	$(PY) -m scripts.corpus

# Property-based fuzzing of the text parsers with many examples (CI runs a few dozen per property).
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest -q -p no:cacheprovider tests/robustness/test_fuzz.py

# Known vulnerabilities in the installed dependencies (PyPI advisory data). --strict: a package
# that could not be checked (advisory service unreachable) fails the audit instead of passing it.
audit: install
	test -x $(VENV)/bin/pip-audit || $(VENV)/bin/uv pip install --quiet --python $(PY) 'pip-audit>=2.7'
	$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off

# Regenerate tests/fixtures/bad/ (the bad-input corpus and its MANIFEST.tsv).
bad-corpus: install
	$(PY) scripts/make_bad_corpus.py

ui: install
	$(VENV)/bin/gongwen ui

clean:
	rm -rf warehouse .dagster .pytest_cache

# Whole-pipeline benchmark on a generated corpus (N = 250 … 2000; see docs/benchmark.md).
# Corpora are cached under tmp/benchmark/; BENCH_ARGS="--sizes 250,500 --n 500" for a quick one.
bench: install system-deps
	$(PY) -m scripts.benchmark $(BENCH_ARGS)

# A night's intake on a Dask cluster (docs/distributed.md): one parse run per key range on the
# workers, then the tables. GONGWEN_DASK_SCHEDULER=tcp://HOST:8786 make dask-run, or
# DASK_ARGS="--scheduler tcp://HOST:8786 --runs 4 --config deploy/dask/run_config.yaml".
.PHONY: dask-run
dask-run: install
	$(PY) -m pipelines.distributed $(DASK_ARGS)
