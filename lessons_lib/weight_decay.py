"""Weight decay two ways: decoupled from the gradient (:class:`AdamW`), or as an L2 penalty in the loss.

Weight decay pulls every coordinate of ``x`` toward 0 a little at each step. Gradient descent can do it by
adding ``l2/2 |x|^2`` to the loss (:func:`with_l2`): the gradient gains ``l2 * x`` and each step removes
``lr * l2 * x``. Adam can do the same, but then it divides that ``l2 * x`` by ``sqrt(v_hat)`` like the rest of
the gradient, so each coordinate is decayed by a different fraction; :class:`AdamW` applies the decay to
``x`` itself, outside Adam's rescaling (equation W1 of :mod:`lessons_lib.rules`). "Adam + L2" is written
``Adam(...)`` run on ``with_l2(problem, l2)``; "AdamW" is ``AdamW(..., weight_decay=...)`` run on ``problem``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from ._validate import check_nonnegative
from .optimizers import Adam, AdamState, ParamRange
from .problems import Problem
from .rules import adamw_update

__all__ = ["AdamW", "with_l2"]


@dataclass(frozen=True)
class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay, which shrinks ``x`` toward 0 by one fraction every step.

    ::

        x = x - lr * weight_decay * x                (W1)   decoupled weight decay, first
        m = beta1 * m + (1 - beta1) * g              (D1)   g: the gradient at x before (W1)
        v = beta2 * v + (1 - beta2) * g**2           (D2)
        m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)     (D3), t counted from 1
        x = x - lr * m_hat / (sqrt(v_hat) + eps)     (D4)

    ``m``, ``v``, ``t`` are Adam's (:class:`~lessons_lib.optimizers.AdamState`). Where the gradient is 0,
    Adam's step is 0 and the point only decays: ``x_t = x_0 (1 - lr * weight_decay)**t``. Weight decay is a
    regulariser: it keeps coordinates small unless the loss holds them away from 0.

    It is *decoupled* because the decay never enters the gradient, so Adam does not rescale it: every
    coordinate loses the same fraction ``lr * weight_decay`` of itself per step. An L2 penalty
    ``weight_decay/2 |x|^2`` added to the loss (Adam on ``with_l2(problem, weight_decay)``) adds
    ``weight_decay * x`` to ``g`` instead, and Adam divides it by ``sqrt(v_hat)``: coordinates with large
    gradients are barely regularised, those with small gradients very strongly. For gradient descent the two
    are the same, ``x - lr * (g + weight_decay * x)``; for Adam they are not.

    Parameters
    ----------
    lr, beta1, beta2, eps
        As for :class:`~lessons_lib.Adam`.
    weight_decay : float >= 0, with lr * weight_decay < 1
        Each step removes the fraction ``lr * weight_decay`` of ``x``. At ``lr * weight_decay >= 1`` a step
        would take ``x`` to 0 or past it, flipping its sign. ``weight_decay = 0`` is Adam.

    Conventions
    -----------
    PyTorch ``torch.optim.AdamW(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)``: the same rule in
    the same order (``param.mul_(1 - lr * weight_decay)``, then Adam's step). Its
    ``torch.optim.Adam(weight_decay=wd)`` is the L2 form instead: Adam on ``with_l2(problem, wd)``. Keras 3
    ``keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``
    also removes ``lr * weight_decay * x`` before the step (as every Keras 3 optimizer given a
    ``weight_decay`` does, ``Adam`` too), then takes Keras's Adam step, with its "epsilon hat" (see
    :class:`~lessons_lib.Adam`). optax ``optax.adamw(learning_rate, b1=0.9, b2=0.999, eps=1e-8,
    weight_decay=1e-4)`` adds ``weight_decay * x`` to Adam's direction and then multiplies by the learning
    rate: the same point, with a default decay 100 times smaller than PyTorch's. All three multiply the decay
    by the learning rate, schedule included. The paper (Loshchilov and Hutter, Algorithm 2) writes
    ``x = x - eta_t * (alpha * m_hat / (sqrt(v_hat) + eps) + lambda * x)``: its decay is multiplied by the
    schedule multiplier ``eta_t`` but not by the base learning rate ``alpha``, so its ``lambda`` is
    ``lr * weight_decay`` here, with ``lr`` the base learning rate (before any schedule).

    References
    ----------
    I. Loshchilov, F. Hutter, "Decoupled weight decay regularization", ICLR 2019.
    D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.

    Examples
    --------
    >>> opt = AdamW(lr=0.1, weight_decay=0.5)
    >>> x, state = opt.step([2.0, -4.0], [0.0, 0.0], opt.init([2.0, -4.0]))
    >>> x  # no gradient, so no Adam step: only the decay, 5% of x
    array([ 1.9, -3.8])
    """

    weight_decay: float = 0.01
    sweepable: ClassVar[tuple[str, ...]] = (*Adam.sweepable, "weight_decay")
    # Up to 0.5: with Adam's largest lr (1), every pair of slider values keeps lr * weight_decay < 1.
    ranges: ClassVar[dict[str, ParamRange]] = {
        **Adam.ranges,
        "weight_decay": ParamRange(0.0, 0.5, step=0.01),
    }

    def _validate(self):
        super()._validate()  # lr, beta1, beta2, eps, with AdamW named in the messages
        weight_decay = check_nonnegative(
            "AdamW",
            "weight_decay",
            self.weight_decay,
            "Each step removes lr * weight_decay of x; a negative weight_decay would push x away from 0.",
        )
        if self.lr * weight_decay >= 1:
            raise ValueError(
                f"AdamW: lr * weight_decay must be < 1, got {self.lr!r} * {weight_decay!r} = "
                f"{self.lr * weight_decay:.4g}. Each step multiplies x by 1 - lr * weight_decay, which at 1 "
                "sets x to 0 and beyond 1 flips its sign: the decay would overshoot 0 instead of shrinking x."
            )
        object.__setattr__(self, "weight_decay", weight_decay)

    def update(self, x, g, state):
        t = state.t + 1
        x, m, v = adamw_update(
            x,
            g,
            state.m,
            state.v,
            t,
            lr=self.lr,
            beta1=self.beta1,
            beta2=self.beta2,
            eps=self.eps,
            weight_decay=self.weight_decay,
        )
        return x, AdamState(m, v, t)


