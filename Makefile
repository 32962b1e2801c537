# The two set-up commands of the README, for a fresh Debian machine (run as root):
#   make demo   builds the demo estate and shows what the warehouse holds
#   make test   installs what the tests need, system packages included, and runs the whole suite

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Debian packages the test suite needs (scripts/system-packages installs the missing ones;
# in CI a package still missing afterwards is a failure, never a skipped test).
TEST_SYSTEM_PACKAGES := prometheus openssl

.PHONY: demo test install system-packages lint bench clean

demo: $(STAMP)
	$(BIN)/councilops demo --out demo
	@echo "Then: $(BIN)/councilops status   (after the export above)"

test: system-packages $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

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
