"""Exercise checks: immediate, specific feedback on a learner's own implementation of each rule.

Each ``check_<exercise>(fn)`` calls the learner's function ``fn`` on a few fixed cases, compares every result
with the library's own rule (:mod:`lessons_lib.averages`, :mod:`lessons_lib.optimizers`), prints one short
message and returns ``True`` or ``False``. It never raises: whatever ``fn`` does becomes a message, except
an interrupt (``KeyboardInterrupt``, the notebook's stop button), which stops the check.

How a check decides
-------------------
1. ``fn`` is called positionally, as the notebook's exercise defines it, on every case in turn: Python floats,
   1-D and 2-D arrays (lists for the averages), gradients from 1e-6 to 1e4, several consecutive steps. One or
   two cases of each exercise have integer inputs (integer arrays, and integer Python numbers where they are
   natural, with states such as ``np.zeros_like(x)`` of an integer ``x``), which catch a function that is
   right only for floats. The inputs are fixed (seeded), so the feedback is the same on every run. A case's
   later steps start from the library's result of the step before (floats), which equals the learner's to
   within the tolerance.
2. ``fn`` gets copies of the inputs, and each call gets ``TIME_LIMIT`` seconds (5), all the calls of a check
   ``CHECK_TIME_LIMIT`` (8) together: a function that has not returned by then (a loop that never ends, even
   one that catches every exception, or a long ``time.sleep``) is stopped, and the check fails and says so.
   A stub that still raises ``NotImplementedError`` is "not done yet"; any other exception is reported with
   its type, its message, the case's inputs and the learner's line that raised, never as a traceback. Only
   ``KeyboardInterrupt`` (the notebook's interrupt button) gets through: it stops the check.
3. If ``fn`` changed one of its input arrays in place (``x -= lr * g``, ``s += g**2``) the check fails and
   says which one: the library's rules are pure, and an optimizer that overwrites its caller's arrays
   corrupts the caller's record of where it has been.
4. Results are compared with ``rtol = 1e-9``: tight enough that, at gradients of 1e-6 to 1e-3, epsilon inside
   the root cannot pass for epsilon outside it, loose enough for any correct rearrangement (loops or
   vectorised, ``math.sqrt`` or ``** 0.5``, a tuple or a list, arrays or NumPy scalars). The cases are
   chosen, and tested, so that on every call each catalogued mistake moves the result by more than 100
   tolerances or by less than 1/100 of one: no verdict depends on rounding.
5. A wrong result made of integers (every value stored into an integer array, such as ``np.zeros_like`` of
   an integer input, is cut to a whole number) or of floats with less than double precision (float32 keeps
   about 7 digits, float16 about 3) gets a hint about its dtype, with the inputs and the expected and
   received values. Any other wrong result is compared with the exercise's catalogue of known mistakes, each
   the rule with one mistake in it, evaluated on the same inputs. A match names the mistake and its fix;
   otherwise the message shows the inputs and the expected and received values, with a hint about float32
   when a float64 result is off by no more than float32's round-off (``float()`` of a float32, or NumPy 1.x
   widening one that met a Python float).

Every message is a few lines (long ones are left for the notebook to wrap, so that no formula is cut in
two), with no memory address or timing in it, so that a notebook's outputs compare equal from run to run
(``nbval``).

How a call is stopped
---------------------
In the main thread of a POSIX system, where a notebook's code runs, a timer (``SIGALRM``) raises an exception
in the learner's function; it also interrupts ``time.sleep``. The exception derives from ``BaseException``,
so that ``except Exception`` does not catch it; it is raised again every few milliseconds, and once the time
is up every line the learner's code runs raises it (a trace function), so that a loop whose body catches
everything (a bare ``except:``), even around ``time.sleep``, lets it out at once: it is raised again in the
handler, outside the try. Only nested loops that each catch everything can hold it (and the interrupt button
too); a restart of the kernel ends them. Elsewhere (another thread, or Windows) a watchdog thread sends the
exception to the checking thread, where it lands as soon as Python code runs again: a blocking call such as
``time.sleep`` there is stopped only when it returns, and a bare ``except:`` in a loop lets it out within a
fraction of a second from Python 3.11 on (Python 3.10 looks for it only inside such a loop's try). The
previous ``SIGALRM`` handler, timer and trace function are restored afterwards. The checker's own
computations are not timed.

Adding an exercise
------------------
An exercise is data (:class:`_Exercise`): its parameter and output names, a reference that calls the
library, its cases, its catalogue of mistakes and hints for common exceptions. :func:`_check` runs them all.
"""

from __future__ import annotations

import copy
import ctypes
import inspect
import itertools
import math
import re
import signal
import sys
import sysconfig
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .averages import bias_correction, ewa, ewa_update
from .optimizers import adagrad_update, adam_update, gd_update, momentum_update, rmsprop_update

__all__ = [
    "check_adagrad_step",
    "check_adam_step",
    "check_ewa",
    "check_ewa_bias_corrected",
    "check_gd_step",
    "check_momentum_step",
    "check_rmsprop_step",
]

#: Relative tolerance of every comparison; see the module docstring, point 4.
RTOL = 1e-9
#: Absolute floor, as a fraction of the largest expected entry (guards entries that cancel to nearly 0).
ATOL_FRACTION = 1e-12
#: Seconds each call of the learner's function may take; see the module docstring, point 2.
TIME_LIMIT = 5.0
#: Seconds all the calls of one check may take together (a correct function needs milliseconds).
CHECK_TIME_LIMIT = 8.0


# ------------------------------------------------------------------------------------------------------------
# The checks.


def check_ewa(fn) -> bool:
    """Check a learner's exponentially weighted average, ``fn(values, beta)``.

    Expected: one average per value, ``v_0 = 0``, ``v_t = beta * v_{t-1} + (1 - beta) * x_t``  (E1), no bias
    correction. ``values`` is a list or a 1-D array.

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(values, beta)``.

    Returns
    -------
    bool
        True if every case is right. One line of feedback (or a few) is printed either way.

    Examples
    --------
    >>> def ewa_(values, beta):
    ...     v, out = 0.0, []
    ...     for x in values:
    ...         v = beta * v + (1 - beta) * x
    ...         out.append(v)
    ...     return out
    >>> check_ewa(ewa_)
    ewa: correct on all 5 cases.
    True
    """
    return _check(_EWA, fn)


def check_ewa_bias_corrected(fn) -> bool:
    """Check a learner's bias-corrected exponentially weighted average, ``fn(values, beta)``.

    Expected: the average of :func:`check_ewa` divided by ``1 - beta**t``, ``t`` counted from 1  (E2).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(values, beta)``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> def ewa_bias_corrected(values, beta):
    ...     raise NotImplementedError
    >>> check_ewa_bias_corrected(ewa_bias_corrected)  # doctest: +NORMALIZE_WHITESPACE
    ewa_bias_corrected: not done yet — replace `raise NotImplementedError` in its cell with your code, run
    that cell, then this one again.
    False
    """
    return _check(_EWA_BIAS_CORRECTED, fn)


def check_gd_step(fn) -> bool:
    """Check a learner's gradient-descent step, ``fn(x, g, lr)``, which returns the new ``x``  (G1).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(x, g, lr)`` with floats or arrays ``x``, ``g``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> check_gd_step(lambda x, g, lr: x - lr * g)
    gd_step: correct on all 6 cases.
    True
    """
    return _check(_GD_STEP, fn)


def check_momentum_step(fn) -> bool:
    """Check a learner's momentum step, averaged form, ``fn(x, g, v, lr, beta)`` -> ``(x, v)``.

    Expected: ``v = beta * v + (1 - beta) * g``  (M1), then ``x = x - lr * v`` with the new ``v``  (M2).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(x, g, v, lr, beta)``; it returns the new ``x`` and ``v``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> def momentum_step(x, g, v, lr, beta):
    ...     v = beta * v + (1 - beta) * g
    ...     return x - lr * v, v
    >>> check_momentum_step(momentum_step)
    momentum_step: correct on all 5 cases.
    True
    """
    return _check(_MOMENTUM_STEP, fn)


def check_adagrad_step(fn) -> bool:
    """Check a learner's Adagrad step, ``fn(x, g, s, lr, eps)`` -> ``(x, s)``.

    Expected: ``s = s + g**2``  (A1), then ``x = x - lr * g / (sqrt(s) + eps)`` with the new ``s``  (A2).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(x, g, s, lr, eps)``; it returns the new ``x`` and ``s``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def adagrad_step(x, g, s, lr, eps):
    ...     s = s + g**2
    ...     return x - lr * g / np.sqrt(s + eps), s
    >>> check_adagrad_step(adagrad_step)  # doctest: +NORMALIZE_WHITESPACE
    adagrad_step: wrong result in case "Python floats, eps = 1e-3, 3 steps", step 1 of 3.
      Known mistake: eps inside the square root. You divided by sqrt(s + eps); here (as in PyTorch) eps
        goes outside the root: sqrt(s) + eps.
    False
    """
    return _check(_ADAGRAD_STEP, fn)


