"""lessons_lib.setup_notebook: the settings every lesson starts with."""

import base64
import gc
import os
import weakref

import matplotlib
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import lessons_lib as ll


def test_setup_notebook_sets_printing_and_figures_outside_ipython():
    old_print, old_rc = np.get_printoptions(), matplotlib.rcParams.copy()
    try:
        ll.setup_notebook(precision=3)  # outside IPython it must not fail
        assert np.get_printoptions()["precision"] == 3
        assert np.get_printoptions()["suppress"] is True
        assert matplotlib.rcParams["figure.dpi"] == 96  # a CSS inch: fonts show at their size
        assert matplotlib.rcParams["figure.constrained_layout.use"] is True
    finally:
        np.set_printoptions(**old_print)
        matplotlib.rcParams.update(old_rc)
        gc.unfreeze()


class _Node:
    pass


def test_setup_notebook_freezes_what_lives_and_keeps_no_garbage():
    garbage, alive = _Node(), _Node()
    garbage.self = garbage  # a cycle: only the collector frees it
    gone = weakref.ref(garbage)
    del garbage
    old_print, old_rc = np.get_printoptions(), matplotlib.rcParams.copy()
    gc.unfreeze()
    try:
        ll.setup_notebook()
        assert gone() is None  # collected before the freeze, not kept for good
        assert gc.get_freeze_count() > 0
        assert not any(obj is alive for obj in gc.get_objects())  # frozen: out of the collector's passes
        later = _Node()  # made after the first call, as a lesson's figures are: never to be frozen
        ll.setup_notebook()
        assert any(obj is later for obj in gc.get_objects())
    finally:
        np.set_printoptions(**old_print)
        matplotlib.rcParams.update(old_rc)
        gc.unfreeze()


@pytest.mark.parametrize("backend", ["Agg", "TkAgg"])
def test_setup_notebook_shows_figures_inline_whatever_mplbackend_the_shell_set(backend, tmp_path):
    """A learner's shell with MPLBACKEND=Agg (or TkAgg) must not leave the lessons without figures."""
    from nbclient import NotebookClient

    nb = new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [
        new_code_cell("import os\nprint(os.environ['MPLBACKEND'])"),
        new_code_cell("import matplotlib.pyplot as plt\nimport lessons_lib as ll\nll.setup_notebook()"),
        new_code_cell("plt.plot([0, 1], [1, 0])\nplt.show()"),
    ]
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with client.setup_kernel(env={**os.environ, "MPLBACKEND": backend}):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    assert nb.cells[0].outputs[0].text.strip() == backend  # the kernel did get the shell's backend
    assert nb.cells[1].outputs == []  # silently
    kinds = [o.output_type for o in nb.cells[2].outputs]
    assert any("image/png" in o.get("data", {}) for o in nb.cells[2].outputs), kinds
    image = next(o for o in nb.cells[2].outputs if "image/png" in o.get("data", {}))
    png = base64.b64decode(image["data"]["image/png"])
    drawn_width = int.from_bytes(png[16:20], "big")  # the PNG header's width, in pixels
    shown_width = image["metadata"]["image/png"]["width"]
    assert drawn_width == 2 * shown_width == 2 * 9.5 * 96  # drawn at twice the size it is shown: crisp


@pytest.mark.parametrize(
    "value, label",
    [(1e-3, "10⁻³"), (1.0, "10⁰"), (1e12, "10¹²"), (0.02, "2×10⁻²"), (3e5, "3×10⁵"), (1e-300, "10⁻³⁰⁰")],
)
def test_plain_log_labels_read_as_matplotlibs_without_mathtext(value, label):
    """It writes what matplotlib writes in mathtext, as plain text (a minus sign, superscripts)."""
    from matplotlib.ticker import LogFormatterSciNotation

    from lessons_lib.plots import PlainLogFormatter

    mathtext = LogFormatterSciNotation(10.0, labelOnlyBase=False)(value)
    assert mathtext.startswith("$")  # what it replaces
    assert PlainLogFormatter(10.0, labelOnlyBase=False)(value) == label


def test_after_setup_no_log_axis_or_log_colour_bar_parses_mathtext(monkeypatch):
    """Every log axis drawn after setup_notebook, a rate map's colour bar included, labels its ticks without
    mathtext, whose parse was a fifth of a lesson's drawing time."""
    import matplotlib.mathtext
    from matplotlib.figure import Figure

    old_rc, old_print = matplotlib.rcParams.copy(), np.get_printoptions()
    parsed = []
    parse = matplotlib.mathtext.MathTextParser.parse
    monkeypatch.setattr(
        matplotlib.mathtext.MathTextParser,
        "parse",
        lambda self, s, *a, **k: parsed.append(s) or parse(self, s, *a, **k),
    )
    try:
        ll.setup_notebook()
        fig = Figure()
        ax, ax_map = fig.subplots(1, 2)
        ax.loglog([1e-9, 1e3], [1e-12, 1e2])
        ll.plots.plot_rate_map(
            ax_map, [1.0, 100.0], lrs=np.geomspace(1e-4, 0.05, 20), betas=np.linspace(0, 0.99, 10)
        )
        fig.canvas.draw()
        labels = [t.get_text() for a in fig.axes for t in a.get_xticklabels() + a.get_yticklabels()]
        assert "10⁻⁹" in labels and "10²" in labels
        assert parsed == []
    finally:  # setup_notebook() changes global settings: give them back to the tests and doctests after this
        matplotlib.rcParams.update(old_rc)
        np.set_printoptions(**old_print)


@pytest.mark.parametrize(
    "low, high, minor", [(1e-12, 1e2, False), (1e-4, 1.0, False), (0.15, 2.5, True), (0.15, 0.9, True)]
)
def test_a_wide_log_axis_has_no_minor_ticks_and_a_narrow_one_keeps_them_labelled(low, high, minor):
    """Past MINOR_TICK_DECADES decades a log axis shows its labelled decades alone (each tick matplotlib
    makes costs over a millisecond); within them it keeps the minor ticks, whose labels may be its only
    ones."""
    from matplotlib.figure import Figure

    from lessons_lib.plots import MINOR_TICK_DECADES, use_plain_log_labels

    use_plain_log_labels()
    fig = Figure()
    ax = fig.subplots()
    ax.set_yscale("log")
    ax.set_ylim(low, high)
    fig.canvas.draw()
    ticks = [t for t in ax.yaxis.get_minorticklocs() if low <= t <= high]
    assert (np.log10(high / low) <= MINOR_TICK_DECADES) == minor
    assert bool(ticks) == minor
    if high / low < 10:  # less than a decade, no power of ten in it: the minor ticks carry the only labels
        labels = [t.get_text() for t in ax.get_yticklabels(minor=True) if t.get_text()]
        assert "2×10⁻¹" in labels
