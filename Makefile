# The course's commands. On a fresh machine with Python >= 3.10 and make, `make test` and `make lab` set
# everything up themselves. Run `make help` for the list.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PORT   ?= 8888
NOTEBOOKS := notebooks
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-cell-timeout=600 \
               --nbval-sanitize-with tests/nbval_sanitize.cfg
LINT_PATHS := lessons_lib tests tools benchmarks

.PHONY: help venv test unit notebooks lab execute exercises html lint format bench clean

help:
	@echo "make test       set up .venv if needed, run the unit tests and nbval over every notebook"
	@echo "make lab        set up .venv if needed, start JupyterLab on the course (127.0.0.1:$(PORT), token auth)"
	@echo "make execute    re-execute every notebook in place from a fresh kernel, normalise metadata"
	@echo "make exercises  regenerate the learner notebooks from the solution notebooks, then execute them"
	@echo "make html       execute the solution notebooks (in memory) and build the offline site in site/"
	@echo "make lint       ruff on the code and the notebooks"
	@echo "make bench      notebook execution times, the floor, widget redraw times"
	@echo "make clean      remove .venv and everything built"

# The virtual environment, created when missing and refreshed when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Unit tests, doctests, set-up checks and strict nbval over learner and solution notebooks, in one run.
test: venv
	$(PY) -m pytest tests lessons_lib $(NOTEBOOKS) --doctest-modules $(NBVAL_FLAGS)

unit: venv
	$(PY) -m pytest tests lessons_lib --doctest-modules

notebooks: venv
	$(PY) -m pytest $(NOTEBOOKS) $(NBVAL_FLAGS)

# JupyterLab on loopback with token authentication. JUPYTER_TOKEN from the environment is honoured; an empty
# one is refused rather than turning authentication off. --allow-root only when running as root (containers).
lab: venv
	@if [ -n "$${JUPYTER_TOKEN+set}" ] && [ -z "$$JUPYTER_TOKEN" ]; then \
	  echo "JUPYTER_TOKEN is set but empty; unset it or give it a value (an empty token would disable auth)."; \
	  exit 2; fi
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
	  --ServerApp.root_dir=$(NOTEBOOKS) --LabApp.default_url=/lab/tree/00_start_here.ipynb \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

execute: venv
	$(PY) tools/execute_notebooks.py

exercises: venv
	$(PY) tools/make_exercises.py
	$(PY) tools/execute_notebooks.py $(NOTEBOOKS)/*.ipynb

# The course as a static site that reads offline (equations as MathML, figures embedded). The notebooks are
# executed in memory, never written. HTML_FLAGS=--no-execute builds from the committed outputs in seconds.
html: venv
	$(PY) tools/build_site.py $(HTML_FLAGS)

lint: venv
	$(BIN)/ruff check $(LINT_PATHS) $(NOTEBOOKS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: venv
	$(BIN)/ruff format $(LINT_PATHS)

bench: venv
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build site .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
