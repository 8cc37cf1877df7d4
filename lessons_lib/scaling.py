"""Helpers for lesson 04 (RMSProp): batched runs of the adaptive rules, rescaled gradients, saddle escapes.

RMSProp divides each coordinate's gradient by the root of an exponentially weighted average (EWA) of its
squares. The lesson measures what that division does, over many starts and settings at once:

* :func:`run_adaptive_grid` runs RMSProp (or Adagrad) for a whole grid of ``lr`` (and ``beta``) from a batch
  of starts as one array, optionally on a landscape that drifts (a moving target);
* :func:`run_rescaled` runs one optimizer with the gradients multiplied by each of several scales, as one
  array, to test claim C6 (the step size does not depend on the gradient's scale);
* :func:`steady_step` and :func:`halving_gradient` are the closed forms for where ``eps`` takes over;
* :func:`divided_steps` shows why RMSProp divides by the *root* of the mean *square*, not something else;
* :func:`saddle_starts` and :func:`escape_steps` measure how fast a run leaves a saddle point.

Steps until a run is, and stays, close to the minimum: :func:`lessons_lib.measures.distance_steps`.

Arrays of points keep the steps on the first axis and the coordinates on the last, as
:attr:`lessons_lib.Trajectory.points` does.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import check_nonnegative, check_positive
from .averages import ewa
from .optimizers import Optimizer, adagrad_update, rmsprop_variant_update
from .problems import Problem

__all__ = [
    "AdaptiveGrid",
    "divided_steps",
    "escape_steps",
    "halving_gradient",
    "run_adaptive_grid",
    "run_rescaled",
    "saddle_starts",
    "steady_step",
]


# ----------------------------------------------------------------------------------------------------
# Batched runs


class AdaptiveGrid(NamedTuple):
    """What :func:`run_adaptive_grid` returns.

    ``points`` has shape ``(steps + 1, len(lrs), len(betas), *x0.shape)``; with a ``drift`` the points are
    offsets from the moving landscape (see :func:`run_adaptive_grid`). ``effective_lrs`` has shape
    ``(steps, len(lrs), len(betas), *x0.shape)`` (the factor ``lr / denominator`` of each step), or is None
    unless asked for.
    """

    points: np.ndarray
    effective_lrs: np.ndarray | None


def run_adaptive_grid(
    problem: Problem,
    lrs,
    x0,
    steps: int,
    *,
    betas=(0.9,),
    adagrad: bool = False,
    eps: float = 1e-8,
    eps_in_sqrt: bool = False,
    centered: bool = False,
    momentum: float = 0.0,
    drift=None,
    seed: int | None = 0,
    blowup: float = 1e6,
    keep_effective_lrs: bool = False,
) -> AdaptiveGrid:
    """RMSProp (or Adagrad) for every ``(lr, beta)`` of a grid from every start, as one array run.

    Each step is :func:`lessons_lib.rmsprop_variant_update` (or :func:`lessons_lib.adagrad_update`) applied to
    an array of shape ``(len(lrs), len(betas), *x0.shape)``, with ``lr`` and ``beta`` broadcast along the
    first two axes: the same rule as :class:`lessons_lib.RMSProp` and :class:`lessons_lib.Adagrad`, without
    a Python loop over settings. A run that leaves the plot bounds by ``blowup`` times their size (or
    overflows) is marked diverged: its later points are NaN.

    Parameters
    ----------
    problem : Problem
        A stochastic problem draws independent noise for every run, from one generator seeded by ``seed``.
    lrs : sequence of float > 0
    x0 : array_like, shape (N, d) or (d,)
    steps : int
    betas : sequence of float in [0, 1)
        RMSProp's decays; ignored by Adagrad (which has none), whose second axis then has length 1.
    adagrad : bool
        Run Adagrad, ``s = s + g**2``, instead of RMSProp.
    eps, eps_in_sqrt, centered, momentum
        As in :class:`lessons_lib.RMSProp` (``centered`` and ``momentum`` for RMSProp only).
    drift : array_like, shape (d,), optional
        Make the landscape move: the loss at time ``t`` is ``problem.f(x - t * drift)``, so the minimiser
        moves by ``drift`` per step. Step ``k`` uses the gradient at time ``k - 1``; the returned points are
        then the offsets from the moving copy, ``x_k - k * drift``, so that ``problem.gap(points)`` is how
        far each run trails its target.
    seed : int or None
    blowup : float
    keep_effective_lrs : bool
        Also return each step's effective learning rate, ``lr / (sqrt(s) + eps)`` per coordinate.

    Returns
    -------
    AdaptiveGrid

    Examples
    --------
    The first RMSProp step is ``lr / sqrt(1 - beta)`` in every coordinate, whatever the gradient:

    >>> from lessons_lib import ravine
    >>> run = run_adaptive_grid(ravine(10), [0.1], [[1.0, 1.0]], steps=1, betas=[0.9, 0.99])
    >>> (run.points[0] - run.points[1]).round(4)  # shape (lrs, betas, starts, d)
    array([[[[0.3162, 0.3162]],
    <BLANKLINE>
            [[1.    , 1.    ]]]])
    """
    lrs = np.asarray(lrs, dtype=float)
    betas = np.asarray([0.0] if adagrad else betas, dtype=float)
    x0 = np.asarray(x0, dtype=float)
    if lrs.ndim != 1 or betas.ndim != 1:
        raise ValueError("run_adaptive_grid: lrs and betas must be 1-D sequences of numbers.")
    if np.any(~(lrs > 0)) or np.any(~((betas >= 0) & (betas < 1))):
        raise ValueError("run_adaptive_grid: every lr must be > 0 and every beta in [0, 1).")
    if adagrad and (centered or momentum):
        raise ValueError("run_adaptive_grid: centered and momentum are options of RMSProp, not of Adagrad.")
    eps = check_nonnegative("run_adaptive_grid", "eps", eps)
    extra = (1,) * x0.ndim
    lr = lrs.reshape(-1, 1, *extra)
    beta = betas.reshape(1, -1, *extra)
    x = np.broadcast_to(x0, (len(lrs), len(betas), *x0.shape)).copy()
    s = np.zeros_like(x)
    m = np.zeros_like(x) if centered else None
    v = np.zeros_like(x) if momentum > 0 else None
    shift = np.zeros(problem.dim) if drift is None else np.asarray(drift, dtype=float)
    rng = np.random.default_rng(seed) if problem.stochastic else None
    limit = blowup * max(high - low for low, high in problem.bounds)
    points = np.empty((steps + 1, *x.shape))
    points[0] = x
    effective = np.empty((steps, *x.shape)) if keep_effective_lrs else None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(1, steps + 1):
            here = x - (k - 1) * shift  # where the run is, seen from the landscape at time k - 1
            g = problem.sample_grad(here, rng) if rng is not None else problem.grad(here)
            if adagrad:
                if eps_in_sqrt:
                    s = s + g**2  # (A1)
                    x = x - lr * g / np.sqrt(s + eps)
                else:
                    x, s = adagrad_update(x, g, s, lr=lr, eps=eps)
            else:
                x, s, m, v = rmsprop_variant_update(
                    x, g, s, m, v, lr=lr, beta=beta, eps=eps, momentum=momentum, eps_in_sqrt=eps_in_sqrt
                )
            bad = ~(np.abs(x - k * shift) <= limit)  # also true for NaN
            if bad.any():
                x[bad] = np.nan
            points[k] = x - k * shift
            if effective is not None:
                mean_square = s if m is None else np.maximum(s - m**2, 0.0)
                root = np.sqrt(mean_square + eps) if eps_in_sqrt else np.sqrt(mean_square) + eps
                effective[k - 1] = lr / root
    return AdaptiveGrid(points, effective)


def run_rescaled(optimizer: Optimizer, problem: Problem, scales, steps: int, x0=None) -> np.ndarray:
    """Run ``optimizer`` with every gradient multiplied by each of ``scales``, all scales as one array.

    Multiplying the loss by ``c`` multiplies every gradient by ``c`` and leaves the minimiser where it was;
    a rule that only looks at the gradient's scale-free shape takes the same path for every ``c``.

    Parameters
    ----------
    optimizer : Optimizer
    problem : Problem
        Deterministic; its exact gradient is used.
    scales : sequence of float > 0
    steps : int
    x0 : array_like, shape (d,) or (N, d), optional
        Start (default ``problem.x0``).

    Returns
    -------
    ndarray, shape (steps + 1, len(scales), *x0.shape)
        The points; a run whose points overflow or leave the plot bounds by a factor 1e6 is NaN from there
        on.

    Examples
    --------
    >>> from lessons_lib import GradientDescent, RMSProp, ravine
    >>> pts = run_rescaled(RMSProp(lr=0.1), ravine(10), [1e-3, 1.0, 1e3], steps=20)
    >>> float(np.abs(pts[:, 0] - pts[:, 2]).max()) < 1e-4  # the same path, up to eps's share
    True
    >>> pts = run_rescaled(GradientDescent(lr=0.1), ravine(10), [1e-3, 1.0], steps=1)
    >>> (pts[1] - pts[0]).round(4).tolist()  # gradient descent's step scales with the gradient
    [[0.0008, -0.002], [0.8, -2.0]]
    """
    scales = np.asarray(scales, dtype=float)
    if scales.ndim != 1 or np.any(~(scales > 0)):
        raise ValueError("run_rescaled: scales must be a 1-D sequence of numbers > 0.")
    x0 = np.asarray(problem.x0 if x0 is None else x0, dtype=float)
    c = scales.reshape(-1, *(1,) * x0.ndim)
    x = np.broadcast_to(x0, (len(scales), *x0.shape)).copy()
    state = optimizer.init(x)
    limit = 1e6 * max(high - low for low, high in problem.bounds)
    points = np.empty((steps + 1, *x.shape))
    points[0] = x
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            x, state = optimizer.step(x, c * problem.grad(x), state)
            x = np.where(np.abs(x) <= limit, x, np.nan)
            points[k] = x
    return points


# ----------------------------------------------------------------------------------------------------
# Closed forms


def steady_step(g, *, lr: float, eps: float, eps_in_sqrt: bool = False):
    """The step RMSProp (or Adam) takes once a constant gradient ``g`` has filled its average, ``s = g**2``.

    ``lr * |g| / (|g| + eps)`` with eps outside the root (PyTorch), ``lr * |g| / sqrt(g**2 + eps)`` with
    eps inside (Keras, optax): about ``lr`` for large gradients, and ``lr * |g| / eps`` (outside) or
    ``lr * |g| / sqrt(eps)`` (inside) once ``|g|`` is small, like gradient descent.

    Examples
    --------
    >>> steady_step(np.array([1e-8, 1.0]), lr=0.1, eps=1e-8)
    array([0.05, 0.1 ])
    >>> round(float(steady_step(1e-4, lr=0.1, eps=1e-8, eps_in_sqrt=True)), 4)  # already down by a third
    0.0707
    """
    g = np.abs(np.asarray(g, dtype=float))
    lr = check_positive("steady_step", "lr", lr)
    eps = check_nonnegative("steady_step", "eps", eps)
    with np.errstate(invalid="ignore", divide="ignore"):
        return lr * g / (np.sqrt(g**2 + eps) if eps_in_sqrt else g + eps)


def halving_gradient(eps: float, *, eps_in_sqrt: bool = False) -> float:
    """The gradient size at which :func:`steady_step` is half of ``lr``: ``eps`` (outside the root) or
    ``sqrt(eps / 3)`` (inside: ``g / sqrt(g**2 + eps) = 1/2`` gives ``4 g**2 = g**2 + eps``).

    Examples
    --------
    >>> halving_gradient(1e-8)
    1e-08
    >>> round(halving_gradient(1e-8, eps_in_sqrt=True), 7)  # optax's default: steps halve below 6e-5
    5.77e-05
    """
    eps = check_positive("halving_gradient", "eps", eps)
    return float(np.sqrt(eps / 3)) if eps_in_sqrt else eps


# ----------------------------------------------------------------------------------------------------
# Why the root of the mean square


def divided_steps(grads, *, lr: float, beta: float, divide_by: str = "rms", eps: float = 1e-8):
    """The steps ``-lr * g / denominator`` that a stream of gradients gives, for several denominators.

    ``divide_by`` chooses the denominator, an EWA (:func:`lessons_lib.ewa`, no bias correction) of the
    gradients up to and including the current one:

    * ``"rms"``: ``sqrt(EWA(g**2)) + eps``, RMSProp;
    * ``"mean square"``: ``EWA(g**2) + eps``, no root;
    * ``"mean"``: ``EWA(g) + eps``, no square;
    * ``"none"``: 1, gradient descent.

    Parameters
    ----------
    grads : array_like, shape (T, ...)
        The gradients, one per step along the first axis.
    lr, beta, eps : float

    Returns
    -------
    ndarray, shape (T, ...)

    Examples
    --------
    A steady gradient 4: RMSProp's steps tend to ``lr``, the mean square's to ``lr / 4``:

    >>> g = np.full(200, 4.0)
    >>> for kind in ("rms", "mean square", "mean", "none"):
    ...     print(kind, round(float(divided_steps(g, lr=0.1, beta=0.9, divide_by=kind)[-1]), 4))
    rms -0.1
    mean square -0.025
    mean -0.1
    none -0.4
    """
    g = np.asarray(grads, dtype=float)
    if divide_by == "rms":
        denominator = np.sqrt(ewa(g**2, beta)) + eps
    elif divide_by == "mean square":
        denominator = ewa(g**2, beta) + eps
    elif divide_by == "mean":
        denominator = ewa(g, beta) + eps
    elif divide_by == "none":
        denominator = 1.0
    else:
        raise ValueError(
            f"divided_steps: divide_by must be 'rms', 'mean square', 'mean' or 'none', got {divide_by!r}."
        )
    return -lr * g / denominator


# ----------------------------------------------------------------------------------------------------
# Saddle points


def saddle_starts(problem: Problem, n: int, *, y_range=(1e-9, 1e-2), seed: int = 0) -> np.ndarray:
    """``n`` starts next to a saddle's ridge: ``x₁`` uniform over the plot bounds, ``x₂ = ±10**u`` with ``u``
    uniform between the logarithms of ``y_range`` (both signs equally often). Shape ``(n, 2)``.

    Examples
    --------
    >>> from lessons_lib import saddle
    >>> starts = saddle_starts(saddle(), 1000, seed=0)
    >>> bool(np.all((np.abs(starts[:, 1]) >= 1e-9) & (np.abs(starts[:, 1]) <= 1e-2)))
    True
    """
    low, high = (float(v) for v in y_range)
    if not 0 < low <= high:
        raise ValueError(f"saddle_starts: y_range must be (low, high) with 0 < low <= high, got {y_range!r}.")
    rng = np.random.default_rng(seed)
    x_low, x_high = problem.bounds[0]
    x = rng.uniform(x_low, x_high, n)
    y = rng.choice([-1.0, 1.0], n) * 10 ** rng.uniform(np.log10(low), np.log10(high), n)
    return np.stack([x, y], axis=-1)


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
# Reducing runs to numbers
