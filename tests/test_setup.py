"""Checks on the course's setup rather than on lessons_lib.

(a) environment.yml declares the packages and lower bounds of pyproject.toml (runtime + dev);
(b) every learner notebook is what ``make exercises`` generates from its solution notebook;
(c) every notebook was executed top to bottom, without errors, with a seeded RNG, with no memory addresses;
(d) the generator itself, on small notebooks built here; plus ``make execute``'s normalisation and the nbval
    sanitize file.

Tests over notebooks are parametrized over the files that exist, so they pass while notebooks/ is empty.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from functools import cache
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import make_exercises  # noqa: E402
import nbtools  # noqa: E402

# --------------------------------------------------------------------------------------------------------
# (a) environment.yml agrees with pyproject.toml
# --------------------------------------------------------------------------------------------------------

# Every dependency has the same name on PyPI and conda-forge; add a {pypi name: conda name} entry if not.
PYPI_TO_CONDA: dict[str, str] = {}
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:>=\s*([0-9][0-9.]*))?$")


def parse_requirement(spec: str) -> tuple[str, str | None]:
    """``"scikit-learn>=1.2"`` -> ``("scikit-learn", "1.2")``; only ``>=`` bounds are used in this project."""
    match = REQUIREMENT.match(spec.strip())
    assert match, f"cannot read the requirement {spec!r}: write it as 'name' or 'name>=version'"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return name, match.group(2)


def parse_environment(text: str) -> dict:
    """Read the simple environment.yml this project uses, line by line (PyYAML is not a dependency).

    Returns ``{"name": str, "channels": [...], "dependencies": [...], "pip": [...]}``.
    """
    env: dict = {"name": None, "channels": [], "dependencies": [], "pip": []}
    section, pip_indent = None, None
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        indent = len(line) - len(line.lstrip())
        item = line.strip()
        if indent == 0:
            section, _, value = item.partition(":")
            if section == "name":
                env["name"] = value.strip()
            pip_indent = None
            continue
        assert item.startswith("- "), f"environment.yml: unexpected line {raw!r}"
        item = item[2:].strip()
        if pip_indent is not None and indent > pip_indent:
            env["pip"].append(item)
        elif section == "dependencies" and item == "pip:":
            pip_indent = indent
        elif section in ("channels", "dependencies"):
            pip_indent = None
            env[section].append(item)
    return env


@cache
def pyproject() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        pytest.skip("reading pyproject.toml needs tomllib (Python 3.11+)")
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


@cache
def environment() -> dict:
    return parse_environment((REPO / "environment.yml").read_text(encoding="utf-8"))


def test_environment_declares_the_pyproject_dependencies_with_the_same_lower_bounds():
    project = pyproject()["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    expected = {PYPI_TO_CONDA.get(name, name): bound for name, bound in map(parse_requirement, specs)}
    declared = dict(map(parse_requirement, environment()["dependencies"]))
    declared.pop("python", None)
    declared.pop("pip", None)
    bounds = {
        n: (declared[n], expected[n]) for n in declared.keys() & expected.keys() if declared[n] != expected[n]
    }
    assert declared == expected, (
        "environment.yml and pyproject.toml ([project.dependencies] + the dev extra) disagree:\n"
        f"  only in environment.yml: {sorted(declared.keys() - expected.keys())}\n"
        f"  only in pyproject.toml: {sorted(expected.keys() - declared.keys())}\n"
        f"  different lower bounds (environment.yml, pyproject.toml): {bounds}"
    )


def test_environment_python_channel_name_and_editable_install():
    env = environment()
    requires = pyproject()["project"]["requires-python"]
    assert requires.startswith(">="), requires
    assert dict(map(parse_requirement, env["dependencies"])).get("python") == requires[2:]
    assert "pip" in env["dependencies"]
    assert env["name"] == "averages-to-adam"
    assert env["channels"] == ["conda-forge"]
    assert env["pip"] == ["-e ."], "environment.yml must install lessons_lib with pip: ['-e .']"


def test_environment_parser_agrees_with_yaml_when_available():
    yaml = pytest.importorskip("yaml")  # a cross-check only: PyYAML is not a declared dependency
    loaded = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    deps = loaded["dependencies"]
    pip = [d["pip"] for d in deps if isinstance(d, dict)]
    env = environment()
    assert env["name"] == loaded["name"]
    assert env["channels"] == loaded["channels"]
    assert env["dependencies"] == [d for d in deps if isinstance(d, str)]
    assert [env["pip"]] == pip


# --------------------------------------------------------------------------------------------------------
# (b) learner notebooks are generated from the solution notebooks
# --------------------------------------------------------------------------------------------------------


def test_every_solution_notebook_has_a_learner_notebook_and_vice_versa():
    solutions = nbtools.solution_notebooks()
    learners = nbtools.learner_notebooks()
    missing = [nbtools.display_path(nbtools.learner_path_for(s)) for s in solutions]
    missing = [m for m in missing if not (REPO / m).exists()]
    orphans = [nbtools.display_path(x) for x in learners if not nbtools.solution_path_for(x).exists()]
    assert not missing, f"solution notebooks without a learner notebook (run `make exercises`): {missing}"
    assert not orphans, f"learner notebooks without a solution notebook in notebooks/solutions/: {orphans}"


def test_learner_notebooks_are_in_sync_with_their_solutions():
    problems = nbtools.stale_learner_notebooks()  # the check behind `make_exercises.py --check`
    assert not problems, "\n".join(problems) + "\nRun `make exercises`."


# --------------------------------------------------------------------------------------------------------
# (c) every notebook was executed, in order, reproducibly
# --------------------------------------------------------------------------------------------------------

NOTEBOOKS = nbtools.all_notebooks()
IDS = [nbtools.display_path(p) for p in NOTEBOOKS]


@cache
def notebook(path: Path) -> nbformat.NotebookNode:
    return nbtools.read_notebook(path)


def executed_cells(nb):
    """The code cells nbclient runs (it skips empty ones and those tagged skip-execution)."""
    return [
        c
        for c in nb.cells
        if c.cell_type == "code" and c.source.strip() and "skip-execution" not in nbtools.tags_of(c)
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_was_executed_in_order(path):
    counts = [c.execution_count for c in executed_cells(notebook(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{nbtools.display_path(path)}: execution counts {counts}; run `make execute` "
        "(top to bottom from a fresh kernel)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_holds_the_metadata_jupyterlab_writes_on_opening_it(path):
    """So that opening it does not mark it modified. The Python version is whichever ran `make execute`."""
    metadata = notebook(path).metadata
    assert metadata["kernelspec"] == nbtools.KERNELSPEC
    expected = {k: v for k, v in nbtools.kernel_language_info().items() if k != "version"}
    stored = {k: v for k, v in metadata["language_info"].items() if k != "version"}
    assert stored == expected and "version" in metadata["language_info"], (
        f"{nbtools.display_path(path)}: language_info {metadata['language_info']}; run `make execute`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_has_no_errors_except_where_expected(path):
    unexpected = [
        f"cell {i} (id {c.get('id')}): {o.ename}: {o.evalue}"
        for i, c in enumerate(notebook(path).cells)
        if c.cell_type == "code" and nbtools.RAISES_TAG not in nbtools.tags_of(c)
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not unexpected, (
        f"{nbtools.display_path(path)}: error outputs in cells not tagged raises-exception: {unexpected}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_seeds_its_random_numbers(path):
    code = "\n".join(c.source for c in notebook(path).cells if c.cell_type == "code")
    uses_randomness = "default_rng(" in code or "np.random." in code
    seeded = re.search(r"default_rng\(\s*\d", code) or "seed" in code
    assert not uses_randomness or seeded, (
        f"{nbtools.display_path(path)} draws random numbers but sets no seed: "
        "use np.random.default_rng(<number>) so every run prints the same numbers"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_outputs_have_no_memory_addresses(path):
    found = [
        f"cell {i} (id {c.get('id')}): {m.group(0)}"
        for i, c in enumerate(notebook(path).cells)
        if c.cell_type == "code"
        for o in c.outputs
        for m in re.finditer(r"[^\"]{0,40} at 0x[0-9a-fA-F]+", json.dumps(o))
    ]
    assert not found, (
        f"{nbtools.display_path(path)}: outputs show memory addresses, which change on every run "
        f"(end the line with ';' or print something readable): {found}"
    )


# --------------------------------------------------------------------------------------------------------
# (d) the generator, on a small notebook built here
# --------------------------------------------------------------------------------------------------------

FUNCTION = '''\
import numpy as np


def gd_step(x, g, lr):
    """One gradient-descent step."""
    ### BEGIN SOLUTION
    return x - lr * g
    ### END SOLUTION'''

FUNCTION_LEARNER = '''\
import numpy as np


def gd_step(x, g, lr):
    """One gradient-descent step."""
    raise NotImplementedError("Exercise: write this function, then run the check below.")'''

METHOD = """\
class Momentum:
    def step(self, x, g):
        ### BEGIN SOLUTION
        self.v = self.beta * self.v + g
        ### END SOLUTION
        x = x + 0
        ### BEGIN SOLUTION
        return x - self.lr * self.v
        ### END SOLUTION
