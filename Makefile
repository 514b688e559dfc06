# odvarsel: `make run` starts the service on the embedded defaults, `make test` runs the tests.
# Both create .venv and install the project on first use. HOST, PORT and DATABASE_URL in the
# environment (or on the make command line) override the defaults.

VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTHON ?= python3

# Pass overrides given on the make command line to the service (unset ones stay unset).
$(foreach v,HOST PORT DATABASE_URL,$(if $(filter command line,$(origin $(v))),$(eval export $(v))))

.PHONY: venv run test lint format openapi migrate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/odvarsel migrate
	$(BIN)/odvarsel seed-demo
	$(BIN)/odvarsel serve

migrate: venv
	$(BIN)/odvarsel migrate

test: venv
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app tests bench devtools

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: venv
	$(BIN)/odvarsel openapi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
