"""Re-run notebooks with their random starts nudged by a relative 1e-12; report every printed line that moves.

    python tools/perturb_check.py                        # the solution notebooks, 2 seeds, size 1e-12
    python tools/perturb_check.py notebooks/solutions/05_adam.ipynb --seeds 3 --size 1e-10

A printed number must not sit on a knife edge of round-off: the same notebook must print the same tables on
another CPU, with another BLAS or NumPy build. Round-off moves a run by about 1e-16 per step; moving every
start by a relative 1e-12 is a larger, seeded stand-in for it. The notebook runs in memory, in a fresh kernel
(:func:`nbtools.execute`), with a hidden first cell that wraps ``Problem.random_starts``,
``Problem.start_grid`` and ``problems.saddle_starts`` so that every start they return is multiplied by
``1 + size * u`` (``u`` uniform in [-1, 1], drawn from a generator seeded by ``seed`` and the call's number).
Every code cell's text output (standard output and ``text/plain``; not images) is then compared with the
committed one, after the sanitizers of ``tests/nbval_sanitize.cfg`` (wall times, memory addresses). Nothing is
written. Exit status 1 if any line differs.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbtools

SANITIZE_CFG = nbtools.REPO_ROOT / "tests" / "nbval_sanitize.cfg"

# The hidden first cell. It only changes what the start generators return; it prints nothing.
SETUP = """\
def _perturb_starts(seed, size):
    import functools

    import numpy as np

    import lessons_lib.problems

    calls = [0]

    def nudged(make):
        @functools.wraps(make)
        def wrapper(*args, **kwargs):
            x = np.asarray(make(*args, **kwargs), dtype=float)
            calls[0] += 1
            u = np.random.default_rng([seed, calls[0]]).uniform(-1.0, 1.0, x.shape)
            return x * (1 + size * u)

        return wrapper

    problem = lessons_lib.problems.Problem
    problem.random_starts = nudged(problem.random_starts)
    problem.start_grid = nudged(problem.start_grid)
    lessons_lib.problems.saddle_starts = nudged(lessons_lib.problems.saddle_starts)


_perturb_starts({seed}, {size!r})
del _perturb_starts
"""


@dataclass(frozen=True)
class Difference:
    """One code cell whose text output changed: the committed lines and the new ones that differ."""

    notebook: str
    index: int
    cell_id: str
    seed: int
    old: list[str]
    new: list[str]

    def __str__(self):
        head = f"{self.notebook}: cell {self.index} (id {self.cell_id}), seed {self.seed}"
        rows = [f"    - {line}" for line in self.old] + [f"    + {line}" for line in self.new]
        return "\n".join([head, *rows])


def sanitizers(path: Path = SANITIZE_CFG) -> list[tuple[re.Pattern, str]]:
    """The (pattern, replacement) pairs of an nbval sanitizer file, read as nbval reads them."""
    pairs = re.findall(r"^regex: (.*)$\n^replace: (.*)$", Path(path).read_text(encoding="utf-8"), re.M)
    return [(re.compile(pattern), replacement) for pattern, replacement in pairs]


def text_of(cell, rules) -> list[str]:
    """A code cell's text outputs as lines: streams and ``text/plain`` (results, displays), sanitized."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "text/plain" in output.get("data", {}):
            parts.append(output["data"]["text/plain"])
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    text = "".join(p if p.endswith("\n") else p + "\n" for p in parts)
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text.splitlines()


def compare(committed, executed, name: str, seed: int, rules) -> list[Difference]:
    """The code cells of ``executed`` whose text differs from the same cell of ``committed``."""
    found = []
    for index, (old, new) in enumerate(zip(committed.cells, executed.cells, strict=True)):
        if old.cell_type != "code":
            continue
        a, b = text_of(old, rules), text_of(new, rules)
        if a == b:
            continue
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        gone, came = [], []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                gone += a[i1:i2]
                came += b[j1:j2]
        found.append(Difference(name, index, old.get("id", "?"), seed, gone, came))
    return found


def check_notebook(path: Path, seed: int, size: float, *, timeout: int = nbtools.CELL_TIMEOUT_S):
    """Run one notebook with nudged starts (in memory) and return its :class:`Difference` list."""
    path = Path(path)
    committed = nbtools.read_notebook(path)
    nb = nbtools.read_notebook(path)
    nb.cells.insert(0, nbtools.nbformat.v4.new_code_cell(SETUP.format(seed=seed, size=size)))
    name = nbtools.display_path(path)
    nbtools.execute(nb, path.resolve().parent, name=name, timeout=timeout)
    del nb.cells[0]
    return compare(committed, nb, name, seed, sanitizers())


def check(paths, seeds=(1, 2), size: float = 1e-12, *, log=None) -> list[Difference]:
    """Every difference over the notebooks ``paths`` and the perturbation ``seeds``."""
    found = []
    for path in paths:
        for seed in seeds:
            diffs = check_notebook(path, seed, size)
            if log is not None:
                log(f"{nbtools.display_path(path)}, seed {seed}: {len(diffs) or 'no'} cell(s) differ")
            found += diffs
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: the solution notebooks)")
    parser.add_argument("--seeds", type=int, default=2, help="perturbation seeds 1..N (default: %(default)s)")
    parser.add_argument("--size", type=float, default=1e-12, help="relative nudge (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        paths = nbtools.expand_paths(args.paths) if args.paths else nbtools.solution_notebooks()
    except FileNotFoundError as exc:
        parser.error(str(exc))
    found = check(paths, range(1, args.seeds + 1), args.size, log=lambda line: print(line, flush=True))
    for diff in found:
        print(diff)
    print(f"{len(found)} difference(s) in {len(paths)} notebook(s), {args.seeds} seed(s), size {args.size:g}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
