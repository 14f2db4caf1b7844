# Statement Portal — `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.DEFAULT_GOAL := help
.PHONY: help run test lint catalogs extract-catalogs bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

catalogs: $(STAMP) ## Compile the interface catalogs (translations/*.po → .mo)
	$(BIN)/pybabel compile --use-fuzzy -d translations -f --statistics 2>&1 | grep -v '^$$' || true

extract-catalogs: $(STAMP) ## Extract interface strings and update every catalog
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

run: $(STAMP) catalogs ## Create the venv, migrate, load the demo and serve on http://$(HOST):$(PORT)
	$(FLASK) db upgrade
	$(FLASK) portal demo --if-empty
	@echo "Statement Portal: http://$(HOST):$(PORT)/"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(TEST_STAMP) catalogs ## Run the whole test suite (TEST_DATABASE_URL picks PostgreSQL)
	$(BIN)/pytest -q

lint: $(TEST_STAMP) ## Check the code with ruff
	$(BIN)/ruff check .

bench: $(TEST_STAMP) catalogs ## Benchmarks at 1,000 and 10,000 statements (docs/performance.md; BENCH_SIZES, BENCH_DATABASES…)
	$(BIN)/python bench/run.py

clean: ## Remove the venv and caches (keeps the instance folder and its database)
	rm -rf $(VENV) .pytest_cache .ruff_cache
