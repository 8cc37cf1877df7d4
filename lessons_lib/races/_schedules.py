"""Learning-rate schedules compared: one sweep per optimizer and schedule, checked to fit together.

A lesson that compares schedules runs, for each optimizer and each schedule, one sweep over that optimizer's
learning-rate grid, from the same starts (one row of ``x0`` per seed) for the same steps::

    sweep(opt, net, steps, x0_seeds, grid={"lr": lrs}, every=steps_per_epoch, keep_points=False,
          schedule=schedules[name])

:class:`ScheduleRuns` checks that such sweeps fit together (every pair there, one grid per optimizer, the
same steps, starts and problem, schedules as long as the runs) and reduces them to what the schedule widget
(:class:`lessons_lib.widgets.ScheduleExplorer`) and its static figure
(:func:`lessons_lib.plots.plot_schedules`) draw: the 10th percentile, the median and the 90th percentile of
the training loss over the seeds at every recorded epoch, the seeds that diverged, and the best learning
rate of each schedule. A run that diverged counts as infinitely far off from the record where it diverged
on, so that the median of 8 seeds is infinite once 4 of them have diverged, never the median of the seeds
that survived. Nothing here runs anything or prints.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .._validate import check_count
from ..measures import spread
from ..running import check_schedule
from ..sweeps import Sweep
from ._budget import best_lr_index

__all__ = ["ScheduleRuns"]

# The optimizer names the course styles (plots.style_of), by class: "Nesterov" is Momentum(nesterov=True).
_CLASSES = {"Nesterov": "Momentum"}


def _lr_labels(lrs) -> tuple[str, ...]:
    """Short labels of a grid of learning rates ("0.03", "0.0316"): 3 significant digits, more if two of the
    grid's values would read the same."""
    for digits in range(3, 18):
        labels = tuple(f"{lr:.{digits}g}" for lr in lrs)
        if len(set(labels)) == len(labels):
            return labels
    return tuple(repr(float(lr)) for lr in lrs)


