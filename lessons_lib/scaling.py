"""Helpers for lesson 04 (RMSProp): where eps takes over, why the root of the mean square, saddle escapes.

RMSProp divides each coordinate's gradient by the root of an exponentially weighted average (EWA) of its
squares. The lesson measures what that division does, over many starts and settings at once (grids of
settings, rescaled gradients and moving targets are options of :func:`lessons_lib.sweeps.sweep`):

* :func:`steady_step` and :func:`halving_gradient` are the closed forms for where ``eps`` takes over;
* :func:`divided_steps` shows why RMSProp divides by the *root* of the mean *square*, not something else;
* :func:`saddle_starts` and :func:`escape_steps` measure how fast a run leaves a saddle point.

Steps until a run is, and stays, close to the minimum: :func:`lessons_lib.measures.distance_steps`.

Arrays of points keep the steps on the first axis and the coordinates on the last, as
:attr:`lessons_lib.Trajectory.points` does.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_nonnegative, check_positive
from .averages import ewa
from .problems import Problem

__all__ = [
    "divided_steps",
    "escape_steps",
    "halving_gradient",
    "saddle_starts",
    "steady_step",
]


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
