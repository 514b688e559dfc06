# odvarsel: `make run` starts the service on the embedded defaults, `make test` runs the tests.
# Both create .venv and install from the lock files in requirements/ on first use: `run` only
# what serving needs (runtime.txt), `test` and `lint` the dev tools too (dev.txt). HOST, PORT
# and DATABASE_URL in the environment (or on the make command line) override the defaults.

VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

# A .venv made by another Python, or whose interpreter no longer runs, is made anew.
py_version = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
WANTED_PY := $(call py_version,$(PYTHON))
INTERPRETER := $(VENV)/.python-$(WANTED_PY)
ifneq ($(call py_version,$(BIN)/python),$(WANTED_PY))
.PHONY: $(INTERPRETER)
endif

# Stamps name what was installed, so a changed lock or pyproject.toml installs again.
stamp = $(VENV)/.$(1)-$(shell cat requirements/$(1).txt pyproject.toml | cksum | cut -d' ' -f1)
RUNTIME := $(call stamp,runtime)
DEV := $(call stamp,dev)

# Pass overrides given on the make command line to the service (unset ones stay unset).
$(foreach v,HOST PORT DATABASE_URL,$(if $(filter command line,$(origin $(v))),$(eval export $(v))))

.PHONY: venv run test lint format openapi migrate lock clean

# Checked before the old .venv is removed: a PYTHON that does not run (a pyenv shim of a
# version not selected) or is older than 3.11 must not cost a working environment.
$(INTERPRETER):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "make: PYTHON=$(PYTHON) does not run Python 3.11 or newer (try: $(PYTHON) --version);" \
	    "$(VENV) is left as it is" >&2; exit 2; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	touch $@

# Exact versions with hashes, then the project itself: editable, built with the locked
# setuptools, no dependency resolution. `pip check` fails when pyproject.toml asks for a
# package the lock lacks: run `make lock`.
define install
	rm -f $(VENV)/.$(1)-*
	$(PIP) install --require-hashes -r requirements/$(1).txt
	$(PIP) install --no-deps --no-build-isolation --editable .
	$(PIP) check
	touch $@
endef

$(RUNTIME): $(INTERPRETER)
	$(call install,runtime)

$(DEV): $(INTERPRETER)
	$(call install,dev)

venv: $(DEV)

# The demo municipality is a file, applied as `odvarsel apply` applies any municipality's;
# seed-demo then gives its client the README's dev-only secret (refused in production).
DEMO_FILE ?= demo/3107-fredrikstad.yaml
URL = http://$(or $(HOST),127.0.0.1):$(or $(PORT),8000)
define banner
	@echo
	@echo "  odvarsel runs at $(URL)   (Ctrl-C stops it)"
	@echo "  demo API client: demo-amk / demo-secret-only-for-make-run   (README, 'Two commands')"
	@echo "  SMS are not sent: each appears on this console, with its link and reply code"
	@echo "  try: the crews' form   $(URL)/skjema"
	@echo "       staff sign-in     $(URL)/a/s/signin   (a demo member's mobile, +4790000001-3;"
	@echo "                         the sign-in link appears on this console)"
	@echo "       the API's docs    $(URL)/docs"
	@echo "       reply to an SMS: $(BIN)/odvarsel sms-reply --from <the number in [SMS to ...]> 'OK <code>'"
	@echo "                         (the demo's duty turns weekly among +4790000001-3)"
	@echo "       the municipality: $(DEMO_FILE), applied with $(BIN)/odvarsel apply"
	@echo
endef

run: $(RUNTIME)
	$(BIN)/odvarsel migrate
	$(BIN)/odvarsel seed-demo --file $(DEMO_FILE)
	$(call banner)
	$(BIN)/odvarsel serve

migrate: $(RUNTIME)
	$(BIN)/odvarsel migrate

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests (tests/browser)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: $(DEV) $(CHROMIUM)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app tests bench devtools

format: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: $(RUNTIME)
	$(BIN)/odvarsel openapi

# Re-resolve the locks from pyproject.toml's ranges, keeping pins that still fit;
# `make lock LOCK_FLAGS=--upgrade` moves every package to its newest allowed version.
# dev.txt is constrained by runtime.txt, so tests run on the versions that are served.
# It needs only pip-tools (at its locked version), not an install that matches the old lock:
# a dependency just added to pyproject.toml is what the lock is refreshed for.
PIP_TOOLS := $(shell sed -n 's/^\(pip-tools==[^ ]*\).*/\1/p' requirements/dev.txt)
lock: $(INTERPRETER)
	$(PIP) install "$(PIP_TOOLS)"
	$(BIN)/pip-compile --quiet $(LOCK_FLAGS) --output-file requirements/runtime.txt pyproject.toml
	$(BIN)/pip-compile --quiet $(LOCK_FLAGS) --extra dev --constraint requirements/runtime.txt \
		--output-file requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
