"""JupyterLab in headless Chromium: start the server on a copy of the course, open notebooks, run them, and
move the widgets' sliders with the keyboard. Shared by ``tests/test_browser.py`` and ``benchmarks/run.py``.

    with Lab() as lab, browser() as chromium:
        page = chromium.new_page(viewport=VIEWPORT)
        notebook = open_notebook(page, lab, "01_ewa.ipynb")
        notebook.run_all()                      # Edit > Clear Outputs, Run > Run All Cells, wait for idle
        problems = notebook.not_run() + notebook.problems()  # cells not run, errors, widgets not rendered
        widgets = notebook.widgets()            # the interactive widgets: sliders above an image
        move = notebook.move_slider(0)          # one key press on widget 0: move.ms, move.changed
        notebook.move_slider(0, "End", slider=1)  # widget 0's second slider to the end of its range
        notebook.widget_screenshot(0, path)     # the widget (controls, status line, image) as a PNG
        lab.shutdown_kernels()

The server is what ``make lab`` starts (``tools/lab.py``'s command line, environment and settings), with
token authentication on (a random token), on a free loopback port, serving a workspace made from
``notebooks/`` the way ``make lab`` makes ``work/`` (``tools/workspace.py``), in a temporary folder, so that
running cells never touches the committed notebooks.
Its settings, workspaces and runtime files live in that temporary folder too, and it is stopped with its
kernels when the ``with`` block ends, also on an error. The browser is the system's Chromium
(Debian's ``chromium`` package); nothing downloads a browser. Everything is driven through the user
interface (menus, keyboard; only ``place_slider`` calls the slider's own ``set()``, to put it back in the
middle of its range) and read from the page's DOM; the page-side helpers are ``_PAGE_SCRIPT``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import lab as make_lab  # tools/lab.py (the name `lab` is the server object below)
import workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

CHROMIUM = Path("/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the others stop it from calling Google's servers (and waiting on a
# network that refuses).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_CHROMIUM = (
    f"headless Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium) to run "
    "the browser tests; .ci/run does this"
)
NO_PLAYWRIGHT = (
    "Playwright's Python package is not installed: run `make test` (it installs the dev extra of "
    "pyproject.toml) or `.venv/bin/pip install playwright` (not `playwright install`: the system's "
    "Chromium is used)"
)
VIEWPORT = {"width": 1400, "height": 1000}

# What JupyterLab shows instead of a widget it could not render (jupyterlab_widgets 3).
WIDGET_FAILURES = ("Loading widget...", "Error displaying widget")
# What an InteractiveFigure shows (in its status line, never as a traceback) when drawing a setting raised.
DRAW_FAILURE = "Cannot draw this setting"
# What a widget's status line says when a run diverged (the message of lessons_lib.running.run).
DIVERGED = "diverged at step"
# The text/plain fallback of an InteractiveFigure: what the committed notebook stores for each widget.
WIDGET_FALLBACK = "[interactive widget:"

# JupyterLab user settings for the run: every cell kept in the DOM (the default windowing may leave cells that
# are out of view unrendered). No news or update pop-up: that is make lab's own setting (lab.LAB_OVERRIDES).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def unavailable() -> str | None:
    """Why the browser cannot run here (Chromium or Playwright missing), or None when it can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return NO_CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return NO_PLAYWRIGHT
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Requests to the server on loopback never go through a proxy from the environment.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LabError(RuntimeError):
    """JupyterLab did not start, or the page did not behave as expected."""


# --------------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------------


def _closed_tab(block: list[str]) -> bool:
    """Whether a logged "exception was never retrieved" block is only tornado failing to write to a
    websocket that the page had closed: the future is a websocket write, and every exception in it is the
    closed stream."""
    head = "\n".join(block[:2])
    if "write_message" not in head or "WebSocketClosedError" not in head:
        return False
    context = (" ", "Traceback", "During handling")
    raised = [line for line in block[2:] if line and not line.startswith(context)]
    closed = ("tornado.iostream.StreamClosedError", "tornado.websocket.WebSocketClosedError")
    return bool(raised) and all(line.startswith(closed) for line in raised)


