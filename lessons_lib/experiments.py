"""Batched experiments for lesson 02 (momentum): many starts, seeds and settings as one array run.

The course's runner (:func:`lessons_lib.run`) runs one optimizer on a batch of starts. The experiments of the
momentum lesson also sweep the hyperparameters, change them in the middle of a run and reduce thousands of
runs to a few numbers. The helpers here do that:

* :func:`run_schedule` changes hyperparameters between phases of one run, carrying the velocity across;
* :class:`LrInsideMomentum` is the form of momentum with the learning rate inside the velocity;
* :func:`ends_in_global`, :func:`convergence_rate` and :func:`oscillation` reduce runs to numbers;
* :func:`ends_in_global_nudged` does the same with nudged copies of each start, and sets the chaotic runs
  apart (where they end depends on round-off); :func:`nudged_copies` and :func:`copies_part`, its two
  halves, serve any other measure (a race's steps to a tolerance, :func:`lessons_lib.races.race`);
* :func:`iterate_variance` and :func:`noise_floor` are what theory predicts with noisy gradients.

Arrays of points keep the steps on the first axis and the coordinates on the last, as
:attr:`lessons_lib.Trajectory.points` does: shape ``(steps + 1, *batch, d)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from ._validate import as_real_array, check_count, check_in_unit_interval, check_positive, check_seed
from .optimizers import MomentumState, Optimizer, ParamRange
from .problems import Problem

__all__ = [
    "LrInsideMomentum",
    "NudgedEnds",
    "convergence_rate",
    "chaotic_runs",
    "copies_grow",
    "copies_part",
    "ends_in_global",
    "ends_in_global_nudged",
    "iterate_variance",
    "noise_floor",
    "nudged_copies",
    "oscillation",
    "run_schedule",
]


# ----------------------------------------------------------------------------------------------------
# Running


@dataclass(frozen=True)
class LrInsideMomentum(Optimizer):
    """Momentum with the learning rate inside the velocity (Sutskever et al. 2013)::

        v = beta * v + lr * g        (M1'')
        x = x - v

    With a constant ``lr`` it is the summed form ``v = beta * v + g; x = x - lr * v`` (its velocity is ``lr``
    times that one), hence also the averaged form with ``lr / (1 - beta)``. When ``lr`` changes during a run
    it is not: the velocity remembers the old learning rates, while in the other two forms a new ``lr``
    rescales the whole velocity at once.

    Parameters
    ----------
    lr : float > 0
    beta : float in [0, 1)

    References
    ----------
    I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and momentum in deep
    learning", ICML 2013 (equation 1).

    Examples
    --------
    >>> opt = LrInsideMomentum(lr=0.1, beta=0.9)
    >>> x, state = opt.step([1.0], [2.0], opt.init([1.0]))
    >>> state.v, x
    (array([0.2]), array([0.8]))
    """

    lr: float
    beta: float = 0.9
    State: ClassVar[type] = MomentumState
    sweepable: ClassVar[tuple[str, ...]] = ("lr", "beta")
    ranges: ClassVar[dict[str, ParamRange]] = {
        "lr": ParamRange(1e-4, 2.0, log=True),
        "beta": ParamRange(0.0, 0.99, step=0.01),
    }

    def _validate(self):
        object.__setattr__(self, "lr", check_positive("LrInsideMomentum", "lr", self.lr))
        object.__setattr__(self, "beta", check_in_unit_interval("LrInsideMomentum", "beta", self.beta))

    def init(self, x):
        return MomentumState(v=np.zeros(np.shape(x)))

    def _step(self, x, g, state):
        v = self.beta * state.v + self.lr * g  # (M1'')
        return x - v, MomentumState(v, state.t + 1)

    def max_stable_lr(self, curvature):
        return (2 + 2 * self.beta) / curvature


def run_schedule(optimizer: Optimizer, problem: Problem, schedule, x0=None) -> np.ndarray:
    """Run ``optimizer`` in phases, changing some hyperparameters between them, and return the points.

    The optimizer state (the velocity) is carried from one phase to the next, as a learning-rate scheduler
    does in a training loop.

    Parameters
    ----------
    optimizer : Optimizer
    problem : Problem
        Deterministic; its exact gradient is used.
    schedule : sequence of (int, dict)
        ``(steps, changes)`` per phase: ``optimizer.replace(**changes)`` runs for ``steps`` steps.
    x0 : array_like, shape (d,) or (N, d), optional
        Start (default ``problem.x0``).

    Returns
    -------
    ndarray, shape (total steps + 1, *x0.shape)

    Examples
    --------
    >>> from lessons_lib import Momentum, ravine
    >>> pts = run_schedule(Momentum(lr=0.1), ravine(10), [(2, {}), (1, {"lr": 0.05})])
    >>> pts.shape
    (4, 2)
    """
    x = np.array(problem.x0 if x0 is None else x0, dtype=float)
    state = optimizer.init(x)
    points = [x]
    for steps, changes in schedule:
        phase = optimizer.replace(**changes)
        for _ in range(int(steps)):
            x, state = phase.step(x, problem.grad(x), state)
            points.append(x)
    return np.array(points)


# ----------------------------------------------------------------------------------------------------
# Reducing runs to numbers


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
    some of its copies diverged (NaN) and others did not. Returns a bool array of shape ``(*grid_shape, N)``.

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
    gap = _copy_distances("copies_part", points, nudges)
    span = max(high - low for low, high in problem.bounds)
    return gap.max(axis=0) > apart * span


def copies_grow(points, nudges: int, factor: float = 1e4) -> np.ndarray:
    """Which runs are chaotic: the distance between their nudged copies grows ``factor``-fold at some point.

    ``points`` as for :func:`copies_part`. Per run, the largest distance of a copy from the run itself at a
    recorded step is compared with the smallest such distance at any earlier recorded step; the run is
    chaotic if the ratio exceeds ``factor`` at some step, or if some copies diverged and others did not.
    Returns a bool array of shape ``(*grid_shape, N)``.

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
    gap = _copy_distances("copies_grow", points, nudges)
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
    return copies_part(problem, points, nudges, apart) | copies_grow(points, nudges, grow)


