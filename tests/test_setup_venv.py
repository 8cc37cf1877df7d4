"""tools/setup_venv.py: an interrupted or concurrent set-up never leaves an environment that breaks the next
make.

The environments here are real (``python -m venv``, with pip) in a temporary folder; only the slow
``pip install -e '.[dev]'`` is replaced by a short command, so each test takes seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "tools" / "setup_venv.py"
sys.path.insert(0, str(REPO / "tools"))
import setup_venv  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the course's make targets are POSIX")

# Stands in for pip install: proves the environment's pip works, then takes a little while.
INSTALL = ["--install={python} -c 'import pip, time; time.sleep(1.5)'"]


def start(venv: Path, *install: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(venv), "--project", str(REPO), *(install or INSTALL)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # Ctrl-C does what it does in a terminal, also when pytest was started with SIGINT ignored (`cmd &`)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def finish(process: subprocess.Popen, timeout: float = 180) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


def ready(venv: Path) -> bool:
    return setup_venv.is_ready(venv, REPO) and setup_venv.is_usable(venv)


def begun(venv: Path, timeout: float = 60) -> None:
    """Return once the set-up started by ``start(venv)`` holds the lock and has written its marker of an
    unfinished set-up. Waiting for it, rather than for a fixed time, keeps the tests right on a loaded machine
    (`make test` runs two workers side by side), where starting Python alone can take longer than 0.3 s."""
    marker = setup_venv.paths(venv)[2]
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert time.monotonic() < deadline, f"the set-up did not begin within {timeout:g} s"
        time.sleep(0.02)


def test_a_first_set_up_makes_a_working_environment_and_a_second_does_nothing(tmp_path):
    venv = tmp_path / ".venv"
    assert "Making the course's environment" in finish(start(venv))
    assert ready(venv) and not (tmp_path / ".venv.incomplete").exists()
    assert finish(start(venv)) == ""


@pytest.mark.parametrize("after_s", [0.3, 2.5], ids=["while the venv is made", "while installing"])
def test_ctrl_c_during_the_first_set_up_is_repaired_by_the_next_one(tmp_path, after_s):
    venv = tmp_path / ".venv"
    first = start(venv)
    begun(venv)
    time.sleep(after_s)
    os.killpg(first.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends to make and its children
    interrupted, _ = first.communicate(timeout=60)
    assert "the next make starts it again from scratch" in interrupted
    assert "setup_venv.py" not in interrupted  # no traceback of ours (the stopped child may print its own)
    assert not ready(venv)
    assert (tmp_path / ".venv.incomplete").exists()

    output = finish(start(venv))
    if venv.exists() and after_s > 1:
        assert "left unfinished by an interrupted set-up" in output
    assert ready(venv)


def test_a_venv_made_half_way_by_something_else_is_made_again(tmp_path):
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    assert not setup_venv.is_usable(venv)  # "No module named pip", as after an interrupted ensurepip
    assert "making it again" in finish(start(venv))
    assert ready(venv)


def test_two_set_ups_at_once_both_succeed_and_the_second_waits_for_the_first(tmp_path):
    venv = tmp_path / ".venv"
    first = start(venv)
    begun(venv)  # the first holds the lock: the second must wait for it
    second = start(venv)
    outputs = [finish(first), finish(second)]
    assert ready(venv)
    assert "waiting for it to finish" in outputs[1]
    assert sum("Making the course's environment" in o for o in outputs) == 1


def test_a_failed_install_says_so_and_the_next_run_starts_again(tmp_path):
    venv = tmp_path / ".venv"
    failed = start(venv, "--install={python} -c 'raise SystemExit(3)'")
    output, _ = failed.communicate(timeout=120)
    assert failed.returncode == 1 and "run make again to retry from scratch" in output
    assert not ready(venv)
    assert "making it again" in finish(start(venv))
    assert ready(venv)


def test_a_changed_pyproject_reinstalls_without_remaking_the_environment(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    venv = tmp_path / ".venv"
    install = ["{python}", "-c", "import pip"]
    assert setup_venv.setup(venv, project, install) == "installed"
    python = (venv / "bin" / "python").stat().st_ino
    later = time.time() + 5
    os.utime(project / "pyproject.toml", (later, later))
    assert not setup_venv.is_ready(venv, project)
    assert setup_venv.setup(venv, project, install) == "installed"
    assert (venv / "bin" / "python").stat().st_ino == python and setup_venv.is_ready(venv, project)
    assert setup_venv.setup(venv, project, install) == "ready"


def test_the_makefile_uses_it():
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", ".venv/.installed"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "tools/setup_venv.py .venv" in dry.stdout
