# Two entry points that work on a fresh machine with Python 3.11+ and make:
#   make demo   - set up .venv and run the main job on the sandboxes
#   make test   - set up .venv and run every test
#   make lint   - ruff (style, imports, bugbear) and mypy (strict) over the code
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench docs clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "crm-kpi needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: $(BIN)/.installed
	$(BIN)/crm-kpi demo

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(BIN)/.installed
	$(BIN)/python bench/engine.py --opportunities 100000

docs: $(BIN)/.installed
	$(BIN)/python -m kpi_engine.docs > docs/kpis.md

clean:
	rm -rf $(VENV) build dist .pytest_cache
