"""Exponentially weighted averages (lesson 01) and the small facts about them that later lessons reuse.

The exponentially weighted average (EWA) of a series ``x_1, x_2, ...`` with decay ``beta`` is

    v_0 = 0
    v_t = beta * v_{t-1} + (1 - beta) * x_t                      (E1)

Unrolled, the value ``k`` steps back carries weight ``(1 - beta) * beta**k`` and the weights of ``v_t`` sum to
``1 - beta**t``; dividing by that sum is the bias correction

    v_hat_t = v_t / (1 - beta**t)                                (E2)

Momentum (lesson 02) is (E1) applied to gradients, RMSProp (lesson 04) is (E1) applied to squared gradients,
and Adam (lesson 05) uses both with (E2). They all call :func:`ewa_update` and :func:`bias_correction`.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import as_real_array, check_bool, check_count, check_in_unit_interval, check_real

__all__ = [
    "bias_correction",
    "ewa",
    "ewa_update",
    "ewa_weights",
    "half_life",
    "noise_variance_factor",
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
