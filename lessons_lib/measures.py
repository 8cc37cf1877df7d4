"""Turning runs into numbers: one place for each measure the lessons print.

Every function takes runs with the steps on the first axis (as :attr:`lessons_lib.Trajectory.points` and
``.gaps``, or a :class:`lessons_lib.sweeps.Sweep`'s), and any batch of runs after it.

* :func:`first_staying` is the rule behind every "steps to a tolerance" of the course: the first step from
  which a condition holds to the end of the run. :meth:`lessons_lib.Trajectory.steps_to`,
  :meth:`lessons_lib.sweeps.Sweep.steps_to`, :func:`steps_to`, :func:`distance_steps` and the races use it.
* :func:`first_within` is the first step at which a condition holds, for noisy runs that hover about a floor.
* :func:`loglog_slope` fits a power law (how a count grows with the condition number, how Adagrad's
  effective learning rate falls).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_positive
from .problems import Problem

__all__ = ["distance_steps", "first_staying", "first_within", "loglog_slope", "steps_to"]


def first_staying(below, steps=None, never=-1) -> np.ndarray:
    """The first step from which ``below`` holds to the end of the run (axis 0); ``never`` if it never does.

    ``steps`` gives the step of each row of ``below`` when not every step was recorded (default: row ``k``
    is step ``k``). NaN compares False, so a condition such as ``gaps <= tol`` never holds for a diverged run.

    Examples
    --------
    >>> below = np.array([[False, True], [True, False], [False, True], [True, True], [True, False]])
    >>> first_staying(below).tolist()  # run 0 is below from step 3 on; run 1 is not below at the end
    [3, -1]
    >>> first_staying(below, steps=[0, 10, 20, 30, 40]).tolist()
    [30, -1]
    >>> first_staying(below, never=np.inf).tolist()
    [3.0, inf]
    """
    below = np.asarray(below, dtype=bool)
    stays = np.flip(np.logical_and.accumulate(np.flip(below, axis=0), axis=0), axis=0)
    first = np.argmax(stays, axis=0)
    if steps is not None:
        first = np.asarray(steps)[first]
    return np.where(stays.any(axis=0), first, never)


def first_within(gaps, tol, start: int = 0) -> np.ndarray:
    """Steps after ``start`` until ``gaps`` first falls to ``tol`` or below, per run; -1 where it never does.

    ``gaps`` has the steps on its first axis (as :attr:`lessons_lib.accumulators.Tracking.gaps`); ``tol``
    broadcasts against the rest. Unlike :func:`first_staying` the run need not stay below ``tol``
    afterwards, which suits noisy runs that hover about their floor.

    Examples
    --------
    >>> gaps = np.array([[8.0, 8.0], [4.0, 9.0], [0.5, 9.0], [2.0, 9.0], [0.1, 9.0]])
    >>> first_within(gaps, 1.0).tolist(), first_within(gaps, 1.0, start=3).tolist()
    ([2, -1], [1, -1])
    """
    below = np.asarray(gaps, dtype=float)[start:] <= tol
    return np.where(below.any(axis=0), np.argmax(below, axis=0), -1)


def steps_to(problem: Problem, points, tol) -> np.ndarray:
    """The first step from which ``f - f_min <= tol`` for the rest of the run, per run; -1 if never.

    :meth:`lessons_lib.Trajectory.steps_to` for arrays of points. ``tol`` broadcasts against the batch shape
    (a relative tolerance per run is ``1e-8 * problem.gap(points[0])``). A diverged (NaN) point is never
    below ``tol``.

    Examples
    --------
    >>> from lessons_lib import quadratic
    >>> p = quadratic([[1.0]])
    >>> points = np.array([[1.0], [0.1], [0.3], [0.01], [0.001]])  # gaps 0.5, 0.005, 0.045, 5e-5, 5e-7
    >>> int(steps_to(p, points, 0.01))  # below at step 1, above again at 2, below for good from 3
    3
    >>> int(steps_to(p, points, 1e-9))
    -1
    """
    return first_staying(problem.gap(np.asarray(points, dtype=float)) <= tol)


def distance_steps(points, minimizer, fraction: float) -> np.ndarray:
    """The first step from which the distance to ``minimizer`` stays at most ``fraction`` of the start's.

    Per run: the smallest ``k`` such that ``|x_j - x*| <= fraction * |x_0 - x*|`` for every ``j >= k``;
    ``inf`` where the run never gets there (or diverged). Distance, not loss: in a ravine the loss is
    dominated by the steep direction, which every method settles quickly, the distance by the flat direction,
    where the condition number bites.

    Parameters
    ----------
    points : array_like, shape (steps + 1, *batch, d)
    minimizer : array_like, shape (d,)
    fraction : float > 0

    Returns
    -------
    ndarray of float, the batch shape

    Examples
    --------
    >>> points = np.array([[4.0], [1.0], [0.3], [0.5], [0.02], [0.01]])
    >>> float(distance_steps(points, [0.0], 0.1))  # 0.3 < 0.4 at step 2, but 0.5 > 0.4 at step 3
    4.0
    >>> float(distance_steps(points, [0.0], 0.001))
    inf
    """
    points = np.asarray(points, dtype=float)
    distance = np.linalg.norm(points - np.asarray(minimizer, dtype=float), axis=-1)
    fraction = check_positive("distance_steps", "fraction", fraction)
    return first_staying(distance <= fraction * distance[0], never=np.inf)  # NaN compares False


def loglog_slope(x, y) -> float:
    """The least-squares slope of ``log y`` against ``log x``: ``y`` grows like ``x**slope``.

    Adagrad's effective learning rate under gradients that keep their size falls like ``steps**-0.5``;
    gradient descent's steps to a tolerance grow like the condition number.

    >>> round(loglog_slope([10, 100, 1000], [3.0, 9.5, 30.0]), 3)
    0.5
    >>> t = np.arange(1.0, 1001.0)
    >>> round(loglog_slope(t, 3.0 / np.sqrt(t)), 6)
    -0.5
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
        raise ValueError(
            f"loglog_slope: x and y must be 1-D of the same length >= 2, got {x.shape}, {y.shape}."
        )
    if np.any(~(x > 0)) or np.any(~(y > 0)) or np.any(~np.isfinite(y)):
        raise ValueError("loglog_slope: every x and y must be finite and > 0.")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
