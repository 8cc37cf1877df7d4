"""Plots of the course. Every function draws into a given ``Axes`` and returns it (STYLE.md, section 3).

One optimizer keeps one colour and one marker in every figure of the course, from the Okabe–Ito palette,
which stays distinguishable under the common colour-vision deficiencies. Legends name the hyperparameters
(``Momentum(lr=0.1, β=0.9)``). A diverged run is drawn up to where it left the picture, ends with a cross and
says "diverged at step k"; it is never an empty plot.
"""

from __future__ import annotations

import math
import re

import matplotlib.scale
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullLocator
from matplotlib.transforms import ScaledTranslation

from .averages import ewa, half_life, window
from .optimizers import Momentum, Optimizer, RMSProp
from .problems import Problem
from .races import BudgetRace, Race, ScheduleRuns
from .running import Trajectory, run

__all__ = [
    "compare_settings",
    "divergence_mark",
    "landmark_keys",
    "legend_below",
    "LINE_COLORS",
    "OKABE_ITO",
    "PlainLogFormatter",
    "panels",
    "path_xy",
    "plot_contours",
    "plot_effective_lr",
    "plot_ewa",
    "plot_loss",
    "plot_budget_race",
    "plot_path",
    "plot_race_paths",
    "plot_rate_map",
    "plot_schedules",
    "plot_seed_spread",
    "plot_velocity",
    "status_above",
    "STYLED_OPTIMIZERS",
    "style_of",
    "use_plain_log_labels",
]

_MATHTEXT_POWER = re.compile(r"\$\\mathdefault\{(-?)(?:([0-9.]+)\\times)?([0-9]+)\^\{(-?[0-9]+)\}\}\$")
_MATHTEXT_NUMBER = re.compile(r"\$\\mathdefault\{(-?[0-9.]+)\}\$")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class PlainLogFormatter(LogFormatterSciNotation):
    """Log-axis tick labels in plain text, ``10⁻³`` and ``2×10⁻³``, where matplotlib writes mathtext.

    The labels read the same, but need no mathtext parser: matplotlib parses each new label (5–10 ms each,
    and 50 ms to build the parser), which was a fifth of the time a lesson spends drawing its figures and
    many of a widget's slowest redraws. A label it does not recognise is left to mathtext.
    """

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        power = _MATHTEXT_POWER.fullmatch(label)
        if power:
            sign, coefficient, base, exponent = power.groups()
            times = f"{coefficient}×" if coefficient else ""
            return f"{'−' if sign else ''}{times}{base}{exponent.translate(_SUPERSCRIPT)}"
        number = _MATHTEXT_NUMBER.fullmatch(label)
        return number.group(1).replace("-", "−") if number else label


#: A log axis spanning more decades than this draws no minor ticks (matplotlib drops them from 10 on).
MINOR_TICK_DECADES = 3.0


class _FewMinorLogLocator(LogLocator):
    """matplotlib's minor ticks of a log axis, but none on an axis spanning more than
    :data:`MINOR_TICK_DECADES` decades.

    There the labelled decades are close enough to read a value by, while eight unlabelled ticks per decade
    clutter the axis and cost: each tick matplotlib makes takes over a millisecond, a tenth of a figure's
    drawing time on a panel spanning ten decades. A narrower axis keeps them, with their labels
    (``2×10⁻³``), which are its only labels when it spans less than a decade.
    """

    def tick_values(self, vmin, vmax):
        if 0 < vmin < math.inf and 0 < vmax < math.inf:
            if abs(math.log(vmax / vmin, self._base)) > MINOR_TICK_DECADES:
                return np.array([])
        return super().tick_values(vmin, vmax)


class _PlainLogScale(matplotlib.scale.LogScale):
    """matplotlib's log scale, with :class:`PlainLogFormatter` for its tick labels and no minor ticks on an
    axis spanning more than :data:`MINOR_TICK_DECADES` decades (:class:`_FewMinorLogLocator`)."""

    def __init__(self, *args, **kwargs):  # matplotlib < 3.11 passes the axis first; later versions do not
        super().__init__(*args, **kwargs)

    def set_default_locators_and_formatters(self, axis):
        super().set_default_locators_and_formatters(axis)
        axis.set_major_formatter(PlainLogFormatter(self.base))
        axis.set_minor_locator(_FewMinorLogLocator(self.base, self.subs))
        axis.set_minor_formatter(PlainLogFormatter(self.base, labelOnlyBase=self.subs is not None))


def use_plain_log_labels() -> None:
    """Make every log axis drawn from now on label its ticks with :class:`PlainLogFormatter`.

    It registers a log scale under matplotlib's name ``"log"``, so ``ax.set_yscale("log")``, ``ax.loglog``
    and colour bars with a ``LogNorm`` all use it; :func:`lessons_lib.setup_notebook` calls it.
    """
    matplotlib.scale.register_scale(_PlainLogScale)


#: The Okabe–Ito colour-blind-safe palette, by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: Colours for lines told apart by colour alone (settings of one optimizer, several averages, a notebook's own
#: lines: ``setup_notebook`` makes this matplotlib's default order), in an order whose first five any
#: colour-blind reader tells apart (matplotlib's default green and red merge for a protanope).
LINE_COLORS = tuple(
    OKABE_ITO[c]
    for c in ("black", "blue", "orange", "sky blue", "reddish purple", "bluish green", "vermillion", "yellow")
)

#: Each optimizer's colour and marker. Any two that lessons draw together stay distinct (CIELAB ΔE >= 20)
#: under simulated deuteranopia and protanopia (tests/figure_rules.py): orange and vermillion, for instance,
#: are 18 apart for a deuteranope, so Adagrad (orange) and RMSProp (reddish purple) do not share them, and
#: Nesterov's vermillion is never drawn beside Adagrad. Reddish purple and bluish green are close to a mid
#: grey for such readers: draw reference lines in dark grey ("0.35").
_STYLES = {
    "GradientDescent": (OKABE_ITO["black"], "o"),
    "Momentum": (OKABE_ITO["blue"], "s"),
    "Nesterov": (OKABE_ITO["vermillion"], "D"),
    "Adagrad": (OKABE_ITO["orange"], "^"),
    "RMSProp": (OKABE_ITO["reddish purple"], "v"),
    "Adam": (OKABE_ITO["sky blue"], "P"),
}
_OTHER = (OKABE_ITO["bluish green"], "X")

#: The optimizer names that :func:`style_of` gives a colour and marker of their own.
STYLED_OPTIMIZERS = tuple(_STYLES)


def style_of(optimizer: Optimizer | str) -> dict:
    """Colour, marker and legend label of an optimizer (or of a class name), the same in every figure.

    >>> from lessons_lib import Momentum
    >>> style_of(Momentum(lr=0.1))["color"], style_of(Momentum(lr=0.1, nesterov=True))["marker"]
    ('#0072B2', 'D')
    """
    if isinstance(optimizer, str):
        key, label = optimizer, optimizer
    else:
        key = type(optimizer).__name__
        if key == "Momentum" and optimizer.nesterov:
            key = "Nesterov"
        label = optimizer.label()
    color, marker = _STYLES.get(key, _OTHER)
    return {"color": color, "marker": marker, "label": label}


#: The course's figure margins and gaps between panels, in inches: room for a title, axis labels and ticks.
MARGINS = {"left": 0.75, "right": 0.2, "bottom": 0.6, "top": 0.4, "wgap": 0.75, "hgap": 0.85}


def fix_margins(fig, nrows: int, ncols: int, *, below: float = 0.0) -> None:
    """Place a grid of panels in ``fig`` with the fixed :data:`MARGINS`, whatever the figure's size, and
    ``below`` inches more under the bottom margin (room for :func:`legend_below`).

    Fixed margins replace a layout engine, whose extra layout pass would double a figure's render time.
    """
    fig_w, fig_h = fig.get_size_inches()
    m = MARGINS
    width = (fig_w - m["left"] - m["right"] - (ncols - 1) * m["wgap"]) / ncols
    height = (fig_h - m["bottom"] - below - m["top"] - (nrows - 1) * m["hgap"]) / nrows
    fig.subplots_adjust(
        left=m["left"] / fig_w,
        right=1 - m["right"] / fig_w,
        bottom=(m["bottom"] + below) / fig_h,
        top=1 - m["top"] / fig_h,
        wspace=m["wgap"] / width,
        hspace=m["hgap"] / height,
    )


def panels(ncols: int = 1, nrows: int = 1, *, size=(3.4, 3.0), widths=None, **subplot_kw):
    """A figure of ``nrows`` × ``ncols`` panels of ``size`` inches each, with the course's fixed margins.

    ``widths``, one number per column, makes columns that many times ``size``'s width: a ravine's path panel
    drawn at equal aspect needs about twice the width of a panel of curves to be as tall.
    Returns ``(fig, axes)`` like ``plt.subplots`` (``axes`` is always a 1-D array, row by row). The margins
    (:data:`MARGINS`) are fixed in inches instead of being computed by a layout engine: that layout pass would
    double the time a figure takes to render.
    """
    import matplotlib.pyplot as plt

    widths = [1.0] * ncols if widths is None else [float(w) for w in widths]
    if len(widths) != ncols or min(widths) <= 0:
        raise ValueError(f"panels: widths must be {ncols} positive numbers, one per column; got {widths}.")
    width, height = size
    m = MARGINS
    fig_w = m["left"] + m["right"] + sum(widths) * width + (ncols - 1) * m["wgap"]
    fig_h = m["bottom"] + m["top"] + nrows * height + (nrows - 1) * m["hgap"]
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(fig_w, fig_h), layout="none", squeeze=False, width_ratios=widths, **subplot_kw
    )
    fix_margins(fig, nrows, ncols)
    return fig, axes.ravel()


#: Height of one row of :func:`legend_below`, in inches.
LEGEND_ROW = 0.3


def legend_below(
    fig, handles=None, *, ncols: int | None = None, fontsize: float = 8, grow: bool = True, space_below=0.0
):
    """One legend for the whole figure, in a strip under its panels, where it can never cover data.

    The figure grows by the strip's height and the panels keep their size. ``handles`` default to the
    labelled artists of every panel, each label once; ``ncols`` to all of them in one row, up to six;
    ``space_below`` inches are left free under the legend (a widget writes its setting there). With
    ``grow=False`` the legend goes into the strip an earlier call made (a widget showing other entries).
    Returns the legend.
    """
    if handles is None:
        handles, seen = [], set()
        for ax in fig.axes:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                if label not in seen:
                    seen.add(label)
                    handles.append(handle)
    if not handles:
        raise ValueError("legend_below: nothing to show; give handles, or label what the panels draw.")
    ncols = ncols or min(len(handles), 6)
    if grow:
        strip = -(-len(handles) // ncols) * LEGEND_ROW + space_below
        fig_w, fig_h = fig.get_size_inches()
        fig.set_size_inches(fig_w, fig_h + strip)
        grid = next(ax for ax in fig.axes if ax.get_subplotspec() is not None).get_subplotspec()
        grid = grid.get_topmost_subplotspec().get_gridspec()
        fix_margins(fig, grid.nrows, grid.ncols, below=strip)
    return fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, (0.02 + space_below) / fig.get_size_inches()[1]),
        ncols=ncols,
        fontsize=fontsize,
        frameon=False,
        handlelength=2.2,
        columnspacing=1.6,
    )


# ----------------------------------------------------------------------------------------------------
# The landscape


def plot_contours(ax, problem: Problem, *, levels: int = 18, resolution: int = 160, mark_minima: bool = True):
    """Draw a 2-D problem's level sets (log-spaced above the minimum), or a 1-D problem's curve ``f(x)``.

    The minimiser is marked with a star, other minima with an open circle, a saddle point with a plus.
    """
    if problem.dim == 1:
        (low, high) = problem.bounds[0]
        xs = np.linspace(low, high, resolution * 2)
        ys = problem.f(xs[:, None])
        ax.plot(xs, ys, color="0.35", lw=1.5, zorder=1)
        pad = 0.08 * (ys.max() - ys.min())
        ax.set_xlim(low, high)
        ax.set_ylim(ys.min() - pad, ys.max() + pad)  # fixed, so a diverging path cannot rescale the picture
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    elif problem.dim == 2:
        (x_lo, x_hi), (y_lo, y_hi) = problem.bounds
        X, Y = np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))
        Z = problem.f(np.stack([X, Y], axis=-1))
        floor = problem.f_min if problem.f_min is not None else Z.min()
        gap = Z - floor
        top = np.percentile(gap, 98)
        bottom = max(top * 1e-4, np.percentile(gap, 0.5), 1e-12)
        ax.contour(
            X, Y, gap, levels=np.geomspace(bottom, top, levels), colors="0.6", linewidths=0.7, zorder=1
        )
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(y_lo, y_hi)
        # Equal aspect: a ravine must look like one, and gradients cross level sets at right angles.
        ax.set_aspect("equal")
        ax.locator_params(nbins=5)  # few tick labels: cleaner, and labels are most of a figure's render time
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
    else:
        raise ValueError(
            f"plot_contours: {problem.name} has {problem.dim} coordinates; only 1 or 2 can be drawn."
        )
    if mark_minima:
        _mark(ax, problem, problem.minimizer, "global minimum")
        for point, _ in problem.local_minima:
            _mark(ax, problem, point, "other minimum")
        if "saddle_point" in problem.info:
            _mark(ax, problem, problem.info["saddle_point"], "saddle point")
    ax.set_title(problem.name, loc="left")  # the right end of the title row is for a status label
    return ax


#: How plot_contours marks a problem's landmarks: marker, size, filled.
_LANDMARKS = {
    "global minimum": ("*", 14, True),
    "other minimum": ("o", 8, False),
    "saddle point": ("P", 9, False),
}


def _landmark_style(label):
    marker, size, filled = _LANDMARKS[label]
    return {"marker": marker, "ms": size, "color": "0.15", "mfc": "0.15" if filled else "none", "ls": "none"}


def _mark(ax, problem, point, label):
    if point is None:
        return
    point = np.asarray(point, dtype=float)
    xy = (point[0], float(problem.f(point))) if problem.dim == 1 else (point[0], point[1])
    ax.plot(*xy, zorder=5, label=label, **_landmark_style(label))


def landmark_keys(problems) -> list:
    """Legend entries for the landmarks :func:`plot_contours` marks on any of ``problems``: the global
    minimum, and other minima and a saddle point where one of them has some."""
    from matplotlib.lines import Line2D

    problems = list(problems)
    present = {
        "global minimum": True,
        "other minimum": any(p.local_minima for p in problems),
        "saddle point": any("saddle_point" in p.info for p in problems),
    }
    return [
        Line2D([], [], label=label, **_landmark_style(label)) for label, shown in present.items() if shown
    ]


def path_xy(problem, points) -> tuple[np.ndarray, np.ndarray]:
    """The drawable path of one run: its finite points, far-away ones clipped to ten times the plot bounds.

    Returns ``(x, y)``: the two coordinates in 2-D; in 1-D the coordinate and the loss along the curve.
    :func:`plot_path` draws these; a widget that redraws a path sets its line's data to them.
    """
    points = np.asarray(points, dtype=float)
    low, high = np.array(problem.bounds, dtype=float).T
    span = high - low
    pts = np.clip(points[np.all(np.isfinite(points), axis=-1)], low - 10 * span, high + 10 * span)
    return (pts[:, 0], problem.f(pts)) if problem.dim == 1 else (pts[:, 0], pts[:, 1])


def divergence_mark(problem, x_end, y_end, y_limits) -> tuple[float, float]:
    """Where the cross of a diverged run goes: its last drawable point, brought inside the picture.

    In 2-D inside the plot bounds; in 1-D inside the bounds along x and ``y_limits`` (the axes' limits).
    """
    if problem.dim == 2:
        (x_lo, x_hi), (y_lo, y_hi) = problem.bounds
        return float(np.clip(x_end, x_lo, x_hi)), float(np.clip(y_end, y_lo, y_hi))
    return float(np.clip(x_end, *problem.bounds[0])), float(np.clip(y_end, *y_limits))


def plot_path(
    ax, trajectory: Trajectory, *, run_index=None, label: str | None = None, markevery=None, **style
):
    """Draw the path of one run over the problem (2-D: in the plane; 1-D: along the curve).

    For a batch of runs give ``run_index`` (default: the first run). A run that diverged ends with a cross
    and the words "diverged at step k".
    """
    problem = trajectory.problem
    pts = trajectory.points
    diverged_step = trajectory.diverged_steps
    if pts.ndim == 3:
        i = 0 if run_index is None else run_index
        pts, diverged_step = pts[:, i], diverged_step[i]
    diverged_step = int(diverged_step)
    xy = path_xy(problem, pts)
    s = style_of(trajectory.optimizer)
    s.update(style)
    if label is not None:
        s["label"] = label
    if markevery is None:
        markevery = max(1, len(xy[0]) // 40)
    ax.plot(
        *xy,
        marker=s["marker"],
        color=s["color"],
        label=s["label"],
        ms=4,
        lw=1.3,
        markevery=markevery,
        zorder=3,
    )
    ax.plot(xy[0][0], xy[1][0], marker="o", ms=6, color=s["color"], mfc="white", zorder=4)
    if diverged_step >= 0:
        _show_divergence(ax, problem, xy[0][-1], xy[1][-1], diverged_step, s["color"])
    return ax


def status_above(ax, text: str, *, color, fontsize: float = 10):
    """Write a status (``"diverged at step 11"``) above ``ax``, at the right of its title row, where it can
    never sit on the data; returns the Text."""
    return ax.text(
        1.0,
        1.0,
        text,
        transform=ax.transAxes + ScaledTranslation(0, 4 / 72, ax.figure.dpi_scale_trans),
        ha="right",
        va="bottom",
        color=color,
        fontsize=fontsize,
        fontweight="bold",
        zorder=7,
    )


def _show_divergence(ax, problem, x_end, y_end, step, color):
    x_end, y_end = divergence_mark(problem, x_end, y_end, ax.get_ylim())
    ax.plot(x_end, y_end, marker="X", ms=12, color=color, mec="white", zorder=6, clip_on=False)  # on the edge
    status_above(ax, f"diverged at step {step}", color=color)


# ----------------------------------------------------------------------------------------------------
# Curves over the steps


def plot_loss(
    ax, trajectories, *, gap: bool = True, log: bool = True, run_index=None, label=None, color=None
):
    """Loss against step for one or several trajectories: ``f - f_min`` on a log axis by default.

    For a batch of runs give ``run_index``, or leave it None to draw the median with the 10–90 % band.
    ``label`` and ``color`` replace the optimizer's own (to tell apart settings of one optimizer).
    """
    if isinstance(trajectories, Trajectory):
        trajectories = [trajectories]
    for trajectory in trajectories:
        s = style_of(trajectory.optimizer)
        if color is not None:
            s["color"] = color
        values = trajectory.gaps if gap and trajectory.problem.f_min is not None else trajectory.losses
        steps = np.arange(len(values))
        name = label or s["label"]
        if values.ndim == 2 and run_index is None:
            with np.errstate(all="ignore"):
                lo, mid, hi = np.nanpercentile(values, [10, 50, 90], axis=1)
            ax.plot(steps, mid, color=s["color"], label=f"{name} (median)", lw=1.5)
            ax.fill_between(steps, lo, hi, color=s["color"], alpha=0.2, lw=0)
            continue
        diverged_step = trajectory.diverged_steps
        if values.ndim == 2:
            values, diverged_step = values[:, run_index], diverged_step[run_index]
        ax.plot(
            steps,
            values,
            color=s["color"],
            label=name,
            lw=1.5,
            marker=s["marker"],
            markevery=max(1, len(steps) // 12),
        )
        if diverged_step >= 0:
            finite = np.isfinite(values)
            last = int(np.flatnonzero(finite)[-1]) if finite.any() else 0
            ax.plot(
                last, values[last], marker="X", ms=11, color=s["color"], mec="white", zorder=5, clip_on=False
            )
            early = last < np.mean(ax.get_xlim())  # the words go towards the middle, inside the panel
            ax.annotate(
                f"diverged at step {int(diverged_step)}",
                (last, values[last]),
                textcoords="offset points",
                xytext=(6, -14) if early else (-6, -14),
                ha="left" if early else "right",
                color=s["color"],
                fontsize=9,
            )
    if log and ax.get_yscale() != "log":  # setting it again would reset the axis' tick locators
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("f(x) − f*" if gap else "f(x)")
    return ax


def plot_effective_lr(ax, trajectory: Trajectory, *, coords=None, run_index: int = 0):
    """Each coordinate's effective learning rate against step (needs ``run(..., keep_states=True)``).

    The effective learning rate is the factor that multiplies a coordinate's gradient: ``lr`` for gradient
    descent and momentum, ``lr / (sqrt(s) + eps)`` for Adagrad and RMSProp.
    """
    if trajectory.effective_lrs is None:
        raise ValueError("plot_effective_lr: run the optimizer with run(..., keep_states=True) first.")
    eff = trajectory.effective_lrs
    if eff.ndim == 3:
        eff = eff[:, run_index]
    coords = range(eff.shape[1]) if coords is None else coords
    s = style_of(trajectory.optimizer)
    linestyles = ["-", "--", ":", "-."]
    for n, i in enumerate(coords):
        steps = np.arange(1, len(eff) + 1)
        label = f"{s['label']}, x{_sub(i + 1)}"
        ax.plot(steps, eff[:, i], color=s["color"], ls=linestyles[n % 4], lw=1.6, label=label)
    if ax.get_yscale() != "log":
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("effective learning rate")
    return ax


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def plot_ewa(ax, values, betas=(0.9,), *, bias_correction: bool = False, x=None, raw_label="data"):
    """A series and its EWAs for several ``beta``, each labelled with its window and half-life."""
    values = np.asarray(values, dtype=float)
    x = np.arange(1, len(values) + 1) if x is None else x
    ax.plot(x, values, color="0.7", lw=0.8, label=raw_label)
    colors = LINE_COLORS[1:]  # the series itself is grey
    for n, beta in enumerate(betas):
        label = f"β={beta:g} (window ≈ {window(beta):.3g}, half-life {half_life(beta):.3g})"
        ax.plot(x, ewa(values, beta, bias_correction), color=colors[n % len(colors)], lw=1.6, label=label)
    ax.set_xlabel("t")
    ax.legend(fontsize=8)
    return ax


def plot_rate_map(ax, curvatures, *, lrs, betas, averaged=False, nesterov=False, mark=None):
    """Momentum's speed over an (lr, beta) grid, for a quadratic with these curvatures.

    Colour is the number of steps to gain one decimal digit of accuracy, ``ln 10 / -ln(rate)`` (log scale,
    brighter is faster), with contours at 10, 100 and 1000 steps; grey cells do not converge, and the dashed
    line is the edge of convergence. A star marks Polyak's optimum (heavy ball), a white circle ``mark``.
    """
    import matplotlib
    from matplotlib.colors import LogNorm

    from .theory import momentum_rate, optimal_momentum

    lrs, betas = np.asarray(lrs, dtype=float), np.asarray(betas, dtype=float)
    rate = momentum_rate(lrs[None, :], betas[:, None], curvatures, averaged=averaged, nesterov=nesterov)
    with np.errstate(divide="ignore", invalid="ignore"):
        steps_per_digit = np.where(rate < 1, np.log(10) / -np.log(rate), np.nan)
    cmap = matplotlib.colormaps["viridis_r"].with_extremes(bad="0.85")
    mesh = ax.pcolormesh(
        lrs, betas, np.ma.masked_invalid(steps_per_digit), cmap=cmap, norm=LogNorm(1, 1e4), shading="auto"
    )
    levels = [10, 100, 1000]
    lines = ax.contour(lrs, betas, steps_per_digit, levels=levels, colors="white", linewidths=0.8)
    # Each level labelled where it crosses the middle row of the map, away from the corners where the
    # chosen settings and the optimum sit.
    row = steps_per_digit[np.argmin(np.abs(betas - 0.45 * betas.max()))]
    crossings = [np.flatnonzero(np.diff(np.sign(row - level)) != 0) for level in levels]
    at = [(float(np.sqrt(lrs[i[0]] * lrs[i[0] + 1])), 0.45 * betas.max()) for i in crossings if i.size]
    ax.clabel(lines, fmt="%d", fontsize=8, manual=at)
    ax.contour(lrs, betas, rate, levels=[1.0], colors="0.3", linewidths=1.2, linestyles="--")
    # Under the panel, horizontal: its tick labels then take the room of the panel's own x label, not the
    # gap to the next panel's y label. The contours' levels are marked on it too.
    bar = ax.figure.colorbar(mesh, ax=ax, orientation="horizontal", fraction=0.06, pad=0.2, aspect=30)
    bar.set_label("steps per digit (grey: does not converge)", fontsize=8)
    bar.add_lines(lines)
    bar.ax.tick_params(labelsize=8)
    bar.ax.xaxis.set_minor_locator(NullLocator())  # decades and marked levels read it: 48 ticks cost 0.1 s
    bar.ax.xaxis.set_major_formatter(PlainLogFormatter())  # a LogNorm's colour bar keeps matplotlib's own
    ax.set_xscale("log")
    ax.set_xlabel("learning rate lr")
    ax.set_ylabel("β")
    if not nesterov:
        mu, L = float(np.min(curvatures)), float(np.max(curvatures))
        best_lr, best_beta = optimal_momentum(mu, L, averaged=averaged)
        ax.plot(best_lr, best_beta, marker="*", ms=14, color="white", mec="black", ls="none", label="optimum")
    if mark is not None:
        ax.plot(
            *mark, marker="o", ms=9, mfc="none", mec="white", mew=2, ls="none", label="chosen", clip_on=False
        )
    form = "Nesterov" if nesterov else "heavy ball"
    ax.set_title(f"steps per digit of accuracy ({form}, {'averaged' if averaged else 'summed'})", fontsize=9)
    return ax


def plot_velocity(ax, trajectory: Trajectory, *, coords=None, run_index: int = 0):
    """Each coordinate's gradient (thin, grey) and velocity ``v`` (thick) against step.

    Needs ``run(..., keep_states=True)`` with an optimizer whose state has a velocity ``v`` (momentum).
    Coordinates are told apart by line style: x₁ solid, x₂ dashed.
    """
    opt = trajectory.optimizer
    has_velocity = isinstance(opt, Momentum) or (isinstance(opt, RMSProp) and opt.momentum > 0)
    if trajectory.states is None or not has_velocity:  # Adam's v is a second moment, not a velocity
        raise ValueError(
            "plot_velocity: needs run(..., keep_states=True) with an optimizer that has a velocity v "
            f"(Momentum); got {trajectory.optimizer.label()}."
        )
    v, g = trajectory.states["v"][1:], trajectory.grads
    if v.ndim == 3:
        v, g = v[:, run_index], g[:, run_index]
    steps = np.arange(1, len(v) + 1)
    coords = range(v.shape[1]) if coords is None else coords
    s = style_of(trajectory.optimizer)
    linestyles = ["-", "--", ":", "-."]
    for n, i in enumerate(coords):
        ls = linestyles[n % 4]
        ax.plot(steps, g[:, i], color="0.55", lw=0.9, ls=ls, label=f"gradient g{_sub(i + 1)}")
        ax.plot(steps, v[:, i], color=s["color"], lw=2.0, ls=ls, label=f"velocity v{_sub(i + 1)}")
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.set_xlabel("step")
    ax.set_ylabel("gradient and velocity")
    return ax


# ----------------------------------------------------------------------------------------------------
# Several settings of one optimizer, side by side (the static figure beside a widget)


#: Colours that tell apart several settings of one optimizer (Okabe–Ito, in a fixed order).


def compare_settings(axes, problem: Problem, optimizer: Optimizer, settings, *, steps: int = 60, x0=None):
    """The static figure beside a widget: one panel per setting, each the path of ``optimizer.replace(**s)``.

    ``axes`` is a sequence with one ``Axes`` per setting (plus, optionally, one more for all the losses, whose
    legend goes under the figure: see :func:`legend_below`).
    Returns the trajectories, in the order of ``settings``.
    """
    axes = list(np.ravel(axes))
    if len(axes) not in (len(settings), len(settings) + 1):
        raise ValueError(
            f"compare_settings: give one Axes per setting ({len(settings)}) or one more for the losses; "
            f"got {len(axes)}."
        )
    trajectories = []
    for ax, setting in zip(axes, settings, strict=False):
        opt = optimizer.replace(**setting)
        trajectory = run(opt, problem, steps, x0)
        plot_contours(ax, problem)
        plot_path(ax, trajectory)
        ax.set_title("", loc="left")  # the setting names the panel; the problem is the same in all
        ax.set_title(opt.label(), fontsize=10)
        trajectories.append(trajectory)
    if len(axes) == len(settings) + 1:
        ax = axes[-1]
        for n, (trajectory, setting) in enumerate(zip(trajectories, settings, strict=True)):
            label = ", ".join(
                f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in setting.items()
            )
            plot_loss(ax, trajectory, label=label, color=LINE_COLORS[n % len(LINE_COLORS)])
        ax.set_title("loss above the minimum", fontsize=10)
        legend_below(ax.figure, ax.get_legend_handles_labels()[0])  # the settings, by colour
    return trajectories


def plot_race_paths(
    ax, race_result: Race, problem: str, *, steps: int | None = None, x0=None, trajectories=None, legend=True
):
    """The landscape of one problem of a race and the path of every optimizer at its best learning rate.

    The runs start from ``x0`` (default: the problem's default start) and last ``steps`` (default: the race's
    steps on that problem); or give ``trajectories``, the runs of :meth:`Race.best_runs`, to draw those.
    Each path is labelled with its optimizer's name and best learning rate. Returns ``ax``.
    """
    p = race_result.problems[problem]
    if trajectories is None:
        trajectories = race_result.best_runs(problem, steps=steps, x0=x0)
    plot_contours(ax, p)
    for name, trajectory in trajectories.items():
        plot_path(ax, trajectory, label=f"{name}, lr={trajectory.optimizer.lr:.3g}")
    if legend:
        ax.legend(fontsize=7, loc="best", framealpha=0.85)
    return ax


def plot_budget_race(ax, result: BudgetRace, names=None, *, show_lr: bool = False, band_alpha: float = 0.18):
    """Each optimizer's learning curve at its best learning rate: the mean over the seeds, and a min–max band.

    ``f - f_min`` if the minimum is known, else the loss, on a log axis. Colours and markers are the course's
    (:func:`lessons_lib.plots.style_of`); with ``show_lr`` the labels give each best learning rate. Returns
    ``ax`` (call ``ax.legend()`` to show the labels).
    """
    if not isinstance(result, BudgetRace):
        raise TypeError(f"plot_budget_race: result must be a BudgetRace, got {type(result).__name__}.")
    for name in result.sweeps if names is None else names:
        curve = result.curve(name)
        style = style_of(type(result.optimizers[name]).__name__)
        ax.fill_between(curve.epochs, curve.low, curve.high, color=style["color"], alpha=band_alpha, lw=0)
        label = f"{name}, lr {result.best_lr(name):.2g}" if show_lr else name
        ax.plot(
            curve.epochs, curve.mean, color=style["color"], marker=style["marker"], ms=4, lw=1.5, label=label
        )
    from matplotlib.ticker import FuncFormatter, LogLocator

    known = result.problem.f_min is not None
    ax.set(xlabel="epoch", ylabel="f − f_min" if known else "loss")
    ax.set_yscale("log")
    ax.minorticks_off()
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))  # curves span only 1–2 decades
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    return ax


# ----------------------------------------------------------------------------------------------------
# Learning-rate schedules: bands over seeds against epochs (the schedule widget draws with these too)


def plot_seed_spread(ax, x, spread, *, color, label=None, marker=None, band=True, ls="-", lw=1.5):
    """A median over seeds as a line, with its 10–90 % band: ``spread`` has shape ``(3, len(x))``, the 10th
    percentile, the median and the 90th (:func:`lessons_lib.measures.spread`; infinite among diverged runs).

    An infinite median is not drawn: a line whose median diverges ends in a cross. Where only the 90th
    percentile is infinite, the band reaches the top of the panel, so set the y limits first. Returns ``ax``.
    """
    x = np.asarray(x, dtype=float)
    low, mid, high = np.asarray(spread, dtype=float)
    finite = np.isfinite(mid)
    style = {"color": color, "marker": marker, "ms": 4, "lw": lw, "ls": ls, "label": label}
    ax.plot(x, np.where(finite, mid, np.nan), markevery=max(1, len(x) // 12), **style)
    if band:
        high = np.where(np.isposinf(high), ax.get_ylim()[1], high)
        shown = np.isfinite(low) & np.isfinite(high)
        if shown.any():
            low, high = np.where(shown, low, np.nan), np.where(shown, high, np.nan)
            ax.fill_between(x, low, high, color=color, alpha=0.2, lw=0)
    last = int(np.flatnonzero(finite)[-1]) if finite.any() else len(x) - 1
    if last < len(x) - 1:  # more than half the seeds diverged from the next record on
        ax.plot(x[last], mid[last], "X", ms=11, color=color, mec="white", zorder=5, clip_on=False)
    return ax


def plot_schedules(axes, sweeps, schedules, optimizer: str, *, steps_per_epoch: int, lrs=None) -> dict:
    """The static figure beside :class:`lessons_lib.widgets.ScheduleExplorer`: one optimizer under every
    schedule, each at its best learning rate (or at ``lrs[schedule]``).

    ``axes``: two panels, the learning rate per step (left) and the full-batch training loss against the
    epoch (right): its median over the seeds and 10–90 % band, the constant schedule as a dark grey dashed
    line, as in the widget. ``sweeps``, ``schedules`` and ``steps_per_epoch`` as the widget takes them
    (:class:`lessons_lib.races.ScheduleRuns` checks them). The legend goes under the panels
    (:func:`legend_below`). Returns ``{schedule: learning rate drawn}`` (None where every median diverged:
    nothing drawn but its legend entry; a setting whose seeds all diverged draws its schedule alone).
    """
    runs = ScheduleRuns(sweeps, schedules, steps_per_epoch=steps_per_epoch, owner="plot_schedules")
    if optimizer not in runs.optimizers:
        raise ValueError(
            f"plot_schedules: no optimizer {optimizer!r}; the sweeps ran {', '.join(runs.optimizers)}."
        )
    ax_lr, ax_loss = np.ravel(axes)
    grid, labels, lrs = runs.grid(optimizer), runs.lr_labels(optimizer), dict(lrs or {})
    chosen = {}
    for name in runs.schedule_names:
        if name in lrs:
            chosen[name] = int(np.argmin(np.abs(np.log(grid) - np.log(lrs[name]))))
        else:
            chosen[name] = runs.best_lr_index(optimizer, name)
    limits = runs.limits(optimizer, {s: i for s, i in chosen.items() if i is not None})
    ax_lr.set(yscale="log", ylim=limits["lr"], xlim=(0, runs.steps), xlabel="step", ylabel="learning rate")
    ax_loss.set(yscale="log", ylim=limits["loss"], xlim=(0, runs.epochs[-1]), xlabel="epoch", ylabel="loss")
    colors, handles = iter(LINE_COLORS[1:]), []
    for name, i in chosen.items():
        constant = name == runs.constant
        style = {"color": "0.35", "ls": "--"} if constant else {"color": next(colors), "ls": "-"}
        lost = i is not None and runs.diverged(optimizer, name, i)[0] == runs.seeds
        label = f"{name}: every lr diverged" if i is None else f"{name}, lr {labels[i]}"
        handles.append(
            Line2D([], [], lw=1.5, label=label + (": every seed diverged" if lost else ""), **style)
        )
        if i is not None:
            ax_lr.plot(*runs.lr_curve(name, grid[i]), drawstyle="steps-post", lw=1.5, label=label, **style)
        if i is not None and not lost:  # a setting whose seeds all diverged has no line to draw
            spread = runs.spread(optimizer, name)[:, :, i]
            plot_seed_spread(ax_loss, runs.epochs, spread, band=not constant, label=label, **style)
    handles.append(Patch(color="0.35", alpha=0.2, lw=0, label=f"10–90 % of {runs.seeds} seeds"))
    for ax in (ax_lr, ax_loss):
        ax.minorticks_off()
    ax_lr.set_title("learning rate per step", fontsize=10)
    ax_loss.set_title(f"{optimizer}: training loss (median)", fontsize=10)
    legend_below(ax_loss.figure, handles, ncols=min(len(handles), 3))
    return {name: None if i is None else float(grid[i]) for name, i in chosen.items()}
