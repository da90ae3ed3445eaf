# CalBridge: `make run` serves the demo on 127.0.0.1:8000, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test fuzz lint format bench bench-sync bench-sync-microsoft bench-pages clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/calbridge migrate
	$(BIN)/calbridge demo
	$(BIN)/calbridge serve

test: install
	$(BIN)/pytest -n auto

# The hostile-input fuzz tests at length: 2,000 examples per door instead of a few dozen.
fuzz: install
	CALBRIDGE_FUZZ_EXAMPLES=$${CALBRIDGE_FUZZ_EXAMPLES:-2000} $(BIN)/pytest -n auto tests/web/test_fuzz_doors.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/caldav_vs_radicale.py

bench-sync: install
	$(BIN)/python -m bench.sync_google

bench-sync-microsoft: install
	$(BIN)/python -m bench.sync_microsoft

bench-pages: install
	$(BIN)/python -m bench.pages

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
