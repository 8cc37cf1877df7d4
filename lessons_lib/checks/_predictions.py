"""Checked predictions: a question asked before the experiment that answers it, and its judge.

A prediction is data (:class:`_Prediction`): the question as the lesson asks it, the right answer (a number
with a stated relative tolerance, or one of a few choices), the wrong answers a learner is likely to give
with the misconception behind each, and one line on why the right answer is right. :func:`_judge` reads
whatever the learner wrote (an int, a float, a NumPy number, a string such as ``"0.038"`` or ``"x1"``) and
returns the message; it never raises. :data:`_PREDICTIONS` holds the lessons' questions, by key; the tests
recompute every answer with the library (``tests/test_predictions.py``).
"""

from __future__ import annotations

import math
import numbers
import unicodedata
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class _Prediction:
    """One question: a number judged within ``rtol`` of ``answer``, or a choice among ``choices``."""

    key: str  # what check_prediction is called with
    question: str  # as the lesson asks it
    answer: float | str
    why: str  # said after a right answer
    rtol: float = 0.1  # numbers: the relative tolerance, stated in every message
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # choice -> other spellings
    # Numbers: (low, high, misconception) for wrong answers in [low, high]; choices: (choice, misconception).
    misconceptions: tuple = ()
    hint: str = ""  # said after a wrong answer that no misconception explains

    @property
    def numeric(self) -> bool:
        return not self.choices


_NOT_ANSWERED = (
    "not answered yet: write your prediction in place of ... in the cell above, run it, then this one."
)


def _judge(p: _Prediction, given) -> tuple[bool, str]:
    """Whether ``given`` answers ``p``, and what to tell the learner."""
    if given is Ellipsis or given is None or (isinstance(given, str) and given.strip() in ("", "...")):
        return False, f"{p.key}: {_NOT_ANSWERED}"
    if p.numeric:
        value = _as_number(given)
        if value is None:
            return False, (
                f"{p.key}: the answer is a number, such as 0.5 or 1e-3; got {_shown(given)}. Write it in "
                "place of ... and run both cells again."
            )
        stated = f"(judged right within {p.rtol:.0%} of the answer)"
        if abs(value - float(p.answer)) <= p.rtol * abs(float(p.answer)):  # within rtol of the answer
            return True, f"{p.key}: right, {_number(float(p.answer))} {stated}. {p.why}"
        for low, high, misconception in p.misconceptions:
            if low <= value <= high:
                return False, f"{p.key}: not {_number(value)}. {misconception} {stated}"
        return False, f"{p.key}: not {_number(value)}. {p.hint} {stated}".replace(".  (", ". (")
    choice = _as_choice(p, given)
    options = ", ".join(f'"{c}"' for c in p.choices)
    if choice is None:
        return False, f"{p.key}: the answer is one of {options}; got {_shown(given)}."
    if choice == p.answer:
        return True, f"{p.key}: right, {choice}. {p.why}"
    misconception = dict(p.misconceptions).get(choice, p.hint)
    return False, f"{p.key}: not {choice}. {misconception}"


def _as_number(given) -> float | None:
    if isinstance(given, (bool, np.bool_)):
        return None
    if isinstance(given, str):
        text = given.strip().replace("−", "-").replace("×10^", "e").replace("x10^", "e").replace("_", "")
        try:
            value = float(text)
        except ValueError:
            return None
    elif isinstance(given, numbers.Real):
        value = float(given)
    elif isinstance(given, np.ndarray) and given.size == 1 and np.issubdtype(given.dtype, np.number):
        value = float(given.reshape(()))
    else:
        return None
    return value if math.isfinite(value) else None


