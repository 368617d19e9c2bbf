# Two commands on a fresh machine with Python 3.11 and make:
#   make site   create .venv, install from the lock, build every example setting
#   make test   lint and run the whole test suite (browser tests need /usr/bin/chromium)
#
# Every install comes from the committed lock (requirements/*.txt: every package, direct
# and indirect, pinned with its hashes). Changing it is deliberate: `make lock` after
# editing pyproject.toml, `make upgrade` to move every pin to the newest release allowed,
# then `make test`. `make test-latest` runs the suite against the newest releases without
# touching the lock, so an upgrade is a decision, not a surprise.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/test.txt
PROPERDOCS_LOCK := requirements/properdocs.txt
# The lock is written by uv (its pip-compatible `uv pip compile`), itself pinned here.
UV_VERSION := 0.13.8
UV     := .venv-lock/bin/uv
COMPILE = $(UV) pip compile pyproject.toml requirements/build.in --generate-hashes \
	--python-version 3.11 --universal --quiet

export NO_MKDOCS_2_WARNING := 1

.PHONY: install site test lint format bench clean lock upgrade test-latest

# --require-hashes: a package that is not in the lock, or whose file differs from the one
# locked, stops the install. `pip check` then fails if pyproject.toml asks for something
# the lock lacks (a dependency added without `make lock`).
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

install: $(STAMP)

site: $(STAMP)
	$(BIN)/policy-sites build

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/policy-sites schema --check

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/federation.py --n 100

$(UV):
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet uv==$(UV_VERSION)

# After editing pyproject.toml's dependencies: keeps every pin that still fits.
lock: $(UV)
	$(COMPILE) --extra test -o $(LOCK)
	$(COMPILE) --extra test --extra properdocs -o $(PROPERDOCS_LOCK)

# Every pin to the newest release pyproject.toml allows; review the diff, then make test.
upgrade: $(UV)
	$(COMPILE) --upgrade --extra test -o $(LOCK)
	$(COMPILE) --upgrade --extra test --extra properdocs -o $(PROPERDOCS_LOCK)

# The suite against the newest releases allowed, in a venv of its own; the lock is untouched.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]'
	.venv-latest/bin/python .ci/newer_than_lock.py $(LOCK)
	.venv-latest/bin/ruff check .
	.venv-latest/bin/python -m pytest -n auto --dist loadfile

clean:
	rm -rf site .pytest_cache .venv-properdocs .venv-latest .venv-lock
