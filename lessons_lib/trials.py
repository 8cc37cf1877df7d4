"""Helpers for lesson 06 (the claims on trial): the batched experiments and reductions its trials need.

Lesson 06 puts eight popular claims about momentum and RMSProp on trial. Every trial runs each optimizer over
a small learning-rate grid from many starts and shows it at its best; the races of several optimizers on
several problems are lesson 05's :func:`lessons_lib.races.race`. The helpers here are the rest:

* :func:`heavy_ball_steps` counts the steps of gradient descent and heavy-ball momentum on a family of
  quadratics, with a different ``(lr, beta)`` per quadratic (Polyak's optimum depends on the condition
  number), as one array; :func:`rotated_quadratics` builds the family (and
  :func:`lessons_lib.measures.loglog_slope` fits the growth of the steps with the condition number);
* :func:`step_per_gradient` is how far each coordinate moved per unit of its gradient, and :func:`spread`
  reduces many runs to a median and a 10–90 % range.

Counts of steps follow :meth:`lessons_lib.Trajectory.steps_to`: the first step from which a run is within
the tolerance *for good*, and ``-1`` for a run that never gets there (or diverged).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_count, check_positive
from .optimizers import momentum_update

__all__ = [
    "heavy_ball_steps",
    "rotated_quadratics",
    "spread",
    "step_per_gradient",
]


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
    dim = check_count("rotated_quadratics", "dim", dim, 2)
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
