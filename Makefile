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

# The SDKs are installed from their wheels (not editable), the way users get them: the functional tests
# run against what a wheel really carries. Reinstalled whenever generated/ changes (its manifest does).
$(VENV)/.sdk-installed: $(STAMP) generated/manifest.json
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps generated/pydantic generated/dataclasses generated/typeddict
	touch $@

## generate: set up .venv, install, regenerate generated/ from spec/ and install the SDK
generate: $(STAMP)
	$(BIN)/python -m acs_sdkgen generate
	$(MAKE) --no-print-directory $(VENV)/.sdk-installed

## check: fail with a diff when generated/ is stale
check: $(STAMP)
	$(BIN)/python -m acs_sdkgen check

## test: set up .venv, install, run every test
test: $(VENV)/.sdk-installed
	$(BIN)/python -m pytest

## update-golden: rewrite generated/ and fixture golden trees (refused under CI=true); review the diff
update-golden: $(STAMP)
	$(BIN)/python -m acs_sdkgen generate
	$(BIN)/python -m pytest tests/generator tests/fixtures --update-golden -q

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache

.PHONY: docs docs-serve bench corpus

## docs: build the docs site (generated/docs, MkDocs + Material) into site/ in strict mode, offline
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -f generated/docs/mkdocs.yml -d $(CURDIR)/site

## docs-serve: preview the docs site at http://127.0.0.1:8000/ with live reload
docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve -f generated/docs/mkdocs.yml -a 127.0.0.1:8000

## bench: run every benchmark against the peers (about an hour on 2 cores; see bench/README.md)
bench: $(VENV)/.sdk-installed
	$(BIN)/python bench/run.py

## corpus: run the generator on a sample of the APIs-guru directory and report failure classes (bench/README.md)
CORPUS_ARGS ?= --sample 40 --seed 1
corpus: $(STAMP)
	$(BIN)/python bench/corpus.py $(CORPUS_ARGS)
