"""The references and the catalogues of mistakes of training a network: one hidden tanh layer's backward pass
(backpropagation, (N5)-(N6) of :func:`lessons_lib.mlp_digits`) and the cosine decay of the learning rate
((S2) of :func:`lessons_lib.cosine_decay`)."""

from __future__ import annotations

import numpy as np

from ..data import layer_backward
from ..running import cosine_decay
from ._exercise import _Mistake

# A mistake is the exercise's function with one mistake in it. The parts it gets right come from the library;
# its wrong line is written out.


# One hidden tanh layer's backward pass ----------------------------------------------------------------------


def _layer_backward_reference(a, W, delta):
    return layer_backward(a, W, delta, "tanh")  # a is the output of a tanh layer


def _backprop(*, dW=None, db=None, delta_below=None):
    """The layer's ``(dW, db, delta_below)``, some replaced, each by a function of ``(a, W, delta)``."""

    def rule(a, W, delta):
        right = _layer_backward_reference(a, W, delta)
        wrong = (dW, db, delta_below)
        return tuple(r if w is None else w(a, W, delta) for r, w in zip(right, wrong, strict=True))

    return rule


def _below(dphi, transpose=True):
    """``delta_below`` as ``(delta @ W.T) * dphi(a)``, or with W not transposed."""
    return lambda a, W, delta: (delta @ (W.T if transpose else W)) * dphi(a)


_ALREADY_MEAN = "delta already holds the 1/n of the mean loss, (N4)"
_DB_SHAPE = "db has one entry per unit of the layer, like b (fan_out): sum over the images, delta.sum(axis=0)"
_TANH_PRIME = "tanh'(z) = 1 - tanh(z)**2 = 1 - a**2, as (N6) writes it with a: (delta @ W.T) * (1 - a**2)"


def _dW_over_n(a, W, delta):
    return a.T @ delta / len(a)  # wrong: a second mean over the images


def _db_mean(a, W, delta):
    return delta.mean(axis=0)  # wrong: a second mean over the images


_LAYER_BACKWARD_MISTAKES = (
    _Mistake(
        "dW transposed",
        "You computed delta.T @ a, fan_out × fan_in. dW has W's shape, fan_in × fan_out: dW = a.T @ delta "
        "(N5), each weight W[j, k] collecting a[:, j]*delta[:, k] over the images.",
        _backprop(dW=lambda a, W, delta: delta.T @ a),
    ),
    _Mistake(
        "dW divided by n again",
        f"{_ALREADY_MEAN}: dW = a.T @ delta sums over the images, with no further division.",
        _backprop(dW=_dW_over_n),
    ),
    _Mistake(
        "db as a mean instead of a sum",
        f"{_ALREADY_MEAN}, so db sums it over the images: db = delta.sum(axis=0). Averaging divides by n a "
        "second time.",
        _backprop(db=_db_mean),
    ),
    _Mistake(
        "dW and db divided by n again",
        f"{_ALREADY_MEAN}: dW = a.T @ delta and db = delta.sum(axis=0) sum over the images, with no further "
        "division.",
        _backprop(dW=_dW_over_n, db=_db_mean),
    ),
    _Mistake(
        "db summed over the units",
        f"delta.sum(axis=1) gives one number per image. {_DB_SHAPE}.",
        _backprop(db=lambda a, W, delta: delta.sum(axis=1)),
    ),
    _Mistake(
        "db summed into one number",
        f"np.sum(delta) adds every entry together. {_DB_SHAPE}.",
        _backprop(db=lambda a, W, delta: np.sum(delta)),
    ),
    _Mistake(
        "db kept as a row",
        "keepdims=True makes db 1 × fan_out, and b - lr*db would then turn b into a matrix. db has b's "
        "shape, (fan_out,): delta.sum(axis=0).",
        _backprop(db=lambda a, W, delta: delta.sum(axis=0, keepdims=True)),
    ),
    _Mistake(
        "W not transposed",
        "delta is n × fan_out and W fan_in × fan_out: delta_below = (delta @ W.T) * (1 - a**2), n × fan_in. "
        "Each unit below collects the deltas of the units it feeds, through its row of W.",
        _backprop(delta_below=_below(lambda a: 1 - a**2, transpose=False)),
    ),
    _Mistake(
        "tanh' factor missing",
        "delta @ W.T is the gradient with respect to the layer below's output a = tanh(z); delta_below is "
        f"with respect to its pre-activation z, so multiply elementwise by tanh'(z). {_TANH_PRIME}.",
        _backprop(delta_below=_below(lambda a: 1.0)),
    ),
    _Mistake(
        "tanh applied twice",
        "a is already tanh(z), the output of the layer below, so tanh'(z) = 1 - a**2. 1 - np.tanh(a)**2 (or "
        "1/np.cosh(a)**2) is tanh' at a: one tanh too many.",
        _backprop(delta_below=_below(lambda a: 1 - np.tanh(a) ** 2)),
    ),
    _Mistake(
        "tanh' written as 1 - a",
        f"Square a: {_TANH_PRIME}.",
        _backprop(delta_below=_below(lambda a: 1 - a)),
    ),
    _Mistake(
        "the sigmoid's derivative instead of tanh's",
        f"a*(1 - a) is the sigmoid's derivative, written with its output. This layer is tanh: {_TANH_PRIME}.",
        _backprop(delta_below=_below(lambda a: a * (1 - a))),
    ),
)


