# AccountGraph: `make run` serves the API with demo data, `make test` runs the whole suite.
# The newest supported interpreter on PATH, unless PYTHON=... names one.
SUPPORTED_PYTHONS := python3.13 python3.12 python3.11
SUPPORTED_CHECK := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach candidate,$(SUPPORTED_PYTHONS),\
	$(shell $(candidate) -c '$(SUPPORTED_CHECK)' 2>/dev/null && echo $(candidate))))
endif
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: install run test test-sqlite test-postgres lint lock schema bench reliability conformance clients clean

$(INSTALLED): requirements.lock pyproject.toml
	@test -x $(PY) || test -n "$(PYTHON)" || { \
		echo "AccountGraph needs Python 3.11, 3.12 or 3.13: none of $(SUPPORTED_PYTHONS) runs here." >&2; \
		echo "Install one, or name it: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -c '$(SUPPORTED_CHECK)' || { \
		echo "AccountGraph needs Python 3.11, 3.12 or 3.13; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; \
		exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(INSTALLED)

install: $(INSTALLED)

# Development mode: the published keys are accepted (README, "Security: deploying it").
run: export ACCOUNTGRAPH_DEVELOPMENT ?= true
run: install
	$(VENV)/bin/accountgraph migrate
	$(VENV)/bin/accountgraph seed --demo --if-empty
	$(VENV)/bin/accountgraph serve

test: install test-sqlite test-postgres

test-sqlite: install
	$(PY) -m pytest

test-postgres: install
	ACCOUNTGRAPH_TEST_DATABASE=postgres $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

schema: install
	$(VENV)/bin/accountgraph export-schema schema.graphql

lock: install
	$(PY) scripts/lock.py

bench: install
	$(PY) bench/dataset.py
	$(PY) bench/run.py

# Load and faults against real servers on SQLite and a private PostgreSQL cluster, then the
# invariants (bench/README.md); about 10 minutes, not part of `make test`.
reliability: install
	$(PY) -m bench.reliability

conformance: install
	bash .ci/conformance.sh

# The example Relay and Codegen clients compiled against schema.graphql, and the breaking-change
# check (README, "Keeping clients working"); needs Node 20+ and npm.
clients:
	bash .ci/clients.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
