"""The exercises: each one's names, reference, cases, mistakes and hints."""

from __future__ import annotations

from ._cases import (
    _adam_cases,
    _adamw_cases,
    _adaptive_cases,
    _centered_rmsprop_cases,
    _cosine_schedule_cases,
    _effective_lr_cases,
    _ewa_cases,
    _gd_cases,
    _layer_backward_cases,
    _momentum_cases,
    _nesterov_cases,
    _rmsprop_eps_inside_cases,
    _steps_to_tolerance_cases,
)
from ._exercise import _Exercise, _Hint
from ._mistakes import (
    _EWA_BIAS_CORRECTED_MISTAKES,
    _EWA_MISTAKES,
    _GD_MISTAKES,
    _MOMENTUM_MISTAKES,
    _NESTEROV_MISTAKES,
    _ewa_bias_corrected_reference,
    _ewa_reference,
    _gd_reference,
    _momentum_reference,
    _nesterov_reference,
)
from ._mistakes_adaptive import (
    _ADAGRAD_MISTAKES,
    _ADAM_MISTAKES,
    _ADAMW_MISTAKES,
    _CENTERED_RMSPROP_MISTAKES,
    _EFFECTIVE_LR_MISTAKES,
    _RMSPROP_EPS_INSIDE_MISTAKES,
    _RMSPROP_MISTAKES,
    _adagrad_reference,
    _adam_reference,
    _adamw_reference,
    _centered_rmsprop_reference,
    _effective_lr_reference,
    _rmsprop_eps_inside_reference,
    _rmsprop_reference,
)
from ._mistakes_measures import _STEPS_TO_TOLERANCE_MISTAKES, _steps_to_tolerance_reference
from ._mistakes_network import (
    _COSINE_SCHEDULE_MISTAKES,
    _LAYER_BACKWARD_MISTAKES,
    _cosine_schedule_reference,
    _layer_backward_reference,
)


def _numpy_for_floats_and_arrays(name):
    return (
        f"{name} can be a Python float or a NumPy array of any shape here. Write the rule with NumPy "
        "operations (np.sqrt rather than math.sqrt), which work on both, or loop over "
        f"np.ndindex(np.shape({name}))."
    )


# numpy's UFuncTypeError, a TypeError: "Cannot cast ufunc 'subtract' output from dtype('float64') to ..."
_INTEGER_IN_PLACE = _Hint(
    TypeError,
    "Cannot cast ufunc",
    "an in-place operation (+=, -=, *=, /=) on an integer array (a copy of an integer input, np.zeros_like "
    "of one, or an array made with dtype=int) cannot store fractions. Write the update out "
    "(a = a - ..., which makes a new float array), or make the array with dtype=float.",
)


def _common_hints(name):
    """The hints of every exercise whose first parameter, ``name``, is a float or an array of any shape."""
    advice = _numpy_for_floats_and_arrays(name)
    return (
        _INTEGER_IN_PLACE,
        *(
            _Hint(TypeError, text, advice)
            for text in (
                "converted to Python scalars",
                "must be real number",
                "has no len()",
                "not subscriptable",
                "not iterable",
            )
        ),
    )


_COMMON_HINTS = _common_hints("x")
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
    library="ewa",
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
    library="ewa(values, beta, bias_correction=True)",
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
    library="gd_update",
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
    library="momentum_update",
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
    library="adagrad_update",
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
    library="rmsprop_update",
    cases=_adaptive_cases(404, betas=(0.9, 0.999, 0.99, 0.9, 0.8)),
    mistakes=_RMSPROP_MISTAKES,
    in_place_fix={
        "x": "x = x - lr*g/(np.sqrt(s) + eps), not x -= ...",
        "s": "s = beta*s + (1 - beta)*g**2, not s *= beta or s += ...",
    },
    hints=(_DIVISION_BY_ZERO, *_COMMON_HINTS),
)

_RMSPROP_STEP_EPS_INSIDE = _Exercise(
    name="rmsprop_step_eps_inside",
    params=("x", "g", "s", "lr", "beta", "eps"),
    outputs=("x", "s"),
    reference=_rmsprop_eps_inside_reference,
    library="rmsprop_variant_update(x, g, s, None, None, ..., eps_in_sqrt=True)",
    cases=_rmsprop_eps_inside_cases(),
    mistakes=_RMSPROP_EPS_INSIDE_MISTAKES,
    in_place_fix={
        "x": "x = x - lr*g/np.sqrt(s + eps), not x -= ...",
        "s": "s = beta*s + (1 - beta)*g**2, not s *= beta or s += ...",
    },
    hints=(
        _Hint(
            ZeroDivisionError,
            "",
            "Is eps missing from the denominator? Divide by sqrt(s + eps), with the new s.",
        ),
        *_COMMON_HINTS,
    ),
)