def with_l2(problem: Problem, l2: float) -> Problem:
    """The problem with an L2 penalty added to its loss: ``f(x) + l2/2 |x|^2``.

    Its gradient is ``grad(x) + l2 * x``, its Hessian ``hessian(x) + l2 * I`` and, for a stochastic problem,
    its noisy gradient ``sample_grad(x, rng) + l2 * x`` (the same draw plus the penalty's exact gradient). The
    penalty moves the minimiser toward 0, so ``minimizer`` and ``f_min`` are kept only where they stay: at the
    origin (every quadratic of the course), where ``mu`` and ``L`` become ``mu + l2`` and ``L + l2``;
    elsewhere the four are None, as are the other minima. ``info`` is kept, with ``info["H"]`` (a quadratic's
    Hessian) raised by ``l2 * I`` and ``info["added_l2"]`` the total ``l2`` added by ``with_l2``.

    Adam on ``with_l2(problem, wd)`` is "Adam + L2", the rule :class:`AdamW` decouples.

    Examples
    --------
    >>> from lessons_lib import ravine
    >>> p = with_l2(ravine(10), 0.5)
    >>> p.name, p.mu, p.L, p.grad(np.array([2.0, 1.0])).tolist()
    ('ravine(κ=10) + L2(0.5)', 1.5, 10.5, [3.0, 10.5])
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"with_l2: problem must be a lessons_lib Problem, got {type(problem).__name__}.")
    l2 = check_nonnegative(
        "with_l2",
        "l2",
        l2,
        "It weighs the penalty l2/2 |x|^2; a negative one would reward large x, and the loss could fall "
        "without end.",
    )
    f, grad, hessian, sample_grad = problem.f, problem.grad, problem.hessian, problem.sample_grad

    def f_l2(x):
        x = np.asarray(x, dtype=float)
        return f(x) + 0.5 * l2 * np.sum(x * x, axis=-1)

    def grad_l2(x):
        x = np.asarray(x, dtype=float)
        return grad(x) + l2 * x

    def hessian_l2(x):
        return hessian(x) + l2 * np.eye(problem.dim)

    def sample_grad_l2(x, rng):
        x = np.asarray(x, dtype=float)
        return sample_grad(x, rng) + l2 * x

    # The origin stays the minimiser: f(0) = f_min and the penalty is 0 there and > 0 elsewhere.
    stays = l2 == 0 or (problem.minimizer is not None and not np.any(problem.minimizer))
    info = {**problem.info, "added_l2": problem.info.get("added_l2", 0.0) + l2}
    if "H" in info:
        info["H"] = info["H"] + l2 * np.eye(problem.dim)
        info["H"].setflags(write=False)
    return replace(
        problem,
        name=f"{problem.name} + L2({l2:g})",
        f=f_l2,
        grad=grad_l2,
        hessian=None if hessian is None else hessian_l2,
        sample_grad=None if sample_grad is None else sample_grad_l2,
        minimizer=problem.minimizer if stays else None,
        f_min=problem.f_min if stays else None,
        mu=problem.mu + l2 if stays and problem.L is not None else None,
        L=problem.L + l2 if stays and problem.L is not None else None,
        local_minima=problem.local_minima if l2 == 0 else (),
        info=info,
    )
