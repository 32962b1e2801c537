# The two set-up commands of the README, for a fresh Debian machine (run as root):
#   make demo   builds the demo estate, prints its sign-in accounts and serves the dashboard
#   make test   installs what the tests need, system packages included, and runs the whole suite
#   make fuzz   the fuzz suite at length (make test runs a bounded number of its examples)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Debian packages the test suite needs (scripts/system-packages installs the missing ones;
# in CI a package still missing afterwards is a failure, never a skipped test).
# Debian packages the product itself needs: Pango under WeasyPrint, which renders the reports
RUN_SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0
TEST_SYSTEM_PACKAGES := prometheus openssl chromium fonts-dejavu-core poppler-utils $(RUN_SYSTEM_PACKAGES)

.PHONY: demo test fuzz install system-packages lint bench clean

demo: $(STAMP)
	sh scripts/system-packages $(RUN_SYSTEM_PACKAGES)
	$(BIN)/councilops demo --out demo
	$(BIN)/councilops --config demo/estate.toml --db demo/warehouse.duckdb serve --host 127.0.0.1 --port 8050

test: system-packages $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist worksteal

# The fuzz suite with many more examples than `make test` runs (tests/fuzz/, about 2,000 an entry point)
fuzz: $(STAMP)
	COUNCILOPS_FUZZ=many $(BIN)/pytest tests/fuzz -p no:cacheprovider

install: $(STAMP)

$(STAMP): pyproject.toml
	sh scripts/bootstrap-python "$(PYTHON)" "$(VENV)"
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

system-packages:
	sh scripts/system-packages $(TEST_SYSTEM_PACKAGES)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/demo_build.py
	$(BIN)/python -m bench.collect_backfill
	$(BIN)/python -m bench.collect_backfill --cycle

clean:
	rm -rf $(VENV) demo .pytest_cache .hypothesis
