"""Check every figure of the lessons against the course's figure rules (``tests/figure_rules.py``).

    python tools/figure_check.py                    # the solution notebooks; a report, one line per problem
    python tools/figure_check.py notebooks/solutions/02_momentum.ipynb
    python tools/figure_check.py --json             # as JSON: {"matplotlib": version, "figures": {...}}
    python tools/figure_check.py --save build/figures   # and a PNG of each figure checked, to look at

Each notebook runs in memory in a fresh kernel (:func:`nbtools.execute`), with a hidden first cell that checks
every figure the inline backend is about to show, at the end of the cell that drew it. After the last cell,
every widget the notebook made is checked at its first render, with each control at both ends of its range
(for a learning rate, the top end is where runs diverge), and with each option of a menu. Figures are named
``<notebook> cell <n> figure <k>`` (``n`` counts code cells from 1) and
``<notebook> widget <name> [<setting>]``. Nothing is written, except with ``--save``. Exit status 1 if any
figure breaks a rule.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbtools

RULES_DIR = nbtools.REPO_ROOT / "tests"

SETUP = """\
def _check_figures_as_shown():
    import sys

    sys.path.insert(0, {rules_dir!r})
    from figure_rules import figure_problems
    from matplotlib._pylab_helpers import Gcf

    import matplotlib.pyplot as plt

    shell = get_ipython()
    found = {{}}
    save = {save_dir!r}
    shown = [0, 0]  # the code cell running (the hidden one is 0), and how many figures it has shown

    def next_cell(*args):  # counted here: IPython versions differ in when they raise execution_count
        shown[:] = [shown[0] + 1, 0]

    def check():
        cell = shown[0]
        for manager in Gcf.get_all_fig_managers():
            shown[1] += 1
            name = f"cell {{cell}} figure {{shown[1]}}"
            found[name] = figure_problems(manager.canvas.figure)
            if save:
                manager.canvas.figure.savefig(f"{{save}}/{{name}}.png")

    show = plt.show

    def checked_show(*args, **kwargs):
        check()
        return show(*args, **kwargs)

    shell.events.register("pre_run_cell", next_cell)
    plt.show = checked_show  # figures shown during a cell
    shell.events.callbacks["post_execute"].insert(0, check)  # and at its end, before the backend closes them
    return found


_FIGURES_FOUND = _check_figures_as_shown()
del _check_figures_as_shown
"""

AFTER = """\
def _check_widgets():
    import json

    import ipywidgets
    import numpy as np
    from figure_rules import figure_problems

    from lessons_lib.widgets import _base

    def settings(control):
        if isinstance(control, ipywidgets.Checkbox):
            return [not control.value]
        if isinstance(control, ipywidgets.FloatLogSlider):
            return [control.base**control.min, control.base**control.max]
        if isinstance(control, (ipywidgets.FloatSlider, ipywidgets.IntSlider)):
            return [control.min, control.max]
        if isinstance(control, (ipywidgets.Dropdown, ipywidgets.ToggleButtons, ipywidgets.RadioButtons)):
            return [o[1] if isinstance(o, tuple) else o for o in control.options][1:]
        return []

    def check(widget, setting):
        for artist in widget._dynamic:
            artist.set_animated(False)
        try:
            name = f"widget {{widget.name}} [{{setting}}]"
            _FIGURES_FOUND[name] = figure_problems(widget.figure)
            if {save_dir!r}:  # the picture the learner sees
                with open(f"{save_dir}/" + name.replace("/", "÷") + ".png", "wb") as file:
                    file.write(widget.image.value)
        finally:
            for artist in widget._dynamic:
                artist.set_animated(True)
            widget.invalidate()

    for ref in list(_base._LIVE):
        widget = ref()
        if widget is None:
            continue
        check(widget, "first render")
        for name, control in widget.controls.items():
            original = control.value
            for value in settings(control):
                control.value = value
                shown = f"{{value:.3g}}" if isinstance(value, float) else str(value)
                check(widget, f"{{name}} = {{shown}}")
            control.value = original
    print(json.dumps(_FIGURES_FOUND))


_check_widgets()
"""


def check_notebook(path: Path, save: Path | None = None) -> dict[str, list[str]]:
    """``{figure name: [problems]}`` for every figure and widget setting of the notebook at ``path``; with
    ``save``, a PNG of each in ``save/<notebook stem>/``."""
    import nbformat

    save_dir = None
    if save is not None:
        save_dir = str((Path(save) / path.stem).resolve())
        Path(save_dir).mkdir(parents=True, exist_ok=True)
    nb = nbtools.read_notebook(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(SETUP.format(rules_dir=str(RULES_DIR), save_dir=save_dir)))
    after = AFTER.format(save_dir=save_dir)
    result = nbtools.execute(nb, path.resolve().parent, name=nbtools.display_path(path), after=after)
    if result.after_error:
        raise RuntimeError(f"{nbtools.display_path(path)}: the widget check failed: {result.after_error}")
    found = json.loads(result.after_stdout.strip().splitlines()[-1])
    return {f"{path.stem} {name}": problems for name, problems in found.items()}


def check_all(paths, save: Path | None = None) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        found.update(check_notebook(Path(path), save))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: the solution notebooks)")
    parser.add_argument("--json", action="store_true", help="print {figure: [problems]} as JSON")
    parser.add_argument(
        "--save", type=Path, metavar="DIR", help="also write each figure as DIR/<notebook>/*.png"
    )
    args = parser.parse_args(argv)
    paths = nbtools.expand_paths(args.paths) if args.paths else nbtools.solution_notebooks()
    found = check_all(paths, args.save)
    if args.json:  # the figures' problems, and the matplotlib they were measured with
        import matplotlib

        recorded = {"matplotlib": matplotlib.__version__, "figures": found}
        print(json.dumps(recorded, indent=1, ensure_ascii=False))
    else:
        bad = {name: problems for name, problems in found.items() if problems}
        for name, problems in bad.items():
            print(name)
            for problem in problems:
                print(f"    {problem}")
        print(f"{len(found)} figures and widget settings checked, {len(bad)} break a rule.")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
