# The two commands a newcomer needs: `make test` and (with the counter window) `make run`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
# What running needs (`make run`): the package with its server extra, since the demo embeds the server.
RUN_STAMP := $(VENV)/.installed-run

.PHONY: test test-slow test-fast lint typecheck pytest bench bench-server bench-race bench-city bench-gui fuzz clean venv run sysdeps translations

test: sysdeps lint typecheck pytest

# Tests in parallel: one pytest worker per core (pytest-xdist; 2 on the reference machine). Not more: many
# tests start server processes of their own, so extra workers only queue for the same cores and squeeze the
# margins of the tests that wait for a deadline. Each worker has its own PostgreSQL database and its own block of
# loopback ports (tests/server/conftest.py, tests/ports.py). `make test JOBS=0` runs serially. The 20
# slowest tests are listed at the end: keep them out of the parallel suite or make them faster.
JOBS ?= auto
PYTEST_PARALLEL := -n $(JOBS) --dist loadgroup --durations=20

# System tools the tests need: poppler-utils (pdftotext, an independent check of the PDF forms).
sysdeps:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else echo "make test needs poppler-utils (pdftotext): sudo apt-get install poppler-utils" >&2; exit 1; fi; }

$(BIN)/python:
	@echo "Creating the virtual environment $(VENV)…"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the dependency list changes. Not quiet: on a fresh clone this is the long step of
# `make run`, and pip's own lines show it is moving.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing counterapp and its dependencies into $(VENV) (a minute or two the first time)…"
	$(BIN)/python -m pip install -e '.[server]'
	touch $@

# The developer tools on top of what running needs (order-only: a later `make run` reinstalling the
# runtime does not force the dev tools again; a changed pyproject.toml reinstalls both).
$(STAMP): pyproject.toml | $(RUN_STAMP) $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(STAMP)