class Lab:
    """JupyterLab serving a temporary copy of ``source`` (default ``notebooks/``); a context manager.

    On exit, also when the body raised, the kernels are shut down, the server is stopped (SIGTERM to its
    process group, which makes it shut down any kernel left, then SIGKILL if it has not exited within 15 s;
    a kernel whose server died exits by itself) and the copy is removed.
    """

    def __init__(self, source: Path = NOTEBOOKS_DIR, *, startup_timeout: float = 120.0):
        self.source = Path(source)
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Lab:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="course-lab-")
        tmp = Path(self._tmp.name)
        # What `make lab` serves: the learner's workspace, made from the course by tools/workspace.py.
        self.root = tmp / "work"
        workspace.sync(self.root, self.source)
        settings = tmp / "settings"
        for plugin, values in LAB_SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        make_lab.write_overrides()
        # The server and its kernels get what `make lab` gives them, less Jupyter paths from outside.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
        env = make_lab.server_environment(env, self.token)
        env.update(
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
            JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
            JUPYTER_CONFIG_DIR=str(tmp / "config"),
        )
        command = make_lab.server_command(self.root, self.port)
        self.log_path = tmp / "jupyterlab.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopping it stops the kernels too
            )
        deadline = time.monotonic() + self.startup_timeout
        while self._status("/api/status") != 200:
            if self.process.poll() is not None:
                raise LabError(f"JupyterLab exited with status {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise LabError(f"JupyterLab did not answer within {self.startup_timeout:g} s:\n{self.log()}")
            time.sleep(0.3)

    def mark(self) -> int:
        """Where the server's log ends now: pass it to ``warnings(since=...)`` to see only what came after."""
        return len(self.log(tail=None))

    def warnings(self, since: int = 0) -> list[str]:
        """What the server logged at warning level or above (it logs nothing else) after ``since`` (a
        ``mark()``), less the refusals of requests without the token (a test makes those on purpose) and
        less tornado's report of a message it could not send to a page that had just closed.

        That report ("Task exception was never retrieved ... WebSocketClosedError") comes from a race between
        a closing tab and the server's last kernel messages to it (tornadoweb/tornado#3359, jupyter/notebook
        #5867); nothing is lost, the page is gone. It is dropped only when it is exactly that.
        """
        refusals = ("403 ", "wrote error: 'Forbidden'")
        lines = self.log(tail=None)[since:].splitlines()
        kept: list[str] = []
        unretrieved = ("Task exception was never retrieved", "Future exception was never retrieved")
        i = 0
        while i < len(lines):
            if lines[i].startswith(unretrieved):
                end = i + 1
                while end < len(lines) and not lines[end].startswith(("[", *unretrieved)):
                    end += 1
                block = lines[i:end]
                if _closed_tab(block):
                    i = end
                    continue
            line = lines[i]
            if line.strip() and not line.startswith(" ") and not any(r in line for r in refusals):
                kept.append(line)
            i += 1
        return kept

    def log(self, tail: int | None = 4000) -> str:
        """The server's log, its last ``tail`` characters (all of it for None)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
            return text if tail is None else text[-tail:]
        except (AttributeError, OSError):
            return ""

    def _request(self, path: str, method: str = "GET"):
        request = urllib.request.Request(
            self.base_url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        return DIRECT.open(request, timeout=10)

    def _status(self, path: str) -> int | None:
        try:
            with self._request(path) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def url(self, notebook: str) -> str:
        """The page of ``notebook`` (a path relative to the served folder) in a workspace of its own, so that
        no tab of an earlier page is restored with it."""
        workspace = "w" + uuid.uuid4().hex[:12]
        path = urllib.parse.quote(Path(notebook).as_posix())
        return f"{self.base_url}/lab/workspaces/{workspace}/tree/{path}?reset&token={self.token}"

    def shutdown_kernels(self) -> None:
        """Shut down every session's kernel (call after each notebook: the machine may have 2 cores)."""
        with self._request("/api/sessions") as response:
            sessions = json.load(response)
        for session in sessions:
            with contextlib.suppress(urllib.error.HTTPError):
                self._request(f"/api/sessions/{session['id']}", method="DELETE").close()

    def close(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(Exception):
                self.shutdown_kernels()
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(timeout=15)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


# --------------------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def browser():
    """Headless system Chromium through Playwright; closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# Page-side helpers, installed in every page before JupyterLab loads. Each page shows one notebook (in a
# workspace of its own), so "the notebook" is the page's only notebook panel.
_PAGE_SCRIPT = r"""
window.courseLab = (() => {
  const panel = () => document.querySelector('.jp-NotebookPanel');
  const codeCells = () => [...(panel()?.querySelectorAll('.jp-CodeCell') || [])];
  const prompt = (cell) => cell.querySelector('.jp-InputPrompt')?.textContent || '';
  const lines = (cell) => [...cell.querySelectorAll('.cm-content .cm-line')].map((line) => line.textContent);
  const source = (cell) => lines(cell).join('\n');
  const summary = (cell) => source(cell).replace(/\s+/g, ' ').trim().slice(0, 80);
  const where = (i, cell) => `code cell ${i + 1} (${summary(cell)})`;
  const outputs = () => [...(panel()?.querySelectorAll('.jp-OutputArea-output') || [])];
  const widget = (index) => document.querySelector(`[data-course-widget="${index}"]`);
  const slidersOf = (out) =>
    [...out.querySelectorAll('.widget-slider')].filter((slider) => slider.querySelector('.noUi-handle'));
  const handleOf = (out, slider = 0) => slidersOf(out)[slider]?.querySelector('.noUi-handle');
  // What a slider is called: its description, after that of a checkbox just before it (the testbed race's
  // rows: "GD" then its "lr"). Without the zero-width space that ipywidgets puts in an empty label.
  const text = (element) => (element?.textContent || '').replace(/\u200b/g, '').trim();
  const labelOf = (slider) => {
    const name = text(slider.querySelector('.widget-label'));
    const before = slider.previousElementSibling;
    return before?.classList.contains('widget-checkbox') ? `${text(before)} ${name}` : name;
  };
  // The slider's value as noUiSlider states it (aria-valuenow and -valuemax are rounded to 1 decimal).
  const position = (index, slider = 0) => handleOf(widget(index), slider).getAttribute('aria-valuetext');
  return {
    cellCount: () => panel()?.querySelectorAll('.jp-Notebook .jp-Cell').length || 0,
    noOutputs: () => outputs().length === 0,
    runStarted: () => codeCells().some((cell) => /\[(\*|\d+)\]/.test(prompt(cell))),
    runFinished: () => {
      const indicator = panel()?.querySelector('.jp-Notebook-ExecutionIndicator');
      return indicator?.dataset.status === 'idle' && !codeCells().some((cell) => prompt(cell).includes('*'));
    },
    // Code cells with source but no execution count (Run All stops at the first error).
    notRun: () => codeCells().flatMap((cell, i) =>
      source(cell).trim() !== '' && !/\[\d+\]/.test(prompt(cell)) ? [where(i, cell)] : []),
    widgetsLoading: () => outputs().some((out) => out.textContent.includes('Loading widget...')),
    problems: (failures, drawFailure, fallback) => codeCells().flatMap((cell, i) =>
      [...cell.querySelectorAll('.jp-OutputArea-output')].flatMap((out) => {
        const text = out.textContent.trim();
        const found = [];
        if (out.dataset.mimeType === 'application/vnd.jupyter.stderr'
            || out.querySelector('[data-mime-type="application/vnd.jupyter.stderr"]'))
          found.push(`${where(i, cell)}: error output:\n${text.slice(0, 2000)}`);
        for (const failure of failures)
          if (text.includes(failure))
            found.push(`${where(i, cell)}: widget not rendered: ${text.slice(0, 300)}`);
        if (text.startsWith(fallback))
          found.push(`${where(i, cell)}: the widget's text fallback is shown instead of the widget: ${text}`);
        if (out.querySelector('.jupyter-widgets') && text.includes(drawFailure))
          found.push(`${where(i, cell)}: a widget could not draw: ${text.slice(0, 300)}`);
        return found;
      })),
    // Outputs that hold a rendered ipywidget.
    widgetCount: () => outputs().filter((out) => out.querySelector(':scope > .jupyter-widgets')).length,
    // The interactive widgets: outputs with a widget image and a slider; numbered for the calls below.
    widgets: () => outputs()
      .filter((out) => out.querySelector('img.widget-image') && handleOf(out))
      .map((out, index) => {
        out.dataset.courseWidget = String(index);
        const cell = out.closest('.jp-CodeCell');
        const sliders = slidersOf(out).map(labelOf);
        return {index, slider: sliders[0], sliders, source: cell ? summary(cell) : ''};
      }),
    // A widget's picture (FNV-1a hash of its decoded pixels, so that only a different picture counts as
    // a change, not different bytes), its size, a slider's position and its status line.
    state: async (index, slider = 0) => {
      const out = widget(index);
      const img = out.querySelector('img.widget-image');
      let hash = 2166136261, width = 0, height = 0;
      if (img.src) {
        const bitmap = await createImageBitmap(await (await fetch(img.src)).blob());
        [width, height] = [bitmap.width, bitmap.height];
        const context = new OffscreenCanvas(width, height).getContext('2d');
        context.drawImage(bitmap, 0, 0);
        for (const b of context.getImageData(0, 0, width, height).data)
          hash = Math.imul(hash ^ b, 16777619) >>> 0;
      }
      return {
        src: img.src, hash, width, height, now: position(index, slider),
        status: out.querySelector('.widget-html')?.textContent || '',
      };
    },
    position,
    // Before a key press: focus the slider; note when the key goes down and when the image's src changes.
    arm: (index, slider = 0) => {
      const out = widget(index);
      const img = out.querySelector('img.widget-image');
      const handle = handleOf(out, slider);
      const probe = window.courseProbe = {down: null, changed: null};
      const keyDown = () => { probe.down = performance.now(); };
      handle.addEventListener('keydown', keyDown, {capture: true, once: true});
      const observer = new MutationObserver(() => {
        probe.changed = performance.now();
        observer.disconnect();
      });
      observer.observe(img, {attributes: true, attributeFilter: ['src']});
      handle.focus();
      return document.activeElement === handle;
    },
    // Put a slider back at a position it had (its value as noUiSlider states it): noUiSlider's own set(),
    // which the widget hears as it hears a drag (no key goes from an end back to a value in the middle).
    place: (index, slider, value) => {
      const target = slidersOf(widget(index))[slider].querySelector('.noUi-target');
      window.courseProbe.down = performance.now();
      target.noUiSlider.set(Number(value));
    },
    // Nothing focused (a focused slider's handle is drawn with a ring): for a picture of the widget.
    blur: () => document.activeElement?.blur(),
    probeDone: () => window.courseProbe.changed !== null,
    kernelIdle: () => panel()?.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle',
    probe: () => window.courseProbe,
    // The notebook's tab is marked modified (unsaved changes).
    dirty: () => document.querySelector('.lm-TabBar-tab.jp-mod-current')?.classList.contains('jp-mod-dirty'),
    // The texts of the notifications JupyterLab shows (toasts such as "get notified about Jupyter news?").
    notifications: () => [...document.querySelectorAll('.Toastify__toast')].map((t) => t.textContent.trim()),
    // Scroll to the first interactive widget, else the first figure (for the screenshot).
    scrollToShow: () => {
      const target = widget(0) || panel()?.querySelector('.jp-RenderedImage');
      target?.closest('.jp-Cell')?.scrollIntoView({block: 'start'});
    },
  };
})();
"""


@dataclass
class Move:
    """One move of a widget's slider (a key press, or ``"place"``): the round trip to the new picture and
    whether it changed."""

    key: str
    ms: float | None  # key down to the image's new src; None when it did not change within the timeout
    changed: bool  # the picture's pixels differ from before the press
    slider_moved: bool  # the slider's position changed
    status: str  # the widget's status line after the press
    position: str  # the slider's position after the press (noUiSlider's value)


class NotebookPage:
    """One notebook open in JupyterLab, in a Playwright page (see ``open_notebook``)."""

    def __init__(self, page, name: str):
        self.page = page
        self.name = name

    def _js(self, call: str, *args):
        """Evaluate ``courseLab.<call>`` with ``args`` in the page."""
        return self.page.evaluate(f"(args) => courseLab.{call}(...args)", list(args))

    def _wait(self, call: str, timeout_s: float, *args, polling=200) -> None:
        self.page.wait_for_function(
            f"(args) => courseLab.{call}(...args)", arg=list(args), timeout=timeout_s * 1000, polling=polling
        )

    def _menu(self, menu: str, command: str) -> None:
        """Click ``menu`` in the menu bar, then its item for JupyterLab's ``command``."""
        # One menu at a time: with a menu open, moving to another menu-bar item opens that one on hover, and
        # the click then closes it again.
        self.page.wait_for_selector(".lm-Menu", state="detached", timeout=10_000)
        self.page.click(f".lm-MenuBar-item:has-text('{menu}')")
        item = self.page.locator(f".lm-Menu-item[data-command='{command}']")
        item.wait_for(state="visible", timeout=10_000)
        item.click()
        self.page.wait_for_selector(".lm-Menu", state="detached", timeout=10_000)

    def run_all(self, timeout_s: float = 300.0) -> None:
        """Edit > Clear Outputs of All Cells, then Run > Run All Cells; wait until the kernel is idle with no
        cell pending, and until no widget is still loading. Cells left unrun are reported by ``not_run``."""
        self._menu("Edit", "editmenu:clear-all")
        self._wait("noOutputs", 30)
        self._menu("Run", "runmenu:run-all")
        self._wait("runStarted", 60, polling=100)
        try:
            self._wait("runFinished", timeout_s)
        except Exception as exc:
            raise LabError(f"{self.name}: Run All Cells did not finish within {timeout_s:g} s") from exc
        # A widget view renders after its cell finished: give "Loading widget..." time to go (a widget
        # still loading afterwards is reported by problems()).
        with contextlib.suppress(Exception):
            self.page.wait_for_function("() => !courseLab.widgetsLoading()", timeout=30_000)

    def is_modified(self, within_s: float = 0.0) -> bool:
        """Whether the notebook's tab is marked modified (it would ask to save on closing), now or at any
        moment in the next ``within_s`` seconds (JupyterLab writes the kernel's metadata a second or two
        after the kernel is idle)."""
        if within_s <= 0:
            return bool(self._js("dirty"))
        try:
            self._wait("dirty", within_s, polling=100)
        except Exception:
            return False
        return True

    def notifications(self) -> list[str]:
        """The notifications shown over the page."""
        return self._js("notifications")

    def not_run(self) -> list[str]:
        """Code cells (with source) that have no execution count."""
        return self._js("notRun")

    def problems(self) -> list[str]:
        """Error and stderr outputs, widgets not rendered, widgets that could not draw; one entry each."""
        return self._js("problems", list(WIDGET_FAILURES), DRAW_FAILURE, WIDGET_FALLBACK)

    def widget_count(self) -> int:
        """Outputs holding a rendered widget (any ipywidget)."""
        return self._js("widgetCount")

    def widgets(self) -> list[dict]:
        """The interactive widgets (an image and at least one slider), in order: index, slider (the first
        slider's label), sliders (every slider's label, in order), source."""
        return self._js("widgets")

    def widget_state(self, index: int, slider: int = 0) -> dict:
        return self._js("state", index, slider)

    def move_slider(
        self, index: int, key: str | None = None, timeout_s: float = 15.0, *, slider: int = 0
    ) -> Move:
        """Press ``key`` on slider ``slider`` (0: the first) of widget ``index`` and time the round trip
        from the key going down to the image's next src. The slider (noUiSlider) takes the arrow keys (one
        step), PageUp and PageDown (five steps), Home and End (the ends of its range). Without ``key``:
        ArrowRight, or ArrowLeft when the slider is at the right end. A key that does not move the slider
        (the end of its range) returns at once, with ``slider_moved`` False."""
        if key is None:
            move = self.move_slider(index, "ArrowRight", timeout_s, slider=slider)
            if move.slider_moved:
                return move
            return self.move_slider(index, "ArrowLeft", timeout_s, slider=slider)
        return self._round_trip(index, slider, key, lambda: self.page.keyboard.press(key), timeout_s)

    def place_slider(self, index: int, slider: int, position: str, timeout_s: float = 15.0) -> Move:
        """Put slider ``slider`` of widget ``index`` back at ``position`` (a ``Move.position`` or a state's
        ``now``: noUiSlider's value) with noUiSlider's own ``set()``, and time the round trip as
        ``move_slider`` does. No key goes from an end of the range back to a value inside it in one press."""
        return self._round_trip(
            index, slider, "place", lambda: self._js("place", index, slider, position), timeout_s
        )

    def _round_trip(self, index: int, slider: int, key: str, act, timeout_s: float) -> Move:
        before = self.widget_state(index, slider)
        if not self._js("arm", index, slider):
            raise LabError(f"{self.name}: widget {index}'s slider {slider} did not take the keyboard focus")
        act()
        if self._js("position", index, slider) == before["now"]:  # the slider moves (or not) at once
            return Move(
                key=key,
                ms=None,
                changed=False,
                slider_moved=False,
                status=before["status"],
                position=before["now"],
            )
        try:
            self._wait("probeDone", timeout_s, polling="raf")
        except Exception:
            ms = None
        else:
            probe = self._js("probe")
            ms = probe["changed"] - probe["down"] if probe["down"] is not None else None
            # The widget sends its picture, then its status line, then the kernel goes idle: read the status
            # line once the kernel is idle, or on a busy machine it can be the one of the setting before.
            with contextlib.suppress(Exception):
                self._wait("kernelIdle", 10, polling="raf")
        after = self.widget_state(index, slider)
        return Move(
            key=key,
            ms=ms,
            changed=after["hash"] != before["hash"],
            slider_moved=after["now"] != before["now"],
            status=after["status"],
            position=after["now"],
        )

    def widget_screenshot(self, index: int, path: Path) -> Path:
        """Widget ``index`` (its controls, status line and image) as a PNG, with nothing focused."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._js("blur")
        self.page.locator(f'[data-course-widget="{index}"]').screenshot(path=str(path), animations="disabled")
        return path

    def screenshot(self, path: Path) -> Path:
        """The page as a PNG, scrolled to the first interactive widget, else to the first figure."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._js("scrollToShow")
        self.page.screenshot(path=str(path))
        return path


def open_notebook(page, lab: Lab, notebook: str, timeout_s: float = 120.0) -> NotebookPage:
    """Open ``notebook`` (relative to the served folder) in ``page``; wait until its kernel is idle and all
    its cells are shown."""
    page.set_default_timeout(60_000)
    page.add_init_script(_PAGE_SCRIPT)
    page.goto(lab.url(notebook))
    try:
        page.wait_for_selector(
            ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout_s * 1000
        )
    except Exception as exc:
        raise LabError(
            f"{notebook}: the notebook did not open with an idle kernel within {timeout_s:g} s ({exc})\n"
            f"JupyterLab's log:\n{lab.log()}"
        ) from exc
    panels = page.locator(".jp-NotebookPanel").count()
    if panels != 1:
        raise LabError(f"{notebook}: expected one notebook open in the page, found {panels}")
    # The kernel can be idle before every cell is in the page; a Run All then would start on a notebook
    # still loading (and outputs could arrive before the widget renderer is ready).
    cells = len(json.loads((lab.root / notebook).read_text(encoding="utf-8"))["cells"])
    opened = NotebookPage(page, notebook)
    try:
        page.wait_for_function("(n) => courseLab.cellCount() === n", arg=cells, timeout=timeout_s * 1000)
    except Exception as exc:
        shown = opened._js("cellCount")
        raise LabError(f"{notebook}: the page shows {shown} of the notebook's {cells} cells") from exc
    return opened


def committed_widgets(path: Path) -> list[str]:
    """The names of the interactive widgets the committed notebook shows, in order (from the text fallbacks
    that its outputs keep in place of the widgets, ``[interactive widget: NAME; run the notebook ...]``)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    names = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain", "")
            text = ("".join(text) if isinstance(text, list) else text).strip()
            if text.startswith(WIDGET_FALLBACK):
                names.append(text[len(WIDGET_FALLBACK) :].split("; run the notebook")[0].strip(" ]"))
    return names
