# Everything a newcomer needs: make demo, make test, make lint, make bench.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell sha1sum pyproject.toml | cut -c1-12)
CORE_STAMP := $(VENV)/.core-$(HASH)
FULL_STAMP := $(VENV)/.full-$(HASH)
DEMO := demo
DEMO_ARGS := --accounts 2000 --months 24 --seed 7
# make demo ends by serving the dashboard (Ctrl-C stops it); SERVE=0 stops before that.
SERVE ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint bench health-backtest install install-all system clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(CORE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(FULL_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,postgres,spark]'
	$(BIN)/pip install -q --no-deps lifelines==0.30.3  # test reference; caps pandas < 3
	touch $@ $(CORE_STAMP)

install: $(CORE_STAMP)
install-all: $(FULL_STAMP)

## System services the tests use (PostgreSQL, Java for Spark); idempotent, needs root.
system:
	bash scripts/setup-system.sh

## The demo company: generate, load, summarise, show the shared scorecard, then serve it
## with demo logins (SERVE=0 stops before serving).
demo: install
	$(BIN)/tandem synth $(DEMO_ARGS) --out $(DEMO)/data
	$(BIN)/tandem init --workspace $(DEMO)
	$(BIN)/tandem load $(DEMO)/data --workspace $(DEMO)
	$(BIN)/tandem summary --workspace $(DEMO)
	$(BIN)/tandem scorecard --workspace $(DEMO)
	@if [ "$(SERVE)" != "0" ]; then \
	  exec $(BIN)/tandem serve --demo --workspace $(DEMO) --host $(HOST) --port $(PORT); fi

test: install-all system
	$(BIN)/lint-imports
	TANDEM_REQUIRE_BACKENDS=1 $(BIN)/pytest -n 2 --dist loadgroup -q

lint: install-all
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install-all
	$(BIN)/tandem bench --size S --size M --models 1000000 --before 4236931

## The health score's back-test on two demo companies (docs/health.md quotes it).
health-backtest: install
	$(BIN)/python -m tandem.health.demo --seed 7 --seed 11

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
