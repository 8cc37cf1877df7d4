"""Helpers for lesson 06 (the claims on trial): fair, batched experiments and the reductions they need.

Lesson 06 puts eight popular claims about momentum and RMSProp on trial. Every trial runs each optimizer over
a small learning-rate grid from many starts and shows it at its best. The helpers here make that cheap and
uniform:

* :func:`side_by_side` runs one optimizer on several deterministic problems at once, as one array, by laying
  their coordinates side by side. Every update rule of the course acts coordinate by coordinate once it has
  the gradient, and no problem's gradient reads another problem's coordinates, so each problem runs exactly
  as it would alone (:func:`lessons_lib.sweeps.sweep`); it returns one :class:`~lessons_lib.sweeps.Sweep`
  per problem;
* :func:`race` runs several optimizers over a testbed with :func:`side_by_side` and keeps each one's best
  learning rate per problem (:func:`best_setting`);
* :func:`heavy_ball_steps` counts the steps of gradient descent and heavy-ball momentum on a family of
  quadratics, with a different ``(lr, beta)`` per quadratic (Polyak's optimum depends on the condition
  number), as one array; :func:`rotated_quadratics` builds the family and :func:`loglog_slope` fits the
  growth of the steps with the condition number;
* :func:`step_per_gradient` is how far each coordinate moved per unit of its gradient, and :func:`spread`
  reduces many runs to a median and a 10–90 % range.

Counts of steps follow :meth:`lessons_lib.Trajectory.steps_to`: the first step from which a run is within
the tolerance *for good*, and ``-1`` for a run that never gets there (or diverged).
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from ._validate import check_positive
from .optimizers import Optimizer, momentum_update
from .problems import Problem
from .sweeps import Sweep, _batched, _check_grid

__all__ = [
    "Best",
    "best_setting",
    "heavy_ball_steps",
    "loglog_slope",
    "race",
    "rotated_quadratics",
    "side_by_side",
    "spread",
    "step_per_gradient",
]


# ----------------------------------------------------------------------------------------------------
# Several problems as one array run


def _check_problems(owner: str, problems) -> list[Problem]:
    problems = list(problems)
    if not problems:
        raise ValueError(f"{owner}: give at least one problem.")
    for p in problems:
        if not isinstance(p, Problem):
            raise TypeError(f"{owner}: every problem must be a lessons_lib Problem, got {type(p).__name__}.")
        if p.stochastic:
            raise ValueError(
                f"{owner}: {p.name} draws noisy gradients; side by side, the problems would share one "
                "random stream and no run would match its run alone. Use lessons_lib.sweeps.sweep for it."
            )
    return problems


def side_by_side(
    optimizer: Optimizer,
    problems,
    steps: int,
    starts,
    *,
    grid: dict | None = None,
    every: int = 1,
    keep_points: bool = True,
    blowup: float = 1e6,
) -> list[Sweep]:
    """Run ``optimizer`` over a ``grid`` on several deterministic problems at once; one Sweep per problem.

    The problems' coordinates are laid side by side in one array: problem ``i`` owns the coordinates
    ``edges[i]:edges[i+1]``. Each step computes every problem's gradient on its own coordinates and then takes
    one step of the optimizer on the whole array. The update rules of the course (gradient descent, both
    forms of momentum, Adagrad, RMSProp and its variants, Adam) act coordinate by coordinate once they have
    the gradient, so every problem follows exactly the path :func:`lessons_lib.sweeps.sweep` would give it
    alone (to floating-point round-off). Divergence is judged per problem, with the rule of ``sweep``: a run
    of one problem that leaves its plot bounds by ``blowup`` times their size turns NaN from there on,
    without touching the other problems' runs.

    Parameters
    ----------
    optimizer : Optimizer
    problems : sequence of Problem
        Deterministic problems (a noisy one raises: the problems would share one random stream).
    steps : int >= 0
    starts : sequence of array_like
        One batch of starts per problem, shapes ``(N, d_i)`` with the same ``N`` for all (or ``(d_i,)``).
    grid, every, keep_points, blowup
        As in :func:`lessons_lib.sweeps.sweep`.

    Returns
    -------
    list of Sweep
        One per problem, in order, as ``sweep`` would return it; ``seconds`` is the time of the whole side by
        side run (gradients and updates), the same in each.

    Examples
    --------
    Gradient descent on two ravines at once, with two learning rates; each result is that of a run alone:

    >>> from lessons_lib import GradientDescent, ravine
    >>> from lessons_lib.sweeps import sweep
    >>> problems = [ravine(10), ravine(100)]
    >>> starts = [p.random_starts(3, seed=0) for p in problems]
    >>> both = side_by_side(GradientDescent(lr=0.01), problems, 50, starts, grid={"lr": [0.01, 0.019]})
    >>> alone = sweep(GradientDescent(lr=0.01), problems[1], 50, starts[1], grid={"lr": [0.01, 0.019]})
    >>> bool(np.allclose(both[1].points, alone.points, rtol=1e-12))
    True
    >>> both[1].diverged.any(axis=-1)  # lr = 0.019 < 2/L = 0.02: stable on both
    array([False, False])
    """
    owner = "side_by_side"
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{owner}: optimizer must be a lessons_lib optimizer, got {type(optimizer).__name__}."
        )
    problems = _check_problems(owner, problems)
    for name, value in (("steps", steps), ("every", every)):
        low = 0 if name == "steps" else 1
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{owner}: {name} must be a whole number >= {low}, got {value!r}.")
    starts = [np.asarray(s, dtype=float) for s in starts]
    if len(starts) != len(problems):
        raise ValueError(
            f"{owner}: give one batch of starts per problem: {len(problems)}, got {len(starts)}."
        )
    for p, s in zip(problems, starts, strict=True):
        if s.ndim == 0 or s.shape[-1] != p.dim:
            raise ValueError(
                f"{owner}: the starts of {p.name} must have {p.dim} coordinates on their last axis, "
                f"got shape {s.shape}."
            )
    if len({s.shape[:-1] for s in starts}) != 1:
        shapes = ", ".join(str(s.shape) for s in starts)
        raise ValueError(f"{owner}: every problem needs the same number of starts, got shapes {shapes}.")
    grid = _check_grid(optimizer, grid)

    dims = [p.dim for p in problems]
    edges = np.concatenate([[0], np.cumsum(dims)])
    blocks = list(zip(edges[:-1], edges[1:], strict=True))
    x0 = np.concatenate(starts, axis=-1)
    grid_shape = tuple(len(v) for v in grid.values())
    batched = _batched(optimizer, grid, x0.ndim)
    x = np.broadcast_to(x0, grid_shape + x0.shape).copy()
    state = batched.init(x)
    low, high = np.concatenate([np.array(p.bounds, dtype=float) for p in problems]).T
    span = high - low
    limit_low, limit_high = low - blowup * span, high + blowup * span

    recorded = np.array(sorted(set(range(0, steps + 1, every)) | {steps}))
    batch = x.shape[:-1]
    points = [np.full((len(recorded), *batch, d), np.nan) if keep_points else None for d in dims]
    losses = [np.full((len(recorded), *batch), np.nan) for _ in problems]
    diverged_steps = np.full((*batch, len(problems)), -1, dtype=int)
    alive = np.ones((*batch, len(problems)), dtype=bool)
    dead = np.zeros(x.shape, dtype=bool)  # per coordinate: its problem's run has diverged (and is NaN)
    seconds = 0.0
    row = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for k in range(steps + 1):
            if k > 0:
                start = time.perf_counter()
                g = np.concatenate(
                    [p.grad(x[..., a:b]) for p, (a, b) in zip(problems, blocks, strict=True)], axis=-1
                )
                x, state = batched._step(x, g, state)
                seconds += time.perf_counter() - start
                inside = (x >= limit_low) & (x <= limit_high)  # NaN is not inside
                if not np.all(inside | dead):  # the usual case costs one test: no live run left
                    bad = alive & ~np.logical_and.reduceat(inside, edges[:-1], axis=-1)
                    diverged_steps[bad] = k
                    alive &= ~bad
                    dead = ~np.repeat(alive, dims, axis=-1)
                    x = np.where(dead, np.nan, x)
            if k == recorded[row]:
                for i, (p, (a, b)) in enumerate(zip(problems, blocks, strict=True)):
                    if keep_points:
                        points[i][row] = x[..., a:b]
                    losses[i][row] = np.where(alive[..., i], p.f(x[..., a:b]), np.nan)
                row += 1
    return [
        Sweep(
            optimizer=optimizer,
            problem=p,
            grid=grid,
            steps=recorded,
            points=points[i],
            losses=losses[i],
            diverged_steps=diverged_steps[..., i],
            seconds=seconds,
        )
        for i, p in enumerate(problems)
    ]


# ----------------------------------------------------------------------------------------------------
# Each optimizer at its best


class Best(NamedTuple):
    """One optimizer's best setting on one problem (see :func:`best_setting`).

    ``index`` into the grid and its ``lr``; ``reached``, the fraction of runs that reached the tolerance;
    ``median``, the median number of steps (``inf`` when fewer than half of the runs reached it); ``steps``,
    every run's count at that setting (-1: never).
    """

    index: int
    lr: float
    reached: float
    median: float
    steps: np.ndarray


def _as_inf(steps) -> np.ndarray:
    steps = np.asarray(steps)
    return np.where(steps < 0, np.inf, steps).astype(float)


def best_setting(steps, lrs) -> Best:
    """The best learning rate of a grid: the most runs within the tolerance, then the fewest steps.

    Parameters
    ----------
    steps : array_like of int, shape (len(lrs), N)
        Steps until each run reached the tolerance for good, ``-1`` where it never did.
    lrs : sequence of float

    Examples
    --------
    >>> steps = [[-1, 40, 60, 50], [30, 20, 25, -1], [35, 30, 30, 30]]
    >>> best = best_setting(steps, [0.01, 0.1, 1.0])
    >>> best.lr, best.reached, best.median
    (1.0, 1.0, 30.0)
    """
    steps = np.asarray(steps)
    lrs = np.asarray(lrs, dtype=float)
    if steps.ndim != 2 or steps.shape[0] != len(lrs):
        raise ValueError(
            f"best_setting: steps must have shape (len(lrs), N) = ({len(lrs)}, N), got {steps.shape}."
        )
    reached = np.mean(steps >= 0, axis=1)
    median = np.median(_as_inf(steps), axis=1)
    i = int(np.lexsort((median, -reached))[0])
    return Best(i, float(lrs[i]), float(reached[i]), float(median[i]), steps[i])


def race(
    optimizers: dict,
    problems: dict,
    steps: int,
    *,
    lrs,
    n_starts: int = 50,
    seed: int = 0,
    tol: float = 1e-3,
    distance: bool = False,
    every: int = 1,
) -> dict:
    """Every optimizer on every problem over its learning-rate grid, from the same random starts; the best.

    Each optimizer runs once, on all problems side by side (:func:`side_by_side`), for all its learning rates
    and ``n_starts`` random starts per problem (``problem.random_starts(n_starts, seed)``, the same for every
    optimizer). A run has arrived when the gap ``f - f*`` has fallen to ``tol`` times its value at the start
    and stays there (or, with ``distance=True``, the distance to the minimiser, as
    :func:`lessons_lib.scaling.distance_steps`); :func:`best_setting` then picks each optimizer's best
    learning rate on each problem.

    Parameters
    ----------
    optimizers : dict of name -> Optimizer
    problems : dict of name -> Problem
        Deterministic, with a known minimum (and minimiser for ``distance=True``).
    steps : int
    lrs : sequence of float, or dict of optimizer name -> sequence of float
        The learning-rate grid, the same for all or one per optimizer.
    n_starts, seed : int
    tol : float in (0, 1)
    distance : bool
    every : int
        Check the tolerance every ``every`` steps (counts are then multiples of ``every``): cheaper.

    Returns
    -------
    dict of problem name -> dict of optimizer name -> Best

    Examples
    --------
    >>> from lessons_lib import GradientDescent, Momentum, ravine
    >>> table = race(
    ...     {"GD": GradientDescent(lr=0.1), "momentum": Momentum(lr=0.1)},
    ...     {"ravine": ravine(10)},
    ...     200,
    ...     lrs=[0.05, 0.1, 0.19],
    ...     n_starts=20,
    ... )
    >>> best = table["ravine"]["GD"]
    >>> best.lr, best.reached, best.median  # lr = 1/L settles the steep direction in one step
    (0.1, 1.0, 28.5)
    """
    tol = check_positive("race", "tol", tol)
    if tol >= 1:
        raise ValueError(f"race: tol must be below 1 (a fraction of the starting gap), got {tol!r}.")
    names = list(problems)
    chosen = _check_problems("race", problems.values())
    for p in chosen:
        if p.f_min is None or (distance and p.minimizer is None):
            what = "minimiser" if distance else "minimum"
            raise ValueError(f"race: the {what} of {p.name} is not known, so no run can be timed to it.")
    starts = [p.random_starts(n_starts, seed) for p in chosen]
    table = {name: {} for name in names}
    for opt_name, opt in optimizers.items():
        grid = np.asarray(lrs[opt_name] if isinstance(lrs, dict) else lrs, dtype=float)
        runs = side_by_side(opt, chosen, steps, starts, grid={"lr": grid}, every=every, keep_points=distance)
        for name, p, sw, x0 in zip(names, chosen, runs, starts, strict=True):
            if distance:
                gone = np.linalg.norm(sw.points - p.minimizer, axis=-1)
                within = gone <= tol * np.linalg.norm(x0 - p.minimizer, axis=-1)  # NaN compares False
                stays = np.flip(np.logical_and.accumulate(np.flip(within, axis=0), axis=0), axis=0)
                counts = np.where(stays.any(axis=0), sw.steps[np.argmax(stays, axis=0)], -1)
            else:
                counts = sw.steps_to(tol * p.gap(x0))
            table[name][opt_name] = best_setting(counts, grid)
    return table


# ----------------------------------------------------------------------------------------------------
# Quadratics of growing condition number


def rotated_quadratics(kappas, *, dim: int = 2, seed: int = 0) -> np.ndarray:
    """Hessians of quadratics ``x·Hx/2`` with curvatures from 1 to ``kappa``, in a random orientation each.

    The curvatures are ``dim`` values evenly spaced on a log scale from ``mu = 1`` to ``L = kappa``; the
    eigenvectors are a random orthonormal basis (seeded), so no quadratic lies along the axes.

    Returns
    -------
    ndarray, shape (len(kappas), dim, dim)

    Examples
    --------
    >>> H = rotated_quadratics([10.0, 1000.0], seed=1)
    >>> np.linalg.eigvalsh(H).round(6).tolist()
    [[1.0, 10.0], [1.0, 1000.0]]
    """
    kappas = np.asarray(kappas, dtype=float)
    if kappas.ndim != 1 or np.any(~(kappas >= 1)):
        raise ValueError(f"rotated_quadratics: every kappa must be >= 1 (it is L / mu), got {kappas!r}.")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 2:
        raise ValueError(f"rotated_quadratics: dim must be a whole number >= 2, got {dim!r}.")
    rng = np.random.default_rng(seed)
    hessians = []
    for kappa in kappas:
        q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
        q = q * np.sign(np.diag(r))  # a uniformly random rotation (Haar measure)
        h = (q * np.geomspace(1.0, kappa, dim)) @ q.T
        hessians.append((h + h.T) / 2)
    return np.array(hessians)


def heavy_ball_steps(hessians, lrs, betas, x0, steps: int, *, tol: float) -> np.ndarray:
    """Steps of heavy-ball momentum until ``|x - x*| <= tol |x0 - x*|`` for good, on each quadratic.

    The summed form ``v = beta v + g; x = x - lr v`` (:func:`lessons_lib.momentum_update` with
    ``averaged=False``), in which Polyak's optimum and the rates of lesson 02 are written; ``beta = 0`` is
    gradient descent. Every setting runs on every quadratic from every start, as one array, each setting
    with its own ``(lr, beta)`` per quadratic (the best ones depend on the condition number).

    Parameters
    ----------
    hessians : array_like, shape (K, d, d)
        The quadratics ``x·Hx/2`` (minimiser 0), e.g. from :func:`rotated_quadratics`.
    lrs, betas : array_like, shape (S, K)
        Setting ``s`` on quadratic ``k`` uses ``lrs[s, k]`` and ``betas[s, k]``.
    x0 : array_like, shape (N, d)
    steps : int
    tol : float in (0, 1)

    Returns
    -------
    ndarray of int, shape (S, K, N)
        The first step from which each run stays within ``tol`` of its starting distance; -1 if that does not
        happen within ``steps`` (or the run diverged).

    Examples
    --------
    Gradient descent at ``lr = 2/(L + mu)`` shrinks every direction by ``(kappa-1)/(kappa+1)`` per step, so
    on ``kappa = 10`` it needs ``ln(1e-2)/ln(9/11) = 22.9`` steps to shrink the distance a hundredfold:

    >>> H = rotated_quadratics([10.0])
    >>> x0 = np.random.default_rng(0).standard_normal((5, 2))
    >>> heavy_ball_steps(H, [[2 / 11]], [[0.0]], x0, 100, tol=1e-2)
    array([[[23, 23, 23, 23, 23]]])
    """
    tol = check_positive("heavy_ball_steps", "tol", tol)
    if tol >= 1:
        raise ValueError(f"heavy_ball_steps: tol must be below 1, got {tol!r}.")
    hessians = np.asarray(hessians, dtype=float)
    x0 = np.asarray(x0, dtype=float)
    if hessians.ndim != 3 or hessians.shape[1] != hessians.shape[2]:
        raise ValueError(f"heavy_ball_steps: hessians must have shape (K, d, d), got {hessians.shape}.")
    if x0.ndim != 2 or x0.shape[1] != hessians.shape[1]:
        raise ValueError(f"heavy_ball_steps: x0 must have shape (N, {hessians.shape[1]}), got {x0.shape}.")
    lr, beta = np.broadcast_arrays(np.asarray(lrs, dtype=float), np.asarray(betas, dtype=float))
    if lr.ndim != 2 or lr.shape[1] != len(hessians):
        raise ValueError(
            f"heavy_ball_steps: lrs and betas must have shape (S, K), K = {len(hessians)}, got {lr.shape}."
        )
    if np.any(~(lr > 0)) or np.any(~((beta >= 0) & (beta < 1))):
        raise ValueError("heavy_ball_steps: every lr must be > 0 and every beta in [0, 1).")
    lr, beta = lr[..., None, None], beta[..., None, None]
    x = np.broadcast_to(x0, (*lr.shape[:2], *x0.shape)).copy()
    v = np.zeros_like(x)
    limit = tol**2 * np.einsum("...i,...i->...", x, x)
    last_outside = np.zeros(x.shape[:-1], dtype=int)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            x, v = momentum_update(x, x @ hessians, v, lr=lr, beta=beta, averaged=False)  # g = Hx
            outside = ~(np.einsum("...i,...i->...", x, x) <= limit)  # NaN (diverged) is outside
            last_outside[outside] = k
    return np.where(last_outside < steps, last_outside + 1, -1)


def loglog_slope(x, y) -> float:
    """The least-squares slope of ``log y`` against ``log x``: ``y`` grows like ``x**slope``.

    >>> round(loglog_slope([10, 100, 1000], [3.0, 9.5, 30.0]), 3)
    0.5
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
# Reductions


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
    """
    values = np.asarray(values, dtype=float)
    # np.nanpercentile loops over the other axes in Python: use it only when there is a NaN to skip
    percentile = np.nanpercentile if np.isnan(values).any() else np.percentile
    is_inf = np.where(np.isnan(values), np.nan, np.isinf(values))
    with np.errstate(invalid="ignore"):
        q = percentile(values, [10, 50, 90], axis=axis)
        top = percentile(is_inf, [10, 50, 90], axis=axis)
    return np.where(top > 0, np.inf, q)
