# The two public commands are `make demo` and `make test` (contracts/operations.md).
# Everything they need is installed here, pinned by requirements.lock.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LANDING ?= landing
export ROR_SHARED ?= $(abspath ../shared)

.PHONY: setup demo test lint docs bench report chromium clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	rm -rf $(LANDING)
	$(BIN)/ror generate --out $(LANDING) --persons 2000 --brands 4 --days 14 --seed 42
	$(BIN)/ror refresh --landing $(LANDING)

test: $(STAMP)
	$(BIN)/ruff check ror python_udfs tests
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check ror python_udfs tests
	$(BIN)/ruff format --check ror python_udfs tests
	mkdir -p .sqlfluff-profiles && cp profiles.example.yml .sqlfluff-profiles/profiles.yml
	ROR_WAREHOUSE=/tmp/ror-sqlfluff.duckdb ROR_PSEUDONYM_SALT=lint \
		$(BIN)/sqlfluff lint models --processes 2

bench: $(STAMP)
	$(BIN)/python -m ror.bench

clean:
	rm -rf $(VENV) target logs warehouse $(LANDING) *.egg-info
