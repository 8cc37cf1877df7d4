"""`make lab` serves the learner's workspace on loopback with token authentication, as the README says.

Starts the real target on a free port (about 10 s), so it is what a learner gets: the server must answer only
with the token, only on 127.0.0.1; an empty or blank JUPYTER_TOKEN must be refused rather than disabling auth;
the start must be quiet, with the address printed last; saving a notebook must change the workspace and no
tracked file; a busy port must be reported in plain words. The workspace is a temporary folder (WORK=...).
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import lab as make_lab  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str, token: str | None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _lab(port: int, token: str | None, work: Path, **extra_env):
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_TOKEN"}
    if token is not None:
        env["JUPYTER_TOKEN"] = token
    env.update(extra_env)
    return subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", f"WORK={work}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # so the whole process group (make and jupyter) can be stopped
    )


def _stop(process):
    """Stop make and the server it started, even when the test failed half-way."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET address: no packet is sent by a UDP connect
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


class Output:
    """What the process prints, read as it comes (so a test can wait for a line)."""

    def __init__(self, process):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, f"{text!r} not printed within {timeout:g} s:\n" + self.text()
            time.sleep(0.2)

    def text(self) -> str:
        return "\n".join(self.lines)


def _git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=REPO, capture_output=True, text=True
    ).stdout


