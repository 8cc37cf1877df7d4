"""The learner's workspace (tools/workspace.py): made once, never overwritten, changes reported, not applied.

Each test builds a small course of its own (two lessons and their solutions) in a temporary folder, so the
rules are tested without the real notebooks; the last tests run the real `make` targets' commands.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.sign import NotebookNotary
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import nbtools  # noqa: E402
import workspace  # noqa: E402


def lesson(text: str) -> nbformat.NotebookNode:
    nb = new_notebook(metadata={"kernelspec": dict(nbtools.KERNELSPEC), "language_info": {"name": "python"}})
    nb.cells = [new_markdown_cell(f"# {text}"), new_code_cell(f"print({text!r})")]
    return nb


def write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbtools.write_notebook(nb, path)
    return path


@pytest.fixture
def course(tmp_path):
    notebooks = tmp_path / "notebooks"
    for name in ("00_start.ipynb", "01_ewa.ipynb"):
        write(notebooks / name, lesson(f"learner {name}"))
        write(notebooks / "solutions" / name, lesson(f"solution {name}"))
    return notebooks


@pytest.fixture
def work(tmp_path):
    return tmp_path / "work"


def source_of(path: Path) -> str:
    return nbtools.read_notebook(path).cells[1].source


def test_first_sync_makes_the_workspace_with_every_lesson_and_read_only_solutions(course, work):
    report = workspace.sync(work, course)
    assert report.created and report.copied == ["00_start.ipynb", "01_ewa.ipynb"] and report.newer == []
    assert "Made your workspace" in report.lines()[0]
    for name in ("00_start.ipynb", "01_ewa.ipynb"):
        assert nbtools.signature(nbtools.read_notebook(work / name)) == nbtools.signature(
            nbtools.read_notebook(course / name)
        )
        solution = work / "solutions" / name
        assert source_of(solution) == source_of(course / "solutions" / name)
        assert not solution.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert sorted(p.name for p in work.iterdir()) == [
        ".course",
        "00_start.ipynb",
        "01_ewa.ipynb",
        "solutions",
    ]


def test_a_copy_opens_unmodified_it_holds_the_kernels_language_info_and_is_trusted(course, work):
    workspace.sync(work, course)
    nb = nbtools.read_notebook(work / "00_start.ipynb")
    assert nb.metadata["language_info"] == nbtools.kernel_language_info()
    assert nb.metadata["kernelspec"] == nbtools.KERNELSPEC
    assert NotebookNotary().check_signature(nb)
    assert (work / "00_start.ipynb").stat().st_mode & 0o777 != 0o600  # not private like a temporary file


def test_the_learners_work_is_never_overwritten_and_course_changes_are_reported(course, work):
    workspace.sync(work, course)
    mine = work / "01_ewa.ipynb"
    nb = nbtools.read_notebook(mine)
    nb.cells[1].source = "print('my answer')"
    write(mine, nb)
    saved = mine.read_bytes()

    assert workspace.sync(work, course).lines() == []  # nothing new: silence
    assert mine.read_bytes() == saved

    write(course / "01_ewa.ipynb", lesson("learner 01, second edition"))
    report = workspace.sync(work, course)
    assert report.newer == ["01_ewa.ipynb"] and report.copied == []
    assert report.lines() == [
        f"Lesson 01 has a newer version: `make fresh LESSON=01` puts it beside yours "
        f"({nbtools.display_path(work)}/01_ewa.ipynb is not changed)."
    ]
    assert mine.read_bytes() == saved
    assert workspace.sync(work, course).newer == ["01_ewa.ipynb"]  # said again until the learner acts
    assert "make fresh LESSON=01" in workspace.status(work, course)[1]


def test_outputs_or_metadata_changed_by_re_execution_are_not_a_new_version(course, work):
    workspace.sync(work, course)
    nb = nbtools.read_notebook(course / "00_start.ipynb")
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n")]
    nb.metadata["language_info"] = {"name": "python", "version": "3.99"}
    write(course / "00_start.ipynb", nb)
    assert workspace.sync(work, course).newer == []


def test_a_new_lesson_appears_in_the_workspace(course, work):
    workspace.sync(work, course)
    write(course / "02_momentum.ipynb", lesson("learner 02"))
    report = workspace.sync(work, course)
    assert report.copied == ["02_momentum.ipynb"] and not report.created
    assert report.lines() == [
        f"New in the course, copied to {nbtools.display_path(work)}/: 02_momentum.ipynb"
    ]
    assert source_of(work / "02_momentum.ipynb") == "print('learner 02')"


def test_fresh_puts_the_new_version_beside_the_learners_copy(course, work):
    workspace.sync(work, course)
    mine = work / "01_ewa.ipynb"
    saved = mine.read_bytes()
    write(course / "01_ewa.ipynb", lesson("learner 01, second edition"))

    first = workspace.fresh("01", work, course)
    assert first == work / "01_ewa-fresh.ipynb"
    assert source_of(first) == "print('learner 01, second edition')"
    assert mine.read_bytes() == saved
    assert workspace.sync(work, course).newer == []  # offered: no longer reported

    for spelling, expected in [("1", "01_ewa-fresh-2.ipynb"), ("01_ewa", "01_ewa-fresh-3.ipynb")]:
        assert workspace.fresh(spelling, work, course).name == expected
    assert workspace.fresh("01_ewa.ipynb", work, course).name == "01_ewa-fresh-4.ipynb"
    assert mine.read_bytes() == saved


def test_fresh_restores_a_lesson_the_learner_deleted_under_its_own_name(course, work):
    workspace.sync(work, course)
    (work / "00_start.ipynb").unlink()
    assert workspace.fresh("0", work, course) == work / "00_start.ipynb"


@pytest.mark.parametrize("wrong", ["9", "ewa", "", "01_ewa-fresh"])
def test_fresh_names_the_lessons_when_the_lesson_is_unknown(course, work, wrong):
    workspace.sync(work, course)
    with pytest.raises(workspace.WorkspaceError, match=r"lessons: 00, 01\)"):
        workspace.fresh(wrong, work, course)


def test_solutions_are_refreshed_when_the_course_changes_them(course, work):
    workspace.sync(work, course)
    write(course / "solutions" / "00_start.ipynb", lesson("solution, second edition"))
    report = workspace.sync(work, course)
    assert report.solutions == 1 and report.newer == []
    assert source_of(work / "solutions" / "00_start.ipynb") == "print('solution, second edition')"


def test_a_lesson_the_course_retires_stays_with_the_learner_and_is_reported_once(course, work):
    """Lesson 06 was split in two: a learner's old 06 stays in the workspace, said once; the course's
    read-only solution of it goes, and the new lessons arrive."""
    workspace.sync(work, course)
    (work / "01_ewa.ipynb").write_text((work / "01_ewa.ipynb").read_text() + " ")  # the learner's work
    mine = (work / "01_ewa.ipynb").read_bytes()
    for folder in (course, course / "solutions"):
        (folder / "01_ewa.ipynb").unlink()
        write(folder / "01_averages.ipynb", lesson("learner 01, split"))
    report = workspace.sync(work, course)
    assert report.retired == ["01_ewa.ipynb"] and report.copied == ["01_averages.ipynb"]
    assert any("01_ewa.ipynb is no longer a lesson of the course" in line for line in report.lines())
    assert (work / "01_ewa.ipynb").read_bytes() == mine
    assert not (work / "solutions" / "01_ewa.ipynb").exists()
    assert (work / "solutions" / "01_averages.ipynb").exists()
    again = workspace.sync(work, course)
    assert again.retired == [] and again.lines() == [] and (work / "01_ewa.ipynb").read_bytes() == mine


def test_a_lesson_the_course_renumbers_stays_with_the_learner_who_is_told_where_it_went(course, work):
    """A lesson is inserted as 01 and the old 01 becomes 02, as 07_which_optimizer became 08: the
    learner's work in the old name stays; the lesson arrives under its new name, said once, beside the new
    lesson."""
    workspace.sync(work, course)
    (work / "01_ewa.ipynb").write_text((work / "01_ewa.ipynb").read_text() + " ")  # the learner's work
    mine = (work / "01_ewa.ipynb").read_bytes()
    for folder in (course, course / "solutions"):
        (folder / "01_ewa.ipynb").rename(folder / "02_ewa.ipynb")
        write(folder / "01_inserted.ipynb", lesson(f"new lesson in {folder.name}"))
    report = workspace.sync(work, course)
    assert report.moved == [("01_ewa.ipynb", "02_ewa.ipynb")] and report.retired == []
    assert report.copied == ["01_inserted.ipynb", "02_ewa.ipynb"]
    where = workspace.shown(work)
    assert report.lines() == [
        f"New in the course, copied to {where}/: 01_inserted.ipynb",
        f"Lesson 01_ewa is now lesson 02: {where}/02_ewa.ipynb. Your copy under its old name, "
        f"{where}/01_ewa.ipynb, is kept as it is, with your work in it.",
    ]
    assert (work / "01_ewa.ipynb").read_bytes() == mine
    assert source_of(work / "02_ewa.ipynb") == "print('learner 01_ewa.ipynb')"  # the course's, untouched
    assert not (work / "solutions" / "01_ewa.ipynb").exists()
    assert (work / "solutions" / "02_ewa.ipynb").exists()
    assert [line.split(":")[0] for line in workspace.status(work, course)] == [
        "00_start.ipynb",
        "01_inserted.ipynb",
        "02_ewa.ipynb",
    ]
    again = workspace.sync(work, course)
    assert again.moved == again.retired == [] and again.lines() == []
    assert (work / "01_ewa.ipynb").read_bytes() == mine


def test_a_renumbered_lesson_the_learner_had_deleted_is_still_said_without_a_copy(course, work):
    workspace.sync(work, course)
    (work / "01_ewa.ipynb").unlink()
    for folder in (course, course / "solutions"):
        (folder / "01_ewa.ipynb").rename(folder / "02_ewa.ipynb")
    report = workspace.sync(work, course)
    assert report.moved == [("01_ewa.ipynb", "02_ewa.ipynb")]
    assert report.lines() == [f"Lesson 01_ewa is now lesson 02: {workspace.shown(work)}/02_ewa.ipynb."]
    assert workspace.renumbered("01_ewa.ipynb", {"01_averages.ipynb", "02_momentum.ipynb"}) is None
    assert workspace.renumbered("notes.ipynb", {"02_notes.ipynb"}) is None


def test_an_interrupted_copy_leaves_no_half_notebook(course, work, monkeypatch):
    real_write = nbtools.write_notebook

    def interrupted(nb, path):
        Path(path).write_text('{"cells": [', encoding="utf-8")  # half written, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(nbtools, "write_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        workspace.sync(work, course)
    assert [p.name for p in work.iterdir()] == []  # neither the notebook nor a temporary file
    monkeypatch.setattr(nbtools, "write_notebook", real_write)
    assert workspace.sync(work, course).copied == ["00_start.ipynb", "01_ewa.ipynb"]


def test_concurrent_syncs_write_every_notebook_whole(course, work):
    code = (
        f"import sys; sys.path.insert(0, {str(REPO / 'tools')!r}); import workspace; "
        f"from pathlib import Path; workspace.sync(Path({str(work)!r}), Path({str(course)!r}))"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    for name in ("00_start.ipynb", "01_ewa.ipynb", "solutions/00_start.ipynb"):
        nbtools.read_notebook(work / name)  # valid
    assert not list(work.rglob(".tmp-*"))
    assert json.loads((work / ".course" / "versions.json").read_text())["lessons"]


def test_delete_asks_and_keeps_everything_unless_the_learner_types_delete(course, work, capsys):
    workspace.sync(work, course)
    for answer in ["", "y", "yes", "DELETE it"]:
        assert workspace.delete(work, answer=answer) is False
        assert (work / "00_start.ipynb").exists()
    assert "Nothing deleted." in capsys.readouterr().out
    assert workspace.delete(work, answer="delete") is True  # read-only solutions too
    assert not work.exists()


def test_the_command_line(course, work, tmp_path):
    def cli(*args, stdin=""):
        return subprocess.run(
            [sys.executable, str(REPO / "tools" / "workspace.py"), "--work", str(work), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "tools")},
        )

    # The real course: its lessons go into a workspace outside the repository.
    made = cli("sync")
    assert made.returncode == 0, made.stderr
    assert "Made your workspace" in made.stdout
    assert {p.name for p in nbtools.learner_notebooks()} <= {p.name for p in work.glob("*.ipynb")}
    missing = cli("fresh")
    assert missing.returncode == 2 and "make fresh LESSON=02" in missing.stderr
    fresh = cli("fresh", "02")
    assert fresh.returncode == 0 and "02_momentum-fresh.ipynb" in fresh.stdout
    kept = cli("delete", stdin="no\n")
    assert kept.returncode == 0 and work.exists() and "Nothing deleted." in kept.stdout
    gone = cli("delete", stdin="delete\n")
    assert gone.returncode == 0 and not work.exists()


def test_make_clean_never_touches_the_workspace():
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "clean", "WORK=my-work"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "rm -rf" in dry.stdout and "my-work" not in dry.stdout and " work" not in dry.stdout


def test_the_workspace_is_ignored_by_git():
    ignored = subprocess.run(["git", "check-ignore", "-q", "work/00_start_here.ipynb"], cwd=REPO, check=False)
    assert ignored.returncode == 0
