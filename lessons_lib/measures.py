"""Turning runs into numbers: one place for each measure the lessons print.

Every function takes runs with the steps on the first axis (as :attr:`lessons_lib.Trajectory.points` and
``.gaps``, or a :class:`lessons_lib.sweeps.Sweep`'s), and any batch of runs after it.

* :func:`first_staying` is the rule behind every "steps to a tolerance" of the course: the first step from
  which a condition holds to the end of the run. :meth:`lessons_lib.Trajectory.steps_to`,
  :meth:`lessons_lib.sweeps.Sweep.steps_to`, :func:`steps_to`, :func:`distance_steps` and the races use it.
* :func:`first_within` is the first step at which a condition holds, for noisy runs that hover about a floor.
* :func:`loglog_slope` fits a power law (how a count grows with the condition number, how Adagrad's
  effective learning rate falls).
* :func:`ends_in_global` says in which basin a run ends; :func:`ends_in_global_nudged` does the same with
  nudged copies of each start and sets the chaotic runs apart (where they end depends on round-off), and
  :func:`nudged_copies`, :func:`copies_part`, :func:`copies_grow` and :func:`chaotic_runs` do that for any
  other measure (a race's steps to a tolerance, :func:`lessons_lib.races.race`).
* :func:`convergence_rate` and :func:`oscillation` measure how fast a run closes in and how it swings;
  :func:`escape_steps` how fast it leaves a saddle; :func:`step_per_gradient` how far each coordinate moved
  per unit of its gradient; :func:`spread` summarises many runs by three percentiles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ._validate import as_real_array, check_count, check_positive, check_seed
from .problems import Problem

__all__ = [
    "NudgedEnds",
    "chaotic_runs",
    "convergence_rate",
    "copies_grow",
    "copies_part",
    "distance_steps",
    "ends_in_global",
    "ends_in_global_nudged",
    "escape_steps",
    "first_staying",
    "first_within",
    "loglog_slope",
    "nudged_copies",
    "oscillation",
    "spread",
    "step_per_gradient",
    "steps_to",
]


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

    ``gaps`` has the steps on its first axis (as :attr:`lessons_lib.running.Tracking.gaps`); ``tol``
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


# ----------------------------------------------------------------------------------------------------
# Where runs end, how fast they converge, how they swing; chaotic runs set apart


def ends_in_global(problem: Problem, points, *, settle_steps: int = 100) -> np.ndarray:
    """True where a point lies in the basin of the global minimum (False for NaN, a diverged run).

    Each point first rolls downhill by ``settle_steps`` small gradient-descent steps (``lr = 0.25 / L``), so
    that it is judged by the basin it lies in rather than by the nearest minimum (a point just on the global
    side of a barrier can be closer to the other minimum); then it is compared with the global minimiser and
    the other minima. ``points`` has the coordinates on its last axis; the result has the other axes.

    Examples
    --------
    >>> from lessons_lib import double_well
    >>> well = double_well()  # global minimum near -1.48, barrier near 0.15, local minimum near 1.33
    >>> ends_in_global(well, [[-1.4], [0.1], [0.2], [1.3], [np.nan]])
    array([ True,  True, False, False, False])
    """
    points = np.array(points, dtype=float)
    lr = 0.25 / problem.L
    with np.errstate(over="ignore", invalid="ignore"):
        moving = ~(np.linalg.norm(problem.grad(points), axis=-1) < 1e-8)  # settled runs need no rolling
        rolling = points[moving]
        for _ in range(int(settle_steps)):
            rolling = rolling - lr * problem.grad(rolling)
        points[moving] = rolling
        d_global = np.linalg.norm(points - problem.minimizer, axis=-1)
        others = [np.linalg.norm(points - np.asarray(p), axis=-1) for p, _ in problem.local_minima]
    d_other = np.min(others, axis=0) if others else np.full(d_global.shape, np.inf)
    return np.isfinite(d_global) & (d_global < d_other)


class NudgedEnds(NamedTuple):
    """Where runs end, judged with nudged copies of each start (what :func:`ends_in_global_nudged` returns).

    Two boolean arrays of one shape, ``(*grid_shape, N)``. Each run is in exactly one of three classes:
    ``in_global``, ``chaotic``, or :attr:`elsewhere` (another minimum, or diverged).
    """

    in_global: np.ndarray
    """Decided: the run and its copies stay together and end in the basin of the global minimum."""
    chaotic: np.ndarray
    """Undecided: the copies part, so where the run ends is decided by round-off, not by its start."""

    @property
    def elsewhere(self) -> np.ndarray:
        """Decided: the run and its copies stay together and end outside the global basin, or all diverge."""
        return ~(self.in_global | self.chaotic)


def ends_in_global_nudged(
    problem: Problem,
    run: Callable,
    x0,
    *,
    nudges: int = 4,
    size: float = 1e-8,
    apart: float = 1e-3,
    seed: int | None = 0,
    settle_steps: int = 100,
) -> NudgedEnds:
    """Which runs end in the global minimum, with the chaotic runs set apart, judged with nudged copies.

    When the steps are about as long as a well is wide, a run can hover and change sides for its whole
    length. It is then chaotic: it amplifies any tiny difference exponentially, including a round-off error
    of 1e-16, which ends up deciding the final basin; a count of :func:`ends_in_global` then changes from
    one CPU or NumPy build to another. This judge runs every start together with ``nudges`` copies of it,
    each moved by a relative ``size`` (seeded), in one call of ``run``. A run is **chaotic** if at some
    recorded step its copies lie more than ``apart`` times the plot range apart, diverge at different steps,
    or end in different basins. Every other run is decided: its copies stay together from start to end and
    end in the basin :func:`ends_in_global` gives.

    Why the result does not depend on round-off: while the copies are closer than ``apart`` they still move
    like the first-order expansion of the dynamics, so their distance is the seeded nudge times an
    amplification that round-off changes by a relative ``1e-16 / size`` (1e-8 here). Whether that distance
    ever exceeds the threshold is therefore decided before any chaos could make it random, and so is the end
    of a run whose copies never part. (A rule that asks only whether the copies end in the same basin is not
    stable: a chaotic run that ends in the global basin with probability 5 % has all of five copies agree
    three times in four, so the count moves with round-off.) The nudge is small enough that a run that only
    passes near the top of a barrier, amplifying it ten-thousandfold before it settles, is not called
    chaotic.

    Parameters
    ----------
    problem : Problem
        Deterministic, with ``minimizer`` and ``local_minima`` (as for :func:`ends_in_global`).
    run : callable
        ``run(starts)``, for starts of shape ``(M, d)``, returns the points of those runs with the steps on
        the first axis: shape ``(records, *grid_shape, M, d)``, e.g. ``lambda x: sweep(opt, problem, 150, x,
        grid=grid).points`` (:func:`lessons_lib.sweeps.sweep`). It is called once,
        with ``M = (nudges + 1) N``. The copies are compared at the recorded steps: record every step.
    x0 : array_like, shape (N, d)
        The starts.
    nudges : int >= 1
        Copies per start: the start times ``1 + size * u``, ``u`` uniform in [-1, 1] for each coordinate.
    size : float > 0
        Relative size of the nudges; far above round-off, far below what the threshold ``apart`` needs.
    apart : float > 0
        The distance at which copies have parted, as a fraction of the widest side of ``problem.bounds``.
    seed : int or None
        Seeds the nudges: the same seed gives the same copies, hence the same judgement.
    settle_steps : int
        As in :func:`ends_in_global`.

    Returns
    -------
    NudgedEnds
        ``in_global`` and ``chaotic``, each of shape ``(*grid_shape, N)``.

    Examples
    --------
    Gradient descent with short steps is decided. RMSProp with steps as long as the well is wide hovers,
    changes sides, and amplifies a nudge of 1e-8 until the copies are far apart:

    >>> from lessons_lib import GradientDescent, RMSProp, double_well
    >>> from lessons_lib.sweeps import sweep
    >>> well = double_well()
    >>> starts = [[-2.0], [0.5], [2.0]]
    >>> ends_in_global_nudged(well, lambda x: sweep(GradientDescent(lr=0.1), well, 150, x).points, starts)
    NudgedEnds(in_global=array([ True, False, False]), chaotic=array([False, False, False]))
    >>> ends_in_global_nudged(well, lambda x: sweep(RMSProp(lr=1.0), well, 150, x).points, starts).chaotic
    array([ True,  True,  True])
    """
    owner = "ends_in_global_nudged"
    apart = check_positive(owner, "apart", apart)
    copies, nudges, (n, d) = _nudged_copies(owner, x0, nudges, size, seed)
    points = np.asarray(run(copies), dtype=float)
    if points.ndim < 3 or points.shape[-2:] != ((nudges + 1) * n, d):
        raise ValueError(
            f"{owner}: run(starts) must return the points with the steps on the first axis, shape "
            f"(records, *grid_shape, {(nudges + 1) * n}, {d}) for {(nudges + 1) * n} starts of {d} "
            f"coordinate(s), got shape {points.shape}."
        )
    parted = copies_part(problem, points, nudges, apart)  # (*grid, start)
    points = points.reshape(*points.shape[:-2], nudges + 1, n, d)  # (records, *grid, copy, start, d)
    ends = ends_in_global(problem, points[-1], settle_steps=settle_steps)  # (*grid, copy, start)
    chaotic = parted | (ends.any(axis=-2) & ~ends.all(axis=-2))
    return NudgedEnds(in_global=ends[..., 0, :] & ~chaotic, chaotic=chaotic)


def nudged_copies(x0, nudges: int = 4, size: float = 1e-8, seed: int | None = 0) -> np.ndarray:
    """The starts followed by ``nudges`` seeded copies of them, each moved by a relative ``size``.

    Returns shape ``((nudges + 1) N, d)`` for starts of shape ``(N, d)``: block ``c`` (rows ``c N`` to
    ``(c + 1) N - 1``) is copy ``c``; block 0 is the starts themselves, unchanged. Copy ``c > 0`` of a start
    is the start times ``1 + size * u`` with ``u`` uniform in [-1, 1] per coordinate, drawn from a generator
    seeded by ``seed``: the same seed gives the same copies. :func:`copies_part` judges the runs.

    Examples
    --------
    >>> copies = nudged_copies([[1.0, 2.0], [3.0, 4.0]], nudges=2, size=1e-8)
    >>> copies.shape, copies[:2].tolist()
    ((6, 2), [[1.0, 2.0], [3.0, 4.0]])
    >>> bool(np.all(np.abs(copies[2:] / np.tile([[1.0, 2.0], [3.0, 4.0]], (2, 1)) - 1) <= 1e-8))
    True
    """
    return _nudged_copies("nudged_copies", x0, nudges, size, seed)[0]


def _nudged_copies(owner: str, x0, nudges, size, seed) -> tuple[np.ndarray, int, tuple[int, int]]:
    """:func:`nudged_copies` with its arguments checked in the name of ``owner``; also returns the checked
    ``nudges`` and the starts' shape ``(N, d)``."""
    nudges = check_count(owner, "nudges", nudges, 1)
    size = check_positive(owner, "size", size)
    seed = check_seed(owner, seed)
    x0 = as_real_array(owner, "x0", x0, finite=True)
    if x0.ndim != 2:
        raise ValueError(f"{owner}: x0 must be a batch of starts, shape (N, d), got shape {x0.shape}.")
    n, d = x0.shape
    copies = np.broadcast_to(x0, (nudges + 1, n, d)).copy()  # copy 0 is the start itself
    copies[1:] *= 1 + size * np.random.default_rng(seed).uniform(-1.0, 1.0, (nudges, n, d))
    return copies.reshape(-1, d), nudges, (n, d)


