"""The course's tests at both ends of its declared dependency ranges (issue 11).

    python3 tools/version_ends.py [--end lowest|newest] -- PYTEST_ARGS...   # what `make ends` runs

The lower bounds in ``pyproject.toml`` are promises: a learner whose environment has exactly those
versions must get the same course, printed numbers included. So this makes two throwaway environments under
``build/ends/`` and runs the given pytest arguments (the Makefile passes the unit tests, the doctests and
strict nbval over every notebook) in each:

* **lowest**: every direct dependency at its lowest declared version (``uv pip install --resolution
  lowest-direct``), on the oldest Python that ``requires-python`` admits;
* **newest**: every dependency at its newest release (``--resolution highest``), on the newest Python found.

The Pythons are looked for on ``PATH`` (``python3.10``, ``python3.11``, ...) and under pyenv's versions
folder; none is downloaded. uv comes from ``PATH`` or, if it is not there, is installed from PyPI into
``build/ends/uv/``. The two ends run side by side (one process each; ``--end`` runs one), each writing its
output to ``build/ends/<end>.log``; the versions installed and the last lines of each run are printed, and the
exit status is non-zero if either failed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ENDS_DIR = REPO_ROOT / "build" / "ends"
RESOLUTION = {"lowest": "lowest-direct", "newest": "highest"}
#: Packages whose installed versions are printed for each end: what a failure is most likely to depend on.
SHOWN = ("numpy", "matplotlib", "pillow", "ipywidgets", "scikit-learn", "jupyterlab", "ipykernel", "nbclient",
         "nbconvert", "nbval", "pytest", "hypothesis")  # fmt: skip


def python_floor(pyproject: Path = REPO_ROOT / "pyproject.toml") -> tuple[int, int]:
    """The oldest Python that ``requires-python`` admits (``>=3.10`` gives (3, 10))."""
    match = re.search(r'requires-python\s*=\s*">=\s*(\d+)\.(\d+)', pyproject.read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit(f'{pyproject}: no requires-python = ">=X.Y" found')
    return int(match[1]), int(match[2])


def pythons() -> dict[tuple[int, int], Path]:
    """Every Python 3 interpreter that runs, found under pyenv's versions or on PATH, by (major, minor).

    Each is asked its version (a pyenv shim on PATH names a version it may refuse to run, for one).
    """
    found: dict[tuple[int, int], Path] = {}
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = sorted(pyenv.glob("3.*/bin/python3.*")) if pyenv.is_dir() else []
    candidates += [Path(p) for p in (shutil.which(f"python3.{minor}") for minor in range(8, 20)) if p]
    for path in candidates:
        if not re.fullmatch(r"python3\.\d+", path.name) or not os.access(path, os.X_OK):
            continue
        version = version_of(path)
        if version is not None:
            found.setdefault(version, path)
    return found


def version_of(python: Path) -> tuple[int, int] | None:
    """(major, minor) of the Python at ``python``, or None if it does not run."""
    try:
        result = subprocess.run(
            [str(python), "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = result.stdout.split()
    if result.returncode or len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def interpreter(end: str) -> Path:
    """The oldest supported Python for ``lowest``, the newest found for ``newest``."""
    floor, found = python_floor(), pythons()
    if end == "lowest":
        version = f"{floor[0]}.{floor[1]}"
        if floor not in found:
            raise SystemExit(
                f"the lowest end needs Python {version} (the floor of requires-python), and none was found "
                f"on PATH or under pyenv: install it (for example `pyenv install {version}`)"
            )
        return found[floor]
    newest = max((v for v in found if v >= floor), default=None)
    if newest is None:
        raise SystemExit("no Python found for the newest end")
    return found[newest]


def uv() -> str:
    """uv from PATH, or installed from PyPI into build/ends/uv/."""
    on_path = shutil.which("uv")
    if on_path:
        return on_path
    tools = ENDS_DIR / "uv"
    executable = tools / "bin" / "uv"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(tools)], check=True)
        subprocess.run([str(tools / "bin" / "python"), "-m", "pip", "install", "-q", "uv"], check=True)
    return str(executable)


def prepare(end: str, uv_path: str) -> Path:
    """A fresh environment build/ends/<end> with the course and its dev extra at that end; its Python."""
    venv = ENDS_DIR / end
    python = interpreter(end)
    subprocess.run([uv_path, "venv", "-q", "--clear", "--python", str(python), str(venv)], check=True)
    subprocess.run(
        [uv_path, "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
         "--resolution", RESOLUTION[end], "-e", f"{REPO_ROOT}[dev]"],
        check=True,
    )  # fmt: skip
    return venv / "bin" / "python"


def versions(python: Path) -> str:
    """``Python 3.10.13, numpy 1.24.0, ...``: the interpreter and the SHOWN packages as installed."""
    code = (
        "import sys, importlib.metadata as m\n"
        "out = ['Python ' + sys.version.split()[0]]\n"
        f"for name in {SHOWN!r}:\n"
        "    try:\n"
        "        out.append(f'{name} {m.version(name)}')\n"
        "    except m.PackageNotFoundError:\n"
        "        out.append(f'{name} (absent)')\n"
        "print(', '.join(out))\n"
    )
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--end", choices=sorted(RESOLUTION), action="append", help="one end (default: both)")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: what pytest runs")
    args = parser.parse_args(argv)
    pytest_args = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    if not pytest_args:
        parser.error("give pytest's arguments after --")
    ends = args.end or list(RESOLUTION)
    ENDS_DIR.mkdir(parents=True, exist_ok=True)
    uv_path = uv()

    runs = {}
    for end in ends:  # set up one after the other (downloads), then test side by side
        python = prepare(end, uv_path)
        print(f"{end}: {versions(python)}", flush=True)
        runs[end] = python
    started = time.monotonic()
    processes = {}
    for end, python in runs.items():
        log = open(ENDS_DIR / f"{end}.log", "w", encoding="utf-8")  # noqa: SIM115 (closed below)
        command = [str(python), "-m", "pytest", "-p", "no:cacheprovider", *pytest_args]
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
        processes[end] = (process, log)
    failed = []
    for end, (process, log) in processes.items():
        status = process.wait()
        log.close()
        tail = (ENDS_DIR / f"{end}.log").read_text(encoding="utf-8", errors="replace").splitlines()
        shown = tail if status else tail[-1:]
        print(f"--- {end} (exit {status}, {time.monotonic() - started:.0f} s; build/ends/{end}.log) ---")
        print("\n".join(shown[-200:]), flush=True)
        if status:
            failed.append(end)
    if failed:
        print(f"failed at the {' and '.join(failed)} end(s) of the dependency ranges", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
