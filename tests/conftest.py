"""The order in which `make test`'s workers take the test files.

`make test` runs on up to two workers (pytest-xdist: ``-n auto --maxprocesses=2 --dist loadfile
--no-loadscope-reorder``; see the Makefile). Each worker is given a whole file at a time, in the order of the
collection, and takes the next when it is nearly done. A long file taken last would run alone while the other
worker waits, so under xdist the files that take longest come first, longest first, and the others follow in
pytest's order. A run on one process (``make test XDIST=``, ``make unit``, ``make ends``) keeps pytest's
order.

The order only changes how long the run takes, never what it tests: a file missing here (a renamed one, a new
slow one) runs in its place in pytest's order, and a test fails or passes as it would anywhere else.
"""

from __future__ import annotations

# Each file's own time on CI's machine (2 cores) in `make test` on two workers, rounded. Keep the longest
# first; a file that takes under ~15 s need not be named.
SLOW_FIRST = (
    "tests/test_browser.py",  # ~170 s: every learner notebook run in JupyterLab in Chromium, sliders moved
    "tests/test_figures.py",  # ~70 s: every static figure and widget setting checked against the rules
    "tests/test_plots_widgets.py",  # ~55 s: every widget's settings drawn and compared with full renders
    "tests/test_setup_venv.py",  # ~45 s: real virtual environments made, interrupted and made again
    "tests/test_perturbations.py",  # ~45 s: every solution notebook executed again with its starts nudged
    "tests/test_lab.py",  # ~20 s: `make lab` started for real
    "tests/test_site.py",  # ~20 s: the offline site built and opened in Chromium
    "tests/test_checks.py",  # ~20 s
    "tests/test_workspace.py",  # ~15 s
    "tests/test_race_widget.py",  # ~15 s
)


def pytest_collection_modifyitems(config, items):
    if not hasattr(config, "workerinput"):  # not an xdist worker: pytest's own order
        return
    rank = {path: i for i, path in enumerate(SLOW_FIRST)}
    # A stable sort: the tests of one file (a notebook's cells) keep their order.
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
