"""``make lab``: JupyterLab on the learner's workspace, on loopback, with token authentication.

    python tools/lab.py [--port 8888] [--work work]

What a learner gets, in order:

1. The workspace is made or brought up to date (``tools/workspace.py``): the learner notebooks are copied to
   ``work/`` once, never overwritten; lessons the course has changed since are reported.
2. ``JUPYTER_TOKEN`` from the environment is the token; one that is empty or only whitespace is refused (it
   would turn authentication off), and without one a random token is made. A busy port is reported in plain
   words and the next free one is used.
3. A ``MPLBACKEND`` from the shell is not passed on (the notebooks need the inline backend to show figures).
4. JupyterLab starts quietly: no news or update pop-up, no INFO log, no warning that has a fix; then the
   address to open, with its token, is printed last.

The server's options and environment come from :func:`server_command` and :func:`server_environment`, which
``tools/labbrowser.py`` uses too, so the browser tests meet the server a learner meets.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import workspace

DEFAULT_PORT = 8888
PORTS_TO_TRY = 20
FIRST_NOTEBOOK = "00_start_here.ipynb"
STARTUP_TIMEOUT_S = 120.0

# Defaults for every user of this environment's JupyterLab (its overrides.json): no "get notified about
# Jupyter news?" pop-up over the first view and no update check (the course is offline).
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
INLINE_BACKENDS = ("inline", "module://matplotlib_inline.backend_inline")

# Requests to the server on loopback never go through a proxy from the environment.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LabError(RuntimeError):
    """A setting the learner must change before the server can start."""


def check_token(token: str | None) -> str:
    """The token to use: ``token`` from the environment if usable, a random one when there is none."""
    if token is None:
        return secrets.token_hex(24)
    if not token.strip():
        raise LabError(
            "JUPYTER_TOKEN is set but empty (or only spaces); unset it or give it a value "
            "(an empty token would turn authentication off)."
        )
    if any(c.isspace() for c in token):
        raise LabError("JUPYTER_TOKEN contains spaces; use a token without spaces, or unset it.")
    return token


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_port(wanted: int, tries: int = PORTS_TO_TRY) -> tuple[int, str | None]:
    """``wanted`` if it is free, else the next free port and a sentence saying so."""
    if not 1 <= wanted <= 65535:
        raise LabError(f"PORT must be a port number from 1 to 65535, got {wanted}.")
    if port_is_free(wanted):
        return wanted, None
    for port in range(wanted + 1, min(wanted + 1 + tries, 65536)):
        if port_is_free(port):
            return port, (
                f"Port {wanted} is already in use (another JupyterLab, perhaps), so the course opens on "
                f"port {port}. `make lab PORT=...` picks another."
            )
    raise LabError(
        f"Ports {wanted} to {wanted + tries} are all in use. Stop another server, or pick a port with "
        "`make lab PORT=...`."
    )


def server_command(root: Path, port: int, *, default_url: str | None = None, open_browser=False) -> list[str]:
    """The JupyterLab command line: loopback, ``port`` only, quiet, kernels on encrypted transport."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.open_browser={open_browser}",
        # Quiet: warnings and errors only, and none that can be avoided.
        "--ServerApp.log_level=WARN",
        "--LabApp.log_level=WARN",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        # jupyter_server's default pong timeout (3 pings) is longer than tornado now allows: it warns once
        # per kernel connection and uses the interval. Say the interval.
        '--ServerApp.tornado_settings={"ws_ping_timeout": 30000}',
    ]
    if default_url:
        command.append(f"--LabApp.default_url={default_url}")
    if _transport_encryption():
        command.append("--KernelManager.transport_encryption=auto")  # no "running over TCP" warning
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers
    return command


def _transport_encryption() -> bool:
    import zmq
    from jupyter_client.manager import KernelManager

    return zmq.has("curve") and "transport_encryption" in KernelManager.class_trait_names()


def server_environment(environ: dict[str, str], token: str) -> dict[str, str]:
    """The server's (and so its kernels') environment: ``environ`` with the token and no ``MPLBACKEND``."""
    env = {k: v for k, v in environ.items() if k != "MPLBACKEND"}
    env["JUPYTER_TOKEN"] = token
    return env


def write_overrides(prefix: Path = Path(sys.prefix)) -> Path:
    """Merge :data:`LAB_OVERRIDES` into this environment's JupyterLab ``overrides.json``."""
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    merged = {**current, **{k: {**current.get(k, {}), **v} for k, v in LAB_OVERRIDES.items()}}
    if merged != current:
        # Replaced whole, through a temporary file: a server starting meanwhile (the browser tests and the
        # tests of `make lab` run side by side in `make test`) never reads a half-written file.
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".overrides-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(merged, indent=1) + "\n")
            os.chmod(tmp, 0o644)  # mkstemp makes it private; settings are not
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return path


def wait_until_ready(process: subprocess.Popen, port: int, token: str, timeout: float = STARTUP_TIMEOUT_S):
    """Return once the server answers ``/api/status`` with the token; ``False`` if it exited first."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/status", headers={"Authorization": f"token {token}"}
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with DIRECT.open(request, timeout=5) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    return False


def banner(url: str, work: Path) -> str:
    rule = "-" * 78
    return "\n".join(
        [
            rule,
            "The course is running. Open this address in your browser:",
            "",
            f"    {url}",
            "",
            f"Your notebooks are saved in {workspace.shown(work)}/ "
            "(not tracked by git; `make clean` keeps them).",
            "Stop the server with Ctrl-C in this terminal.",
            rule,
        ]
    )


def _browser_available() -> bool:
    import webbrowser

    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default: %(default)s")
    parser.add_argument("--work", type=Path, default=workspace.DEFAULT_WORK_DIR, help="default: %(default)s")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    args = parser.parse_args(argv)

    try:
        token = check_token(os.environ.get("JUPYTER_TOKEN"))
        port, moved = choose_port(args.port)
        report = workspace.sync(args.work)
    except (LabError, workspace.WorkspaceError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    if moved:
        print(moved)
    backend = os.environ.get("MPLBACKEND", "")
    if backend and backend not in INLINE_BACKENDS:
        print(f"MPLBACKEND={backend} from your shell is not passed to the notebooks, so that figures show.")
    write_overrides()

    url = f"http://127.0.0.1:{port}/lab/tree/{FIRST_NOTEBOOK}?token={token}"
    command = server_command(
        args.work.resolve(),
        port,
        default_url=f"/lab/tree/{FIRST_NOTEBOOK}",
        open_browser=not args.no_browser and _browser_available(),
    )
    # Ctrl-C goes to the whole foreground process group: JupyterLab handles it (and asks whether to stop);
    # this process only waits for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # then stop JupyterLab too
    process = subprocess.Popen(command, env=server_environment(dict(os.environ), token))
    try:
        if wait_until_ready(process, port, token):
            print(banner(url, args.work), flush=True)
        elif process.poll() is None:
            print(f"JupyterLab has not answered on port {port} in {STARTUP_TIMEOUT_S:g} s.", file=sys.stderr)
        return process.wait()
    finally:
        if process.poll() is None:
            process.terminate()


if __name__ == "__main__":
    sys.exit(main())
