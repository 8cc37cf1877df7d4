"""Generate the learner notebooks from the solution notebooks, or check that they are up to date.

    python tools/make_exercises.py           # notebooks/solutions/NN_name.ipynb -> notebooks/NN_name.ipynb
    python tools/make_exercises.py notebooks/solutions/05_adam.ipynb   # only the learner version of these
    python tools/make_exercises.py --check   # exit 1 listing learner notebooks that are missing or stale

Each learner notebook is the solution notebook with every ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
block replaced by ``raise NotImplementedError(...)``, the cells tagged ``solution-only`` left out, and the
outputs cleared (``make exercises`` then executes the learner notebooks). The rules are in ``nbtools``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbtools


def generate(solutions: list[Path]) -> int:
    """Write the learner version of each solution notebook; returns the number of notebooks that failed."""
    failures = 0
    for solution in solutions:
        learner = nbtools.learner_path_for(solution)
        try:
            nb = nbtools.learner_from_file(solution)
        except nbtools.ExerciseError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failures += 1
            continue
        nbtools.write_notebook(nb, learner)
        print(f"wrote {nbtools.display_path(learner)}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 listing learner notebooks that are missing, stale or without a solution",
    )
    parser.add_argument(
        "--notebooks-dir",
        type=Path,
        default=nbtools.NOTEBOOKS_DIR,
        help="folder holding the learner notebooks and solutions/ (default: %(default)s)",
    )
    parser.add_argument(
        "solutions",
        nargs="*",
        type=Path,
        help="solution notebooks to generate learner versions of (default: all of them)",
    )
    args = parser.parse_args(argv)

    if args.check:
        problems = nbtools.stale_learner_notebooks(args.notebooks_dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"{len(problems)} learner notebook(s) out of sync: run `make exercises`.", file=sys.stderr)
            return 1
        print("learner notebooks are in sync with their solutions")
        return 0

    if args.solutions:
        missing = [str(p) for p in args.solutions if not p.is_file()]
        if missing:
            parser.error(f"no such solution notebook: {', '.join(missing)}")
        return 1 if generate(args.solutions) else 0
    failures = generate(nbtools.solution_notebooks(args.notebooks_dir))
    for learner in nbtools.learner_notebooks(args.notebooks_dir):
        if not nbtools.solution_path_for(learner).exists():
            print(f"warning: {nbtools.display_path(learner)} has no solution notebook", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