# Compiled translations (.qm) from the catalogues in resources/i18n: built here, never committed.
QM := $(patsubst %.ts,%.qm,$(wildcard resources/i18n/*.ts))

# pyside6-lrelease comes with PySide6, a runtime dependency: `make run` builds these without the dev tools.
resources/i18n/%.qm: resources/i18n/%.ts $(RUN_STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

translations: $(QM)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check counterapp tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite without the slow tests, with the coverage gate (coverage.py combines the workers' data).
pytest: $(STAMP) translations
	$(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not slow" --cov=counterapp --cov-report=term:skip-covered --cov-fail-under=90

# The slow tests (real server restarts, long property runs, timing measurements that need a quiet
# machine), one at a time. CI runs it after `make test`.
test-slow: sysdeps $(STAMP) translations
	$(BIN)/pytest -q -m slow --durations=20

# The inner loop: the suite without the slow tests, in parallel, stopping at the first failure; no lint,
# no type check, no coverage.
test-fast: sysdeps $(STAMP) translations
	$(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not slow" -x

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

# 20 counters racing for the same 5 services, on PostgreSQL then SQLite: fairness and calls/s (about a minute).
bench-race: $(STAMP)
	$(BIN)/python benchmarks/bench_race.py

# A city's counters on a 2-worker server: a morning, a city-wide outage, the drain (CI-sized here, about a
# minute; the full run's options are in benchmarks/README.md).
bench-city: $(STAMP)
	$(BIN)/python benchmarks/bench_city.py --counters 60 --ops 200 --subscribers 6 --duration 10 --window 5

# The counter window: cold start, call-next and intake save latency, memory after a simulated hour (~3 min).
bench-gui: $(STAMP) translations
	$(BIN)/python benchmarks/bench_gui.py

# Schemathesis's long run against a live server, on SQLite then on PostgreSQL: up to 500 generated requests
# per operation, then 200 scenarios along the OpenAPI links (`make test` runs 25 and 12, on SQLite); prints
# its figures (about 4 minutes a database on 2 cores).
fuzz: $(STAMP)
	for db in sqlite postgresql; do \
	  COUNTERAPP_FUZZ_DATABASE=$$db COUNTERAPP_FUZZ_EXAMPLES=500 COUNTERAPP_FUZZ_SCENARIOS=200 \
	  COUNTERAPP_FUZZ_BUDGET_S=7200 $(BIN)/pytest -q -s -p no:cacheprovider tests/server/test_schemathesis.py \
	  || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info

# The main job: the counter window over an embedded server with a demo centre, clerk and tickets
# arriving (kept in the user data directory between runs; `counterapp demo --reset` starts over).
# Without a display: xvfb-run -a make run. Installs only what running needs (no test or lint tools).
run: $(RUN_STAMP) translations
	$(BIN)/counterapp demo

# --- The client's bundle and .deb (issue 17; packaging/README.md "The frozen app" and "Linux .deb") ---
# `make package` builds every package; the server's .deb adds its own `package: package-server` line.
.PHONY: package package-client bundle test-deb
PACKAGE_STAMP := $(VENV)/.installed-package
CLIENT_VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"$$/\1/p' counterapp/__init__.py)
CLIENT_DEB = dist/counterapp_$(CLIENT_VERSION)_amd64.deb

# PyInstaller (and pypdf, which the bundle's --selftest reads receipts with): the `package` extra.
$(PACKAGE_STAMP): pyproject.toml | $(RUN_STAMP) $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[package]'
	touch $@

package: package-client

# The onedir bundle at dist/counterapp/ (about 2 minutes on 2 cores), then its self-test (offscreen: no
# display needed). The translations are compiled first: the spec refuses to build without them.
bundle: $(PACKAGE_STAMP) translations
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
	  packaging/counterapp.spec
	dist/counterapp/counterapp --selftest

package-client: bundle
	packaging/build-deb.sh dist/counterapp dist

# The .deb installed into a clean Debian 12 root, enrolled against a real server, signed in and a ticket
# called under Xvfb, then removed and purged (root; about 2 minutes after the root is cached).
test-deb: package-client
	COUNTERAPP_PYTHON=$(BIN)/python packaging/test-deb.sh $(CLIENT_DEB)

# --- Windows installer (packaging/windows) ---------------------------------------------------------------------
# The NSIS installer compiled with Debian's makensis over a stand-in bundle and run under Debian's wine: refused
# parameters, silent install with /SERVER /CODE /COUNTER, upgrades, silent uninstall with and without /PURGE
# (about a minute; installs nsis and wine as root when missing). The real installer is built on Windows CI
# (.github/workflows/windows.yml).
.PHONY: test-wine
test-wine:
	packaging/windows/test-wine.sh

# --- The server as a service (issue 17; packaging/README.md "The server as a service") ---
# `make package` builds every package: this block adds the server's .deb to it.
.PHONY: package package-server test-server-deb
SERVER_VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"$$/\1/p' counterapp/__init__.py)
SERVER_DEB = dist/counterapp-server_$(SERVER_VERSION)_amd64.deb

package: package-server

# The server's onedir bundle at dist/counterapp-server/ (no Qt; about 2 minutes on 2 cores), then
# dist/counterapp-server_<version>_amd64.deb around it (packaging/server/build-deb.sh).
package-server: $(PACKAGE_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller-server \
	  packaging/server/counterapp-server.spec
	dist/counterapp-server/counterapp-server --help >/dev/null
	packaging/server/build-deb.sh

# The server .deb installed into a clean Debian 12 root, run there as its systemd unit says (without
# systemd), pointed at this machine's PostgreSQL, a counter enrolled and synced from the host, then the
# same .deb installed again (the upgrade path: migrate, data kept). Root; 1.5–3 minutes after the root is
# cached. The counter on the host is this checkout's `counterapp` ($(BIN)/counterapp).
test-server-deb: package-server
	COUNTERAPP=$(abspath $(BIN))/counterapp packaging/test-server-deb.sh $(SERVER_DEB)

# --- Every install test (root; CI runs it after the slow tests) ----------------------------------------------
# The client's and the server's .deb built and installed into clean Debian 12 roots, and the Windows installer
# compiled and run under wine: about 10 minutes on 2 cores, most of it the two PyInstaller builds.
.PHONY: test-packaging
test-packaging: test-wine test-deb test-server-deb