"""

METHOD_LEARNER = f"""\
class Momentum:
    def step(self, x, g):
        {nbtools.EXERCISE_LINE}
        x = x + 0
        {nbtools.EXERCISE_LINE}
"""


def synthetic_solution() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Lesson\n\nWrite `gd_step`."),
        new_code_cell(FUNCTION, metadata={"tags": ["solution"]}),
        new_code_cell(
            "check_gd_step(gd_step)", execution_count=2, outputs=[new_output("stream", text="ok\n")]
        ),
        new_markdown_cell("**Answer.** Subtract `lr * g`.", metadata={"tags": ["solution-only"]}),
        new_code_cell(METHOD, metadata={"tags": ["solution", "other"]}),
        new_code_cell("### BEGIN SOLUTION\nlr = 0.1\n### END SOLUTION", metadata={"tags": ["solution"]}),
        new_code_cell("interact()", metadata={"tags": ["nbval-ignore-output"]}),
    ]
    return nb


def test_learner_version_replaces_the_answers_and_keeps_everything_else():
    solution = synthetic_solution()
    before = copy.deepcopy(solution)
    learner = nbtools.make_learner(solution, "synthetic.ipynb")

    assert solution == before, "make_learner must not change its argument"
    kept = [c for c in solution.cells if "solution-only" not in nbtools.tags_of(c)]
    assert [c.id for c in learner.cells] == [c.id for c in kept]
    assert [c.cell_type for c in learner.cells] == [c.cell_type for c in kept]
    assert learner.cells[1].source == FUNCTION_LEARNER
    assert learner.cells[3].source == METHOD_LEARNER  # indentation kept, both blocks replaced
    assert learner.cells[4].source == nbtools.EXERCISE_LINE
    assert learner.cells[0].source == solution.cells[0].source
    assert learner.cells[5].source == "interact()"
    assert learner.cells[5].metadata["tags"] == ["nbval-ignore-output"]
    assert learner.cells[3].metadata["tags"] == ["solution", "other"]
    # a top-level exercise raises as soon as it runs, so `make execute` must be allowed to carry on
    assert learner.cells[4].metadata["tags"] == ["solution", nbtools.RAISES_TAG]
    assert learner.cells[2].outputs == [] and learner.cells[2].execution_count is None
    text = nbformat.writes(learner)
    for answer in ("x - lr * g", "self.beta * self.v", "lr = 0.1", "**Answer.**", "BEGIN SOLUTION"):
        assert answer not in text
    compile(learner.cells[3].source, "<learner>", "exec")


def test_markers_keep_the_last_line_without_newline_and_tabs():
    source, top_level = nbtools.strip_solution(
        "def f():\n\t### BEGIN SOLUTION\n\treturn 1\n\t### END SOLUTION\n"
    )
    assert source == f"def f():\n\t{nbtools.EXERCISE_LINE}\n"
    assert not top_level


BAD_CELLS = [
    # (cell, fragment of the expected message)
    (new_code_cell("def f():\n    return 1", metadata={"tags": ["solution"]}), "has no '### BEGIN SOLUTION'"),
    (
        new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1", metadata={"tags": ["solution"]}),
        "never closed",
    ),
    (
        new_code_cell("def f():\n    return 1\n    ### END SOLUTION", metadata={"tags": ["solution"]}),
        "before it",
    ),
    (
        new_code_cell(
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION", metadata={"tags": ["solution"]}
        ),
        "before the block opened on line 1 is closed",
    ),
    (
        new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
        "not tagged 'solution'",
    ),
    (
        new_markdown_cell("### BEGIN SOLUTION\nx\n### END SOLUTION", metadata={"tags": ["solution"]}),
        "for code cells",
    ),
    (
        new_code_cell(
            "### BEGIN SOLUTION\ndef f():\n### END SOLUTION\n    return 1", metadata={"tags": ["solution"]}
        ),
        "not valid Python",
    ),
]


@pytest.mark.parametrize(("cell", "message"), BAD_CELLS, ids=[m for _, m in BAD_CELLS])
def test_generator_rejects_bad_exercise_cells_with_a_clear_message(cell, message):
    nb = new_notebook(cells=[new_markdown_cell("# Lesson"), cell])
    with pytest.raises(nbtools.ExerciseError) as info:
        nbtools.make_learner(nb, "synthetic.ipynb")
    assert message in str(info.value)
    assert str(info.value).startswith(f"synthetic.ipynb: cell 1 (id {cell.id})")


def test_check_reports_missing_stale_and_orphan_learner_notebooks(tmp_path, capsys):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nbtools.write_notebook(synthetic_solution(), solutions / "01_lesson.ipynb")
    learner = tmp_path / "01_lesson.ipynb"
    check = ["--check", "--notebooks-dir", str(tmp_path)]

    assert "missing" in nbtools.stale_learner_notebooks(tmp_path)[0]
    assert make_exercises.main(check) == 1

    assert make_exercises.main(["--notebooks-dir", str(tmp_path)]) == 0
    assert learner.exists()
    assert nbtools.stale_learner_notebooks(tmp_path) == []
    assert make_exercises.main(check) == 0

    executed = nbtools.read_notebook(learner)  # outputs and counts do not make a notebook stale
    executed.cells[2].execution_count = 7
    executed.cells[2].outputs = [new_output("stream", text="ok\n")]
    nbtools.write_notebook(executed, learner)
    assert nbtools.stale_learner_notebooks(tmp_path) == []

    executed.cells[1].source += "\n# edited by hand"
    nbtools.write_notebook(executed, learner)
    problems = nbtools.stale_learner_notebooks(tmp_path)
    assert len(problems) == 1 and "stale, cell 1: source differs" in problems[0]

    nbtools.write_notebook(executed, tmp_path / "02_orphan.ipynb")
    assert any(
        "02_orphan.ipynb: no solution notebook" in p for p in nbtools.stale_learner_notebooks(tmp_path)
    )
    assert make_exercises.main(check) == 1
    assert "out of sync" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------------
# `make execute`: normalisation, and one real run in a kernel
# --------------------------------------------------------------------------------------------------------


def test_normalise_keeps_tags_and_drops_volatile_metadata_and_widget_views():
    nb = new_notebook()
    nb.metadata.update(kernelspec={"name": "other", "display_name": "Other"}, widgets={"state": {}}, toc={})
    widget = {"model_id": "4f1c", "version_major": 2, "version_minor": 0}
    nb.cells = [
        new_code_cell(
            "w",
            metadata={
                "tags": ["nbval-ignore-output"],
                "execution": {"iopub.status.idle": "2024"},
                "scrolled": True,
            },
            outputs=[
                new_output("display_data", data={"text/plain": "Slider()", nbtools.WIDGET_VIEW_MIME: widget}),
                new_output("display_data", data={nbtools.WIDGET_VIEW_MIME: widget}),
            ],
        ),
        new_markdown_cell("x", metadata={"collapsed": False, "tags": []}),
    ]
    ids = [c.id for c in nb.cells]
    nbtools.normalise(nb)
    assert nb.metadata == {"kernelspec": nbtools.KERNELSPEC, "language_info": {"name": "python"}}
    assert nb.cells[0].metadata == {"tags": ["nbval-ignore-output"]}
    assert nb.cells[1].metadata == {}
    assert [o.data for o in nb.cells[0].outputs] == [{"text/plain": "Slider()"}]
    assert [c.id for c in nb.cells] == ids


def test_execute_in_place_runs_top_to_bottom_and_stops_at_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "agg")  # as `make test` sets it: the kernel must still draw inline
    path = tmp_path / "run.ipynb"
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "x", "language": "python"}})
    nb.cells = [
        new_markdown_cell("# Title"),
        new_code_cell("import os\nprint(os.path.basename(os.getcwd()))"),
        new_code_cell(""),
        new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),
        new_code_cell("import matplotlib\nprint(matplotlib.get_backend())"),
    ]
    nbtools.write_notebook(nb, path)
    seconds = nbtools.execute_in_place(path)
    assert 0 < seconds < 120
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and '\n "cells": [\n  {\n' in text  # nbformat layout, indent 1
    done = nbtools.read_notebook(path)
    assert [c.get("execution_count") for c in done.cells] == [None, 1, None, 2, 3]
    assert done.cells[1].outputs[0].text == f"{tmp_path.name}\n"  # runs in the notebook's folder
    assert done.cells[3].outputs[0].ename == "ZeroDivisionError"
    assert "inline" in done.cells[4].outputs[0].text
    # What JupyterLab would write on opening it, so that opening it changes nothing.
    language_info = nbtools.kernel_language_info()
    assert done.metadata == {"kernelspec": nbtools.KERNELSPEC, "language_info": language_info}
    assert all("execution" not in c.metadata for c in done.cells)

    done.cells[3].metadata = {}
    nbtools.write_notebook(done, path)
    before = path.read_text(encoding="utf-8")
    with pytest.raises(
        nbtools.NotebookExecutionError, match=r"run\.ipynb: cell 3 \(id .*\) raised ZeroDivisionError"
    ):
        nbtools.execute_in_place(path)
    assert path.read_text(encoding="utf-8") == before, "a failed run must leave the notebook unchanged"


# --------------------------------------------------------------------------------------------------------
# The nbval sanitize file
# --------------------------------------------------------------------------------------------------------


def nbval_sanitizer():
    """The sanitize file as nbval reads it: a function applying every (regex, replace) pair, and the pairs."""
    plugin = pytest.importorskip("nbval.plugin")
    patterns = plugin.get_sanitize_patterns(
        (REPO / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    )

    def sanitize(text):
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    return sanitize, patterns


def test_nbval_sanitize_file_replaces_memory_addresses_only():
    sanitize, patterns = nbval_sanitizer()
    assert len(patterns) == 2, patterns  # memory addresses, measured times

    assert sanitize("<function f at 0x7f3a2c1b5e50>") == sanitize("<function f at 0x55d0c0ffee10>")
    assert sanitize("<Axes at 0x000001A2B3C4D5E0>") == "<Axes at 0xADDRESS>"
    for kept in ("<Figure size 640x480 with 1 Axes>", "hex(255) = 0xff", "lr = 0.001, step 0x10"):
        assert sanitize(kept) == kept


def test_nbval_sanitize_file_masks_measured_times_only():
    """Lesson 08 prints wall times as "[measured 0.84 ms, ×1.2]"; only that bracket may be masked."""
    sanitize, _ = nbval_sanitizer()
    one = "one epoch:\n  SGD       [measured 0.14 ms, ×1.0]\n  Adam      [measured 0.2 ms, ×1.4]\n"
    two = "one epoch:\n  SGD       [measured 0.31 ms, ×1.0]\n  Adam      [measured 12 ms, ×39.0]\n"
    assert sanitize(one) == sanitize(two)
    assert sanitize(one).splitlines()[1] == "  SGD       [measured]"
    assert sanitize("a [measured 1.6 ms] b [measured 2e-05 s, ×0.9] c") == "a [measured] b [measured] c"
    for kept in (
        "SGD  best lr 3.2  f − f_min 0.006 [0.004, 0.008]",  # a printed spread is still compared
        "[0.205, 0.287]  94.3% [91.4%, 95.8%]",
        "measured 0.84 ms",  # only the bracketed form is a measurement
        "[measured]",
        "[measured 1.2 ms\n, ×1.0]",  # never across lines
        "Adam (measured by hand) [0.1, 0.2]",
    ):
        assert sanitize(kept) == kept, kept