def check_rmsprop_step(fn) -> bool:
    """Check a learner's RMSProp step, ``fn(x, g, s, lr, beta, eps)`` -> ``(x, s)``.

    Expected: ``s = beta * s + (1 - beta) * g**2``  (R1), then ``x = x - lr * g / (sqrt(s) + eps)`` with the
    new ``s``  (R2).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(x, g, s, lr, beta, eps)``; it returns the new ``x`` and ``s``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def rmsprop_step(x, g, s, lr, beta, eps):
    ...     s = beta * s + (1 - beta) * g**2
    ...     return x - lr * g / (np.sqrt(s) + eps), s
    >>> check_rmsprop_step(rmsprop_step)
    rmsprop_step: correct on all 5 cases.
    True
    """
    return _check(_RMSPROP_STEP, fn)


def check_adam_step(fn) -> bool:
    """Check a learner's Adam step, ``fn(x, g, m, v, t, lr, beta1, beta2, eps)`` -> ``(x, m, v)``.

    Expected, with ``t`` the number of this step (the first call has ``t = 1``)::

        m = beta1 * m + (1 - beta1) * g                              (D1)
        v = beta2 * v + (1 - beta2) * g**2                           (D2)
        m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)     (D3)
        x = x - lr * m_hat / (sqrt(v_hat) + eps)                     (D4)

    Parameters
    ----------
    fn : callable
        The learner's function; it returns the new ``x``, ``m`` and ``v`` (not ``t``: the caller counts).

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def adam_step(x, g, m, v, t, lr, beta1, beta2, eps):
    ...     m = beta1 * m + (1 - beta1) * g
    ...     v = beta2 * v + (1 - beta2) * g**2
    ...     return x - lr * m / (np.sqrt(v) + eps), m, v
    >>> check_adam_step(adam_step)  # doctest: +NORMALIZE_WHITESPACE
    adam_step: wrong result in case "Python floats, eps = 1e-3, t = 1 to 3", step 1 of 3.
      Known mistake: bias correction missing. Divide m by 1 - beta1**t and v by 1 - beta2**t before the
        step; without it the early steps have the wrong size (about 3*lr at t = 1 with the default
        betas).
    False
    """
    return _check(_ADAM_STEP, fn)


# ------------------------------------------------------------------------------------------------------------
# What an exercise is made of.


@dataclass(frozen=True)
class _Case:
    """One case: the first call's arguments by parameter name, and the gradients of any later steps."""

    label: str
    args: dict[str, Any]
    later_gradients: tuple = ()

    @property
    def steps(self) -> int:
        return 1 + len(self.later_gradients)


@dataclass(frozen=True)
class _Mistake:
    """A known mistake: its name, how to fix it, and the rule with that mistake in it (same parameters)."""

    title: str
    advice: str
    rule: Callable[..., Any]


@dataclass(frozen=True)
class _Hint:
    """Advice added to the report of an exception whose type is ``kind`` and message contains ``text``."""

    kind: type[BaseException]
    text: str
    advice: str


@dataclass(frozen=True)
class _Exercise:
    """Everything a check needs to know about one exercise."""

    name: str  # the learner's function, as the notebook names it
    params: tuple[str, ...]  # its positional parameters
    outputs: tuple[str, ...]  # what it returns, in order; one name means one value, not a tuple
    reference: Callable[..., tuple]  # the library's rule with the same parameters; returns a tuple
    cases: tuple[_Case, ...]
    mistakes: tuple[_Mistake, ...]
    in_place_fix: dict[str, str]  # per parameter: how to write its update without changing the input
    hints: tuple[_Hint, ...] = ()


# ------------------------------------------------------------------------------------------------------------
# Inputs: fixed, seeded, chosen so that each catalogued mistake changes the result by far more than RTOL.


def _signed(rng, shape, low, high):
    """Numbers of either sign whose sizes spread evenly on a log scale from 10**low to 10**high."""
    return rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(low, high, size=shape)


