"""Argument checks whose error messages teach (see STYLE.md, section 4).

Every message names the object, the parameter, the allowed range, the value received and why the range is
what it is, for example::

    Momentum: beta must be in [0, 1), got 1.0. With beta = 1 the velocity never forgets old gradients.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_in_unit_interval", "check_nonnegative", "check_positive", "check_same_shape"]


def _as_real(owner: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}: {name} must be a real number, got {value!r} of type {type(value).__name__}."
        )
    value = float(value)
    if math.isnan(value):
        raise ValueError(
            f"{owner}: {name} must be a number, got nan. A NaN hyperparameter makes every step NaN."
        )
    return value


def check_positive(owner: str, name: str, value, why: str = "") -> float:
    """Return ``value`` as a float if it is finite and > 0, else raise a ``ValueError`` that says why."""
    value = _as_real(owner, name, value)
    if not (0 < value < math.inf):
        raise ValueError(f"{owner}: {name} must be finite and > 0, got {value!r}. {why}".rstrip())
    return value


def check_nonnegative(owner: str, name: str, value, why: str = "") -> float:
    """Return ``value`` as a float if it is finite and >= 0, else raise a ``ValueError`` that says why."""
    value = _as_real(owner, name, value)
    if not (0 <= value < math.inf):
        raise ValueError(f"{owner}: {name} must be finite and >= 0, got {value!r}. {why}".rstrip())
    return value


def check_in_unit_interval(owner: str, name: str, value, why: str = "") -> float:
    """Return ``value`` as a float if it lies in [0, 1), else raise a ``ValueError`` that says why."""
    value = _as_real(owner, name, value)
    if not (0 <= value < 1):
        if why == "":
            why = (
                f"With {name} = 1 the average never forgets its start and never moves."
                if value >= 1
                else f"A negative {name} flips the sign of the memory every step."
            )
        raise ValueError(f"{owner}: {name} must be in [0, 1), got {value!r}. {why}")
    return value


def check_same_shape(owner: str, x: np.ndarray, g: np.ndarray) -> None:
    """Raise if the gradient's shape differs from the point's, even where NumPy would broadcast."""
    if np.shape(g) != np.shape(x):
        raise ValueError(
            f"{owner}.step: the gradient has shape {np.shape(g)} but x has shape {np.shape(x)}. "
            "They must match exactly; NumPy would broadcast them into a different, wrong array."
        )
