"""Exponentially weighted averages (lesson 01) and the small facts about them that later lessons reuse.

The exponentially weighted average (EWA) of a series ``x_1, x_2, ...`` with decay ``beta`` is

    v_0 = 0
    v_t = beta * v_{t-1} + (1 - beta) * x_t                      (E1)

Unrolled, the value ``k`` steps back carries weight ``(1 - beta) * beta**k`` and the weights of ``v_t`` sum to
``1 - beta**t``; dividing by that sum is the bias correction

    v_hat_t = v_t / (1 - beta**t)                                (E2)

Momentum (lesson 02) is (E1) applied to gradients, RMSProp (lesson 04) is (E1) applied to squared gradients,
and Adam (lesson 05) uses both with (E2). They all call :func:`ewa_update` and :func:`bias_correction`.

Smoothing a series: :func:`moving_average` (what the EWA is compared with), :func:`ewa_for_betas` (many
decays at once), and the lag of a smoothed series: :func:`steps_to_reach`, :func:`best_shift`,
:func:`weights_mean_age`. :func:`divided_steps` divides a stream of gradients by several averages of their
squares or sizes, to show why RMSProp takes the root of the mean square.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import (
    as_real_array,
    check_bool,
    check_count,
    check_in_unit_interval,
    check_real,
)

__all__ = [
    "best_shift",
    "bias_correction",
    "divided_steps",
    "ewa",
    "ewa_for_betas",
    "ewa_update",
    "ewa_weights",
    "half_life",
    "moving_average",
    "noise_variance_factor",
    "steps_to_reach",
    "weights_mean_age",
    "window",
]


def ewa_update(v, x, beta):
    """One step of the exponentially weighted average: ``beta * v + (1 - beta) * x``  (E1)."""
    return beta * v + (1 - beta) * x


def bias_correction(v, beta, t):
    """Divide an EWA by the sum of its weights, ``1 - beta**t``, with ``t`` counted from 1  (E2)."""
    if not np.all(np.asarray(t) >= 1):  # NaN fails too
        raise ValueError(
            f"bias_correction: t counts steps from 1, got {t!r}. At t = 0 no value has been averaged."
        )
    return v / (1 - beta**t)


def ewa(values, beta, bias_correction=False):
    """Exponentially weighted average of a series, one output per input.

    ``v_0 = 0``;  ``v_t = beta * v_{t-1} + (1 - beta) * x_t``  (E1); with ``bias_correction=True`` each
    ``v_t`` is divided by ``1 - beta**t``  (E2), ``t`` counted from 1.

    Parameters
    ----------
    values : array_like, shape (T, ...)
        The series ``x_1 ... x_T`` along the first axis; any trailing shape is averaged element-wise.
    beta : float in [0, 1)
        Decay. ``beta = 0`` returns the series itself; ``beta`` near 1 averages over about
        ``1 / (1 - beta)`` values.
    bias_correction : bool
        Divide by ``1 - beta**t`` so that the start is not pulled towards the initial 0.

    Returns
    -------
    numpy.ndarray of float, same shape as ``values``.

    Conventions
    -----------
    With ``bias_correction=True`` this equals pandas' ``Series.ewm(alpha=1 - beta, adjust=True).mean()``; with
    ``False`` it is pandas' ``adjust=False`` recursion started from 0 instead of from ``x_1``.

    Examples
    --------
    >>> ewa([1.0, 1.0, 1.0], beta=0.5)
    array([0.5  , 0.75 , 0.875])
    >>> ewa([1.0, 1.0, 1.0], beta=0.5, bias_correction=True)
    array([1., 1., 1.])
    """
    beta = check_in_unit_interval("ewa", "beta", beta)
    bias_correction = check_bool("ewa", "bias_correction", bias_correction)
    x = as_real_array("ewa", "values", values)
    if x.ndim == 0:
        raise ValueError(f"ewa: values must be a series (at least one dimension), got the scalar {values!r}.")
    out = np.empty_like(x)
    v = np.zeros_like(x[0]) if len(x) else 0.0
    for t in range(len(x)):
        v = ewa_update(v, x[t], beta)
        out[t] = v
    if bias_correction and len(x):
        t = np.arange(1, len(x) + 1).reshape((-1,) + (1,) * (x.ndim - 1))
        out = out / (1 - beta**t)
    return out


def ewa_weights(beta, t):
    """The weight of each past value in ``v_t``: index ``k`` holds ``(1 - beta) * beta**k``, k = 0 .. t-1.

    ``k = 0`` is the newest value. The weights sum to ``1 - beta**t``.

    >>> ewa_weights(0.5, 3)
    array([0.5  , 0.25 , 0.125])
    """
    beta = check_in_unit_interval("ewa_weights", "beta", beta)
    t = check_count("ewa_weights", "t", t, 0, "It is the number of values averaged so far.")
    return (1 - beta) * beta ** np.arange(t)


def window(beta):
    """The averaging window, about ``1 / (1 - beta)`` values: the mean age of the weights, plus one.

    Not the same number as :func:`half_life`.

    >>> round(window(0.9), 6)
    10.0
    """
    beta = check_in_unit_interval("window", "beta", beta)
    return 1 / (1 - beta)


def half_life(beta):
    """Steps until a value's weight has halved: ``ln 2 / ln(1 / beta)``.

    >>> round(half_life(0.9), 2)
    6.58
    """
    beta = check_in_unit_interval("half_life", "beta", beta)
    if beta == 0:
        return 0.0
    return math.log(2) / math.log(1 / beta)


def noise_variance_factor(beta):
    """Steady-state variance of the EWA of i.i.d. noise, as a fraction of the noise variance.

    ``sum_k ((1 - beta) * beta**k)**2 = (1 - beta) / (1 + beta)``.

    >>> round(noise_variance_factor(0.9), 6)
    0.052632
    """
    beta = check_in_unit_interval("noise_variance_factor", "beta", beta)
    return (1 - beta) / (1 + beta)


def mean_age(beta):
    """The mean age of the EWA's weights, ``beta / (1 - beta)`` steps: its lag behind a steady trend.

    ``sum_k k * (1 - beta) * beta**k = beta / (1 - beta)``: averaging ``x_t = a t`` gives, once the start is
    forgotten, ``v_t = a (t - beta / (1 - beta))``. It is :func:`window` minus one.

    >>> round(mean_age(0.9), 6)
    9.0
    """
    beta = check_in_unit_interval("mean_age", "beta", beta)
    return beta / (1 - beta)


def forget_time(beta, fraction=0.01):
    """The first step ``t`` with ``beta**t < fraction``: when the start-up bias has fallen below ``fraction``.

    ``beta**t`` is the weight the EWA still puts on its start ``v_0 = 0`` after ``t`` steps (the bias that
    :func:`bias_correction` removes), and also the factor by which the weight of a value ``t`` steps old has
    shrunk. So it is the number of steps after which bias correction changes ``v_t`` by less than
    ``fraction`` (relatively), and after which a value matters ``1 / fraction`` times less than when it
    arrived: ``t > ln(fraction) / ln(beta)``.

    >>> forget_time(0.9), forget_time(0.999)
    (44, 4603)
    """
    beta = check_in_unit_interval("forget_time", "beta", beta)
    fraction = check_real("forget_time", "fraction", fraction)
    if not 0 < fraction < 1:
        raise ValueError(
            f"forget_time: fraction must be in (0, 1), got {fraction!r}. It is the weight still left on the "
            "start, which begins at 1 and only shrinks towards 0."
        )
    if beta == 0:
        return 1
    t = max(1, math.floor(math.log(fraction) / math.log(beta)) + 1)
    while beta**t >= fraction:  # the logarithms can be off by one ulp where the ratio is a whole number
        t += 1
    while t > 1 and beta ** (t - 1) < fraction:
        t -= 1
    return t


def matching_beta(n):
    """The decay whose EWA has the same mean age as an ``n``-point simple moving average: ``(n-1)/(n+1)``.

    The moving average's equal weights have mean age ``(n - 1) / 2``; the EWA's have ``beta / (1 - beta)``.
    Equal ages give ``beta = (n - 1) / (n + 1)``, and then the two also leave the same fraction of i.i.d.
    noise variance, ``(1 - beta) / (1 + beta) = 1 / n``.

    >>> matching_beta(19)
    0.9
    """
    n = check_count(
        "matching_beta", "n", n, 1, "It is the length of the moving average.", "whole number of values"
    )
    return (n - 1) / (n + 1)


# ----------------------------------------------------------------------------------------------------
# Smoothing a series: delays, ages, moving averages


def steps_to_reach(response, level: float = 0.5) -> int:
    """The first step ``t`` (counted from 1) at which a response to a unit jump reaches ``level``.

    Feed a smoother the series ``1, 1, 1, ...`` (a jump from the start value 0 to 1): with ``level = 0.5``
    this is the median delay. For the EWA, whose response is ``1 - beta**t``, it is the half-life
    ``ln 2 / ln(1 / beta)`` rounded up.

    Parameters
    ----------
    response : array_like, shape (T,)
        The smoother's output for ``T`` ones.
    level : float
        The fraction of the jump to reach.

    Returns
    -------
    int

    Examples
    --------
    >>> from lessons_lib import ewa
    >>> steps_to_reach(ewa([1.0] * 20, beta=0.9))  # 0.9**7 = 0.48 < 0.5 <= 0.9**6
    7
    """
    response = np.asarray(response, dtype=float)
    if response.ndim != 1:
        raise ValueError(f"steps_to_reach: give one response (1-D), got shape {response.shape}.")
    reached = np.flatnonzero(response >= level)
    if reached.size == 0:
        raise ValueError(
            f"steps_to_reach: the response never reaches {level} in its {response.size} steps "
            f"(it ends at {response[-1]:.3g}); give a longer series."
        )
    return int(reached[0]) + 1


def best_shift(values, smoothed, max_shift: int, start: int | None = None, stop: int | None = None) -> int:
    """The delay ``d`` that best lines a smoothed series up with its original: ``smoothed[t] ≈ values[t-d]``.

    Returns the ``d`` in ``0 .. max_shift`` that minimises the mean of ``(smoothed[t] - values[t - d])**2``
    over ``t`` in ``start .. stop - 1``. It measures lag on any series, including a real one; on a random
    walk it is close to the smoother's median delay (for the EWA, the half-life).

    Parameters
    ----------
    values, smoothed : array_like, shape (T,)
        The series and its smoothed version.
    max_shift : int
        The largest delay tried.
    start, stop : int, optional
        The steps compared (default ``max_shift`` to the end); ``start`` must be at least ``max_shift``.

    Returns
    -------
    int

    Examples
    --------
    >>> x = np.sin(np.arange(200) / 10)
    >>> best_shift(x, np.roll(x, 3), max_shift=10)  # the series delayed by 3 steps
    3
    """
    values = np.asarray(values, dtype=float)
    smoothed = np.asarray(smoothed, dtype=float)
    if values.shape != smoothed.shape or values.ndim != 1:
        raise ValueError(
            f"best_shift: values and smoothed must be 1-D and of the same length, "
            f"got shapes {values.shape} and {smoothed.shape}."
        )
    start = max_shift if start is None else start
    stop = len(values) if stop is None else stop
    if not 0 <= max_shift <= start < stop <= len(values):
        raise ValueError(
            f"best_shift: need 0 <= max_shift <= start < stop <= len(values), got max_shift={max_shift}, "
            f"start={start}, stop={stop}, len(values)={len(values)}."
        )
    errors = [
        np.mean((smoothed[start:stop] - values[start - d : stop - d]) ** 2) for d in range(max_shift + 1)
    ]
    return int(np.argmin(errors))


def weights_mean_age(weights) -> float:
    """The mean age of a set of averaging weights: ``sum_k k * w_k / sum_k w_k``, with ``k = 0`` the newest.

    This is how far a weighted average lags behind a steady trend: averaging ``x_t = a t`` gives
    ``a (t - mean age)``. For the EWA's weights ``(1 - beta) * beta**k`` it tends to ``beta / (1 - beta)``;
    for the ``n`` equal weights of a simple moving average it is ``(n - 1) / 2``.

    Examples
    --------
    >>> weights_mean_age(np.full(5, 0.2))  # a 5-point moving average
    2.0
    """
    weights = np.asarray(weights, dtype=float)
    k = np.arange(len(weights))
    return float(np.dot(k, weights) / weights.sum())


def moving_average(values, n: int):
    """The simple (trailing) moving average of the last ``n`` values, one output per input.

    ``m_t = (x_{t-n+1} + ... + x_t) / n``; the first ``n - 1`` outputs average the values seen so far.
    It keeps ``n`` numbers in memory, against one for the EWA. Extra axes (many series at once) are
    averaged element-wise, along the first axis.

    Parameters
    ----------
    values : array_like, shape (T, ...)
    n : int
        The window, at least 1.

    Returns
    -------
    numpy.ndarray of float, same shape as ``values``.

    Examples
    --------
    >>> moving_average([1.0, 2.0, 3.0, 4.0], 2)
    array([1. , 1.5, 2.5, 3.5])
    """
    n = check_count("moving_average", "n", n, 1)
    x = np.asarray(values, dtype=float)
    sums = np.cumsum(x, axis=0)
    sums[n:] = sums[n:] - sums[:-n]
    counts = np.minimum(np.arange(1, len(x) + 1), n).reshape((-1,) + (1,) * (x.ndim - 1))
    return sums / counts


def ewa_for_betas(values, betas, *, bias_correction: bool = False):
    """The EWA of a series for many decays at once: the result has one more axis, for ``beta``.

    ``v_t = beta * v_{t-1} + (1 - beta) * x_t`` (E1) with ``v_0 = 0``, for every ``beta`` of the grid in one
    pass over the steps; with ``bias_correction=True`` each ``v_t`` is divided by ``1 - beta**t`` (E2).

    Parameters
    ----------
    values : array_like, shape (T, ...)
        The series along the first axis (extra axes, e.g. seeds, are averaged element-wise).
    betas : array_like, shape (B,)
        Decays in [0, 1).

    Returns
    -------
    numpy.ndarray, shape (T, ..., B)
        ``out[..., j]`` equals ``lessons_lib.ewa(values, betas[j], bias_correction)``.

    Examples
    --------
    >>> ewa_for_betas([1.0, 1.0], [0.0, 0.5])
    array([[1.  , 0.5 ],
           [1.  , 0.75]])
    """
    betas = np.asarray(betas, dtype=float)
    if betas.ndim != 1 or np.any((betas < 0) | (betas >= 1)):
        raise ValueError(f"ewa_for_betas: betas must be a 1-D array of values in [0, 1), got {betas!r}.")
    x = np.asarray(values, dtype=float)
    if x.ndim == 0:
        raise ValueError(f"ewa_for_betas: values must be a series, got the scalar {values!r}.")
    out = np.empty(x.shape + betas.shape)
    v = np.zeros(x.shape[1:] + betas.shape)
    for t in range(len(x)):
        v = ewa_update(v, x[t][..., None], betas)
        out[t] = v
    if bias_correction:
        t = np.arange(1, len(x) + 1).reshape((-1,) + (1,) * x.ndim)
        out /= 1 - betas**t
    return out


# ----------------------------------------------------------------------------------------------------
# Dividing by an average of squares


def divided_steps(grads, *, lr: float, beta: float, divide_by: str = "rms", eps: float = 1e-8):
    """The steps ``-lr * g / denominator`` that a stream of gradients gives, for several denominators.

    ``divide_by`` chooses the denominator, an EWA (:func:`lessons_lib.ewa`, no bias correction) of the
    gradients up to and including the current one:

    * ``"rms"``: ``sqrt(EWA(g**2)) + eps``, RMSProp;
    * ``"mean square"``: ``EWA(g**2) + eps``, no root;
    * ``"mean"``: ``EWA(g) + eps``, no square;
    * ``"mean abs"``: ``EWA(|g|) + eps``, the mean size of the gradients, without square or root;
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
    >>> for kind in ("rms", "mean square", "mean", "mean abs", "none"):
    ...     print(kind, round(float(divided_steps(g, lr=0.1, beta=0.9, divide_by=kind)[-1]), 4))
    rms -0.1
    mean square -0.025
    mean -0.1
    mean abs -0.1
    none -0.4

    Where the gradient's size varies, the mean of ``|g|`` is below the RMS: a larger step.

    >>> g = np.tile([1.0, -3.0], 500)  # sizes 1 and 3: mean size 2, RMS sqrt(5) = 2.24
    >>> for kind in ("rms", "mean abs"):
    ...     steps = divided_steps(g, lr=1.0, beta=0.99, divide_by=kind)[-200:]  # once the EWA has filled
    ...     print(kind, round(float(np.abs(steps).mean()), 2))
    rms 0.89
    mean abs 1.0
    """
    g = np.asarray(grads, dtype=float)
    if divide_by == "rms":
        denominator = np.sqrt(ewa(g**2, beta)) + eps
    elif divide_by == "mean square":
        denominator = ewa(g**2, beta) + eps
    elif divide_by == "mean":
        denominator = ewa(g, beta) + eps
    elif divide_by == "mean abs":
        denominator = ewa(np.abs(g), beta) + eps
    elif divide_by == "none":
        denominator = 1.0
    else:
        raise ValueError(
            f"divided_steps: divide_by must be 'rms', 'mean square', 'mean', 'mean abs' or 'none', got "
            f"{divide_by!r}."
        )
    return -lr * g / denominator
