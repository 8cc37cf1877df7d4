"""Shared helpers for the notebook tools: find, generate, check, execute and normalise notebooks.

The course keeps two versions of each lesson:

* the solution notebook ``notebooks/solutions/NN_name.ipynb`` is the source;
* the learner notebook ``notebooks/NN_name.ipynb`` is generated from it by :func:`make_learner`.

In the solution notebook an exercise is a code cell tagged ``solution`` whose answer sits between
nbgrader-style markers::

    def gd_step(x, g, lr):
        \"\"\"One gradient-descent step.\"\"\"
        ### BEGIN SOLUTION
        return x - lr * g
        ### END SOLUTION

The learner version replaces each marked block (markers included) by one line at the indentation of the
``BEGIN`` marker, ``raise NotImplementedError("Exercise: ...")``. A prediction, asked before the experiment
that answers it, is a line ``name = answer  ### ANSWER`` in such a cell; the learner's line reads
``name = ...`` (and ``check_prediction`` says "not answered yet" until it is filled in). Cells tagged
``solution-only`` (worked answers) are left out of the learner version; every other cell is copied unchanged,
id and tags included.

``tools/make_exercises.py``, ``tools/execute_notebooks.py``, ``benchmarks/run.py`` and
``tests/test_setup.py`` all import this module, so the rules live in one place.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
SOLUTIONS_DIR = NOTEBOOKS_DIR / "solutions"

SOLUTION_TAG = "solution"
SOLUTION_ONLY_TAG = "solution-only"
RAISES_TAG = "raises-exception"
BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
EXERCISE_LINE = 'raise NotImplementedError("Exercise: write this function, then run the check below.")'
# A prediction: in a solution cell, ``name = answer  ### ANSWER``; the learner's cell reads ``name = ...``.
ANSWER_MARKER = "### ANSWER"
ANSWER_LINE = "{indent}{name} = ...  # your prediction, before you run the cells below"
_ANSWER = re.compile(r"^(?P<indent>[ \t]*)(?P<name>[A-Za-z_]\w*)\s*=(?!=).*?\s*### ANSWER\s*$")

KERNEL_NAME = "python3"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL_NAME}
LANGUAGE_INFO = {"name": "python"}
CELL_TIMEOUT_S = 600
# Cell metadata worth keeping; everything else (execution timings, collapsed, scrolled, editor state) goes.
KEPT_CELL_METADATA = ("tags",)
# A widget view points at a model that dies with the kernel and carries a fresh random id on every run.
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


class ExerciseError(ValueError):
    """A solution notebook whose exercise cells cannot be turned into a learner notebook."""


class NotebookExecutionError(RuntimeError):
    """A notebook cell raised (and was not tagged ``raises-exception``), timed out, or killed the kernel."""


# --------------------------------------------------------------------------------------------------------
# Finding notebooks
# --------------------------------------------------------------------------------------------------------


def _ipynb_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file()) if folder.is_dir() else []


def solution_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The solution notebooks, ``notebooks/solutions/*.ipynb``, sorted by name."""
    return _ipynb_in(notebooks_dir / "solutions")