def _points(rng, shape):
    """Starting points of either sign, sizes 0.5 to 2: away from 0, so that relative errors mean something."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def _whole(rng, shape):
    """Whole numbers 1 to 4 of either sign, as an integer array (drawing what ``_points`` draws)."""
    return np.rint(2 * _points(rng, shape)).astype(int)


def _gradients(rng, shape, steps, low, high):
    return tuple(_signed(rng, shape, low, high) for _ in range(steps))


def _step_case(label, args, gradients):
    """A case of ``len(gradients)`` consecutive steps; the first gradient goes into the first call."""
    return _Case(label, {**args, "g": gradients[0]}, tuple(gradients[1:]))


def _gd_cases():
    rng = np.random.default_rng(101)
    return (
        _Case("Python floats", {"x": 1.5, "g": 0.8, "lr": 0.1}),
        _Case("Python integers, negative gradient", {"x": -1, "g": -3, "lr": 0.3}),
        _Case("1-D arrays", {"x": _points(rng, 3), "g": _signed(rng, 3, -1, 0.5), "lr": 0.05}),
        _Case("2-D integer arrays", {"x": _whole(rng, (3, 4)), "g": _whole(rng, (3, 4)), "lr": 0.5}),
        _Case(
            "1-D arrays, gradients 1e-6 to 1e-3",
            {"x": _points(rng, 4), "g": _signed(rng, 4, -6, -3), "lr": 0.1},
        ),
        _Case(
            "2-D arrays, gradients 1e2 to 1e3",
            {"x": _points(rng, (2, 3)), "g": _signed(rng, (2, 3), 2, 3), "lr": 1e-3},
        ),
    )


def _momentum_cases():
    rng = np.random.default_rng(202)
    hyper = {"lr": 0.1, "beta": 0.9}
    return (
        _step_case("Python floats, 3 steps", {"x": 1.0, "v": 0.2, **hyper}, (0.5, -0.3, 0.8)),
        _step_case(
            "1-D arrays, 4 steps from v = 0",
            {"x": _points(rng, 3), "v": np.zeros(3), "lr": 0.05, "beta": 0.8},
            _gradients(rng, 3, 4, -1, 0.5),
        ),
        _step_case(
            "2-D integer arrays, 2 steps from v = 0 (integers)",
            {"x": _whole(rng, (2, 3)), "v": np.zeros((2, 3), dtype=int), "lr": 0.2, "beta": 0.95},
            tuple(_whole(rng, (2, 3)) for _ in range(2)),
        ),
        _step_case(
            "1-D arrays, gradients 1e-6 to 1e-3, 3 steps",
            {"x": _points(rng, 4), "v": np.zeros(4), **hyper},
            _gradients(rng, 4, 3, -6, -3),
        ),
        _step_case(
            "2-D arrays, gradients 1e1 to 1e3, beta = 0.99, 2 steps",
            {"x": _points(rng, (3, 2)), "v": _signed(rng, (3, 2), 1, 2), "lr": 1e-3, "beta": 0.99},
            _gradients(rng, (3, 2), 2, 1, 3),
        ),
    )


def _adaptive_cases(seed, betas=None):
    """Cases for Adagrad (``betas`` None) and RMSProp (one ``beta`` per case)."""
    rng = np.random.default_rng(seed)
    betas = betas or (None,) * 5

    def args(x, s, lr, eps, beta):
        return {"x": x, "s": s, "lr": lr, **({} if beta is None else {"beta": beta}), "eps": eps}

    def tag(label, beta):
        return label if beta is None else f"{label}, beta = {beta:g}"

    zero_coordinate = (np.array([0, 2, -3]), np.array([0, -1, 4]))
    return (
        _step_case(
            tag("Python floats, eps = 1e-3, 3 steps", betas[0]),
            args(1.0, 0.25, 0.1, 1e-3, betas[0]),
            (0.4, 0.3, 0.5),
        ),
        _step_case(
            tag("1-D arrays, gradients 1e-6 to 1e-3", betas[1]),
            args(_points(rng, 4), np.zeros(4), 0.1, 1e-8, betas[1]),
            _gradients(rng, 4, 3, -6, -3),
        ),
        _step_case(
            tag("2-D arrays, s already accumulated, eps = 1e-4", betas[2]),
            args(_points(rng, (2, 3)), rng.uniform(0.5, 2.0, (2, 3)), 0.5, 1e-4, betas[2]),
            _gradients(rng, (2, 3), 2, -1, 0.5),
        ),
        _step_case(
            tag("1-D integer arrays, one coordinate's gradient is 0, eps = 1e-4", betas[3]),
            args(_whole(rng, 3), np.zeros(3, dtype=int), 0.1, 1e-4, betas[3]),
            zero_coordinate,
        ),
        _step_case(
            tag("1-D arrays, gradients 1e2 to 1e4", betas[4]),
            args(_points(rng, 3), np.zeros(3), 0.01, 1e-8, betas[4]),
            _gradients(rng, 3, 2, 2, 4),
        ),
    )


def _adam_cases():
    rng = np.random.default_rng(505)
    hyper = {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

    def start(shape):
        zeros = np.zeros(shape)
        return {"x": _points(rng, shape), "m": zeros, "v": zeros.copy(), "t": 1}

    # State after nine earlier steps, so that t = 10 meets moments the size a real run would have.
    earlier = np.array(_gradients(rng, (2, 3), 9, -2, 0))
    after_nine = {"m": ewa(earlier, 0.9)[-1], "v": ewa(earlier**2, 0.999)[-1]}
    return (
        _step_case(
            "Python floats, eps = 1e-3, t = 1 to 3",
            {"x": 1.0, "m": 0.0, "v": 0.0, "t": 1, **hyper, "eps": 1e-3},
            (0.4, 0.3, 0.5),
        ),
        _step_case(
            "1-D arrays, gradients 1e-6 to 1e-3, t = 1 to 3",
            {**start(4), **hyper},
            _gradients(rng, 4, 3, -6, -3),
        ),
        _step_case(
            "2-D arrays, eps = 1e-4, t = 10 and 11",
            {"x": _points(rng, (2, 3)), **after_nine, "t": 10, **hyper, "lr": 0.01, "eps": 1e-4},
            _gradients(rng, (2, 3), 2, -2, 0),
        ),
        _step_case(
            "1-D arrays, gradients 1e1 to 1e3, beta1 = 0.8, beta2 = 0.99, eps = 1e-10, t = 1 to 4",
            {**start(3), **hyper, "beta1": 0.8, "beta2": 0.99, "eps": 1e-10},
            _gradients(rng, 3, 4, 1, 3),
        ),
        _step_case(
            "1-D integer arrays, one coordinate's gradient is 0, eps = 1e-4, t = 1 and 2",
            {
                "x": _whole(rng, 3),
                "m": np.zeros(3, dtype=int),
                "v": np.zeros(3, dtype=int),
                "t": 1,
                **hyper,
                "eps": 1e-4,
            },
            (np.array([0, 2, -3]), np.array([0, -1, 4])),
        ),
    )


def _ewa_cases():
    rng = np.random.default_rng(606)
    walk = 10.0 + np.cumsum(rng.normal(size=60))
    return (
        _Case("a list of 5 numbers, beta = 0.8", {"values": [2.0, 4.0, 3.0, 5.0, 1.0], "beta": 0.8}),
        _Case("an array of 20 numbers, beta = 0.9", {"values": walk[:20].copy(), "beta": 0.9}),
        _Case("an array of 60 numbers, beta = 0.98", {"values": walk.copy(), "beta": 0.98}),
        _Case("a list of one integer, beta = 0.9", {"values": [3], "beta": 0.9}),
        _Case("an array of 8 integers, beta = 0.3", {"values": rng.integers(1, 20, size=8), "beta": 0.3}),
    )


# ------------------------------------------------------------------------------------------------------------
# References (the library's rules, called as the learner's function is) and catalogues of mistakes.
#
# A mistake is the rule with one mistake in it. Where the library can express it (the right rule with a wrong
# argument) the mistake calls the library; otherwise it is written out, its wrong line marked.

_DENOMINATORS = {
    "sqrt(s) + eps": lambda s, eps: np.sqrt(s) + eps,  # the right one: (A2), (R2), (D4)
    "sqrt(s + eps)": lambda s, eps: np.sqrt(s + eps),
    "sqrt(s)": lambda s, eps: np.sqrt(s),
    "s + eps": lambda s, eps: s + eps,
}


def _adaptive(x, g, s, lr, eps, *, denominator="sqrt(s) + eps", s_in_step=None, sign=1.0):
    """``(x, s)`` after a step whose accumulator came out as ``s``: the building block of the mistakes below.

    ``s_in_step`` is the accumulator the step divides by, if not ``s``; ``sign = -1`` steps uphill.
    """
    s_in_step = s if s_in_step is None else s_in_step
    return x - sign * lr * g / _DENOMINATORS[denominator](s_in_step, eps), s


# Gradient descent -------------------------------------------------------------------------------------------


def _gd_reference(x, g, lr):
    return (gd_update(x, g, lr=lr),)


_GD_MISTAKES = (
    _Mistake(
        "wrong sign",
        "x + lr*g climbs uphill. Gradient descent steps against the gradient: x - lr*g.",
        lambda x, g, lr: (gd_update(x, g, lr=-lr),),
    ),
    _Mistake(
        "lr applied twice",
        "Your step is lr*lr*g. Multiply the gradient by lr once: x - lr*g.",
        lambda x, g, lr: (gd_update(x, g, lr=lr * lr),),
    ),
    _Mistake(
        "lr missing",
        "Your step is the raw gradient g. Scale it by the learning rate: x - lr*g.",
        lambda x, g, lr: (gd_update(x, g, lr=1.0),),
    ),
    _Mistake(
        "divided by lr",
        "Your step is g/lr. Multiply by the learning rate instead: x - lr*g.",
        lambda x, g, lr: (gd_update(x, g, lr=1 / lr),),
    ),
    _Mistake(
        "returned the step, not the new point",
        "You returned -lr*g. Return where the step lands: x - lr*g.",
        lambda x, g, lr: (gd_update(0.0, g, lr=lr),),
    ),
    _Mistake(
        "returned the step, not the new point",
        "You returned lr*g. Return where the step lands: x - lr*g.",
        lambda x, g, lr: (gd_update(0.0, g, lr=-lr),),
    ),
)

# Momentum ---------------------------------------------------------------------------------------------------


def _momentum_reference(x, g, v, lr, beta):
    return momentum_update(x, g, v, lr=lr, beta=beta)


_MOMENTUM_MISTAKES = (
    _Mistake(
        "missing (1 - beta) factor",
        "v = beta*v + g is the summed (heavy-ball) form. This exercise averages: v = beta*v + (1 - beta)*g.",
        lambda x, g, v, lr, beta: momentum_update(x, g, v, lr=lr, beta=beta, averaged=False),
    ),
    _Mistake(
        "beta and 1 - beta swapped",
        "You kept (1 - beta) of the old velocity and beta of the new gradient. "
        "Keep most of the velocity: v = beta*v + (1 - beta)*g.",
        lambda x, g, v, lr, beta: momentum_update(x, g, v, lr=lr, beta=1 - beta),
    ),
    _Mistake(
        "x moved with the old velocity",
        "Update v first, then step with the new one: x = x - lr*v.",
        lambda x, g, v, lr, beta: (gd_update(x, v, lr=lr), ewa_update(v, g, beta)),
    ),
    _Mistake(
        "velocity not accumulated",
        "Your v forgets its previous value (v = (1 - beta)*g). Keep it: v = beta*v + (1 - beta)*g.",
        lambda x, g, v, lr, beta: momentum_update(x, g, 0 * v, lr=lr, beta=beta),
    ),
    _Mistake(
        "velocity not accumulated",
        "Your v is just g, which makes this plain gradient descent. Average it: v = beta*v + (1 - beta)*g.",
        lambda x, g, v, lr, beta: momentum_update(x, g, v, lr=lr, beta=0.0),
    ),
    _Mistake(
        "wrong sign",
        "x + lr*v climbs uphill. Step against the velocity: x = x - lr*v.",
        lambda x, g, v, lr, beta: momentum_update(x, g, v, lr=-lr, beta=beta),
    ),
)

# Adagrad ----------------------------------------------------------------------------------------------------


def _adagrad_reference(x, g, s, lr, eps):
    return adagrad_update(x, g, s, lr=lr, eps=eps)


def _adaptive_mistakes(s_rule, s_formula):
    """The mistakes Adagrad and RMSProp share.

    Their parameters are ``(x, g, s, lr, eps)`` and ``(x, g, s, lr, beta, eps)``; ``s_rule(s, g2, *rest)``
    is the right accumulator (written ``s_formula``) fed with ``g2`` in place of ``g**2``, where ``rest`` is
    ``()`` or ``(beta,)``.
    """

    def mistake(title, advice, g2=lambda g: g**2, **step):
        def rule(x, g, s, lr, *rest):
            *rest, eps = rest
            return _adaptive(x, g, s_rule(s, g2(g), *rest), lr, eps, **step)

        return _Mistake(title, advice, rule)

    def old_s(x, g, s, lr, *rest):
        *rest, eps = rest
        return _adaptive(x, g, s_rule(s, g**2, *rest), lr, eps, s_in_step=s)

    return (
        mistake(
            "eps inside the square root",
            "You divided by sqrt(s + eps); here (as in PyTorch) eps goes outside the root: sqrt(s) + eps.",
            denominator="sqrt(s + eps)",
        ),
        mistake(
            "eps missing",
            "You divided by sqrt(s). Add eps outside the root, sqrt(s) + eps, so that a coordinate whose "
            "gradients are all 0 does not divide 0 by 0.",
            denominator="sqrt(s)",
        ),
        mistake(
            "square root missing",
            "You divided by s + eps. Divide by its root, sqrt(s) + eps: the root of a mean square has the "
            "units of a gradient.",
            denominator="s + eps",
        ),
        _Mistake(
            "x moved with the old s",
            f"Update s first ({s_formula}), then divide by sqrt(s) + eps with the new s.",
            old_s,
        ),
        mistake("gradient not squared", f"s collects |g|, not g**2: {s_formula}.", g2=np.abs),
        mistake(
            "gradient not squared",
            f"s collects g, not g**2 (and a negative s has no square root): {s_formula}.",
            g2=lambda g: g,
        ),
        mistake(
            "wrong sign",
            "x + lr*g/(sqrt(s) + eps) climbs uphill. Step against the gradient: x - lr*g/(sqrt(s) + eps).",
            sign=-1.0,
        ),
    )


_ADAGRAD_MISTAKES = (
    *_adaptive_mistakes(lambda s, g2: s + g2, "s = s + g**2"),
    _Mistake(
        "s not accumulated",
        "s = g**2 forgets the earlier gradients. Adagrad keeps their sum: s = s + g**2.",
        lambda x, g, s, lr, eps: _adaptive(x, g, g**2, lr, eps),
    ),
)

# RMSProp ----------------------------------------------------------------------------------------------------


def _rmsprop_reference(x, g, s, lr, beta, eps):
    x, s = rmsprop_update(x, g, s, lr=lr, beta=beta, eps=eps)
    return x, s


_RMSPROP_MISTAKES = (
    _Mistake(  # wrong (R1)
        "missing (1 - beta) factor",
        "s = beta*s + g**2 grows to about g**2/(1 - beta). Average instead: s = beta*s + (1 - beta)*g**2.",
        lambda x, g, s, lr, beta, eps: _adaptive(x, g, beta * s + g**2, lr, eps),
    ),
    _Mistake(
        "beta and 1 - beta swapped",
        "You kept (1 - beta) of the old mean square and beta of the new g**2. "
        "Keep most of the old: s = beta*s + (1 - beta)*g**2.",
        lambda x, g, s, lr, beta, eps: _adaptive(x, g, ewa_update(s, g**2, 1 - beta), lr, eps),
    ),
    _Mistake(  # wrong (R1)
        "(1 - beta) squared with the gradient",
        "You wrote ((1 - beta)*g)**2. Only the gradient is squared: s = beta*s + (1 - beta)*g**2.",
        lambda x, g, s, lr, beta, eps: _adaptive(x, g, beta * s + ((1 - beta) * g) ** 2, lr, eps),
    ),
    _Mistake(
        "Adagrad's sum instead of an average",
        "s = s + g**2 never forgets. RMSProp averages: s = beta*s + (1 - beta)*g**2.",
        lambda x, g, s, lr, beta, eps: adagrad_update(x, g, s, lr=lr, eps=eps),
    ),
    *_adaptive_mistakes(ewa_update, "s = beta*s + (1 - beta)*g**2"),
    _Mistake(
        "s not accumulated",
        "s = (1 - beta)*g**2 forgets the earlier gradients. Keep the average: s = beta*s + (1 - beta)*g**2.",
        lambda x, g, s, lr, beta, eps: _adaptive(x, g, ewa_update(0 * s, g**2, beta), lr, eps),
    ),
    _Mistake(
        "s not accumulated",
        "s = g**2 forgets the earlier gradients. Keep the average: s = beta*s + (1 - beta)*g**2.",
        lambda x, g, s, lr, beta, eps: _adaptive(x, g, g**2, lr, eps),
    ),
)

# Adam -------------------------------------------------------------------------------------------------------


def _adam_reference(x, g, m, v, t, lr, beta1, beta2, eps):
    x, m, v = adam_update(x, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return x, m, v


def _adam_variant(*, m=None, v=None, m_hat=None, v_hat=None, denominator="sqrt(s) + eps", state="m, v"):
    """An Adam step with some of its lines replaced; each replacement is a function of the step's arguments.

    ``m(a)``, ``v(a)`` replace (D1), (D2); ``m_hat(a)``, ``v_hat(a)`` replace (D3) and see the new moments as
    ``a["m"]``, ``a["v"]``; ``state="m_hat, v_hat"`` returns the corrected moments as the new state.
    """

    def rule(x, g, m0, v0, t, lr, beta1, beta2, eps):
        a = {"x": x, "g": g, "m": m0, "v": v0, "t": t, "beta1": beta1, "beta2": beta2}
        a["m"] = m(a) if m else ewa_update(m0, g, beta1)  # (D1)
        a["v"] = v(a) if v else ewa_update(v0, g**2, beta2)  # (D2)
        mh = m_hat(a) if m_hat else bias_correction(a["m"], beta1, t)  # (D3)
        vh = v_hat(a) if v_hat else bias_correction(a["v"], beta2, t)
        x_new = x - lr * mh / _DENOMINATORS[denominator](vh, eps)  # (D4)
        return (x_new, mh, vh) if state == "m_hat, v_hat" else (x_new, a["m"], a["v"])

    return rule


def _adam_shifted_t(shift):
    """Adam with the bias corrections' t shifted (t - 1 divides by zero at t = 1, as learners find)."""
    return _adam_variant(
        m_hat=lambda a: a["m"] / (1 - a["beta1"] ** (a["t"] + shift)),
        v_hat=lambda a: a["v"] / (1 - a["beta2"] ** (a["t"] + shift)),
    )


