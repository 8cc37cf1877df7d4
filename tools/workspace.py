"""The learner's workspace: a personal, git-ignored copy of the learner notebooks that ``make lab`` serves.

    python tools/workspace.py sync                # make or update work/ (what `make lab` runs first)
    python tools/workspace.py fresh 02            # a fresh copy of lesson 02 beside the learner's own
    python tools/workspace.py status              # which lessons are new, changed or the learner's own
    python tools/workspace.py delete              # remove work/, after the learner types "delete"

The tracked notebooks in ``notebooks/`` are the course; what a learner saves goes to the workspace (``work/``
by default), never to a tracked file, so ``git pull`` and ``make clean`` leave it alone. The rules:

* A lesson the workspace does not have yet is copied in. A notebook already there is never overwritten,
  whatever it holds: it is the learner's.
* When the course changes a lesson the learner already has (its cells' sources, as ``make exercises``
  compares them), the lesson is reported, not replaced: ``make fresh LESSON=02`` puts the new version beside
  the learner's copy. The version each lesson was last offered in is kept in ``work/.course/versions.json``.
* A lesson the course renumbers (``07_which_optimizer`` becoming ``08_which_optimizer`` when a lesson is
  inserted before it) arrives under its new name like a new lesson; the learner's copy under the old name is
  kept as it is, and the report says where the lesson went. A lesson the course drops is kept and reported.
* The solution notebooks are copied to ``work/solutions/``, read-only (JupyterLab opens them read-only and
  never saves them), and refreshed when the course changes them.
* Each copy is written to a temporary file and then linked into place, so an interrupted or concurrent
  ``make lab`` leaves either the whole notebook or nothing. A copy is marked trusted for this user (its
  outputs are the course's own) and gets the ``language_info`` of this environment's kernel, so that opening
  it in JupyterLab changes nothing and the notebook is not marked modified until the learner changes it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import nbtools
from nbformat.sign import NotebookNotary

DEFAULT_WORK_DIR = nbtools.REPO_ROOT / "work"
STATE_DIR = ".course"  # hidden: JupyterLab's file browser does not show it
VERSIONS_FILE = "versions.json"
SOLUTIONS = "solutions"
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


def _umasked(mode: int = 0o666) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


_UMASKED = _umasked()


class WorkspaceError(RuntimeError):
    """Something the learner must sort out (an unknown lesson, a workspace that cannot be written)."""


# --------------------------------------------------------------------------------------------------------
# Versions and copies
# --------------------------------------------------------------------------------------------------------


def lesson_version(path: Path) -> str:
    """A fingerprint of what a lesson teaches: its cells' types, sources and tags, not outputs or metadata."""
    signature = nbtools.signature(nbtools.read_notebook(path))
    return hashlib.sha256(json.dumps(signature).encode("utf-8")).hexdigest()[:16]


