# The two commands of the README: `make demo` and `make test`.
# Both install what they need on a fresh Debian machine with Python 3.11.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8080
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test install install-test debian-packages libmagic lint typecheck pytest fuzz bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

# Debian's Chromium for the browser tests (playwright's own browser download does not work here)
# and Debian's PostgreSQL server, on which the storage tests start a scratch cluster;
# libmagic1, with which python-magic sniffs the type of uploads.
debian-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	ls /usr/lib/*/libmagic.so.1 >/dev/null 2>&1 || missing="$$missing libmagic1"; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# libmagic1 alone, for `make demo` (python-magic sniffs uploads with it); usually installed.
libmagic:
	@ls /usr/lib/*/libmagic.so.1 >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libmagic1; }

## Start frontdesk with the embedded default: SQLite in ./data, demo operators and a manager.
demo: libmagic install
	$(BIN)/frontdesk serve --demo --port $(PORT)

## Install everything and run lint, types and the whole test suite.
test: debian-packages install-test lint typecheck pytest

lint:
	$(BIN)/ruff check engine adapters web config tests bench

typecheck:
	$(BIN)/mypy

# Two workers (pytest-xdist, each test once, the idle one takes the next): most tests wait on
# processes, sockets and pages rather than compute, so two run side by side on two cores.
# The tests bound by real time (marker `alone`: a lease, a failover deadline) run after,
# with the machine to themselves. The engine suite runs twice more: with every actor a
# plain pykka ThreadingActor, and hosted on one loop thread as a served node's engine is.
PYTEST_WORKERS ?= 2
pytest:
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not alone"
	$(BIN)/pytest -m alone -q
	$(BIN)/pytest tests/engine -q --engine-dispatcher=threads
	$(BIN)/pytest tests/engine -q --engine-dispatcher=hosted

## The long fuzz run (docs/testing.md): FRONTDESK_FUZZ_EXAMPLES examples for each fuzz test
## (the bounded run, 40 each, is part of `make test`).
FRONTDESK_FUZZ_EXAMPLES ?= 20000
fuzz: install-test
	FRONTDESK_FUZZ_EXAMPLES=$(FRONTDESK_FUZZ_EXAMPLES) $(BIN)/pytest tests/fuzz -p no:cacheprovider \
	  -o timeout=0 -q --hypothesis-show-statistics

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
