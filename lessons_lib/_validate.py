"""Argument checks whose error messages teach (see STYLE.md, section 4).

Every message names the object, the parameter, the allowed range, the value received and why the range is
what it is, for example::

    Momentum: beta must be in [0, 1), got 1.0. With beta = 1 the velocity never forgets old gradients.

One idea, one place: :func:`as_real_array` turns an array-like into a real float array (or says why it
cannot), :func:`check_count` checks every count (steps, starts, batch sizes, ...), :func:`check_seed` every
seed, :func:`check_bool` every switch.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "MAX_RUN_BYTES",
    "SQUARE_LIMIT",
    "as_real_array",
    "check_bool",
    "check_count",
    "check_in_unit_interval",
    "check_memory",
    "check_nonnegative",
    "check_positive",
    "check_real",
    "check_same_shape",
    "check_seed",
    "describe_bytes",
]

#: The most memory one call may ask for (a run's points and losses, a sweep's records, a grid of starts):
#: 4 GiB. A request above it is refused up front, with the amount it would need, instead of failing deep in
#: NumPy with a MemoryError (or swapping the machine to a halt).
MAX_RUN_BYTES = 4 * 2**30

#: The largest gradient whose square float64 can hold (``sqrt`` of the largest float64, about 1.3e154).
SQUARE_LIMIT = math.sqrt(np.finfo(float).max)


def check_real(owner: str, name: str, value) -> float:
    """Return ``value`` as a float if it is a real number (not a bool, a string, a complex or NaN).

    NumPy scalars and 0-d arrays of integers or floats are real numbers too.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}: {name} must be a real number, got {value!r} of type {type(value).__name__}."
        )
    value = float(value)
    if math.isnan(value):
        raise ValueError(
            f"{owner}: {name} must be a number, got nan. A NaN {name} would make every result NaN."
        )
    return value


def check_positive(owner: str, name: str, value, why: str = "") -> float:
    """Return ``value`` as a float if it is finite and > 0, else raise a ``ValueError`` that says why."""
    value = check_real(owner, name, value)
    if not (0 < value < math.inf):
        raise ValueError(f"{owner}: {name} must be finite and > 0, got {value!r}. {why}".rstrip())
    return value


def check_nonnegative(owner: str, name: str, value, why: str = "") -> float:
    """Return ``value`` as a float if it is finite and >= 0, else raise a ``ValueError`` that says why."""
    value = check_real(owner, name, value)
    if not (0 <= value < math.inf):
        raise ValueError(f"{owner}: {name} must be finite and >= 0, got {value!r}. {why}".rstrip())
    return value


def check_in_unit_interval(owner: str, name: str, value, why: str = "") -> float:
    """Return ``value`` as a float if it lies in [0, 1), else raise a ``ValueError`` that says why."""
    value = check_real(owner, name, value)
    if not (0 <= value < 1):
        if why == "":
            why = (
                f"With {name} = 1 the average never forgets its start and never moves."
                if value >= 1
                else f"A negative {name} flips the sign of the memory every step."
            )
        raise ValueError(f"{owner}: {name} must be in [0, 1), got {value!r}. {why}")
    return value


def check_count(owner: str, name: str, value, low: int = 0, why: str = "", noun: str = "whole number") -> int:
    """Return ``value`` as an int if it is a whole number >= ``low`` (not a bool, not a float like 2.0).

    Every count of the course (steps, starts, batch sizes, grid points, ...) goes through here, so that
    ``2.7`` starts never silently become 2.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
        if not why:
            if isinstance(value, (bool, np.bool_)):
                why = "True and False are not counts."
            elif isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
                why = "A count cannot be a fraction (give an int, e.g. with round())."
            elif isinstance(value, (int, np.integer)):
                why = f"A count below {low} means nothing here."
            else:
                why = f"It is a count, and {type(value).__name__} is not a whole number."
        raise ValueError(f"{owner}: {name} must be a {noun} >= {low}, got {value!r}. {why}")
    return int(value)


def check_seed(owner: str, value, name: str = "seed") -> int | None:
    """Return ``value`` if it is None or a whole number >= 0 (what ``numpy.random.default_rng`` takes)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(
            f"{owner}: {name} must be None or a whole number >= 0, got {value!r}. "
            "It seeds numpy.random.default_rng, which takes no negative or fractional seeds."
        )
    return int(value)


