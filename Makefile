# Two commands: `make run` starts the platform, `make test` runs every check.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Where pip finds the CPU build of torch; empty means the configured index (PyPI or a local mirror).
TORCH_INDEX_URL ?=

.PHONY: run test venv lint clean-venv

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) (set PYTHON=...)"; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet "torch==2.13.0" $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL))
	$(PIP) install --quiet -e ".[dev]"
	touch $@

run: venv
	$(VENV)/bin/matchmaker run

lint: venv
	$(VENV)/bin/ruff check .

test: venv
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
