# Satchel: `make serve` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: serve test lint typecheck pytest soak bench openapi install uv clean engines

# uv comes from PyPI when it is missing (nothing else is downloaded).
uv:
	@command -v uv >/dev/null 2>&1 || test -x $(HOME)/.local/bin/uv || \
		$(PYTHON) -m pip install --user --quiet uv

install: uv
	$(UV) sync --frozen

# serve migrates first; the admin key of a first start is the last thing it prints.
serve: install
	$(UV) run satchel serve

lint: install
	$(UV) run ruff check satchel clients tests $(wildcard bench)
	$(UV) run ruff format --check satchel clients tests $(wildcard bench)

typecheck: install
	$(UV) run mypy

pytest: install
	$(UV) run pytest -n 2 -q

test: lint typecheck pytest

# The crash tests (tests/crash) with 2000 SIGKILLs instead of make test's 200.
soak: install
	SATCHEL_CRASH_KILLS=2000 SATCHEL_CRASH_SECONDS=3000 $(UV) run pytest -m crash -q -s

bench: install
	$(UV) run python -m bench

openapi: install
	$(UV) run python -m satchel.api.openapi

# Every optional engine from Debian (as root); the list is deploy/debian-engines.txt.
ENGINES := $(shell grep -v '^\#' deploy/debian-engines.txt)
engines:
	apt-get update -qq
	apt-get install -y --no-install-recommends $(ENGINES)

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache
