"""Lesson 01's real series and its measurements: how far an average lags behind, how much noise it leaves.

* :func:`stock_prices` loads a real daily price series that ships with matplotlib (nothing is downloaded).
* :func:`steps_to_reach` and :func:`best_shift` measure the lag of a smoothed series: after how many steps
  it has covered part of a jump, and by how many steps it must be shifted to line up with the original.
* :func:`weights_mean_age` is the mean age of any set of averaging weights (the lag behind a steady trend).
* :func:`moving_average` is the simple moving average that the EWA is compared with.
* :func:`ewa_for_betas` runs the EWA for a whole grid of ``beta`` at once, for the noise-against-lag sweep.

Everything works on NumPy arrays and is vectorised over extra axes (many seeds at once), so a lesson's
experiments over hundreds of seeds stay fast.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_count
from .averages import ewa_update

__all__ = [
    "best_shift",
    "ewa_for_betas",
    "moving_average",
    "stock_prices",
    "steps_to_reach",
    "weights_mean_age",
]


def stock_prices(field: str = "close"):
    """Daily prices of one stock (Google), 2004-08-19 to 2008-10-14: 1047 trading days, from matplotlib.

    The data is matplotlib's bundled sample file ``goog.npz`` (``matplotlib.cbook.get_sample_data``), so it
    works offline. Its ``price_data`` is a record array with the fields ``date``, ``open``, ``high``,
    ``low``, ``close``, ``volume`` and ``adj_close``.

    Parameters
    ----------
    field : str
        Which column to return as the values (default the closing price, in US dollars).

    Returns
    -------
    dates : numpy.ndarray of datetime64[D], shape (1047,)
    values : numpy.ndarray of float, shape (1047,)

    Examples
    --------
    >>> dates, close = stock_prices()
    >>> len(close), str(dates[0]), str(dates[-1]), float(close[0])
    (1047, '2004-08-19', '2008-10-14', 100.34)
    """
    from matplotlib.cbook import get_sample_data

    # The path, then NumPy: matplotlib < 3.8 returns an open file for asfileobj=True, later an NpzFile.
    with np.load(get_sample_data("goog.npz", asfileobj=False)) as data:
        table = data["price_data"]
    fields = [name for name in table.dtype.names if name != "date"]
    if field not in fields:
        raise ValueError(f"stock_prices: field must be one of {fields}, got {field!r}.")
    return table["date"].astype("datetime64[D]"), table[field].astype(float)


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
