"""The optimizers: each update rule of :mod:`lessons_lib.rules` as an object that checks its input.

``GradientDescent``, ``Momentum``, ``Adagrad``, ``RMSProp`` and ``Adam`` are frozen dataclasses that validate
their hyperparameters once, build the state with ``init(x)``, take a step with ``step(x, g, state)`` and know
their slider ranges and, where theory gives one, the largest stable learning rate on a quadratic. ``AdamW``,
Adam with decoupled weight decay, is in :mod:`lessons_lib.weight_decay`, beside the L2 penalty it is compared
with.

``step`` is pure: it never mutates ``x``, ``g`` or ``state``; it returns a new point and a new state. It works
on arrays of any shape, so a batch of many starting points is just a bigger array. The state is a
``NamedTuple`` whose fields are the symbols of the maths (``v``, ``s``, ``m``, ``t``).

``step`` checks everything it is given, every time. ``update(x, g, state)`` is the same step without the
checks: the batched entry point for runners that check a whole grid once (:func:`lessons_lib.run`,
:func:`lessons_lib.sweeps.sweep`), where a hyperparameter may also be an array that broadcasts against ``x``
(one value per setting of a grid, for those in ``sweepable``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, NamedTuple

import numpy as np

from ._validate import (
    SQUARE_LIMIT,
    as_real_array,
    check_bool,
    check_count,
    check_in_unit_interval,
    check_nonnegative,
    check_positive,
    check_same_shape,
)
from .averages import bias_correction
from .rules import (
    adagrad_update,
    adam_update,
    denominator,
    gd_update,
    momentum_update,
    rmsprop_update,
    rmsprop_variant_update,
)

__all__ = [
    "Adagrad",
    "AdagradState",
    "Adam",
    "AdamState",
    "GDState",
    "GradientDescent",
    "Momentum",
    "MomentumState",
    "Optimizer",
    "ParamRange",
    "RMSProp",
    "RMSPropState",
    "symbol",
]


# ----------------------------------------------------------------------------------------------------
# States: named tuples whose fields are the symbols of the maths.


class GDState(NamedTuple):
    """Gradient descent keeps no memory; ``t`` counts the steps taken."""

    t: int = 0


class MomentumState(NamedTuple):
    """``v``: the velocity (M1 or M1'); ``t``: steps taken."""

    v: np.ndarray
    t: int = 0


class AdagradState(NamedTuple):
    """``s``: the running sum of squared gradients (A1); ``t``: steps taken."""

    s: np.ndarray
    t: int = 0


class RMSPropState(NamedTuple):
    """``s``: EWA of ``g**2`` (R1); ``m``: EWA of ``g`` (centered only, else None);
    ``v``: velocity (momentum > 0 only, else None); ``t``: steps taken."""

    s: np.ndarray
    m: np.ndarray | None = None
    v: np.ndarray | None = None
    t: int = 0


class AdamState(NamedTuple):
    """``m``: EWA of ``g`` (D1); ``v``: EWA of ``g**2`` (D2); ``t``: steps taken."""

    m: np.ndarray
    v: np.ndarray
    t: int = 0


class ParamRange(NamedTuple):
    """Where a hyperparameter's slider goes: ``low`` to ``high``, on a log scale or in steps of ``step``."""

    low: float
    high: float
    log: bool = False
    step: float = 0.01


# ----------------------------------------------------------------------------------------------------
# The objects around the rules.


_EMPTY = np.zeros(0)
_EMPTY.setflags(write=False)


@dataclass(frozen=True)
class Optimizer:
    """Common behaviour: validation on construction, ``init``, ``step``, ``effective_lr``, slider ranges."""

    State: ClassVar[type]
    ranges: ClassVar[dict[str, ParamRange]] = {}
    #: State fields that hold sums or averages of ``g**2``: they overflow first when gradients are huge.
    squares: ClassVar[tuple[str, ...]] = ()
    #: For state fields that only some settings use: the setting that uses them (for error messages).
    variants: ClassVar[dict[str, str]] = {}
    #: Hyperparameters the update rule only does arithmetic with: one array of values runs a whole grid of
    #: them at once (:func:`lessons_lib.sweeps.sweep`). The others change the rule or the state's shape.
    sweepable: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self):
        self._validate()

    def _validate(self):
        raise TypeError(
            f"{type(self).__name__}: it is the common base of the optimizers and has no update rule; "
            "build one of GradientDescent, Momentum, Adagrad, RMSProp or Adam instead."
        )

    # The two calls every optimizer answers
    def init(self, x) -> Any:
        """The state before the first step, for a point of the shape of ``x``."""
        raise NotImplementedError

    def step(self, x, g, state):
        """One step from ``x`` with gradient ``g``. Returns ``(x_new, state_new)``; nothing is mutated.

        Everything is checked first: ``x`` and ``g`` real arrays of the same shape, ``state`` this optimizer's
        own state (of this variant, with arrays of the shape of ``x``). A gradient so large that its square
        overflows raises instead of silently taking a step of 0.
        """
        owner = f"{type(self).__name__}.step"
        x, g = as_real_array(owner, "x", x), as_real_array(owner, "g", g)
        check_same_shape(type(self).__name__, x, g)
        state = self.check_state(owner, state, x.shape)
        if self.squares and (np.abs(g) >= SQUARE_LIMIT).any():  # NaN compares False: batches may hold NaN
            raise ValueError(squares_overflow_message(owner, self, self.squares[0], g))
        with np.errstate(over="ignore"):
            x, state = self.update(x, g, state)
        self.check_squares(owner, g, state)
        return x, state

    def _shape_of(self, x) -> tuple[int, ...]:
        """The shape of a point given to ``init``, after checking that it is an array of real numbers."""
        return as_real_array(f"{type(self).__name__}.init", "x", x).shape

    def check_state(self, owner: str, state, shape: tuple[int, ...]):
        """``state`` if it is this optimizer's own, for points of ``shape``; else a clear error.

        Refused: another type (another optimizer's state, a plain tuple), a state of another variant (a
        centered RMSProp's state given to a plain one, or the reverse), a step count ``t`` that is not a whole
        number >= 0, and arrays of another shape, even where NumPy would broadcast them.
        """
        name = type(self).__name__
        if not isinstance(state, self.State):
            hint = (
                "a plain tuple is not enough: build it with init(x)"
                if type(state) is tuple
                else "each optimizer keeps its own memory, so use this optimizer's init(x)"
            )
            raise TypeError(
                f"{owner}: state must be the {self.State.__name__} returned by init() "
                f"or by the previous step, got {type(state).__name__}; {hint}."
            )
        check_count(owner, "state.t", state.t, 0, "It counts the steps taken so far, from 0.")
        template, changed = self.init(_EMPTY), {}
        for field_name, expected in template._asdict().items():
            if field_name == "t":
                continue
            value = getattr(state, field_name)
            variant = self.variants.get(field_name, "another setting")
            if expected is None and value is not None:
                raise ValueError(
                    f"{owner}: state.{field_name} must be None for {self.label()}, got an array. This "
                    f"state comes from {name} with {variant}; stepping with it would silently run that "
                    "rule. Start from this optimizer's init(x)."
                )
            if expected is not None:
                if value is None:
                    raise ValueError(
                        f"{owner}: state.{field_name} must be an array of the shape of x, got None. This "
                        f"state comes from {name} without {variant}, but {self.label()} needs it. Start "
                        "from this optimizer's init(x)."
                    )
                array = as_real_array(owner, f"state.{field_name}", value)
                if array.shape != shape:
                    raise ValueError(
                        f"{owner}: state.{field_name} must have the shape of x, {shape}, got shape "
                        f"{array.shape}. NumPy would broadcast them into a different, wrong array; start "
                        "from init(x) for this x."
                    )
                if array is not value:
                    changed[field_name] = array
        return state._replace(**changed) if changed else state

    def check_squares(self, owner: str, g, state) -> None:
        """Raise if a sum or average of squared gradients in ``state`` has overflowed to inf.

        Its step would then silently be 0 (``g / inf``). NaN is not checked: runners mark runs that have
        already diverged with NaN.
        """
        for name in self.squares:
            if np.isinf(getattr(state, name)).any():
                raise ValueError(squares_overflow_message(owner, self, name, g))

    def update(self, x, g, state):  # pragma: no cover
        """The step of :meth:`step` without its checks (see the module docstring); returns ``(x, state)``."""
        raise NotImplementedError

    # What the lessons look at
    def effective_lr(self, x, state, *, check: bool = True) -> np.ndarray:
        """The factor that multiplied each coordinate's (averaged) gradient in the step that gave ``state``.

        Constant ``lr`` for gradient descent and momentum; ``lr / (sqrt(s) + eps)`` for Adagrad and RMSProp;
        ``lr / (sqrt(v_hat) + eps)`` for Adam (the factor on ``m_hat``). ``check=False`` skips the checks of
        ``x`` and ``state``, as :meth:`update` does: for runners that checked a whole grid once.
        """
        if not check:
            return self._effective_lr(x, state)
        owner = f"{type(self).__name__}.effective_lr"
        x = as_real_array(owner, "x", x)
        return self._effective_lr(x, self.check_state(owner, state, x.shape))

    def _effective_lr(self, x, state) -> np.ndarray:
        return np.full(np.shape(x), self.lr, dtype=float)

    def max_stable_lr(self, curvature: float) -> float | None:
        """The largest stable ``lr`` on a quadratic whose largest curvature is ``L``; None if unbounded."""
        check_positive(f"{type(self).__name__}.max_stable_lr", "curvature", curvature, _CURVATURE_WHY)
        return None

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor arguments, as a dict (``type(opt)(**opt.hyperparameters())`` rebuilds it)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def replace(self, **changes):
        """A copy with some hyperparameters changed (and validated)."""
        known = self.hyperparameters()
        for name in changes:
            if name not in known:
                raise TypeError(
                    f"{type(self).__name__}.replace: the names must be hyperparameters of "
                    f"{type(self).__name__} ({', '.join(known)}), got {name!r}."
                )
        return type(self)(**{**known, **changes})

    def label(self) -> str:
        """A short legend label naming the hyperparameters that differ from the defaults, plus ``lr``."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "lr" or value != f.default:
                parts.append(f"{symbol(f.name)}={_fmt(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"


_SYMBOLS = {"beta": "β", "beta1": "β1", "beta2": "β2", "eps": "ε"}


def symbol(name: str) -> str:
    """How a hyperparameter is written in labels, legends and slider names: ``symbol("beta1")`` is ``"β1"``.

    >>> [symbol(n) for n in ("lr", "beta", "beta1", "eps")]
    ['lr', 'β', 'β1', 'ε']
    """
    return _SYMBOLS.get(name, name)


def _fmt(value):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    return repr(value)


_LR_WHY = "The learning rate scales every step; it must be a positive, finite number."
_CURVATURE_WHY = "It is the largest Hessian eigenvalue L of a convex quadratic."


def squares_overflow_message(owner: str, optimizer: Optimizer, name: str, g) -> str:
    """Why the sum or average of squared gradients ``state.<name>`` became inf (for ``step`` and runners)."""
    g = np.abs(np.asarray(g, dtype=float))
    g = g[~np.isnan(g)]
    largest = float(g.max()) if g.size else float("nan")
    who = type(optimizer).__name__
    if largest >= SQUARE_LIMIT:
        return (
            f"{owner}: g must be below {SQUARE_LIMIT:.3g} in size for {who}, got a gradient of size "
            f"{largest:.3g}. Its square overflows float64 (largest {np.finfo(float).max:.3g}), so "
            f"state.{name} becomes inf and the step would silently be 0; rescale the problem or start "
            "nearer its minimum."
        )
    return (
        f"{owner}: {who}'s state.{name} (its squared gradients) must stay finite, got inf: squares of "
        f"gradients up to {largest:.3g} add up beyond the largest float64 ({np.finfo(float).max:.3g}), so "
        "every later step would silently be 0; rescale the problem."
    )


@dataclass(frozen=True)
class GradientDescent(Optimizer):
    """Plain gradient descent: ``x = x - lr * g``  (G1).

    Parameters
    ----------
    lr : float > 0
        Learning rate. On a quadratic whose largest curvature is ``L`` it converges for ``lr < 2 / L``.

    Conventions
    -----------
    PyTorch ``torch.optim.SGD(lr=lr)``; Keras ``keras.optimizers.SGD(learning_rate=lr)``;
    optax ``optax.sgd(lr)``.

    Examples
    --------
    >>> opt = GradientDescent(lr=0.1)
    >>> x, state = opt.step([1.0, -2.0], [10.0, -20.0], opt.init([1.0, -2.0]))
    >>> x
    array([0., 0.])
    """

    lr: float
    State: ClassVar[type] = GDState
    sweepable: ClassVar[tuple[str, ...]] = ("lr",)
    ranges: ClassVar[dict[str, ParamRange]] = {"lr": ParamRange(1e-4, 2.0, log=True)}

    def _validate(self):
        object.__setattr__(self, "lr", check_positive("GradientDescent", "lr", self.lr, _LR_WHY))

    def init(self, x):
        self._shape_of(x)
        return GDState()

    def update(self, x, g, state):
        return gd_update(x, g, lr=self.lr), GDState(state.t + 1)

    def max_stable_lr(self, curvature):
        curvature = check_positive("GradientDescent.max_stable_lr", "curvature", curvature, _CURVATURE_WHY)
        return 2 / curvature


@dataclass(frozen=True)
class Momentum(Optimizer):
    """Gradient descent with momentum (Polyak's heavy ball), optionally Nesterov's look-ahead.

    Averaged form (the default, ``averaged=True``), lesson 02's EWA of gradients::

        v = beta * v + (1 - beta) * g      (M1)
        x = x - lr * v                     (M2)

    Summed form (``averaged=False``), the one PyTorch implements::

        v = beta * v + g                   (M1')
        x = x - lr * v                     (M2)

    With ``v_0 = 0`` the two are the same algorithm: the averaged velocity is always ``(1 - beta)`` times the
    summed one, so averaged with ``lr`` equals summed with ``lr * (1 - beta)`` — step by step, even when
    ``lr`` follows a schedule. They part ways when ``beta`` changes during a run. A schedule does separate
    both from the form with ``lr`` inside the velocity, ``v = beta * v + lr * g; x = x - v``
    (Sutskever et al., 2013).

    Parameters
    ----------
    lr : float > 0
        Learning rate.
    beta : float in [0, 1)
        Decay of the velocity. ``beta = 0`` is gradient descent; the velocity averages about ``1/(1-beta)``
        gradients.
    nesterov : bool
        Step along ``g + beta * v`` (summed) or ``(1 - beta) * g + beta * v`` (averaged) instead of ``v``:
        Nesterov's look-ahead as PyTorch's SGD writes it. Sutskever et al. (2013) take the gradient at the
        look-ahead point instead, with ``lr`` inside the velocity; the two are one algorithm whose stored
        point is the look-ahead point (``x = theta + beta * u``, ``v = -u / lr`` at a constant ``lr``).
    averaged : bool
        Which form; see above. The default is the averaged form because it is the one this course derives
        from lesson 01, and because with it ``lr`` means what it means for gradient descent: a steady gradient
        ``g`` gives steps of ``lr * g`` whatever ``beta`` is, so changing ``beta`` does not silently multiply
        the step size by ``1 / (1 - beta)``.

    Conventions
    -----------
    PyTorch ``torch.optim.SGD(lr=lr', momentum=beta, nesterov=nesterov)`` is the summed form with
    ``lr' = lr * (1 - beta)``; its ``dampening=beta`` is not the averaged form, because PyTorch skips
    dampening on the first step. Keras ``SGD(learning_rate, momentum, nesterov)`` stores ``-lr * v``
    instead of ``v`` (the same iterates with a constant ``lr``). optax
    ``optax.sgd(lr, momentum=beta, nesterov=...)`` is the summed form. Default ``beta`` is 0.9 here, and 0 (no
    momentum) in all three libraries.

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", 1964.
    Y. Nesterov, "A method of solving a convex programming problem with convergence rate O(1/k^2)", 1983.
    I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and momentum in deep
    learning", 2013.

    Examples
    --------
    >>> opt = Momentum(lr=0.1, beta=0.9)
    >>> x, state = opt.step([1.0], [2.0], opt.init([1.0]))
    >>> state.v, x
    (array([0.2]), array([0.98]))
    """

    lr: float
    beta: float = 0.9
    nesterov: bool = False
    averaged: bool = True
    State: ClassVar[type] = MomentumState
    sweepable: ClassVar[tuple[str, ...]] = ("lr", "beta")
    ranges: ClassVar[dict[str, ParamRange]] = {
        "lr": ParamRange(1e-4, 2.0, log=True),
        "beta": ParamRange(0.0, 0.99, step=0.01),
    }

    def _validate(self):
        object.__setattr__(self, "lr", check_positive("Momentum", "lr", self.lr, _LR_WHY))
        why = (
            "With beta = 1 the velocity never forgets old gradients."
            if _num(self.beta) >= 1
            else "A negative beta flips the velocity's sign every step."
        )
        object.__setattr__(self, "beta", check_in_unit_interval("Momentum", "beta", self.beta, why))
        object.__setattr__(self, "nesterov", check_bool("Momentum", "nesterov", self.nesterov))
        object.__setattr__(self, "averaged", check_bool("Momentum", "averaged", self.averaged))

    def init(self, x):
        return MomentumState(v=np.zeros(self._shape_of(x)))

    def update(self, x, g, state):
        x, v = momentum_update(
            x, g, state.v, lr=self.lr, beta=self.beta, averaged=self.averaged, nesterov=self.nesterov
        )
        return x, MomentumState(v, state.t + 1)

    def max_stable_lr(self, curvature):
        curvature = check_positive("Momentum.max_stable_lr", "curvature", curvature, _CURVATURE_WHY)
        # Summed heavy ball: lr*L < 2 + 2*beta; Nesterov: lr*L < (2 + 2*beta) / (1 + 2*beta).
        limit = (2 + 2 * self.beta) / (1 + 2 * self.beta) if self.nesterov else 2 + 2 * self.beta
        if self.averaged:
            limit /= 1 - self.beta
        return limit / curvature


@dataclass(frozen=True)
class Adagrad(Optimizer):
    """Adagrad: each coordinate's step is divided by the root of its sum of squared gradients.

    ::

        s = s + g**2                         (A1)
        x = x - lr * g / (sqrt(s) + eps)     (A2)

    The effective learning rate ``lr / (sqrt(s) + eps)`` never grows. The first step is about ``lr * sign(g)``
    whatever the gradient's scale.

    Parameters
    ----------
    lr : float > 0
    eps : float >= 0
        Added to the root, outside it, so a coordinate whose gradients are all zero does not divide by zero.
    initial_accumulator : float >= 0
        The value of ``s`` before the first step.
    eps_in_sqrt : bool
        Divide by ``sqrt(s + eps)`` instead, as Keras and optax do.

    Conventions
    -----------
    PyTorch ``torch.optim.Adagrad(lr, eps=1e-10, initial_accumulator_value=0)``: the same rule, eps outside
    the root. Keras ``Adagrad(learning_rate, initial_accumulator_value=0.1, epsilon=1e-7)`` and optax
    ``optax.adagrad(lr, initial_accumulator_value=0.1, eps=1e-7)`` start the accumulator at 0.1 and put eps
    inside the root (``sqrt(s + eps)``) — noticeably smaller first steps when gradients are small.

    References
    ----------
    J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online learning and stochastic
    optimization", JMLR 12, 2011.

    Examples
    --------
    >>> opt = Adagrad(lr=0.1)
    >>> x, state = opt.step([0.0, 0.0], [1e-3, 1e3], opt.init([0.0, 0.0]))
    >>> x.round(4)  # about lr * sign(g), whatever the scale
    array([-0.1, -0.1])
    """

    lr: float
    eps: float = 1e-8
    initial_accumulator: float = 0.0
    eps_in_sqrt: bool = False
    State: ClassVar[type] = AdagradState
    squares: ClassVar[tuple[str, ...]] = ("s",)
    sweepable: ClassVar[tuple[str, ...]] = ("lr", "eps")
    ranges: ClassVar[dict[str, ParamRange]] = {
        "lr": ParamRange(1e-3, 10.0, log=True),
        "eps": ParamRange(1e-10, 1.0, log=True),
    }

    def _validate(self):
        object.__setattr__(self, "lr", check_positive("Adagrad", "lr", self.lr, _LR_WHY))
        object.__setattr__(
            self, "eps", check_nonnegative("Adagrad", "eps", self.eps, "eps is added to a root of squares.")
        )
        object.__setattr__(self, "eps_in_sqrt", check_bool("Adagrad", "eps_in_sqrt", self.eps_in_sqrt))
        object.__setattr__(
            self,
            "initial_accumulator",
            check_nonnegative(
                "Adagrad",
                "initial_accumulator",
                self.initial_accumulator,
                "It is a starting sum of squares, and the root of a negative number is not a real number.",
            ),
        )

    def init(self, x):
        return AdagradState(s=np.full(self._shape_of(x), self.initial_accumulator, dtype=float))

    def update(self, x, g, state):
        if self.eps_in_sqrt:  # Keras and optax: eps inside the root
            s = state.s + g**2  # (A1)
            x = x - self.lr * g / denominator(s, self.eps, True)
        else:
            x, s = adagrad_update(x, g, state.s, lr=self.lr, eps=self.eps)
        return x, AdagradState(s, state.t + 1)

    def _effective_lr(self, x, state):
        return self.lr / denominator(state.s, self.eps, self.eps_in_sqrt) * np.ones(np.shape(x))


@dataclass(frozen=True)
class RMSProp(Optimizer):
    """RMSProp: each coordinate's step is divided by the root of an EWA of its squared gradients.

    ::

        s = beta * s + (1 - beta) * g**2     (R1)   lesson 01's EWA, of g**2
        x = x - lr * g / (sqrt(s) + eps)     (R2)

    ``sqrt(s)`` is the root-mean-square size of recent gradients, so each step is about ``lr`` in size,
    whatever the gradients' scale. Unlike Adagrad's sum, the EWA forgets, so the effective learning rate does
    not decay to zero.

    Parameters
    ----------
    lr : float > 0
    beta : float in [0, 1)
        Decay of the mean square; the average covers about ``1 / (1 - beta)`` steps.
    eps : float >= 0
        Added outside the root.
    centered : bool
        Divide by ``sqrt(s - m**2)`` where ``m`` is the EWA of ``g``: an estimate of the gradient's standard
        deviation rather than its RMS.
    momentum : float in [0, 1)
        Accumulate the scaled steps in a velocity ``v = momentum * v + g / (sqrt(s) + eps)``, ``x -= lr * v``.
    eps_in_sqrt : bool
        Divide by ``sqrt(s + eps)`` instead, as Keras and optax (by default) do.

    Conventions
    -----------
    PyTorch ``torch.optim.RMSprop(lr, alpha=beta, eps, centered, momentum)``: the same rule, eps outside the
    root, but default ``alpha = 0.99`` and ``eps = 1e-8``. Keras ``RMSprop(learning_rate, rho=0.9,
    momentum=0, epsilon=1e-7, centered)``: default 0.9, as in Hinton's lecture. optax
    ``optax.rmsprop(lr, decay=0.9, eps=1e-8, eps_in_sqrt=True, centered, momentum)``: eps inside the root by
    default. Keras and optax start ``s`` at 0 too (optax's ``initial_scale`` can change that).

    References
    ----------
    T. Tieleman, G. Hinton, "Lecture 6.5 — RMSProp: divide the gradient by a running average of its recent
    magnitude", COURSERA: Neural Networks for Machine Learning, lecture 6e, 2012.

    Examples
    --------
    >>> opt = RMSProp(lr=0.01, beta=0.9)
    >>> x, state = opt.step([0.0], [5.0], opt.init([0.0]))
    >>> state.s, x.round(6)
    (array([2.5]), array([-0.031623]))
    """

    lr: float
    beta: float = 0.9
    eps: float = 1e-8
    centered: bool = False
    momentum: float = 0.0
    eps_in_sqrt: bool = False
    State: ClassVar[type] = RMSPropState
    squares: ClassVar[tuple[str, ...]] = ("s",)
    variants: ClassVar[dict[str, str]] = {"m": "centered=True", "v": "momentum > 0"}
    sweepable: ClassVar[tuple[str, ...]] = ("lr", "beta", "eps")
    ranges: ClassVar[dict[str, ParamRange]] = {
        "lr": ParamRange(1e-4, 1.0, log=True),
        "beta": ParamRange(0.0, 0.999, step=0.001),
        "eps": ParamRange(1e-10, 1.0, log=True),
        "momentum": ParamRange(0.0, 0.99, step=0.01),
    }

    def _validate(self):
        object.__setattr__(self, "lr", check_positive("RMSProp", "lr", self.lr, _LR_WHY))
        why = (
            "With beta = 1 the mean square never forgets its start and stays 0."
            if _num(self.beta) >= 1
            else "A negative beta makes the mean square of a gradient negative."
        )
        object.__setattr__(self, "beta", check_in_unit_interval("RMSProp", "beta", self.beta, why))
        object.__setattr__(
            self, "eps", check_nonnegative("RMSProp", "eps", self.eps, "eps is added to a root of squares.")
        )
        object.__setattr__(self, "centered", check_bool("RMSProp", "centered", self.centered))
        object.__setattr__(self, "eps_in_sqrt", check_bool("RMSProp", "eps_in_sqrt", self.eps_in_sqrt))
        why = (
            "With momentum = 1 the velocity never forgets old steps."
            if _num(self.momentum) >= 1
            else "A negative momentum flips the velocity's sign every step."
        )
        object.__setattr__(
            self, "momentum", check_in_unit_interval("RMSProp", "momentum", self.momentum, why)
        )

    def init(self, x):
        zeros = np.zeros(self._shape_of(x))
        return RMSPropState(
            s=zeros,
            m=zeros.copy() if self.centered else None,
            v=zeros.copy() if self.momentum > 0 else None,
        )

    def update(self, x, g, state):
        if state.m is None and state.v is None and not self.eps_in_sqrt:
            x, s = rmsprop_update(x, g, state.s, lr=self.lr, beta=self.beta, eps=self.eps)
            return x, RMSPropState(s, None, None, state.t + 1)
        x, s, m, v = rmsprop_variant_update(
            x,
            g,
            state.s,
            state.m,
            state.v,
            lr=self.lr,
            beta=self.beta,
            eps=self.eps,
            momentum=self.momentum,
            eps_in_sqrt=self.eps_in_sqrt,
        )
        return x, RMSPropState(s, m, v, state.t + 1)

    def _effective_lr(self, x, state):
        ms = state.s if state.m is None else np.maximum(state.s - state.m**2, 0.0)
        return self.lr / denominator(ms, self.eps, self.eps_in_sqrt) * np.ones(np.shape(x))


@dataclass(frozen=True)
class Adam(Optimizer):
    """Adam: momentum's EWA of ``g`` over RMSProp's EWA of ``g**2``, both bias-corrected.

    ::

        m = beta1 * m + (1 - beta1) * g              (D1)
        v = beta2 * v + (1 - beta2) * g**2           (D2)
        m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)     (D3), t counted from 1
        x = x - lr * m_hat / (sqrt(v_hat) + eps)     (D4)

    With ``beta1 = 0`` it is RMSProp with a bias-corrected mean square. The first step is about
    ``lr * sign(g)``.

    Parameters
    ----------
    lr : float > 0
    beta1 : float in [0, 1)
        Decay of the first moment (the momentum average).
    beta2 : float in [0, 1)
        Decay of the second moment (the RMSProp average).
    eps : float >= 0
        Added outside the root of ``v_hat``.

    Conventions
    -----------
    PyTorch ``torch.optim.Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)``: the same rule. Keras
    ``Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7)`` folds the bias correction into the
    learning rate, which moves eps by a factor ``sqrt(1 - beta2**t)`` (the "epsilon hat" of the paper's
    section 2). optax ``optax.adam(lr, b1=0.9, b2=0.999, eps=1e-8, eps_root=0)``: the same rule.

    References
    ----------
    D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.

    Examples
    --------
    >>> opt = Adam(lr=0.1)
    >>> x, state = opt.step([1.0], [-300.0], opt.init([1.0]))
    >>> x.round(6), state.t
    (array([1.1]), 1)
    """

    lr: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    State: ClassVar[type] = AdamState
    squares: ClassVar[tuple[str, ...]] = ("v",)
    sweepable: ClassVar[tuple[str, ...]] = ("lr", "beta1", "beta2", "eps")
    ranges: ClassVar[dict[str, ParamRange]] = {
        "lr": ParamRange(1e-4, 1.0, log=True),
        "beta1": ParamRange(0.0, 0.99, step=0.01),
        "beta2": ParamRange(0.0, 0.999, step=0.001),
        "eps": ParamRange(1e-10, 1.0, log=True),
    }

    def _validate(self):
        owner = type(self).__name__  # Adam, or AdamW (lessons_lib.weight_decay), which adds to it
        object.__setattr__(self, "lr", check_positive(owner, "lr", self.lr, _LR_WHY))
        for name, what in (("beta1", "first moment (momentum)"), ("beta2", "second moment (mean square)")):
            value = getattr(self, name)
            why = (
                f"With {name} = 1 the {what} never forgets its start and the bias correction divides by 0."
                if _num(value) >= 1
                else f"A negative {name} flips the sign of the {what}'s memory every step."
            )
            object.__setattr__(self, name, check_in_unit_interval(owner, name, value, why))
        object.__setattr__(
            self, "eps", check_nonnegative(owner, "eps", self.eps, "eps is added to a root of squares.")
        )

    def init(self, x):
        zeros = np.zeros(self._shape_of(x))
        return AdamState(m=zeros, v=zeros.copy())

    def update(self, x, g, state):
        t = state.t + 1
        x, m, v = adam_update(
            x, g, state.m, state.v, t, lr=self.lr, beta1=self.beta1, beta2=self.beta2, eps=self.eps
        )
        return x, AdamState(m, v, t)

    def _effective_lr(self, x, state):
        if state.t == 0:
            return np.full(np.shape(x), np.nan)
        v_hat = bias_correction(state.v, self.beta2, state.t)
        return self.lr / (np.sqrt(v_hat) + self.eps) * np.ones(np.shape(x))


def _num(value):
    """A number for choosing the wording of an error; the real check comes after."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
