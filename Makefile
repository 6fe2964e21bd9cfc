# AccountGraph: `make run` serves the API with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: install run test test-sqlite test-postgres lint lock schema bench reliability conformance clean

$(INSTALLED): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(INSTALLED)

install: $(INSTALLED)

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
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes --quiet -o requirements.lock

bench: install
	$(PY) bench/dataset.py
	$(PY) bench/run.py

# Load and faults against real servers on SQLite and a private PostgreSQL cluster, then the
# invariants (bench/README.md); about 10 minutes, not part of `make test`.
reliability: install
	$(PY) -m bench.reliability

conformance: install
	bash .ci/conformance.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
