# Two commands on a fresh machine (Python 3.11+ and make):
#   make run    create .venv, install cadrecast, run the main job on the bundled corpus -> output/
#   make test   create .venv, install cadrecast with its test tools, run the test suite
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= output

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

.PHONY: install run test lint bench clean
install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/cadrecast run --out $(OUT)

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check cadrecast tests benchmarks scripts notebooks

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info