def copies_part(problem: Problem, points, nudges: int, apart: float = 1e-3) -> np.ndarray:
    """Which runs are chaotic: their nudged copies part, or diverge at different steps.

    ``points`` are the runs of :func:`nudged_copies`' starts, steps on the first axis: shape
    ``(records, *grid_shape, (nudges + 1) N, d)``. A run has parted if at some recorded step one of its
    copies lies more than ``apart`` times the widest side of ``problem.bounds`` from the run itself, or if
    some of its copies diverged (NaN) and others did not. A run whose copies all diverge at the same step is
    decided, however far apart they flew on the way out. Returns a bool array of shape ``(*grid_shape, N)``.

    While the copies are closer than ``apart`` they move like the first-order expansion of the dynamics, so
    their distance is the seeded nudge times an amplification that round-off changes only by a relative
    ``1e-16 / size``: whether it ever crosses ``apart`` is decided by the start, not by round-off (see
    :func:`ends_in_global_nudged`). A run that has not parted is therefore followed, to within ``apart``, by
    every run from a start that round-off moves, to the end.

    Examples
    --------
    >>> from lessons_lib import double_well
    >>> well = double_well()
    >>> together = np.full((3, 4, 1), 1.0)  # 3 records, 2 starts and 1 copy of each, all at x = 1
    >>> parted = together.copy()
    >>> parted[2, 3] = 1.1  # the copy of the second start is 0.1 away at the last record
    >>> copies_part(well, together, 1), copies_part(well, parted, 1)
    (array([False, False]), array([False,  True]))
    """
    apart = check_positive("copies_part", "apart", apart)
    return _parted(problem, _copy_distances("copies_part", points, nudges), apart)