def _m_raw(a):
    return a["m"]


def _v_raw(a):
    return a["v"]


def _m_summed(a):
    return a["beta1"] * a["m"] + a["g"]


def _v_summed(a):
    return a["beta2"] * a["v"] + a["g"] ** 2


_ADAM_MISTAKES = (
    _Mistake(
        "bias correction missing",
        "Divide m by 1 - beta1**t and v by 1 - beta2**t before the step; without it the early steps have "
        "the wrong size (about 3*lr at t = 1 with the default betas).",
        _adam_variant(m_hat=_m_raw, v_hat=_v_raw),
    ),
    _Mistake(
        "bias correction applied to m only",
        "v needs it too: v_hat = v/(1 - beta2**t).",
        _adam_variant(v_hat=_v_raw),
    ),
    _Mistake(
        "bias correction applied to v only",
        "m needs it too: m_hat = m/(1 - beta1**t).",
        _adam_variant(m_hat=_m_raw),
    ),
    _Mistake(
        "bias correction off by one (t - 1)",
        "t is already this step's number (the first call has t = 1): divide by 1 - beta1**t, 1 - beta2**t.",
        _adam_shifted_t(-1),
    ),
    _Mistake(
        "bias correction off by one (t + 1)",
        "t is already this step's number (the first call has t = 1): divide by 1 - beta1**t, 1 - beta2**t.",
        _adam_shifted_t(+1),
    ),
    _Mistake(
        "beta1 and beta2 swapped in the bias corrections",
        "m goes with beta1, m_hat = m/(1 - beta1**t); v with beta2, v_hat = v/(1 - beta2**t).",
        _adam_variant(
            m_hat=lambda a: bias_correction(a["m"], a["beta2"], a["t"]),
            v_hat=lambda a: bias_correction(a["v"], a["beta1"], a["t"]),
        ),
    ),
    _Mistake(
        "beta1 and beta2 swapped",
        "m, the average of g, uses beta1; v, the average of g**2, uses beta2.",
        lambda x, g, m, v, t, lr, beta1, beta2, eps: _adam_reference(x, g, m, v, t, lr, beta2, beta1, eps),
    ),
    _Mistake(
        "bias-corrected moments returned as the state",
        "Return the raw m and v: the next step updates them, then corrects them afresh.",
        _adam_variant(state="m_hat, v_hat"),
    ),
    _Mistake(
        "bias correction folded into lr, eps not rescaled",
        "Keras computes lr*sqrt(1 - beta2**t)/(1 - beta1**t) * m/(sqrt(v) + eps), which moves eps. Here: "
        "x - lr*m_hat/(sqrt(v_hat) + eps).",
        _adam_variant(
            m_hat=lambda a: bias_correction(a["m"], a["beta1"], a["t"]) * np.sqrt(1 - a["beta2"] ** a["t"]),
            v_hat=_v_raw,
        ),
    ),
    _Mistake(
        "eps inside the square root",
        "You divided by sqrt(v_hat + eps); eps goes outside the root: sqrt(v_hat) + eps.",
        _adam_variant(denominator="sqrt(s + eps)"),
    ),
    _Mistake(
        "eps missing",
        "You divided by sqrt(v_hat). Add eps outside the root: sqrt(v_hat) + eps.",
        _adam_variant(denominator="sqrt(s)"),
    ),
    _Mistake(
        "square root missing",
        "You divided by v_hat + eps. Divide by its root: sqrt(v_hat) + eps.",
        _adam_variant(denominator="s + eps"),
    ),
    _Mistake(
        "gradient not squared in v",
        "v averages |g|, not g**2: v = beta2*v + (1 - beta2)*g**2.",
        _adam_variant(v=lambda a: ewa_update(a["v"], np.abs(a["g"]), a["beta2"])),
    ),
    _Mistake(
        "gradient not squared in v",
        "v averages g, not g**2 (and a negative v has no square root): v = beta2*v + (1 - beta2)*g**2.",
        _adam_variant(v=lambda a: ewa_update(a["v"], a["g"], a["beta2"])),
    ),
    _Mistake(  # wrong (D1)
        "missing (1 - beta1) factor in m",
        "m = beta1*m + g is a sum, not an average: m = beta1*m + (1 - beta1)*g.",
        _adam_variant(m=_m_summed),
    ),
    _Mistake(  # wrong (D2)
        "missing (1 - beta2) factor in v",
        "v = beta2*v + g**2 is a sum, not an average: v = beta2*v + (1 - beta2)*g**2.",
        _adam_variant(v=_v_summed),
    ),
    _Mistake(  # wrong (D1) and (D2)
        "missing (1 - beta) factors in m and v",
        "m = beta1*m + (1 - beta1)*g and v = beta2*v + (1 - beta2)*g**2 are averages, not sums.",
        _adam_variant(m=_m_summed, v=_v_summed),
    ),
    _Mistake(
        "beta1 and 1 - beta1 swapped in m",
        "Keep most of the old average: m = beta1*m + (1 - beta1)*g.",
        _adam_variant(m=lambda a: ewa_update(a["m"], a["g"], 1 - a["beta1"])),
    ),
    _Mistake(
        "beta2 and 1 - beta2 swapped in v",
        "Keep most of the old average: v = beta2*v + (1 - beta2)*g**2.",
        _adam_variant(v=lambda a: ewa_update(a["v"], a["g"] ** 2, 1 - a["beta2"])),
    ),
    _Mistake(
        "m not accumulated",
        "m = (1 - beta1)*g forgets the earlier gradients: m = beta1*m + (1 - beta1)*g.",
        _adam_variant(m=lambda a: ewa_update(0 * a["m"], a["g"], a["beta1"])),
    ),
    _Mistake(
        "v not accumulated",
        "v = (1 - beta2)*g**2 forgets the earlier gradients: v = beta2*v + (1 - beta2)*g**2.",
        _adam_variant(v=lambda a: ewa_update(0 * a["v"], a["g"] ** 2, a["beta2"])),
    ),
    _Mistake(
        "wrong sign",
        "x + lr*m_hat/(sqrt(v_hat) + eps) climbs uphill. Step against it: x - lr*m_hat/(sqrt(v_hat) + eps).",
        lambda x, g, m, v, t, lr, beta1, beta2, eps: _adam_reference(x, g, m, v, t, -lr, beta1, beta2, eps),
    ),
)

