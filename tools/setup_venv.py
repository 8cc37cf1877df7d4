"""Make the course's virtual environment, so that an interrupted or concurrent set-up never leaves it broken.

    python3 tools/setup_venv.py [.venv]       # what `make test` and `make lab` run when .venv is not ready

Run by the system Python (3.10 or newer), from the Makefile. The environment is ready when its stamp file
(``.venv/.installed``) is newer than ``pyproject.toml``; then this does nothing. Otherwise, under a lock
(``.venv.lock``: a second ``make`` started meanwhile waits, then finds the environment ready):

1. a marker ``.venv.incomplete`` is written before anything is changed and removed only after the stamp;
2. if the marker is already there, an earlier set-up was interrupted (Ctrl-C, a closed terminal, a full
   disk), and if ``.venv`` exists but its Python cannot import pip, it was made half-way by something else:
   either way ``.venv`` is removed and made again from scratch;
3. ``python -m venv .venv``, then ``pip install -e '.[dev]'``, then the stamp.

So whatever happens, the next ``make`` either finds a complete environment or starts again cleanly.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
STAMP = ".installed"
MIN_PYTHON = (3, 10)


def paths(venv: Path) -> tuple[Path, Path, Path]:
    """The stamp, the lock and the marker of an unfinished set-up, for the environment ``venv``."""
    return venv / STAMP, venv.with_name(venv.name + ".lock"), venv.with_name(venv.name + ".incomplete")


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"


def is_ready(venv: Path, project: Path) -> bool:
    """The stamp is there and newer than ``pyproject.toml``, and no set-up was left unfinished."""
    stamp, _, marker = paths(venv)
    try:
        return not marker.exists() and stamp.stat().st_mtime >= (project / "pyproject.toml").stat().st_mtime
    except OSError:
        return False


def is_usable(venv: Path) -> bool:
    """Its Python runs and can import pip (a venv interrupted while ensurepip ran cannot)."""
    python = python_of(venv)
    if not python.exists():
        return False
    result = subprocess.run([str(python), "-c", "import pip"], capture_output=True, check=False)
    return result.returncode == 0


@contextlib.contextmanager
def locked(lock: Path):
    """Hold an exclusive lock on ``lock`` (a second set-up waits here, saying so)."""
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                "Another set-up of the course's environment is running; waiting for it to finish...",
                flush=True,
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def default_install(python: Path, project: Path) -> list[str]:
    return [
        str(python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-e",
        f"{project}[dev]",
    ]


def setup(venv: Path, project: Path = REPO_ROOT, install: list[str] | None = None) -> str:
    """Make ``venv`` ready; returns what was done: ``"ready"``, ``"installed"`` or ``"rebuilt"``."""
    venv = Path(venv)
    stamp, lock, marker = paths(venv)
    with locked(lock):
        if is_ready(venv, project):
            return "ready"
        rebuilt = False
        if venv.exists() and (marker.exists() or not is_usable(venv)):
            print(f"{venv.name} was left unfinished by an interrupted set-up; making it again.", flush=True)
            shutil.rmtree(venv)
            rebuilt = True
        marker.touch()
        if not venv.exists():
            print(f"Making the course's environment in {venv.name} (a few minutes, once)...", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = python_of(venv)
        command = [part.replace("{python}", str(python)) for part in install] if install else None
        subprocess.run(command or default_install(python, project), check=True, cwd=project)
        stamp.touch()
        newest = max(stamp.stat().st_mtime, (project / "pyproject.toml").stat().st_mtime)
        os.utime(stamp, (newest, newest))  # ready means: not older than pyproject.toml
        marker.unlink()
    return "rebuilt" if rebuilt else "installed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("venv", nargs="?", type=Path, default=REPO_ROOT / ".venv")
    parser.add_argument("--project", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    # For the tests: the install command instead of pip's, shell-quoted ({python}: the venv's Python).
    parser.add_argument("--install", type=shlex.split, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        print(
            f"error: the course needs Python {wanted} or newer, but {sys.executable} is "
            f"{sys.version.split()[0]}. Run make with PYTHON=/path/to/python3.1x.",
            file=sys.stderr,
        )
        return 2
    try:
        setup(args.venv, args.project, args.install)
    except KeyboardInterrupt:
        print(
            f"\nSet-up of {args.venv.name} interrupted; the next make starts it again from scratch.",
            file=sys.stderr,
        )
        return 130
    except subprocess.CalledProcessError as exc:
        print(
            f"error: setting up {args.venv.name} failed ({' '.join(map(str, exc.cmd[:4]))} ... exited with "
            f"{exc.returncode}); run make again to retry from scratch.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
