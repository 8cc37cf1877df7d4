"""The references and the catalogues of mistakes of the adaptive rules, which divide by a root of an average
(or sum) of squared gradients: Adagrad, RMSProp (eps outside the root, as PyTorch writes it, and inside, as
Keras and optax do), centered RMSProp, the effective learning rate, Adam and AdamW."""

from __future__ import annotations

import numpy as np

from ..averages import bias_correction, ewa_update
from ..optimizers import Adagrad, AdagradState
from ..rules import (
    adagrad_update,
    adam_update,
    adamw_update,
    rmsprop_update,
    rmsprop_variant_update,
)
from ._exercise import _Mistake

# A mistake is the rule with one mistake in it. Where the library can express it (the right rule with a wrong
# argument) the mistake calls the library; otherwise it is written out, its wrong line marked.

_DENOMINATORS = {
    "sqrt(s) + eps": lambda s, eps: np.sqrt(s) + eps,  # the right one: (A2), (R2), (D4)
    "sqrt(s + eps)": lambda s, eps: np.sqrt(s + eps),  # the right one with eps inside the root (Keras, optax)
    "sqrt(s)": lambda s, eps: np.sqrt(s),
    "s + eps": lambda s, eps: s + eps,
}


def _adaptive(x, g, s, lr, eps, *, denominator="sqrt(s) + eps", s_in_step=None, sign=1.0):
    """``(x, s)`` after a step whose accumulator came out as ``s``: the building block of the mistakes below.

    ``s_in_step`` is the accumulator the step divides by, if not ``s``; ``sign = -1`` steps uphill.
    """
    s_in_step = s if s_in_step is None else s_in_step
    return x - sign * lr * g / _DENOMINATORS[denominator](s_in_step, eps), s


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

# RMSProp with eps inside the root (Keras, optax) ------------------------------------------------------------


def _rmsprop_eps_inside_reference(x, g, s, lr, beta, eps):
    x, s, _, _ = rmsprop_variant_update(
        x, g, s, None, None, lr=lr, beta=beta, eps=eps, momentum=0.0, eps_in_sqrt=True
    )
    return x, s


def _eps_inside(s_rule=ewa_update, *, g2=np.square, denominator="sqrt(s + eps)", old_s=False, sign=1.0):
    """RMSProp with eps inside the root, with one thing changed: the accumulator ``s_rule(s, g2(g), beta)``,
    the denominator, the ``s`` the step divides by (the old one if ``old_s``), or the direction."""

    def rule(x, g, s, lr, beta, eps):
        new_s = s_rule(s, g2(g), beta)
        return _adaptive(
            x, g, new_s, lr, eps, denominator=denominator, s_in_step=s if old_s else None, sign=sign
        )

    return rule


_AVERAGE = "s = beta*s + (1 - beta)*g**2"