def _parted(problem: Problem, gap: np.ndarray, apart: float) -> np.ndarray:
    span = max(high - low for low, high in problem.bounds)
    return gap.max(axis=0) > apart * span


def copies_grow(points, nudges: int, factor: float = 1e4) -> np.ndarray:
    """Which runs are chaotic: the distance between their nudged copies grows ``factor``-fold at some point.

    ``points`` as for :func:`copies_part`. Per run, the largest distance of a copy from the run itself at a
    recorded step is compared with the smallest such distance at any earlier recorded step; the run is
    chaotic if the ratio exceeds ``factor`` at some step, or if some copies diverged and others did not (all
    diverging at the same step is decided). Returns a bool array of shape ``(*grid_shape, N)``.

    Why a growth and not a distance: a run that first converges fast can squeeze its copies together down to
    round-off (1e-14 of the plot range) before it starts to hover; the distance test of :func:`copies_part`
    then judges copies that carry only round-off. The growth does not depend on how small the copies got:
    a run that settles (or hovers periodically) never blows a difference up ten-thousandfold, while a chaotic
    hover does so within a few dozen steps (an RMSProp run on the rotated ravine: from 1e-14 to 1e-3 in 75
    steps). Copies that are exactly equal stay so (the arithmetic is deterministic), so a distance of 0 is
    never the start of a growth.

    Examples
    --------
    >>> steady = np.array([[[0.0], [1e-8]], [[0.0], [1e-12]], [[0.0], [1e-13]]])  # 3 records, 1 start
    >>> chaotic = np.array([[[0.0], [1e-8]], [[0.0], [1e-12]], [[0.0], [1e-6]]])  # 1e-12 grows to 1e-6
    >>> copies_grow(steady, 1), copies_grow(chaotic, 1)
    (array([False]), array([ True]))
    """
    factor = check_positive("copies_grow", "factor", factor)
    return _grew(_copy_distances("copies_grow", points, nudges), factor)