def _decades(values, floor: float = 1e-300) -> tuple[float, float]:
    """Whole decades that hold the positive finite ``values`` with a tenth of a decade to spare (a line at
    ``lr = 10`` must not run along the frame)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > floor)]
    if values.size == 0:
        return 0.1, 10.0
    low = 10.0 ** math.floor(math.log10(values.min()) - 0.1)
    high = 10.0 ** math.ceil(math.log10(values.max()) + 0.1)
    return low, high


class ScheduleRuns:
    """Sweeps of several optimizers under several learning-rate schedules, checked to fit together.

    Parameters
    ----------
    sweeps : dict of (optimizer name, schedule name) -> Sweep
        One per pair. Optimizer names are the course's (:data:`lessons_lib.plots.STYLED_OPTIMIZERS`: its
        class, "Nesterov" for Nesterov momentum). The sweeps of one optimizer share its grid of learning rates
        (``grid={"lr": lrs}``, nothing else swept); all share the steps recorded, the problem and the starts
        (one row of ``x0`` per seed, so ``losses`` has shape ``(records, lrs, seeds)``).
    schedules : dict of schedule name -> array of shape (steps,) or None
        The multipliers each sweep ran with (:func:`lessons_lib.running.step_decay` and the like); None, or
        ones, for the constant learning rate, which must be among them: it is every schedule's reference.
    steps_per_epoch : int >= 1
        Steps per epoch: the losses are drawn against ``steps / steps_per_epoch``.
    owner : str
        The name the error messages give (the widget or figure that checks its input).

    Attributes
    ----------
    optimizers, schedule_names : tuple of str
        In the order the sweeps name them (optimizers) and the order of ``schedules``.
    constant : str
        The name of the constant schedule (the first one, if several are).
    steps : int
        Steps of every run.
    epochs : ndarray
        The epochs at which the losses were recorded.
    seeds : int
    """

    def __init__(self, sweeps, schedules, *, steps_per_epoch, owner: str = "ScheduleRuns"):
        self.owner = owner
        self.steps_per_epoch = check_count(owner, "steps_per_epoch", steps_per_epoch, 1)
        if not isinstance(sweeps, Mapping) or not sweeps:
            raise TypeError(
                f"{owner}: sweeps must be a non-empty dict of (optimizer name, schedule name) -> Sweep, got "
                f"{type(sweeps).__name__}."
            )
        if not isinstance(schedules, Mapping) or not schedules:
            raise TypeError(
                f"{owner}: schedules must be a non-empty dict of schedule name -> multipliers (or None for a "
                f"constant learning rate), got {type(schedules).__name__}."
            )
        for key, result in sweeps.items():
            if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)):
                raise TypeError(
                    f"{owner}: every key of sweeps must be a pair (optimizer name, schedule name), such as "
                    f"('Adam', 'cosine'), got {key!r}."
                )
            if not isinstance(result, Sweep):
                raise TypeError(f"{owner}: sweeps[{key!r}] must be a Sweep, got {type(result).__name__}.")
        self.sweeps = dict(sweeps)
        self.optimizers = tuple(dict.fromkeys(o for o, _ in sweeps))
        self.schedule_names = tuple(schedules)
        self._check_names(schedules)
        self._check_shapes()
        self.steps = int(self._first.steps[-1])
        self._multipliers = {}
        for name, values in schedules.items():
            checked = check_schedule(owner, values, self.steps, name=f"schedule {name!r}")
            self._multipliers[name] = np.ones(self.steps) if checked is None else checked
        constant = [n for n, m in self._multipliers.items() if np.all(m == 1.0)]
        if not constant:
            raise ValueError(
                f"{owner}: schedules must include the constant learning rate (None, or np.ones(steps)), the "
                f"reference every other schedule is drawn against; got {', '.join(map(repr, schedules))}."
            )
        self.constant = constant[0]
        self.epochs = self._first.steps / self.steps_per_epoch
        self.seeds = int(self._first.losses.shape[-1])
        self._spreads: dict = {}

    # -- checks --------------------------------------------------------------------------------------------

    @property
    def _first(self) -> Sweep:
        return next(iter(self.sweeps.values()))

    def _check_names(self, schedules) -> None:
        from ..plots import STYLED_OPTIMIZERS

        owner = self.owner
        unknown = [o for o in self.optimizers if o not in STYLED_OPTIMIZERS]
        if unknown:
            raise ValueError(
                f"{owner}: unknown optimizer names {unknown}; name each optimizer as the course's figures do "
                f"(its colour and marker follow the name): {', '.join(STYLED_OPTIMIZERS)}."
            )
        for (o, s), result in self.sweeps.items():
            ran = type(result.optimizer).__name__
            nesterov = bool(getattr(result.optimizer, "nesterov", False))
            if ran != _CLASSES.get(o, o) or nesterov != (o == "Nesterov"):
                raise ValueError(
                    f"{owner}: sweeps[({o!r}, {s!r})] ran {result.optimizer.label()}, not {o}; name each "
                    "sweep by the optimizer it ran."
                )
        strangers = sorted({s for _, s in self.sweeps if s not in schedules})
        if strangers:
            raise ValueError(
                f"{owner}: sweeps name schedules that schedules does not give: {strangers}; schedules has "
                f"{', '.join(map(repr, schedules))}."
            )
        missing = [(o, s) for o in self.optimizers for s in schedules if (o, s) not in self.sweeps]
        if missing:
            raise ValueError(
                f"{owner}: sweeps lacks {len(missing)} (optimizer, schedule) pairs: "
                f"{', '.join(map(repr, missing))}. Give one sweep per optimizer and schedule, so that every "
                "control setting has its runs."
            )

    def _check_shapes(self) -> None:
        owner, first = self.owner, self._first
        first_key = next(iter(self.sweeps))
        for key, result in self.sweeps.items():
            if list(result.grid) != ["lr"] or result.grid_shape != (len(result.grid["lr"]),):
                raise ValueError(
                    f"{owner}: sweeps[{key!r}] must sweep the learning rate alone (grid={{'lr': lrs}}), got "
                    f"a grid of {', '.join(result.grid) or 'nothing'}"
                    + (" with gradient scales" if result.gradient_scales is not None else "")
                    + "."
                )
            if result.losses.ndim != 3:
                raise ValueError(
                    f"{owner}: sweeps[{key!r}] must run from a batch of starts, one row of x0 per seed (its "
                    f"losses of shape (records, lrs, seeds)), got losses of shape {result.losses.shape}."
                )
            if not np.array_equal(result.steps, first.steps):
                raise ValueError(
                    f"{owner}: the sweeps must record the same steps; sweeps[{key!r}] ran "
                    f"{int(result.steps[-1])} steps recorded at {len(result.steps)} steps, "
                    f"sweeps[{first_key!r}] {int(first.steps[-1])} steps at {len(first.steps)}. Run them all "
                    "for the same steps with the same every."
                )
            if result.losses.shape[-1] != first.losses.shape[-1]:
                raise ValueError(
                    f"{owner}: the sweeps must run the same seeds; sweeps[{key!r}] has "
                    f"{result.losses.shape[-1]}, sweeps[{first_key!r}] {first.losses.shape[-1]}."
                )
            same_start = np.array_equal(
                result.losses[0], np.broadcast_to(first.losses[0, :1], result.losses[0].shape)
            )
            if result.problem.name != first.problem.name or not same_start:
                raise ValueError(
                    f"{owner}: the sweeps must start from the same points on the same problem; "
                    f"sweeps[{key!r}] differs from sweeps[{first_key!r}] (problem {result.problem.name} "
                    f"against {first.problem.name}, or other starting losses). Give every sweep the same x0."
                )
        for o in self.optimizers:
            grids = {s: self.sweeps[(o, s)].grid["lr"] for s in self.schedule_names}
            reference = next(iter(grids.values()))
            differ = [s for s, g in grids.items() if not np.array_equal(g, reference)]
            if differ:
                raise ValueError(
                    f"{owner}: the sweeps of {o} must share one grid of learning rates; the schedules "
                    f"{differ} ran {[grids[s].tolist() for s in differ]}, {self.schedule_names[0]!r} ran "
                    f"{reference.tolist()}."
                )

    # -- what the figures draw ---------------------------------------------------------------------------

    def grid(self, optimizer: str) -> np.ndarray:
        """The learning rates ``optimizer`` ran with."""
        return self.sweeps[(optimizer, self.constant)].grid["lr"]

    def lr_labels(self, optimizer: str) -> tuple[str, ...]:
        """The grid's learning rates as the controls and labels write them ("0.03")."""
        return _lr_labels(self.grid(optimizer))

    def multipliers(self, schedule: str) -> np.ndarray:
        """The schedule's multiplier of each step (ones for the constant one)."""
        return self._multipliers[schedule]

    def lr_curve(self, schedule: str, lr: float) -> tuple[np.ndarray, np.ndarray]:
        """``(step, learning rate)`` of a run, to draw as steps (``drawstyle="steps-post"``): step ``k`` runs
        from ``k`` to ``k + 1`` at ``lr * multipliers[k]``; the last value is repeated at ``steps``."""
        rates = lr * self._multipliers[schedule]
        return np.arange(self.steps + 1), np.append(rates, rates[-1])

    def spread(self, optimizer: str, schedule: str) -> np.ndarray:
        """The 10th percentile, the median and the 90th percentile of the loss over the seeds, at every
        record and learning rate: shape ``(3, records, lrs)``. A diverged run counts as infinite from the
        record where it diverged on (:func:`lessons_lib.measures.spread`), so a percentile that falls among
        diverged runs is infinite."""
        key = (optimizer, schedule)
        if key not in self._spreads:
            result = self.sweeps[key]
            after = (result.diverged_steps >= 0) & (result.steps[:, None, None] >= result.diverged_steps)
            self._spreads[key] = spread(np.where(after, np.inf, result.losses), axis=-1)
        return self._spreads[key]

    def diverged(self, optimizer: str, schedule: str, index: int) -> tuple[int, int | None]:
        """How many seeds of one setting diverged, and the epoch (counted from 1) in which the first did."""
        steps = self.sweeps[(optimizer, schedule)].diverged_steps[index]
        steps = steps[steps >= 0]
        if steps.size == 0:
            return 0, None
        return int(steps.size), math.ceil(int(steps.min()) / self.steps_per_epoch)

    def best_lr_index(self, optimizer: str, schedule: str) -> int | None:
        """The learning rate with the lowest mean final loss over the seeds, one with a diverged seed left
        out (:func:`lessons_lib.races.best_lr_index`, as in the budget race); if every one has one, the lowest
        median; None if every median diverged."""
        result = self.sweeps[(optimizer, schedule)]
        final = np.where(result.diverged_steps >= 0, np.nan, result.losses[-1])
        if not np.isnan(final.mean(axis=1)).all():
            return best_lr_index(final)
        medians = self.spread(optimizer, schedule)[1, -1]
        return int(np.argmin(medians)) if np.isfinite(medians).any() else None

    def limits(self, optimizer: str, settings=None) -> dict[str, tuple[float, float]]:
        """Y limits in whole decades that hold every setting of ``optimizer`` (or ``settings``, a dict of
        schedule -> index of a learning rate): ``{"lr": ..., "loss": ...}``, for the learning rates of the
        schedules and the finite percentiles of the losses."""
        if settings is None:
            settings = {s: slice(None) for s in self.schedule_names}
        lrs, rates, losses = self.grid(optimizer), [], []
        for schedule, index in settings.items():
            chosen, multipliers = np.atleast_1d(lrs[index]), self._multipliers[schedule]
            rates += [chosen.min() * multipliers.min(), chosen.max() * multipliers.max()]
            losses.append(self.spread(optimizer, schedule)[:, :, index].ravel())
        return {"lr": _decades(rates), "loss": _decades(np.concatenate(losses or [np.ones(1)]))}
