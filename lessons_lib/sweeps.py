"""Many runs of one optimizer at once: a grid of hyperparameters × a batch of starts, as one array run.

Lessons 05 and 06 compare optimizers fairly: each one gets a small grid of learning rates (sometimes of
``beta`` too), runs from many starts or with many seeds, and is shown at its best. :func:`sweep` runs such a
grid for **any** optimizer of the course, using that optimizer's own ``step`` (so the maths lives in one
place, :mod:`lessons_lib.optimizers`): the swept hyperparameters become arrays that broadcast along leading
axes of the point, and the whole grid advances as one NumPy array. Nothing here prints.

A :class:`Sweep` keeps the points and losses every ``every`` steps (long runs of many weights would not fit in
memory otherwise), the step at which each run diverged, and the time the steps took.

Array layout: ``points[k]`` has shape ``(*grid_shape, *x0.shape)`` where ``grid_shape`` has one axis per swept
hyperparameter, in the order given; ``losses[k]`` drops the last (coordinate) axis.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np

from .optimizers import Optimizer
from .problems import Problem
from .running import check_run_inputs

__all__ = ["SWEEPABLE", "Sweep", "sweep"]

#: Hyperparameters that a sweep can vary: the ones the update rules only do arithmetic with.
SWEEPABLE = ("lr", "beta", "beta1", "beta2", "eps")


@dataclass(frozen=True, eq=False)
class Sweep:
    """What :func:`sweep` did.

    Attributes
    ----------
    optimizer, problem
        The base setting and what it ran on.
    grid : dict of str to ndarray
        The swept hyperparameters and their values, one axis of the results each, in this order.
    steps : ndarray of int
        The step numbers that were recorded (0, every, 2 every, ..., and the last).
    points : ndarray, shape (len(steps), *grid_shape, *x0.shape), or None
        The recorded points (None with ``keep_points=False``); NaN after a divergence.
    losses : ndarray, shape (len(steps), *grid_shape, *x0.shape[:-1])
        ``problem.f`` at the recorded points; NaN after a divergence.
    diverged_steps : ndarray of int, shape (*grid_shape, *x0.shape[:-1])
        The step at which each run diverged, -1 where it did not.
    seconds : float
        Wall time of the gradient and update computations of all runs (the loss records not included).
    """

    optimizer: Optimizer
    problem: Problem
    grid: dict
    steps: np.ndarray
    points: np.ndarray | None
    losses: np.ndarray
    diverged_steps: np.ndarray
    seconds: float

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """One length per swept hyperparameter."""
        return tuple(len(v) for v in self.grid.values())

    @property
    def diverged(self) -> np.ndarray:
        """Which runs diverged, shape ``(*grid_shape, *batch)``."""
        return self.diverged_steps >= 0

    @property
    def gaps(self) -> np.ndarray:
        """``losses - f_min`` (needs a problem with a known minimum)."""
        if self.problem.f_min is None:
            raise ValueError(
                f"Sweep: the minimum of {self.problem.name} is not known, so the gap f - f_min is not "
                "either; use .losses."
            )
        return self.losses - self.problem.f_min

    def steps_to(self, tol: float) -> np.ndarray:
        """The first recorded step from which ``f - f_min <= tol`` holds to the end, per run; -1 if never.

        Shape ``(*grid_shape, *batch)``. A diverged run never reaches (its losses end in NaN).
        """
        below = self.gaps <= tol
        stays = np.flip(np.logical_and.accumulate(np.flip(below, axis=0), axis=0), axis=0)
        first = np.argmax(stays, axis=0)
        return np.where(stays.any(axis=0), self.steps[first], -1)

    def setting(self, *index: int) -> Optimizer:
        """The optimizer at one point of the grid, e.g. ``sweep.setting(2)`` for the third learning rate."""
        if len(index) != len(self.grid):
            raise ValueError(
                f"Sweep.setting: give one index per swept hyperparameter ({', '.join(self.grid)}), "
                f"got {len(index)}."
            )
        values = {name: float(values[i]) for (name, values), i in zip(self.grid.items(), index, strict=True)}
        return self.optimizer.replace(**values)

    def __repr__(self):
        grid = ", ".join(f"{name}: {len(v)} values" for name, v in self.grid.items()) or "no grid"
        return (
            f"Sweep({self.optimizer.label()} on {self.problem.name}, {grid}, {int(self.steps[-1])} steps, "
            f"{int(self.diverged.sum())} of {self.diverged.size} runs diverged)"
        )


def _batched(optimizer: Optimizer, grid: dict, point_ndim: int) -> Optimizer:
    """A copy of ``optimizer`` whose swept hyperparameters are arrays along the grid's leading axes.

    Every value was validated by building the optimizer with it, so the copy skips validation.
    """
    batched = copy.copy(optimizer)
    n = len(grid)
    for axis, (name, values) in enumerate(grid.items()):
        shape = [1] * n + [1] * point_ndim
        shape[axis] = len(values)
        object.__setattr__(batched, name, values.reshape(shape))
    return batched


def _check_grid(optimizer: Optimizer, grid) -> dict:
    owner = type(optimizer).__name__
    checked = {}
    for name, values in (grid or {}).items():
        if name not in optimizer.hyperparameters():
            known = ", ".join(optimizer.hyperparameters())
            raise ValueError(f"sweep: {owner} has no hyperparameter {name!r}; it has {known}.")
        if name not in SWEEPABLE:
            raise ValueError(
                f"sweep: {name!r} cannot be swept; run one sweep per value instead. Sweepable: "
                f"{', '.join(n for n in SWEEPABLE if n in optimizer.hyperparameters())}."
            )
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"sweep: the values of {name} must be a non-empty 1-D sequence, got {values!r}.")
        for value in values:
            optimizer.replace(**{name: float(value)})  # raises the optimizer's own teaching error
        checked[name] = values
    return checked


def sweep(
    optimizer: Optimizer,
    problem: Problem,
    steps: int,
    x0=None,
    *,
    grid: dict | None = None,
    seed: int | None = 0,
    every: int = 1,
    keep_points: bool = True,
    blowup: float = 1e6,
) -> Sweep:
    """Run ``optimizer`` for every combination of ``grid`` values from every start in ``x0``, as one array.

    Parameters
    ----------
    optimizer : Optimizer
        The base setting; the hyperparameters in ``grid`` replace its own.
    problem : Problem
        A stochastic problem draws independent mini-batches (noise) for every run, from one generator seeded
        by ``seed``: the rows of ``x0`` are then independent repetitions, even if they are the same point.
    steps : int >= 0
    x0 : array_like, shape (d,) or (N, d), optional
        Start, or a batch of starts (default ``problem.x0``).
    grid : dict of name -> sequence of float, optional
        Hyperparameters to sweep (any of :data:`SWEEPABLE` that the optimizer has), e.g.
        ``{"lr": [0.01, 0.1, 1.0]}``. Each value is checked as the optimizer's constructor checks it.
    seed : int or None
    every : int >= 1
        Record points and losses every ``every`` steps (and after the last).
    keep_points : bool
        Keep the recorded points (False saves memory when only losses are needed).
    blowup : float
        A run diverges when a coordinate leaves the plot bounds by ``blowup`` times their size, or is not
        finite. Its later points and losses are NaN.

    Returns
    -------
    Sweep

    Examples
    --------
    Adam's first step is about ``lr`` in every coordinate, whatever the gradient; three learning rates:

    >>> from lessons_lib import Adam, ravine
    >>> s = sweep(Adam(lr=0.1), ravine(10), steps=1, grid={"lr": [0.01, 0.1, 1.0]})
    >>> (s.points[1] - s.points[0]).round(4)  # shape (lrs, d); the start is (-8, 2)
    array([[ 0.01, -0.01],
           [ 0.1 , -0.1 ],
           [ 1.  , -1.  ]])
    >>> sweep(Adam(lr=0.1), ravine(10), steps=1, grid={"beta1": [0.9, 1.0]})
    Traceback (most recent call last):
    ...
    ValueError: Adam: beta1 must be in [0, 1), got 1.0. With beta1 = 1 the first moment (momentum) never \