# The cosine decay of the learning rate ----------------------------------------------------------------------


def _cosine_schedule_reference(steps, final):
    return (cosine_decay(steps, final=final),)


def _decay(final, fraction, *, unit=np.pi):
    """(S2) written out, ``final + (1 - final) * (1 + cos(unit * fraction)) / 2``, at the given fractions."""
    return final + (1 - final) * (1 + np.cos(unit * fraction)) / 2


def _k(steps):
    return np.arange(steps)


_S2 = "final + (1 - final)*(1 + cos(pi*k/steps))/2"

_COSINE_SCHEDULE_MISTAKES = (
    _Mistake(
        "final reached at the last step",
        f"You divided k by steps - 1 (as `np.linspace(0, np.pi, steps)` does), so the last step has a "
        f"learning rate of final, 0 if final = 0: a step that does not move. Divide by steps: {_S2} heads "
        "for final at step steps, one after the last (k runs from 0 to steps - 1).",
        lambda steps, final: (_decay(final, _k(steps) / (steps - 1)),),
    ),
    _Mistake(
        "(1 + cos)/2 missing",
        f"final + (1 - final)*cos(pi*k/steps) falls below final, and below 0, in the second half. Shift and "
        f"halve the cosine, so that it falls from 1 to 0: {_S2}.",
        lambda steps, final: (final + (1 - final) * np.cos(np.pi * _k(steps) / steps),),
    ),
    _Mistake(
        "final ignored",
        f"(1 + cos(pi*k/steps))/2 falls to 0 whatever final is. The multiplier heads for final: {_S2}.",
        lambda steps, final: (_decay(0.0, _k(steps) / steps),),
    ),
    _Mistake(
        "(1 - final) factor missing",
        f"final + (1 + cos(pi*k/steps))/2 starts at 1 + final. Scale the cosine part by 1 - final, so that "
        f"the first multiplier is 1: {_S2}.",
        lambda steps, final: (final + _decay(0.0, _k(steps) / steps),),
    ),
    _Mistake(
        "k counted from 1",
        f"The first step, k = 0, uses the full learning rate: cos(0) = 1. Count k from 0 to steps - 1: "
        f"{_S2}.",
        lambda steps, final: (_decay(final, (_k(steps) + 1) / steps),),
    ),
    _Mistake(
        "one multiplier too many",
        "You returned steps + 1 multipliers, for k from 0 to steps. Return one per step, k from 0 to "
        "steps - 1: the one at k = steps would be final itself.",
        lambda steps, final: (_decay(final, np.arange(steps + 1) / steps),),
    ),
    _Mistake(
        "angle in degrees",
        f"np.cos and math.cos take radians: the angle runs from 0 to pi, not to 180: {_S2}.",
        lambda steps, final: (_decay(final, 180 * _k(steps) / steps, unit=1.0),),
    ),
    _Mistake(
        "rising instead of falling",
        f"final + (1 - final)*(1 - cos(pi*k/steps))/2 climbs from final to 1. The decay falls: {_S2}.",
        lambda steps, final: (final + (1 - final) * (1 - np.cos(np.pi * _k(steps) / steps)) / 2,),
    ),
)
