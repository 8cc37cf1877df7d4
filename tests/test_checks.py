"""The exercise checks: they accept every correct implementation, however written, and reject the typical
wrong ones with a message that names the mistake.

Every implementation below is written the way a learner would write it, independently of the mistakes
catalogued in ``lessons_lib.checks``. A check must never raise, whatever the learner's function does.
"""

import _thread
import doctest
import functools
import itertools
import math
import re
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import adam_update, adamw_update, bias_correction, checks, cosine_decay, ewa, ewa_update
from lessons_lib.checks import (
    _catalogue,
    _mechanism,
    check_adagrad_step,
    check_adam_step,
    check_adamw_step,
    check_centered_rmsprop_step,
    check_cosine_schedule,
    check_effective_lr,
    check_ewa,
    check_ewa_bias_corrected,
    check_gd_step,
    check_layer_backward,
    check_momentum_step,
    check_nesterov_step,
    check_rmsprop_step,
    check_rmsprop_step_eps_inside,
    check_steps_to_tolerance,
)
from lessons_lib.conventions import keras_rmsprop_step, optax_rmsprop_step
from lessons_lib.data import layer_backward as library_layer_backward
from lessons_lib.measures import first_staying

CHECKS = {
    "ewa": (check_ewa, ("values", "beta")),
    "ewa_bias_corrected": (check_ewa_bias_corrected, ("values", "beta")),
    "gd_step": (check_gd_step, ("x", "g", "lr")),
    "momentum_step": (check_momentum_step, ("x", "g", "v", "lr", "beta")),
    "adagrad_step": (check_adagrad_step, ("x", "g", "s", "lr", "eps")),
    "rmsprop_step": (check_rmsprop_step, ("x", "g", "s", "lr", "beta", "eps")),
    "adam_step": (check_adam_step, ("x", "g", "m", "v", "t", "lr", "beta1", "beta2", "eps")),
    "nesterov_step": (check_nesterov_step, ("x", "g", "v", "lr", "beta")),
    "centered_rmsprop_step": (check_centered_rmsprop_step, ("x", "g", "s", "m", "lr", "beta", "eps")),
    "effective_lr": (check_effective_lr, ("s", "lr", "eps")),
    "steps_to_tolerance": (check_steps_to_tolerance, ("gaps", "tol")),
    "rmsprop_step_eps_inside": (check_rmsprop_step_eps_inside, ("x", "g", "s", "lr", "beta", "eps")),
    "layer_backward": (check_layer_backward, ("a", "W", "delta")),
    "cosine_schedule": (check_cosine_schedule, ("steps", "final")),
    "adamw_step": (
        check_adamw_step,
        ("x", "g", "m", "v", "t", "lr", "beta1", "beta2", "eps", "weight_decay"),
    ),
}


def run(name, fn, capsys):
    """Run the check called ``name`` on ``fn``; return its verdict and what it printed."""
    verdict = CHECKS[name][0](fn)
    out = capsys.readouterr().out
    assert isinstance(verdict, bool)
    assert out.startswith(f"{name}: ") and out.endswith("\n")
    assert "Traceback" not in out and "0x" not in out
    return verdict, out


def flat(text):
    """The text with every run of whitespace made one space, so that phrases can be found across lines."""
    return " ".join(text.split())


def elementwise(fn):
    """Apply a scalar function of (x, g, state..., hyperparameters) coordinate by coordinate, in a loop.

    The array arguments are the first ``n_arrays``; it works for Python floats (shape ()) and any shape.
    """

    def loop(*args, n_arrays):
        arrays = [np.array(a, dtype=float) for a in args[:n_arrays]]
        outs = None
        for i in np.ndindex(arrays[0].shape):
            result = fn(*(float(a[i]) for a in arrays), *args[n_arrays:])
            if outs is None:
                outs = [np.empty(arrays[0].shape) for _ in result]
            for out, r in zip(outs, result, strict=True):
                out[i] = r
        return tuple(outs)

    return loop


# ------------------------------------------------------------------------------------------------------------
# Correct implementations, written in many ways.


def ewa_loop(values, beta):
    v, out = 0.0, []
    for x in values:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return out


def ewa_rearranged_into_array(values, beta):
    out = np.zeros(len(values))
    v = 0.0
    for t, x in enumerate(values):
        v = v + (1 - beta) * (x - v)
        out[t] = v
    return out


def ewa_accumulate(values, beta):
    return tuple(itertools.accumulate(values, lambda v, x: beta * v + (1 - beta) * x, initial=0.0))[1:]


def ewa_weight_matrix(values, beta):
    x = np.asarray(values, dtype=float)
    i, j = np.indices((len(x), len(x)))
    weights = np.where(j <= i, (1 - beta) * beta ** np.clip(i - j, 0, None), 0.0)
    return weights @ x


def ewa_library(values, beta):
    return ewa(values, beta)


def ewa_bc_loop(values, beta):
    v, out = 0.0, []
    for t, x in enumerate(values, start=1):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta**t))
    return out


def ewa_bc_adjusted_mean(values, beta):
    """The "adjusted" EW mean of dataframe libraries: sum(beta**k x_{t-k}) / sum(beta**k)."""
    x = np.asarray(values, dtype=float)
    out = []
    for t in range(1, len(x) + 1):
        w = beta ** np.arange(t)
        out.append(np.dot(w, x[t - 1 :: -1]) / w.sum())
    return np.array(out)


def ewa_bc_vectorised(values, beta):
    v = np.asarray(ewa_accumulate(values, beta))
    return v / (1 - beta ** np.arange(1, len(v) + 1))


def ewa_bc_library(values, beta):
    return list(ewa(values, beta, bias_correction=True))


def gd_plain(x, g, lr):
    return x - lr * g


def gd_rearranged(x, g, lr):
    return -g * lr + x


def gd_numpy_ufuncs(x, g, lr):
    return np.subtract(x, np.multiply(lr, g))  # np.float64 for float inputs


def gd_tolist(x, g, lr):
    return (np.asarray(x) - lr * np.asarray(g)).tolist()


def gd_loop(x, g, lr):
    return elementwise(lambda xi, gi, lr: (xi - lr * gi,))(x, g, lr, n_arrays=2)[0]


def momentum_plain(x, g, v, lr, beta):
    v = beta * v + (1 - beta) * g
    x = x - lr * v
    return x, v


def momentum_rearranged_list(x, g, v, lr, beta):
    v_new = v + (1 - beta) * (g - v)
    return [x - lr * (beta * v + (1 - beta) * g), v_new]


def momentum_stacked_array(x, g, v, lr, beta):
    v = ewa_update(v, g, beta)
    return np.array([x - lr * v, v])


def momentum_loop(x, g, v, lr, beta):
    def one(xi, gi, vi, lr, beta):
        vi = beta * vi + (1 - beta) * gi
        return xi - lr * vi, vi

    return elementwise(one)(x, g, v, lr, beta, n_arrays=3)


def adagrad_plain(x, g, s, lr, eps):
    s = s + g**2
    x = x - lr * g / (np.sqrt(s) + eps)
    return x, s


def adagrad_rearranged_list(x, g, s, lr, eps):
    s = g * g + s
    return [x - g * lr / (s**0.5 + eps), s]


def adagrad_numpy_scalars(x, g, s, lr, eps):
    s = np.add(s, np.square(g))
    return np.subtract(x, np.divide(np.multiply(lr, g), np.add(np.sqrt(s), eps))), s


def adagrad_math_loop(x, g, s, lr, eps):
    def one(xi, gi, si, lr, eps):
        si += gi**2
        return xi - lr * gi / (math.sqrt(si) + eps), si

    return elementwise(one)(x, g, s, lr, eps, n_arrays=3)