def test_make_lab_serves_the_workspace_quietly_with_the_token_on_loopback_only(tmp_path):
    port, token, work = _free_port(), secrets.token_hex(16), tmp_path / "work"
    before = _git_status()
    process = _lab(port, token, work, MPLBACKEND="Agg")
    output = Output(process)
    try:
        output.wait_for("Stop the server with Ctrl-C")
        time.sleep(1)  # the banner's closing rule, and anything the server would print after it

        # A quiet start: what the workspace is, the backend note, then the address with its token, last.
        lines = list(output.lines)
        shown = "\n".join(lines)
        assert "Made your workspace" in shown
        assert "MPLBACKEND=Agg from your shell is not passed to the notebooks" in shown
        address = f"http://127.0.0.1:{port}/lab/tree/00_start_here.ipynb?token={token}"
        at = [i for i, line in enumerate(lines) if address in line]
        assert at and len(lines) - at[0] <= 6, shown  # printed last, in the closing banner
        assert lines[-1].startswith("-----"), shown
        for noise in ("[W ", "[I ", "[E ", "Traceback", "WARNING"):
            assert noise not in shown, f"{noise!r} in what make lab printed:\n{shown}"

        url = f"http://127.0.0.1:{port}/api/contents"
        assert _status(url, token) == 200
        assert _status(url, None) == 403
        assert _status(url, "wrong" + token) == 403
        other = _non_loopback_address()
        if other is not None:
            with pytest.raises(OSError), socket.create_connection((other, port), timeout=2):
                pass

        # The learner saves a changed lesson: the workspace changes, no tracked file does.
        name = "00_start_here.ipynb"
        nb = json.loads((work / name).read_text(encoding="utf-8"))
        nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "My notes", "id": "mine0001"})
        body = json.dumps({"type": "notebook", "format": "json", "content": nb}).encode()
        request = urllib.request.Request(
            f"{url}/{name}", data=body, method="PUT", headers={"Authorization": f"token {token}"}
        )
        with urllib.request.urlopen(request, timeout=20) as response:
            assert response.status == 200
        assert "My notes" in (work / name).read_text(encoding="utf-8")
        assert _git_status() == before
    finally:
        _stop(process)

    # Started again (as after `make clean` and a new `make lab`): the learner's work is still there.
    again = subprocess.run(
        [sys.executable, str(REPO / "tools" / "workspace.py"), "--work", str(work), "sync"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert again.stdout == "" and "My notes" in (work / name).read_text(encoding="utf-8")


def test_a_busy_port_is_reported_in_plain_words_and_the_next_one_used(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        token = secrets.token_hex(16)
        process = _lab(port, token, tmp_path / "work")
        output = Output(process)
        try:
            output.wait_for("Stop the server with Ctrl-C")
            moved = [line for line in output.lines if f"Port {port} is already in use" in line]
            assert moved, output.text()
            used = int(moved[0].split("opens on port ")[1].split(".")[0])
            assert used != port
            assert f"http://127.0.0.1:{used}/lab/tree/" in output.text()
            assert _status(f"http://127.0.0.1:{used}/api/contents", token) == 200
        finally:
            _stop(process)


def _status_or_none(url, token):
    try:
        return _status(url, token)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@pytest.mark.parametrize("token", ["", "   ", "\t\n"])
def test_make_lab_refuses_an_empty_or_blank_token(token, tmp_path):
    process = _lab(_free_port(), token, tmp_path / "work")
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        _stop(process)
    assert process.returncode != 0
    assert "JUPYTER_TOKEN is set but empty (or only spaces)" in output
    assert not (tmp_path / "work").exists()  # refused before anything was made


def test_the_servers_environment_drops_a_foreign_matplotlib_backend():
    env = make_lab.server_environment({"MPLBACKEND": "TkAgg", "HOME": "/h"}, "t0ken")
    assert env == {"HOME": "/h", "JUPYTER_TOKEN": "t0ken"}


@pytest.mark.parametrize(
    ("token", "message"),
    [("a b", "contains spaces"), (" x", "contains spaces"), ("", "empty"), ("  ", "empty")],
)
def test_check_token(token, message):
    with pytest.raises(make_lab.LabError, match=message):
        make_lab.check_token(token)
    assert make_lab.check_token("abc") == "abc"
    assert len(make_lab.check_token(None)) == 48


def test_choose_port_refuses_a_port_out_of_range():
    for port in (0, 70000, -1):
        with pytest.raises(make_lab.LabError, match="PORT must be a port number from 1 to 65535"):
            make_lab.choose_port(port)


CLOSED_TAB = """\
Task exception was never retrieved
future: <Task finished name='Task-427' coro=<WebSocketProtocol13.write_message.<locals>.wrapper() done, \
defined at /x/tornado/websocket.py:1138> exception=WebSocketClosedError()>
Traceback (most recent call last):
  File "/x/tornado/websocket.py", line 1140, in wrapper
    await fut
tornado.iostream.StreamClosedError: Stream is closed

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/x/tornado/websocket.py", line 1142, in wrapper
    raise WebSocketClosedError()
tornado.websocket.WebSocketClosedError
"""


def _logged(tmp_path, text):
    import labbrowser

    server = labbrowser.Lab()
    server.log_path = tmp_path / "jupyterlab.log"
    server.log_path.write_text(text, encoding="utf-8")
    return server


def test_the_browser_test_drops_only_a_write_to_a_closed_tab_from_the_servers_warnings(tmp_path):
    other = "[W 2026-12-04 ServerApp] Notebook 01_ewa.ipynb is not trusted\n"
    server = _logged(tmp_path, CLOSED_TAB + other + CLOSED_TAB)
    assert server.warnings() == [other.strip()]
    # Another exception in the same kind of block is kept, with its first line.
    failed = CLOSED_TAB.replace("tornado.websocket.WebSocketClosedError\n", "ValueError: bad message\n")
    assert server.warnings() != _logged(tmp_path, failed).warnings()
    assert "Task exception was never retrieved" in _logged(tmp_path, failed).warnings()
    unrelated = CLOSED_TAB.replace("WebSocketProtocol13.write_message", "Kernel.execute")
    assert "Task exception was never retrieved" in _logged(tmp_path, unrelated).warnings()


def test_the_browser_test_sees_only_what_was_logged_after_its_mark(tmp_path):
    first = "[E 2026-12-04 ServerApp] Uncaught exception GET /api/x\n"
    server = _logged(tmp_path, first)
    since = server.mark()
    assert server.warnings() == [first.strip()]
    assert server.warnings(since) == []
    with open(server.log_path, "a", encoding="utf-8") as log:
        log.write("[W 2026-12-04 ServerApp] later\n")
    assert server.warnings(since) == ["[W 2026-12-04 ServerApp] later"]