def learner_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The learner notebooks, ``notebooks/*.ipynb`` (not recursive), sorted by name."""
    return _ipynb_in(notebooks_dir)


def all_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Every course notebook: the solution notebooks first, then the learner notebooks."""
    return solution_notebooks(notebooks_dir) + learner_notebooks(notebooks_dir)


def learner_path_for(solution: Path) -> Path:
    """``notebooks/solutions/NN_name.ipynb`` -> ``notebooks/NN_name.ipynb``."""
    return solution.parent.parent / solution.name


def solution_path_for(learner: Path) -> Path:
    """``notebooks/NN_name.ipynb`` -> ``notebooks/solutions/NN_name.ipynb``."""
    return learner.parent / "solutions" / learner.name


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a folder becomes the ``.ipynb`` files under it, solution notebooks first."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = (p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            found += sorted(inside, key=lambda p: (p.parent.name != "solutions", p))
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: not a notebook (.ipynb) or a folder of notebooks.")
    return found


def display_path(path: Path) -> str:
    """The path relative to the repository when it is inside it (for messages), else as given."""
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------------------
# Reading and writing
# --------------------------------------------------------------------------------------------------------


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat version 4."""
    return nbformat.read(Path(path), as_version=4)


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write with nbformat (indent 1, sorted keys, trailing newline, Unix line ends): small diffs."""
    with Path(path).open("w", encoding="utf-8", newline="\n") as f:
        nbformat.write(nb, f)


def tags_of(cell: nbformat.NotebookNode) -> list[str]:
    """The cell's tags (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def _where(notebook: str, index: int, cell: nbformat.NotebookNode) -> str:
    cell_id = cell.get("id")
    return f"{notebook}: cell {index}" + (f" (id {cell_id})" if cell_id else "")


# --------------------------------------------------------------------------------------------------------
# Generating learner notebooks
# --------------------------------------------------------------------------------------------------------


def strip_solution(source: str, where: str = "cell") -> tuple[str, bool]:
    """Replace every ``BEGIN``/``END SOLUTION`` block of a cell's source by the exercise line, and the answer
    of every prediction line (``name = answer  ### ANSWER``) by ``...`` (:data:`ANSWER_LINE`).

    Returns the learner source and whether a block was at top level (indentation zero), in which case
    running the learner cell raises at once rather than when the learner's function is called.
    Raises :class:`ExerciseError` (its message starts with ``where``) if the markers are missing or unpaired.
    """
    out: list[str] = []
    inside_since = 0  # line number of the open BEGIN marker, 0 when outside a block
    indent = ""
    found = top_level = False
    for lineno, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker.endswith(ANSWER_MARKER) and not inside_since:
            answer = _ANSWER.match(line.rstrip("\n"))
            if answer is None:
                raise ExerciseError(
                    f"{where}: line {lineno} ends with '{ANSWER_MARKER}' but is not 'name = answer'; a "
                    "prediction is one assignment per line."
                )
            found = True
            out.append(ANSWER_LINE.format(**answer.groupdict()) + ("\n" if line.endswith("\n") else ""))
            continue
        if marker == BEGIN_MARKER:
            if inside_since:
                raise ExerciseError(
                    f"{where}: '{BEGIN_MARKER}' on line {lineno} comes before the block opened on line "
                    f"{inside_since} is closed with '{END_MARKER}'."
                )
            inside_since, found = lineno, True
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            top_level = top_level or not indent
        elif marker == END_MARKER:
            if not inside_since:
                raise ExerciseError(
                    f"{where}: '{END_MARKER}' on line {lineno} has no '{BEGIN_MARKER}' before it."
                )
            inside_since = 0
            out.append(indent + EXERCISE_LINE + ("\n" if line.endswith("\n") else ""))
        elif not inside_since:
            out.append(line)
    if inside_since:
        raise ExerciseError(
            f"{where}: '{BEGIN_MARKER}' on line {inside_since} is never closed with '{END_MARKER}'."
        )
    if not found:
        raise ExerciseError(
            f"{where}: the cell is tagged '{SOLUTION_TAG}' but has no '{BEGIN_MARKER}' / '{END_MARKER}' "
            f"markers around the answer, and no line ending with '{ANSWER_MARKER}'. Add them, or remove the "
            "tag."
        )
    return "".join(out), top_level


def _has_marker(source: str) -> bool:
    return any(
        line.strip() in (BEGIN_MARKER, END_MARKER) or line.rstrip().endswith(ANSWER_MARKER)
        for line in source.splitlines()
    )


def _check_python(source: str, where: str) -> None:
    """Raise :class:`ExerciseError` if the (IPython) source of a learner cell does not parse."""
    from IPython.core.inputtransformer2 import TransformerManager  # ipykernel brings IPython

    try:
        ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError as exc:
        raise ExerciseError(
            f"{where}: the learner version of this cell is not valid Python ({exc.msg}, line {exc.lineno}). "
            "Put the markers around whole statements, and leave at least the 'def' line outside them."
        ) from exc


def make_learner(solution: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The learner version of a solution notebook (a new notebook; the argument is not changed).

    * code cells tagged ``solution``: each marked block becomes the exercise line (see
      :func:`strip_solution`); a block at top level also gets the ``raises-exception`` tag, so that
      executing the learner notebook records the error and carries on;
    * cells tagged ``solution-only`` are dropped;
    * every other cell is copied unchanged (ids and tags kept);
    * outputs and execution counts are cleared.

    ``name`` names the notebook in error messages. Raises :class:`ExerciseError` for a cell tagged
    ``solution`` without markers, for unpaired markers, for markers in a cell not tagged ``solution``
    (the answer would leak into the learner version), and for ``solution`` on a markdown cell.
    """
    learner = copy.deepcopy(solution)
    cells = []
    for index, cell in enumerate(learner.cells):
        tags = tags_of(cell)
        where = _where(name, index, cell)
        if SOLUTION_ONLY_TAG in tags:
            continue
        if SOLUTION_TAG in tags:
            if cell.cell_type != "code":
                raise ExerciseError(
                    f"{where}: the tag '{SOLUTION_TAG}' is for code cells; tag a worked answer in markdown "
                    f"'{SOLUTION_ONLY_TAG}' so the learner version leaves it out."
                )
            cell.source, top_level = strip_solution(cell.source, where)
            _check_python(cell.source, where)
            if top_level and RAISES_TAG not in tags:
                cell.metadata["tags"] = [*tags, RAISES_TAG]
        elif _has_marker(cell.source):
            raise ExerciseError(
                f"{where}: the cell has '{BEGIN_MARKER}' markers but is not tagged '{SOLUTION_TAG}', so the "
                "answer would be copied into the learner notebook. Tag the cell (or remove the markers)."
            )
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    learner.cells = cells
    return learner


def learner_from_file(solution_path: Path) -> nbformat.NotebookNode:
    """Read a solution notebook and return its learner version."""
    return make_learner(read_notebook(solution_path), display_path(solution_path))


def signature(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """What the staleness check compares: cell types, sources and tags (not outputs or counts)."""
    return [(cell.cell_type, cell.source, tags_of(cell)) for cell in nb.cells]


def _first_difference(expected: nbformat.NotebookNode, actual: nbformat.NotebookNode) -> str:
    want, got = signature(expected), signature(actual)
    for index, (w, g) in enumerate(zip(want, got, strict=False)):
        for label, a, b in zip(("cell type", "source", "tags"), w, g, strict=True):
            if a != b:
                return f"cell {index}: {label} differs"
    return f"{len(got)} cells, expected {len(want)}"


def stale_learner_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """Problems that ``make exercises`` would fix (or that need a person): one message per notebook.

    Lists learner notebooks that are missing, that differ from the version generated from their
    solution notebook (cell types, sources or tags; outputs and execution counts are ignored), and
    learner notebooks without a solution notebook. An empty list means everything is in sync.
    A solution notebook that cannot be converted is reported too (with the :class:`ExerciseError` message).
    """
    problems = []
    for solution in solution_notebooks(notebooks_dir):
        learner = learner_path_for(solution)
        try:
            expected = learner_from_file(solution)
        except ExerciseError as exc:
            problems.append(f"{display_path(learner)}: cannot be generated: {exc}")
            continue
        if not learner.exists():
            problems.append(f"{display_path(learner)}: missing (generated from {display_path(solution)})")
            continue
        actual = read_notebook(learner)
        if signature(actual) != signature(expected):
            problems.append(
                f"{display_path(learner)}: stale, {_first_difference(expected, actual)} "
                f"from the version generated from {display_path(solution)}"
            )
    for learner in learner_notebooks(notebooks_dir):
        if not solution_path_for(learner).exists():
            problems.append(
                f"{display_path(learner)}: no solution notebook {display_path(solution_path_for(learner))}; "
                "learner notebooks are generated, so write the solution notebook (or delete this one)"
            )
    return problems


# --------------------------------------------------------------------------------------------------------
# Executing and normalising
# --------------------------------------------------------------------------------------------------------


def kernel_language_info() -> dict:
    """What this environment's Python kernel reports as ``language_info``: what JupyterLab writes into a
    notebook's metadata when the kernel starts (so a notebook that already holds it opens unmodified)."""
    from ipykernel.ipkernel import IPythonKernel

    return json.loads(json.dumps(IPythonKernel.language_info))


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what changes from run to run, in place; returns ``nb``.

    Notebook metadata becomes the fixed kernelspec and the ``language_info`` that the kernel reported when it
    ran the notebook (``{name: python}`` if it was not run): JupyterLab writes the same two entries when it
    opens a notebook, so a notebook that holds them is not marked modified on opening. Cell metadata keeps
    only the tags; cell ids stay. Widget views (``application/vnd.jupyter.widget-view+json``) are dropped
    from outputs: with no widget state saved they point at nothing, and their model id is new on every run.
    Their ``text/plain`` fallback is kept.
    """
    language_info = nb.metadata.get("language_info") or {}
    if language_info.get("name") != LANGUAGE_INFO["name"]:
        language_info = LANGUAGE_INFO
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": dict(language_info)})
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(
            {key: cell.metadata[key] for key in KEPT_CELL_METADATA if cell.metadata.get(key)}
        )
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            data = output.get("data")
            if data is not None and WIDGET_VIEW_MIME in data:
                del data[WIDGET_VIEW_MIME]
                if not data:
                    continue
            outputs.append(output)
        cell.outputs = outputs
    return nb


def _kernel_config():
    """Ask for CurveZMQ transport encryption when jupyter_client (8.7+) and pyzmq support it.

    Besides encrypting the kernel's local traffic, this silences ipykernel's warning "Kernel is running
    over TCP without encryption", printed twice per notebook otherwise.
    """
    import zmq
    from jupyter_client.manager import KernelManager
    from traitlets.config import Config

    config = Config()
    if zmq.has("curve") and "transport_encryption" in KernelManager.class_trait_names():
        config.KernelManager.transport_encryption = "auto"
    return config


@dataclass
class RunResult:
    """What :func:`execute` measured.

    ``seconds`` runs from the kernel's start to the end of the last cell. ``after_stdout`` is the standard
    output of the ``after`` code, or ``None``; ``after_error`` says how that code failed, if it did.
    """

    seconds: float
    after_stdout: str | None = None
    after_error: str | None = None


def execute(
    nb: nbformat.NotebookNode,
    cwd: Path,
    *,
    name: str = "notebook",
    timeout: int = CELL_TIMEOUT_S,
    after: str | None = None,
) -> RunResult:
    """Execute ``nb`` in place, top to bottom, in a fresh ``python3`` kernel started in ``cwd``.

    The kernel gets this process's environment less ``MPLBACKEND``, so figures use the inline backend.
    Execution counts run 1..N over the code cells that are not empty. No widget state and no cell timings
    are recorded; consecutive stream outputs are merged. ``after`` is code run in the same kernel once
    the notebook is done (not timed, not kept in the notebook); its standard output, or how it failed,
    is returned in the :class:`RunResult`.

    Raises :class:`NotebookExecutionError` naming ``name`` and the cell if a cell raises (unless tagged
    ``raises-exception``), exceeds ``timeout`` seconds, or the kernel dies.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(cwd)}},
        store_widget_state=False,
        record_timing=False,
        coalesce_streams=True,
        config=_kernel_config(),
    )
    n_cells = len(nb.cells)
    start = time.perf_counter()
    # A backend chosen outside (e.g. MPLBACKEND=agg for the unit tests) would stop ipykernel from selecting
    # the inline backend, and the figures would silently vanish from the outputs.
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    with client.setup_kernel(env=env):
        # What the kernel says it is, as nbclient's own execute() records it (normalise() keeps it).
        reply = client.wait_for_reply(client.kc.kernel_info())
        if reply is not None and "language_info" in reply["content"]:
            nb.metadata["language_info"] = reply["content"]["language_info"]
        index = 0
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
            what = _where(name, index, nb.cells[index])
            raise NotebookExecutionError(f"{what} {_summary(exc, timeout)}\n\n{exc}") from exc
        result = RunResult(seconds=time.perf_counter() - start)
        if after is not None:
            nb.cells.append(nbformat.v4.new_code_cell(after))
            try:
                cell = client.execute_cell(nb.cells[n_cells], n_cells)
                result.after_stdout = "".join(
                    o.get("text", "")
                    for o in cell.outputs
                    if o.output_type == "stream" and o.name == "stdout"
                )
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
                result.after_error = _summary(exc, timeout)
            finally:
                del nb.cells[n_cells:]
    return result


def _summary(exc: Exception, timeout: int) -> str:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    if isinstance(exc, CellExecutionError):
        return f"raised {exc.ename}: {exc.evalue}"
    if isinstance(exc, CellTimeoutError):
        return f"did not finish within {timeout} s"
    return "killed the kernel"


def execute_in_place(path: Path, *, timeout: int = CELL_TIMEOUT_S) -> float:
    """Execute the notebook file at ``path`` from its own folder, normalise it and write it back.

    Returns the execution time in seconds. The file is left untouched if a cell fails.
    """
    path = Path(path)
    nb = read_notebook(path)
    result = execute(nb, path.resolve().parent, name=display_path(path), timeout=timeout)
    write_notebook(normalise(nb), path)
    return result.seconds
