# Ura: every target sets up what it needs (.venv, dependencies, compiled catalogs).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/ura.po))
EXTRACT = $(BIN)/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output \
	--project=Ura --version=0.1 --copyright-holder=Ura --msgid-bugs-address=ura@example.org

.DEFAULT_GOAL := help
.PHONY: help install run test lint format i18n i18n-check bench clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(MO) ## Create .venv, install Ura with its dev tools, compile catalogs

locale/%/LC_MESSAGES/ura.mo: locale/%/LC_MESSAGES/ura.po $(STAMP)
	$(BIN)/pybabel -q compile --use-fuzzy -D ura -i $< -o $@

run: $(STAMP) $(MO) ## Migrate the database, then serve the bot (needs TELEGRAM_BOT_TOKEN)
	$(BIN)/ura run

test: $(STAMP) $(MO) ## Run the whole test suite (SQLite, and Postgres where it runs)
	$(BIN)/pytest -q

lint: $(STAMP) $(MO) i18n-check ## ruff, mypy, migrations drift, catalog drift, lesson files
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

i18n-check: $(STAMP) ## Fail if locale/ura.pot is stale or a catalog does not compile
	@tmp=$$(mktemp); $(EXTRACT) -o $$tmp . ; \
	if ! diff -q -I '^"POT-Creation-Date' -I '^#' $$tmp locale/ura.pot >/dev/null; then \
	  echo "locale/ura.pot is stale: run 'make i18n' and commit the result"; rm -f $$tmp; exit 1; fi; rm -f $$tmp
	@for po in locale/*/LC_MESSAGES/ura.po; do \
	  $(BIN)/pybabel -q compile --use-fuzzy -D ura -i $$po -o /dev/null || exit 1; done
	@$(BIN)/ura i18n check
	@echo "catalogs: up to date and compiling"

bench: $(STAMP) $(MO) ## Benchmarks in bench/
	$(BIN)/python bench/durable_polling.py --postgres
	$(BIN)/python bench/screening.py

clean: ## Remove the virtualenv, caches and compiled catalogs
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(MO)
