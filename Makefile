# Ura: every target sets up what it needs (.venv, dependencies, compiled catalogs).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCKED := $(VENV)/.locked-stamp
# The lock is uv.lock: every package pinned with its hashes, for every platform. pip installs
# its exports, which `make lock` writes beside it: runtime + dev + training + build
# (requirements/dev.lock) and runtime + build alone (requirements/run.lock, for a server).
LOCK := requirements/dev.lock
RUN_LOCK := requirements/run.lock
# `make lock` takes the newest releases the ranges allow; `make lock LOCK_FLAGS=` keeps the
# current pins where it can, `LOCK_FLAGS='--upgrade-package babel'` moves one package.
LOCK_FLAGS ?= --upgrade
EXPORT = $(BIN)/uv export --frozen --quiet --no-header --no-emit-project --no-dev --group build \
	--format requirements-txt
DEV_EXPORT = $(EXPORT) --extra dev --extra train
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/ura.po))
EXTRACT = $(BIN)/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output \
	--project=Ura --version=0.1 --copyright-holder=Ura --msgid-bugs-address=ura@example.org

.DEFAULT_GOAL := help
.PHONY: help install lock lock-check run test soak lint format i18n i18n-check bench clean

help: ## Show the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# A lock with new content means a new .venv, so it holds exactly the locked set and nothing
# left over (a lock only touched, by git or `make lock`, keeps the .venv it has).
$(LOCKED): $(LOCK)
	@if cmp -s $(LOCK) $(VENV)/installed.lock; then exit 0; fi; set -ex; \
	rm -rf $(VENV); \
	$(PYTHON) -m venv $(VENV); \
	$(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK); \
	cp $(LOCK) $(VENV)/installed.lock
	@touch $@

# Ura itself, editable, built by the locked setuptools; `pip check` fails if pyproject.toml
# asks for something the lock lacks.
$(STAMP): $(LOCKED) pyproject.toml
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	@$(BIN)/pip check || { echo "$(LOCK) does not satisfy pyproject.toml: run 'make lock'"; exit 1; }
	touch $@

install: $(STAMP) $(MO) ## Create .venv, install the locked set and Ura, compile catalogs

lock: $(LOCKED) ## Upgrade on purpose: re-resolve pyproject.toml into uv.lock and its exports (then make test)
	$(BIN)/uv lock $(LOCK_FLAGS)
	$(DEV_EXPORT) -o $(LOCK)
	$(EXPORT) -o $(RUN_LOCK)

lock-check: $(STAMP) ## Fail if uv.lock does not fit pyproject.toml or requirements/*.lock are not its exports
	$(BIN)/uv lock --check --offline --quiet
	$(DEV_EXPORT) | diff -q - $(LOCK) >/dev/null || { echo "$(LOCK) is stale: run 'make lock LOCK_FLAGS='"; exit 1; }
	$(EXPORT) | diff -q - $(RUN_LOCK) >/dev/null || { echo "$(RUN_LOCK) is stale: run 'make lock LOCK_FLAGS='"; exit 1; }

locale/%/LC_MESSAGES/ura.mo: locale/%/LC_MESSAGES/ura.po $(STAMP)
	$(BIN)/pybabel -q compile --use-fuzzy -D ura -i $< -o $@

run: $(STAMP) $(MO) ## Migrate the database, then serve the bot (needs TELEGRAM_BOT_TOKEN)
	$(BIN)/ura run

test: $(STAMP) $(MO) ## Run the whole test suite (SQLite, and Postgres where it runs)
	$(BIN)/pytest -q -n 2 -m "not alone"
	$(BIN)/pytest -q -m alone

soak: $(STAMP) $(MO) ## The fault suite at ten times its size (kills, replays, fuzzing, outages)
	URA_FAULT_SCALE=10 $(BIN)/pytest -q tests/faults

lint: $(STAMP) $(MO) i18n-check lock-check ## ruff, mypy, migrations drift, catalog drift, lesson files
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/ura lessons check

format: $(STAMP) ## Format and auto-fix the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

i18n: $(STAMP) ## Extract UI strings, update every catalog, compile them
	$(EXTRACT) -o locale/ura.pot .
	$(BIN)/pybabel -q update -i locale/ura.pot -d locale -D ura --no-fuzzy-matching --ignore-obsolete
	$(MAKE) --no-print-directory $(MO)

i18n-check: $(STAMP) ## Fail if ura.pot is stale, a catalog does not compile or placeholders differ
	$(BIN)/ura i18n check

bench: $(STAMP) $(MO) ## Benchmarks in bench/
	$(BIN)/python bench/durable_polling.py --postgres
	$(BIN)/python bench/screening.py
	$(BIN)/python bench/stats.py --postgres
	$(BIN)/python bench/planning.py --postgres
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/drain_latency.py
	$(BIN)/python bench/sqlite_hops.py
	$(BIN)/python bench/presses.py --statements
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/burst_press.py
	$(BIN)/python bench/burst_press.py --postgres
	$(BIN)/python bench/presses.py
	$(BIN)/python bench/presses.py --postgres
	$(BIN)/python bench/presses.py --webhook
	$(BIN)/python bench/presses.py --postgres --webhook --processes 1 2 4

clean: ## Remove the virtualenv, caches and compiled catalogs
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(MO)
