"""Helpers for lesson 03 (Adagrad): lr grids as one array run, targets that move, per-feature statistics.

Adagrad keeps, per coordinate, the sum of all its squared gradients so far and divides each step by its root::

    s = s + g**2                          (A1)
    x = x - lr * g / (sqrt(s) + eps)      (A2)

The lesson's experiments need a few things the general runner (:func:`lessons_lib.run`) does not do:

* :func:`run_lr_grid` runs gradient descent or Adagrad for a whole grid of learning rates over a batch of
  starts (or seeds) as one array, and records the points only every few steps, so that a model with hundreds
  of parameters trained many times over stays cheap (the loss is not evaluated at every step);
* :func:`jump_targets` and :func:`track_target` make a quadratic whose minimiser jumps during the run, and
  run any optimizer of the course on it: what Adagrad's ever-growing sum does when the problem changes;
* :func:`by_feature` averages a flat parameter vector of a linear classifier over its classes, one number
  per input feature (the softmax model's parameter ``feature * n_classes + class``).

The measures that reduce these runs to numbers (:func:`lessons_lib.measures.first_within`,
:func:`lessons_lib.measures.loglog_slope`) are in :mod:`lessons_lib.measures`.

Arrays of points keep the steps on the first axis and the coordinates on the last, as
:attr:`lessons_lib.Trajectory.points` does.

References
----------
J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online learning and stochastic
optimization", JMLR 12, 2011.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import check_count, check_nonnegative
from .optimizers import Optimizer, adagrad_update, gd_update
from .problems import Problem

__all__ = [
    "GridRun",
    "Tracking",
    "by_feature",
    "jump_targets",
    "run_lr_grid",
    "track_target",
]

_RULES = ("gd", "adagrad")


class GridRun(NamedTuple):
    """What :func:`run_lr_grid` recorded.

    Attributes
    ----------
    steps : ndarray of int, shape (R,)
        The step numbers at which points were recorded (0 is the start, the last is the final step).
    points : ndarray, shape (R, len(lrs), *x0.shape)
        The points after those steps; NaN from the step at which a run diverged.
    s : ndarray or None, shape (len(lrs), *x0.shape)
        Adagrad's sum of squared gradients after the last step; None for gradient descent.
    """

    steps: np.ndarray
    points: np.ndarray
    s: np.ndarray | None


def run_lr_grid(
    problem: Problem,
    rule: str,
    lrs,
    x0,
    steps: int,
    *,
    eps: float = 1e-8,
    initial_accumulator: float = 0.0,
    seed: int | None = 0,
    every: int = 1,
    blowup: float = 1e6,
) -> GridRun:
    """Gradient descent or Adagrad for every learning rate of a grid, from every start, as one array run.

    Each step applies the library's own rule, :func:`lessons_lib.gd_update` (G1) or
    :func:`lessons_lib.adagrad_update` (A1, A2), to an array of shape ``(len(lrs), *x0.shape)``. A run whose
    point leaves the plot bounds by ``blowup`` times their size (or overflows) is marked diverged: its later
    points are NaN.

    Parameters
    ----------
    problem : Problem
        A stochastic problem draws its mini-batch gradients with ``sample_grad``, independently for every
        run, from one generator seeded by ``seed``: the rows of ``x0`` are then independent repetitions.
    rule : {"gd", "adagrad"}
    lrs : sequence of float > 0
    x0 : array_like, shape (d,) or (N, d)
    steps : int >= 0
    eps, initial_accumulator : float >= 0
        Adagrad's ``eps`` (outside the root) and the value of ``s`` before the first step.
    seed : int or None
    every : int >= 1
        Record the points every ``every`` steps (and after the last step).
    blowup : float

    Returns
    -------
    GridRun

    Examples
    --------
    On ``f = x**2 / 2`` from ``x = 1`` Adagrad's first step is ``lr * sign(g)`` (up to eps), so with
    ``lr = 1`` it lands on the minimum; gradient descent with ``lr = 0.5`` halves ``x``:

    >>> from lessons_lib import quadratic
    >>> p = quadratic([[1.0]], x0=[1.0])
    >>> out = run_lr_grid(p, "adagrad", [0.5, 1.0], p.x0, steps=1)
    >>> out.points[:, :, 0].round(6).tolist()  # (recorded steps, lrs); the start, then after one step
    [[1.0, 1.0], [0.5, 0.0]]
    >>> out.s.tolist()  # g**2 = 1 for both
    [[1.0], [1.0]]
    >>> run_lr_grid(p, "gd", [0.5], p.x0, steps=2).points[:, 0, 0].tolist()
    [1.0, 0.5, 0.25]
    """
    if rule not in _RULES:
        raise ValueError(f"run_lr_grid: rule must be one of {_RULES}, got {rule!r}.")
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0 or not np.all((lrs > 0) & np.isfinite(lrs)):
        raise ValueError(
            f"run_lr_grid: lrs must be a 1-D sequence of finite numbers > 0, got {lrs.tolist()}."
        )
    steps = check_count("run_lr_grid", "steps", steps, 0)
    every = check_count("run_lr_grid", "every", every, 1)
    eps = check_nonnegative("run_lr_grid", "eps", eps)
    initial_accumulator = check_nonnegative("run_lr_grid", "initial_accumulator", initial_accumulator)
    x0 = np.asarray(x0, dtype=float)
    if x0.ndim == 0 or x0.shape[-1] != problem.dim:
        raise ValueError(
            f"run_lr_grid: x0 must have {problem.dim} coordinates on its last axis for {problem.name}, "
            f"got shape {x0.shape}."
        )
    lr = lrs.reshape(-1, *(1,) * x0.ndim)
    x = np.broadcast_to(x0, (len(lrs), *x0.shape)).copy()
    s = np.full(x.shape, initial_accumulator) if rule == "adagrad" else None
    rng = np.random.default_rng(seed) if problem.stochastic else None
    limit = blowup * max(high - low for low, high in problem.bounds)
    recorded = sorted(set(range(0, steps + 1, every)) | {steps})
    points = np.empty((len(recorded), *x.shape))
    points[0] = x
    row = 1
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            g = problem.sample_grad(x, rng) if rng is not None else problem.grad(x)
            if s is None:
                x = gd_update(x, g, lr=lr)  # (G1)
            else:
                x, s = adagrad_update(x, g, s, lr=lr, eps=eps)  # (A1), (A2)
            bad = ~(np.abs(x) <= limit)  # also true for NaN
            if bad.any():
                x[bad] = np.nan
            if row < len(recorded) and k == recorded[row]:
                points[row] = x
                row += 1
    return GridRun(np.array(recorded), points, s)


def jump_targets(steps: int, every: int, points) -> np.ndarray:
    """The minimiser of a problem that jumps every ``every`` steps, cycling through ``points``.

    Returns an array of shape ``(steps, d)`` whose row ``k`` is the minimiser during step ``k + 1``, the
    ``targets`` argument of :func:`track_target`: ``points[0]`` for the first ``every`` steps, then
    ``points[1]``, and so on, back to ``points[0]`` after the last one. One jump after ``N`` steps is
    ``jump_targets(2 * N, N, [before, after])``.

    Examples
    --------
    >>> jump_targets(5, 2, [[0.0, 0.0], [1.0, -1.0]]).tolist()
    [[0.0, 0.0], [0.0, 0.0], [1.0, -1.0], [1.0, -1.0], [0.0, 0.0]]
    """
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or len(points) == 0:
        raise ValueError(
            f"jump_targets: points must be a list of minimisers, shape (n, d); got {points.shape}."
        )
    every = check_count("jump_targets", "every", every, 1)
    steps = check_count("jump_targets", "steps", steps, 1)
    return points[(np.arange(steps) // every) % len(points)]


class Tracking(NamedTuple):
    """What :func:`track_target` recorded.

    Attributes
    ----------
    gaps : ndarray, shape (steps + 1, *batch)
        ``gaps[k]`` is ``f - f*`` after ``k`` steps, measured against the minimiser in force for the next
        step, ``targets[k]`` (the last one for ``k = steps``): a jump shows at the step where it happens.
    effective_lrs : ndarray, shape (steps, *x0.shape)
        The optimizer's effective learning rate per coordinate after each step
        (:meth:`lessons_lib.Optimizer.effective_lr`).
    """

    gaps: np.ndarray
    effective_lrs: np.ndarray


def track_target(
    optimizer: Optimizer,
    curvatures,
    targets,
    x0,
    *,
    sigma: float = 0.0,
    seed: int | None = 0,
    restart_at=None,
) -> Tracking:
    """Run ``optimizer`` on a quadratic whose minimiser moves: ``f_k(x) = sum(curv * (x - c_k)**2) / 2``.

    Step ``k + 1`` uses the gradient ``curvatures * (x - targets[k])``, plus independent Gaussian noise of
    standard deviation ``sigma`` per coordinate when ``sigma > 0`` (as mini-batches give), drawn from a
    generator seeded by ``seed``. A batch of starts runs as one array.

    Parameters
    ----------
    optimizer : Optimizer
        Any optimizer of the course (its ``init``, ``step`` and ``effective_lr`` are used).
    curvatures : array_like, shape (d,)
        The quadratic's curvatures along the axes (``curv`` in the formula above).
    targets : array_like, shape (steps, d)
        The minimiser during each step, e.g. from :func:`jump_targets`.
    x0 : array_like, shape (d,) or (N, d)
    sigma : float >= 0
    seed : int or None
    restart_at : int or None
        Start the optimizer's state afresh (``optimizer.init``) before step ``restart_at + 1``, as if it were
        told that the problem changed.

    Returns
    -------
    Tracking

    Examples
    --------
    Gradient descent with ``lr = 1`` on ``x**2 / 2`` lands on the minimiser in one step, wherever it is:

    >>> from lessons_lib import GradientDescent
    >>> out = track_target(GradientDescent(lr=1.0), [1.0], jump_targets(3, 2, [[0.0], [2.0]]), [1.0])
    >>> out.gaps.tolist()  # after 2 steps the point 0 is 2 away from the new minimiser: f - f* = 2
    [0.5, 0.0, 2.0, 0.0]

    With ``lr = 0.5`` it halves the distance each step, and after the jump it starts again from afar:

    >>> out = track_target(GradientDescent(lr=0.5), [1.0], jump_targets(3, 2, [[0.0], [2.0]]), [1.0])
    >>> out.gaps.tolist()  # x = 1, 0.5, 0.25 (now 1.75 from the new minimiser 2), 1.125
    [0.5, 0.125, 1.53125, 0.3828125]
    """
    curvatures = np.asarray(curvatures, dtype=float)
    targets = np.asarray(targets, dtype=float)
    if curvatures.ndim != 1 or targets.ndim != 2 or targets.shape[1] != curvatures.size:
        raise ValueError(
            f"track_target: curvatures must have shape (d,) and targets (steps, d); got {curvatures.shape} "
            f"and {targets.shape}."
        )
    sigma = check_nonnegative("track_target", "sigma", sigma, "It is the standard deviation of the noise.")
    x = np.array(x0, dtype=float)
    rng = np.random.default_rng(seed)
    state = optimizer.init(x)
    gaps = np.empty((len(targets) + 1, *x.shape[:-1]))
    effective_lrs = np.empty((len(targets), *x.shape))
    if len(targets) == 0:
        raise ValueError("track_target: targets is empty; give one minimiser per step.")
    last = len(targets) - 1
    gaps[0] = 0.5 * np.sum(curvatures * (x - targets[0]) ** 2, axis=-1)
    for k, target in enumerate(targets):
        if restart_at is not None and k == restart_at:
            state = optimizer.init(x)
        g = curvatures * (x - target)
        if sigma > 0:
            g = g + sigma * rng.standard_normal(x.shape)
        x, state = optimizer.step(x, g, state)
        gaps[k + 1] = 0.5 * np.sum(curvatures * (x - targets[min(k + 1, last)]) ** 2, axis=-1)
        effective_lrs[k] = optimizer.effective_lr(x, state)
    return Tracking(gaps, effective_lrs)


def by_feature(values, n_classes: int, reduce=np.mean) -> np.ndarray:
    """One number per input feature from a linear classifier's flat parameters: ``reduce`` over the classes.

    The parameter of feature ``j`` and class ``c`` sits at index ``j * n_classes + c`` (the softmax model's
    layout), so ``values`` of shape ``(..., n_features * n_classes)`` becomes ``(..., n_features)``.

    Examples
    --------
    >>> by_feature(np.arange(6.0), n_classes=3).tolist()  # features 0 and 1, three classes each
    [1.0, 4.0]
    >>> by_feature(np.arange(6.0), n_classes=2, reduce=np.max).tolist()
    [1.0, 3.0, 5.0]
    """
    values = np.asarray(values, dtype=float)
    if values.shape[-1] % n_classes:
        raise ValueError(
            f"by_feature: the last axis ({values.shape[-1]}) is not a whole number of groups of "
            f"n_classes = {n_classes}."
        )
    return reduce(values.reshape(*values.shape[:-1], -1, n_classes), axis=-1)