_RMSPROP_EPS_INSIDE_MISTAKES = (
    _Mistake(
        "eps outside the square root",
        "You divided by sqrt(s) + eps, PyTorch's convention (and lesson 04's). Keras and optax put eps "
        "inside the root: divide by sqrt(s + eps).",
        _eps_inside(denominator="sqrt(s) + eps"),
    ),
    _Mistake(
        "eps missing",
        "You divided by sqrt(s). Add eps inside the root, sqrt(s + eps), so that a coordinate whose "
        "gradients are all 0 does not divide 0 by 0.",
        _eps_inside(denominator="sqrt(s)"),
    ),
    _Mistake(
        "square root missing",
        "You divided by s + eps. Divide by its root, sqrt(s + eps): the root of a mean square has the units "
        "of a gradient.",
        _eps_inside(denominator="s + eps"),
    ),
    _Mistake(  # wrong (R1)
        "missing (1 - beta) factor",
        f"s = beta*s + g**2 grows to about g**2/(1 - beta). Average instead: {_AVERAGE}.",
        _eps_inside(lambda s, g2, beta: beta * s + g2),
    ),
    _Mistake(
        "beta and 1 - beta swapped",
        "You kept (1 - beta) of the old mean square and beta of the new g**2. "
        f"Keep most of the old: {_AVERAGE}.",
        _eps_inside(lambda s, g2, beta: ewa_update(s, g2, 1 - beta)),
    ),
    _Mistake(
        "Adagrad's sum instead of an average",
        f"s = s + g**2 never forgets. RMSProp averages: {_AVERAGE}.",
        _eps_inside(lambda s, g2, beta: s + g2),
    ),
    _Mistake(
        "x moved with the old s",
        f"Update s first ({_AVERAGE}), then divide by sqrt(s + eps) with the new s.",
        _eps_inside(old_s=True),
    ),
    _Mistake("gradient not squared", f"s averages |g|, not g**2: {_AVERAGE}.", _eps_inside(g2=np.abs)),
    _Mistake(
        "gradient not squared",
        f"s averages g, not g**2 (and a negative s has no square root): {_AVERAGE}.",
        _eps_inside(g2=lambda g: g),
    ),
    _Mistake(
        "s not accumulated",
        f"s = (1 - beta)*g**2 forgets the earlier gradients. Keep the average: {_AVERAGE}.",
        _eps_inside(lambda s, g2, beta: ewa_update(0 * s, g2, beta)),
    ),
    _Mistake(
        "s not accumulated",
        f"s = g**2 forgets the earlier gradients. Keep the average: {_AVERAGE}.",
        _eps_inside(lambda s, g2, beta: g2),
    ),
    _Mistake(
        "wrong sign",
        "x + lr*g/sqrt(s + eps) climbs uphill. Step against the gradient: x - lr*g/sqrt(s + eps).",
        _eps_inside(sign=-1.0),
    ),
)

# Centered RMSProp -------------------------------------------------------------------------------------------


def _centered_rmsprop_reference(x, g, s, m, lr, beta, eps):
    x, s, m, _ = rmsprop_variant_update(x, g, s, m, None, lr=lr, beta=beta, eps=eps, momentum=0.0)
    return x, s, m


_CENTERED_ROOTS = {
    "sqrt(s - m**2) + eps": lambda s, m, eps: np.sqrt(s - m**2) + eps,  # the right one
    "sqrt(s) + eps": lambda s, m, eps: np.sqrt(s) + eps,
    "sqrt(s) - m + eps": lambda s, m, eps: np.sqrt(s) - m + eps,
    "sqrt(s - m) + eps": lambda s, m, eps: np.sqrt(s - m) + eps,
    "sqrt(s - m**2 + eps)": lambda s, m, eps: np.sqrt(s - m**2 + eps),
    "sqrt(s - m**2)": lambda s, m, eps: np.sqrt(s - m**2),
}


def _centered(*, root="sqrt(s - m**2) + eps", m_rule=ewa_update, divide_by="new s, new m", sign=1.0):
    """A centered RMSProp step with one thing changed: the denominator (``root``), the rule for ``m``, which
    ``s`` and ``m`` the step divides by (``divide_by``), or the direction (``sign = -1`` climbs)."""

    def rule(x, g, s, m, lr, beta, eps):
        s_new, m_new = ewa_update(s, g**2, beta), m_rule(m, g, beta)
        in_step = {"new s, new m": (s_new, m_new), "new s, old m": (s_new, m), "old s, old m": (s, m)}
        return x - sign * lr * g / _CENTERED_ROOTS[root](*in_step[divide_by], eps), s_new, m_new

    return rule