forgets its start and the bias correction divides by 0.
    """
    x0 = check_run_inputs("sweep", optimizer, problem, steps, x0)
    if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
        raise ValueError(f"sweep: every must be a whole number >= 1, got {every!r}.")
    grid = _check_grid(optimizer, grid)
    grid_shape = tuple(len(v) for v in grid.values())
    batched = _batched(optimizer, grid, x0.ndim)
    x = np.broadcast_to(x0, grid_shape + x0.shape).copy()
    state = batched.init(x)
    rng = np.random.default_rng(seed) if problem.stochastic else None
    low, high = np.array(problem.bounds, dtype=float).T
    span = high - low
    limit_low, limit_high = low - blowup * span, high + blowup * span

    recorded = np.array(sorted(set(range(0, steps + 1, every)) | {steps}))
    points = np.full((len(recorded), *x.shape), np.nan) if keep_points else None
    losses = np.full((len(recorded), *x.shape[:-1]), np.nan)
    diverged_steps = np.full(x.shape[:-1], -1, dtype=int)
    alive = np.ones(x.shape[:-1], dtype=bool)
    seconds = 0.0
    row = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for k in range(steps + 1):
            if k > 0:
                start = time.perf_counter()
                g = problem.sample_grad(x, rng) if rng is not None else problem.grad(x)
                x, state = batched._step(x, g, state)
                seconds += time.perf_counter() - start
                bad = alive & ~np.all((x >= limit_low) & (x <= limit_high), axis=-1)  # NaN fails both
                if bad.any():
                    diverged_steps[bad] = k
                    alive &= ~bad
                    x = np.where(alive[..., None], x, np.nan)
            if k == recorded[row]:
                if keep_points:
                    points[row] = x
                losses[row] = np.where(alive, problem.f(x), np.nan)
                row += 1
    return Sweep(
        optimizer=optimizer,
        problem=problem,
        grid=grid,
        steps=recorded,
        points=points,
        losses=losses,
        diverged_steps=diverged_steps,
        seconds=seconds,
    )