def prepared_copy(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` as it goes into a workspace: this kernel's ``language_info``, trusted."""
    nb = nbtools.read_notebook(path)
    nb.metadata["language_info"] = nbtools.kernel_language_info()
    with contextlib.suppress(OSError, sqlite3.Error):  # trust is a convenience; a read-only home is no error
        NotebookNotary().sign(nb)
    return nb


def _write_new(nb: nbformat.NotebookNode, target: Path, *, mode: int | None = None, replace: bool = False):
    """Write ``nb`` to ``target`` through a temporary file in the same folder: all of it or nothing.

    Without ``replace``, an existing ``target`` is kept and ``False`` returned (``os.link`` refuses to
    overwrite, so two concurrent runs cannot both write it); otherwise returns ``True``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".ipynb", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        nbtools.write_notebook(nb, tmp)
        tmp.chmod(_UMASKED if mode is None else mode)  # mkstemp makes it private; a notebook is not
        if replace:
            os.replace(tmp, target)
            return True
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _read_versions(work: Path) -> dict[str, str]:
    try:
        data = json.loads((work / STATE_DIR / VERSIONS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    lessons = data.get("lessons", {}) if isinstance(data, dict) else {}
    return {k: v for k, v in lessons.items() if isinstance(v, str)} if isinstance(lessons, dict) else {}


def _write_versions(work: Path, versions: dict[str, str]) -> None:
    folder = work / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"lessons": dict(sorted(versions.items()))}, f, indent=1)
        f.write("\n")
    os.replace(tmp, folder / VERSIONS_FILE)


# --------------------------------------------------------------------------------------------------------
# Sync, fresh, delete
# --------------------------------------------------------------------------------------------------------


@dataclass
class SyncReport:
    """What :func:`sync` did: lessons copied in, lessons with a newer version, lessons the course no longer
    has (the learner's copy is kept; the read-only solution goes), lessons it renumbered (the same, and the
    new name is said), solutions refreshed."""

    work: Path
    created: bool = False
    copied: list[str] = field(default_factory=list)
    newer: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # lessons no longer in the course (yet kept)
    moved: list[tuple[str, str]] = field(default_factory=list)  # (old name, new name): renumbered lessons
    solutions: int = 0

    def lines(self) -> list[str]:
        where = shown(self.work)
        out = []
        if self.created:
            out.append(f"Made your workspace, {where}/: what you open and save in `make lab` lives there.")
        else:
            renamed = {new for _, new in self.moved}  # said below, with the name they had
            new_lessons = [name for name in self.copied if name not in renamed]
            if new_lessons:
                out.append(f"New in the course, copied to {where}/: {', '.join(new_lessons)}")
        for name in self.newer:
            lesson = name.split("_", 1)[0]
            out.append(
                f"Lesson {lesson} has a newer version: `make fresh LESSON={lesson}` puts it beside yours "
                f"({where}/{name} is not changed)."
            )
        for name in self.retired:
            out.append(
                f"{name} is no longer a lesson of the course (see the outline in README.md); your copy, "
                f"{where}/{name}, is kept as it is."
            )
        for old, new in self.moved:
            line = f"Lesson {old.removesuffix('.ipynb')} is now lesson {new.split('_', 1)[0]}: {where}/{new}."
            if (self.work / old).exists():
                line += (
                    f" Your copy under its old name, {where}/{old}, is kept as it is, with your work in it."
                )
            out.append(line)
        return out


def shown(path: Path) -> str:
    return nbtools.display_path(path)


def topic(name: str) -> str | None:
    """A lesson's name without its number: ``"which_optimizer.ipynb"`` for ``"07_which_optimizer.ipynb"``."""
    number, _, rest = name.partition("_")
    return rest if number.isdigit() and rest else None


def renumbered(name: str, lessons: set[str]) -> str | None:
    """The course's lesson that ``name`` became when only its number changed, if there is exactly one."""
    same = [lesson for lesson in lessons if lesson != name and topic(name) and topic(lesson) == topic(name)]
    return same[0] if len(same) == 1 else None


def sync(work: Path = DEFAULT_WORK_DIR, notebooks_dir: Path = nbtools.NOTEBOOKS_DIR) -> SyncReport:
    """Make the workspace, or bring it up to date, without touching any notebook the learner has."""
    work = Path(work)
    report = SyncReport(work=work, created=not work.exists())
    work.mkdir(parents=True, exist_ok=True)
    versions = _read_versions(work)
    for lesson in nbtools.learner_notebooks(notebooks_dir):
        version = lesson_version(lesson)
        mine = work / lesson.name
        if not mine.exists():
            if _write_new(prepared_copy(lesson), mine):
                report.copied.append(lesson.name)
            versions[lesson.name] = version
        elif lesson.name not in versions:
            versions[lesson.name] = version  # the learner's own file of that name: nothing to compare it with
        elif versions[lesson.name] != version:
            report.newer.append(lesson.name)
    lessons = {lesson.name for lesson in nbtools.learner_notebooks(notebooks_dir)}
    for name in sorted(versions):
        if "/" in name or name in lessons:
            continue
        new_name = renumbered(name, lessons)
        if new_name is None:
            report.retired.append(name)  # the learner's copy stays; only the course's record of it goes
        else:
            report.moved.append((name, new_name))  # the same: the new name arrived as a new lesson
        del versions[name]
        solution = work / SOLUTIONS / name  # the course's read-only copy, never the learner's
        if versions.pop(f"{SOLUTIONS}/{name}", None) is not None and solution.exists():
            solution.chmod(0o644)
            solution.unlink()
    for solution in nbtools.solution_notebooks(notebooks_dir):
        target = work / SOLUTIONS / solution.name
        if target.exists() and versions.get(f"{SOLUTIONS}/{solution.name}") == lesson_version(solution):
            continue
        _write_new(prepared_copy(solution), target, mode=READ_ONLY, replace=True)
        versions[f"{SOLUTIONS}/{solution.name}"] = lesson_version(solution)
        report.solutions += 1
    _write_versions(work, versions)
    return report


def find_lesson(lesson: str, notebooks_dir: Path = nbtools.NOTEBOOKS_DIR) -> Path:
    """The learner notebook for ``lesson``: ``"2"``, ``"02"``, ``"02_momentum"``, ``"02_momentum.ipynb"``."""
    lessons = nbtools.learner_notebooks(notebooks_dir)
    wanted = lesson.strip().removesuffix(".ipynb")
    if wanted.isdigit():
        wanted = f"{int(wanted):02d}"
    found = [p for p in lessons if p.stem == wanted or p.stem.split("_", 1)[0] == wanted]
    if len(found) != 1:
        names = ", ".join(p.stem.split("_", 1)[0] for p in lessons)
        raise WorkspaceError(
            f"no lesson {lesson!r}: give its number, for example `make fresh LESSON=02` (lessons: {names})."
        )
    return found[0]


def fresh(lesson: str, work: Path = DEFAULT_WORK_DIR, notebooks_dir: Path = nbtools.NOTEBOOKS_DIR) -> Path:
    """Put the course's current version of ``lesson`` into the workspace; never overwrite the learner's.

    Where the learner has no copy, the fresh one takes the lesson's own name; otherwise it goes beside it as
    ``NN_name-fresh.ipynb`` (``-fresh-2``, ``-fresh-3``, ... if that is taken too). Returns its path.
    """
    source = find_lesson(lesson, notebooks_dir)
    work = Path(work)
    nb = prepared_copy(source)
    candidates = [work / source.name, work / f"{source.stem}-fresh.ipynb"]
    candidates += (work / f"{source.stem}-fresh-{n}.ipynb" for n in range(2, 1000))
    for target in candidates:
        if _write_new(nb, target):
            versions = _read_versions(work)
            versions[source.name] = lesson_version(source)
            _write_versions(work, versions)
            return target
    raise WorkspaceError(f"{shown(work)} already holds 1000 fresh copies of {source.name}.")


def status(work: Path = DEFAULT_WORK_DIR, notebooks_dir: Path = nbtools.NOTEBOOKS_DIR) -> list[str]:
    """One line per lesson: in the workspace or not, and whether the course has a newer version."""
    work = Path(work)
    versions = _read_versions(work)
    lines = []
    for lesson in nbtools.learner_notebooks(notebooks_dir):
        mine = work / lesson.name
        if not mine.exists():
            state = "not in your workspace yet (`make lab` copies it)"
        elif versions.get(lesson.name) not in (None, lesson_version(lesson)):
            state = f"newer version in the course: `make fresh LESSON={lesson.name.split('_', 1)[0]}`"
        else:
            state = "yours, up to date with the course"
        lines.append(f"{lesson.name}: {state}")
    return lines


def delete(work: Path = DEFAULT_WORK_DIR, answer: str | None = None) -> bool:
    """Remove the workspace once the learner has typed ``delete``; returns whether it was removed."""
    work = Path(work)
    if not work.exists():
        print(f"There is no workspace at {shown(work)}; nothing to delete.")
        return False
    saved = sorted(p.name for p in work.glob("*.ipynb"))
    print(f"This deletes {shown(work)}/ and everything in it: {len(saved)} notebook(s) of yours", end="")
    print(f" ({', '.join(saved)})." if saved else ".")
    if answer is None:
        try:
            answer = input('Type "delete" to confirm: ')
        except EOFError:
            answer = ""
    if answer.strip() != "delete":
        print("Nothing deleted.")
        return False

    def writable_again(function, path, _):  # the read-only solutions
        os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
        function(path)

    shutil.rmtree(work, onerror=writable_again)
    print(f"Deleted {shown(work)}/. `make lab` makes a fresh workspace.")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK_DIR, help="the workspace (%(default)s)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync", help="make or update the workspace")
    fresh_parser = commands.add_parser("fresh", help="a fresh copy of a lesson beside the learner's own")
    fresh_parser.add_argument("lesson", nargs="?", default="", help="its number, e.g. 02")
    commands.add_parser("status", help="each lesson's state in the workspace")
    commands.add_parser("delete", help="remove the workspace, after confirmation")
    args = parser.parse_args(argv)
    try:
        if args.command == "sync":
            for line in sync(args.work).lines():
                print(line)
        elif args.command == "fresh":
            if not args.lesson.strip():
                raise WorkspaceError("say which lesson, for example `make fresh LESSON=02`.")
            print(f"Fresh copy of the lesson: {shown(fresh(args.lesson, args.work))}")
        elif args.command == "status":
            print("\n".join(status(args.work)))
        else:
            delete(args.work)
    except (WorkspaceError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
