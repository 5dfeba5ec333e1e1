# The two public commands are `make demo` and `make test` (contracts/operations.md).
# Everything they need is installed here, pinned by requirements.lock.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LANDING ?= landing
export ROR_SHARED ?= $(abspath ../shared)

WAREHOUSE_DIR ?= warehouse

.PHONY: setup demo test lint docs bench report chromium clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	rm -rf $(LANDING) $(WAREHOUSE_DIR)
	$(BIN)/ror generate --out $(LANDING) --persons 2000 --brands 4 --days 14 --seed 42
	$(BIN)/ror refresh --landing $(LANDING)

# --dist loadfile keeps each test module (and its module-scoped warehouse) on one worker.
# lint first: ruff and sqlfluff (about 35 s), so a style regression fails CI too.
test: $(STAMP) chromium lint
	$(BIN)/pytest -n 2 --dist loadfile

# Debian's Chromium, for the report's headless rendering test (tests/test_report.py).
chromium:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# dbt's static docs page of the warehouse `make demo` built, and the ROR report.
docs: $(STAMP)
	@test -f $(WAREHOUSE_DIR)/ror.dbt/profiles.yml || { echo "make docs: no warehouse in $(WAREHOUSE_DIR)/: run make demo first" >&2; exit 1; }
	ROR_PSEUDONYM_SALT="$${ROR_PSEUDONYM_SALT:-$$(cat $(WAREHOUSE_DIR)/ror.salt)}" \
		$(BIN)/dbt docs generate --static --profiles-dir $(WAREHOUSE_DIR)/ror.dbt
	$(BIN)/ror report --bi $(WAREHOUSE_DIR)/ror_bi.duckdb
	@echo "docs: target/static_index.html"

report: $(STAMP)
	$(BIN)/ror report

lint: $(STAMP)
	$(BIN)/ruff check ror python_udfs models tests
	$(BIN)/ruff format --check ror python_udfs models tests
	mkdir -p .sqlfluff-profiles && cp profiles.example.yml .sqlfluff-profiles/profiles.yml
	ROR_WAREHOUSE=:memory: ROR_PSEUDONYM_SALT=lint-only-salt \
		$(BIN)/sqlfluff lint models --processes 2

bench: $(STAMP)
	$(BIN)/python -m ror.bench

clean:
	rm -rf $(VENV) target logs warehouse $(LANDING) *.egg-info
