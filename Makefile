# lvv-eval: every target creates and fills the local virtual environment (.venv) on first use.
# Run `make help` for the list of targets.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.DEFAULT_GOAL := help
.PHONY: help env reports test test-fast nbtest nbval lint format sync bench synth lock clean clean-env

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

env: $(STAMP) ## Create or update the virtual environment from requirements.lock

reports: $(STAMP) ## Build every report under reports/ from the committed default data
	$(BIN)/lvv-eval reports --jobs $(JOBS)

test: $(STAMP) ## Run the whole test suite (unit, known-answer, doctests, notebooks)
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## Run the tests that do not execute notebooks
	$(BIN)/python -m pytest -m "not notebooks"

nbtest: $(STAMP) ## Execute the notebooks only (papermill tests, checked cells compared)
	$(BIN)/python -m pytest -m notebooks

nbval: $(STAMP) ## Run nbval itself over notebooks/ (stored outputs of the checked cells)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:doctest notebooks/*.ipynb

lint: $(STAMP) ## ruff (lint and format check), mypy, notebook pairs and outputs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lvv-eval notebooks check

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

sync: $(STAMP) ## Bring each notebook and its py:percent text file into step (jupytext --sync)
	$(BIN)/jupytext --sync notebooks/*.ipynb

bench: $(STAMP) ## Time each step at 1,000,000 trajectories against DuckDB and pyarrow (BENCH_ARGS="--rows 10000000")
	$(BIN)/python scripts/benchmark.py $(BENCH_ARGS)

synth: $(STAMP) ## Regenerate the committed synthetic data and its calibration report
	$(BIN)/lvv-eval synth --seed 20190401 --out data/synthetic/monitor_synthetic.csv --report data/synthetic/calibration_report.csv

lock: ## Re-resolve requirements.lock from pyproject.toml in a throw-away environment
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check ".[test,lint]"
	.lock-venv/bin/python -m pip freeze --exclude lvv-eval | LC_ALL=C sort -f > requirements.lock
	rm -rf .lock-venv

clean: ## Remove generated reports and caches (keeps .venv)
	rm -rf reports/*/ reports/index.html .pytest_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

clean-env: ## Remove the virtual environment
	rm -rf $(VENV)