def check_bool(owner: str, name: str, value) -> bool:
    """Return ``value`` as a bool if it is True or False (a NumPy bool too); 1, 'yes' or None are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}.")
    return bool(value)


def _first(arr: np.ndarray):
    """The first entry of ``arr`` as a Python value, for error messages."""
    if not arr.size:
        return "nothing"
    value = arr.flat[0]
    return value.item() if isinstance(value, np.generic) else value


def as_real_array(owner: str, name: str, value, *, finite: bool = False) -> np.ndarray:
    """``value`` as a float64 array, or a clear error if it is not an array of real numbers.

    Lists, tuples, integer and float32 arrays and NumPy scalars are converted; complex numbers (NumPy would
    drop the imaginary part), strings (NumPy would parse them), booleans, None and arrays of Python objects
    are refused with a ``TypeError``. With ``finite=True`` NaN and infinite entries are refused with a
    ``ValueError``.
    """
    if type(value) is np.ndarray and value.dtype == np.float64:
        arr = value  # the common case costs one test
    else:
        if value is None:
            raise TypeError(f"{owner}: {name} must be an array of real numbers, got None.")
        if isinstance(value, (str, bytes)):
            raise TypeError(
                f"{owner}: {name} must be an array of real numbers, got the string {value!r}. "
                "Convert text to numbers with float() first."
            )
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"{owner}: {name} must be an array of real numbers with a regular shape, got {value!r} "
                f"({error})."
            ) from None
        kind = arr.dtype.kind
        if kind == "c":
            raise TypeError(
                f"{owner}: {name} must be an array of real numbers, got complex values such as "
                f"{_first(arr)!r}. NumPy would silently drop the imaginary part."
            )
        if kind == "b":
            raise TypeError(
                f"{owner}: {name} must be an array of real numbers, got booleans such as {_first(arr)!r}. "
                "True and False are not coordinates; convert them with .astype(float) if you mean 1 and 0."
            )
        if kind in "US":
            raise TypeError(
                f"{owner}: {name} must be an array of real numbers, got strings such as {_first(arr)!r}. "
                "Convert text to numbers with float() first."
            )
        if kind not in "iuf":
            what = "Python objects (dtype object)" if kind == "O" else f"values of dtype {arr.dtype}"
            raise TypeError(
                f"{owner}: {name} must be an array of real numbers, got {what} such as {_first(arr)!r}. "
                "Give numbers only (no None, no nested sequences of different lengths)."
            )
        arr = arr.astype(float, copy=False)
    if finite and not np.isfinite(arr).all():
        bad = float(arr[~np.isfinite(arr)].flat[0])
        raise ValueError(
            f"{owner}: {name} must be finite, got {bad!r} among its values. "
            "A NaN or infinite coordinate makes every later value NaN."
        )
    return arr


def check_same_shape(owner: str, x: np.ndarray, g: np.ndarray) -> None:
    """Raise if the gradient's shape differs from the point's, even where NumPy would broadcast."""
    if np.shape(g) != np.shape(x):
        raise ValueError(
            f"{owner}.step: g must have the shape of x, {np.shape(x)}, got shape {np.shape(g)}. "
            "They must match exactly; NumPy would broadcast them into a different, wrong array."
        )


def describe_bytes(n: float) -> str:
    """``n`` bytes in the largest binary unit that keeps the number >= 1, e.g. ``'14.6 TiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    raise AssertionError  # pragma: no cover


def check_memory(owner: str, what: str, nbytes: float, advice: str) -> None:
    """Refuse up front a call whose arrays would need more than :data:`MAX_RUN_BYTES`, saying how much."""
    if nbytes > MAX_RUN_BYTES:
        raise ValueError(
            f"{owner}: {what} must fit in {describe_bytes(MAX_RUN_BYTES)} of memory (the limit "
            f"lessons_lib._validate.MAX_RUN_BYTES), got a request for {describe_bytes(nbytes)}. {advice}"
        )
