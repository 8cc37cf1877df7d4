# The course's commands. On a fresh machine with Python >= 3.10 and make, `make test` and `make lab` set
# everything up themselves. Run `make help` for the list.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PORT   ?= 8888
WORK   ?= work
NOTEBOOKS := notebooks
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-cell-timeout=600 \
               --nbval-sanitize-with tests/nbval_sanitize.cfg
# `make test` and `make notebooks` run on WORKERS processes side by side (pytest-xdist), fewer on a machine
# with fewer cores (-n auto counts them). A worker takes a whole file at a time (--dist loadfile): the cells
# of a notebook share one kernel and run in order, and a file's module fixtures (a JupyterLab server, a built
# site) are made once. Files are taken in the order of the collection (--no-loadscope-reorder), in which
# tests/conftest.py puts the slowest first. On a machine with more cores and memory, `make test WORKERS=4`;
# more gains little, as the browser tests (one file, one server) take about 3 minutes alone. On one process,
# in pytest's order: `make test XDIST=`.
WORKERS ?= 2
XDIST ?= -n auto --maxprocesses=$(WORKERS) --dist loadfile --no-loadscope-reorder
LINT_PATHS := lessons_lib tests tools benchmarks

.PHONY: help venv test unit notebooks ends lab fresh work-status delete-work execute exercises html lint \
        format bench clean

help:
	@echo "make test       set up .venv if needed, run the unit tests and nbval over every notebook"
	@echo "make lab        set up .venv if needed, start JupyterLab on your workspace $(WORK)/ (127.0.0.1:$(PORT))"
	@echo "make fresh LESSON=02   a fresh copy of a lesson in $(WORK)/, beside yours (yours is never changed)"
	@echo "make work-status       which lessons in $(WORK)/ have a newer version in the course"
	@echo "make delete-work       delete $(WORK)/ and everything you saved there (asks first)"
	@echo "make execute    re-execute every notebook in place from a fresh kernel, normalise metadata"
	@echo "make exercises  regenerate the learner notebooks from the solution notebooks, then execute them"
	@echo "make html       execute the solution notebooks (in memory) and build the offline site in site/"
	@echo "make ends       the tests at both ends of the dependency ranges (needs Python 3.10 and a newer one)"
	@echo "make lint       ruff on the code and the notebooks"
	@echo "make bench      sweep against a hand loop, notebook times against the floor, widget redraw times"
	@echo "make clean      remove .venv and everything built (never $(WORK)/)"

# The virtual environment, created when missing and refreshed when pyproject.toml changes. tools/setup_venv.py
# takes a lock (a second make waits) and makes it again from scratch if a set-up was interrupted.
$(STAMP): pyproject.toml tools/setup_venv.py
	@$(PYTHON) tools/setup_venv.py $(VENV)

venv: $(STAMP)

# Unit tests, doctests, set-up checks and strict nbval over learner and solution notebooks, in one run.
test: venv
	$(PY) -m pytest tests lessons_lib $(NOTEBOOKS) --doctest-modules $(NBVAL_FLAGS) $(XDIST)

unit: venv
	$(PY) -m pytest tests lessons_lib --doctest-modules

notebooks: venv
	$(PY) -m pytest $(NOTEBOOKS) $(NBVAL_FLAGS) $(XDIST)

# The unit tests, doctests and strict nbval again, in build/ends/: every direct dependency at its lowest
# declared version on the oldest supported Python, and at its newest on the newest Python found (uv; see
# tools/version_ends.py). Left to `make test`: the set-up and browser tests (they test what make builds) and
# the perturbation test (nbval at each end already compares every printed number). Each end runs on one
# process (no $(XDIST)): the two ends already run side by side, one per core.
ENDS_SKIP := --ignore=tests/test_browser.py --ignore=tests/test_lab.py --ignore=tests/test_setup_venv.py \
             --ignore=tests/test_perturbations.py
ends:
	$(PYTHON) tools/version_ends.py -- tests lessons_lib $(NOTEBOOKS) --doctest-modules $(NBVAL_FLAGS) $(ENDS_SKIP)

# JupyterLab on loopback with token authentication, on the learner's workspace $(WORK)/ (git-ignored, made from
# the learner notebooks on first run, never overwritten; see tools/lab.py and tools/workspace.py).
lab: venv
	@$(PY) tools/lab.py --port $(PORT) --work $(WORK)

fresh: venv
	@$(PY) tools/workspace.py --work $(WORK) fresh $(LESSON)

work-status: venv
	@$(PY) tools/workspace.py --work $(WORK) status

delete-work: venv
	@$(PY) tools/workspace.py --work $(WORK) delete

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

# Never touches the learner's workspace $(WORK)/ (`make delete-work` does, after asking).
clean:
	rm -rf $(VENV) $(VENV).lock $(VENV).incomplete build site .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