# Exponentially weighted averages ----------------------------------------------------------------------------


def _ewa_reference(values, beta):
    return (ewa(values, beta),)


def _ewa_bias_corrected_reference(values, beta):
    return (ewa(values, beta, bias_correction=True),)


def _steps(values):
    """t = 1, 2, ..., T for a series of T values."""
    return np.arange(1, len(values) + 1)


def _ewa_from_first_value(values, beta):
    values = np.asarray(values, dtype=float)
    out, v = [], values[0]  # wrong: v_0 = x_1
    for x in values:
        v = ewa_update(v, x, beta)
        out.append(v)
    return np.array(out)


def _ewa_corrected_inside(values, beta):
    out, v = [], 0.0
    for t, x in enumerate(values, start=1):
        v = bias_correction(ewa_update(v, x, beta), beta, t)  # wrong: the corrected value is fed back
        out.append(v)
    return np.array(out)


_EWA_MISTAKES = (
    _Mistake(
        "started from v_0 = x_1",
        "That is pandas' adjust=False. Here v_0 = 0, so v_1 = (1 - beta)*x_1.",
        lambda values, beta: (_ewa_from_first_value(values, beta),),
    ),
    _Mistake(
        "output shifted by one step",
        "Your first average is v_0 = 0 and the last one is missing. Record v after each update: v_1 ... v_T.",
        lambda values, beta: (np.concatenate([[0.0], ewa(values, beta)[:-1]]),),
    ),
    _Mistake(
        "v_0 included in the output",
        "You returned T + 1 averages, starting with v_0 = 0. Return one per value: v_1 ... v_T.",
        lambda values, beta: (np.concatenate([[0.0], ewa(values, beta)]),),
    ),
    _Mistake(
        "only the last average returned",
        "Return one average per value, a sequence as long as values.",
        lambda values, beta: (ewa(values, beta)[-1],),
    ),
    _Mistake(
        "missing (1 - beta) factor",
        "v = beta*v + x is a decaying sum, not an average: v = beta*v + (1 - beta)*x.",
        lambda values, beta: (ewa(values, beta) / (1 - beta),),
    ),
    _Mistake(
        "beta and 1 - beta swapped",
        "Keep most of the old average: v = beta*v + (1 - beta)*x.",
        lambda values, beta: (ewa(values, 1 - beta),),
    ),
    _Mistake(
        "v not accumulated",
        "v_t = (1 - beta)*x_t forgets the earlier values. Carry v from one step to the next: "
        "v = beta*v + (1 - beta)*x.",
        lambda values, beta: ((1 - beta) * np.asarray(values, dtype=float),),
    ),
    _Mistake(
        "bias correction applied",
        "Dividing by 1 - beta**t gives the bias-corrected average of the next exercise. Here return the "
        "plain average v_t.",
        lambda values, beta: (ewa(values, beta, bias_correction=True),),
    ),
)

