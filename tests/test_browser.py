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
  other way), redraws the figure (the image's pixels change) within 15 s, with no drawing error;
* and so it does at the ends of its ranges: each slider in turn goes to its minimum (Home) and its maximum
  (End) and back to where it started (noUiSlider's own ``set()``: no key goes back to the middle), each time
  redrawing a changed figure within 15 s with no drawing error, and no cell shows an error or stderr after.

A screenshot of each notebook goes to ``build/screenshots/<notebook>.png`` (``build/`` is git-ignored), also
when the test fails, and one of every widget (controls, status line and image) at each setting to
``build/screenshots/widgets/<notebook>-w<widget>-<setting>.png``: ``default`` (the first render), ``s<k>-min``
and ``s<k>-max`` (slider k, from 0, at an end, the others at their defaults), and ``diverging``: the first of
these settings whose status line says a run diverged (a copy of that picture). A widget that no end of a
slider makes diverge is reported in the warnings summary ("no diverging setting"), not failed.
``build/screenshots/widgets/index.html`` shows each widget's pictures side by side, labelled, with the status
line of each; it lists every notebook whose pictures were taken, in this run or an earlier one.

The browser is the system's Chromium (Debian's ``chromium``); without it, or without Playwright, the tests are
skipped with a message that says how to enable them (with REQUIRE_BROWSER_TESTS set, as ``.ci/run`` does,
they fail instead). About 15 s per notebook, and a few seconds more per widget.
"""

import contextlib
import html
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import labbrowser  # noqa: E402
import nbtools  # noqa: E402

NOTEBOOKS = nbtools.learner_notebooks()
SCREENSHOTS = REPO / "build" / "screenshots"
WIDGET_SHOTS = SCREENSHOTS / "widgets"


# A widget that no end of any slider makes diverge has no picture of divergence: a UserWarning says so. Not a
# warning class of this module's own: under pytest-xdist (`make test` runs on two workers) the controller
# rebuilds each warning from its class's module, cannot import a test module, and stops the whole run
# (INTERNALERROR, pytest-dev/pytest-xdist#404).
NO_DIVERGING_SETTING = "no diverging setting"


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

        forget_widget_shots(path)
        for widget in widgets:
            shots, complete = [], False
            try:  # the pictures taken go into the index, also those of a widget that fails a check
                shots.append(shoot(notebook, path, widget["index"], "default", "the first render"))
                where = (
                    f"{path.name}, widget {widget['index']} ({widget['source']!r}), "
                    f"slider {widget['slider']!r}"
                )
                there = notebook.move_slider(widget["index"])
                back = notebook.move_slider(
                    widget["index"], "ArrowLeft" if there.key == "ArrowRight" else "ArrowRight"
                )
                for move in (there, back):
                    assert_redrawn(move, where)
                settings_at_the_ends(notebook, path, widget, shots)
                shots += diverging_setting(path, widget, shots)
                complete = True
            finally:
                record_widget(path, widget, shots, complete)
        problems = notebook.problems()
        assert not problems, f"{path.name} after moving the sliders:\n" + "\n".join(problems)
        logged = lab.warnings(since)
        assert not logged, f"{path.name}: the server logged\n" + "\n".join(logged)
    finally:  # never let clean-up hide the test's own error; the server's process group is stopped anyway
        if notebook is not None:
            with contextlib.suppress(Exception):
                notebook.screenshot(SCREENSHOTS / f"{path.stem}.png")
        with contextlib.suppress(Exception):
            write_widget_index()
        # Kernels first, while the page is still there to hear they stopped (one kernel at a time on a small
        # machine); then the page, with nothing left to send it.
        with contextlib.suppress(Exception):
            lab.shutdown_kernels()
        with contextlib.suppress(Exception):
            page.close()


# --------------------------------------------------------------------------------------------------------
# Every widget at its default, at the ends of its sliders and diverging: checked, and a picture of each
# --------------------------------------------------------------------------------------------------------


def assert_redrawn(move: labbrowser.Move, where: str) -> None:
    """``move`` moved the slider and the figure was redrawn, changed and without a drawing error."""
    assert move.slider_moved, f"{where}: {move.key} did not move the slider"
    assert labbrowser.DRAW_FAILURE not in move.status, f"{where}, after {move.key}: {move.status}"
    assert move.ms is not None, (
        f"{where}: the figure was not redrawn within 15 s of {move.key} (a redraw to the very same picture "
        "sends nothing: does this setting draw exactly what the one before it drew?)"
    )
    assert move.changed, f"{where}: the figure was redrawn after {move.key} but did not change"


def shoot(notebook, path: Path, index: int, setting: str, label: str, status: str | None = None) -> dict:
    """A picture of widget ``index`` now, named by the notebook, the widget and ``setting``, and its record
    (with the status line, read from the page unless given)."""
    file = notebook.widget_screenshot(index, WIDGET_SHOTS / f"{path.stem}-w{index}-{setting}.png")
    if status is None:
        status = notebook.widget_state(index)["status"]
    return {"setting": setting, "label": label, "file": file.name, "status": status.strip()}


def settings_at_the_ends(notebook, path: Path, widget: dict, shots: list[dict]) -> None:
    """Each slider of ``widget`` at its minimum (Home) and its maximum (End), then back where it was, each
    move checked (``assert_redrawn``, and no error in any cell); a picture at each end (taken before the
    checks), its record appended to ``shots``."""
    index = widget["index"]
    for k, name in enumerate(widget["sliders"]):
        where = f"{path.name}, widget {index} ({widget['source']!r}), slider {k} ({name!r})"
        start = notebook.widget_state(index, k)["now"]
        for key, end in (("Home", "min"), ("End", "max")):
            move = notebook.move_slider(index, key, slider=k)
            at_default = not move.slider_moved and move.position == start  # the default is at this end
            label = f"{name} at its {end}" + (" (its default)" if at_default else "")
            shots.append(shoot(notebook, path, index, f"s{k}-{end}", label, move.status))
            if not at_default:
                assert_redrawn(move, f"{where} to its {end}")
            problems = notebook.problems()
            assert not problems, f"{where}, at its {end}:\n" + "\n".join(problems)
        back = notebook.place_slider(index, k, start)
        assert_redrawn(back, f"{where}, back to its default")
        assert back.position == start, f"{where}: put back at {start}, it is at {back.position}"


def diverging_setting(path: Path, widget: dict, shots: list[dict]) -> list[dict]:
    """The first of ``shots`` whose status line says a run diverged, copied as the widget's ``diverging``
    picture (its record, in a list), or none (``[]``, and a "no diverging setting" UserWarning)."""
    diverging = [shot for shot in shots if labbrowser.DIVERGED in shot["status"]]
    if not diverging:
        warnings.warn(
            f"{NO_DIVERGING_SETTING}: {path.name}, widget {widget['index']} ({widget['source']!r}): no end "
            f"of any slider ({', '.join(widget['sliders'])}) makes it diverge",
            UserWarning,
            stacklevel=2,
        )
        return []
    chosen = diverging[0]
    copy = WIDGET_SHOTS / f"{path.stem}-w{widget['index']}-diverging.png"
    shutil.copyfile(WIDGET_SHOTS / chosen["file"], copy)
    return [{**chosen, "setting": "diverging", "label": f"diverging: {chosen['label']}", "file": copy.name}]


def forget_widget_shots(path: Path) -> None:
    """Remove the pictures and the record an earlier run left for this notebook (a widget or a setting may
    be gone since)."""
    for old in WIDGET_SHOTS.glob(f"{path.stem}-w*.png"):
        old.unlink()
    (WIDGET_SHOTS / f"{path.stem}.json").unlink(missing_ok=True)


def record_widget(path: Path, widget: dict, shots: list[dict], complete: bool) -> None:
    """Add ``widget``'s pictures to the notebook's record (``build/screenshots/widgets/<notebook>.json``);
    ``complete``: False when a check failed before every setting was seen."""
    record = WIDGET_SHOTS / f"{path.stem}.json"
    widgets = json.loads(record.read_text(encoding="utf-8")) if record.exists() else []
    widgets.append({**widget, "shots": shots, "complete": complete})
    record.write_text(json.dumps(widgets, indent=1, ensure_ascii=False), encoding="utf-8")


def write_widget_index() -> Path:
    """``build/screenshots/widgets/index.html``: per notebook, per widget, its pictures side by side, each
    labelled with its setting and status line; from the records of every notebook that has one."""
    e = html.escape
    parts = []
    for path in NOTEBOOKS:
        record = WIDGET_SHOTS / f"{path.stem}.json"
        if not record.exists():
            continue
        parts.append(f"<h2>{e(path.name)}</h2>")
        for widget in json.loads(record.read_text(encoding="utf-8")):
            diverging = [shot["label"] for shot in widget["shots"] if shot["setting"] == "diverging"]
            if not widget["complete"]:
                verdict = (
                    "A check failed at this widget, after the last of these pictures: the test stopped there."
                )
            else:
                verdict = e(diverging[0]) if diverging else "No end of any slider makes it diverge."
            parts.append(
                f"<h3>widget {widget['index']}: <code>{e(widget['source'])}</code></h3>"
                f"<p>sliders: {e(', '.join(widget['sliders']))}. {verdict}</p>"
                '<div class="row">'
            )
            for shot in widget["shots"]:
                file = e(shot["file"])
                parts.append(
                    f'<figure><a href="{file}"><img src="{file}" alt="{e(shot["label"])}" loading="lazy"></a>'
                    f"<figcaption><b>{e(shot['setting'])}</b>: {e(shot['label'])}"
                    f"<br><small>{e(shot['status']) or 'no status'}</small></figcaption></figure>"
                )
            parts.append("</div>")
    style = (
        "body{font:14px sans-serif;margin:1em} .row{display:flex;gap:12px;overflow-x:auto;"
        "align-items:flex-start;padding-bottom:8px} figure{margin:0;flex:0 0 auto;width:480px} "
        "figure img{width:100%;border:1px solid #ccc} figcaption{font-size:12px}"
    )
    index = WIDGET_SHOTS / "index.html"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The widgets at their settings'
        f"</title><style>{style}</style></head><body><h1>The widgets at their settings</h1>"
        "<p>Written by tests/test_browser.py; click a picture for its full size.</p>"
        + "\n".join(parts)
        + "</body></html>\n",
        encoding="utf-8",
    )
    return index
