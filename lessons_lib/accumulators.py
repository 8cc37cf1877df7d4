"""Helpers for lesson 03 (Adagrad): targets that move, per-feature statistics.

Adagrad keeps, per coordinate, the sum of all its squared gradients so far and divides each step by its root::

    s = s + g**2                          (A1)
    x = x - lr * g / (sqrt(s) + eps)      (A2)

The lesson's experiments need a few things the runners (:func:`lessons_lib.run`, and
:func:`lessons_lib.sweeps.sweep` for grids of learning rates) do not do:

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
from .optimizers import Optimizer

__all__ = [
    "Tracking",
    "by_feature",
    "jump_targets",
    "track_target",
]


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