_EWA_BIAS_CORRECTED_MISTAKES = (
    _Mistake(
        "bias correction missing",
        "That is the plain average. Divide each v_t by 1 - beta**t, with t = 1, 2, ...",
        lambda values, beta: (ewa(values, beta),),
    ),
    _Mistake(
        "divided by 1 - beta**(t + 1)",
        "Count t from 1: the first average is divided by 1 - beta**1.",
        lambda values, beta: (ewa(values, beta) / (1 - beta ** (_steps(values) + 1)),),
    ),
    _Mistake(
        "t counted from 0",
        "The first division is then by 1 - beta**0 = 0. Count t from 1: the first average is divided by "
        "1 - beta.",
        lambda values, beta: (ewa(values, beta) / (1 - beta ** (_steps(values) - 1)),),
    ),
    _Mistake(
        "divided by (1 - beta)**t",
        "The weights sum to 1 - beta**t: only beta is raised to the power t.",
        lambda values, beta: (ewa(values, beta) / (1 - beta) ** _steps(values),),
    ),
    _Mistake(
        "multiplied by 1 - beta**t",
        "Divide by it: v_hat = v/(1 - beta**t).",
        lambda values, beta: (ewa(values, beta) * (1 - beta ** _steps(values)),),
    ),
    _Mistake(
        "corrected value fed back into the average",
        "Keep v uncorrected, v = beta*v + (1 - beta)*x, and divide only what you return.",
        lambda values, beta: (_ewa_corrected_inside(values, beta),),
    ),
    _Mistake(
        "missing (1 - beta) factor",
        "v = beta*v + x is a decaying sum, not an average: v = beta*v + (1 - beta)*x.",
        lambda values, beta: (ewa(values, beta, bias_correction=True) / (1 - beta),),
    ),
    _Mistake(
        "beta and 1 - beta swapped",
        "Keep most of the old average: v = beta*v + (1 - beta)*x.",
        lambda values, beta: (ewa(values, 1 - beta) / (1 - beta ** _steps(values)),),
    ),
    _Mistake(
        "started from v_0 = x_1",
        "That is pandas' adjust=False, which has no start-up bias to correct. Here v_0 = 0, and dividing by "
        "1 - beta**t removes the pull towards it (that equals pandas' adjust=True).",
        lambda values, beta: (_ewa_from_first_value(values, beta),),
    ),
    _Mistake(
        "v_0 included in the output",
        "You returned T + 1 averages, starting with v_0 = 0. Return one corrected average per value.",
        lambda values, beta: (np.concatenate([[0.0], ewa(values, beta, bias_correction=True)]),),
    ),
    _Mistake(
        "only the last average returned",
        "Return one corrected average per value, a sequence as long as values.",
        lambda values, beta: (ewa(values, beta, bias_correction=True)[-1],),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# The exercises.

_NUMPY_FOR_FLOATS_AND_ARRAYS = (
    "x can be a Python float or a NumPy array of any shape here. Write the rule with NumPy operations "
    "(np.sqrt rather than math.sqrt), which work on both, or loop over np.ndindex(np.shape(x))."
)
# numpy's UFuncTypeError, a TypeError: "Cannot cast ufunc 'subtract' output from dtype('float64') to ..."
_INTEGER_IN_PLACE = _Hint(
    TypeError,
    "Cannot cast ufunc",
    "an in-place operation (+=, -=, *=, /=) on an integer array (a copy of an integer input, np.zeros_like "
    "of one, or an array made with dtype=int) cannot store fractions. Write the update out "
    "(a = a - ..., which makes a new float array), or make the array with dtype=float.",
)
_COMMON_HINTS = (
    _INTEGER_IN_PLACE,
    _Hint(TypeError, "converted to Python scalars", _NUMPY_FOR_FLOATS_AND_ARRAYS),
    _Hint(TypeError, "must be real number", _NUMPY_FOR_FLOATS_AND_ARRAYS),
    _Hint(TypeError, "has no len()", _NUMPY_FOR_FLOATS_AND_ARRAYS),
    _Hint(TypeError, "not subscriptable", _NUMPY_FOR_FLOATS_AND_ARRAYS),
    _Hint(TypeError, "not iterable", _NUMPY_FOR_FLOATS_AND_ARRAYS),
)
_LIST_ADVICE = "values can be a Python list: convert it first, values = np.asarray(values, dtype=float)."
_LIST_HINTS = (
    _INTEGER_IN_PLACE,
    _Hint(TypeError, "'list'", _LIST_ADVICE),
    _Hint(TypeError, "sequence", _LIST_ADVICE),
)

_EWA = _Exercise(
    name="ewa",
    params=("values", "beta"),
    outputs=("averages",),
    reference=_ewa_reference,
    cases=_ewa_cases(),
    mistakes=_EWA_MISTAKES,
    in_place_fix={"values": "build a new list or array for the averages instead of writing into values"},
    hints=_LIST_HINTS,
)

_EWA_BIAS_CORRECTED = _Exercise(
    name="ewa_bias_corrected",
    params=("values", "beta"),
    outputs=("averages",),
    reference=_ewa_bias_corrected_reference,
    cases=_ewa_cases(),
    mistakes=_EWA_BIAS_CORRECTED_MISTAKES,
    in_place_fix=_EWA.in_place_fix,
    hints=(
        _Hint(
            ZeroDivisionError,
            "",
            "Is t counted from 0? Then the first division is by 1 - beta**0 = 0. Count t from 1.",
        ),
        *_LIST_HINTS,
    ),
)

_GD_STEP = _Exercise(
    name="gd_step",
    params=("x", "g", "lr"),
    outputs=("x",),
    reference=_gd_reference,
    cases=_gd_cases(),
    mistakes=_GD_MISTAKES,
    in_place_fix={"x": "x = x - lr*g, not x -= lr*g"},
    hints=_COMMON_HINTS,
)

_MOMENTUM_STEP = _Exercise(
    name="momentum_step",
    params=("x", "g", "v", "lr", "beta"),
    outputs=("x", "v"),
    reference=_momentum_reference,
    cases=_momentum_cases(),
    mistakes=_MOMENTUM_MISTAKES,
    in_place_fix={
        "x": "x = x - lr*v, not x -= lr*v",
        "v": "v = beta*v + (1 - beta)*g, not v *= beta or v += ...",
    },
    hints=_COMMON_HINTS,
)

_DIVISION_BY_ZERO = _Hint(
    ZeroDivisionError,
    "",
    "Is eps missing from the denominator? Divide by sqrt(s) + eps, with the new s.",
)

_ADAGRAD_STEP = _Exercise(
    name="adagrad_step",
    params=("x", "g", "s", "lr", "eps"),
    outputs=("x", "s"),
    reference=_adagrad_reference,
    cases=_adaptive_cases(303),
    mistakes=_ADAGRAD_MISTAKES,
    in_place_fix={
        "x": "x = x - lr*g/(np.sqrt(s) + eps), not x -= ...",
        "s": "s = s + g**2, not s += g**2",
    },
    hints=(_DIVISION_BY_ZERO, *_COMMON_HINTS),
)

_RMSPROP_STEP = _Exercise(
    name="rmsprop_step",
    params=("x", "g", "s", "lr", "beta", "eps"),
    outputs=("x", "s"),
    reference=_rmsprop_reference,
    cases=_adaptive_cases(404, betas=(0.9, 0.999, 0.99, 0.9, 0.8)),
    mistakes=_RMSPROP_MISTAKES,
    in_place_fix={
        "x": "x = x - lr*g/(np.sqrt(s) + eps), not x -= ...",
        "s": "s = beta*s + (1 - beta)*g**2, not s *= beta or s += ...",
    },
    hints=(_DIVISION_BY_ZERO, *_COMMON_HINTS),
)

_ADAM_STEP = _Exercise(
    name="adam_step",
    params=("x", "g", "m", "v", "t", "lr", "beta1", "beta2", "eps"),
    outputs=("x", "m", "v"),
    reference=_adam_reference,
    cases=_adam_cases(),
    mistakes=_ADAM_MISTAKES,
    in_place_fix={
        "x": "x = x - lr*m_hat/(np.sqrt(v_hat) + eps), not x -= ...",
        "m": "m = beta1*m + (1 - beta1)*g, not m *= beta1 or m += ...",
        "v": "v = beta2*v + (1 - beta2)*g**2, not v *= beta2 or v += ...",
    },
    hints=(
        _Hint(
            ZeroDivisionError,
            "",
            "Is the bias correction off by one? t is already this step's number (the first call has t = 1), "
            "so divide by 1 - beta1**t, not 1 - beta1**(t - 1).",
        ),
        *_COMMON_HINTS,
    ),
)

_EXERCISES = (_EWA, _EWA_BIAS_CORRECTED, _GD_STEP, _MOMENTUM_STEP, _ADAGRAD_STEP, _RMSPROP_STEP, _ADAM_STEP)


# ------------------------------------------------------------------------------------------------------------
# The mechanism shared by every check.


class _Failure(Exception):
    """Raised inside a check to stop it with a message for the learner."""


def _check(ex: _Exercise, fn) -> bool:
    """Run every case of ``ex`` on ``fn``; print the verdict and return it. Never raises."""
    try:
        _verify(ex, fn)
    except _Failure as failure:
        print(f"{ex.name}: {failure}")
        return False
    except Exception as exc:  # a bug in this module must not reach the learner as a traceback
        print(f"{ex.name}: the checker itself failed ({_exception_text(exc)}). Please report this.")
        return False
    n = len(ex.cases)
    print(f"{ex.name}: correct on all {n} case{'s' if n > 1 else ''}.")
    return True


def _reference_calls(ex: _Exercise):
    """Every call a check makes for ``ex``, in order: ``(case, step, args, expected)``.

    ``step`` counts from 1. Each later step of a case starts from the reference's result of the step before
    (in the type the case started with), with the case's next gradient and, for Adam, the next ``t``.
    """
    for case in ex.cases:
        args = dict(case.args)
        for step in range(case.steps):
            if step:
                args["g"] = case.later_gradients[step - 1]
                if "t" in args:
                    args["t"] += 1
            expected = _as_arrays(ex.reference(*_copies(ex, args)))
            yield case, step + 1, dict(args), expected
            for name, value in zip(ex.outputs, expected, strict=True):
                if name in args:
                    args[name] = float(value) if type(case.args[name]) in (float, int) else value.copy()


def _verify(ex: _Exercise, fn) -> None:
    """Return if ``fn`` is right on every case; otherwise raise a ``_Failure`` that says why."""
    _check_callable(ex, fn)
    deadline = time.monotonic() + CHECK_TIME_LIMIT
    for case, step, args, expected in _reference_calls(ex):
        where = f'case "{case.label}"' + (f", step {step} of {case.steps}" if case.steps > 1 else "")
        got = _run_learner(ex, fn, args, where, expected, deadline)
        if not _all_close(got, expected):
            raise _Failure(_explain_wrong(ex, args, where, got, expected))


def _check_callable(ex: _Exercise, fn) -> None:
    call = f"{ex.name}({', '.join(ex.params)})"
    if not callable(fn):
        raise _Failure(
            f"check_{ex.name} needs your function itself, as in check_{ex.name}({ex.name}), not the result "
            f"of calling it; got {_type_name(fn)}."
        )
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some built-ins have none; the call itself will tell
        return
    try:
        signature.bind(*ex.params)
    except TypeError:
        raise _Failure(
            f"your function takes {_no_addresses(str(signature))}, but the exercise calls it with "
            f"{len(ex.params)} arguments: {call}."
        ) from None


def _copies(ex: _Exercise, args: dict) -> list:
    return [copy.deepcopy(args[name]) for name in ex.params]


def _run_learner(
    ex: _Exercise, fn, args: dict, where: str, expected, deadline: float = math.inf
) -> tuple[np.ndarray, ...]:
    """Call ``fn`` on copies of ``args`` (by ``deadline`` at the latest, a ``time.monotonic`` time); check it
    left them alone; return its result as a tuple of arrays."""
    given = _copies(ex, args)
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Failure(
            f"your function took more than {CHECK_TIME_LIMIT:g} s in all for the cases before {where}, where "
            "a correct one needs milliseconds — is there a loop that runs far longer than it needs?"
        )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            result = _call_with_time_limit(fn, given, min(TIME_LIMIT, left))
        except NotImplementedError:
            raise _Failure(
                "not done yet — replace `raise NotImplementedError` in its cell with your code, run that "
                "cell, then this one again."
            ) from None
        except _TimeUp:
            if left < TIME_LIMIT:
                raise _Failure(
                    f"your function took more than {CHECK_TIME_LIMIT:g} s in all, where a correct one needs "
                    "milliseconds — is there a loop that runs far longer than it needs?\n"
                    f"  It was stopped in {where}: {_describe_inputs(ex, args)}"
                ) from None
            raise _Failure(
                f"your function did not return within {TIME_LIMIT:g} s — is there a loop that never ends?\n"
                f"  It was stopped in {where}: {_describe_inputs(ex, args)}"
            ) from None
        except KeyboardInterrupt:  # the notebook's stop button: stop the check too
            raise
        except BaseException as exc:  # SystemExit too: exit() in a function must not end the check unseen
            raise _Failure(_explain_exception(ex, exc, args, where)) from None
        for name, before, after in zip(ex.params, _copies(ex, args), given, strict=True):
            if not _unchanged(before, after):
                kind = "list" if isinstance(before, list) else "array"
                fix = ex.in_place_fix.get(
                    name, f"use {name} without changing it: no {name} *= ..., {name}[...] = ..."
                )
                raise _Failure(
                    f"your function changed the {kind} passed in as {name} ({where}).\n"
                    f"  Leave the inputs as they were and return new values: {fix}"
                    + ("" if fix.endswith(".") else ".")
                )
        return _read_result(ex, result, expected)


def _unchanged(before, after) -> bool:
    if isinstance(before, (float, int, np.generic)):
        return True  # immutable
    try:
        a, b = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    except Exception:  # the learner put something else into it
        return False
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def _read_result(ex: _Exercise, result, expected) -> tuple[np.ndarray, ...]:
    """The learner's result as a tuple of arrays, one per output; a ``_Failure`` if unreadable.

    Integers and floats keep their dtype (for the hints of :func:`_dtype_hint`); anything else that reads as
    numbers becomes float64.
    """
    n = len(ex.outputs)
    names = ", ".join(ex.outputs)
    if result is None:
        missing = f"return {names}" if n > 1 else "return ..."
        raise _Failure(f"your function returned None. Is the `{missing}` line missing?")
    if isinstance(result, (str, bytes)):
        raise _Failure(f"your function returned {_type_name(result)}; expected {_what_to_return(ex)}.")
    if n == 1:
        return (_read_number_or_array(ex, ex.outputs[0], result),)
    if isinstance(result, np.ndarray):
        if result.shape != (n, *expected[0].shape):
            raise _Failure(
                f"your function returned one array of shape {result.shape}; expected {n} values: "
                f"return {names}."
            )
        items = list(result)  # np.array([x, v]) stacks values of the same shape
    elif isinstance(result, (tuple, list)):
        if len(result) != n:
            raise _Failure(
                f"your function returned {len(result)} value{'s' if len(result) != 1 else ''}; expected {n}: "
                f"return {names}."
            )
        items = list(result)
    else:
        raise _Failure(
            f"your function returned only one value ({_type_name(result)}); expected {n}: return {names}."
        )
    return tuple(_read_number_or_array(ex, name, item) for name, item in zip(ex.outputs, items, strict=True))


def _read_number_or_array(ex: _Exercise, name: str, value) -> np.ndarray:
    what = "your result" if len(ex.outputs) == 1 else f"the {name} you returned"
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise _Failure(f"{what} is {_type_name(value)}; expected a number or an array of numbers.")
    try:
        array = np.asarray(value)
        complex_ = array.dtype.kind == "c"
        if complex_:
            array = None
        elif array.dtype.kind not in "iuf":
            array = array.astype(float)
    except Exception:  # whatever the object does when NumPy reads it
        raise _Failure(
            f"{what} could not be read as numbers ({_type_name(value)}); expected a number or an array."
        ) from None
    if complex_:
        raise _Failure(
            f"{what} contains complex numbers: the square root of a negative number? "
            "(Python's ** 0.5 of a negative float gives a complex number.)"
        )
    return array


def _what_to_return(ex: _Exercise) -> str:
    if len(ex.outputs) > 1:
        return f"the tuple ({', '.join(ex.outputs)})"
    return "a sequence of averages" if ex.outputs == ("averages",) else "a number or an array"


def _as_arrays(values) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(v, dtype=float) for v in values)


def _close(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Elementwise: within ``RTOL`` of the expected value (plus a floor relative to its largest entry)."""
    finite = np.abs(expected[np.isfinite(expected)])
    floor = ATOL_FRACTION * (finite.max() if finite.size else 0.0)
    return np.isclose(got, expected, rtol=RTOL, atol=floor, equal_nan=True)


def _all_close(got, expected) -> bool:
    return len(got) == len(expected) and all(
        g.shape == e.shape and bool(_close(g, e).all()) for g, e in zip(got, expected, strict=True)
    )


# A time limit for each call ---------------------------------------------------------------------------------

#: Once the time is up, the stop is raised again this often until it gets out of the learner's function.
_STOP_AGAIN_EVERY = 0.002


class _TimeUp(BaseException):
    """Raised in the learner's function when its time is up; not an ``Exception``, so that the learner's
    own ``except Exception`` lets it through."""


def _call_with_time_limit(fn, args: list, seconds: float):
    """``fn(*args)``, or ``_TimeUp`` if it has not returned within ``seconds``.

    The stop is raised again every ``_STOP_AGAIN_EVERY`` seconds until it gets out of ``fn``, and a ``fn``
    that caught it and returned later is too late all the same. In the main thread of a POSIX system a timer
    (``SIGALRM``) raises it, which also interrupts ``time.sleep``; elsewhere a watchdog thread sends it.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _call_with_alarm(fn, args, seconds)
    return _call_with_watchdog(fn, args, seconds)


def _call_with_alarm(fn, args: list, seconds: float):
    """Stop ``fn`` with a ``SIGALRM`` timer; the previous handler and timer are restored, whatever happens."""
    waiting, stopped = True, False

    here = sys._getframe()

    def stop(signum, frame):
        nonlocal stopped
        if waiting:
            stopped = True
            _stop_at_every_line(frame, here)
            raise _TimeUp

    handler, tracer = signal.getsignal(signal.SIGALRM), sys.gettrace()
    timer = signal.setitimer(signal.ITIMER_REAL, 0)  # stops a timer already running: (seconds left, interval)
    started = time.monotonic()
    try:
        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, seconds, _STOP_AGAIN_EVERY)
        result = fn(*args)
    finally:
        waiting = False  # before anything that could let a late signal in
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.settrace(tracer)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if handler is None else handler)
        left, interval = timer
        if left:
            signal.setitimer(signal.ITIMER_REAL, max(left - (time.monotonic() - started), 1e-6), interval)
    if stopped:
        raise _TimeUp
    return result


