"""Settings every lesson starts with, in one call, so the notebooks look and print alike."""

from __future__ import annotations

import gc

import matplotlib
import numpy as np
from cycler import cycler

from .plots import LINE_COLORS, use_plain_log_labels

__all__ = ["setup_notebook"]


def setup_notebook(precision: int = 4) -> None:
    """Use the course's settings: printed precision, figure size and resolution, one render per figure.

    * NumPy prints ``precision`` decimals and no scientific notation for small numbers.
    * Lines without a colour of their own take the course's colours, in an order whose first five any
      colour-blind reader tells apart.
    * Figures are 9.5 × 3.6 inches at 96 dpi (a CSS inch, so a font shows at its size in points) with
      constrained layout, so labels never overlap; in Jupyter they are rendered at twice that resolution and
      shown at that size ("retina"), crisp on high-density screens and projectors.
    * In Jupyter, figures are rendered once, without ``bbox_inches="tight"``: with constrained layout it
      changes nothing but costs a second render of every figure (a fifth of a lesson's run time). Their PNGs
      are compressed at zlib level 3, which takes two thirds of the default's time for 10 % more bytes.
    * Log axes label their ticks ``10⁻³`` in plain text, not mathtext
      (:func:`lessons_lib.plots.use_plain_log_labels`): the same labels, without the parse that took a fifth
      of a lesson's drawing time.
    * In a Jupyter kernel, figures are shown inline even if the shell that started Jupyter set
      ``MPLBACKEND`` to another backend (``Agg`` would show no figure at all, without a word).
    * The objects that exist by the first call (the imports: modules, classes, matplotlib's machinery),
      which live as long as the kernel, are frozen out of the garbage collector's full passes
      (``gc.freeze``) after a collection, so that no garbage is kept: those passes no longer scan them at
      every few figures, and a lesson runs about a tenth faster. Later calls (a lesson run again in the
      same kernel) freeze nothing: its figures and widgets, once replaced, must still be collected.
    """
    np.set_printoptions(precision=precision, suppress=True)
    matplotlib.rcParams.update(
        {
            "figure.dpi": 96,
            "figure.figsize": (9.5, 3.6),
            "figure.constrained_layout.use": True,
            # Lines drawn in the default order: colours any five of which stay distinct (plots.LINE_COLORS).
            "axes.prop_cycle": cycler(color=list(LINE_COLORS)),
        }
    )
    use_plain_log_labels()
    if not gc.get_freeze_count():  # once per kernel: what the imports made, not a lesson's figures
        gc.collect()  # then no garbage is frozen with what lives
        gc.freeze()
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is None:
        return
    if getattr(shell, "kernel", None) is not None and "inline" not in matplotlib.get_backend():
        shell.run_line_magic("matplotlib", "inline")
    # zlib level 3, not 6: a lesson's figures encode in two thirds of the time, for a tenth more bytes.
    kwargs = {"bbox_inches": None, "pil_kwargs": {"compress_level": 3}}
    shell.run_line_magic("config", f"InlineBackend.print_figure_kwargs = {kwargs!r}")
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")