_ADAM_IN_PLACE_FIX = {
    "x": "x = x - lr*m_hat/(np.sqrt(v_hat) + eps), not x -= ...",
    "m": "m = beta1*m + (1 - beta1)*g, not m *= beta1 or m += ...",
    "v": "v = beta2*v + (1 - beta2)*g**2, not v *= beta2 or v += ...",
}
_ADAM_HINTS = (
    _Hint(
        ZeroDivisionError,
        "",
        "Is the bias correction off by one? t is already this step's number (the first call has t = 1), "
        "so divide by 1 - beta1**t, not 1 - beta1**(t - 1).",
    ),
    *_COMMON_HINTS,
)

_ADAM_STEP = _Exercise(
    name="adam_step",
    params=("x", "g", "m", "v", "t", "lr", "beta1", "beta2", "eps"),
    outputs=("x", "m", "v"),
    reference=_adam_reference,
    library="adam_update",
    cases=_adam_cases(),
    mistakes=_ADAM_MISTAKES,
    in_place_fix=_ADAM_IN_PLACE_FIX,
    hints=_ADAM_HINTS,
    counts=("t",),
)

_ADAMW_STEP = _Exercise(
    name="adamw_step",
    params=("x", "g", "m", "v", "t", "lr", "beta1", "beta2", "eps", "weight_decay"),
    outputs=("x", "m", "v"),
    reference=_adamw_reference,
    library="adamw_update",
    cases=_adamw_cases(),
    mistakes=_ADAMW_MISTAKES,
    in_place_fix={
        **_ADAM_IN_PLACE_FIX,
        "x": "x = x - lr*weight_decay*x, then x = x - lr*m_hat/(np.sqrt(v_hat) + eps); not x -= ... or "
        "x *= 1 - lr*weight_decay",
    },
    hints=_ADAM_HINTS,
    counts=("t",),
)

_NESTEROV_STEP = _Exercise(
    name="nesterov_step",
    params=("x", "g", "v", "lr", "beta"),
    outputs=("x", "v"),
    reference=_nesterov_reference,
    library="momentum_update(..., averaged=False, nesterov=True)",
    cases=_nesterov_cases(),
    mistakes=_NESTEROV_MISTAKES,
    in_place_fix={
        "x": "x = x - lr*(g + beta*v), not x -= ...",
        "v": "v = beta*v + g, not v *= beta or v += g",
    },
    hints=_COMMON_HINTS,
)

_CENTERED_RMSPROP_STEP = _Exercise(
    name="centered_rmsprop_step",
    params=("x", "g", "s", "m", "lr", "beta", "eps"),
    outputs=("x", "s", "m"),
    reference=_centered_rmsprop_reference,
    library="rmsprop_variant_update(x, g, s, m, None, ...)",
    cases=_centered_rmsprop_cases(),
    mistakes=_CENTERED_RMSPROP_MISTAKES,
    in_place_fix={
        "x": "x = x - lr*g/(np.sqrt(s - m**2) + eps), not x -= ...",
        "s": "s = beta*s + (1 - beta)*g**2, not s *= beta or s += ...",
        "m": "m = beta*m + (1 - beta)*g, not m *= beta or m += ...",
    },
    hints=(
        _Hint(
            ZeroDivisionError,
            "",
            "Is eps missing from the denominator? Divide by sqrt(s - m**2) + eps, with the new s and m.",
        ),
        _Hint(
            ValueError,
            "math domain error",
            "math.sqrt of a negative number: s - m**2, a variance, is never negative, so look at how s and "
            "m are computed (and that m is squared).",
        ),
        *_COMMON_HINTS,
    ),
)

_EFFECTIVE_LR = _Exercise(
    name="effective_lr",
    params=("s", "lr", "eps"),
    outputs=("effective_lr",),
    reference=_effective_lr_reference,
    library="Adagrad(lr=lr, eps=eps).effective_lr",
    cases=_effective_lr_cases(),
    mistakes=_EFFECTIVE_LR_MISTAKES,
    in_place_fix={"s": "compute a new array, lr/(np.sqrt(s) + eps), not s **= 0.5 or s += eps"},
    hints=_common_hints("s"),
)

_GAPS_ADVICE = "gaps can be a Python list: convert it first, gaps = np.asarray(gaps, dtype=float)."