def _raise_time_up(frame, event, arg):
    """A trace function that raises the stop at the next line the learner's code runs. Python removes a
    trace function that raises, so the timer puts it back each time it fires."""
    if event == "line":
        raise _TimeUp
    return _raise_time_up


def _stop_at_every_line(frame, caller) -> None:
    """Trace the learner's frames (from ``frame`` up to ``caller``) and every frame they call, so that the
    stop is raised again at the next line they run: a stop caught by a bare ``except:`` around a blocking call
    is raised again in the handler, outside that try."""
    sys.settrace(_raise_time_up)
    while frame is not None and frame is not caller:
        frame.f_trace, frame.f_trace_lines = _raise_time_up, True
        frame = frame.f_back


def _call_with_watchdog(fn, args: list, seconds: float):
    """Stop ``fn`` from a watchdog thread, which sends ``_TimeUp`` to this one (only while ``fn`` runs)."""
    caller = threading.get_ident()
    returned = threading.Event()
    stopped = False

    def watch():
        nonlocal stopped
        if returned.wait(seconds):
            return
        stopped = True
        while not returned.is_set():
            _send(caller, _TimeUp)
            returned.wait(_STOP_AGAIN_EVERY)

    watchdog = threading.Thread(target=watch, name="exercise check time limit", daemon=True)
    watchdog.start()
    try:
        result = fn(*args)
    finally:
        while True:  # a stop sent just before the watchdog saw `returned` may land in here: go round again
            try:
                returned.set()
                watchdog.join()
                _send(caller, None)  # withdraw a stop sent but not yet raised
                break
            except _TimeUp:
                pass
    if stopped:
        raise _TimeUp
    return result