def _copy_distances(owner: str, points, nudges: int) -> np.ndarray:
    """Per recorded step and run, the largest distance of a copy from the run; inf once some (not all) copies
    have diverged, 0 once all have. Shape ``(records, *grid_shape, N)``."""
    nudges = check_count(owner, "nudges", nudges, 1)
    points = np.asarray(points, dtype=float)
    m, d = points.shape[-2:]
    if points.ndim < 3 or m % (nudges + 1):
        raise ValueError(
            f"{owner}: points must have shape (records, *grid_shape, (nudges + 1) N, d) with "
            f"nudges = {nudges}, got shape {points.shape}."
        )
    points = points.reshape(*points.shape[:-2], nudges + 1, m // (nudges + 1), d)  # (..., copy, start, d)
    lost = np.isnan(points).any(axis=-1)  # diverged (the runners write NaN from then on)
    with np.errstate(invalid="ignore"):
        gap = np.linalg.norm(points - points[..., :1, :, :], axis=-1).max(axis=-2)  # from the start's own run
    return np.where(lost.all(axis=-2), 0.0, np.where(lost.any(axis=-2), np.inf, gap))  # some diverged: parted


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
# Theory with noisy gradients


def iterate_variance(lr, beta, sigma, curvature, *, averaged: bool = True):
    """Stationary variance of one coordinate of momentum on a quadratic with noisy gradients.

    The gradient is ``curvature * x + sigma * noise`` (independent standard normal noise every step). In the
    summed form with ``a = lr`` (averaged form: ``a = lr * (1 - beta)``) the coordinate is an AR(2) process,
    ``x' = (1 + beta - a λ) x - beta x_prev - a sigma noise``, whose variance is

        a sigma**2 (1 + beta) / ((1 - beta) λ (2 (1 + beta) - a λ)).

    In the averaged form this is ``lr sigma**2 / (λ (2 - lr λ (1 - beta) / (1 + beta)))``: gradient descent's
    ``lr sigma**2 / (λ (2 - lr λ))`` with ``lr λ`` multiplied by lesson 01's variance factor
    ``(1 - beta) / (1 + beta)``. ``beta = 0`` gives gradient descent. Infinite outside the stable region.

    Examples
    --------
    >>> float(iterate_variance(0.1, 0.0, 1.0, 10.0))  # gradient descent: lr σ² / (λ (2 - lr λ))
    0.01
    >>> round(float(iterate_variance(0.1, 0.9, 1.0, 10.0)), 6)
    0.005135
    """
    lr, beta, lam = (np.asarray(v, dtype=float) for v in (lr, beta, curvature))
    a = lr * (1 - beta) if averaged else lr
    denominator = (1 - beta) * lam * (2 * (1 + beta) - a * lam)
    with np.errstate(divide="ignore"):
        var = a * sigma**2 * (1 + beta) / denominator
    return np.where((denominator > 0) & (a > 0), var, np.inf)


def noise_floor(lr, beta, sigma, curvatures, *, averaged: bool = True):
    """Predicted mean of ``f - f*`` in the steady state: ``sum over λ of λ/2 × iterate_variance``.

    For gradient descent (``beta = 0``) it is lesson 00's ``sum lr sigma**2 / (2 (2 - lr λ))``.

    Examples
    --------
    >>> round(float(noise_floor(0.15, 0.0, 1.0, [1.0, 10.0])), 4)  # lesson 00's table
    0.1905
    >>> round(float(noise_floor(0.15, 0.9, 1.0, [1.0, 10.0])), 4)
    0.0767
    """
    lams = np.asarray(curvatures, dtype=float)
    lr = np.asarray(lr, dtype=float)[..., None]
    beta = np.asarray(beta, dtype=float)[..., None]
    return np.sum(lams / 2 * iterate_variance(lr, beta, sigma, lams, averaged=averaged), axis=-1)