def _grew(gap: np.ndarray, factor: float) -> np.ndarray:
    lost = np.isinf(gap).any(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.minimum.accumulate(np.where(gap > 0, gap, np.inf), axis=0)[:-1]  # smallest before each step
        grew = (gap[1:] / low > factor).any(axis=0)
    return grew | lost


def chaotic_runs(
    problem: Problem, points, nudges: int, *, apart: float = 1e-3, grow: float = 1e4
) -> np.ndarray:
    """The runs of :func:`nudged_copies`' starts that are chaotic: their copies part or their distance grows.

    :func:`copies_part` (copies more than ``apart`` times the plot range apart, or diverging at different
    steps) or :func:`copies_grow` (their distance grows ``grow``-fold). Where such a run goes after that is
    decided by round-off, so anything read from its later steps — when it last leaves a tolerance, whether it
    is inside at the end — changes from one CPU to another; set it apart. A run that passes both tests is
    decided: a run from a start that round-off moves follows it to the end, so what is measured on it does
    not depend on the CPU. Returns a bool array of shape ``(*grid_shape, N)``; ``points`` as for
    :func:`copies_part`.

    Examples
    --------
    RMSProp on the rotated ravine: at lr = 0.001 every run settles; at lr = 0.1 its steps are too long to
    settle and the runs hover chaotically.

    >>> from lessons_lib import RMSProp, rotated_ravine
    >>> from lessons_lib.sweeps import sweep
    >>> p = rotated_ravine(10)
    >>> x0 = nudged_copies(p.random_starts(20, seed=0))
    >>> s = sweep(RMSProp(lr=0.001), p, 200, x0, grid={"lr": [0.001, 0.1]})
    >>> chaotic_runs(p, s.points, 4).sum(axis=-1).tolist()  # of the 20 starts, at each lr
    [0, 19]
    """
    apart = check_positive("chaotic_runs", "apart", apart)
    grow = check_positive("chaotic_runs", "grow", grow)
    gap = _copy_distances("chaotic_runs", points, nudges)  # the costly part, shared by the two tests
    return _parted(problem, gap, apart) | _grew(gap, grow)


def _copy_distances(owner: str, points, nudges: int) -> np.ndarray:
    """Per recorded step and run, the largest distance of a copy from the run; inf once some (not all) copies
    have diverged, 0 once all have. Shape ``(records, *grid_shape, N)``.

    A run whose copies all diverge at the same step is decided (it diverged, at that step, whatever the
    nudge): its distances are 0 throughout. On the way out its copies drift apart in proportion to how far
    they have flown, which says nothing about round-off, and how far that is depends only on the runner's
    ``blowup``."""
    nudges = check_count(owner, "nudges", nudges, 1)
    points = np.asarray(points, dtype=float)
    m, d = points.shape[-2:]
    if points.ndim < 3 or m % (nudges + 1):
        raise ValueError(
            f"{owner}: points must have shape (records, *grid_shape, (nudges + 1) N, d) with "
            f"nudges = {nudges}, got shape {points.shape}."
        )
    points = points.reshape(*points.shape[:-2], nudges + 1, m // (nudges + 1), d)  # (..., copy, start, d)
    # Coordinate by coordinate: a few times faster than reducing over a last axis of length d = 2.
    lost = np.zeros(points.shape[:-1], dtype=bool)  # diverged (the runners write NaN from then on)
    squared = np.zeros(points.shape[:-3] + (nudges, m // (nudges + 1)))
    with np.errstate(invalid="ignore", over="ignore"):  # a diverging run's last kept point may be huge
        for k in range(d):
            lost |= np.isnan(points[..., k])
            squared += (points[..., 1:, :, k] - points[..., :1, :, k]) ** 2  # each copy from the start's run
        gap = np.sqrt(squared.max(axis=-2))  # the farthest copy (the root of the largest square: the same)
    gap = np.where(lost.all(axis=-2), 0.0, np.where(lost.any(axis=-2), np.inf, gap))  # some diverged: parted
    first_lost = np.where(lost.any(axis=0), lost.argmax(axis=0), -1)  # per copy: its first NaN record
    together = (first_lost >= 0).all(axis=-2) & (first_lost == first_lost[..., :1, :]).all(axis=-2)
    return np.where(together, 0.0, gap)


def convergence_rate(points, minimizer, start: int, stop: int) -> np.ndarray:
    """The measured rate: the factor by which the distance to ``minimizer`` shrank per step, per run.

    ``(|x_stop - x*| / |x_start - x*|) ** (1 / (stop - start))``, the geometric mean of the per-step factors
    between the two steps. Below 1 the run converges; the smaller, the faster. It is to be compared with the
    spectral radius of theory, the asymptotic rate, so take ``start`` past the first transient. NaN for a
    run that diverged.

    Parameters
    ----------
    points : array_like, shape (steps + 1, *batch, d)
    minimizer : array_like, shape (d,)
    start, stop : int

    Examples
    --------
    Gradient descent on ``x**2 / 2`` with ``lr = 0.5`` halves ``x`` every step:

    >>> points = 4.0 * 0.5 ** np.arange(11)[:, None]
    >>> float(convergence_rate(points, [0.0], 2, 10))
    0.5
    """
    points = np.asarray(points, dtype=float)
    err = np.linalg.norm(points - np.asarray(minimizer, dtype=float), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (err[stop] / err[start]) ** (1.0 / (stop - start))


def oscillation(points, *, coord: int = 1, start: int = 10, stop: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """How much a run swings across a ravine: the zig-zag frequency and the amplitude, per run.

    Over the steps ``start .. stop`` of coordinate ``coord`` (the steep one, ``x₂`` of the ravine):

    * ``flips``: the fraction of steps that change the sign of the coordinate (1 = a zig-zag, every step
      crosses the valley floor; 0 = no crossing);
    * ``amplitude``: the mean of ``|x_coord|`` over those steps, relative to its value at the start, so 1
      means the run is still as far from the valley floor as where it began.

    Examples
    --------
    A zig-zag ``x₂ = (-0.8)**k`` flips sign every step and shrinks:

    >>> pts = np.stack([np.zeros(51), (-0.8) ** np.arange(51)], axis=-1)
    >>> flips, amplitude = oscillation(pts, start=0, stop=4)
    >>> float(flips), round(float(amplitude), 4)
    (1.0, 0.6723)
    """
    points = np.asarray(points, dtype=float)
    c = points[start : stop + 1, ..., coord]
    flips = np.mean(c[1:] * c[:-1] < 0, axis=0)
    amplitude = np.mean(np.abs(c), axis=0) / np.abs(points[0, ..., coord])
    return flips, amplitude


# ----------------------------------------------------------------------------------------------------
# Escaping a saddle


def escape_steps(points, *, coord: int = 1, threshold: float = 0.5) -> np.ndarray:
    """The first step at which ``|x_coord| >= threshold``, per run; ``inf`` where that never happens.

    For :func:`lessons_lib.saddle` (minima at ``x₂ = ±1``) the default asks when a run has covered half the
    way from the ridge ``x₂ = 0`` to a minimum. ``points`` has shape ``(steps + 1, *batch, d)``; the result
    is a float array of the batch shape (``inf`` keeps medians and comparisons meaningful).

    Examples
    --------
    Gradient descent with ``lr = 1`` doubles ``x₂`` every step near the ridge:

    >>> points = np.stack([np.zeros(12), 1e-3 * 2.0 ** np.arange(12)], axis=-1)
    >>> float(escape_steps(points))  # 1e-3 * 2**9 = 0.512
    9.0
    >>> float(escape_steps(points, threshold=10.0))
    inf
    """
    c = np.abs(np.asarray(points, dtype=float)[..., coord])
    out = c >= threshold  # NaN (a diverged run) compares False
    return np.where(out.any(axis=0), np.argmax(out, axis=0), np.inf)


# ----------------------------------------------------------------------------------------------------
# Steps per gradient, spreads


def step_per_gradient(points, grads) -> np.ndarray:
    """How far each coordinate moved per unit of its gradient: ``|x_{k+1} - x_k| / |g_k|``, per step.

    For gradient descent it is ``lr``, for Adagrad and RMSProp their effective learning rate
    ``lr / (sqrt(s) + eps)``; for momentum it is not ``lr``: the step follows the velocity, which grows
    where the gradients agree from step to step and cancels where they alternate. NaN where ``g = 0``.

    Parameters
    ----------
    points : array_like, shape (steps + 1, ..., d)
    grads : array_like, shape (steps, ..., d)
        ``grads[k]`` moved ``points[k]`` to ``points[k + 1]`` (as :class:`lessons_lib.Trajectory` keeps them
        with ``keep_states=True``).

    Examples
    --------
    >>> from lessons_lib import GradientDescent, Momentum, ravine, run
    >>> t = run(GradientDescent(lr=0.05), ravine(10), 3, keep_states=True)
    >>> step_per_gradient(t.points, t.grads).round(6).tolist()
    [[0.05, 0.05], [0.05, 0.05], [0.05, 0.05]]
    >>> t = run(Momentum(lr=0.05, beta=0.9), ravine(10), 3, keep_states=True)
    >>> step_per_gradient(t.points, t.grads)[0]  # the first step: lr (1 - beta)
    array([0.005, 0.005])
    """
    points, grads = np.asarray(points, dtype=float), np.asarray(grads, dtype=float)
    if points.shape[1:] != grads.shape[1:] or len(points) != len(grads) + 1:
        raise ValueError(
            f"step_per_gradient: points must have one more step than grads, got {points.shape} and "
            f"{grads.shape}."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(np.diff(points, axis=0)) / np.abs(grads)
    return np.where(grads != 0, ratio, np.nan)


def spread(values, axis: int = -1) -> np.ndarray:
    """The 10th percentile, the median and the 90th percentile along ``axis``: shape ``(3, ...)``.

    ``inf`` (a run that never arrived) counts as larger than every number, so a percentile that falls among
    such runs is ``inf``. NaN values are ignored.

    >>> spread([1.0, 2.0, 3.0, 4.0, 100.0]).round(2).tolist()
    [1.4, 3.0, 61.6]
    >>> spread([5.0, 6.0, np.inf, np.inf]).tolist()
    [5.3, inf, inf]
    >>> spread([3.0, 4.0, np.inf]).tolist()  # the median is 4.0 itself, next to an inf
    [3.2, 4.0, inf]
    """
    values = np.asarray(values, dtype=float)
    # np.nanpercentile loops over the other axes in Python: use it only when there is a NaN to skip
    percentile = np.nanpercentile if np.isnan(values).any() else np.percentile
    is_inf = np.where(np.isnan(values), np.nan, np.isinf(values))
    # inf as the largest float: NumPy interpolates between neighbours as a + (b - a) * t, NaN for b = inf even
    # where t = 0 (a percentile that falls on the number next to an inf); one that reaches an inf is inf below
    finite = np.where(np.isposinf(values), np.finfo(float).max, values)
    with np.errstate(invalid="ignore"):
        q = percentile(finite, [10, 50, 90], axis=axis)
        top = percentile(is_inf, [10, 50, 90], axis=axis)
    return np.where(top > 0, np.inf, q)
