# The two commands a newcomer needs: `make test` and (with the counter window) `make run`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: test lint typecheck pytest bench bench-server bench-gui clean venv run sysdeps translations

test: sysdeps lint typecheck pytest

# System tools the tests need: poppler-utils (pdftotext, an independent check of the PDF forms).
sysdeps:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else echo "make test needs poppler-utils (pdftotext): sudo apt-get install poppler-utils" >&2; exit 1; fi; }

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(STAMP)

# Compiled translations (.qm) from the catalogues in resources/i18n: built here, never committed.
QM := $(patsubst %.ts,%.qm,$(wildcard resources/i18n/*.ts))

resources/i18n/%.qm: resources/i18n/%.ts $(STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

translations: $(QM)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check counterapp tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) translations
	$(BIN)/pytest -q --cov=counterapp --cov-report=term:skip-covered --cov-fail-under=90

# Every benchmark runs; the target fails if any of them missed a target.
bench: $(STAMP)
	@status=0; \
	$(BIN)/python benchmarks/bench_domain.py || status=1; \
	$(BIN)/python benchmarks/bench_store.py || status=1; \
	$(BIN)/python benchmarks/bench_printing.py || status=1; \
	exit $$status

# The central server under load, on PostgreSQL at 127.0.0.1 (about 3 minutes; not part of `make bench`).
bench-server: $(STAMP)
	$(BIN)/python benchmarks/bench_server.py

# The counter window: cold start, call-next and intake save latency, memory after a simulated hour (~3 min).
bench-gui: $(STAMP) translations
	$(BIN)/python benchmarks/bench_gui.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info

# The main job: the counter window over an embedded server with a demo centre, clerk and tickets
# arriving (kept in the user data directory between runs; `counterapp demo --reset` starts over).
# Without a display: xvfb-run -a make run
run: $(STAMP) translations
	$(BIN)/counterapp demo