def _normalised(text: str) -> str:
    """Lower case, subscript digits as digits, no spaces, dashes or quotes: 'x₁', 'X1', ' x_1 ' -> 'x1'; a
    root sign stays ('√κ' is not 'κ')."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum() or ch in "+.√")


def _as_choice(p: _Prediction, given) -> str | None:
    if not isinstance(given, str):
        given = str(given) if isinstance(given, (numbers.Integral, np.integer)) else None
        if given is None:
            return None
    wanted = _normalised(given)
    for choice, spellings in p.choices.items():
        if wanted in {_normalised(s) for s in (choice, *spellings)}:
            return choice
    return None


def _number(value: float) -> str:
    return f"{value:.4g}"


def _shown(given) -> str:
    text = repr(given)
    return text if len(text) <= 40 else text[:37] + "..."


_PREDICTIONS = {
    p.key: p
    for p in (
        _Prediction(
            key="ewa-first-average",
            question="The price series starts at 100.34. With beta = 0.98 and v_0 = 0, what is the first "
            "average v_1, without bias correction?",
            answer=2.0068,
            rtol=0.02,
            why="v_1 = beta*v_0 + (1 - beta)*x_1 = 0.02 * 100.34: the start value v_0 = 0 keeps the weight "
            "beta = 0.98, so the average starts fifty times too low. That pull towards 0 is the bias.",
            misconceptions=(
                (
                    90.0,
                    110.0,
                    "The average does not start at the first value: v_0 = 0 keeps the weight beta "
                    "in v_1 = beta*v_0 + (1 - beta)*x_1, and x_1 gets only 1 - beta = 0.02.",
                ),
                (1.5, 1.9, "Close, but v_1 = (1 - beta)*x_1 exactly: 0.02 * 100.34."),
            ),
            hint="Write out v_1 = beta*v_0 + (1 - beta)*x_1 with v_0 = 0.",
        ),
        _Prediction(
            key="heavy-ball-edge",
            question="Heavy ball (summed form, beta = 0.9) on the ravine with curvatures 1 and 100: the "
            "largest learning rate at which it still converges?",
            answer=0.038,
            rtol=0.05,
            why="On the steep direction (curvature L = 100) the run converges while lr*L < 2 + 2*beta = 3.8: "
            "momentum moves gradient descent's edge 2/L up by the factor 1 + beta, it does not lower it.",
            misconceptions=(
                (
                    0.0185,
                    0.0215,
                    "2/L = 0.02 is gradient descent's edge. Momentum's velocity swings back "
                    "across the valley, which lets a larger step converge: the edge is (2 + 2*beta)/L.",
                ),
                (
                    0.0015,
                    0.0025,
                    "The velocity does grow to g/(1 - beta) under a steady gradient, but stability is "
                    "decided across the valley, where the gradient flips sign every step and the velocity "
                    "does not build up: the edge is (2 + 2*beta)/L, not 2*(1 - beta)/L.",
                ),
                (
                    0.36,
                    0.40,
                    "0.38 is the averaged form's edge, 2*(1 + beta)/((1 - beta)*L). The summed form's "
                    "velocity is 1/(1 - beta) = 10 times larger at the same lr: its edge is 10 times lower.",
                ),
                (
                    1.9,
                    2.1,
                    "2 = 2/1 is the edge of the flat direction, curvature 1. The steep direction, curvature "
                    "100, diverges first: the edge is (2 + 2*beta)/100.",
                ),
                (
                    3.7,
                    3.9,
                    "3.8 = 2 + 2*beta is the edge of lr*L, the step times the curvature. Divide by the "
                    "steepest curvature, L = 100.",
                ),
            ),
            hint="Stability is decided on the steepest direction, curvature L = 100; momentum changes "
            "gradient descent's condition lr*L < 2 into lr*L < 2 + 2*beta.",
        ),
        _Prediction(
            key="larger-effective-lr",
            question="Adagrad (lr = 1) on the ravine with kappa = 100, from (-8, 2): which coordinate gets "
            "the larger effective learning rate at the first step, x1 (along the flat valley) or x2 (across "
            "the steep walls)?",
            answer="x1",
            choices={"x1": ("x₁", "1", "x_1", "flat", "along"), "x2": ("x₂", "2", "x_2", "steep", "across")},
            why="Adagrad divides lr by the root of each coordinate's summed squared gradients: x1's gradient "
            "is 8, x2's is 200, so x1 gets lr/8 and x2 lr/200, 25 times less.",
            misconceptions=(
                (
                    "x2",
                    "The steep coordinate has the larger gradient (200 against 8), and Adagrad divides by "
                    "the root of the summed squares: the larger the gradients, the smaller the effective "
                    "learning rate, lr/200 for x2 against lr/8 for x1.",
                ),
            ),
        ),
        _Prediction(
            key="rotation-blind",
            question="Turn the ravine by 45 degrees, and the start with it: which optimizer's path is its "
            "path on the ravine, turned the same way? Gradient descent, Adagrad or RMSProp?",
            answer="gradient descent",
            choices={
                "gradient descent": ("gd", "sgd", "GradientDescent", "gradient-descent"),
                "Adagrad": ("adagrad",),
                "RMSProp": ("rmsprop",),
            },
            why="Gradient descent's step -lr*g turns with the landscape: its path is the same path, turned. "
            "Adagrad and RMSProp scale each coordinate, and turning the ravine mixes its steep and flat "
            "directions into both coordinates.",
            misconceptions=(
                (
                    "Adagrad",
                    "Adagrad gives each coordinate its own learning rate; turned by 45 degrees, the "
                    "steep and flat directions are no longer the coordinates, and no per-coordinate scale "
                    "fits both (claim C7).",
                ),
                (
                    "RMSProp",
                    "RMSProp scales each coordinate, like Adagrad: turned by 45 degrees, each "
                    "coordinate mixes the steep and flat directions, so its scaling no longer matches the "
                    "landscape (claim C7).",
                ),
            ),
        ),
        _Prediction(
            key="rmsprop-first-step",
            question="RMSProp with beta = 0.9 from s = 0, and Adam with beta1 = 0, beta2 = 0.9: how long is "
            "RMSProp's first step, per coordinate, in units of lr (epsilon negligible)?",
            answer=1 / np.sqrt(0.1),
            rtol=0.03,
            why="Its mean square after one step is (1 - beta)*g**2 = 0.1*g**2, so the step is "
            "lr*|g|/sqrt(0.1*g**2) = 3.16*lr. Adam corrects the mean square to g**2: its first step is lr.",
            misconceptions=(
                (
                    0.97,
                    1.03,
                    "That is Adam's first step, whose mean square is bias-corrected. RMSProp's is not: "
                    "after one step s = (1 - beta)*g**2 = 0.1*g**2.",
                ),
                (9.5, 10.5, "The step divides by the root of s = 0.1*g**2, not by s: 1/sqrt(0.1) = 3.16."),
                (
                    0.09,
                    0.11,
                    "s = 0.1*g**2 is in the denominator: a small s makes the step longer, 1/sqrt(0.1) "
                    "= 3.16 times lr.",
                ),
            ),
            hint="After one step s = (1 - beta)*g**2; the step is lr*g/sqrt(s).",
        ),
        _Prediction(
            key="only-m-corrected",
            question="Adam (beta1 = 0.9, beta2 = 0.999) with only m bias-corrected, v not: under a steady "
            "gradient, how long is the first step, in units of lr?",
            answer=1 / np.sqrt(0.001),
            rtol=0.05,
            why="m_hat_1 = g, but v_1 = 0.001*g**2 uncorrected, so the step is lr*|g|/sqrt(0.001*g**2) "
            "= 31.6*lr.",
            misconceptions=(
                (
                    0.97,
                    1.03,
                    "That is Adam with both corrections. Without v's, the denominator "
                    "sqrt(v_1) = sqrt(0.001)*|g| is 31.6 times too small.",
                ),
                (
                    3.0,
                    3.3,
                    "3.16 is the step with neither corrected, where m_1 = 0.1*g; correcting m "
                    "multiplies it by 10.",
                ),
                (0.09, 0.11, "0.1 is the step with only v corrected: m_1 = 0.1*g left in the numerator."),
            ),
            hint="m_hat_1 = g; v_1 = (1 - beta2)*g**2 = 0.001*g**2 is left as it is.",
        ),
        _Prediction(
            key="c2-fixed-beta",
            question="Heavy ball with beta fixed at 0.9, each at its best lr, on quadratics of condition "
            "number 10, 100 and 1000: do its steps to a fixed accuracy grow like sqrt(kappa), like kappa, or "
            "not at all?",
            answer="not at all",
            choices={
                "not at all": ("constant", "none", "no", "flat", "neither", "not", "0"),
                "sqrt(kappa)": ("√κ", "√kappa", "sqrt", "square root", "root kappa", "sqrt(κ)"),
                "kappa": ("κ", "linear", "like kappa", "k"),
            },
            why="With beta = 0.9 every direction of these quadratics is under-damped, and an under-damped "
            "direction shrinks by sqrt(beta) = 0.95 per step whatever its curvature: 84 steps at kappa = 10 "
            "and at 100. Only past kappa of about a thousand does the flat direction become over-damped, "
            "and slower.",
            misconceptions=(
                (
                    "sqrt(kappa)",
                    "That is Polyak's heavy ball, whose beta grows with kappa (0.27 at kappa = 10, 0.88 at "
                    "1000). With beta fixed at 0.9 every direction swings and shrinks by sqrt(beta) per "
                    "step, whatever its curvature: the steps do not grow, up to kappa of about a thousand.",
                ),
                (
                    "kappa",
                    "That is gradient descent. Momentum with beta = 0.9 makes every direction swing and "
                    "shrink by sqrt(beta) = 0.95 per step whatever its curvature: the steps do not grow "
                    "with kappa, up to kappa of about a thousand.",
                ),
            ),
        ),
        _Prediction(
            key="c7-which-blind",
            question="The ravine with kappa = 1000, along the axes and turned by 45 degrees: of momentum, "
            "RMSProp and Adam, which one does not care about the rotation?",
            answer="momentum",
            choices={"momentum": ("heavy ball", "Momentum"), "RMSProp": ("rmsprop",), "Adam": ("adam",)},
            why="Momentum's update treats the gradient as one vector, v = beta*v + (1 - beta)*g: turn "
            "the problem and its whole run turns with it. RMSProp and Adam divide each coordinate by its "
            "own average, which a rotation mixes.",
            misconceptions=(
                (
                    "RMSProp",
                    "RMSProp divides each coordinate by the root of its own mean square. Turned by 45 "
                    "degrees, each coordinate mixes the steep and the flat direction and the scaling no "
                    "longer fits: the fastest along the axes gets a fifth of its runs home turned.",
                ),
                (
                    "Adam",
                    "Adam divides its step per coordinate, like RMSProp: turned by 45 degrees that "
                    "scaling no longer fits, and only a fifth of its runs get home.",
                ),
            ),
        ),
        _Prediction(
            key="c3-rmsprop-escape",
            question="RMSProp's steps are about lr long whatever the gradient. Will it leave the shallow "
            "basin of the double well more often than momentum, or less?",
            answer="less",
            choices={"less": ("less often", "fewer", "rarer", "less than momentum"), "more": ("more often",)},
            why="Momentum's velocity grows along a long slope and carries a run over the barrier (about a "
            "fifth of the shallow-side runs escape with beta = 0.99 or 0.9); RMSProp's steps stay about lr "
            "long, too short to cross it at lr up to 0.3, and at lr = 1 it hovers at random.",
            misconceptions=(
                (
                    "more",
                    "RMSProp's steps are about lr everywhere: nothing builds up along the slope. Momentum's "
                    "velocity grows as it rolls down, and that speed lifts it over the barrier; RMSProp's "
                    "short steps stay in the basin (at lr up to 0.3), or hover at random (lr = 1).",
                ),
            ),
        ),
        _Prediction(
            key="eps-inside-floor",
            question="RMSProp (beta = 0.9) as optax writes it, epsilon = 1e-8 inside the root: after 100 "
            "steps of the constant gradient g = 1e-4, how long is the step, in units of lr?",
            answer=1 / np.sqrt(2),
            rtol=0.05,
            why="s has become g**2 = 1e-8, so the step is lr*g/sqrt(g**2 + eps) = lr/sqrt(2): inside the "
            "root, eps is compared with g**2, so a gradient is small below sqrt(eps) = 1e-4, not below eps.",
            misconceptions=(
                (
                    0.97,
                    1.03,
                    "That is epsilon outside the root (PyTorch's), where g = 1e-4 is far above eps = 1e-8. "
                    "Inside the root eps is added to g**2 = 1e-8, which it equals: the step is 1/sqrt(2).",
                ),
                (
                    0.45,
                    0.55,
                    "0.5 is the step where |g| = eps with eps outside the root. Inside, eps = 1e-8 meets "
                    "g**2 = 1e-8: the step is g/sqrt(2*g**2) = 0.707.",
                ),
            ),
            hint="After 100 steps s = g**2; the step is lr*g/sqrt(s + eps).",
        ),
        _Prediction(
            key="decay-recovery",
            question="RMSProp's gradients drop 100-fold after 300 steps. How many times longer does it take "
            "with beta = 0.99 than with beta = 0.9 to get its step back to half its size?",
            answer=808 / 76,
            rtol=0.2,
            why="The decay is the memory: the mean square forgets the large gradients over about "
            "1/(1 - beta) steps, 10 or 100, so beta = 0.99 takes about ten times as long (808 steps "
            "against 76).",
            misconceptions=(
                (
                    0.8,
                    1.25,
                    "beta is the mean square's memory: about 1/(1 - beta) gradients, 10 against 100. The "
                    "denominator remembers the large gradients ten times longer with beta = 0.99.",
                ),
                (
                    2.8,
                    3.6,
                    "sqrt(10) = 3.16 is how much the first steps differ, lr/sqrt(1 - beta). The recovery is "
                    "set by the memory, 1/(1 - beta): ten times longer.",
                ),
                (
                    80.0,
                    125.0,
                    "The memory is 1/(1 - beta) gradients, 10 and 100: ten times longer, not a hundred.",
                ),
            ),
            hint="The mean square forgets over about 1/(1 - beta) steps.",
        ),
        _Prediction(
            key="c6-deep-layers",
            question="A sigmoid network with four hidden layers, whose input layer's gradient is under a "
            "hundredth of its output layer's: over three epochs of RMSProp, how far does the input layer "
            "move compared with the output layer?",
            answer="about as far",
            choices={
                "about as far": ("as far", "the same", "about the same", "similar", "within a factor of ten"),
                "much less": ("less", "much less far", "a hundredth"),
                "much further": ("further", "more", "much more"),
            },
            why="RMSProp divides each weight's step by the root of its own mean square, so a weight with "
            "gradients a hundred times smaller takes steps of about the same size: the input layer moved "
            "2.3 times as far as the output layer, where SGD's moved less than a tenth as far.",
            misconceptions=(
                (
                    "much less",
                    "That is SGD, whose step is lr times the gradient: its input layer moved less than a "
                    "tenth as far. RMSProp divides each coordinate by its own gradients' size, which the "
                    "depth shrank along with the gradient: the step comes out about the same in every layer.",
                ),
                (
                    "much further",
                    "RMSProp's steps are about lr long whatever the gradient's size, in every layer alike: "
                    "small gradients get no larger steps than large ones, so the layers move about as far.",
                ),
            ),
        ),
        _Prediction(
            key="warmup-which-gains",
            question="RMSProp (beta = 0.99) and Adam with beta1 = 0, beta2 = 0.99 are the same rule, except "
            "that Adam corrects its average's bias. At lr = 0.03 on the network, which of the two gains the "
            "most from one epoch of warm-up?",
            answer="RMSProp",
            choices={"RMSProp": ("rmsprop",), "Adam": ("adam",)},
            why="RMSProp's mean square starts at 0 and is not corrected, so its first steps are up to "
            "1/sqrt(1 - 0.99) = 10 times too long; a warm-up shortens them, as Adam's bias correction "
            "already does. With the warm-up RMSProp ended at a median loss of 0.156; without it, its run was "
            "chaotic and ended far behind (a median above 0.3).",
            misconceptions=(
                (
                    "Adam",
                    "Adam already divides its mean square by 1 - beta2**t, so its first steps are not too "
                    "long: the warm-up has little left to do. RMSProp's mean square starts at 0 uncorrected, "
                    "its first steps are up to 10 times too long, and the warm-up does the correction's job.",
                ),
            ),
        ),
    )
}


def check_prediction(key: str, answer) -> bool:
    """Judge a prediction written before the experiment that answers it; print why, and return whether it is
    right.

    ``key`` names the lesson's question (the cell above the check asks it); ``answer`` is what the learner
    wrote in place of ``...``: a number (an int, a float, a NumPy number or a string such as ``"3.8e-2"``),
    judged right within the stated relative tolerance, or one of the named choices (any case, ``"x₁"`` or
    ``"x1"``). A wrong answer gets the misconception behind it where one is known. Never raises for an
    answer; an unknown ``key`` is the lesson's bug and raises ``ValueError``.

    Examples
    --------
    >>> check_prediction("larger-effective-lr", "x₂")
    larger-effective-lr: not x2. The steep coordinate has the larger gradient (200 against 8), and
    Adagrad divides by the root of the summed squares: the larger the gradients, the smaller the
    effective learning rate, lr/200 for x2 against lr/8 for x1.
    False
    >>> check_prediction("heavy-ball-edge", 0.038)  # doctest: +ELLIPSIS
    heavy-ball-edge: right, 0.038 (judged right within 5% of the answer). On the steep direction
    ...
    True
    """
    from ._mechanism import _say

    prediction = _PREDICTIONS.get(key)
    if prediction is None:
        raise ValueError(
            f"check_prediction: no question {key!r}; the questions are {', '.join(_PREDICTIONS)}."
        )
    right, message = _judge(prediction, answer)
    _say(message)
    return right
