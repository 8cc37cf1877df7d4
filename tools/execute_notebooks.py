"""Execute notebooks in place from a fresh kernel and normalise them, so the committed outputs are current.

    python tools/execute_notebooks.py                      # every notebook: solutions first, then learners
    python tools/execute_notebooks.py notebooks/solutions  # the notebooks in a folder
    python tools/execute_notebooks.py notebooks/01_averages.ipynb

Each notebook runs top to bottom in a new ``python3`` kernel started in the notebook's folder (at most
600 s per cell by default). Afterwards its metadata is reduced to a fixed kernelspec, cell metadata to the
tags, and it is written back with nbformat. The first cell that raises (unless tagged ``raises-exception``)
stops everything with exit status 1, and that notebook is left as it was.
"""

from __future__ import annotations

import argparse
import sys
import time

import nbtools


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "paths",
        nargs="*",
        help="notebooks or folders of notebooks (default: every notebook under notebooks/, solutions first)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=nbtools.CELL_TIMEOUT_S,
        help="seconds allowed per cell (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    try:
        notebooks = nbtools.expand_paths(args.paths) if args.paths else nbtools.all_notebooks()
    except FileNotFoundError as exc:
        parser.error(str(exc))
    if not notebooks:
        print("no notebooks to execute")
        return 0

    start = time.perf_counter()
    for path in notebooks:
        try:
            seconds = nbtools.execute_in_place(path, timeout=args.timeout)
        except nbtools.NotebookExecutionError as exc:
            print(f"FAILED {exc}", file=sys.stderr)
            print(
                f"\nerror: {nbtools.display_path(path)} did not run to the end; it was not changed.",
                file=sys.stderr,
            )
            return 1
        print(f"{seconds:7.1f} s  {nbtools.display_path(path)}", flush=True)
    print(f"executed {len(notebooks)} notebook(s) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
