"""The references (the library's rules, called as the learner's function is) and the catalogues of
mistakes."""

from __future__ import annotations

import numpy as np

from ..averages import bias_correction, ewa, ewa_update
from ..rules import adagrad_update, adam_update, gd_update, momentum_update, rmsprop_update
from ._exercise import _Mistake

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
