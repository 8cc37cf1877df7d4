"""No printed number on a knife edge of round-off: every solution notebook prints the same text when its
random starts are moved by a relative 1e-12 (tools/perturb_check.py, one seed); and the tool's comparison."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import nbtools  # noqa: E402
import perturb_check  # noqa: E402


def _notebook(*texts):
    """A notebook with a markdown cell and one code cell per text, each printing it."""
    cells = [new_markdown_cell("# title")]
    for i, text in enumerate(texts):
        cell = new_code_cell(f"print({text!r})")
        cell.id = f"cell{i}"
        cell.outputs = [new_output("stream", name="stdout", text=text)]
        cells.append(cell)
    return new_notebook(cells=cells)


def test_compare_reports_only_the_lines_that_moved():
    rules = perturb_check.sanitizers()
    old = _notebook("a table\n 66 (0.316)\nend\n", "same\n")
    new = _notebook("a table\n 68 (0.316)\nend\n", "same\n")
    (diff,) = perturb_check.compare(old, new, "nb", 1, rules)
    assert (diff.index, diff.cell_id, diff.old, diff.new) == (1, "cell0", [" 66 (0.316)"], [" 68 (0.316)"])
    assert "nb: cell 1 (id cell0), seed 1\n    -  66 (0.316)\n    +  68 (0.316)" == str(diff)
    assert perturb_check.compare(old, old, "nb", 1, rules) == []


def test_compare_applies_the_nbval_sanitizers_and_reads_text_plain():
    rules = perturb_check.sanitizers()
    old = _notebook("took [measured 0.84 ms, ×1.2] at 0x7f3a2c1b5e50\n")
    new = _notebook("took [measured 1.90 ms, ×2.0] at 0x7f00000000aa\n")
    assert perturb_check.compare(old, new, "nb", 1, rules) == []
    for nb, value in [(old, "0.5"), (new, "0.25")]:
        result = new_output("execute_result", data={"text/plain": value}, execution_count=1)
        nb.cells[1].outputs.append(result)
    (diff,) = perturb_check.compare(old, new, "nb", 1, rules)
    assert (diff.old, diff.new) == (["0.5"], ["0.25"])


def test_the_hidden_cell_moves_every_start_by_the_relative_size():
    namespace: dict = {}
    exec(perturb_check.SETUP.format(seed=3, size=1e-6), namespace)  # patches lessons_lib in this process
    try:
        import lessons_lib as ll

        p = ll.ravine(10)
        moved = p.random_starts(20, seed=0)
        again = p.random_starts(20, seed=0)  # the next call draws new nudges
        plain = ll.problems.Problem.random_starts.__wrapped__(p, 20, 0)
        relative = moved / plain - 1
        assert 0 < abs(relative).max() <= 1e-6 and (moved != again).any()
        assert p.start_grid(3).shape == (9, 2)
    finally:
        import lessons_lib.problems

        problem = lessons_lib.problems.Problem
        problem.random_starts = problem.random_starts.__wrapped__
        problem.start_grid = problem.start_grid.__wrapped__
        lessons_lib.problems.saddle_starts = lessons_lib.problems.saddle_starts.__wrapped__


@pytest.mark.parametrize("path", nbtools.solution_notebooks(), ids=lambda p: p.name)
def test_printed_text_does_not_move_with_the_starts(path):
    """Lessons 04–06 print medians of steps of adaptive optimizers that hover; their chaotic runs are set
    apart (lessons_lib.measures.chaotic_runs) so that what is printed does not depend on round-off."""
    found = perturb_check.check_notebook(path, seed=1, size=1e-12)
    assert not found, "printed lines moved with a 1e-12 move of the starts:\n" + "\n".join(map(str, found))
