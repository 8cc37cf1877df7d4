"""The learning-rate schedule widget: runs computed beforehand, one per optimizer, schedule, learning rate and
seed, shown one setting at a time beside the same learning rate held constant."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..plots import plot_seed_spread, status_above, style_of
from ..races import ScheduleRuns
from ._base import InteractiveFigure

#: The colour of the constant learning rate every schedule is drawn against (dark grey: a mid grey is close
#: to reddish purple and bluish green for colour-blind readers).
REFERENCE = "0.35"


class ScheduleExplorer(InteractiveFigure):
    """Choose an optimizer, a learning-rate schedule and a learning rate; see the schedule and the loss.

    Every run was computed beforehand (a notebook runs the sweeps once), so a redraw only draws stored
    arrays. Left, the learning rate of every step (``lr`` times the schedule's multiplier), with the constant
    ``lr`` in dashed grey; right, the full-batch training loss against the epoch: the median over the seeds,
    its 10–90 % band, and the same optimizer and ``lr`` under the constant schedule in dashed grey. Each
    optimizer keeps its colour and marker (:func:`lessons_lib.plots.style_of`). The status line gives the
    final losses and how many seeds diverged; a seed that diverged counts as infinitely far off from then on
    (:class:`lessons_lib.races.ScheduleRuns`), and a setting whose seeds all diverged draws no line.

    The y limits hold every setting of the chosen optimizer, so moving the learning rate or the schedule
    moves the lines, not the axes. Choosing another optimizer gives the learning-rate slider that optimizer's
    grid, at the same place in it (the same index, scaled when the grids differ in length), with one redraw.

    Parameters
    ----------
    sweeps : dict of (optimizer name, schedule name) -> Sweep
        One per pair, from ``sweep(opt, problem, steps, x0_seeds, grid={"lr": lrs}, every=steps_per_epoch,
        keep_points=False, schedule=schedules[name])``: one grid of learning rates per optimizer, the same
        steps and starts (one row of ``x0`` per seed) for all. Optimizer names are those
        :func:`lessons_lib.plots.style_of` knows ("Momentum", "Adam", ...).
    schedules : dict of schedule name -> array of shape (steps,) or None
        The multipliers the sweeps ran with; None (or ones) for the constant learning rate, which must be one
        of them.
    steps_per_epoch : int
    optimizer, schedule : str, optional
        The setting shown first (default: the first optimizer and the first schedule that is not constant).
    lr : float, optional
        One of that optimizer's learning rates (default: its best under that schedule, the lowest mean final
        loss, as :meth:`lessons_lib.races.ScheduleRuns.best_lr_index` picks it).
    """

    says_setting = True

    def __init__(self, sweeps, schedules, *, steps_per_epoch, optimizer=None, schedule=None, lr=None):
        runs = ScheduleRuns(sweeps, schedules, steps_per_epoch=steps_per_epoch, owner="ScheduleExplorer")
        self.runs = runs
        optimizer = runs.optimizers[0] if optimizer is None else optimizer
        if optimizer not in runs.optimizers:
            raise ValueError(
                f"ScheduleExplorer: no optimizer {optimizer!r}; the sweeps ran {', '.join(runs.optimizers)}."
            )
        if schedule is None:
            schedule = next((s for s in runs.schedule_names if s != runs.constant), runs.constant)
        if schedule not in runs.schedule_names:
            raise ValueError(
                f"ScheduleExplorer: no schedule {schedule!r}; choose from "
                f"{', '.join(map(repr, runs.schedule_names))}."
            )
        grid = runs.grid(optimizer)
        if lr is None:
            best = runs.best_lr_index(optimizer, schedule)
            index = (len(grid) - 1) // 2 if best is None else best
        else:
            number = isinstance(lr, (int, float, np.number)) and not isinstance(lr, (bool, np.bool_))
            close = np.flatnonzero(np.isclose(grid, lr, rtol=1e-9, atol=0)) if number else []
            if len(close) == 0:
                raise ValueError(
                    f"ScheduleExplorer: lr must be one of the learning rates {optimizer} ran, "
                    f"{', '.join(runs.lr_labels(optimizer))}; got {lr!r}."
                )
            index = int(close[0])
        self._first = optimizer  # the legend that setup() makes is this one's
        self._shown = None  # the optimizer whose y limits and legend are drawn
        self._backgrounds: dict = {}  # optimizer -> its rendered static part (limits, legend), and pieces
        self._quiet = False  # True while the widget itself sets the learning-rate slider
        style = {"description_width": "initial"}
        controls = {
            "optimizer": widgets.ToggleButtons(
                options=list(runs.optimizers),
                value=optimizer,
                description="optimizer",
                style={**style, "button_width": "auto"},
            ),
            "schedule": widgets.Dropdown(
                options=list(runs.schedule_names), value=schedule, description="schedule", style=style
            ),
            "lr": widgets.SelectionSlider(
                options=self._lr_options(optimizer),
                value=float(grid[index]),
                description="learning rate",
                continuous_update=True,
                style=style,
                layout=widgets.Layout(width="360px"),
            ),
        }
        super().__init__(f"learning-rate schedules ({', '.join(runs.optimizers)})", controls)
        self._render_backgrounds()
        # a row of one button would offer no choice: the title and the status name the one optimizer
        choice = [self.controls["optimizer"]] if len(runs.optimizers) > 1 else []
        self.widget = widgets.VBox(
            [*choice, widgets.HBox([self.controls["schedule"], self.controls["lr"]]), self.status, self.image]
        )

    # -- the controls -------------------------------------------------------------------------------------

    def _lr_options(self, optimizer) -> list:
        """The slider's options for ``optimizer``: its grid, written as the status line writes it."""
        runs = self.runs
        return list(zip(runs.lr_labels(optimizer), runs.grid(optimizer).tolist(), strict=True))

    def _set_grid(self, old, new):
        """Give the lr slider ``new``'s grid, at the place it had in ``old``'s, without a redraw."""
        slider = self.controls["lr"]
        before, after = len(self.runs.grid(old)), len(self.runs.grid(new))
        index = round(slider.index * (after - 1) / (before - 1)) if before > 1 else 0
        self._quiet = True
        try:
            slider.options = self._lr_options(new)  # moves the slider to the first option
            slider.index = min(index, after - 1)
        finally:
            self._quiet = False

    def _on_change(self, change):
        if self._quiet:
            return
        if change["owner"] is self.controls["optimizer"]:
            self._set_grid(change["old"], change["new"])
        self.redraw()

    def warns(self, message: str) -> bool:
        """The status line always gives the losses; it warns only when seeds diverged."""
        return "diverged" in message or message.startswith("Cannot draw")

    # -- drawing ------------------------------------------------------------------------------------------

    def _legend_keys(self, optimizer) -> list:
        s = style_of(optimizer)
        return [
            Line2D(
                [], [], color=s["color"], marker=s["marker"], ms=5, label=f"{optimizer}, median of the seeds"
            ),
            Patch(color=s["color"], alpha=0.2, lw=0, label=f"10–90 % of {self.runs.seeds} seeds"),
            Line2D([], [], color=REFERENCE, ls="--", label="the same lr, constant"),
        ]

    def setup(self):
        runs = self.runs
        self.lr_ax, self.loss_ax = self.figure.subplots(1, 2)
        self.lr_ax.set(xlim=(0, runs.steps), yscale="log", xlabel="step", ylabel="learning rate")
        self.lr_ax.set_title("learning rate per step", loc="left", fontsize=10)
        self.loss_ax.set(xlim=(0, runs.epochs[-1]), yscale="log", xlabel="epoch", ylabel="training loss")
        self.loss_ax.set_title("full-batch training loss", loc="left", fontsize=10)
        self.loss_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.legend_handles = self._legend_keys(self._first)

    def _show(self, optimizer):
        """Fit the panels' y limits to every setting of ``optimizer``, and name it in the legend."""
        if optimizer == self._shown:
            return
        limits = self.runs.limits(optimizer)
        self.set_ylim(self.lr_ax, *limits["lr"])
        self.set_ylim(self.loss_ax, *limits["loss"])
        if optimizer != (self._shown or self._first):
            self.replace_legend(self._legend_keys(optimizer), ncols=3)
        self._shown = optimizer

    def update(self, optimizer, schedule, lr) -> str:
        runs = self.runs
        grid = runs.grid(optimizer)
        index = int(np.argmin(np.abs(np.log(grid) - np.log(lr))))
        lr, label = float(grid[index]), runs.lr_labels(optimizer)[index]
        self._show(optimizer)
        s = style_of(optimizer)
        constant = schedule == runs.constant
        ax, n_lines, n_texts = self.lr_ax, len(self.lr_ax.lines), len(self.lr_ax.texts)
        try:
            if not constant:
                x, y = runs.lr_curve(runs.constant, lr)
                ax.plot(x, y, drawstyle="steps-post", color=REFERENCE, ls="--", lw=1.0, label="constant lr")
            x, y = runs.lr_curve(schedule, lr)
            every = max(runs.steps_per_epoch, runs.steps // 12)
            style = {"color": s["color"], "marker": s["marker"], "ms": 4, "lw": 1.6, "label": schedule}
            ax.plot(x, y, drawstyle="steps-post", markevery=every, **style)
        finally:
            self.track(ax, n_lines, n_texts)
        ax = self.loss_ax
        counts = len(ax.lines), len(ax.texts), len(ax.collections)
        diverged, first = runs.diverged(optimizer, schedule, index)
        try:
            if not constant and runs.diverged(optimizer, runs.constant, index)[0] < runs.seeds:
                reference = runs.spread(optimizer, runs.constant)[:, :, index]
                plot_seed_spread(
                    ax,
                    runs.epochs,
                    reference,
                    color=REFERENCE,
                    ls="--",
                    lw=1.3,
                    band=False,
                    label="constant lr",
                )
            if diverged < runs.seeds:
                spread = runs.spread(optimizer, schedule)[:, :, index]
                plot_seed_spread(
                    ax, runs.epochs, spread, color=s["color"], marker=s["marker"], label=schedule
                )
            if diverged:
                note = "all" if diverged == runs.seeds else f"{diverged} of"
                status_above(ax, f"{note} {runs.seeds} seeds diverged", color=s["color"], fontsize=9)
        finally:
            self.track(ax, *counts)
        self.say_setting(f"{optimizer}, {schedule} schedule, lr = {label}")
        return self._status(optimizer, schedule, index, label, diverged, first)

    def invalidate(self):
        """The static part changed: forget every cached background; the next redraw renders from scratch."""
        super().invalidate()
        self._backgrounds.clear()

    def _render_backgrounds(self):
        """Render the static part of every optimizer's panels now, so that choosing one only pastes it."""
        shown, canvas = self._shown, self.figure.canvas
        if shown is None:  # the first redraw failed (its status says why): render them when chosen
            return
        for optimizer in self.runs.optimizers:
            if optimizer not in self._backgrounds:
                self._show(optimizer)
                self._render_all()  # the static part only: the lines drawn are animated
                self._background = canvas.copy_from_bbox(self.figure.bbox)
                self._backgrounds[optimizer] = (self._background, dict(self._boxes))
        self._show(shown)  # its background is pasted at the next redraw
        self._background, self._boxes = self._backgrounds[shown]
        self._stale, self._old_legends = set(), None

    def _render(self) -> bytes:
        # The static part depends on the optimizer alone (its y limits and legend): rendered once for each,
        # then pasted when it is chosen again, as TestbedRace does per problem.
        cached = self._backgrounds.get(self._shown)
        if cached is not None and cached[0] is not self._background:
            self._background, self._boxes = cached
            self._stale, self._old_legends = set(), None
        png = super()._render()
        self._backgrounds[self._shown] = (self._background, dict(self._boxes))
        return png

    def _status(self, optimizer, schedule, index, label, diverged, first) -> str:
        """One line: the final losses against the constant learning rate's, and the seeds that diverged."""
        runs, seeds = self.runs, self.runs.seeds
        head = f"{optimizer}, {schedule}, lr = {label}: "
        how_many = f"{diverged} of {seeds} seeds diverged (the first at epoch {first})"
        if diverged == seeds:
            return head + f"all {seeds} seeds diverged (the first at epoch {first}), so no line is drawn"
        low, mid, high = runs.spread(optimizer, schedule)[:, -1, index]
        if np.isfinite(mid):
            top = f"–{high:#.3g}" if np.isfinite(high) else ", 90 %: diverged"
            spread = f"10–90 %: {low:#.3g}{top}" if np.isfinite(high) else f"10 %: {low:#.3g}{top}"
            text = f"final loss {mid:#.3g} ({spread})"
        elif diverged:
            text = f"{how_many}, and the median with them"
        else:  # not reached by a sweep's runs, whose losses are finite until they diverge
            text = "the final loss is not a finite number"
        if schedule != runs.constant:
            reference = runs.spread(optimizer, runs.constant)[1, -1, index]
            if np.isfinite(reference):
                text += f" against {reference:#.3g} at a constant lr"
            else:
                lost = runs.diverged(optimizer, runs.constant, index)[0]
                text += f" against a constant lr, where {'all' if lost == seeds else 'most'} seeds diverged"
        if diverged and np.isfinite(mid):
            text += f"; {how_many}"
        return head + text
