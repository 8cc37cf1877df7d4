"""Every lesson fits a lab (tools/lesson_fit.py): at most 90 minutes, an honest stated time, and enough
checked exercises.

The unit tests build small notebooks here and check the counting; the last test holds every solution notebook
to the rules and says what each one is missing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import lesson_fit  # noqa: E402
import nbtools  # noqa: E402

TITLE = "# 01 — A lesson\n\n**Time:** about 60 minutes (20 reading, 30 experimenting, 10 exercise).\n"
CHECKS = "check_a(f)\ncheck_b(g)\ncheck_c(h)"


def lesson(*cells, title: str = TITLE, name: str = "01_lesson") -> lesson_fit.LessonFit:
    """Measure a notebook made of the title cell and ``cells`` (str: markdown; a cell: as given)."""
    made = [new_markdown_cell(c) if isinstance(c, str) else c for c in cells]
    return lesson_fit.fit_notebook(new_notebook(cells=[new_markdown_cell(title), *made]), name)


def words(markdown: str) -> int:
    return lesson_fit.markdown_words(markdown)[0]


# --------------------------------------------------------------------------------------------------------
# Prose words
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("one two three", 3),
        ("Call `adagrad_step(x, g)` here", 2),
        ("Inline ``code with ` inside`` too", 2),
        ("before\n\n```python\nprint('hello world')\nx = 1\n```\n\nafter", 2),
        ("before\n~~~\nsome code words\n~~~\nafter", 2),
        ("the rate $\\text{lr}/(\\sqrt{s}+\\varepsilon)$ shrinks", 3),
        ("a $x$ b $y_1 + z$ c", 3),
        ("above\n\n$$s \\leftarrow s + g^2\n\\tag{A1}$$\n\nbelow", 2),
        ("maths that wraps $a +\nb$ over a line", 6),
        ("a close of \\$100.34, not \\$2", 6),
        ("<b>bold</b> word<br>and <sub>more</sub>", 4),
        ("<!-- a note for authors -->visible", 1),
        ("See [the Adam paper](https://arxiv.org/abs/1412.6980) now", 5),
        ("See [the paper][adam].\n\n[adam]: https://arxiv.org/abs/1412.6980", 3),
        ("![a figure of many words](figure.png) caption", 1),
        ("at https://example.org/some/page today", 2),
        ("| a | b |\n|---|:--:|\n| c | d |", 4),
        ("1. first\n2) second\n   3. third", 3),
        ("C7, 10⁵, x₁ and κ", 5),
        ("Adagrad's per-coordinate rate of 0.038 on 1,797 digits", 8),
        ("**bold**, *italic* and snake_case", 5),
        ("# A heading — with a dash", 5),
    ],
)
def test_prose_words(markdown, expected):
    assert words(markdown) == expected


def test_details_are_counted_apart():
    text = (
        "Intro text.\n\n<details><summary>Going further</summary>\n\nMore `code` words here.\n</details>\n\n"
        "End."
    )
    assert lesson_fit.markdown_words(text) == (3, 5)


def test_nested_and_unclosed_details():
    nested = "a <details>b <details>c</details> d</details> e"
    assert lesson_fit.markdown_words(nested) == (2, 3)
    assert lesson_fit.markdown_words("a b <DETAILS open>c d e") == (2, 3)


def test_lesson_words_sum_markdown_cells_only():
    fit = lesson(
        "one two", new_code_cell("# many words in a comment\nx = 1"), "<details>three four</details>"
    )
    assert fit.prose_words == words(TITLE) + 2
    assert fit.going_further_words == 2


def test_solution_only_cells_are_not_read():
    worked = new_markdown_cell("a worked answer of seven words here", metadata={"tags": ["solution-only"]})
    assert lesson(worked).prose_words == words(TITLE)


def test_counting_is_deterministic():
    text = "Some *words*, `code`, $x$ and [a link](u).\n\n<details>more</details>"
    assert len({lesson_fit.markdown_words(text) for _ in range(3)}) == 1


# --------------------------------------------------------------------------------------------------------
# Stated time
# --------------------------------------------------------------------------------------------------------


def test_time_parts_that_add_up():
    time = lesson_fit.parse_time(TITLE)
    assert (time.minutes, time.parts_sum, time.problem) == (60, 60, None)
    assert time.parts == [(20, "reading"), (30, "experimenting"), (10, "exercise")]
    assert lesson(new_code_cell(CHECKS)).problems == []


def test_time_parts_that_do_not_add_up():
    title = "**Time:** about 60 minutes (20 reading, 25 experimenting, 10 exercises)."
    fit = lesson(new_code_cell(CHECKS), title=title)
    assert (fit.stated_minutes, fit.parts_sum) == (60, 55)
    assert fit.problems == ["the stated parts 20+25+10 add up to 55 minutes, not the stated 60"]


def test_a_note_in_the_parentheses_is_not_a_part():
    title = "**Time:** about 90 minutes (50 reading, 40 experimenting; no exercise — lesson 05 has the last)."
    time = lesson_fit.parse_time(title)
    assert (time.parts, time.problem) == ([(50, "reading"), (40, "experimenting")], None)


def test_time_parts_wrap_over_a_line():
    time = lesson_fit.parse_time(
        "**Time:** about 75 minutes (30 reading, 35\nexperimenting and 10 exercise)."
    )
    assert [m for m, _ in time.parts] == [30, 35, 10]


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("# 01 — No time here", "time not stated"),
        ("**Time:** an hour or so", "time not stated"),
        ("**Time:** about 60 minutes.", "time parts not stated"),
        ("**Time:** about 60 minutes (mostly reading).", "time parts not stated"),
    ],
)
def test_time_missing_is_a_broken_rule(title, problem):
    fit = lesson(new_code_cell(CHECKS), title=title)
    assert len(fit.problems) == 1
    assert fit.problems[0].startswith(problem)


def test_time_is_read_from_the_first_markdown_cell_only():
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_markdown_cell("# 01"), new_markdown_cell(TITLE)])
    assert lesson_fit.fit_notebook(nb, "01_x").stated_minutes is None


def test_over_ninety_minutes():
    title = "**Time:** about 100 minutes (40 reading, 50 experimenting, 10 exercise)."
    assert lesson(new_code_cell(CHECKS), title=title).problems == [
        "stated 100 minutes, more than the 90-minute limit"
    ]


def test_prose_reads_in_half_the_stated_time():
    title = "**Time:** about 10 minutes (5 reading, 5 exercise)."  # 5 minutes: 600 words at most
    room = 600 - words(title)
    assert lesson(new_code_cell(CHECKS), "word " * room, title=title).problems == []
    (problem,) = lesson(new_code_cell(CHECKS), "word " * (room + 1), title=title).problems
    assert problem.startswith("601 prose words read in 5.0 min") and problem.endswith("1 words too many")
    # words in code, maths and <details> do not count
    extra = "`x` $y$ <details>many more words</details>\n```\ncode\n```"
    assert lesson(new_code_cell(CHECKS), "word " * room + extra, title=title).problems == []


# --------------------------------------------------------------------------------------------------------
# Exercises and predictions
# --------------------------------------------------------------------------------------------------------


def test_a_check_called_twice_counts_once():
    fit = lesson(new_code_cell("ok = check_a(f)\nok = check_a(g)"), new_code_cell("check_a(h)"))
    assert fit.code_exercises == ["check_a"]


def test_predictions_count_their_distinct_keys():
    fit = lesson(
        new_code_cell("check_prediction(\"a\", x)\ncheck_prediction('b', y)"),
        new_code_cell("check_prediction('a', 3)"),
    )
    assert (fit.predictions, fit.code_exercises) == (["a", "b"], [])


def test_names_that_are_not_calls_do_not_count():
    source = (
        "from lessons_lib.checks import check_a, check_prediction\n"
        "# check_b(f) is run below\n"
        "text = 'check_c(f)'\n"
        "def check_d(x):\n"
        "    return x\n"
        "fn = check_e\n"
        "x = 1  # check_prediction('f', 2)"
    )
    fit = lesson(new_code_cell(source))
    assert (fit.code_exercises, fit.predictions) == ([], [])


def test_attribute_calls_and_magics():
    fit = lesson(new_code_cell("%matplotlib inline\nimport lessons_lib.checks as c\nc.check_a(f)"))
    assert fit.code_exercises == ["check_a"]


def test_a_cell_that_does_not_parse_is_searched_by_line():
    fit = lesson(new_code_cell("check_a(f\n# check_b(g)\ncheck_prediction('k', 1) ; check_c (x)"))
    assert (fit.code_exercises, fit.predictions) == (["check_a", "check_c"], ["k"])


def test_calls_in_markdown_do_not_count():
    assert lesson("Run `check_a(f)` and `check_prediction('k', 1)`.").checked == 0


def test_exercise_rule_messages():
    assert lesson(new_code_cell("check_adam_step(adam_step)"), name="05_adam").problems == [
        "1 checked exercise (check_adam_step), needs 3"
    ]
    two = lesson(new_code_cell("check_a(f)\ncheck_prediction('k', 1)"))
    assert two.problems == ["2 checked exercises (check_a, prediction 'k'), needs 3"]
    assert lesson().problems == ["0 checked exercises, needs 3, at least one a code exercise"]
    predictions = lesson(
        new_code_cell("check_prediction('a', 1)\ncheck_prediction('b', 2)\ncheck_prediction('c', 3)")
    )
    (problem,) = predictions.problems
    assert problem.startswith("no code exercise")


def test_one_code_exercise_and_two_predictions_fit():
    fit = lesson(new_code_cell("check_a(f)\ncheck_prediction('x', 1)\ncheck_prediction('y', 2)"))
    assert (fit.checked, fit.problems) == (3, [])


def test_lesson_00_is_exempt_from_the_exercise_rule_only():
    assert lesson(name="00_start_here").problems == []
    long_title = "**Time:** about 120 minutes (60 reading, 60 experimenting)."
    assert lesson(title=long_title, name="00_start_here").problems == [
        "stated 120 minutes, more than the 90-minute limit"
    ]


def test_exercises_are_counted_in_the_learner_version():
    solution = new_code_cell(
        "def f(x):\n    ### BEGIN SOLUTION\n    return check_z(x)\n    ### END SOLUTION",
        metadata={"tags": ["solution"]},
    )
    worked = new_code_cell("check_y(f)", metadata={"tags": ["solution-only"]})
    assert lesson(solution, worked, new_code_cell("check_a(f)")).code_exercises == ["check_a"]


# --------------------------------------------------------------------------------------------------------
# Files and the command line
# --------------------------------------------------------------------------------------------------------


def _write(folder: Path, name: str, *cells) -> Path:
    nb = new_notebook(cells=[new_markdown_cell(TITLE), *cells])
    path = folder / f"{name}.ipynb"
    nbtools.write_notebook(nb, path)
    return path


def test_fit_reads_a_file(tmp_path):
    fit = lesson_fit.fit(_write(tmp_path, "03_x", new_code_cell(CHECKS)))
    assert (fit.name, fit.stated_minutes, fit.checked, fit.problems) == ("03_x", 60, 3, [])


def test_main(tmp_path, capsys):
    good = _write(tmp_path, "01_good", new_code_cell(CHECKS))
    bad = _write(tmp_path, "02_bad", new_code_cell("check_a(f)"))
    assert lesson_fit.main([str(good)]) == 0
    assert "01_good" in capsys.readouterr().out
    assert lesson_fit.main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "02_bad: 1 checked exercise (check_a), needs 3" in out
    assert "1/3 exercises" in out


# --------------------------------------------------------------------------------------------------------
# Every lesson
# --------------------------------------------------------------------------------------------------------

SOLUTIONS = nbtools.solution_notebooks()


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_lesson_fits_a_lab(path):
    fit = lesson_fit.fit(path)
    assert fit.problems == [], "\n".join(f"{fit.name}: {problem}" for problem in fit.problems)


def _outline_minutes(text: str) -> dict[str, int]:
    """``{"01": 75, ...}`` from a table whose rows start with a lesson number and end with its time."""
    rows = re.findall(r"^\|\s*\[?\**(\d\d)\**\]?[^\n]*?\|\s*(\d+) min\s*\|\s*$", text, flags=re.M)
    return {number: int(minutes) for number, minutes in rows}


def test_the_outlines_state_each_lessons_own_time():
    """The README's outline and lesson 00's table give every lesson the time its title cell states."""
    stated = {path.stem[:2]: lesson_fit.fit(path).stated_minutes for path in SOLUTIONS}
    readme = _outline_minutes((nbtools.REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    start = nbtools.read_notebook(nbtools.SOLUTIONS_DIR / "00_start_here.ipynb")
    lesson_00 = _outline_minutes("\n".join(c.source for c in start.cells if c.cell_type == "markdown"))
    assert readme == stated, "README.md's outline"
    assert lesson_00 == stated, "lesson 00's table of lessons"
