"""Every learner notebook in JupyterLab, in headless Chromium, the way a learner meets it.

JupyterLab serves a temporary copy of ``notebooks/`` (the committed notebooks are never modified) on a free
loopback port with a random token. For each learner notebook (``notebooks/*.ipynb``, discovered, so a new
lesson is covered without editing this file) the test opens it, clears its outputs, runs Run > Run All
Cells and waits for the kernel to be idle, then asserts that

* opening it does not mark it modified (closing it untouched asks nothing), and no notification (such as
  JupyterLab's "get notified about Jupyter news?") covers it;
* every code cell ran and none shows an error or stderr output (the exercises' checks print "not done yet"
  and the lesson falls back on the library, so the learner version runs clean too);
* every widget rendered (no "Loading widget..." or "Error displaying widget" left, no text fallback), as
  many as the committed notebook shows;
* each interactive widget responds: its first slider, moved with the keyboard (one arrow key press, then the
  other way), redraws the figure (the image's pixels change) within 15 s, with no drawing error.

A screenshot of each notebook goes to ``build/screenshots/<notebook>.png`` (``build/`` is git-ignored), also
when the test fails. The browser is the system's Chromium (Debian's ``chromium``); without it, or without
Playwright, the tests are skipped with a message that says how to enable them (with REQUIRE_BROWSER_TESTS set,
as ``.ci/run`` does, they fail instead). About 15 s per notebook.
"""

import contextlib
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import labbrowser  # noqa: E402
import nbtools  # noqa: E402

NOTEBOOKS = nbtools.learner_notebooks()
SCREENSHOTS = REPO / "build" / "screenshots"


@pytest.fixture(scope="module")
def lab():
    reason = labbrowser.unavailable()
    if reason and os.environ.get("REQUIRE_BROWSER_TESTS"):  # CI (.ci/run): run them or fail
        pytest.fail(f"REQUIRE_BROWSER_TESTS is set, but {reason}")
    if reason:
        pytest.skip(reason)
    with labbrowser.Lab() as server:
        yield server


@pytest.fixture(scope="module")
def chromium(lab):
    with labbrowser.browser() as browser:
        yield browser


def test_there_are_learner_notebooks():
    assert NOTEBOOKS, "no learner notebooks under notebooks/"


def test_the_server_requires_its_token(lab):
    url = f"{lab.base_url}/api/contents"
    with pytest.raises(urllib.error.HTTPError) as refused:
        labbrowser.DIRECT.open(url, timeout=10)
    assert refused.value.code == 403
    request = urllib.request.Request(url, headers={"Authorization": f"token {lab.token}"})
    with labbrowser.DIRECT.open(request, timeout=10) as response:
        assert response.status == 200


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_learner_notebook_runs_and_its_widgets_respond(path, lab, chromium):
    page = chromium.new_page(viewport=labbrowser.VIEWPORT)
    notebook = None
    since = lab.mark()  # what this notebook makes the server log, not what an earlier one did
    try:
        notebook = labbrowser.open_notebook(page, lab, path.name)
        # JupyterLab writes the kernel's metadata into the notebook, and shows its pop-ups, within seconds.
        assert not notebook.is_modified(within_s=5), f"{path.name}: opening it marked it modified"
        assert notebook.notifications() == [], f"{path.name}: notifications over the page"
        notebook.run_all()

        not_run = notebook.not_run()
        problems = notebook.problems()
        assert not problems, f"{path.name} after Run All Cells:\n" + "\n".join(problems)
        assert not not_run, f"{path.name}: cells not run by Run All Cells:\n" + "\n".join(not_run)

        expected = len(labbrowser.committed_widgets(path))
        rendered = notebook.widget_count()
        widgets = notebook.widgets()
        assert rendered == expected, (
            f"{path.name}: {rendered} widget(s) rendered, but the committed notebook shows {expected}"
        )
        assert len(widgets) == expected, (
            f"{path.name}: {expected} widget(s), of which {len(widgets)} have a slider above an image: "
            f"{widgets}"
        )

        for widget in widgets:
            where = (
                f"{path.name}, widget {widget['index']} ({widget['source']!r}), slider {widget['slider']!r}"
            )
            there = notebook.move_slider(widget["index"])
            back = notebook.move_slider(
                widget["index"], "ArrowLeft" if there.key == "ArrowRight" else "ArrowRight"
            )
            for move in (there, back):
                assert move.slider_moved, f"{where}: {move.key} did not move the slider"
                assert labbrowser.DRAW_FAILURE not in move.status, f"{where}, after {move.key}: {move.status}"
                assert move.ms is not None, f"{where}: the figure was not redrawn within 15 s of {move.key}"
                assert move.changed, f"{where}: the figure was redrawn after {move.key} but did not change"
        problems = notebook.problems()
        assert not problems, f"{path.name} after moving the sliders:\n" + "\n".join(problems)
        logged = lab.warnings(since)
        assert not logged, f"{path.name}: the server logged\n" + "\n".join(logged)
    finally:  # never let clean-up hide the test's own error; the server's process group is stopped anyway
        if notebook is not None:
            with contextlib.suppress(Exception):
                notebook.screenshot(SCREENSHOTS / f"{path.stem}.png")
        # Kernels first, while the page is still there to hear they stopped (one kernel at a time on a small
        # machine); then the page, with nothing left to send it.
        with contextlib.suppress(Exception):
            lab.shutdown_kernels()
        with contextlib.suppress(Exception):
            page.close()
