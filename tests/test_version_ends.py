"""tools/version_ends.py (`make ends`) finds the Pythons for both ends of the ranges, and names what is
missing.

The ends themselves (two environments, the whole suite in each) run in CI (.ci/run), not here.
"""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import version_ends  # noqa: E402


def test_the_python_floor_is_read_from_requires_python(tmp_path):
    assert version_ends.python_floor() == (3, 10)
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nrequires-python = ">= 3.12"\n', encoding="utf-8")
    assert version_ends.python_floor(other) == (3, 12)
    other.write_text('[project]\nrequires-python = "~=3.12"\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="no requires-python"):
        version_ends.python_floor(other)


def fake_pythons(tmp_path, monkeypatch, minors):
    found = {}
    for minor in minors:
        path = tmp_path / f"3.{minor}" / "bin" / f"python3.{minor}"
        path.parent.mkdir(parents=True)
        path.write_text(f"#!/bin/sh\necho 3 {minor}\n", encoding="utf-8")
        path.chmod(0o755)
        found[(3, minor)] = path
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path.parent / "no-pyenv"))
    on_path = {f"python3.{minor}": str(path) for (_, minor), path in found.items()}
    monkeypatch.setattr(version_ends.shutil, "which", on_path.get)
    return found


def test_the_lowest_end_takes_the_floor_and_the_newest_the_newest_python(tmp_path, monkeypatch):
    found = fake_pythons(tmp_path, monkeypatch, [9, 10, 11, 13])
    assert version_ends.pythons() == found
    assert version_ends.interpreter("lowest") == found[(3, 10)]
    assert version_ends.interpreter("newest") == found[(3, 13)]


def test_pyenv_versions_are_found_too(tmp_path, monkeypatch):
    fake_pythons(tmp_path / "path", monkeypatch, [])
    pyenv = tmp_path / "pyenv"
    python = pyenv / "versions" / "3.12.1" / "bin" / "python3.12"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\necho 3 12\n", encoding="utf-8")
    python.chmod(0o755)
    monkeypatch.setenv("PYENV_ROOT", str(pyenv))
    assert version_ends.pythons() == {(3, 12): python}


def test_a_python_that_does_not_run_is_passed_over(tmp_path, monkeypatch):
    found = fake_pythons(tmp_path, monkeypatch, [10, 11])
    found[(3, 10)].write_text("#!/bin/sh\necho 'pyenv: python3.10: command not found' >&2\nexit 127\n")
    assert version_ends.pythons() == {(3, 11): found[(3, 11)]}


def test_a_missing_oldest_python_is_named(tmp_path, monkeypatch):
    fake_pythons(tmp_path, monkeypatch, [11, 12])
    with pytest.raises(SystemExit, match=r"needs Python 3\.10 .*`pyenv install 3\.10`"):
        version_ends.interpreter("lowest")
    assert version_ends.interpreter("newest").name == "python3.12"


def test_pytest_arguments_are_required():
    with pytest.raises(SystemExit):
        version_ends.main(["--end", "lowest"])