_CENTERED_RMSPROP_MISTAKES = (
    _Mistake(
        "not centered",
        "You divided by sqrt(s) + eps, plain RMSProp's root mean square. Centered RMSProp divides by the "
        "root of the variance: sqrt(s - m**2) + eps.",
        _centered(root="sqrt(s) + eps"),
    ),
    _Mistake(
        "m subtracted outside the root",
        "You divided by sqrt(s) - m + eps. Subtract m**2 inside the root: sqrt(s - m**2) + eps.",
        _centered(root="sqrt(s) - m + eps"),
    ),
    _Mistake(
        "m not squared",
        "You divided by sqrt(s - m) + eps. The variance is s - m**2, the mean square minus the squared "
        "mean: sqrt(s - m**2) + eps.",
        _centered(root="sqrt(s - m) + eps"),
    ),
    _Mistake(
        "m not averaged",
        "m = g keeps only this gradient. m is the average of the gradients, as s is of their squares: "
        "m = beta*m + (1 - beta)*g.",
        _centered(m_rule=lambda m, g, beta: g),
    ),
    _Mistake(
        "eps inside the square root",
        "You divided by sqrt(s - m**2 + eps); here (as in PyTorch) eps goes outside the root: "
        "sqrt(s - m**2) + eps.",
        _centered(root="sqrt(s - m**2 + eps)"),
    ),
    _Mistake(
        "eps missing",
        "You divided by sqrt(s - m**2). Add eps outside the root, sqrt(s - m**2) + eps, so that a "
        "coordinate whose gradients are all 0 does not divide 0 by 0.",
        _centered(root="sqrt(s - m**2)"),
    ),
    _Mistake(
        "x moved with the old m",
        "Update m before the step, as s: m = beta*m + (1 - beta)*g, then divide by sqrt(s - m**2) + eps "
        "with the new s and m.",
        _centered(divide_by="new s, old m"),
    ),
    _Mistake(
        "x moved with the old s and m",
        "Update s and m first, then divide by sqrt(s - m**2) + eps with the new ones.",
        _centered(divide_by="old s, old m"),
    ),
    _Mistake(
        "wrong sign",
        "x + lr*g/(sqrt(s - m**2) + eps) climbs uphill. Step against the gradient: "
        "x - lr*g/(sqrt(s - m**2) + eps).",
        _centered(sign=-1.0),
    ),
)

# The effective learning rate of Adagrad and RMSProp ---------------------------------------------------------


def _effective_lr_reference(s, lr, eps):
    return (Adagrad(lr=lr, eps=eps).effective_lr(s, AdagradState(s), check=False),)


_ONE_RATE = (
    "Each coordinate has its own rate: lr/(np.sqrt(s) + eps), elementwise, an array of the shape of s."
)
_MULTIPLIED = "The rate falls as s grows: divide lr by the root, lr/(np.sqrt(s) + eps)."