_STEPS_TO_TOLERANCE = _Exercise(
    name="steps_to_tolerance",
    params=("gaps", "tol"),
    outputs=("step",),
    reference=_steps_to_tolerance_reference,
    library="measures.first_staying(gaps <= tol)",
    cases=_steps_to_tolerance_cases(),
    mistakes=_STEPS_TO_TOLERANCE_MISTAKES,
    in_place_fix={"gaps": "work on a copy, gaps = np.array(gaps, dtype=float), not on gaps itself"},
    hints=(
        _Hint(
            IndexError,
            "",
            "Does a loop run off the ends of gaps? Its steps are 0 to len(gaps) - 1. If every gap is "
            "within tol the answer is 0; if the run never stays within tol there is no step to find: -1.",
        ),
        _Hint(
            ValueError,
            "truth value of an array",
            "gaps <= tol is an array of True and False, one per step, and `if` needs a single one: test "
            "gaps[j] <= tol, or np.all(gaps[k:] <= tol) for a stretch of the run.",
        ),
        _Hint(TypeError, "'list'", _GAPS_ADVICE),
        _Hint(TypeError, "sequence", _GAPS_ADVICE),
    ),
    integer_result=True,
)

_SHAPES = "a is n × fan_in, W fan_in × fan_out, delta n × fan_out"
_LAYER_SHAPES = (
    f"Check the shapes: {_SHAPES}. dW = a.T @ delta is fan_in × fan_out, like W; db = delta.sum(axis=0) has "
    "fan_out entries, like b; delta_below = (delta @ W.T) * (1 - a**2) is n × fan_in, like a."
)

_LAYER_BACKWARD = _Exercise(
    name="layer_backward",
    params=("a", "W", "delta"),
    outputs=("dW", "db", "delta_below"),
    reference=_layer_backward_reference,
    library='data.layer_backward(a, W, delta, "tanh")',
    cases=_layer_backward_cases(),
    mistakes=_LAYER_BACKWARD_MISTAKES,
    in_place_fix={
        "a": "compute 1 - a**2 as a new array, not a **= 2 or a *= a",
        "W": "read W.T (a view: nothing to change), not W *= ... or W[...] = ...",
        "delta": "delta_below = (delta @ W.T) * (1 - a**2), a new array; not delta *= ...",
    },
    hints=(
        _INTEGER_IN_PLACE,
        *(
            _Hint(ValueError, text, _LAYER_SHAPES)
            for text in ("mismatch in its core dimension", "not aligned", "could not be broadcast")
        ),
    ),
    shape_advice={
        "dW": f"dW has W's shape, fan_in × fan_out ({_SHAPES}): dW = a.T @ delta.",
        "db": "db has b's shape, one entry per unit of the layer (fan_out): db = delta.sum(axis=0).",
        "delta_below": "delta_below has a's shape, n × fan_in: (delta @ W.T) * (1 - a**2).",
    },
)

_COSINE_SCHEDULE = _Exercise(
    name="cosine_schedule",
    params=("steps", "final"),
    outputs=("multipliers",),
    reference=_cosine_schedule_reference,
    library="cosine_decay(steps, final=final)",
    cases=_cosine_schedule_cases(),
    mistakes=_COSINE_SCHEDULE_MISTAKES,
    in_place_fix={},
    hints=(
        _Hint(
            ZeroDivisionError,
            "",
            "Is the angle pi*k/(steps - 1)? With one step that divides by 0. Divide by steps: the decay "
            "heads for final at step steps, one after the last, so that the last step still moves.",
        ),
        *(
            _Hint(
                TypeError,
                text,
                "k is an array here: use np.cos (math.cos takes one number), or loop over range(steps).",
            )
            for text in ("converted to Python scalars", "must be real number")
        ),
    ),
    counts=("steps",),
    float_array=(
        "In this case {source} is a Python int, and np.full(steps, {source}) is then an integer array too. "
        "Make a float array instead: np.zeros(steps), or np.full(steps, {source}, dtype=float)."
    ),
)

_EXERCISES = (
    _EWA,
    _EWA_BIAS_CORRECTED,
    _GD_STEP,
    _MOMENTUM_STEP,
    _NESTEROV_STEP,
    _ADAGRAD_STEP,
    _RMSPROP_STEP,
    _CENTERED_RMSPROP_STEP,
    _EFFECTIVE_LR,
    _ADAM_STEP,
    _STEPS_TO_TOLERANCE,
    _RMSPROP_STEP_EPS_INSIDE,
    _LAYER_BACKWARD,
    _COSINE_SCHEDULE,
    _ADAMW_STEP,
)