def _send(thread_id: int, exception: type[BaseException] | None) -> None:
    """Raise ``exception`` in thread ``thread_id`` when it next runs Python code; None withdraws it."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), None if exception is None else ctypes.py_object(exception)
    )


# Explaining a wrong result ----------------------------------------------------------------------------------


def _explain_wrong(ex: _Exercise, args: dict, where: str, got, expected) -> str:
    head = f"wrong result in {where}."
    hint = _dtype_hint(ex, args, got, expected)  # first: rounded or truncated numbers match no mistake
    mistake = None if hint else _matching_mistake(ex, args, got, expected)
    if hint is None and mistake is None:
        hint = _widened_hint(ex, got, expected)
    if mistake is not None:
        return f"{head}\n  Known mistake: {mistake.title}. {mistake.advice}"
    lines = [head, f"  inputs: {_describe_inputs(ex, args)}"]
    for name, g, e in zip(ex.outputs, got, expected, strict=True):
        lines.append(f"  {_describe_difference(name, g, e)}")
    if hint:
        lines.append(f"  Hint: {hint}")
    return "\n".join(lines)


def _dtype_hint(ex: _Exercise, args: dict, got, expected) -> str | None:
    """Advice if a wrong output is integers, or floats of less than double precision; otherwise None."""
    for name, g, e in zip(ex.outputs, got, expected, strict=True):
        if g.shape != e.shape or _close(g, e).all():
            continue
        if g.dtype.kind in "iu":
            return _integer_advice(ex, args, name, g)
        if g.dtype.kind == "f" and g.dtype.itemsize < 8:
            return _low_precision_advice(name, g, e)
    return None


def _widened_hint(ex: _Exercise, got, expected) -> str | None:
    """Advice if a wrong float64 output is off by no more than float32's round-off.

    A float32 number that meets a Python float is widened to float64 by NumPy 1.x (and by ``float()`` or
    ``.item()`` in any version), without the digits it lost: the result is float64 but only as exact as
    float32. Asked only when no catalogued mistake reproduces the result, so a small real mistake is named as
    such.
    """
    eps = float(np.finfo(np.float32).eps)
    wrong = []
    for name, g, e in zip(ex.outputs, got, expected, strict=True):
        if g.shape != e.shape or _close(g, e).all():
            continue
        finite = np.abs(e[np.isfinite(e)])
        floor = 16 * eps * (finite.max() if finite.size else 0.0)
        if g.dtype != np.float64 or not np.isclose(g, e, rtol=16 * eps, atol=floor, equal_nan=True).all():
            return None  # every wrong output must be off by round-off alone
        wrong.append(name)
    if wrong:
        return (
            f"your {wrong[0]} is float64 but agrees with the expected value only to about 7 significant "
            f"digits, float32's precision; the check needs {round(-np.log10(RTOL))}. A float32 number on the "
            "way probably cut the digits: float(), .item() and NumPy 1.x (when a float32 meets a Python "
            "float) turn float32 into float64 without restoring them. Compute in float64, NumPy's default: "
            "no dtype=np.float32 and no np.float32(...)."
        )
    return None


def _integer_advice(ex: _Exercise, args: dict, name: str, got: np.ndarray) -> str:
    kind = "an integer array" if got.ndim else "an integer"
    said = (
        f"your {name} came back as {kind} ({got.dtype}): each value stored in it was cut to a whole number."
    )
    source = next((n for n in (name, *ex.params) if n != "t" and _is_integer(args.get(n))), None)
    if source is None:
        return f"{said} Look for dtype=int, int(...), round(...) or // where {name} is computed."
    if isinstance(args[source], list):
        what, copy_ = "a list of integers", f"np.array({source})"
    elif isinstance(args[source], np.ndarray):
        what, copy_ = "an integer array", f"{source}.copy()"
    else:
        what, copy_ = "a Python int", f"np.array({source})"
    series = f"np.zeros(len({source})) or " if ex.outputs == ("averages",) else ""
    return (
        f"{said} In this case {source} is {what}, and np.zeros_like({source}), np.empty_like({source}) and "
        f"{copy_} are integer arrays too. Make a float array instead: {series}"
        f"np.zeros_like({source}, dtype=float)."
    )


def _is_integer(value) -> bool:
    """An integer number, or a list or array of them (not a bool)."""
    if isinstance(value, (list, np.ndarray)):
        return np.asarray(value).dtype.kind in "iu"
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _low_precision_advice(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    """Advice for float32 or float16; says so if the values are right to that precision (a loose test)."""
    dtype, eps = got.dtype, float(np.finfo(got.dtype).eps)
    finite = np.abs(expected[np.isfinite(expected)])
    floor = 100 * eps * (finite.max() if finite.size else 0.0)
    agrees = np.isclose(got, expected, rtol=min(1000 * eps, 1e-2), atol=floor, equal_nan=True).all()
    right = f" Your values agree with the expected ones to {dtype} precision, so the maths is right."
    return (
        f"your {name} came back as {dtype}, which keeps about {round(-np.log10(eps))} significant digits; "
        f"the check needs {round(-np.log10(RTOL))}.{right if agrees else ''} Compute in float64, NumPy's "
        f"default: {dtype} comes from arrays made with dtype=np.{dtype} (as in "
        f"np.zeros(n, dtype=np.{dtype})) or numbers made with np.{dtype}(...)."
    )


def _matching_mistake(ex: _Exercise, args: dict, got, expected) -> _Mistake | None:
    """The first catalogued (or generic) mistake that reproduces the learner's result on these inputs.

    The mistakes see Python floats as NumPy floats, so that a division by zero gives inf or nan, as it does in
    a learner's code that converted its inputs to arrays.
    """
    as_numpy = {name: np.float64(v) if type(v) is float else v for name, v in args.items()}
    for mistake in (*ex.mistakes, *_generic_mistakes(ex, args, expected)):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                variant = _as_arrays(mistake.rule(*_copies(ex, as_numpy)))
        except Exception:  # e.g. a Python-float division by zero: this mistake cannot be what happened
            continue
        if _all_close(got, variant):
            return mistake
    return None


def _generic_mistakes(ex: _Exercise, args: dict, expected) -> list[_Mistake]:
    """Mistakes of shape rather than maths: results in the wrong order, or an input returned unchanged."""
    mistakes = []
    names = ex.outputs
    for order in itertools.permutations(range(len(names))):
        if list(order) != sorted(order):
            returned = ", ".join(names[i] for i in order)
            mistakes.append(
                _Mistake(
                    "results in the wrong order",
                    f"Return {', '.join(names)}; you returned {returned}.",
                    lambda *_, order=order: tuple(expected[i] for i in order),
                )
            )
    for i, name in enumerate(names):
        if name in args:
            unchanged = tuple(args[name] if j == i else e for j, e in enumerate(expected))
            mistakes.append(
                _Mistake(
                    f"{name} returned unchanged",
                    f"You returned the {name} that was passed in. Compute the new {name} and return it.",
                    lambda *_, unchanged=unchanged: unchanged,
                )
            )
    return mistakes


def _describe_inputs(ex: _Exercise, args: dict, values: bool = True) -> str:
    """The arguments of a call, short: numbers, and with ``values`` arrays of up to 4 entries, in full."""
    parts = []
    for name in ex.params:
        value = args[name]
        if isinstance(value, list):
            short = values and len(value) <= 4
            shown = _show(np.asarray(value))
            parts.append(f"{name}={shown}" if short else f"{name}: a list of {len(value)} numbers")
        elif isinstance(value, np.ndarray) and value.ndim > 0:
            short = values and value.size <= 4
            parts.append(f"{name}={_show(value)}" if short else f"{name}: array of shape {value.shape}")
        elif isinstance(value, (int, np.integer)):
            parts.append(f"{name}={value}")
        else:
            parts.append(f"{name}={_number(value)}")
    return ", ".join(parts)


def _describe_difference(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    if got.shape != expected.shape:
        return f"{name}: expected {_shape(expected.shape)}, got {_shape(got.shape)}"
    bad = ~_close(got, expected)
    if not bad.any():
        return f"{name}: correct"
    if expected.size <= 4:
        digits = _digits(got[bad], expected[bad])
        return f"{name}: expected {_show(expected, digits)}, got {_show(got, digits)}"
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    digits = _digits(got[index], expected[index])
    at = ", ".join(map(str, index))
    return (
        f"{name}: wrong at {int(bad.sum())} of {bad.size} entries, e.g. {name}[{at}]: "
        f"expected {_number(expected[index], digits)}, got {_number(got[index], digits)}"
    )


def _digits(got, expected) -> int:
    """Significant digits enough to show that two values differ (4 to 12)."""
    got, expected = np.ravel(got), np.ravel(expected)
    for digits in range(4, 13):
        if any(_number(a, digits) != _number(b, digits) for a, b in zip(got, expected, strict=True)):
            return digits
    return 12


def _number(value, digits: int = 4) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))  # 3, not 3.0: an integer input or a truncated result
    text = f"{float(value):.{digits}g}"
    return text + ".0" if text.lstrip("-").isdigit() else text  # 1.0, not 1: it is a float


def _show(array: np.ndarray, digits: int = 4) -> str:
    if array.ndim == 0:
        return _number(array[()], digits)
    if array.size <= 4:
        return "[" + ", ".join(_number(v, digits) for v in array.ravel()) + "]"
    return f"array of shape {array.shape}"


def _shape(shape: tuple) -> str:
    return "a single number" if shape == () else f"shape {shape}"


def _type_name(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, (str, bytes)):
        text = repr(value[:20]) + ("..." if len(value) > 20 else "")
        return f"a {type(value).__name__} {text}"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


# Explaining an exception ------------------------------------------------------------------------------------

# Code that is not the learner's: this package, the standard library and installed packages.
_NOT_THE_LEARNERS = tuple(
    {Path(__file__).resolve().parent}
    | {Path(sysconfig.get_paths()[key]).resolve() for key in ("stdlib", "platstdlib", "purelib", "platlib")}
)


def _explain_exception(ex: _Exercise, exc: BaseException, args: dict, where: str) -> str:
    lines = [
        f"your function raised {_exception_text(exc)}",
        f"  in {where}: {_describe_inputs(ex, args, values=False)}",
    ]
    line = _learner_line(exc)
    if line:
        lines.append(f"  at {line}")
    for hint in ex.hints:
        if isinstance(exc, hint.kind) and hint.text in str(exc):
            lines.append(f"  Hint: {hint.advice}")
            break
    return "\n".join(lines)


def _exception_text(exc: BaseException) -> str:
    message = _no_addresses(str(exc))
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _learner_line(exc: BaseException) -> str | None:
    """``line N: <code>`` of the last frame of the traceback in the learner's code (not this library's)."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith("<frozen")
        and not any(Path(frame.filename).resolve().is_relative_to(d) for d in _NOT_THE_LEARNERS)
    ]
    if not frames:
        return None
    frame = frames[-1]
    code = (frame.line or "").strip()
    return f"line {frame.lineno}: {code}" if code else f"line {frame.lineno}"


def _no_addresses(text: str) -> str:
    """Remove memory addresses (``at 0x7f...``), which change from run to run."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)
