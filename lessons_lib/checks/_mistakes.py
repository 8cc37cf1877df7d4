"""The references (the library's rules, called as the learner's function is) and the catalogues of mistakes
of the rules without an adaptive denominator: gradient descent, momentum (averaged and Nesterov's) and the
exponentially weighted averages. The adaptive rules' are in :mod:`._mistakes_adaptive`, the measures' in
:mod:`._mistakes_measures`."""

from __future__ import annotations

import numpy as np

from ..averages import bias_correction, ewa, ewa_update
from ..rules import gd_update, momentum_update
from ._exercise import _Mistake

# A mistake is the rule with one mistake in it. Where the library can express it (the right rule with a wrong
# argument) the mistake calls the library; otherwise it is written out, its wrong line marked.


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

# Nesterov momentum (summed form, PyTorch's SGD) -------------------------------------------------------------


def _nesterov_reference(x, g, v, lr, beta):
    return momentum_update(x, g, v, lr=lr, beta=beta, averaged=False, nesterov=True)


def _nesterov_variant(
    *, v_rule=lambda v, g, beta: beta * v + g, direction=lambda g, v, v_new, beta: g + beta * v_new
):
    """A Nesterov step with its velocity line or its direction replaced; ``v`` is the old velocity."""

    def rule(x, g, v, lr, beta):
        v_new = v_rule(v, g, beta)
        return x - lr * direction(g, v, v_new, beta), v_new

    return rule


_NESTEROV_MISTAKES = (
    _Mistake(  # x - lr*v_new = x - lr*(g + beta*v_old): the same numbers, two ways of writing them
        "heavy-ball step, no look-ahead",
        "Your step is x - lr*(beta*v + g): x - lr*v with the new v (plain momentum), or the look-ahead "
        "g + beta*v with the old v. Update v first, v = beta*v + g, then step along the look-ahead with the "
        "new v: x = x - lr*(g + beta*v).",
        lambda x, g, v, lr, beta: momentum_update(x, g, v, lr=lr, beta=beta, averaged=False),
    ),
    _Mistake(
        "look-ahead terms swapped",
        "You stepped along v + beta*g. The look-ahead adds beta times the new velocity to the gradient: "
        "x = x - lr*(g + beta*v).",
        _nesterov_variant(direction=lambda g, v, v_new, beta: v_new + beta * g),
    ),
    _Mistake(
        "(1 - beta) factor in the velocity",
        "v = beta*v + (1 - beta)*g is the averaged form. Here, as in PyTorch's SGD, v sums the gradients: "
        "v = beta*v + g, then x = x - lr*(g + beta*v).",
        lambda x, g, v, lr, beta: momentum_update(x, g, v, lr=lr, beta=beta, nesterov=True),
    ),
    _Mistake(
        "(1 - beta) factor in the velocity",
        "v = beta*v + (1 - beta)*g is the averaged form. Here, as in PyTorch's SGD, v sums the gradients: "
        "v = beta*v + g, then x = x - lr*(g + beta*v).",
        _nesterov_variant(v_rule=ewa_update),
    ),
    _Mistake(
        "lr inside the velocity",
        "v = beta*v + lr*g is Keras's (and Sutskever et al.'s) convention. Here, as in PyTorch, v sums the "
        "raw gradients, v = beta*v + g, and lr scales the step: x = x - lr*(g + beta*v).",
        lambda x, g, v, lr, beta: (x - lr * g - beta * (beta * v + lr * g), beta * v + lr * g),
    ),
    _Mistake(
        "velocity not accumulated",
        "Your v is just g: v forgets its previous value. Keep it: v = beta*v + g.",
        lambda x, g, v, lr, beta: _nesterov_reference(x, g, 0 * v, lr, beta),
    ),
    _Mistake(
        "wrong sign",
        "x + lr*(g + beta*v) climbs uphill. Step against the look-ahead: x = x - lr*(g + beta*v).",
        lambda x, g, v, lr, beta: _nesterov_reference(x, g, v, -lr, beta),
    ),
)