def rmsprop_plain(x, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    x = x - lr * g / (np.sqrt(s) + eps)
    return x, s


def rmsprop_rearranged_list(x, g, s, lr, beta, eps):
    s = s + (1 - beta) * (g * g - s)
    return [x - g * lr / (s**0.5 + eps), s]


def rmsprop_with_library_ewa(x, g, s, lr, beta, eps):
    s = ewa_update(s, np.square(g), beta)
    return x - lr * (g / (np.sqrt(s) + eps)), s


def rmsprop_math_loop(x, g, s, lr, beta, eps):
    def one(xi, gi, si, lr, beta, eps):
        si = beta * si + (1 - beta) * gi * gi
        return xi - lr * gi / (math.sqrt(si) + eps), si

    return elementwise(one)(x, g, s, lr, beta, eps, n_arrays=3)


def adam_plain(x, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_folded_step_size(x, g, m, v, t, lr, beta1, beta2, eps):
    """The paper's section 2 form: lr_t = lr*sqrt(1 - beta2**t)/(1 - beta1**t), eps_hat = eps*sqrt(...)."""
    m = m + (1 - beta1) * (g - m)
    v = v + (1 - beta2) * (g * g - v)
    root = np.sqrt(1 - beta2**t)
    lr_t = lr * root / (1 - beta1**t)
    return [x - lr_t * m / (np.sqrt(v) + eps * root), m, v]


def adam_with_library_pieces(x, g, m, v, t, lr, beta1, beta2, eps):
    m, v = ewa_update(m, g, beta1), ewa_update(v, g**2, beta2)
    m_hat, v_hat = bias_correction(m, beta1, t), bias_correction(v, beta2, t)
    return x - lr * m_hat / (v_hat**0.5 + eps), m, v


def adam_math_loop(x, g, m, v, t, lr, beta1, beta2, eps):
    def one(xi, gi, mi, vi, t, lr, beta1, beta2, eps):
        mi = beta1 * mi + (1 - beta1) * gi
        vi = beta2 * vi + (1 - beta2) * gi**2
        return xi - lr * (mi / (1 - beta1**t)) / (math.sqrt(vi / (1 - beta2**t)) + eps), mi, vi

    return elementwise(one)(x, g, m, v, t, lr, beta1, beta2, eps, n_arrays=4)


def nesterov_plain(x, g, v, lr, beta):
    v = beta * v + g
    x = x - lr * (g + beta * v)
    return x, v


def nesterov_with_the_old_velocity_list(x, g, v, lr, beta):
    """The look-ahead written out with the old velocity: g + beta*(beta*v + g)."""
    return [x - lr * ((1 + beta) * g + beta**2 * v), g + beta * v]


def nesterov_numpy_scalars(x, g, v, lr, beta):
    v = np.add(np.multiply(beta, v), g)
    return np.subtract(x, np.multiply(lr, np.add(g, np.multiply(beta, v)))), v


def nesterov_stacked_array(x, g, v, lr, beta):
    v = beta * np.asarray(v) + g
    return np.array([x - lr * g - lr * beta * v, v])


def nesterov_loop(x, g, v, lr, beta):
    def one(xi, gi, vi, lr, beta):
        vi = beta * vi + gi
        return xi - lr * (gi + beta * vi), vi

    return elementwise(one)(x, g, v, lr, beta, n_arrays=3)


def centered_plain(x, g, s, m, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    m = beta * m + (1 - beta) * g
    x = x - lr * g / (np.sqrt(s - m**2) + eps)
    return x, s, m


def centered_rearranged_list(x, g, s, m, lr, beta, eps):
    s = s + (1 - beta) * (g * g - s)
    m = m + (1 - beta) * (g - m)
    return [x - g * lr / ((s - m * m) ** 0.5 + eps), s, m]


def centered_clipped_variance(x, g, s, m, lr, beta, eps):
    s, m = ewa_update(s, np.square(g), beta), ewa_update(m, g, beta)
    variance = np.maximum(s - np.square(m), 0.0)
    return x - lr * (g / (np.sqrt(variance) + eps)), s, m


def centered_math_loop(x, g, s, m, lr, beta, eps):
    def one(xi, gi, si, mi, lr, beta, eps):
        si = beta * si + (1 - beta) * gi * gi
        mi = beta * mi + (1 - beta) * gi
        return xi - lr * gi / (math.sqrt(si - mi**2) + eps), si, mi

    return elementwise(one)(x, g, s, m, lr, beta, eps, n_arrays=4)


def effective_lr_plain(s, lr, eps):
    return lr / (np.sqrt(s) + eps)


def effective_lr_power(s, lr, eps):
    return lr * (s**0.5 + eps) ** -1


def effective_lr_math_or_loop(s, lr, eps):
    if np.ndim(s) == 0:
        return lr / (math.sqrt(s) + eps)  # a Python float for a number s
    out = np.empty(np.shape(s))
    for i in np.ndindex(out.shape):
        out[i] = lr / (math.sqrt(s[i]) + eps)
    return out


def effective_lr_tolist(s, lr, eps):
    return (lr / (np.sqrt(np.asarray(s, dtype=float)) + eps)).tolist()  # a float for a number s


def effective_lr_ufuncs(s, lr, eps):
    return np.multiply(lr, np.reciprocal(np.add(np.sqrt(s), eps)))  # np.float64 for a number s


def steps_from_the_end(gaps, tol):
    k = len(gaps)
    while k > 0 and gaps[k - 1] <= tol:  # nan <= tol is False: a diverged run stops the walk back
        k -= 1
    return k if k < len(gaps) else -1


def steps_all_from_each_step(gaps, tol):
    for k in range(len(gaps)):
        if all(gap <= tol for gap in gaps[k:]):
            return k
    return -1


def steps_after_the_last_gap_above(gaps, tol):
    above = np.flatnonzero(~(np.asarray(gaps, dtype=float) <= tol))  # NaN is above
    k = above[-1] + 1 if above.size else 0  # np.int64
    return k if k < len(gaps) else -1


def steps_forward_with_isnan(gaps, tol):
    k = -1
    for j, gap in enumerate(gaps):
        if math.isnan(gap) or gap > tol:
            k = -1  # left tol (or diverged): start again
        elif k == -1:
            k = j
    return k


def steps_with_the_library(gaps, tol):
    return first_staying(np.asarray(gaps, dtype=float) <= tol)  # a 0-d array


def steps_flipped_cumprod_float(gaps, tol):
    within = np.asarray(gaps, dtype=float) <= tol
    stays = np.cumprod(within[::-1])[::-1]
    return float(np.argmax(stays)) if stays.any() else -1.0  # a whole float


def eps_inside_plain(x, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    return x - lr * g / np.sqrt(s + eps), s


def eps_inside_rearranged_list(x, g, s, lr, beta, eps):
    s = s + (1 - beta) * (g * g - s)
    return [x - g * lr * (s + eps) ** -0.5, s]


def eps_inside_keras(x, g, s, lr, beta, eps):
    """keras.optimizers.RMSprop as lessons_lib.conventions transcribes it: rho is beta, epsilon is eps."""
    x, state = keras_rmsprop_step(x, g, {"velocity": s}, lr=lr, rho=beta, epsilon=eps)
    return x, state["velocity"]


def eps_inside_optax(x, g, s, lr, beta, eps):
    """optax.rmsprop as lessons_lib.conventions transcribes it: decay is beta."""
    x, state = optax_rmsprop_step(x, g, {"nu": s}, lr=lr, decay=beta, eps=eps)
    return x, state["nu"]


def eps_inside_math_loop(x, g, s, lr, beta, eps):
    def one(xi, gi, si, lr, beta, eps):
        si = beta * si + (1 - beta) * gi * gi
        return xi - lr * gi / math.sqrt(si + eps), si

    return elementwise(one)(x, g, s, lr, beta, eps, n_arrays=3)


# Correct whatever the inputs' dtype: new arrays made as floats, in-place updates only of float copies.


def ewa_into_empty_like_float(values, beta):
    out = np.empty_like(values, dtype=float)
    v = 0.0
    for t, x in enumerate(values):
        v = beta * v + (1 - beta) * x
        out[t] = v
    return out


def ewa_into_zeros_like_float(values, beta):
    out, v = np.zeros_like(values, dtype=float), 0.0
    for t in range(len(values)):
        v = beta * v + (1 - beta) * values[t]
        out[t] = v
    return out


def ewa_astype_in_place(values, beta):
    x = np.asarray(values).astype(float)
    v = 0.0
    for t in range(len(x)):
        v = beta * v + (1 - beta) * x[t]
        x[t] = v  # x is a float copy: overwriting it leaves values alone
    return x


def ewa_list_of_zeros(values, beta):
    out, v = [0.0] * len(values), 0.0
    for t, x in enumerate(values):
        v = beta * v + (1 - beta) * x
        out[t] = v
    return out


def ewa_bc_float_array_in_place(values, beta):
    v = np.array(ewa_loop(values, beta), dtype=float)
    v /= 1 - beta ** np.arange(1, len(v) + 1)
    return v


def ewa_bc_into_zeros(values, beta):
    out, v = np.zeros(len(values)), 0.0
    for t, x in enumerate(values, start=1):
        v = beta * v + (1 - beta) * x
        out[t - 1] = v / (1 - beta**t)
    return out


def gd_float_copy_in_place(x, g, lr):
    x = np.array(x, dtype=float)
    x -= lr * np.asarray(g)
    return x


def gd_into_empty_like_float(x, g, lr):
    out = np.empty_like(x, dtype=float)
    out[...] = x - lr * np.asarray(g)
    return out


def momentum_float_copies_in_place(x, g, v, lr, beta):
    v = np.asarray(v, dtype=float).copy()
    v *= beta
    v += (1 - beta) * np.asarray(g)
    x = np.asarray(x).astype(float)
    x -= lr * v
    return x, v


def momentum_into_zeros_like_float(x, g, v, lr, beta):
    x_new, v_new = np.zeros_like(x, dtype=float), np.zeros_like(v, dtype=float)
    v_new[...] = beta * np.asarray(v) + (1 - beta) * np.asarray(g)
    x_new[...] = x - lr * v_new
    return x_new, v_new


def adagrad_float_copy_in_place(x, g, s, lr, eps):
    s = np.array(s, dtype=float)
    s += np.square(g)
    return x - lr * g / (np.sqrt(s) + eps), s


def adagrad_into_empty_like_float(x, g, s, lr, eps):
    x_new, s_new = np.empty_like(x, dtype=float), np.empty_like(s, dtype=float)
    s_new[...] = s + np.square(g)
    x_new[...] = x - lr * np.asarray(g) / (np.sqrt(s_new) + eps)
    return x_new, s_new


def rmsprop_astype_in_place(x, g, s, lr, beta, eps):
    s = np.asarray(s).astype(float)
    s *= beta
    s += (1 - beta) * np.square(g)
    x = np.asarray(x).astype(float)
    x -= lr * np.asarray(g) / (np.sqrt(s) + eps)
    return x, s


def adam_float_arrays(x, g, m, v, t, lr, beta1, beta2, eps):
    x, g, m, v = (np.array(a, dtype=float) for a in (x, g, m, v))
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g**2
    x -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return x, m, v


def adam_into_zeros_like_float(x, g, m, v, t, lr, beta1, beta2, eps):
    new = [np.zeros_like(a, dtype=float) for a in (x, m, v)]
    new[1][...] = beta1 * np.asarray(m) + (1 - beta1) * np.asarray(g)
    new[2][...] = beta2 * np.asarray(v) + (1 - beta2) * np.square(g)
    new[0][...] = x - lr * (new[1] / (1 - beta1**t)) / (np.sqrt(new[2] / (1 - beta2**t)) + eps)
    return tuple(new)


def nesterov_pytorch_style(x, g, v, lr, beta):
    """As torch.optim.SGD writes it, on float copies: buf.mul_(beta).add_(g), then g.add(buf, alpha=beta)."""
    buf = np.array(v, dtype=float)
    buf *= beta
    buf += g
    x = np.array(x, dtype=float)
    x -= lr * np.add(g, beta * buf)
    return x, buf


def nesterov_into_zeros_like_float(x, g, v, lr, beta):
    x_new, v_new = np.zeros_like(x, dtype=float), np.zeros_like(v, dtype=float)
    v_new[...] = beta * np.asarray(v) + np.asarray(g)
    x_new[...] = x - lr * (g + beta * v_new)
    return x_new, v_new


def centered_pytorch_style(x, g, s, m, lr, beta, eps):
    """As torch.optim.RMSprop(centered=True) writes it, on float copies of the state."""
    square_avg, grad_avg = np.array(s, dtype=float), np.array(m, dtype=float)
    square_avg *= beta
    square_avg += (1 - beta) * np.multiply(g, g)
    grad_avg += (1 - beta) * (g - grad_avg)  # grad_avg.lerp_(g, 1 - beta)
    avg = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    x = np.array(x, dtype=float)
    x -= lr * (g / avg)
    return x, square_avg, grad_avg


def effective_lr_full_like_float(s, lr, eps):
    rate = np.full_like(s, lr, dtype=float)
    rate /= np.sqrt(s) + eps
    return rate


def eps_inside_into_zeros_like_float(x, g, s, lr, beta, eps):
    s_new = np.zeros_like(s, dtype=float)
    s_new[...] = beta * np.asarray(s) + (1 - beta) * np.square(g)
    return x - lr * g / np.sqrt(s_new + eps), s_new


def steps_nan_replaced_in_a_copy(gaps, tol):
    gaps = np.array(gaps, dtype=float)  # a copy, even of a float array
    gaps[np.isnan(gaps)] = np.inf
    return steps_from_the_end(gaps, tol)


def layer_backward_plain(a, W, delta):
    dW = a.T @ delta
    db = delta.sum(axis=0)
    delta_below = (delta @ W.T) * (1 - a**2)
    return dW, db, delta_below


def layer_backward_einsum_list(a, W, delta):
    return [
        np.einsum("ij,ik->jk", a, delta),
        np.einsum("ik->k", delta),
        np.einsum("ik,jk->ij", delta, W) * (1 - a * a),
    ]


def layer_backward_outer_sums(a, W, delta):
    """(N5) and (N6) image by image: dW a sum of outer products, db a sum of rows."""
    dW = sum(np.outer(a[i], delta[i]) for i in range(len(a)))
    db = sum(delta[i] for i in range(len(a)))
    delta_below = np.array([(W @ delta[i]) * (1 - a[i] ** 2) for i in range(len(a))])
    return dW, db, delta_below


def layer_backward_loops(a, W, delta):
    (n, fan_in), fan_out = np.shape(a), np.shape(W)[1]
    dW, db, delta_below = np.zeros((fan_in, fan_out)), np.zeros(fan_out), np.zeros((n, fan_in))
    for i in range(n):
        for j in range(fan_in):
            for k in range(fan_out):
                dW[j, k] += a[i, j] * delta[i, k]
                delta_below[i, j] += delta[i, k] * W[j, k]
            delta_below[i, j] *= (1 - a[i, j]) * (1 + a[i, j])
        for k in range(fan_out):
            db[k] += delta[i, k]
    return dW, db, delta_below


def layer_backward_numpy_functions(a, W, delta):
    return (
        np.matmul(np.transpose(a), delta),
        np.add.reduce(delta, axis=0),
        np.multiply(np.dot(delta, W.T), np.subtract(1, np.square(a))),
    )


def layer_backward_library(a, W, delta):
    return library_layer_backward(a, W, delta, "tanh")


def layer_backward_float_copy_in_place(a, W, delta):
    slope = np.array(a, dtype=float)
    slope **= 2
    slope *= -1
    slope += 1  # 1 - a**2, built in a copy of a
    delta_below = delta @ W.T
    delta_below *= slope
    return a.T @ delta, delta.sum(axis=0), delta_below


def layer_backward_into_zeros_like_float(a, W, delta):
    dW = np.zeros_like(W, dtype=float)
    for i in range(len(a)):
        dW += np.outer(a[i], delta[i])
    return dW, np.sum(delta, axis=0), (delta @ np.transpose(W)) * (1 - a**2)


def cosine_numpy(steps, final):
    k = np.arange(steps)
    return final + (1 - final) * (1 + np.cos(np.pi * k / steps)) / 2


def cosine_list_math(steps, final):
    return [final + (1 - final) * 0.5 * (1 + math.cos(math.pi * k / steps)) for k in range(steps)]


def cosine_squared_half_angle(steps, final):
    """(1 + cos(2u))/2 = cos(u)**2."""
    return final + (1 - final) * np.cos(np.pi * np.arange(steps) / (2 * steps)) ** 2


def cosine_linspace_without_endpoint_tuple(steps, final):
    angles = np.linspace(0, np.pi, steps, endpoint=False)
    return tuple(final + (1 - final) * (1 + np.cos(angles)) / 2)


def cosine_library(steps, final):
    return cosine_decay(steps, final=final)


def cosine_angle_added_up(steps, final):
    """The angle grown by pi/steps a step, as a loop would: rounding accumulates in it."""
    out, angle = [], 0.0
    for _ in range(steps):
        out.append(final + (1 - final) * (1 + math.cos(angle)) / 2)
        angle += math.pi / steps
    return out


def cosine_pytorch_recursion(steps, final):
    """As torch.optim.lr_scheduler.CosineAnnealingLR (base lr 1, eta_min = final) updates its rate: each
    multiplier from the one before."""
    out = [1.0]
    for k in range(1, steps):
        ratio = (1 + math.cos(math.pi * k / steps)) / (1 + math.cos(math.pi * (k - 1) / steps))
        out.append(final + (out[-1] - final) * ratio)
    return out


def cosine_into_full_float(steps, final):
    out = np.full(steps, final, dtype=float)
    out += (1 - final) * (1 + np.cos(np.pi * np.arange(steps) / steps)) / 2
    return out


def adamw_plain(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    x = x - lr * weight_decay * x
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adamw_decay_with_the_step_list(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """The decay of the old x subtracted along with Adam's step: the same numbers."""
    m = m + (1 - beta1) * (g - m)
    v = v + (1 - beta2) * (g * g - v)
    step = (m / (1 - beta1**t)) / ((v / (1 - beta2**t)) ** 0.5 + eps)
    return [x - lr * (step + weight_decay * x), m, v]


def adamw_shrink_then_library_adam(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_update(x * (1 - lr * weight_decay), g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


def adamw_library(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adamw_update(x, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)


def adamw_pytorch_style(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """As torch.optim.AdamW writes it, on float copies: param.mul_(1 - lr*weight_decay), then addcdiv_ with
    the bias corrections split between the step size and the denominator."""
    param, exp_avg, exp_avg_sq = (np.array(a, dtype=float) for a in (x, m, v))
    param *= 1 - lr * weight_decay
    exp_avg += (1 - beta1) * (g - exp_avg)  # exp_avg.lerp_(g, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * np.multiply(g, g)
    denom = np.sqrt(exp_avg_sq) / math.sqrt(1 - beta2**t) + eps
    param -= lr / (1 - beta1**t) * exp_avg / denom
    return param, exp_avg, exp_avg_sq


def adamw_math_loop(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    def one(xi, gi, mi, vi, t, lr, beta1, beta2, eps, weight_decay):
        xi -= lr * weight_decay * xi
        mi = beta1 * mi + (1 - beta1) * gi
        vi = beta2 * vi + (1 - beta2) * gi**2
        return xi - lr * (mi / (1 - beta1**t)) / (math.sqrt(vi / (1 - beta2**t)) + eps), mi, vi

    return elementwise(one)(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay, n_arrays=4)


CORRECT = [
    ("ewa", ewa_loop),
    ("ewa", ewa_rearranged_into_array),
    ("ewa", ewa_accumulate),
    ("ewa", ewa_weight_matrix),
    ("ewa", ewa_library),
    ("ewa", ewa_into_empty_like_float),
    ("ewa", ewa_into_zeros_like_float),
    ("ewa", ewa_astype_in_place),
    ("ewa", ewa_list_of_zeros),
    ("ewa_bias_corrected", ewa_bc_loop),
    ("ewa_bias_corrected", ewa_bc_adjusted_mean),
    ("ewa_bias_corrected", ewa_bc_vectorised),
    ("ewa_bias_corrected", ewa_bc_library),
    ("ewa_bias_corrected", ewa_bc_float_array_in_place),
    ("ewa_bias_corrected", ewa_bc_into_zeros),
    ("gd_step", gd_plain),
    ("gd_step", gd_rearranged),
    ("gd_step", gd_numpy_ufuncs),
    ("gd_step", gd_tolist),
    ("gd_step", gd_loop),
    ("gd_step", gd_float_copy_in_place),
    ("gd_step", gd_into_empty_like_float),
    ("momentum_step", momentum_plain),
    ("momentum_step", momentum_rearranged_list),
    ("momentum_step", momentum_stacked_array),
    ("momentum_step", momentum_loop),
    ("momentum_step", momentum_float_copies_in_place),
    ("momentum_step", momentum_into_zeros_like_float),
    ("adagrad_step", adagrad_plain),
    ("adagrad_step", adagrad_rearranged_list),
    ("adagrad_step", adagrad_numpy_scalars),
    ("adagrad_step", adagrad_math_loop),
    ("adagrad_step", adagrad_float_copy_in_place),
    ("adagrad_step", adagrad_into_empty_like_float),
    ("rmsprop_step", rmsprop_plain),
    ("rmsprop_step", rmsprop_rearranged_list),
    ("rmsprop_step", rmsprop_with_library_ewa),
    ("rmsprop_step", rmsprop_math_loop),
    ("rmsprop_step", rmsprop_astype_in_place),
    ("adam_step", adam_plain),
    ("adam_step", adam_folded_step_size),
    ("adam_step", adam_with_library_pieces),
    ("adam_step", adam_math_loop),
    ("adam_step", adam_float_arrays),
    ("adam_step", adam_into_zeros_like_float),
    ("nesterov_step", nesterov_plain),
    ("nesterov_step", nesterov_with_the_old_velocity_list),
    ("nesterov_step", nesterov_numpy_scalars),
    ("nesterov_step", nesterov_stacked_array),
    ("nesterov_step", nesterov_loop),
    ("nesterov_step", nesterov_pytorch_style),
    ("nesterov_step", nesterov_into_zeros_like_float),
    ("centered_rmsprop_step", centered_plain),
    ("centered_rmsprop_step", centered_rearranged_list),
    ("centered_rmsprop_step", centered_clipped_variance),
    ("centered_rmsprop_step", centered_math_loop),
    ("centered_rmsprop_step", centered_pytorch_style),
    ("effective_lr", effective_lr_plain),
    ("effective_lr", effective_lr_power),
    ("effective_lr", effective_lr_math_or_loop),
    ("effective_lr", effective_lr_tolist),
    ("effective_lr", effective_lr_ufuncs),
    ("effective_lr", effective_lr_full_like_float),
    ("steps_to_tolerance", steps_from_the_end),
    ("steps_to_tolerance", steps_all_from_each_step),
    ("steps_to_tolerance", steps_after_the_last_gap_above),
    ("steps_to_tolerance", steps_forward_with_isnan),
    ("steps_to_tolerance", steps_with_the_library),
    ("steps_to_tolerance", steps_flipped_cumprod_float),
    ("steps_to_tolerance", steps_nan_replaced_in_a_copy),
    ("rmsprop_step_eps_inside", eps_inside_plain),
    ("rmsprop_step_eps_inside", eps_inside_rearranged_list),
    ("rmsprop_step_eps_inside", eps_inside_keras),
    ("rmsprop_step_eps_inside", eps_inside_optax),
    ("rmsprop_step_eps_inside", eps_inside_math_loop),
    ("rmsprop_step_eps_inside", eps_inside_into_zeros_like_float),
    ("layer_backward", layer_backward_plain),
    ("layer_backward", layer_backward_einsum_list),
    ("layer_backward", layer_backward_outer_sums),
    ("layer_backward", layer_backward_loops),
    ("layer_backward", layer_backward_numpy_functions),
    ("layer_backward", layer_backward_library),
    ("layer_backward", layer_backward_float_copy_in_place),
    ("layer_backward", layer_backward_into_zeros_like_float),
    ("cosine_schedule", cosine_numpy),
    ("cosine_schedule", cosine_list_math),
    ("cosine_schedule", cosine_squared_half_angle),
    ("cosine_schedule", cosine_linspace_without_endpoint_tuple),
    ("cosine_schedule", cosine_library),
    ("cosine_schedule", cosine_angle_added_up),
    ("cosine_schedule", cosine_pytorch_recursion),
    ("cosine_schedule", cosine_into_full_float),
    ("adamw_step", adamw_plain),
    ("adamw_step", adamw_decay_with_the_step_list),
    ("adamw_step", adamw_shrink_then_library_adam),
    ("adamw_step", adamw_library),
    ("adamw_step", adamw_pytorch_style),
    ("adamw_step", adamw_math_loop),
]


@pytest.mark.parametrize(("name", "fn"), CORRECT, ids=[fn.__name__ for _, fn in CORRECT])
def test_every_correct_implementation_passes(name, fn, capsys):
    verdict, out = run(name, fn, capsys)
    assert verdict is True, out
    assert out == f"{name}: correct on all {len(EXERCISES[name].cases)} cases.\n"


# ------------------------------------------------------------------------------------------------------------
# Typical wrong implementations, each with the phrase its message must contain.


def ewa_pandas_adjust_false(values, beta):
    out = [values[0]]
    for x in values[1:]:
        out.append(beta * out[-1] + (1 - beta) * x)
    return out


def ewa_appends_before_update(values, beta):
    v, out = 0.0, []
    for x in values:
        out.append(v)
        v = beta * v + (1 - beta) * x
    return out


def ewa_keeps_v0(values, beta):
    out = [0.0]
    for x in values:
        out.append(beta * out[-1] + (1 - beta) * x)
    return out


def ewa_returns_last(values, beta):
    v = 0.0
    for x in values:
        v = beta * v + (1 - beta) * x
    return v


def ewa_no_one_minus_beta(values, beta):
    v, out = 0.0, []
    for x in values:
        v = beta * v + x
        out.append(v)
    return out


def ewa_swapped(values, beta):
    v, out = 0.0, []
    for x in values:
        v = (1 - beta) * v + beta * x
        out.append(v)
    return out


def ewa_forgets(values, beta):
    return [(1 - beta) * x for x in values]


def ewa_bc_no_correction(values, beta):
    return ewa_loop(values, beta)


def ewa_bc_t_plus_one(values, beta):
    v = np.asarray(ewa_loop(values, beta))
    return v / (1 - beta ** (np.arange(len(v)) + 2))


def ewa_bc_t_from_zero_vectorised(values, beta):
    v = np.asarray(ewa_loop(values, beta))
    return v / (1 - beta ** np.arange(len(v)))


def ewa_bc_t_from_zero_loop(values, beta):
    v, out = 0.0, []
    for t, x in enumerate(values):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta**t))
    return out


def ewa_bc_power_of_one_minus_beta(values, beta):
    v, out = 0.0, []
    for t, x in enumerate(values, start=1):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta) ** t)
    return out


def ewa_bc_multiplied(values, beta):
    v, out = 0.0, []
    for t, x in enumerate(values, start=1):
        v = beta * v + (1 - beta) * x
        out.append(v * (1 - beta**t))
    return out


def ewa_bc_feeds_corrected_value_back(values, beta):
    v, out = 0.0, []
    for t, x in enumerate(values, start=1):
        v = beta * v + (1 - beta) * x
        v = v / (1 - beta**t)
        out.append(v)
    return out


def ewa_bc_no_one_minus_beta(values, beta):
    v, out = 0.0, []
    for t, x in enumerate(values, start=1):
        v = beta * v + x
        out.append(v / (1 - beta**t))
    return out


def ewa_bc_returns_last(values, beta):
    return ewa_bc_loop(values, beta)[-1]


def momentum_summed(x, g, v, lr, beta):
    v = beta * v + g
    return x - lr * v, v


def momentum_swapped(x, g, v, lr, beta):
    v = (1 - beta) * v + beta * g
    return x - lr * v, v


def momentum_old_velocity(x, g, v, lr, beta):
    x = x - lr * v
    v = beta * v + (1 - beta) * g
    return x, v


def momentum_forgets(x, g, v, lr, beta):
    v = (1 - beta) * g
    return x - lr * v, v


def momentum_uphill(x, g, v, lr, beta):
    v = beta * v + (1 - beta) * g
    return x + lr * v, v


def momentum_returns_v_x(x, g, v, lr, beta):
    v = beta * v + (1 - beta) * g
    return v, x - lr * v


def momentum_returns_old_v(x, g, v, lr, beta):
    v_new = beta * v + (1 - beta) * g
    return x - lr * v_new, v


def adagrad_with(denominator=lambda s, eps: np.sqrt(s) + eps, accumulate=lambda s, g: s + g**2, old_s=False):
    def adagrad_step(x, g, s, lr, eps):
        s_new = accumulate(s, g)
        return x - lr * g / denominator(s if old_s else s_new, eps), s_new

    return adagrad_step


def rmsprop_with(
    denominator=lambda s, eps: np.sqrt(s) + eps,
    accumulate=lambda s, g, beta: beta * s + (1 - beta) * g**2,
    old_s=False,
):
    def rmsprop_step(x, g, s, lr, beta, eps):
        s_new = accumulate(s, g, beta)
        return x - lr * g / denominator(s if old_s else s_new, eps), s_new

    return rmsprop_step


def adam_with(
    m_rule=lambda m, g, b1: b1 * m + (1 - b1) * g,
    v_rule=lambda v, g, b2: b2 * v + (1 - b2) * g**2,
    m_hat=lambda m, b1, b2, t: m / (1 - b1**t),
    v_hat=lambda v, b1, b2, t: v / (1 - b2**t),
    denominator=lambda v_hat, eps: np.sqrt(v_hat) + eps,
    sign=-1.0,
    returns=lambda x, m, v, m_hat, v_hat: (x, m, v),
):
    def adam_step(x, g, m, v, t, lr, beta1, beta2, eps):
        m = m_rule(m, g, beta1)
        v = v_rule(v, g, beta2)
        mh, vh = m_hat(m, beta1, beta2, t), v_hat(v, beta1, beta2, t)
        x = x + sign * lr * mh / denominator(vh, eps)
        return returns(x, m, v, mh, vh)

    return adam_step


def adam_as_arrays(step):
    """The same step after converting every argument with np.asarray, as many learners do."""

    def adam_step(x, g, m, v, t, lr, beta1, beta2, eps):
        return step(*(np.asarray(a, dtype=float) for a in (x, g, m, v)), t, lr, beta1, beta2, eps)

    return adam_step


def adam_library_t_convention(x, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1  # as if t counted the steps already taken
    return adam_plain(x, g, m, v, t, lr, beta1, beta2, eps)


def adam_keras_without_eps_hat(x, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return x - lr_t * m / (np.sqrt(v) + eps), m, v


def nesterov_with(
    v_rule=lambda v, g, beta: beta * v + g,
    direction=lambda g, v_old, v_new, beta: g + beta * v_new,
    sign=-1.0,
):
    def nesterov_step(x, g, v, lr, beta):
        v_new = v_rule(v, g, beta)
        return x + sign * lr * direction(g, v, v_new, beta), v_new

    return nesterov_step


def nesterov_keras(x, g, v, lr, beta):
    """Keras's SGD(nesterov=True), its velocity's sign flipped: lr inside the velocity."""
    v = beta * v + lr * g
    return x - beta * v - lr * g, v


def centered_with(
    root=lambda s, m, eps: np.sqrt(s - m**2) + eps,
    m_rule=lambda m, g, beta: beta * m + (1 - beta) * g,
    old_m=False,
    old_s=False,
):
    def centered_rmsprop_step(x, g, s, m, lr, beta, eps):
        s_new = beta * s + (1 - beta) * g**2
        m_new = m_rule(m, g, beta)
        return x - lr * g / root(s if old_s else s_new, m if old_m else m_new, eps), s_new, m_new

    return centered_rmsprop_step


def centered_updates_m_after_the_step(x, g, s, m, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    x = x - lr * g / (np.sqrt(s - m**2) + eps)
    m = beta * m + (1 - beta) * g
    return x, s, m


def root_with_eps_inside(s, eps):
    return np.sqrt(s + eps)


def steps_first_within(gaps, tol):
    for k, gap in enumerate(gaps):
        if gap <= tol:
            return k
    return -1


def steps_last_above(gaps, tol):
    last = -1
    for j, gap in enumerate(gaps):
        if not gap <= tol:
            last = j
    return last


def steps_from_the_end_with(within=lambda gap, tol: gap <= tol, never=-1):
    def steps_to_tolerance(gaps, tol):
        k = len(gaps)
        while k > 0 and within(gaps[k - 1], tol):
            k -= 1
        return k if k < len(gaps) else never

    return steps_to_tolerance


def steps_len_when_never(gaps, tol):
    k = len(gaps)
    while k > 0 and gaps[k - 1] <= tol:
        k -= 1
    return k  # len(gaps) when the last gap is above tol


def steps_nanmax(gaps, tol):
    gaps = np.asarray(gaps, dtype=float)
    for k in range(len(gaps)):
        if np.nanmax(gaps[k:]) <= tol:  # nanmax skips the NaN of a diverged run
            return k
    return -1


def steps_nan_to_num(gaps, tol):
    return steps_from_the_end(np.nan_to_num(np.asarray(gaps, dtype=float)), tol)  # NaN becomes 0


def steps_counted_from_1(gaps, tol):
    for k in range(1, len(gaps) + 1):
        if all(gap <= tol for gap in gaps[k - 1 :]):
            return k
    return -1


def named(fn, name):
    fn.__name__ = name
    return fn


def layer_backward_with(
    dW=lambda a, W, delta: a.T @ delta,
    db=lambda delta: delta.sum(axis=0),
    slope=lambda a: 1 - a**2,
    transpose=True,
):
    def layer_backward(a, W, delta):
        back = delta @ (W.T if transpose else W)
        return dW(a, W, delta), db(delta), back * slope(a)

    return layer_backward


def adamw_with(decay=lambda x, lr, wd: x - lr * wd * x, l2=False, after=False, adam=adam_plain):
    """AdamW written as a learner might: ``decay`` of x before (or ``after``) the Adam step ``adam``, with
    ``l2`` adding weight_decay*x to the gradient."""

    def adamw_step(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        if l2:
            g = g + weight_decay * x
        x_new, m, v = adam(x if after else decay(x, lr, weight_decay), g, m, v, t, lr, beta1, beta2, eps)
        return (decay(x_new, lr, weight_decay) if after else x_new), m, v

    return adamw_step


def adamw_decay_in_the_adaptive_step(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - lr * (m_hat + weight_decay * x) / (np.sqrt(v_hat) + eps), m, v


WRONG = [
    # ewa
    ("ewa", ewa_pandas_adjust_false, "started from v_0 = x_1"),
    ("ewa", ewa_appends_before_update, "output shifted by one step"),
    ("ewa", ewa_keeps_v0, "v_0 included"),
    ("ewa", ewa_returns_last, "only the last average"),
    ("ewa", ewa_no_one_minus_beta, "missing (1 - beta) factor"),
    ("ewa", ewa_swapped, "beta and 1 - beta swapped"),
    ("ewa", ewa_forgets, "v not accumulated"),
    ("ewa", ewa_bc_loop, "bias correction applied"),
    # ewa_bias_corrected
    ("ewa_bias_corrected", ewa_bc_no_correction, "bias correction missing"),
    ("ewa_bias_corrected", ewa_bc_t_plus_one, "1 - beta**(t + 1)"),
    ("ewa_bias_corrected", ewa_bc_t_from_zero_vectorised, "t counted from 0"),
    ("ewa_bias_corrected", ewa_bc_t_from_zero_loop, "counted from 0"),
    ("ewa_bias_corrected", ewa_bc_power_of_one_minus_beta, "(1 - beta)**t"),
    ("ewa_bias_corrected", ewa_bc_multiplied, "multiplied by 1 - beta**t"),
    ("ewa_bias_corrected", ewa_bc_feeds_corrected_value_back, "corrected value fed back"),
    ("ewa_bias_corrected", ewa_bc_no_one_minus_beta, "missing (1 - beta) factor"),
    ("ewa_bias_corrected", ewa_pandas_adjust_false, "started from v_0 = x_1"),
    ("ewa_bias_corrected", ewa_bc_returns_last, "only the last average"),
    # gd_step
    ("gd_step", named(lambda x, g, lr: x + lr * g, "gd_uphill"), "wrong sign"),
    ("gd_step", named(lambda x, g, lr: x - lr * lr * g, "gd_lr_twice"), "lr applied twice"),
    ("gd_step", named(lambda x, g, lr: x - g, "gd_no_lr"), "lr missing"),
    ("gd_step", named(lambda x, g, lr: x - g / lr, "gd_divides_by_lr"), "divided by lr"),
    ("gd_step", named(lambda x, g, lr: -lr * g, "gd_returns_step"), "returned the step"),
    ("gd_step", named(lambda x, g, lr: x, "gd_returns_x"), "x returned unchanged"),
    # momentum_step
    ("momentum_step", momentum_summed, "missing (1 - beta) factor"),
    ("momentum_step", momentum_swapped, "beta and 1 - beta swapped"),
    ("momentum_step", momentum_old_velocity, "x moved with the old velocity"),
    ("momentum_step", momentum_forgets, "velocity not accumulated"),
    ("momentum_step", momentum_uphill, "wrong sign"),
    ("momentum_step", momentum_returns_v_x, "wrong order"),
    ("momentum_step", momentum_returns_old_v, "v returned unchanged"),
    # adagrad_step
    (
        "adagrad_step",
        named(adagrad_with(lambda s, eps: np.sqrt(s + eps)), "eps_inside"),
        "eps inside the square root",
    ),
    ("adagrad_step", named(adagrad_with(lambda s, eps: np.sqrt(s)), "no_eps"), "eps missing"),
    ("adagrad_step", named(adagrad_with(lambda s, eps: s + eps), "no_sqrt"), "square root missing"),
    (
        "adagrad_step",
        named(adagrad_with(accumulate=lambda s, g: s + abs(g)), "abs_g"),
        "gradient not squared",
    ),
    ("adagrad_step", named(adagrad_with(accumulate=lambda s, g: s + g), "plain_g"), "gradient not squared"),
    ("adagrad_step", named(adagrad_with(accumulate=lambda s, g: g**2), "forgets"), "s not accumulated"),
    ("adagrad_step", named(adagrad_with(old_s=True), "old_s"), "x moved with the old s"),
    (
        "adagrad_step",
        named(lambda x, g, s, lr, eps: (x + lr * g / (np.sqrt(s + g**2) + eps), s + g**2), "uphill"),
        "wrong sign",
    ),
    ("adagrad_step", named(lambda *a: adagrad_plain(*a)[::-1], "returns_s_x"), "wrong order"),
    # rmsprop_step
    (
        "rmsprop_step",
        named(rmsprop_with(accumulate=lambda s, g, b: b * s + g**2), "no_one_minus_beta"),
        "missing (1 - beta) factor",
    ),
    (
        "rmsprop_step",
        named(rmsprop_with(accumulate=lambda s, g, b: (1 - b) * s + b * g**2), "swapped"),
        "beta and 1 - beta swapped",
    ),
    (
        "rmsprop_step",
        named(rmsprop_with(accumulate=lambda s, g, b: b * s + ((1 - b) * g) ** 2), "squares_one_minus_beta"),
        "(1 - beta) squared",
    ),
    (
        "rmsprop_step",
        named(rmsprop_with(accumulate=lambda s, g, b: s + g**2), "adagrad_sum"),
        "Adagrad's sum",
    ),
    (
        "rmsprop_step",
        named(rmsprop_with(lambda s, eps: np.sqrt(s + eps)), "eps_inside"),
        "eps inside the square root",
    ),
    ("rmsprop_step", named(rmsprop_with(lambda s, eps: np.sqrt(s)), "no_eps"), "eps missing"),
    ("rmsprop_step", named(rmsprop_with(lambda s, eps: s + eps), "no_sqrt"), "square root missing"),
    (
        "rmsprop_step",
        named(rmsprop_with(accumulate=lambda s, g, b: b * s + (1 - b) * abs(g)), "abs_g"),
        "gradient not squared",
    ),
    (
        "rmsprop_step",
        named(rmsprop_with(accumulate=lambda s, g, b: b * s + (1 - b) * g), "plain_g"),
        "gradient not squared",
    ),
    (
        "rmsprop_step",
        named(rmsprop_with(accumulate=lambda s, g, b: (1 - b) * g**2), "forgets"),
        "s not accumulated",
    ),
    ("rmsprop_step", named(rmsprop_with(accumulate=lambda s, g, b: g**2), "only_g2"), "s not accumulated"),
    ("rmsprop_step", named(rmsprop_with(old_s=True), "old_s"), "x moved with the old s"),
    (
        "rmsprop_step",
        named(
            lambda x, g, s, lr, b, eps: (
                2 * x - rmsprop_plain(x, g, s, lr, b, eps)[0],
                b * s + (1 - b) * g**2,
            ),
            "up",
        ),
        "wrong sign",
    ),
    ("rmsprop_step", named(lambda *a: rmsprop_plain(*a)[::-1], "returns_s_x"), "wrong order"),
    # adam_step
    (
        "adam_step",
        named(adam_with(m_hat=lambda m, *_: m, v_hat=lambda v, *_: v), "no_bias_correction"),
        "bias correction missing",
    ),
    ("adam_step", named(adam_with(v_hat=lambda v, *_: v), "corrects_m_only"), "applied to m only"),
    ("adam_step", named(adam_with(m_hat=lambda m, *_: m), "corrects_v_only"), "applied to v only"),
    (
        "adam_step",
        named(
            adam_with(
                m_hat=lambda m, b1, b2, t: m / (1 - b1 ** (t - 1)),
                v_hat=lambda v, b1, b2, t: v / (1 - b2 ** (t - 1)),
            ),
            "t_minus_one_floats",
        ),
        "off by one",
    ),
    (
        "adam_step",
        named(
            adam_as_arrays(
                adam_with(
                    m_hat=lambda m, b1, b2, t: m / (1 - b1 ** (t - 1)),
                    v_hat=lambda v, b1, b2, t: v / (1 - b2 ** (t - 1)),
                )
            ),
            "t_minus_one_arrays",
        ),
        "off by one (t - 1)",
    ),
    ("adam_step", adam_library_t_convention, "off by one (t + 1)"),
    (
        "adam_step",
        named(
            adam_with(m_hat=lambda m, b1, b2, t: m / (1 - b2**t), v_hat=lambda v, b1, b2, t: v / (1 - b1**t)),
            "corrections_swapped",
        ),
        "swapped in the bias corrections",
    ),
    (
        "adam_step",
        named(
            lambda x, g, m, v, t, lr, b1, b2, eps: adam_plain(x, g, m, v, t, lr, b2, b1, eps), "betas_swapped"
        ),
        "beta1 and beta2 swapped",
    ),
    (
        "adam_step",
        named(adam_with(returns=lambda x, m, v, mh, vh: (x, mh, vh)), "returns_corrected_state"),
        "bias-corrected moments returned as the state",
    ),
    ("adam_step", adam_keras_without_eps_hat, "eps not rescaled"),
    (
        "adam_step",
        named(adam_with(denominator=lambda vh, eps: np.sqrt(vh + eps)), "eps_inside"),
        "eps inside the square root",
    ),
    ("adam_step", named(adam_with(denominator=lambda vh, eps: np.sqrt(vh)), "no_eps"), "eps missing"),
    ("adam_step", named(adam_with(denominator=lambda vh, eps: vh + eps), "no_sqrt"), "square root missing"),
    (
        "adam_step",
        named(adam_with(v_rule=lambda v, g, b2: b2 * v + (1 - b2) * abs(g)), "abs_g"),
        "gradient not squared in v",
    ),
    (
        "adam_step",
        named(adam_with(v_rule=lambda v, g, b2: b2 * v + (1 - b2) * g), "plain_g"),
        "gradient not squared in v",
    ),
    (
        "adam_step",
        named(adam_with(m_rule=lambda m, g, b1: b1 * m + g), "m_sum"),
        "missing (1 - beta1) factor in m",
    ),
    (
        "adam_step",
        named(adam_with(v_rule=lambda v, g, b2: b2 * v + g**2), "v_sum"),
        "missing (1 - beta2) factor in v",
    ),
    (
        "adam_step",
        named(
            adam_with(m_rule=lambda m, g, b1: b1 * m + g, v_rule=lambda v, g, b2: b2 * v + g**2), "both_sums"
        ),
        "missing (1 - beta) factors in m and v",
    ),
    (
        "adam_step",
        named(adam_with(m_rule=lambda m, g, b1: (1 - b1) * m + b1 * g), "m_swapped"),
        "beta1 and 1 - beta1 swapped in m",
    ),
    (
        "adam_step",
        named(adam_with(v_rule=lambda v, g, b2: (1 - b2) * v + b2 * g**2), "v_swapped"),
        "beta2 and 1 - beta2 swapped in v",
    ),
    ("adam_step", named(adam_with(m_rule=lambda m, g, b1: (1 - b1) * g), "m_forgets"), "m not accumulated"),
    (
        "adam_step",
        named(adam_with(v_rule=lambda v, g, b2: (1 - b2) * g**2), "v_forgets"),
        "v not accumulated",
    ),
    ("adam_step", named(adam_with(sign=1.0), "uphill"), "wrong sign"),
    (
        "adam_step",
        named(lambda *a: (adam_plain(*a)[0], adam_plain(*a)[2], adam_plain(*a)[1]), "returns_x_v_m"),
        "wrong order",
    ),
    # nesterov_step
    ("nesterov_step", named(nesterov_with(direction=lambda g, v0, v, b: v), "heavy_ball"), "no look-ahead"),
    (
        "nesterov_step",
        named(nesterov_with(direction=lambda g, v0, v, b: g + b * v0), "old_velocity"),
        "heavy-ball step, no look-ahead",
    ),
    (
        "nesterov_step",
        named(nesterov_with(v_rule=lambda v, g, b: b * v + (1 - b) * g), "averaged"),
        "(1 - beta) factor in the velocity",
    ),
    (
        "nesterov_step",
        named(
            nesterov_with(
                v_rule=lambda v, g, b: b * v + (1 - b) * g, direction=lambda g, v0, v, b: (1 - b) * g + b * v
            ),
            "averaged_look_ahead",
        ),
        "(1 - beta) factor in the velocity",
    ),
    (
        "nesterov_step",
        named(nesterov_with(direction=lambda g, v0, v, b: v + b * g), "terms_swapped"),
        "look-ahead terms swapped",
    ),
    ("nesterov_step", named(nesterov_with(sign=1.0), "uphill"), "wrong sign"),
    ("nesterov_step", named(nesterov_with(v_rule=lambda v, g, b: g), "forgets"), "velocity not accumulated"),
    ("nesterov_step", nesterov_keras, "lr inside the velocity"),
    ("nesterov_step", named(lambda *a: nesterov_plain(*a)[::-1], "returns_v_x"), "wrong order"),
    (
        "nesterov_step",
        named(lambda x, g, v, lr, b: (nesterov_plain(x, g, v, lr, b)[0], v), "returns_old_v"),
        "v returned unchanged",
    ),
    # centered_rmsprop_step
    (
        "centered_rmsprop_step",
        named(centered_with(root=lambda s, m, eps: np.sqrt(s) + eps), "not_centered"),
        "Known mistake: not centered.",
    ),
    (
        "centered_rmsprop_step",
        named(centered_with(root=lambda s, m, eps: np.sqrt(s) - m + eps), "m_outside"),
        "m subtracted outside the root",
    ),
    (
        "centered_rmsprop_step",
        named(centered_with(root=lambda s, m, eps: np.sqrt(s - m) + eps), "m_not_squared"),
        "m not squared",
    ),
    (
        "centered_rmsprop_step",
        named(centered_with(m_rule=lambda m, g, b: g), "m_is_g"),
        "m not averaged",
    ),
    (
        "centered_rmsprop_step",
        named(centered_with(root=lambda s, m, eps: np.sqrt(s - m**2 + eps)), "eps_inside"),
        "eps inside the square root",
    ),
    (
        "centered_rmsprop_step",
        named(centered_with(root=lambda s, m, eps: np.sqrt(s - m**2)), "no_eps"),
        "eps missing",
    ),
    ("centered_rmsprop_step", centered_updates_m_after_the_step, "x moved with the old m."),
    (
        "centered_rmsprop_step",
        named(centered_with(old_s=True, old_m=True), "old_s_and_m"),
        "x moved with the old s and m",
    ),
    (
        "centered_rmsprop_step",
        named(lambda *a: (2 * a[0] - centered_plain(*a)[0], *centered_plain(*a)[1:]), "uphill"),
        "wrong sign",
    ),
    (
        "centered_rmsprop_step",
        named(lambda *a: (centered_plain(*a)[0], centered_plain(*a)[2], centered_plain(*a)[1]), "x_m_s"),
        "wrong order",
    ),
    # effective_lr
    (
        "effective_lr",
        named(lambda s, lr, eps: lr / np.sqrt(s + eps), "eps_inside"),
        "eps inside the square root",
    ),
    ("effective_lr", named(lambda s, lr, eps: lr / np.sqrt(s), "no_eps"), "eps missing"),
    ("effective_lr", named(lambda s, lr, eps: lr / (s + eps), "no_sqrt"), "square root missing"),
    (
        "effective_lr",
        named(lambda s, lr, eps: lr / (np.sqrt(np.sum(s)) + eps), "sum"),
        "one number for all coordinates",
    ),
    (
        "effective_lr",
        named(lambda s, lr, eps: lr / (np.sqrt(np.mean(s)) + eps), "mean"),
        "one number for all coordinates",
    ),
    (
        "effective_lr",
        named(lambda s, lr, eps: lr / (np.linalg.norm(s) + eps), "norm"),
        "one number for all coordinates",
    ),
    ("effective_lr", named(lambda s, lr, eps: lr * np.sqrt(s), "times_root"), "multiplied by the root"),
    (
        "effective_lr",
        named(lambda s, lr, eps: lr * (np.sqrt(s) + eps), "times_root_and_eps"),
        "multiplied by the root",
    ),
    ("effective_lr", named(lambda s, lr, eps: 1 / (np.sqrt(s) + eps), "no_lr"), "lr missing"),
    # steps_to_tolerance
    ("steps_to_tolerance", steps_first_within, "first step within tol, not within for good"),
    ("steps_to_tolerance", steps_last_above, "last step above tol returned"),
    (
        "steps_to_tolerance",
        named(steps_from_the_end_with(within=lambda gap, tol: gap < tol), "strict"),
        "< instead of <=",
    ),
    (
        "steps_to_tolerance",
        named(steps_from_the_end_with(within=lambda gap, tol: not gap > tol), "not_above"),
        "a diverged run (NaN) counted as within tol",
    ),
    ("steps_to_tolerance", steps_nanmax, "a diverged run (NaN) counted as within tol"),
    ("steps_to_tolerance", steps_nan_to_num, "a diverged run (NaN) counted as within tol"),
    (
        "steps_to_tolerance",
        named(steps_from_the_end_with(never=None), "none_when_never"),
        "Known mistake: None returned when the run never gets there.",
    ),
    ("steps_to_tolerance", steps_len_when_never, "len(gaps) returned when the run never gets there"),
    (
        "steps_to_tolerance",
        named(steps_from_the_end_with(never=math.inf), "inf_when_never"),
        "inf returned when the run never gets there",
    ),
    ("steps_to_tolerance", steps_counted_from_1, "steps counted from 1"),
    # rmsprop_step_eps_inside
    ("rmsprop_step_eps_inside", named(rmsprop_with(), "eps_outside"), "eps outside the square root"),
    ("rmsprop_step_eps_inside", named(rmsprop_with(lambda s, eps: np.sqrt(s)), "no_eps"), "eps missing"),
    (
        "rmsprop_step_eps_inside",
        named(rmsprop_with(lambda s, eps: s + eps), "no_sqrt"),
        "square root missing",
    ),
    (
        "rmsprop_step_eps_inside",
        named(rmsprop_with(root_with_eps_inside, lambda s, g, b: b * s + g**2), "no_one_minus_beta"),
        "missing (1 - beta) factor",
    ),
    (
        "rmsprop_step_eps_inside",
        named(rmsprop_with(root_with_eps_inside, lambda s, g, b: (1 - b) * s + b * g**2), "swapped"),
        "beta and 1 - beta swapped",
    ),
    (
        "rmsprop_step_eps_inside",
        named(rmsprop_with(root_with_eps_inside, lambda s, g, b: s + g**2), "adagrad_sum"),
        "Adagrad's sum instead of an average",
    ),
    (
        "rmsprop_step_eps_inside",
        named(rmsprop_with(root_with_eps_inside, old_s=True), "old_s"),
        "x moved with the old s",
    ),
    (
        "rmsprop_step_eps_inside",
        named(rmsprop_with(root_with_eps_inside, lambda s, g, b: b * s + (1 - b) * abs(g)), "abs_g"),
        "gradient not squared",
    ),
    (
        "rmsprop_step_eps_inside",
        named(rmsprop_with(root_with_eps_inside, lambda s, g, b: (1 - b) * g**2), "forgets"),
        "s not accumulated",
    ),
    (
        "rmsprop_step_eps_inside",
        named(lambda *a: (2 * a[0] - eps_inside_plain(*a)[0], eps_inside_plain(*a)[1]), "uphill"),
        "wrong sign",
    ),
    ("rmsprop_step_eps_inside", named(lambda *a: eps_inside_plain(*a)[::-1], "returns_s_x"), "wrong order"),
    (
        "rmsprop_step_eps_inside",
        named(lambda x, g, s, lr, b, eps: (eps_inside_plain(x, g, s, lr, b, eps)[0], s), "returns_old_s"),
        "s returned unchanged",
    ),
    # layer_backward
    (
        "layer_backward",
        named(layer_backward_with(dW=lambda a, W, d: d.T @ a), "dW_transposed"),
        "dW transposed",
    ),
    (
        "layer_backward",
        named(layer_backward_with(dW=lambda a, W, d: a.T @ d / len(a)), "dW_mean"),
        "dW divided by n again",
    ),
    (
        "layer_backward",
        named(layer_backward_with(db=lambda d: np.mean(d, axis=0)), "db_mean"),
        "db as a mean instead of a sum",
    ),
    (
        "layer_backward",
        named(layer_backward_with(dW=lambda a, W, d: a.T @ d / d.shape[0], db=lambda d: d.mean(0)), "means"),
        "dW and db divided by n again",
    ),
    ("layer_backward", named(layer_backward_with(db=lambda d: d.sum(axis=1)), "db_axis_1"), "db summed over"),
    ("layer_backward", named(layer_backward_with(db=np.sum), "db_total"), "db summed into one number"),
    (
        "layer_backward",
        named(layer_backward_with(db=lambda d: np.sum(d, axis=0, keepdims=True)), "db_keepdims"),
        "db kept as a row",
    ),
    ("layer_backward", named(layer_backward_with(transpose=False), "W_not_transposed"), "W not transposed"),
    ("layer_backward", named(layer_backward_with(slope=lambda a: 1), "no_slope"), "tanh' factor missing"),
    (
        "layer_backward",
        named(layer_backward_with(slope=lambda a: 1 - np.tanh(a) ** 2), "tanh_again"),
        "tanh applied twice",
    ),
    (
        "layer_backward",
        named(layer_backward_with(slope=lambda a: 1 / np.cosh(a) ** 2), "sech_squared"),
        "tanh applied twice",
    ),
    ("layer_backward", named(layer_backward_with(slope=lambda a: 1 - a), "one_minus_a"), "written as 1 - a"),
    (
        "layer_backward",
        named(layer_backward_with(slope=lambda a: a * (1 - a)), "sigmoid_slope"),
        "the sigmoid's derivative",
    ),
    (
        "layer_backward",
        named(lambda *a: tuple(layer_backward_plain(*a)[i] for i in (1, 0, 2)), "db_dW_delta"),
        "wrong order",
    ),
    # cosine_schedule
    (
        "cosine_schedule",
        named(lambda steps, f: f + (1 - f) * (1 + np.cos(np.linspace(0, np.pi, steps))) / 2, "linspace"),
        "final reached at the last step",
    ),
    (
        "cosine_schedule",
        named(
            lambda steps, f: [f + (1 - f) * math.cos(math.pi * k / steps) for k in range(steps)], "plain_cos"
        ),
        "(1 + cos)/2 missing",
    ),
    (
        "cosine_schedule",
        named(lambda steps, f: (1 + np.cos(np.pi * np.arange(steps) / steps)) / 2, "final_ignored"),
        "final ignored",
    ),
    (
        "cosine_schedule",
        named(lambda steps, f: f + (1 + np.cos(np.pi * np.arange(steps) / steps)) / 2, "unscaled"),
        "(1 - final) factor missing",
    ),
    (
        "cosine_schedule",
        named(
            lambda steps, f: [
                f + (1 - f) * (1 + math.cos(math.pi * k / steps)) / 2 for k in range(1, steps + 1)
            ],
            "from_1",
        ),
        "k counted from 1",
    ),
    (
        "cosine_schedule",
        named(lambda steps, f: f + (1 - f) * (1 + np.cos(np.linspace(0, np.pi, steps + 1))) / 2, "one_more"),
        "one multiplier too many",
    ),
    (
        "cosine_schedule",
        named(lambda steps, f: f + (1 - f) * (1 + np.cos(180 * np.arange(steps) / steps)) / 2, "degrees"),
        "angle in degrees",
    ),
    (
        "cosine_schedule",
        named(lambda steps, f: f + (1 - f) * (1 - np.cos(np.pi * np.arange(steps) / steps)) / 2, "rising"),
        "rising instead of falling",
    ),
    # adamw_step
    (
        "adamw_step",
        named(adamw_with(decay=lambda x, lr, wd: x, l2=True), "adam_plus_l2"),
        "Known mistake: Adam + L2, not AdamW. You added weight_decay*x to the gradient",
    ),
    (
        "adamw_step",
        named(adamw_with(decay=lambda x, lr, wd: x * (1 - wd)), "decay_without_lr"),
        "decay not scaled by lr",
    ),
    ("adamw_step", named(adamw_with(after=True), "decay_after"), "decay applied after Adam's step"),
    ("adamw_step", adamw_decay_in_the_adaptive_step, "decay divided by sqrt(v_hat)"),
    (
        "adamw_step",
        named(adamw_with(decay=lambda x, lr, wd: x + lr * wd * x), "decay_grows"),
        "decay with the wrong sign",
    ),
    ("adamw_step", named(adamw_with(decay=lambda x, lr, wd: x), "adam_only"), "weight decay missing"),
    (
        "adamw_step",
        named(adamw_with(adam=adam_with(m_hat=lambda m, *_: m, v_hat=lambda v, *_: v)), "no_correction"),
        "bias correction missing",
    ),
    (
        "adamw_step",
        named(
            adamw_with(
                adam=adam_with(
                    m_hat=lambda m, b1, b2, t: m / (1 - b1 ** (t - 1)),
                    v_hat=lambda v, b1, b2, t: v / (1 - b2 ** (t - 1)),
                )
            ),
            "t_minus_one",
        ),
        "Hint: Is the bias correction off by one?",
    ),
    ("adamw_step", named(adamw_with(adam=adam_library_t_convention), "t_plus_one"), "off by one (t + 1)"),
    (
        "adamw_step",
        named(adamw_with(adam=adam_with(denominator=lambda vh, eps: np.sqrt(vh + eps))), "eps_inside"),
        "eps inside the square root",
    ),
    ("adamw_step", named(adamw_with(adam=adam_with(sign=1.0)), "uphill"), "wrong sign"),
    ("adamw_step", named(lambda *a: adamw_plain(*a)[::-1], "returns_v_m_x"), "wrong order"),
    (
        "adamw_step",
        named(lambda *a: (*adamw_plain(*a)[:2], a[3]), "returns_old_v"),
        "v returned unchanged",
    ),
]


def wrong_id(row):
    name, fn, _ = row
    return f"{name}-{fn.__name__}"


@pytest.mark.parametrize(("name", "fn", "phrase"), WRONG, ids=[wrong_id(r) for r in WRONG])
def test_typical_mistakes_are_rejected_and_named(name, fn, phrase, capsys):
    verdict, out = run(name, fn, capsys)
    assert verdict is False
    assert phrase in flat(out), out


def test_a_mistake_invisible_on_the_first_step_is_caught_on_a_later_one(capsys):
    verdict, out = run("adam_step", adam_with(m_rule=lambda m, g, b1: (1 - b1) * g), capsys)
    assert verdict is False
    assert 'case "Python floats, eps = 1e-3, t = 1 to 3", step 2 of 3' in flat(out)  # m = 0 before step 1
    assert "Known mistake: m not accumulated." in flat(out)


def test_every_catalogued_mistake_is_named_by_its_own_title(capsys):
    """Each mistake in the module's tables, run as a learner's function, is reported under its own title."""
    for ex in _catalogue._EXERCISES:
        for mistake in ex.mistakes:
            rule = mistake.rule if len(ex.outputs) > 1 else (lambda *a, r=mistake.rule: r(*a)[0])
            verdict = _mechanism._check(ex, rule)
            out = capsys.readouterr().out
            assert verdict is False
            if ex.name in ("adam_step", "adamw_step") and mistake.title.endswith("(t - 1)"):
                # With Python floats, 1 - beta1**0 = 0 raises before any result exists to compare.
                assert "ZeroDivisionError" in out and "off by one" in out
            else:
                assert f"Known mistake: {mistake.title}." in flat(out), (ex.name, mistake.title, out)


def reference_steps(ex):
    """Every call a check makes for ``ex``: (case label, step, arguments, the library's result)."""
    for case, step, args, expected in _mechanism._reference_calls(ex):
        yield case.label, step, args, expected


def mistaken_results(ex, args):
    """Each catalogued mistake's result on these arguments; None where it cannot be computed: Python floats
    divide by zero, or a matrix product's shapes do not fit (W not transposed, in a layer that is not
    square)."""
    with np.errstate(all="ignore"):
        for mistake in ex.mistakes:
            try:
                yield mistake, _mechanism._as_arrays(mistake.rule(*_mechanism._copies(ex, args)))
            except (ZeroDivisionError, ValueError):
                yield mistake, None


@pytest.mark.parametrize("ex", _catalogue._EXERCISES, ids=lambda ex: ex.name)
def test_every_mistake_moves_the_result_far_more_than_the_tolerance_or_not_at_all(ex):
    """No verdict depends on rounding: on every call each catalogued mistake changes the result by more than
    100 tolerances, or by less than 1/100 of one (then a later call catches it)."""
    for label, step, args, expected in reference_steps(ex):
        for mistake, wrong in mistaken_results(ex, args):
            if wrong is not None:
                ratio = tolerances_apart(wrong, expected)
                assert not 0.01 < ratio < 100, (label, step, mistake.title, ratio)


@pytest.mark.parametrize("ex", _catalogue._EXERCISES, ids=lambda ex: ex.name)
def test_differently_named_mistakes_are_far_apart_where_they_show(ex):
    """Where a mistake first shows, any other mistake gives the same numbers or clearly different ones, so a
    learner's version of it, rounded differently, cannot be named as another."""
    first_shown = set()
    for label, step, args, expected in reference_steps(ex):
        results = list(mistaken_results(ex, args))
        for a, wrong_a in results:
            if wrong_a is None or a.title in first_shown or tolerances_apart(wrong_a, expected) < 100:
                continue
            first_shown.add(a.title)
            for b, wrong_b in results:
                if wrong_b is not None and b.title != a.title:
                    ratio = tolerances_apart(wrong_a, wrong_b)
                    assert not 0.01 < ratio < 100, (label, step, a.title, b.title, ratio)


def tolerances_apart(got, expected):
    worst = 0.0
    for g, e in zip(got, expected, strict=True):
        if g.shape != e.shape:
            return math.inf
        same = _mechanism._close(g, e)
        finite = np.abs(e[np.isfinite(e)])
        tol = checks.RTOL * np.abs(e) + checks.ATOL_FRACTION * (finite.max() if finite.size else 0.0)
        with np.errstate(all="ignore"):
            ratio = np.where(same & ~np.isfinite(g - e), 0.0, np.abs(g - e) / np.maximum(tol, 1e-300))
        ratio = np.where(np.isnan(ratio), math.inf, ratio)
        worst = max(worst, float(ratio.max()) if ratio.size else 0.0)
    return worst


def test_an_unknown_mistake_shows_inputs_expected_and_received(capsys):
    verdict, out = run("momentum_step", lambda x, g, v, lr, beta: (x - 2 * lr * g, v + g), capsys)
    assert verdict is False
    assert out == (
        'momentum_step: wrong result in case "Python floats, 3 steps", step 1 of 3.\n'
        "  inputs: x=1.0, g=0.5, v=0.2, lr=0.1, beta=0.9\n"
        "  x: expected 0.977, got 0.9\n"
        "  v: expected 0.23, got 0.7\n"
    )


def test_a_small_difference_is_shown_with_enough_digits(capsys):
    verdict, out = run("gd_step", lambda x, g, lr: x - lr * g * (1 + 1e-6), capsys)
    assert verdict is False
    assert "x: expected 1.42, got 1.419999" in flat(out)


def test_large_arrays_show_one_wrong_entry(capsys):
    def wrong_in_one_corner(x, g, lr):
        x = np.array(x, dtype=float) - lr * np.asarray(g)
        if x.ndim == 2:
            x[1, 2] += 0.5
        return x

    verdict, out = run("gd_step", wrong_in_one_corner, capsys)
    assert verdict is False
    assert 'case "2-D integer arrays"' in flat(out)
    assert "x: wrong at 1 of 12 entries, e.g. x[1, 2]: expected" in flat(out)
    assert "inputs: x: array of shape (3, 4), g: array of shape (3, 4), lr=0.5" in flat(out)


# ------------------------------------------------------------------------------------------------------------
# Stubs, exceptions, odd return values, mutation: False with a message, never an exception.


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("name", CHECKS)
def test_a_stub_is_not_done_yet(name, capsys):
    verdict, out = run(name, stub, capsys)
    assert verdict is False
    assert flat(out) == (
        f"{name}: not done yet — replace `raise NotImplementedError` in its cell with your code, "
        "run that cell, then this one again."
    )


def raises_type_error(*args):
    raise TypeError("boom")


def raises_value_error(*args):
    raise ValueError("operands could not be broadcast together")


def divides_by_zero(*args):
    return 1 / 0


def raises_with_an_address(*args):
    raise RuntimeError(f"bad object {object()!r}")


BROKEN = [
    (lambda *a: None, "returned None"),
    (lambda *a: "done", "returned a str 'done'"),
    (lambda *a: {"x": 1.0}, "dict"),
    (lambda *a: object(), "object"),
    (raises_type_error, "raised TypeError: boom"),
    (raises_value_error, "raised ValueError: operands could not be broadcast together"),
    (divides_by_zero, "raised ZeroDivisionError: division by zero"),
    (raises_with_an_address, "raised RuntimeError: bad object <object object>"),
]
BROKEN_IDS = ["None", "str", "dict", "object", "TypeError", "ValueError", "ZeroDivisionError", "address"]


@pytest.mark.parametrize("name", CHECKS)
@pytest.mark.parametrize(("fn", "phrase"), BROKEN, ids=BROKEN_IDS)
def test_broken_functions_get_a_message_not_an_exception(name, fn, phrase, capsys):
    verdict, out = run(name, fn, capsys)
    assert verdict is False
    assert phrase in flat(out), out


def test_an_exception_names_the_case_and_the_learners_line(capsys):
    def adagrad_step(x, g, s, lr, eps):
        s = s + g**2
        return x - lr * g / (math.sqrt(s) + eps), s

    verdict, out = run("adagrad_step", adagrad_step, capsys)
    assert verdict is False
    assert "raised TypeError: only" in flat(out)  # math.sqrt of an array
    assert 'in case "1-D arrays, gradients 1e-6 to 1e-3", step 1 of 3: x: array of shape (4,)' in flat(out)
    assert "return x - lr * g / (math.sqrt(s) + eps), s" in flat(out)
    assert "Hint: x can be a Python float or a NumPy array of any shape here" in flat(out)


def test_a_list_input_gets_a_hint(capsys):
    verdict, out = run("ewa", lambda values, beta: (1 - beta) * values, capsys)
    assert verdict is False
    assert "raised TypeError: can't multiply sequence" in flat(out)
    assert "Hint: values can be a Python list" in flat(out)


@pytest.mark.parametrize(
    ("name", "result", "phrase"),
    [
        ("momentum_step", lambda x, g, v, lr, beta: x - lr * g, "returned only one value (a float)"),
        (
            "momentum_step",
            lambda x, g, v, lr, beta: np.atleast_1d(x - lr * g),
            "returned one array of shape (1,); expected 2 values: return x, v.",
        ),
        ("momentum_step", lambda x, g, v, lr, beta: (x, v, g), "returned 3 values; expected 2: return x, v."),
        ("adagrad_step", lambda x, g, s, lr, eps: (x,), "returned 1 value; expected 2: return x, s."),
        (
            "adam_step",
            lambda x, g, m, v, t, *h: (x, m, v, t + 1),
            "returned 4 values; expected 3: return x, m, v.",
        ),
        ("rmsprop_step", lambda x, g, s, lr, beta, eps: (x, None), "the s you returned is None"),
        ("rmsprop_step", lambda x, g, s, lr, beta, eps: (x, (-1.0) ** 0.5), "complex numbers"),
        ("gd_step", lambda x, g, lr: (x - lr * g, g), "expected a single number, got shape (2,)"),
        ("ewa", lambda values, beta: [], "expected shape (5,), got shape (0,)"),
        ("ewa", lambda values, beta: (v for v in values), "could not be read as numbers (a generator)"),
        ("nesterov_step", lambda x, g, v, lr, beta: x - lr * g, "returned only one value (a float)"),
        (
            "centered_rmsprop_step",
            lambda x, g, s, m, lr, beta, eps: (x, s),
            "returned 2 values; expected 3: return x, s, m.",
        ),
        ("effective_lr", lambda s, lr, eps: (lr, eps), "expected shape (8,), got shape (2,)"),
        (
            "effective_lr",
            lambda s, lr, eps: lr / (np.sqrt(np.max(s)) + eps),
            "effective_lr: expected shape (8,), got a single number",
        ),
        (
            "steps_to_tolerance",
            lambda gaps, tol: [steps_from_the_end(gaps, tol)],
            "step: expected a single number, got shape (1,)",
        ),
        (
            "steps_to_tolerance",
            lambda gaps, tol: "never",
            "returned a str 'never'; expected a whole number (the step).",
        ),
        (
            "rmsprop_step_eps_inside",
            lambda x, g, s, lr, beta, eps: x - lr * g / np.sqrt(s + eps),
            "returned only one value (a float64); expected 2: return x, s.",
        ),
        (
            "layer_backward",
            lambda a, W, delta: (a.T @ delta, delta.sum(axis=0)),
            "returned 2 values; expected 3: return dW, db, delta_below.",
        ),
        (
            "layer_backward",
            lambda a, W, delta: (a.T @ delta, delta, (delta @ W.T) * (1 - a**2)),
            "db: expected shape (3,), got shape (5, 3) delta_below: correct Hint: db has b's shape, one "
            "entry per unit of the layer (fan_out): db = delta.sum(axis=0).",
        ),
        (
            "cosine_schedule",
            lambda steps, final: final,
            "multipliers: expected shape (10,), got a single number",
        ),
        (
            "adamw_step",
            lambda *a: adamw_plain(*a)[0],
            "returned only one value (a float64); expected 3: return x, m, v.",
        ),
    ],
    ids=[
        "one-value",
        "one-array",
        "three-values",
        "one-tuple",
        "adam-returns-t",
        "None-item",
        "complex",
        "gd-tuple",
        "empty",
        "gen",
        "nesterov-one-value",
        "centered-two-values",
        "effective-lr-tuple",
        "effective-lr-unknown-single-number",
        "steps-list",
        "steps-str",
        "eps-inside-one-value",
        "layer-backward-two-values",
        "layer-backward-db-not-summed",
        "cosine-one-number",
        "adamw-one-value",
    ],
)
def test_results_of_the_wrong_form_are_described(name, result, phrase, capsys):
    verdict, out = run(name, result, capsys)
    assert verdict is False
    assert phrase in flat(out), out


def gd_in_place(x, g, lr):
    x -= lr * g
    return x


def gd_changes_g(x, g, lr):
    g *= lr
    return x - g


def momentum_in_place(x, g, v, lr, beta):
    v *= beta
    v += (1 - beta) * g
    return x - lr * v, v


def adagrad_in_place(x, g, s, lr, eps):
    s += g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def rmsprop_in_place(x, g, s, lr, beta, eps):
    s *= beta
    s += (1 - beta) * g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def adam_in_place(x, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    x -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return x, m, v


def nesterov_in_place(x, g, v, lr, beta):
    v *= beta
    v += g
    return x - lr * (g + beta * v), v


def centered_m_in_place(x, g, s, m, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    m *= beta
    m += (1 - beta) * g
    return x - lr * g / (np.sqrt(s - m**2) + eps), s, m


def centered_x_in_place(x, g, s, m, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    m = beta * m + (1 - beta) * g
    x -= lr * g / (np.sqrt(s - m**2) + eps)
    return x, s, m


def effective_lr_in_place(s, lr, eps):
    s **= 0.5
    s += eps
    return lr / s


def eps_inside_in_place(x, g, s, lr, beta, eps):
    s *= beta
    s += (1 - beta) * g**2
    return x - lr * g / np.sqrt(s + eps), s


def steps_replaces_nan_in_place(gaps, tol):
    gaps = np.asarray(gaps, dtype=float)  # the caller's own array, if it is one of floats
    gaps[np.isnan(gaps)] = np.inf
    return steps_from_the_end(gaps, tol)


def ewa_in_place(values, beta):
    v = 0.0
    for t, x in enumerate(values):
        v = beta * v + (1 - beta) * x
        values[t] = v
    return values


def layer_backward_squares_a_in_place(a, W, delta):
    dW, db = a.T @ delta, delta.sum(axis=0)
    a **= 2
    return dW, db, (delta @ W.T) * (1 - a)


def adamw_decays_x_in_place(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    x *= 1 - lr * weight_decay
    return adam_plain(x, g, m, v, t, lr, beta1, beta2, eps)


IN_PLACE = [
    ("gd_step", gd_in_place, "changed the array passed in as x", "x = x - lr*g, not x -= lr*g"),
    ("gd_step", gd_changes_g, "changed the array passed in as g", "no g *= ..."),
    ("momentum_step", momentum_in_place, "changed the array passed in as v", "not v *= beta"),
    ("adagrad_step", adagrad_in_place, "changed the array passed in as s", "s = s + g**2, not s += g**2"),
    ("rmsprop_step", rmsprop_in_place, "changed the array passed in as s", "not s *= beta"),
    ("adam_step", adam_in_place, "changed the array passed in as x", "not x -= ..."),
    ("ewa", ewa_in_place, "changed the list passed in as values", "instead of writing into values"),
    ("ewa_bias_corrected", ewa_in_place, "changed the list passed in as values", "build a new list"),
    ("nesterov_step", nesterov_in_place, "changed the array passed in as v", "v = beta*v + g, not v *= beta"),
    ("centered_rmsprop_step", centered_m_in_place, "changed the array passed in as m", "not m *= beta"),
    ("centered_rmsprop_step", centered_x_in_place, "changed the array passed in as x", "not x -= ..."),
    ("effective_lr", effective_lr_in_place, "changed the array passed in as s", "not s **= 0.5"),
    ("rmsprop_step_eps_inside", eps_inside_in_place, "changed the array passed in as s", "not s *= beta"),
    ("layer_backward", layer_backward_squares_a_in_place, "changed the array passed in as a", "not a **= 2"),
    ("adamw_step", adamw_decays_x_in_place, "changed the array passed in as x", "x *= 1 - lr*weight_decay"),
    (
        "steps_to_tolerance",
        steps_replaces_nan_in_place,
        "changed the array passed in as gaps",
        "work on a copy, gaps = np.array(gaps, dtype=float)",
    ),
]


@pytest.mark.parametrize(
    ("name", "fn", "phrase", "fix"), IN_PLACE, ids=[f"{r[0]}-{r[1].__name__}" for r in IN_PLACE]
)
def test_changing_an_input_in_place_fails_and_says_which(name, fn, phrase, fix, capsys):
    verdict, out = run(name, fn, capsys)
    assert verdict is False
    assert phrase in flat(out) and fix in flat(out), out


@pytest.mark.parametrize("name", CHECKS)
def test_a_non_function_is_explained(name, capsys):
    verdict, out = run(name, (1.0, 2.0), capsys)
    assert verdict is False
    assert f"check_{name} needs your function itself, as in check_{name}({name})" in flat(out)
    assert "got a tuple" in flat(out)


@pytest.mark.parametrize("name", CHECKS)
def test_a_function_with_the_wrong_parameters_is_explained(name, capsys):
    params = CHECKS[name][1]
    verdict, out = run(name, lambda x: x, capsys)
    assert verdict is False
    assert f"your function takes (x), but the exercise calls it with {len(params)} arguments: " in flat(out)
    assert f"{name}({', '.join(params)})" in flat(out)


def test_the_docstring_examples_run():
    assert doctest.testmod(checks, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


def test_the_feedback_is_the_same_on_every_run(capsys):
    for name, fn, _ in WRONG[::7]:
        first = run(name, fn, capsys)
        assert run(name, fn, capsys) == first


def test_numpy_warnings_are_not_printed(capsys, recwarn):
    verdict, out = run("adagrad_step", adagrad_with(lambda s, eps: np.sqrt(s)), capsys)
    assert verdict is False
    assert capsys.readouterr().err == ""
    assert len(recwarn) == 0


def exits(*args):
    raise SystemExit(1)


def test_exit_in_the_function_is_a_message_not_the_end(capsys):
    verdict, out = run("gd_step", exits, capsys)
    assert verdict is False
    assert "raised SystemExit: 1" in flat(out)


def interrupted(*args):
    raise KeyboardInterrupt


@pytest.mark.parametrize("name", CHECKS)
def test_an_interrupt_stops_the_check(name, capsys):
    """The notebook's stop button raises KeyboardInterrupt: the check must stop, not report it."""
    with pytest.raises(KeyboardInterrupt):
        CHECKS[name][0](interrupted)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------------------------------------------------------
# Integer inputs and the dtype of the result.


@pytest.mark.parametrize("ex", _catalogue._EXERCISES, ids=lambda ex: ex.name)
def test_every_exercise_has_a_case_with_integer_inputs(ex):
    """Integer arrays, where the exercise takes arrays; where it takes only numbers, a Python int that is not
    a whole number by nature (a count such as steps): the cosine schedule's final = 0."""

    def integer_array(value):
        return isinstance(value, (list, np.ndarray)) and np.asarray(value).dtype.kind == "i"

    values = [(name, v) for case in ex.cases for name, v in case.args.items()]
    if any(isinstance(v, (list, np.ndarray)) for _, v in values):
        assert any(integer_array(v) for _, v in values)
    else:
        assert any(type(v) is int and name not in ex.counts for name, v in values)


def ewa_into_zeros_like(values, beta):
    out, v = np.zeros_like(values), 0.0  # an integer array if values are integers
    for t, x in enumerate(values):
        v = beta * v + (1 - beta) * x
        out[t] = v
    return out


def ewa_bc_into_empty_like(values, beta):
    values = np.asarray(values)
    out, v = np.empty_like(values), 0.0
    for t, x in enumerate(values, start=1):
        v = beta * v + (1 - beta) * x
        out[t - 1] = v / (1 - beta**t)
    return out


def gd_into_empty_like(x, g, lr):
    x = np.asarray(x)
    out = np.empty_like(x)
    out[...] = x - lr * np.asarray(g)
    return out


def momentum_into_zeros_like(x, g, v, lr, beta):
    v_new = np.zeros_like(v)
    v_new[...] = beta * v + (1 - beta) * g
    return x - lr * v_new, v_new


def adagrad_into_zeros_like(x, g, s, lr, eps):
    s = s + g**2
    x_new = np.zeros_like(x)
    x_new[...] = x - lr * g / (np.sqrt(s) + eps)
    return x_new, s


def rmsprop_into_copy(x, g, s, lr, beta, eps):
    s_new = np.copy(s)
    s_new[...] = beta * s + (1 - beta) * g**2
    return x - lr * g / (np.sqrt(s_new) + eps), s_new


def adam_into_zeros_like(x, g, m, v, t, lr, beta1, beta2, eps):
    m_new = np.zeros_like(m)
    m_new[...] = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return x - lr * (m_new / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m_new, v


def nesterov_into_zeros_like(x, g, v, lr, beta):
    v = beta * v + g
    x_new = np.zeros_like(x)
    x_new[...] = x - lr * (g + beta * v)
    return x_new, v


def centered_into_zeros_like(x, g, s, m, lr, beta, eps):
    s = beta * s + (1 - beta) * g**2
    m_new = np.zeros_like(m)
    m_new[...] = beta * m + (1 - beta) * g
    return x - lr * g / (np.sqrt(s - m_new**2) + eps), s, m_new


def effective_lr_into_zeros_like(s, lr, eps):
    rate = np.zeros_like(s)
    rate[...] = lr / (np.sqrt(s) + eps)
    return rate


def eps_inside_into_zeros_like(x, g, s, lr, beta, eps):
    s_new = np.zeros_like(s)
    s_new[...] = beta * s + (1 - beta) * g**2
    return x - lr * g / np.sqrt(s_new + eps), s_new


def layer_backward_into_zeros_like(a, W, delta):
    dW = np.zeros_like(W)  # an integer array if W is one
    for j, k in np.ndindex(dW.shape):
        dW[j, k] = a[:, j] @ delta[:, k]
    return dW, delta.sum(axis=0), (delta @ W.T) * (1 - a**2)


def cosine_into_full(steps, final):
    out = np.full(steps, final)  # an integer array if final is an int
    for k in range(steps):
        out[k] = final + (1 - final) * (1 + math.cos(math.pi * k / steps)) / 2
    return out


def adamw_into_zeros_like(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    x = x - lr * weight_decay * x
    m_new = np.zeros_like(m)
    m_new[...] = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return x - lr * (m_new / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m_new, v


INTEGER_ONLY = [  # right for float inputs, truncated for integer ones: (name, fn, output, where it came from)
    ("ewa", ewa_into_zeros_like, "averages", "values is a list of integers"),
    ("ewa_bias_corrected", ewa_bc_into_empty_like, "averages", "values is an integer array"),
    ("gd_step", gd_into_empty_like, "x", "x is a Python int"),
    ("momentum_step", momentum_into_zeros_like, "v", "v is an integer array"),
    ("adagrad_step", adagrad_into_zeros_like, "x", "x is an integer array"),
    ("rmsprop_step", rmsprop_into_copy, "s", "s is an integer array"),
    ("adam_step", adam_into_zeros_like, "m", "m is an integer array"),
    ("nesterov_step", nesterov_into_zeros_like, "x", "x is an integer array"),
    ("centered_rmsprop_step", centered_into_zeros_like, "m", "m is an integer array"),
    ("effective_lr", effective_lr_into_zeros_like, "effective_lr", "s is a Python int"),
    ("rmsprop_step_eps_inside", eps_inside_into_zeros_like, "s", "s is an integer array"),
    ("layer_backward", layer_backward_into_zeros_like, "dW", "W is an integer array"),
    ("cosine_schedule", cosine_into_full, "multipliers", "final is a Python int"),
    ("adamw_step", adamw_into_zeros_like, "m", "m is an integer array"),
]


@pytest.mark.parametrize(
    ("name", "fn", "output", "source"), INTEGER_ONLY, ids=[r[1].__name__ for r in INTEGER_ONLY]
)
def test_a_function_right_only_for_floats_gets_the_integer_hint(name, fn, output, source, capsys):
    verdict, out = run(name, fn, capsys)
    assert verdict is False
    out = flat(out)
    assert f"Hint: your {output} came back as an integer" in out, out
    assert "cut to a whole number" in out and source in out, out
    assert "dtype=float)" in out and "Known mistake" not in out, out


def test_the_zeros_like_ewa_is_rejected_for_integer_values(capsys):
    """The known case: right for floats, but [10, 12, 8] gives [5, 8, 8]."""
    assert ewa_into_zeros_like([10.0, 12.0, 8.0], 0.5).tolist() == [5.0, 8.5, 8.25]
    assert ewa_into_zeros_like(np.array([10, 12, 8]), 0.5).tolist() == [5, 8, 8]
    verdict, out = run("ewa", ewa_into_zeros_like, capsys)
    assert verdict is False
    assert out.splitlines()[:3] == [
        'ewa: wrong result in case "a list of one integer, beta = 0.9".',
        "  inputs: values=[3], beta=0.9",
        "  averages: expected [0.3], got [0]",
    ]
    assert flat("\n".join(out.splitlines()[3:])) == (
        "Hint: your averages came back as an integer array (int64): each value stored in it was cut to a "
        "whole number. In this case values is a list of integers, and np.zeros_like(values), "
        "np.empty_like(values) and np.array(values) are integer arrays too. Make a float array instead: "
        "np.zeros(len(values)) or np.zeros_like(values, dtype=float)."
    )


def test_an_integer_result_from_float_inputs_gets_a_dtype_hint(capsys):
    verdict, out = run("gd_step", lambda x, g, lr: np.asarray(x - lr * g).astype(int), capsys)
    assert verdict is False
    assert "x came back as an integer (int64)" in flat(out)
    assert "Look for dtype=int, int(...), round(...) or //" in flat(out)


def test_an_in_place_update_of_an_integer_copy_gets_a_hint(capsys):
    def gd_step(x, g, lr):
        x = np.copy(x)
        x -= lr * g
        return x

    verdict, out = run("gd_step", gd_step, capsys)
    assert verdict is False
    assert "raised UFuncTypeError: Cannot cast ufunc 'subtract' output" in flat(out)
    assert "Hint: an in-place operation (+=, -=, *=, /=) on an integer array" in flat(out)


def ewa_float32(values, beta):
    out, v = np.zeros(len(values), dtype=np.float32), 0.0
    for t, x in enumerate(values):
        v = beta * v + (1 - beta) * x
        out[t] = v
    return out


def ewa_float32_scalars(values, beta):
    v, out = np.float32(0.0), []
    for x in values:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return out


def adam_float32(x, g, m, v, t, lr, beta1, beta2, eps):
    return adam_plain(*(np.asarray(a, dtype=np.float32) for a in (x, g, m, v)), t, lr, beta1, beta2, eps)


def gd_float16(x, g, lr):
    return np.float16(x) - np.float16(lr) * np.float16(g)


def rmsprop_float32_and_wrong(x, g, s, lr, beta, eps):
    s = np.float32(beta) * s + g**2  # missing (1 - beta)
    return np.float32(x - lr * g / (np.sqrt(s) + eps)), np.float32(s)


def effective_lr_float32(s, lr, eps):
    return np.float32(lr) / (np.sqrt(np.asarray(s, dtype=np.float32)) + np.float32(eps))


def centered_float32(x, g, s, m, lr, beta, eps):
    return centered_plain(*(np.asarray(a, dtype=np.float32) for a in (x, g, s, m)), lr, beta, eps)


def nesterov_float32_and_wrong(x, g, v, lr, beta):
    v = np.float32(beta) * np.asarray(v, dtype=np.float32) + np.float32(g)
    return np.float32(x - lr * v), v  # no look-ahead


def eps_inside_float32(x, g, s, lr, beta, eps):
    return eps_inside_plain(*(np.asarray(a, dtype=np.float32) for a in (x, g, s)), lr, beta, eps)


def layer_backward_float32(a, W, delta):
    return layer_backward_plain(*(np.asarray(arg, dtype=np.float32) for arg in (a, W, delta)))


def cosine_float32(steps, final):
    return cosine_numpy(steps, np.float32(final)).astype(np.float32)


def adamw_float32(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    arrays = (np.asarray(a, dtype=np.float32) for a in (x, g, m, v))
    return adamw_plain(*arrays, t, lr, beta1, beta2, eps, weight_decay)


NUMPY_1 = np.lib.NumpyVersion(np.__version__) < "2.0.0"

LOW_PRECISION = [  # (name, fn, phrases)
    (
        "ewa",
        ewa_float32,
        ("averages came back as float32", "agree with the expected ones to float32 precision"),
    ),
    pytest.param(
        "ewa",
        ewa_float32_scalars,
        ("float32, which keeps about 7 significant digits; the check needs 9",),
        marks=pytest.mark.skipif(
            NUMPY_1, reason="NumPy 1.x makes 0.8 * np.float32(0.0) float64: right there"
        ),
    ),
    pytest.param(
        "adam_step",
        adam_float32,
        ("x came back as float32", "so the maths is right"),
        marks=pytest.mark.skipif(NUMPY_1, reason="NumPy 1.x widens its result: see the widened cases below"),
    ),
    ("gd_step", gd_float16, ("x came back as float16, which keeps about 3 significant digits",)),
    ("rmsprop_step", rmsprop_float32_and_wrong, ("x came back as float32",)),
    ("effective_lr", effective_lr_float32, ("effective_lr came back as float32", "so the maths is right")),
    pytest.param(
        "centered_rmsprop_step",
        centered_float32,
        ("x came back as float32", "so the maths is right"),
        marks=pytest.mark.skipif(NUMPY_1, reason="NumPy 1.x widens its result"),
    ),
    ("nesterov_step", nesterov_float32_and_wrong, ("came back as float32",)),
    pytest.param(
        "rmsprop_step_eps_inside",
        eps_inside_float32,
        ("x came back as float32", "so the maths is right"),
        marks=pytest.mark.skipif(NUMPY_1, reason="NumPy 1.x widens its result"),
    ),
    ("layer_backward", layer_backward_float32, ("dW came back as float32", "so the maths is right")),
    ("cosine_schedule", cosine_float32, ("multipliers came back as float32", "so the maths is right")),
    pytest.param(
        "adamw_step",
        adamw_float32,
        ("x came back as float32", "so the maths is right"),
        marks=pytest.mark.skipif(NUMPY_1, reason="NumPy 1.x widens its result"),
    ),
]


@pytest.mark.parametrize(
    ("name", "fn", "phrases"),
    LOW_PRECISION,
    ids=[getattr(r, "values", r)[1].__name__ for r in LOW_PRECISION],
)
def test_a_low_precision_result_gets_a_dtype_hint(name, fn, phrases, capsys):
    verdict, out = run(name, fn, capsys)
    assert verdict is False
    for phrase in (*phrases, "Compute in float64", "dtype=np.float", "(as in np.zeros(n, dtype=np.float"):
        assert phrase in flat(out), out
    assert ("the maths is right" in flat(out)) == ("wrong" not in fn.__name__), out


def adam_widened(x, g, m, v, t, lr, beta1, beta2, eps):
    """Adam in float32, returned as float64 (as float() or .item() would, or NumPy 1.x on its own)."""
    low = adam_plain(*(np.asarray(a, dtype=np.float32) for a in (x, g, m, v)), t, lr, beta1, beta2, eps)
    return tuple(np.asarray(a, dtype=np.float64) for a in low)


def ewa_widened(values, beta):
    return [float(a) for a in ewa_float32(values, beta)]


def adam_slightly_off(x, g, m, v, t, lr, beta1, beta2, eps):
    """A float64 result off by a relative 1e-4: far more than float32's round-off."""
    x, m, v = adam_plain(x, g, m, v, t, lr, beta1, beta2, eps)
    return x * (1 + 1e-4), m, v


def adam_widened_x_and_wrong_v(x, g, m, v, t, lr, beta1, beta2, eps):
    """x at float32 precision, but v far off: the float32 hint would hide the real mistake."""
    x, m, _ = adam_widened(x, g, m, v, t, lr, beta1, beta2, eps)
    return x, m, np.asarray(v, dtype=float) + 1.0


def effective_lr_widened(s, lr, eps):
    return np.asarray(effective_lr_float32(s, lr, eps), dtype=np.float64)


WIDENED = [
    ("adam_step", adam_widened, "x"),
    ("ewa", ewa_widened, "averages"),
    ("effective_lr", effective_lr_widened, "effective_lr"),
]
if NUMPY_1:
    WIDENED.append(("adam_step", adam_float32, "x"))


@pytest.mark.parametrize(("name", "fn", "output"), WIDENED, ids=[f"{r[1].__name__}" for r in WIDENED])
def test_a_float64_result_at_float32_precision_gets_a_hint(name, fn, output, capsys):
    verdict, out = run(name, fn, capsys)
    assert verdict is False
    for phrase in (
        f"your {output} is float64 but agrees with the expected value only to about 7 significant digits",
        "the check needs 9",
        "Compute in float64",
    ):
        assert phrase in flat(out), out


@pytest.mark.parametrize("fn", [adam_slightly_off, adam_widened_x_and_wrong_v, adam_plain])
def test_a_float64_result_off_by_more_than_round_off_gets_no_precision_hint(fn, capsys):
    verdict, out = run("adam_step", fn, capsys)
    assert verdict is (fn is adam_plain)
    assert "float32" not in out, out


def test_a_float32_result_shows_why_it_differs(capsys):
    verdict, out = run("ewa", ewa_float32, capsys)
    assert out.splitlines()[:3] == [
        'ewa: wrong result in case "a list of 5 numbers, beta = 0.8".',
        "  inputs: values: a list of 5 numbers, beta=0.8",
        "  averages: wrong at 5 of 5 entries, e.g. averages[0]: expected 0.4, got 0.40000001",
    ]


# ------------------------------------------------------------------------------------------------------------
# A time limit for each call: a function that does not return is stopped, and the check answers.


@pytest.fixture
def short_limit(monkeypatch):
    """A time limit of 0.3 s, so that these tests stay fast."""
    monkeypatch.setattr(checks, "TIME_LIMIT", 0.3)


def loops(*args):
    while True:
        pass


def loops_catching_exceptions(*args):
    x = 0.0
    while True:
        try:
            x = math.sqrt(x + 1.0)
        except Exception:
            pass


def loops_inside_a_try(*args):
    """Every point where Python looks for a signal is inside the try: only a BaseException gets out."""
    while True:
        try:
            while True:
                pass
        except Exception:
            pass


def loops_catching_everything(*args):
    x = 0.0
    while True:
        try:
            x = np.sqrt(x + 1.0)
        except:  # noqa: E722 - the point of the test
            pass


def loops_calling_a_function_catching_everything(*args):
    def step(x):
        return math.sqrt(x + 1.0)

    x = 0.0
    while True:
        try:
            x = step(x)
        except:  # noqa: E722
            pass


def sleeps(*args):
    time.sleep(100)


def sleeps_catching_everything(*args):
    """Nearly all of its time is in a blocking call inside the try: the stop lands there, is caught, and gets
    out only because the next line the loop runs (the handler's) raises it again."""
    while True:
        try:
            time.sleep(0.01)
        except:  # noqa: E722
            pass


def catches_the_stop_then_returns(x, g, lr):
    try:
        loops()
    except BaseException:
        return x - lr * g


def loops_on_2d_arrays(x, g, lr):
    while np.ndim(x) == 2:
        pass
    return x - lr * g


# In the main thread every line the learner's code runs after the time is up raises the stop again (a trace
# function), so bare excepts let it out on every Python. The watchdog (another thread) has no trace function:
# Python 3.10 checks for its stop only where such a loop is inside its try, so a bare except: swallows every
# one (measured: the check never returns there); 3.11 and later check at the loop's jump back too.
watchdog_stops_bare_except = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="Python 3.10 cannot send a stop out of a loop that catches everything"
)


HANGS = [  # every check, and every way of not returning
    ("gd_step", loops),
    ("ewa", loops_catching_exceptions),
    ("ewa", loops_inside_a_try),
    ("momentum_step", loops_catching_everything),
    ("adam_step", loops_calling_a_function_catching_everything),
    ("rmsprop_step", sleeps),
    ("gd_step", catches_the_stop_then_returns),
    ("adagrad_step", loops_catching_everything),
    ("ewa_bias_corrected", loops),
    ("ewa", sleeps_catching_everything),
    ("nesterov_step", loops),
    ("centered_rmsprop_step", loops_catching_everything),
    ("effective_lr", sleeps),
    ("steps_to_tolerance", loops_inside_a_try),
    ("rmsprop_step_eps_inside", loops_catching_exceptions),
    ("layer_backward", loops),
    ("cosine_schedule", sleeps),
    ("adamw_step", loops_catching_everything),
]


def timed_check(name, fn, capsys):
    started = time.monotonic()
    verdict, out = run(name, fn, capsys)
    return verdict, out, time.monotonic() - started


@pytest.mark.parametrize(("name", "fn"), HANGS, ids=[f"{name}-{fn.__name__}" for name, fn in HANGS])
def test_a_function_that_does_not_return_is_stopped(name, fn, short_limit, capsys):
    verdict, out, seconds = timed_check(name, fn, capsys)
    assert verdict is False
    first_case = next(ex for ex in _catalogue._EXERCISES if ex.name == name).cases[0].label
    assert flat(out).startswith(  # flat: a long name wraps the first line
        f"{name}: your function did not return within 0.3 s — is there a loop that never ends? "
        f'It was stopped in case "{first_case}"'
    ), out
    assert seconds < 3, seconds


def test_the_stop_names_the_case_that_hangs(short_limit, capsys):
    verdict, out, seconds = timed_check("gd_step", loops_on_2d_arrays, capsys)
    assert verdict is False
    assert out.splitlines()[0] == (
        "gd_step: your function did not return within 0.3 s — is there a loop that never ends?"
    )
    assert flat("\n".join(out.splitlines()[1:])) == (
        'It was stopped in case "2-D integer arrays": x: array of shape (3, 4), g: array of shape (3, 4), '
        "lr=0.5"
    )
    assert timed_check("gd_step", loops_on_2d_arrays, capsys)[1] == out  # the same message every run


def test_a_slow_function_is_stopped_when_the_whole_check_has_taken_too_long(monkeypatch, capsys):
    """Each call returns within the limit, but together they would take minutes."""
    monkeypatch.setattr(checks, "TIME_LIMIT", 0.3)
    monkeypatch.setattr(checks, "CHECK_TIME_LIMIT", 0.5)

    def slow_gd_step(x, g, lr):
        time.sleep(0.2)
        return x - lr * g

    verdict, out, seconds = timed_check("gd_step", slow_gd_step, capsys)
    assert verdict is False
    assert out.startswith("gd_step: your function took more than 0.5 s in all, where a correct one needs ")
    assert seconds < 1.5, seconds
    monkeypatch.setattr(checks, "CHECK_TIME_LIMIT", 60.0)
    assert timed_check("gd_step", slow_gd_step, capsys)[0] is True  # slow, but right, within the budget


def test_a_looping_function_gets_its_answer_within_10_s_with_the_default_limit(capsys):
    assert checks.TIME_LIMIT == 5 and checks.CHECK_TIME_LIMIT <= 10
    verdict, out, seconds = timed_check("ewa", sleeps_catching_everything, capsys)
    assert verdict is False and "did not return within 5 s" in out
    assert seconds < 10, seconds


needs_setitimer = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no signal.setitimer")


@pytest.fixture
def alarm_handler():
    """A SIGALRM handler of the caller's, recording when it runs; removed (with any timer) afterwards."""
    calls = []
    before = signal.signal(signal.SIGALRM, lambda signum, frame: calls.append(time.monotonic()))
    yield calls
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, before)


@needs_setitimer
def test_the_callers_alarm_handler_and_timer_are_restored(alarm_handler, short_limit, capsys):
    handler = signal.getsignal(signal.SIGALRM)
    signal.setitimer(signal.ITIMER_REAL, 30.0, 10.0)
    assert run("gd_step", loops, capsys)[0] is False
    assert run("gd_step", gd_plain, capsys)[0] is True
    with pytest.raises(KeyboardInterrupt):
        check_gd_step(interrupted)
    assert signal.getsignal(signal.SIGALRM) is handler
    left, interval = signal.getitimer(signal.ITIMER_REAL)
    assert 25 < left < 30 and interval == 10.0
    assert alarm_handler == []


def test_the_callers_trace_function_is_restored(short_limit, capsys):
    """A debugger's or coverage's trace function is back in place after a stopped call."""
    calls = []

    def callers_tracer(frame, event, arg):
        calls.append(event)

    previous = sys.gettrace()
    sys.settrace(callers_tracer)
    try:
        verdict = check_ewa(sleeps_catching_everything)
        after = sys.gettrace()
    finally:
        sys.settrace(previous)
    assert verdict is False and "did not return within 0.3 s" in capsys.readouterr().out
    assert after is callers_tracer and calls


@needs_setitimer
def test_the_callers_timer_still_fires_if_it_fell_due_during_the_check(alarm_handler, short_limit, capsys):
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    assert run("gd_step", loops, capsys)[0] is False
    time.sleep(0.05)
    assert len(alarm_handler) == 1


@pytest.fixture
def ctrl_c_raises():
    """SIGINT raises KeyboardInterrupt, as in a kernel (a shell's `pytest ... &` starts pytest with SIGINT
    ignored, and then ``_thread.interrupt_main`` does nothing); the handler is restored afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_a_kernel_interrupt_stops_a_looping_function(monkeypatch, capsys, ctrl_c_raises):
    """The stop button during a loop that catches Exception: KeyboardInterrupt gets out, and nothing is left
    armed behind it. (The long limit makes sure that the interrupt comes first.)"""
    monkeypatch.setattr(checks, "TIME_LIMIT", 60.0)
    monkeypatch.setattr(checks, "CHECK_TIME_LIMIT", 60.0)
    handler = signal.getsignal(signal.SIGALRM)
    timer = threading.Timer(0.2, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        check_ewa(loops_catching_exceptions)
    timer.join()
    assert time.monotonic() - started < 3
    assert capsys.readouterr().out == ""
    assert signal.getsignal(signal.SIGALRM) is handler
    if hasattr(signal, "setitimer"):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def in_a_thread(check, fn):
    """Run ``check(fn)`` in another thread; return its verdict (None if it raised) and how long it took."""
    verdicts = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: verdicts.append(check(fn)))
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive()
    return (verdicts or [None])[0], time.monotonic() - started


@pytest.mark.parametrize(
    "fn",
    [loops, pytest.param(loops_catching_everything, marks=watchdog_stops_bare_except)],
    ids=lambda fn: fn.__name__,
)
def test_the_watchdog_stops_a_function_in_another_thread(fn, short_limit, capsys):
    verdict, seconds = in_a_thread(check_momentum_step, fn)
    assert verdict is False
    assert "momentum_step: your function did not return within 0.3 s" in capsys.readouterr().out
    # Stopped, not hung (a hang fails at the 20 s join); loose, as a busy 2-core machine took 3.4 s once.
    assert seconds < 10, seconds


def test_the_watchdog_leaves_a_function_that_returns_alone(short_limit, capsys):
    verdict, _ = in_a_thread(check_adam_step, adam_plain)
    assert verdict is True
    assert capsys.readouterr().out == "adam_step: correct on all 5 cases.\n"


def test_without_setitimer_the_watchdog_works_in_the_main_thread(short_limit, monkeypatch, capsys):
    monkeypatch.delattr(signal, "setitimer", raising=False)
    verdict, out, seconds = timed_check("gd_step", loops_catching_exceptions, capsys)
    assert verdict is False and "did not return within 0.3 s" in out
    assert seconds < 3, seconds
    assert run("gd_step", gd_plain, capsys)[0] is True


# ------------------------------------------------------------------------------------------------------------
# Properties: any correct way of writing the rules passes; any error beyond the tolerance fails.

S_FORMS = [
    lambda s, g, b: b * s + (1 - b) * g**2,
    lambda s, g, b: s + (1 - b) * (g**2 - s),
    lambda s, g, b: (1 - b) * g * g + b * s,
    lambda s, g, b: ewa_update(s, np.square(g), b),
]
X_FORMS = [
    lambda x, g, s, lr, eps: x - lr * g / (np.sqrt(s) + eps),
    lambda x, g, s, lr, eps: x - g * lr / (s**0.5 + eps),
    lambda x, g, s, lr, eps: x + (-lr) * (g / (eps + np.sqrt(s))),
    lambda x, g, s, lr, eps: x - np.divide(lr * g, np.add(np.power(s, 0.5), eps)),
]
CONTAINERS = [tuple, list, lambda items: np.array(list(items))]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(S_FORMS), st.sampled_from(X_FORMS), st.sampled_from(CONTAINERS))
def test_any_rearrangement_of_rmsprop_passes(s_form, x_form, container):
    def rmsprop_step(x, g, s, lr, beta, eps):
        s = s_form(s, g, beta)
        return container((x_form(x, g, s, lr, eps), s))

    assert check_rmsprop_step(rmsprop_step) is True


M_FORMS = [
    lambda m, g, b: b * m + (1 - b) * g,
    lambda m, g, b: m + (1 - b) * (g - m),
    lambda m, g, b: m - (1 - b) * m + (1 - b) * g,
]


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(M_FORMS), st.sampled_from(S_FORMS), st.sampled_from(X_FORMS), st.sampled_from(CONTAINERS)
)
def test_any_rearrangement_of_adam_passes(m_form, v_form, x_form, container):
    def adam_step(x, g, m, v, t, lr, beta1, beta2, eps):
        m, v = m_form(m, g, beta1), v_form(v, g, beta2)
        step = x_form(0.0, m / (1 - beta1**t), v / (1 - beta2**t), lr, eps)
        return container((x + step, m, v))

    assert check_adam_step(adam_step) is True


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=-1e-12, max_value=1e-12))
def test_rounding_differences_pass(relative_error):
    def momentum_step(x, g, v, lr, beta):
        x, v = momentum_plain(x, g, v, lr, beta)
        return x * (1 + relative_error), v * (1 - relative_error)

    assert check_momentum_step(momentum_step) is True


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=1e-7, max_value=1e-2), st.sampled_from([-1.0, 1.0]))
def test_errors_beyond_the_tolerance_fail(relative_error, sign):
    def rmsprop_step(x, g, s, lr, beta, eps):
        x, s = rmsprop_plain(x, g, s, lr, beta, eps)
        return x, s * (1 + sign * relative_error)

    assert check_rmsprop_step(rmsprop_step) is False


V_FORMS = [
    lambda v, g, b: b * v + g,
    lambda v, g, b: g + b * v,
    lambda v, g, b: np.add(np.multiply(b, v), g),
]
LOOK_AHEAD_FORMS = [  # x after the step, from the old and the new velocity
    lambda x, g, v_old, v, lr, b: x - lr * (g + b * v),
    lambda x, g, v_old, v, lr, b: x - lr * g - lr * b * v,
    lambda x, g, v_old, v, lr, b: x - lr * ((1 + b) * g + b**2 * v_old),
    lambda x, g, v_old, v, lr, b: x + (-lr) * (b * v + g),
]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(V_FORMS), st.sampled_from(LOOK_AHEAD_FORMS), st.sampled_from(CONTAINERS))
def test_any_rearrangement_of_nesterov_passes(v_form, x_form, container):
    def nesterov_step(x, g, v, lr, beta):
        v_new = v_form(v, g, beta)
        return container((x_form(x, g, v, v_new, lr, beta), v_new))

    assert check_nesterov_step(nesterov_step) is True


VARIANCE_FORMS = [
    lambda s, m: s - m**2,
    lambda s, m: s - m * m,
    lambda s, m: -(np.square(m) - s),
    lambda s, m: np.maximum(s - m**2, 0.0),
]


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(S_FORMS),
    st.sampled_from(M_FORMS),
    st.sampled_from(VARIANCE_FORMS),
    st.sampled_from(X_FORMS),
    st.sampled_from(CONTAINERS),
)
def test_any_rearrangement_of_centered_rmsprop_passes(s_form, m_form, variance, x_form, container):
    def centered_rmsprop_step(x, g, s, m, lr, beta, eps):
        s, m = s_form(s, g, beta), m_form(m, g, beta)
        return container((x_form(x, g, variance(s, m), lr, eps), s, m))

    assert check_centered_rmsprop_step(centered_rmsprop_step) is True


@pytest.mark.parametrize(
    "rate",
    [
        lambda s, lr, eps: lr / (np.sqrt(s) + eps),
        lambda s, lr, eps: lr / (eps + s**0.5),
        lambda s, lr, eps: 1 / ((np.sqrt(s) + eps) / lr),
        lambda s, lr, eps: lr * np.power(np.add(np.power(s, 0.5), eps), -1.0),
        lambda s, lr, eps: np.asarray(lr / (np.sqrt(np.asarray(s, dtype=float)) + eps)).tolist(),
    ],
)
def test_any_rearrangement_of_the_effective_lr_passes(rate, capsys):
    assert check_effective_lr(rate) is True
    assert capsys.readouterr().out == "effective_lr: correct on all 6 cases.\n"


def test_the_centered_cases_keep_the_variance_well_above_zero():
    """So that np.sqrt(s - m**2), as a learner writes it, is right: the library's max(s - m**2, 0) never
    clips, and round-off in s - m**2 stays far below the tolerance."""
    for _, _, args, (_, s, m) in reference_steps(EXERCISES["centered_rmsprop_step"]):
        for before_s, before_m in ((np.asarray(args["s"]), np.asarray(args["m"])), (s, m)):
            variance = before_s - before_m**2
            assert (variance[before_s == 0] == 0).all()
            assert (variance[before_s > 0] >= 0.15 * before_s[before_s > 0]).all()


def test_the_effective_lr_is_checked_where_eps_matters_and_where_it_does_not():
    """Single calls (no steps), with s from 1e-12 to 1e8: dropping eps shows in some cases, not in others."""
    ex = EXERCISES["effective_lr"]
    assert all(case.steps == 1 for case in ex.cases)
    eps_missing = next(m for m in ex.mistakes if m.title == "eps missing")
    apart = [
        tolerances_apart(dict(mistaken_results(ex, args))[eps_missing], e)
        for _, _, args, e in reference_steps(ex)
    ]
    assert max(apart) > 100 and min(apart) < 0.01


def test_a_single_call_names_its_case_without_a_step(capsys):
    verdict, out = run("effective_lr", lambda s, lr, eps: lr / (s + eps), capsys)
    assert verdict is False
    assert (
        out.splitlines()[0]
        == 'effective_lr: wrong result in case "1-D arrays, s from 1e-12 to 1e8, eps = 1e-8".'
    )
    assert "Known mistake: square root missing." in flat(out)


def test_the_effective_lr_of_a_number_is_a_number():
    ex = EXERCISES["effective_lr"]
    for _, _, args, (expected,) in reference_steps(ex):
        assert expected.shape == np.shape(args["s"])
    assert isinstance(ex.reference(0.25, 0.1, 1e-3)[0], float)


def test_the_nesterov_look_ahead_with_the_old_velocity_is_the_heavy_ball_step():
    """Two mistakes a learner makes, the heavy-ball step (x - lr*v with the new v) and the look-ahead with the
    old velocity, give the same numbers: they are one catalogued mistake, whose advice names both."""
    x, g, v, lr, beta = 1.0, 0.5, 0.2, 0.1, 0.9
    heavy_ball = nesterov_with(direction=lambda g, v0, v, b: v)(x, g, v, lr, beta)
    old_velocity = nesterov_with(direction=lambda g, v0, v, b: g + b * v0)(x, g, v, lr, beta)
    assert heavy_ball == pytest.approx(old_velocity, rel=1e-15)
    advice = flat(EXERCISES["nesterov_step"].mistakes[0].advice)
    assert "x - lr*v with the new v" in advice and "g + beta*v with the old v" in advice


INSIDE_X_FORMS = [
    lambda x, g, s, lr, eps: x - lr * g / np.sqrt(s + eps),
    lambda x, g, s, lr, eps: x - g * lr * (eps + s) ** -0.5,
    lambda x, g, s, lr, eps: x + (-lr) * (g / np.power(np.add(s, eps), 0.5)),
    lambda x, g, s, lr, eps: x - lr * g * np.reciprocal(np.sqrt(s + eps)),
]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(S_FORMS), st.sampled_from(INSIDE_X_FORMS), st.sampled_from(CONTAINERS))
def test_any_rearrangement_of_rmsprop_with_eps_inside_passes(s_form, x_form, container):
    def rmsprop_step_eps_inside(x, g, s, lr, beta, eps):
        s = s_form(s, g, beta)
        return container((x_form(x, g, s, lr, eps), s))

    assert check_rmsprop_step_eps_inside(rmsprop_step_eps_inside) is True


def test_eps_outside_the_root_shows_where_eps_matters_and_only_there():
    """At gradients of 1e-6 to 1e-3 eps inside and outside the root differ by far more than the tolerance; at
    1e2 to 1e4 by far less, so that a rule is never failed for eps where eps cannot matter."""
    ex = EXERCISES["rmsprop_step_eps_inside"]
    outside = next(m for m in ex.mistakes if m.title == "eps outside the square root")
    apart = {
        (label, step): tolerances_apart(dict(mistaken_results(ex, args))[outside], e)
        for label, step, args, e in reference_steps(ex)
    }
    small = [ratio for (label, _), ratio in apart.items() if "gradients 1e-6 to 1e-3" in label]
    large = [ratio for (label, _), ratio in apart.items() if "gradients 1e2 to 1e4" in label]
    assert small and min(small) > 1e4
    assert large and max(large) < 0.01


STEPS_FORMS = [
    steps_from_the_end,
    steps_all_from_each_step,
    steps_after_the_last_gap_above,
    steps_forward_with_isnan,
    steps_with_the_library,
    steps_flipped_cumprod_float,
]
STEP_CONTAINERS = [int, float, np.int64, np.float32, np.array, lambda k: np.array(k, dtype=np.int32)]


@pytest.mark.parametrize(
    "container", STEP_CONTAINERS, ids=["int", "float", "int64", "float32", "array", "int32"]
)
@pytest.mark.parametrize("form", STEPS_FORMS, ids=lambda fn: fn.__name__)
def test_any_rearrangement_of_the_steps_to_tolerance_passes(form, container, capsys):
    def steps_to_tolerance(gaps, tol):
        return container(form(gaps, tol))

    assert check_steps_to_tolerance(steps_to_tolerance) is True, capsys.readouterr().out


def by_definition(gaps, tol):
    """The smallest k with gaps[j] <= tol for every j >= k, or -1: the exercise's formula, literally."""
    return next((k for k in range(len(gaps)) if all(gap <= tol for gap in gaps[k:])), -1)


RUNS = st.lists(st.one_of(st.integers(0, 20), st.floats(0, 20), st.just(math.nan)), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(RUNS, st.one_of(st.integers(0, 20), st.floats(0, 20)), st.integers(0, 5))
def test_the_reference_and_the_rearrangements_are_the_definition(gaps, tol, diverged_for):
    """On any run, NaN tail or not, integers or floats, a list or an array."""
    gaps = gaps + [math.nan] * diverged_for
    expected = by_definition(gaps, tol)
    assert EXERCISES["steps_to_tolerance"].reference(gaps, tol) == (expected,)
    for form in STEPS_FORMS:
        assert form(gaps, tol) == expected, form.__name__
        assert form(np.array(gaps), tol) == expected, form.__name__


def kinds_of_run(gaps, tol):
    """What a case of steps_to_tolerance holds: its input's form and its run's shape."""
    array = np.asarray(gaps, dtype=float)
    k, first = by_definition(list(array), tol), next((j for j, gap in enumerate(array) if gap <= tol), -1)
    kinds = {
        "a list" if isinstance(gaps, list) else "an array",
        {-1: "never", 0: "at 0"}.get(k, "gets there"),
    }
    if np.asarray(gaps).dtype.kind == "i":
        kinds.add("integers")
    if len(gaps) == 1:
        kinds.add("one step")
    if np.isnan(array[-1]):
        kinds.add("diverged")
    if first != k:
        kinds.add("dips within tol and comes back out")
    if k > 0 and array[k] == tol:
        kinds.add("equal to tol at the decisive step")
    return kinds


def test_the_steps_to_tolerance_cases_hold_every_kind_of_run():
    kinds = set().union(*(kinds_of_run(**case.args) for case in EXERCISES["steps_to_tolerance"].cases))
    assert kinds == {
        "a list",
        "an array",
        "integers",
        "one step",
        "diverged",
        "never",
        "at 0",
        "gets there",
        "dips within tol and comes back out",
        "equal to tol at the decisive step",
    }


def test_a_never_said_with_none_is_named_not_taken_for_a_missing_return(capsys):
    verdict, out = run("steps_to_tolerance", steps_from_the_end_with(never=None), capsys)
    assert verdict is False
    assert flat(out).startswith(
        'steps_to_tolerance: wrong result in case "an array of 15 gaps that never get within tol". '
        "Known mistake: None returned when the run never gets there. When the run never stays within tol"
    ), out
    verdict, out = run("steps_to_tolerance", lambda gaps, tol: None, capsys)
    assert flat(out) == "steps_to_tolerance: your function returned None. Is the `return ...` line missing?"


def steps_walks_off_the_start(gaps, tol):
    k = len(gaps)
    while gaps[k - 1] <= tol:  # no k > 0: gaps[-1], gaps[-2], ... once every gap is within tol
        k -= 1
    return k if k < len(gaps) else -1


def steps_compares_a_list(gaps, tol):
    return int(np.argmax(gaps <= tol))


def steps_tests_an_array_with_if(gaps, tol):
    gaps = np.asarray(gaps, dtype=float)
    for k in range(len(gaps)):
        if gaps[k:] <= tol:
            return k
    return -1


@pytest.mark.parametrize(
    ("fn", "phrases"),
    [
        (
            steps_walks_off_the_start,
            (
                "raised IndexError: list index out of range",
                'in case "a list of one gap": gaps: a list of 1 number, tol=0.1',
                "Hint: Does a loop run off the ends of gaps? Its steps are 0 to len(gaps) - 1.",
            ),
        ),
        (
            steps_compares_a_list,
            ("raised TypeError: '<=' not supported", "Hint: gaps can be a Python list: convert it first"),
        ),
        (
            steps_tests_an_array_with_if,
            (
                "raised ValueError: The truth value of an array",
                "`if` needs a single one: test gaps[j] <= tol",
            ),
        ),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_steps_to_tolerance_that_raises_gets_a_hint(fn, phrases, capsys):
    verdict, out = run("steps_to_tolerance", fn, capsys)
    assert verdict is False
    for phrase in phrases:
        assert phrase in flat(out), out


def test_a_nan_result_is_not_taken_for_none(capsys):
    verdict, out = run("steps_to_tolerance", steps_from_the_end_with(never=math.nan), capsys)
    assert verdict is False
    assert "Known mistake" not in out and "step: expected -1, got nan" in flat(out), out


def test_a_wrong_step_is_shown_as_a_whole_number_without_a_dtype_hint(capsys):
    verdict, out = run("steps_to_tolerance", lambda gaps, tol: steps_from_the_end(gaps, tol) + 2, capsys)
    assert verdict is False
    assert out == (
        "steps_to_tolerance: wrong result in case "
        '"a list of 8 gaps that dips within tol and comes back out".\n'
        "  inputs: gaps: a list of 8 numbers, tol=0.1\n"
        "  step: expected 4, got 6\n"
    )


def test_an_integer_step_computed_wrongly_is_named_not_called_truncated(capsys):
    verdict, out = run(
        "steps_to_tolerance", lambda gaps, tol: np.int32(steps_first_within(gaps, tol)), capsys
    )
    assert verdict is False
    assert "Known mistake: first step within tol" in flat(out) and "whole number" not in out, out


# ------------------------------------------------------------------------------------------------------------
# Messages are wrapped at words: never inside a word, inline code, brackets or a formula.

EXERCISES = {ex.name: ex for ex in _catalogue._EXERCISES}
OPERATOR_AT_A_BREAK = re.compile(r"(^|\s)(\*\*|//|[-+*/=<>@]=?)$")  # a line ending in "1 -", "x =" or "a @"


def named(name, fn):
    """``fn`` under the name the exercise gives it, as the learner's cell defines it."""

    def learners(*args):
        return fn(*args)

    learners.__name__ = learners.__qualname__ = name
    return learners


def raising(kind, text):
    message = f"it went wrong: {text} in the middle of a long sentence about what went wrong"

    def raises(*args):
        raise kind(message)

    return raises


def every_message(monkeypatch, capsys):
    """Each kind of message the checks print, unwrapped: every catalogued mistake, hint and dtype advice, a
    stub, broken results and exceptions, changed inputs, and the library's rule put in the learner's place."""
    monkeypatch.setattr(checks, "MESSAGE_WIDTH", 10**6)
    learners = []
    for ex in _catalogue._EXERCISES:
        for mistake in ex.mistakes:
            learners.append(
                (ex, mistake.rule if len(ex.outputs) > 1 else lambda *a, r=mistake.rule: r(*a)[0])
            )
        learners += [(ex, raising(hint.kind, hint.text)) for hint in ex.hints]
        learners += [(ex, stub), (ex, exits), (ex, (1.0, 2.0)), (ex, lambda x: x)]
        learners += [(ex, fn) for fn, _ in BROKEN]
    for row in (*IN_PLACE, *INTEGER_ONLY, *LOW_PRECISION, *WIDENED):
        name, fn = getattr(row, "values", row)[:2]
        learners.append((EXERCISES[name], fn))
    messages = []
    for ex, fn in learners:
        _mechanism._check(ex, fn)
        messages.append(capsys.readouterr().out.removesuffix("\n"))
    for ex in _catalogue._EXERCISES:
        _mechanism._library_in_place(ex)
        messages.append(capsys.readouterr().out.removesuffix("\n"))
    return messages


def unbreakable(line):
    """True if ``line`` is one part that must stay whole: code, brackets or a formula, with no other space."""
    rest = re.sub(r"`[^`]*`|\[[^\]]*\]", "_", line.strip())
    return " " not in re.sub(r" (\*\*|//|[-+*/=<>@]=?) ", "_", rest)


def test_messages_wrap_at_words_only_at_any_width(monkeypatch, capsys):
    messages = every_message(monkeypatch, capsys)
    assert len(messages) > 150 and max(len(line) for m in messages for line in m.splitlines()) > 150
    for message in messages:
        assert _mechanism._wrap(message, 10**6) == message  # lines that fit are left alone
        code_and_brackets = re.findall(r"`[^`\n]*`|\[[^\]\n]*\]", message)
        for width in range(30, 141, 11):
            wrapped = _mechanism._wrap(message, width)
            where = f"width {width}:\n{wrapped}"
            assert wrapped.split() == message.split(), where  # not one word cut in two ("agai n.")
            assert all(part in wrapped for part in code_and_brackets), where
            lines = wrapped.splitlines()
            assert not any(OPERATOR_AT_A_BREAK.search(line) for line in lines), where  # no formula cut
            assert all(len(line) <= width or unbreakable(line) for line in lines), where


def test_a_continued_line_keeps_to_its_indent():
    message = "name: " + "word " * 30 + "\n  detail: " + "more " * 30
    wrapped = _mechanism._wrap(message.replace(" \n", "\n").rstrip(), 40).splitlines()
    detail = next(i for i, line in enumerate(wrapped) if line.startswith("  detail:"))
    assert all(not line.startswith(" ") for line in wrapped[:detail])
    assert all(line.startswith("    more") for line in wrapped[detail + 1 :])


def test_printed_messages_fit_the_width(monkeypatch, capsys):
    monkeypatch.setattr(checks, "MESSAGE_WIDTH", 50)
    verdict, out = run("adam_step", adam_with(m_rule=lambda m, g, b1: (1 - b1) * g), capsys)
    assert verdict is False and max(len(line) for line in out.splitlines()) <= 50
    assert len(out.splitlines()) > 3


# ------------------------------------------------------------------------------------------------------------
# After a check: the learner's function once it passes; until then the library's rule, and a line saying so.


def fallback_message(ex):
    return (
        f"{ex.name}: your function has not passed its check, so the rest of the lesson uses lessons_lib's "
        f"`{ex.library}` in its place. Once it passes, run this cell again to use yours."
    )


def assert_gives_the_librarys_results(ex, step):
    for _, _, args, expected in reference_steps(ex):
        result = step(*_mechanism._copies(ex, args))
        result = (result,) if len(ex.outputs) == 1 else result
        assert _mechanism._all_close(_mechanism._as_arrays(result), expected)


@pytest.mark.parametrize(("name", "fn"), CORRECT[::3], ids=[fn.__name__ for _, fn in CORRECT[::3]])
def test_a_function_that_passed_is_used_and_nothing_more_is_said(name, fn, capsys):
    learners = named(name, fn)
    passed = CHECKS[name][0](learners)
    capsys.readouterr()
    assert checks.yours_or_library(learners, passed) is learners
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("ex", _catalogue._EXERCISES, ids=lambda ex: ex.name)
def test_an_exercise_not_done_yet_is_replaced_by_the_library_and_says_so(ex, capsys):
    learners = named(ex.name, stub)
    passed = CHECKS[ex.name][0](learners)
    capsys.readouterr()
    step = checks.yours_or_library(learners, passed)
    out = capsys.readouterr().out
    assert passed is False and step is not learners
    assert flat(out) == fallback_message(ex)
    assert max(len(line) for line in out.splitlines()) <= checks.MESSAGE_WIDTH
    assert_gives_the_librarys_results(ex, step)


@pytest.mark.parametrize("ex", _catalogue._EXERCISES, ids=lambda ex: ex.name)
def test_a_failed_exercise_is_replaced_by_the_library_and_says_so(ex, capsys):
    mistake = ex.mistakes[0].rule
    learners = named(ex.name, mistake if len(ex.outputs) > 1 else lambda *a: mistake(*a)[0])
    passed = CHECKS[ex.name][0](learners)
    capsys.readouterr()
    step = checks.yours_or_library(learners, passed)
    out = capsys.readouterr().out
    assert passed is False
    assert flat(out) == fallback_message(ex)
    assert "correct on" not in out and "not passed" in out  # it never reads like a pass
    assert_gives_the_librarys_results(ex, step)  # the library's results, not the mistake's


@pytest.mark.parametrize("ex", _catalogue._EXERCISES, ids=lambda ex: ex.name)
def test_the_message_names_a_function_of_the_library(ex):
    import lessons_lib

    name = ex.library.partition("(")[0]  # "ewa", "Adagrad", "measures.first_staying"
    assert callable(functools.reduce(getattr, name.split("."), lessons_lib))


def test_a_function_not_named_as_an_exercise_is_refused_clearly():
    with pytest.raises(ValueError, match="'my_step' is not the name of an exercise; .* gd_step"):
        checks.yours_or_library(named("my_step", stub), False)


SOLUTIONS = sorted((Path(__file__).resolve().parents[1] / "notebooks" / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_lessons_go_on_with_the_learners_function_only_through_yours_or_library(path):
    """Each check's verdict goes to ``yours_or_library``: no cell picks the learner's function by hand."""
    import nbformat

    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    verdicts = [m for source in code for m in re.finditer(r"^(\w+) = check_(\w+)\((\w+)\)$", source, re.M)]
    for verdict in verdicts:
        flag, fn = verdict.group(1), verdict.group(3)
        assert any(f"yours_or_library({fn}, {flag})" in s for s in code), (path.name, flag)
        assert not any(re.search(rf"\b{fn} if {flag} else\b", s) for s in code), (path.name, flag)


# ------------------------------------------------------------------------------------------------------------
# The exercises of training a network: one layer's backward pass, the cosine schedule, AdamW.

DW_FORMS = [
    lambda a, d: a.T @ d,
    lambda a, d: np.einsum("ij,ik->jk", a, d),
    lambda a, d: sum(np.outer(ai, di) for ai, di in zip(a, d, strict=True)),
    lambda a, d: np.dot(np.transpose(a), d),
]
DB_FORMS = [
    lambda d: d.sum(axis=0),
    lambda d: np.sum(d, 0),
    lambda d: d.T @ np.ones(len(d)),
    lambda d: sum(d),
]
BELOW_FORMS = [
    lambda a, W, d: (d @ W.T) * (1 - a**2),
    lambda a, W, d: (1 - a) * (1 + a) * np.dot(d, W.T),
    lambda a, W, d: (W @ d.T).T * (1 - a * a),
    lambda a, W, d: np.einsum("ik,jk,ij->ij", d, W, 1 - a**2),
]


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(DW_FORMS),
    st.sampled_from(DB_FORMS),
    st.sampled_from(BELOW_FORMS),
    st.sampled_from([tuple, list]),
)
def test_any_rearrangement_of_the_layer_backward_passes(dW_form, db_form, below_form, container):
    def layer_backward(a, W, delta):
        return container((dW_form(a, delta), db_form(delta), below_form(a, W, delta)))

    assert check_layer_backward(layer_backward) is True


def test_the_layer_cases_start_square_and_never_mix_n_with_a_fan():
    """The first layer is square, so that dW transposed and W not transposed are named by their numbers
    (elsewhere W not transposed cannot be multiplied); n equals no fan, so that no other axis mix-up fits."""
    shapes = [(*case.args["a"].shape, case.args["W"].shape[1]) for case in EXERCISES["layer_backward"].cases]
    assert shapes[0][1] == shapes[0][2]
    assert all(n not in (fan_in, fan_out) for n, fan_in, fan_out in shapes)
    assert any(fan_in != fan_out for _, fan_in, fan_out in shapes)
    for case in EXERCISES["layer_backward"].cases:  # a is a tanh output
        assert np.abs(case.args["a"]).max() < 1


def test_a_layer_backward_that_multiplies_the_wrong_shapes_gets_a_hint(capsys):
    verdict, out = run("layer_backward", lambda a, W, delta: (a @ delta, delta.sum(0), delta @ W.T), capsys)
    assert verdict is False
    assert "raised ValueError: matmul" in flat(out), out
    assert "Hint: Check the shapes: a is n × fan_in, W fan_in × fan_out, delta n × fan_out." in flat(out)


def test_the_layer_backward_reference_is_the_networks_own():
    """The check compares with lessons_lib.data.layer_backward, the function mlp_digits' gradient calls."""
    ex = EXERCISES["layer_backward"]
    for _, _, args, expected in reference_steps(ex):
        library = library_layer_backward(args["a"], args["W"], args["delta"], "tanh")
        assert all(np.array_equal(e, r) for e, r in zip(expected, library, strict=True))


COSINE_FORMS = [
    cosine_numpy,
    cosine_list_math,
    cosine_squared_half_angle,
    cosine_linspace_without_endpoint_tuple,
    cosine_angle_added_up,
    cosine_pytorch_recursion,
    lambda steps, final: final + (1 - final) * np.sin(np.pi * (steps - np.arange(steps)) / (2 * steps)) ** 2,
    lambda steps, final: 1 - (1 - final) * (1 - np.cos(np.pi * np.arange(steps) / steps)) / 2,
]


@pytest.mark.parametrize("container", [list, tuple, np.array], ids=["list", "tuple", "array"])
@pytest.mark.parametrize("form", COSINE_FORMS, ids=range(len(COSINE_FORMS)))
def test_any_rearrangement_of_the_cosine_schedule_passes(form, container, capsys):
    def cosine_schedule(steps, final):
        return container(list(form(steps, final)))

    assert check_cosine_schedule(cosine_schedule) is True, capsys.readouterr().out


def test_the_cosine_schedule_with_1_plus_cos_passes_by_the_absolute_floor():
    """At the end of 100000 steps to 0 the multipliers are about 2.5e-10, and 1 + cos(...) cancels there: off
    by far more than RTOL relatively, by far less than the floor absolutely (ATOL_FRACTION of the largest
    multiplier, the first, which is 1). It is right, and passes; the library writes sin**2."""
    steps = 100_000
    assert {"steps": steps, "final": 0.0} in [case.args for case in EXERCISES["cosine_schedule"].cases]
    got, expected = cosine_numpy(steps, 0.0), cosine_decay(steps, final=0.0)
    assert expected.max() == 1.0 and expected.min() < 1e-9
    assert (np.abs(got - expected) / expected).max() > 10 * checks.RTOL
    assert np.abs(got - expected).max() < 0.01 * checks.ATOL_FRACTION
    assert check_cosine_schedule(cosine_numpy) is True


def test_a_cosine_schedule_off_by_more_than_the_tolerance_fails(capsys):
    def cosine_schedule(steps, final):
        return cosine_numpy(steps, final) * (1 + 1e-7)

    verdict, out = run("cosine_schedule", cosine_schedule, capsys)
    assert verdict is False and "Known mistake" not in out
    assert out.splitlines()[1] == "  inputs: steps=10, final=0.1", out


def test_a_cosine_schedule_over_steps_minus_1_that_raises_gets_a_hint(capsys):
    """Divided by steps - 1 in Python floats, one step divides by zero; the earlier cases name the mistake,
    so a function right elsewhere meets the hint only there."""

    def cosine_schedule(steps, final):
        angles = [math.pi * k / steps for k in range(steps)] if steps > 1 else [math.pi * 0 / (steps - 1)]
        return [final + (1 - final) * (1 + math.cos(angle)) / 2 for angle in angles]

    verdict, out = run("cosine_schedule", cosine_schedule, capsys)
    assert verdict is False
    assert 'raised ZeroDivisionError: float division by zero in case "one step, final = 0.5"' in flat(out)
    assert "Hint: Is the angle pi*k/(steps - 1)? With one step that divides by 0." in flat(out)


DECAY_FORMS = [
    lambda x, lr, wd: x - lr * wd * x,
    lambda x, lr, wd: x * (1 - lr * wd),
    lambda x, lr, wd: (1 - wd * lr) * x,
]


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(DECAY_FORMS),
    st.sampled_from(M_FORMS),
    st.sampled_from(S_FORMS),
    st.sampled_from(X_FORMS),
    st.sampled_from(CONTAINERS),
)
def test_any_rearrangement_of_adamw_passes(decay, m_form, v_form, x_form, container):
    def adamw_step(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        x = decay(x, lr, weight_decay)
        m, v = m_form(m, g, beta1), v_form(v, g, beta2)
        step = x_form(0.0, m / (1 - beta1**t), v / (1 - beta2**t), lr, eps)
        return container((x + step, m, v))

    assert check_adamw_step(adamw_step) is True


@pytest.mark.parametrize(
    "title",
    [
        "Adam + L2, not AdamW",
        "decay not scaled by lr",
        "decay applied after Adam's step",
        "weight decay missing",
    ],
)
def test_every_adamw_case_shows_the_decay_mistakes_at_its_first_step(title):
    """Where the decay goes (and whether it is there) shows at every case's first call, integers and
    gradients of 1e-6 or 1e3 alike, by far more than the tolerance."""
    ex = EXERCISES["adamw_step"]
    mistake = next(m for m in ex.mistakes if m.title == title)
    for label, step, args, expected in reference_steps(ex):
        if step == 1:
            assert tolerances_apart(dict(mistaken_results(ex, args))[mistake], expected) > 1000, label


def test_adamw_reuses_adams_mistakes_after_the_decay():
    """Each of Adam's catalogued mistakes is one of AdamW's too, under the same title and advice."""
    adamw = [(m.title, m.advice) for m in EXERCISES["adamw_step"].mistakes]
    adam = [(m.title, m.advice) for m in EXERCISES["adam_step"].mistakes]
    assert adamw[-len(adam) :] == adam