_EFFECTIVE_LR_MISTAKES = (
    _Mistake(
        "eps inside the square root",
        "You computed lr/sqrt(s + eps); here (as in PyTorch) eps goes outside the root: lr/(sqrt(s) + eps).",
        lambda s, lr, eps: (lr / np.sqrt(s + eps),),
    ),
    _Mistake(
        "eps missing",
        "You computed lr/sqrt(s). Add eps outside the root, lr/(sqrt(s) + eps): where s is 0 the rate "
        "is then lr/eps, not infinite.",
        lambda s, lr, eps: (lr / np.sqrt(s),),
    ),
    _Mistake(
        "square root missing",
        "You computed lr/(s + eps). Divide by the root, lr/(sqrt(s) + eps): the root of a sum or mean of "
        "squares has the units of a gradient.",
        lambda s, lr, eps: (lr / (s + eps),),
    ),
    _Mistake(
        "one number for all coordinates",
        f"You computed lr/(sqrt(sum(s)) + eps). {_ONE_RATE}",
        lambda s, lr, eps: (lr / (np.sqrt(np.sum(s)) + eps),),
    ),
    _Mistake(
        "one number for all coordinates",
        f"You computed lr/(sqrt(mean(s)) + eps). {_ONE_RATE}",
        lambda s, lr, eps: (lr / (np.sqrt(np.mean(s)) + eps),),
    ),
    _Mistake(
        "one number for all coordinates",
        f"You computed lr/(norm(s) + eps). {_ONE_RATE}",
        lambda s, lr, eps: (lr / (np.linalg.norm(s) + eps),),
    ),
    _Mistake(
        "multiplied by the root",
        f"You computed lr*sqrt(s). {_MULTIPLIED}",
        lambda s, lr, eps: (lr * np.sqrt(s),),
    ),
    _Mistake(
        "multiplied by the root",
        f"You computed lr*(sqrt(s) + eps). {_MULTIPLIED}",
        lambda s, lr, eps: (lr * (np.sqrt(s) + eps),),
    ),
    _Mistake(
        "lr missing",
        "You computed 1/(sqrt(s) + eps). Multiply by the learning rate: lr/(sqrt(s) + eps).",
        lambda s, lr, eps: (1 / (np.sqrt(s) + eps),),
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


# AdamW ------------------------------------------------------------------------------------------------------


def _adamw_reference(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adamw_update(x, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)


def _decayed(adam_rule, decay=lambda x, lr, weight_decay: x - lr * weight_decay * x):
    """AdamW as ``decay`` of the point (W1), then ``adam_rule`` (called as Adam's step is) from there."""

    def rule(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        return adam_rule(decay(x, lr, weight_decay), g, m, v, t, lr, beta1, beta2, eps)

    return rule


def _adam_plus_l2(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return _adam_reference(x, g + weight_decay * x, m, v, t, lr, beta1, beta2, eps)  # wrong: L2 in g


def _decay_after_the_step(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    x, m, v = _adam_reference(x, g, m, v, t, lr, beta1, beta2, eps)
    return x - lr * weight_decay * x, m, v  # wrong: the new x decayed


def _decay_in_the_adaptive_step(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m, v = ewa_update(m, g, beta1), ewa_update(v, g**2, beta2)
    m_hat, v_hat = bias_correction(m, beta1, t), bias_correction(v, beta2, t)
    return x - lr * (m_hat + weight_decay * x) / (np.sqrt(v_hat) + eps), m, v  # wrong: decay divided too


_DECAY_FIRST = "x = x - lr*weight_decay*x, then Adam's step from there"

_ADAMW_MISTAKES = (
    _Mistake(
        "Adam + L2, not AdamW",
        "You added weight_decay*x to the gradient: that is Adam with an L2 penalty (torch.optim.Adam with "
        "weight_decay), not AdamW. The penalty then goes through m and v and is divided by sqrt(v_hat), so "
        "the weights with large gradients are hardly decayed. AdamW decouples the decay from the gradient: "
        "first x = x - lr*weight_decay*x, then Adam's step with g as it is.",
        _adam_plus_l2,
    ),
    _Mistake(
        "decay not scaled by lr",
        f"You multiplied x by 1 - weight_decay. PyTorch, Keras and optax (and this course) scale the decay "
        f"by the learning rate: {_DECAY_FIRST}. (The paper scales it by the schedule's multiplier instead, "
        "1 without a schedule.)",
        _decayed(_adam_reference, decay=lambda x, lr, weight_decay: x - weight_decay * x),
    ),
    _Mistake(
        "decay applied after Adam's step",
        "You decayed the new x. AdamW decays the point the gradient was taken at, before the step: "
        f"{_DECAY_FIRST} (the same as subtracting lr*weight_decay times the old x along with Adam's step).",
        _decay_after_the_step,
    ),
    _Mistake(
        "decay divided by sqrt(v_hat)",
        "You put weight_decay*x inside Adam's step, lr*(m_hat + weight_decay*x)/(sqrt(v_hat) + eps), which "
        "rescales the decay per coordinate as Adam + L2 does. AdamW keeps it outside: "
        "x = x - lr*weight_decay*x - lr*m_hat/(sqrt(v_hat) + eps).",
        _decay_in_the_adaptive_step,
    ),
    _Mistake(
        "decay with the wrong sign",
        "x + lr*weight_decay*x grows the weights. The decay shrinks them: x = x - lr*weight_decay*x.",
        _decayed(_adam_reference, decay=lambda x, lr, weight_decay: x + lr * weight_decay * x),
    ),
    _Mistake(
        "weight decay missing",
        f"That is Adam's step alone. AdamW decays the point first: {_DECAY_FIRST}.",
        lambda x, g, m, v, t, lr, beta1, beta2, eps, weight_decay: _adam_reference(
            x, g, m, v, t, lr, beta1, beta2, eps
        ),
    ),
    # Adam's own mistakes, in the step after the decay
    *(_Mistake(mistake.title, mistake.advice, _decayed(mistake.rule)) for mistake in _ADAM_MISTAKES),
)
