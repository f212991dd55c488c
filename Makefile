# coopwork — two commands do all the set-up: `make demo` and `make test`.
# Both are idempotent: the virtual environment is reinstalled only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.coopwork-installed
HOST   ?= 127.0.0.1
PORT   ?= 8866

.PHONY: setup demo test lint browser postgres clean help bench

# plotly's cartesian bundle for the dashboards (coopwork/figures/plotlyjs.py), the plotly.js version of
# the installed plotly package, from the npm registry; without npm the pages load the full plotly.js
LIGHT_PLOTLY := coopwork/dashboard/static/plotly-cartesian.min.js

help:
	@echo "make setup  - set up .venv only; then: source .venv/bin/activate (the coopwork command)"
	@echo "make demo   - set up .venv, generate the sample workspace, ingest, run reports, serve dashboards"
	@echo "make test   - set up .venv (and Chromium, PostgreSQL for the tests), run ruff and the whole test suite"
	@echo "make bench  - run the speed benchmarks in benchmarks/"
	@echo "make clean  - remove generated data (data/processed, data/reports, data/exports)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name coopwork --display-name "Python (coopwork)" >/dev/null
	@touch $(STAMP)

$(LIGHT_PLOTLY): $(STAMP)
	@version=$$($(BIN)/python -c "import plotly.offline as o; print(o.get_plotlyjs_version())"); \
	if command -v npm >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent plotly.js-cartesian-dist-min@$$version >/dev/null) && \
	  tar -xzf $$tmp/plotly.js-cartesian-dist-min-$$version.tgz -C $$tmp && \
	  cp $$tmp/package/plotly-cartesian.min.js $@ && rm -rf $$tmp && \
	  echo "plotly.js $$version (cartesian bundle) for the dashboards"; \
	else echo "npm is missing: the dashboards will load the full plotly.js (heavier pages)"; fi

# Debian's Chromium (browser tests, figure rendering, placemat PDFs) and poppler-utils (pdftoppm,
# pdfinfo, pdftotext: the placemat tests). Installed from Debian only when missing; no browser download.
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Debian's PostgreSQL server programs (initdb, pg_ctl): the journal tests start a throwaway cluster of
# their own on a private Unix socket (tests/dashboard/conftest.py) and stop it at the end. Installed from
# Debian only when missing; the package's own cluster service is not needed and is left alone.
postgres:
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "Installing Debian packages: postgresql"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

setup: $(STAMP) $(LIGHT_PLOTLY)
	@echo "coopwork is installed in $(VENV). To type coopwork commands, activate it once per terminal:"
	@printf '%s\n' '  source $(VENV)/bin/activate      (Windows: $(VENV)\Scripts\activate)'
	@echo "or call it by its path: $(BIN)/coopwork --help"

demo: $(STAMP) $(LIGHT_PLOTLY)
	$(BIN)/coopwork demo --workspace . --serve --host $(HOST) --port $(PORT) --no-browser

lint: $(STAMP)
	$(BIN)/ruff check coopwork tests benchmarks surveys

# one pytest-xdist worker per core; a module's tests stay on one worker (its server or browser starts
# once); the modules marked slow are handed out first, in tests/conftest.py's order (not reordered by
# their number of tests), so that no long module is left for the end. TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto

test: $(STAMP) $(LIGHT_PLOTLY) browser postgres lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

bench: $(STAMP) $(LIGHT_PLOTLY)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/batch.py
	$(BIN)/python benchmarks/results.py
	$(BIN)/python benchmarks/export.py
	$(BIN)/python benchmarks/dashboard_load.py
	$(BIN)/python benchmarks/dashboard_browser.py
	$(BIN)/python benchmarks/dashboard_field.py

clean:
	rm -rf data/processed data/reports data/exports data/journal.sqlite* .coopwork
