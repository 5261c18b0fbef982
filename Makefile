# Every target does its own set-up: a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.install-stamp

.PHONY: install browser run test lint format typecheck schema bench bench-peer clean

install: $(STAMP)

# Re-installs only when the project's metadata changes (cheap on a second run).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[embedded,test]'
	@touch $(STAMP)

# The browser tests drive Debian's chromium (Playwright cannot download its own browsers).
CHROMIUM_PACKAGES := chromium fonts-dejavu-core
CHROMIUM_INSTALL  := apt-get update && apt-get install -y --no-install-recommends $(CHROMIUM_PACKAGES)

# Installs chromium when it is missing and we are root on Debian; otherwise says how.
# ($CHROMIUM may name another chromium/chrome binary; the tests use it first.)
HAVE_CHROMIUM := { [ -n "$$CHROMIUM" ] && [ -x "$$CHROMIUM" ]; } || [ -x /usr/bin/chromium ] \
	|| command -v chromium >/dev/null 2>&1

browser:
	@if $(HAVE_CHROMIUM); then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "chromium not found: installing it for the browser tests"; \
		export DEBIAN_FRONTEND=noninteractive; $(CHROMIUM_INSTALL) || exit 1; \
		$(HAVE_CHROMIUM) || { echo "chromium still not found after installing it" >&2; exit 1; }; \
	else \
		echo "chromium not found: the browser tests need it. On Debian, install it with" >&2; \
		echo "    sudo sh -c '$(CHROMIUM_INSTALL)'" >&2; \
		echo "(as root, 'make test' runs that itself; elsewhere set CHROMIUM=/path/to/chromium)" >&2; \
		exit 1; \
	fi

run: install
	$(BIN)/graph-service serve

test: install browser lint typecheck
	$(BIN)/pytest

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

schema: install
	$(BIN)/graph-service export-schema

bench: install
	$(BIN)/python bench/overhead.py

# Side by side with @neo4j/graphql on the same engine and graph (needs Node 20 and npm; about
# 10 minutes). BENCH_PEER_ARGS passes options on, e.g. BENCH_PEER_ARGS="--workers 2" or "--quick".
bench-peer: install
	@command -v npm >/dev/null 2>&1 || { echo "make bench-peer needs Node 20 and npm" >&2; exit 1; }
	npm ci --prefix bench/peer --no-audit --no-fund
	$(BIN)/python bench/peer_compare.py $(BENCH_PEER_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache bench/peer/node_modules
