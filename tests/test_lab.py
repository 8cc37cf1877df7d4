"""`make lab` serves the course on loopback with token authentication, as the README says.

Starts the real target on a free port (about 10 s), so it is what a learner gets: the server must answer only
with the token, only on 127.0.0.1, and an empty JUPYTER_TOKEN must be refused rather than disabling auth.
"""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


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


def _lab(port: int, token: str | None):
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_TOKEN"}
    if token is not None:
        env["JUPYTER_TOKEN"] = token
    return subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}"],
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


def test_make_lab_requires_the_token_and_listens_on_loopback_only():
    port, token = _free_port(), secrets.token_hex(16)
    process = _lab(port, token)
    try:
        url = f"http://127.0.0.1:{port}/api/contents"
        deadline = time.monotonic() + 60
        while _status_or_none(url, token) != 200:
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "JupyterLab did not answer within 60 s"
            time.sleep(0.5)
        assert _status(url, None) == 403
        assert _status(url, "wrong" + token) == 403
        other = _non_loopback_address()
        if other is not None:
            with pytest.raises(OSError), socket.create_connection((other, port), timeout=2):
                pass
    finally:
        _stop(process)


def _status_or_none(url, token):
    try:
        return _status(url, token)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_make_lab_refuses_an_empty_token():
    process = _lab(_free_port(), "")
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        _stop(process)
    assert process.returncode != 0
    assert "JUPYTER_TOKEN is set but empty" in output
