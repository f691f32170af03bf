# Every target sets up .venv on first use; nothing needs to be installed by hand beyond python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all generate check test update-golden lint clean

all: generate

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

$(VENV)/.sdk-installed: $(STAMP) $(wildcard generated/*/pyproject.toml)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e generated/pydantic -e generated/dataclasses -e generated/typeddict
	touch $@

## generate: set up .venv, install, regenerate generated/ from spec/ and install the SDK
generate: $(STAMP)
	$(BIN)/python -m generator generate
	$(MAKE) --no-print-directory $(VENV)/.sdk-installed

## check: fail with a diff when generated/ is stale
check: $(STAMP)
	$(BIN)/python -m generator check

## test: set up .venv, install, run every test
test: $(VENV)/.sdk-installed
	$(BIN)/python -m pytest

## update-golden: rewrite generated/ and fixture golden trees (refused under CI=true); review the diff
update-golden: $(STAMP)
	$(BIN)/python -m generator generate
	$(BIN)/python -m pytest tests/generator --update-golden -q

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache
