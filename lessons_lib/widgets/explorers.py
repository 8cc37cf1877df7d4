"""The widgets of the lessons: a trajectory, a race, a rate map, an EWA, a race over the testbed."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from .._validate import check_count
from ..averages import ewa, half_life, window
from ..optimizers import Momentum, Optimizer, symbol
from ..plots import (
    OKABE_ITO,
    divergence_mark,
    landmark_keys,
    path_xy,
    plot_contours,
    plot_effective_lr,
    plot_loss,
    plot_path,
    plot_rate_map,
    plot_velocity,
    style_of,
)
from ..problems import Problem
from ..running import run
from ._base import InteractiveFigure, control_for


def _panel_row(figure, panels, problem) -> dict:
    """One row of panels, ``{panel name: ax}``; a 2-D path panel gets 2.2 times the width of the others, so
    that a landscape drawn at equal aspect (a ravine is 2.5 times wider than tall) is still tall enough to
    show its zig-zag."""
    wide = 2.2 if "path" in panels and problem.dim == 2 else 1.0
    ratios = [wide if panel == "path" else 1.0 for panel in panels]
    axes = figure.subplots(1, len(panels), gridspec_kw={"width_ratios": ratios})
    return dict(zip(panels, np.atleast_1d(axes), strict=True))


def _legend_keys(optimizers, problems=(), *, coordinates=False, velocity=None) -> list:
    """What a widget's legend under its panels shows: each optimizer's colour and marker (``optimizers``:
    names for :func:`lessons_lib.plots.style_of`), the start and the landmarks of the path panels of
    ``problems``, then, when the panels need them, the velocity panel's two lines (``velocity``: the
    velocity's colour) and the coordinates' line styles (x₁ solid, x₂ dashed)."""
    keys = [
        Line2D([], [], color=style_of(o)["color"], marker=style_of(o)["marker"], ms=5, label=o)
        for o in optimizers
    ]
    if problems:
        keys.append(Line2D([], [], color="0.3", marker="o", mfc="white", ls="none", label="start"))
        keys += landmark_keys(problems)
    if velocity is not None:
        keys += [
            Line2D([], [], color="0.55", lw=0.9, label="gradient"),
            Line2D([], [], color=velocity, lw=2.0, label="velocity"),
        ]
    if coordinates:
        keys += [Line2D([], [], color="0.4", ls=ls, label=name) for ls, name in (("-", "x₁"), ("--", "x₂"))]
    return keys


def _names(optimizer, nesterov_too=False) -> list[str]:
    """The names the legend gives an optimizer's styles: its class, and Nesterov's when it can be chosen."""
    name = type(optimizer).__name__
    if not isinstance(optimizer, Momentum):
        return [name]
    if nesterov_too:
        return [name, "Nesterov"]
    return ["Nesterov" if optimizer.nesterov else name]


class TrajectoryExplorer(InteractiveFigure):
    """An optimizer on a problem, with sliders for some hyperparameters.

    Parameters
    ----------
    problem : Problem
        1-D or 2-D.
    optimizer : Optimizer
        The starting setting; the sliders change its hyperparameters.
    sliders : sequence of str
        Hyperparameters to put on sliders or checkboxes, e.g. ``("lr", "beta", "nesterov")``.
    steps : int
        Steps per run.
    panels : sequence of {"path", "loss", "effective_lr"}
        What to draw, left to right.
    ranges : dict of name -> (low, high), optional
        Narrower slider ranges than the optimizer class declares.
    x0 : array_like, optional
        Start (default ``problem.x0``).
    """

    PANELS = ("path", "loss", "effective_lr", "velocity")
    says_setting = True

    def __init__(
        self,
        problem: Problem,
        optimizer: Optimizer,
        *,
        sliders=("lr",),
        steps: int = 60,
        panels=("path", "loss"),
        ranges=None,
        x0=None,
        name=None,
    ):
        unknown = [p for p in panels if p not in self.PANELS]
        if unknown:
            raise ValueError(
                f"TrajectoryExplorer: unknown panels {unknown}; choose from {list(self.PANELS)}."
            )
        self.problem, self.optimizer, self.steps, self.panels, self.x0 = problem, optimizer, steps, panels, x0
        ranges = ranges or {}
        controls = {
            s: control_for(optimizer, s, **dict(zip(("low", "high"), ranges.get(s, ()), strict=False)))
            for s in sliders
        }
        super().__init__(name or f"{type(optimizer).__name__} on {problem.name}", controls)

    def setup(self):
        self.axes = _panel_row(self.figure, self.panels, self.problem)
        titles = {"loss": "loss above the minimum", "effective_lr": "effective lr per coordinate"}
        for panel, ax in self.axes.items():
            if panel == "path":
                plot_contours(ax, self.problem)
            elif panel == "velocity":
                ax.set_xlim(0, self.steps)
                ax.set_xlabel("step")
                ax.set_ylabel("gradient and velocity")
                ax.set_title("gradient (grey) and velocity", fontsize=10)
            else:
                ax.set_xlim(0, self.steps)
                ax.set_yscale("log")
                ax.set_xlabel("step")
                ax.set_ylabel("f(x) − f*" if panel == "loss" else "effective learning rate")
                ax.set_title(titles[panel], fontsize=10)
        names = _names(self.optimizer, nesterov_too="nesterov" in self.controls)
        self.legend_handles = _legend_keys(
            names,
            [self.problem] if "path" in self.axes else [],
            coordinates="effective_lr" in self.axes or "velocity" in self.axes,
            velocity=style_of(self.optimizer)["color"] if "velocity" in self.axes else None,
        )

    def update(self, **values) -> str:
        optimizer = self.optimizer.replace(**values)
        keep = "effective_lr" in self.axes or "velocity" in self.axes
        trajectory = run(optimizer, self.problem, self.steps, self.x0, keep_states=keep)
        self.say_setting(optimizer.label())
        for panel, ax in self.axes.items():
            n_lines, n_texts = len(ax.lines), len(ax.texts)
            try:
                if panel == "path":
                    plot_path(ax, trajectory)
                elif panel == "loss":
                    plot_loss(ax, trajectory)
                elif panel == "velocity":
                    plot_velocity(ax, trajectory)
                else:
                    plot_effective_lr(ax, trajectory)
            finally:  # even a panel that fails half-way must not leave lines behind for good
                self.track(ax, n_lines, n_texts)
            if panel != "path":
                self._fit_y(ax, ax.lines[n_lines:])
        return trajectory.message


class RaceExplorer(InteractiveFigure):
    """Several optimizers on one problem, side by side, each with sliders for its own hyperparameters.

    Parameters
    ----------
    problem : Problem
        1-D or 2-D for the "path" panel; any for "loss" and "effective_lr".
    optimizers : sequence of Optimizer
        The starting settings. Each keeps its colour and marker (:func:`lessons_lib.plots.style_of`).
    sliders : sequence of tuples of str
        Parallel to ``optimizers``: the hyperparameters of each to put on sliders, e.g.
        ``[("lr",), ("lr", "beta")]``.
    steps : int
    panels : sequence of {"path", "loss", "effective_lr"}
    x0 : array_like, optional
    """

    PANELS = ("path", "loss", "effective_lr")
    says_setting = True

    def __init__(self, problem, optimizers, *, sliders, steps: int = 60, panels=("path", "loss"), x0=None):
        optimizers = list(optimizers)
        sliders = [tuple(s) for s in sliders]
        if len(sliders) != len(optimizers):
            raise ValueError(
                f"RaceExplorer: give one tuple of slider names per optimizer: {len(optimizers)} optimizers, "
                f"{len(sliders)} tuples."
            )
        unknown = [p for p in panels if p not in self.PANELS]
        if unknown:
            raise ValueError(f"RaceExplorer: unknown panels {unknown}; choose from {list(self.PANELS)}.")
        self.problem, self.optimizers, self.steps, self.panels, self.x0 = (
            problem,
            optimizers,
            steps,
            panels,
            x0,
        )
        self.sliders = sliders
        controls = {}
        for i, (optimizer, names) in enumerate(zip(optimizers, sliders, strict=True)):
            for name in names:
                controls[f"{i}:{name}"] = control_for(
                    optimizer, name, description=f"{type(optimizer).__name__} {symbol(name)}"
                )
        names = " vs ".join(type(o).__name__ for o in optimizers)
        super().__init__(f"{names} on {problem.name}", controls, figsize=(9.5, 3.8))

    def setup(self):
        self.axes = _panel_row(self.figure, self.panels, self.problem)
        titles = {"loss": "loss above the minimum", "effective_lr": "effective lr per coordinate"}
        for panel, ax in self.axes.items():
            if panel == "path":
                plot_contours(ax, self.problem)
                continue
            ax.set_xlim(0, self.steps)
            ax.set_yscale("log")
            ax.set_xlabel("step")
            ax.set_ylabel("f(x) − f*" if panel == "loss" else "effective learning rate")
            ax.set_title(titles[panel], fontsize=10)
        names = []
        for optimizer, sliders in zip(self.optimizers, self.sliders, strict=True):
            names += [n for n in _names(optimizer, "nesterov" in sliders) if n not in names]
        self.legend_handles = _legend_keys(
            names, [self.problem] if "path" in self.axes else [], coordinates="effective_lr" in self.axes
        )

    def update(self, **values) -> str:
        keep = "effective_lr" in self.axes
        trajectories = []
        for i, (optimizer, names) in enumerate(zip(self.optimizers, self.sliders, strict=True)):
            chosen = optimizer.replace(**{name: values[f"{i}:{name}"] for name in names})
            trajectories.append(run(chosen, self.problem, self.steps, self.x0, keep_states=keep))
        self.say_setting("    ".join(t.optimizer.label() for t in trajectories))
        for panel, ax in self.axes.items():
            n_lines, n_texts = len(ax.lines), len(ax.texts)
            try:
                for trajectory in trajectories:
                    if panel == "path":
                        plot_path(ax, trajectory)
                    elif panel == "loss":
                        plot_loss(ax, trajectory)
                    else:
                        plot_effective_lr(ax, trajectory)
            finally:
                self.track(ax, n_lines, n_texts)
            if panel != "path":
                self._fit_y(ax, ax.lines[n_lines:])
        return " ".join(t.message for t in trajectories if t.message)


class RateMapExplorer(InteractiveFigure):
    """Momentum's (lr, beta) speed map for a quadratic problem, with the chosen setting and its run.

    Left: :func:`lessons_lib.plots.plot_rate_map` for the problem's curvatures with the chosen point; right:
    the path of ``Momentum(lr, beta)`` on the problem. Sliders move lr (log scale) and beta.

    Parameters
    ----------
    problem : Problem
        A 2-D problem; its curvatures are the eigenvalues of its Hessian at the minimiser.
    lr, beta : float
        The starting setting.
    averaged, nesterov : bool
        The momentum form (see :class:`lessons_lib.Momentum`).
    steps : int
        Steps of the run on the right.
    lr_range : (low, high), optional
        The lr axis of the map and slider; default from ``0.01 / L`` to past the stability edge.
    """

    def __init__(self, problem, *, lr, beta, averaged=False, nesterov=False, steps=80, lr_range=None):
        self.problem, self.steps = problem, steps
        self.momentum = Momentum(lr=lr, beta=beta, averaged=averaged, nesterov=nesterov)
        self.curvatures = np.linalg.eigvalsh(problem.hessian(problem.minimizer))
        L = float(self.curvatures.max())
        top = 4 / L if not averaged else 400 / L
        self.lr_range = lr_range or (0.01 / L, top)
        controls = {
            "lr": control_for(self.momentum, "lr", low=self.lr_range[0], high=self.lr_range[1]),
            "beta": control_for(self.momentum, "beta"),
        }
        super().__init__(f"rate map on {problem.name}", controls, figsize=(9.5, 3.8))

    def setup(self):
        self.map_ax, self.path_ax = self.figure.subplots(1, 2)
        m = self.momentum
        lrs = np.geomspace(*self.lr_range, 160)
        betas = np.linspace(0.0, 0.99, 100)
        plot_rate_map(
            self.map_ax, self.curvatures, lrs=lrs, betas=betas, averaged=m.averaged, nesterov=m.nesterov
        )
        plot_contours(self.path_ax, self.problem)
        chosen = Line2D(
            [], [], marker="o", ms=8, mfc="none", mec="0.3", mew=2, ls="none", label="chosen (lr, β)"
        )
        self.legend_handles = [
            *_legend_keys(_names(m), [self.problem]),
            *self.map_ax.get_legend_handles_labels()[0],
            chosen,
        ]

    def update(self, lr, beta) -> str:
        from ..theory import momentum_rate

        optimizer = self.momentum.replace(lr=lr, beta=beta)
        trajectory = run(optimizer, self.problem, self.steps)
        rate = float(
            momentum_rate(lr, beta, self.curvatures, averaged=optimizer.averaged, nesterov=optimizer.nesterov)
        )
        ax, n_lines, n_texts = self.map_ax, len(self.map_ax.lines), len(self.map_ax.texts)
        # Not clipped: at an end of a slider the circle sits on the map's edge, and must show whole.
        ax.plot(lr, beta, marker="o", ms=10, mfc="none", mec="white", mew=2.2, ls="none", clip_on=False)
        speed = f"{np.log(10) / -np.log(rate):.0f} steps per digit" if rate < 1 else "does not converge"
        ax.text(
            0.03,
            0.04,
            f"rate {rate:.3f} per step: {speed}",
            transform=ax.transAxes,
            fontsize=9,
            color="black",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"},
        )
        self.track(ax, n_lines, n_texts)
        ax, n_lines, n_texts = self.path_ax, len(self.path_ax.lines), len(self.path_ax.texts)
        try:
            plot_path(ax, trajectory)
        finally:
            self.track(ax, n_lines, n_texts)
        return trajectory.message


class EWAExplorer(InteractiveFigure):
    """A series and its exponentially weighted average, with a beta slider and a bias-correction toggle.

    The window ``1 / (1 - beta)`` and the half-life ``ln 2 / ln(1 / beta)`` of the current beta are written
    on the figure.

    Parameters
    ----------
    values : array_like, shape (T,)
        The series.
    beta : float in [0, 0.995]
    bias_correction : bool
    x : array_like, optional
        What to plot the series against (default 1 .. T), for example dates.
    label : str
        The series' name, for the legend and the y axis.
    title : str, optional
    """

    def __init__(self, values, *, beta=0.9, bias_correction=False, x=None, label="data", title=None):
        self.series = np.asarray(values, dtype=float)
        if self.series.ndim != 1 or len(self.series) < 2:
            raise ValueError(
                f"EWAExplorer: values must be a series of at least 2 numbers, got shape {self.series.shape}."
            )
        self.x = np.arange(1, len(self.series) + 1) if x is None else np.asarray(x)
        self.label, self.title = label, title or f"exponentially weighted average of {label}"
        style = {"description_width": "initial"}
        controls = {
            "beta": widgets.FloatSlider(
                value=float(beta),
                min=0.0,
                max=0.995,
                step=0.005,
                description="β",
                readout_format=".3f",
                style=style,
            ),
            "bias_correction": widgets.Checkbox(
                value=bool(bias_correction), description="bias correction", indent=False, style=style
            ),
        }
        super().__init__(f"EWA of {label}", controls, figsize=(9.5, 3.4))

    def setup(self):
        self.ax = self.figure.subplots()
        self.ax.plot(self.x, self.series, color="0.65", lw=0.8, label=self.label)
        average = Line2D([], [], color=OKABE_ITO["blue"], lw=1.8, label="exponentially weighted average")
        self.legend_handles = [self.ax.lines[0], average]
        self.ax.set_xlabel("t" if self.x.dtype.kind in "iuf" else "date")
        self.ax.set_ylabel(self.label)
        self.ax.set_title(self.title, fontsize=10)
        low, high = np.nanmin(self.series), np.nanmax(self.series)
        pad = 0.05 * (high - low)
        self.ax.set_ylim(min(low - pad, 0.0 if low > 0 and low < 0.2 * high else low - pad), high + pad)

    def update(self, beta, bias_correction) -> str:
        ax, n_lines, n_texts = self.ax, len(self.ax.lines), len(self.ax.texts)
        try:
            average = ewa(self.series, beta, bias_correction)
            ax.plot(self.x, average, color=OKABE_ITO["blue"], lw=1.8, label="EWA")
            setting = f"β = {beta:.3f}" + (", bias-corrected" if bias_correction else "")
            facts = f"{setting}\nwindow ≈ 1/(1−β) = {window(beta):.1f} steps    half-life = ln 2 / ln(1/β) = "
            ax.text(
                0.02,
                0.95,
                facts + f"{half_life(beta):.1f} steps",
                transform=ax.transAxes,
                va="top",
                fontsize=9,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"},
            )
        finally:
            self.track(ax, n_lines, n_texts)
        return ""


class TestbedRace(InteractiveFigure):
    """Pick a problem of the testbed, tune each optimizer's learning rate, and watch them race.

    A drop-down chooses the problem; each optimizer has a "show" checkbox and a learning-rate slider. Left,
    the paths from the problem's default start over its landscape (a 1-D problem: along its curve); right,
    the loss above the minimum. Each optimizer keeps its colour and marker
    (:func:`lessons_lib.plots.style_of`).

    Switching problems is cheap: each problem gets its own path panel, drawn once and then shown or hidden,
    and the rendered static part of the figure is cached per problem (and loss-axis limits), so switching
    back pastes it instead of drawing the contours again. Runs are cached too, so moving one slider runs one
    optimizer, not all of them.

    Parameters
    ----------
    optimizers : sequence of Optimizer, optional
        The settings to race; the sliders change their ``lr``. Default: gradient descent, momentum (β = 0.9),
        Adagrad, RMSProp and Adam, one of each (named by class, so two of one class are not allowed).
    problems : dict of str to Problem, optional
        Default :func:`lessons_lib.testbed`; every problem must be 1-D or 2-D.
    problem : str, optional
        The problem shown first (default: the first).
    steps : int
        Steps of every run.
    lrs : dict of problem name -> dict of optimizer name -> float, optional
        Learning rates to set when a problem is chosen, for example each optimizer's best from a race
        (:meth:`lessons_lib.races.Race.best_lrs`). Problems and optimizers left out keep the sliders' values.
        A slider's range (the optimizer class's) widens to take in every learning rate given for it.
    """

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, optimizers=None, *, problems=None, problem=None, steps: int = 100, lrs=None):
        from ..optimizers import Adagrad, Adam, GradientDescent, RMSProp
        from ..problems import testbed

        if optimizers is None:
            optimizers = [
                GradientDescent(lr=0.1),
                Momentum(lr=0.1, beta=0.9),
                Adagrad(lr=1.0),
                RMSProp(lr=0.01),
                Adam(lr=0.1),
            ]
        self.problems = dict(testbed() if problems is None else problems)
        self.optimizers = {}
        for optimizer in optimizers:
            if not isinstance(optimizer, Optimizer):
                raise TypeError(f"TestbedRace: optimizers must be lessons_lib optimizers, got {optimizer!r}.")
            name = type(optimizer).__name__
            if name in self.optimizers:
                raise ValueError(
                    f"TestbedRace: two optimizers are both {name}; each optimizer gets one slider, named by "
                    "its class, so race one setting per class."
                )
            self.optimizers[name] = optimizer
        if not self.problems or not self.optimizers:
            raise ValueError("TestbedRace: give at least one problem and one optimizer.")
        for name, p in self.problems.items():
            if not isinstance(p, Problem) or p.dim not in (1, 2):
                what = f"{p.dim} coordinates" if isinstance(p, Problem) else type(p).__name__
                raise ValueError(f"TestbedRace: problem {name!r} must be a 1-D or 2-D Problem, got {what}.")
        problem = next(iter(self.problems)) if problem is None else problem
        if problem not in self.problems:
            raise ValueError(f"TestbedRace: no problem {problem!r}; choose from {', '.join(self.problems)}.")
        self.steps = check_count("TestbedRace", "steps", steps, 1)
        self.lrs = {p: dict(v) for p, v in (lrs or {}).items()}
        unknown = [
            (p, o)
            for p, v in self.lrs.items()
            for o in v
            if p not in self.problems or o not in self.optimizers
        ]
        if unknown:
            raise ValueError(
                f"TestbedRace: lrs names unknown problems or optimizers: {unknown}; problems: "
                f"{', '.join(self.problems)}; optimizers: {', '.join(self.optimizers)}."
            )
        for p, v in self.lrs.items():
            for o, lr in v.items():
                if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)) or not 0 < lr < np.inf:
                    raise ValueError(
                        f"TestbedRace: the lr of {o} on {p!r} must be a positive, finite number, got {lr!r}."
                    )
        self._shown = None  # the problem whose path panel is visible
        self._path_axes: dict = {}
        self._runs: dict = {}  # (problem, optimizer name, lr) -> Trajectory
        self._backgrounds: dict = {}  # (problem, loss y-limits) -> rendered static part
        self._quiet = False  # True while the widget itself moves the sliders
        style = {"description_width": "initial"}
        controls = {
            "problem": widgets.Dropdown(
                options=list(self.problems), value=problem, description="problem", style=style
            )
        }
        for name, optimizer in self.optimizers.items():
            controls[f"{name}:show"] = widgets.Checkbox(
                value=True, description=name, indent=False, style=style
            )
            given = [v[name] for v in self.lrs.values() if name in v]  # the slider must reach every one
            r = optimizer.ranges["lr"]
            low, high = min([r.low, *given]), max([r.high, *given])
            controls[f"{name}:lr"] = control_for(optimizer, "lr", low=low, high=high, description="lr")
        self._set_lrs(problem, controls)
        super().__init__(f"race on the testbed ({', '.join(self.optimizers)})", controls, figsize=(9.5, 3.9))
        rows = [
            widgets.HBox([self.controls[f"{name}:show"], self.controls[f"{name}:lr"]])
            for name in self.optimizers
        ]
        half = (len(rows) + 1) // 2
        self.widget = widgets.VBox(
            [
                self.controls["problem"],
                widgets.HBox([widgets.VBox(rows[:half]), widgets.VBox(rows[half:])]),
                self.status,
                self.image,
            ]
        )

    # -- the controls -------------------------------------------------------------------------------------

    def _set_lrs(self, problem, controls=None):
        """Move the sliders to the learning rates given for ``problem``, without a redraw per slider."""
        controls = self.controls if controls is None else controls
        self._quiet = True
        try:
            for name, lr in self.lrs.get(problem, {}).items():
                controls[f"{name}:lr"].value = float(lr)
        finally:
            self._quiet = False

    def _on_change(self, change):
        if self._quiet:
            return
        if change["owner"] is self.controls["problem"]:
            self._set_lrs(change["new"])
        self.redraw()

    # -- drawing ------------------------------------------------------------------------------------------
    #
    # The lines are made once (per optimizer, and per problem for the paths) and only get new data: making a
    # matplotlib line, or adding it to an axes, costs more than drawing it. They stay on their axes between
    # redraws (see _render); update() lists the ones to draw, and puts back any that were removed.

    def setup(self):
        self._grid = self.figure.add_gridspec(1, 2)
        self.loss_ax = ax = self.figure.add_subplot(self._grid[0, 1])
        ax.set_xlim(0, self.steps)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("f(x) − f*")
        ax.set_title("loss above the minimum", fontsize=10)
        # Room for the most entries any problem needs; the legend shown names the problem's own landmarks.
        self.legend_handles = _legend_keys(self.optimizers, list(self.problems.values()))
        self._legend_for = None  # (problem, ticked optimizers) the legend was drawn for
        self._loss_lines = {name: self._lines_for(ax, o) for name, o in self.optimizers.items()}
        self._path_lines: dict = {}
        self._show_problem(self.controls["problem"].value)

    @staticmethod
    def _lines_for(ax, optimizer):
        """A line in the optimizer's style and a cross for where it diverged; not yet on any axes."""
        s = style_of(optimizer)
        line = Line2D([], [], color=s["color"], marker=s["marker"], ms=4, lw=1.3, zorder=3, animated=True)
        cross = Line2D([], [], color=s["color"], marker="X", ms=11, mec="white", ls="none", zorder=6)
        cross.set_animated(True)
        cross.set_clip_on(False)  # it may sit on the panel's edge, and must show whole
        return line, cross

    def _show_problem(self, name):
        """Make ``name``'s path panel the visible one (drawing its landscape the first time)."""
        if name == self._shown:
            return
        if name not in self._path_axes:
            ax = self.figure.add_subplot(self._grid[0, 0])
            p = self.problems[name]
            plot_contours(ax, p)
            ax.set_title("", loc="left")  # the race's short name instead of the problem's full one
            ax.set_title(name, fontsize=10)
            start = (p.x0[0], float(p.f(p.x0))) if p.dim == 1 else (p.x0[0], p.x0[1])
            ax.plot(*start, marker="o", ms=7, color="0.2", mfc="white", ls="none", zorder=4)  # every run's
            self._path_axes[name] = ax
            self._path_lines[name] = {n: self._lines_for(ax, o) for n, o in self.optimizers.items()}
        for other, ax in self._path_axes.items():
            ax.set_visible(other == name)
        self._shown = name
        self._background = None  # the static part changed; a cached one may be pasted (see _render)

    def _run(self, problem, name, lr):
        key = (problem, name, lr)
        if key not in self._runs:
            if len(self._runs) > 200:  # keep the cache small: forget the oldest runs
                for old in list(self._runs)[:100]:
                    del self._runs[old]
            optimizer = self.optimizers[name].replace(lr=lr)
            self._runs[key] = run(optimizer, self.problems[problem], self.steps)
        return self._runs[key]

    def _place(self, ax, artist):
        if artist.axes is None:  # removed by the base class at the start of this redraw
            ax.add_line(artist)
        self._dynamic.append(artist)

    def update(self, **values) -> str:
        name = values["problem"]
        self._show_problem(name)
        p = self.problems[name]
        path_ax, loss_ax = self._path_axes[name], self.loss_ax
        shown = [o for o in self.optimizers if values[f"{o}:show"]]
        if (name, tuple(shown)) != self._legend_for:  # the ticked optimizers, the problem's landmarks
            keys = _legend_keys(shown, [p])
            self.replace_legend(keys, ncols=min(len(self.legend_handles), 6))  # as many columns as at first
            self._legend_for = (name, tuple(shown))  # (cached backgrounds are kept per legend: see _render)
        messages, loss_lines = [], []
        for o in shown:
            t = self._run(name, o, float(values[f"{o}:lr"]))
            if t.message:
                messages.append(t.message)
            xy = path_xy(p, t.points)  # as plot_path draws it
            line, cross = self._path_lines[name][o]
            line.set_data(*xy)
            line.set_markevery(max(1, len(xy[0]) // 40))
            self._place(path_ax, line)
            gaps = t.gaps
            loss_line, loss_cross = self._loss_lines[o]
            loss_line.set_data(np.arange(len(gaps)), gaps)
            loss_line.set_markevery(max(1, len(gaps) // 12))
            self._place(loss_ax, loss_line)
            loss_lines.append(loss_line)
            if t.diverged:  # a cross where the path leaves the picture and where the loss ends
                x_end, y_end = divergence_mark(p, xy[0][-1], xy[1][-1], path_ax.get_ylim())
                cross.set_data([x_end], [y_end])
                self._place(path_ax, cross)
                finite = np.flatnonzero(np.isfinite(gaps))
                last = int(finite[-1]) if finite.size else 0
                loss_cross.set_data([last], [gaps[last]])
                self._place(loss_ax, loss_cross)
        self._fit_y(loss_ax, loss_lines)  # new limits: a cached background for them, or the panel rendered
        if not shown:
            return "No optimizer is shown: tick one to race."
        return " ".join(messages)

    def invalidate(self):
        """The static part changed: forget every cached background; the next redraw renders from scratch."""
        super().invalidate()
        self._backgrounds.clear()

    def _render(self) -> bytes:
        key = (self.loss_ax.get_ylim(), self._legend_for)  # the problem shown, and the ticked optimizers
        cached = self._backgrounds.get(key)
        if cached is not None and cached[0] is not self._background:  # rendered before: paste it as it is
            self._background, self._boxes = cached  # with where its pieces are, for the next partial render
            self._stale, self._old_legends = set(), None
        png = super()._render()
        self._backgrounds[key] = (self._background, dict(self._boxes))
        # The lines stay on their axes (animated, so only draw_artist draws them): nothing for the next
        # redraw to remove, and update() need not add them again. Lines not drawn next time stay unseen.
        self._dynamic = []
        return png
