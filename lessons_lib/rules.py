"""The update rules of the course as pure functions, each body the equations of its lesson.

``*_update(x, g, <state arrays>, *, <hyperparameters>)`` returns the new point and the new state arrays and
mutates nothing; every line is tagged with the label the notebooks use, so it can be held next to the maths.
They work on arrays of any shape (a batch of starts, a grid of settings, hyperparameters that are arrays too)
and check nothing: :mod:`lessons_lib.optimizers` wraps each in a class that validates its hyperparameters,
builds its state and checks what it is given.

Equation labels
---------------
(G1)  x = x - lr * g                                            gradient descent
(M1)  v = beta * v + (1 - beta) * g      averaged (EWA) form      momentum
(M1') v = beta * v + g                   summed (heavy-ball) form
(M2)  x = x - lr * v
(M1'') v = beta * v + lr * g; x = x - v  lr inside the velocity (Sutskever et al., Keras, optax)
(A1)  s = s + g**2                                               Adagrad
(A2)  x = x - lr * g / (sqrt(s) + eps)
(R1)  s = beta * s + (1 - beta) * g**2                           RMSProp
(R2)  x = x - lr * g / (sqrt(s) + eps)
(D1)  m = beta1 * m + (1 - beta1) * g                            Adam
(D2)  v = beta2 * v + (1 - beta2) * g**2
(D3)  m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)
(D4)  x = x - lr * m_hat / (sqrt(v_hat) + eps)
(W1)  x = x - lr * weight_decay * x                              AdamW: decoupled weight decay first,
                                                                 then (D1)-(D4) with g from the old x

Keras and optax put ``eps`` inside the root, ``sqrt(s + eps)``: ``eps_in_sqrt=True`` in the functions that
take it (:func:`denominator`).
"""

from __future__ import annotations

import numpy as np

from .averages import bias_correction, ewa_update

__all__ = [
    "adagrad_update",
    "adam_update",
    "adamw_update",
    "denominator",
    "gd_update",
    "lr_inside_momentum_update",
    "momentum_update",
    "rmsprop_update",
    "rmsprop_variant_update",
]


def gd_update(x, g, *, lr):
    """One gradient-descent step  (G1)."""
    return x - lr * g  # (G1)


def momentum_update(x, g, v, *, lr, beta, averaged=True, nesterov=False):
    """One momentum step. Returns the new point and the new velocity.

    ``averaged=True``:  v = beta*v + (1-beta)*g  (M1), the EWA of lesson 01;
    ``averaged=False``: v = beta*v + g           (M1'), Polyak's heavy ball as PyTorch writes it;
    then x = x - lr*v  (M2). ``nesterov=True`` steps along the look-ahead ``g + beta*v`` (summed form) or its
    average ``(1-beta)*g + beta*v`` (averaged form) instead of ``v``, as PyTorch's SGD does.
    """
    if averaged:
        v = ewa_update(v, g, beta)  # (M1)
        direction = (1 - beta) * g + beta * v if nesterov else v
    else:
        v = beta * v + g  # (M1')
        direction = g + beta * v if nesterov else v
    x = x - lr * direction  # (M2)
    return x, v


def lr_inside_momentum_update(x, g, v, *, lr, beta):
    """One momentum step with the learning rate inside the velocity. Returns the new point and velocity."""
    v = beta * v + lr * g  # (M1'')
    x = x - v
    return x, v


def adagrad_update(x, g, s, *, lr, eps):
    """One Adagrad step. Returns the new point and the new sum of squared gradients."""
    s = s + g**2  # (A1) sum of squared gradients, per coordinate
    x = x - lr * g / (np.sqrt(s) + eps)  # (A2)
    return x, s


def rmsprop_update(x, g, s, *, lr, beta, eps):
    """One RMSProp step. Returns the new point and the new running mean of squared gradients."""
    s = ewa_update(s, g**2, beta)  # (R1) EWA of squared gradients
    x = x - lr * g / (np.sqrt(s) + eps)  # (R2) step scaled by the RMS
    return x, s


def rmsprop_variant_update(x, g, s, m, v, *, lr, beta, eps, momentum, eps_in_sqrt=False):
    """One step of centered RMSProp and/or RMSProp with momentum, as PyTorch writes them.

    ``m`` (or None): the EWA of ``g``; when given, divide by ``sqrt(s - m**2)``, an estimate of the
    gradient's standard deviation, instead of its RMS ``sqrt(s)``. ``v`` (or None): a heavy-ball velocity of
    the scaled steps, ``v = momentum * v + g / (rms + eps)``, ``x = x - lr * v``. ``eps_in_sqrt=True``
    divides by ``sqrt(s + eps)`` instead of ``sqrt(s) + eps`` (Keras, optax). Returns ``x, s, m, v``.
    """
    s = ewa_update(s, g**2, beta)  # (R1)
    if m is None:
        mean_square = s
    else:
        m = ewa_update(m, g, beta)
        mean_square = np.maximum(s - m**2, 0.0)  # max(): round-off must not make a variance negative
    scaled = g / denominator(mean_square, eps, eps_in_sqrt)
    if v is None:
        x = x - lr * scaled  # (R2)
    else:
        v = momentum * v + scaled
        x = x - lr * v
    return x, s, m, v


def adam_update(x, g, m, v, t, *, lr, beta1, beta2, eps):
    """One Adam step; ``t`` is the number of this step, counted from 1. Returns ``x, m, v``."""
    m = ewa_update(m, g, beta1)  # (D1) momentum: EWA of g
    v = ewa_update(v, g**2, beta2)  # (D2) RMSProp: EWA of g**2
    m_hat = bias_correction(m, beta1, t)  # (D3) bias corrections of lesson 01
    v_hat = bias_correction(v, beta2, t)
    x = x - lr * m_hat / (np.sqrt(v_hat) + eps)  # (D4)
    return x, m, v


def adamw_update(x, g, m, v, t, *, lr, beta1, beta2, eps, weight_decay):
    """One AdamW step, in PyTorch's order: decay the point, then Adam's step from there. Returns ``x, m, v``.

    ``g`` is the gradient at the point before the decay; the decay ``lr * weight_decay * x`` is not divided by
    ``sqrt(v_hat)``, unlike an L2 term's gradient ``weight_decay * x`` added to ``g``.
    """
    x = x - lr * weight_decay * x  # (W1) decoupled weight decay
    return adam_update(x, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)  # (D1)-(D4)


def denominator(mean_square, eps, eps_in_sqrt):
    """The denominator of the adaptive rules: ``sqrt(s) + eps`` (PyTorch, the papers) or ``sqrt(s + eps)``."""
    return np.sqrt(mean_square + eps) if eps_in_sqrt else np.sqrt(mean_square) + eps
