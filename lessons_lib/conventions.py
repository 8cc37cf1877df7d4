"""The same optimizers as PyTorch, Keras and optax write them: a Rosetta stone for the course's question 7.

Each ``*_step`` function below transcribes, independently of :mod:`lessons_lib.optimizers`, the update that
one library's documentation gives for one optimizer (weight decay, ``maximize``, AMSGrad and the like left
out). They are the *reference*: :func:`largest_difference` runs a transcription and a ``lessons_lib``
optimizer on the same gradients and returns how far apart their points ever get, so a test can say "the same
algorithm, to round-off" or "a different one".

Every step function has the signature ``step(x, g, state, *, lr, **hyperparameters) -> (x, state)``, where
``state`` is a dict that starts empty (``{}``) and holds the library's own names (PyTorch's
``momentum_buffer``, ``sum``, ``square_avg``, ``exp_avg``...), and ``lr`` is the learning rate of *this*
step (a learning-rate schedule passes a different one each step, as each library does). The keyword defaults
are the library's own defaults, also listed in :data:`DEFAULTS`. Where a library requires ``lr`` (optax), the
transcription requires it too.

Sources: the update rules in the documentation of ``torch.optim`` (SGD, Adagrad, RMSprop, Adam), of
``keras.optimizers`` (Keras 3: SGD, Adagrad, RMSprop, Adam) and of ``optax`` (``sgd``, ``adagrad``,
``rmsprop``, ``adam`` and the transformations they chain: ``trace``, ``scale_by_rss``, ``scale_by_rms``,
``scale_by_adam``).

:data:`MAPPINGS` pairs each library rule with the ``lessons_lib`` optimizer that should match it, and says
whether it should match to round-off (``"same"``) or not (``"differs"``), and why.

:class:`LrInsideMomentum` is the one rule of the course in the libraries' own form rather than the papers':
momentum with the learning rate inside the velocity (Sutskever et al. 2013, Keras, optax), an optimizer like
those of :mod:`lessons_lib.optimizers`, to compare with the summed form under a schedule.

Nothing here needs PyTorch, Keras or JAX; nothing prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from ._validate import check_in_unit_interval, check_positive
from .optimizers import (
    Adagrad,
    Adam,
    GradientDescent,
    Momentum,
    MomentumState,
    Optimizer,
    ParamRange,
    RMSProp,
)
from .rules import lr_inside_momentum_update

__all__ = [
    "DEFAULTS",
    "LibraryRule",
    "LrInsideMomentum",
    "MAPPINGS",
    "VERDICTS",
    "keras_adagrad_step",
    "keras_adam_step",
    "keras_rmsprop_step",
    "keras_sgd_step",
    "largest_difference",
    "lookup",
    "optax_adagrad_step",
    "optax_adam_step",
    "optax_rmsprop_step",
    "optax_sgd_step",
    "run_optimizer",
    "run_transcription",
    "torch_adagrad_step",
    "torch_adam_step",
    "torch_rmsprop_step",
    "torch_sgd_step",
]


# ----------------------------------------------------------------------------------------------------
# PyTorch (torch.optim): lr outside every accumulator; eps outside the root


def torch_sgd_step(x, g, state, *, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
    """``torch.optim.SGD``: the summed (heavy-ball) form; ``dampening`` is skipped on the first step.

    ::

        b = g                                  on the first step
        b = momentum * b + (1 - dampening) * g on later steps
        d = g + momentum * b if nesterov else b
        x = x - lr * d

    Defaults: ``lr=1e-3`` (older versions required it), ``momentum=0``, ``dampening=0``, ``nesterov=False``.
    """
    if momentum != 0:
        b = state.get("momentum_buffer")
        b = g.copy() if b is None else momentum * b + (1 - dampening) * g
        state = {"momentum_buffer": b}
        g = g + momentum * b if nesterov else b
    return x - lr * g, state


def torch_adagrad_step(x, g, state, *, lr=1e-2, lr_decay=0.0, eps=1e-10, initial_accumulator_value=0.0):
    """``torch.optim.Adagrad``: the sum starts at ``initial_accumulator_value`` (0); eps outside the root.

    ::

        step = step + 1
        clr = lr / (1 + (step - 1) * lr_decay)
        sum = sum + g**2
        x = x - clr * g / (sqrt(sum) + eps)
    """
    step = state.get("step", 0) + 1
    total = state.get("sum", np.full_like(x, initial_accumulator_value)) + g * g
    clr = lr / (1 + (step - 1) * lr_decay)
    return x - clr * g / (np.sqrt(total) + eps), {"step": step, "sum": total}


def torch_rmsprop_step(x, g, state, *, lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, centered=False):
    """``torch.optim.RMSprop``: decay ``alpha = 0.99``; eps outside the root; ``lr`` outside the momentum.

    ::

        square_avg = alpha * square_avg + (1 - alpha) * g**2
        avg = square_avg                                     (centered: minus grad_avg**2, the EWA of g)
        d = g / (sqrt(avg) + eps)
        b = momentum * b + d;  d = b                         if momentum > 0
        x = x - lr * d
    """
    square_avg = alpha * state.get("square_avg", np.zeros_like(x)) + (1 - alpha) * g * g
    new = {"square_avg": square_avg}
    avg = square_avg
    if centered:
        grad_avg = alpha * state.get("grad_avg", np.zeros_like(x)) + (1 - alpha) * g
        new["grad_avg"] = grad_avg
        avg = square_avg - grad_avg * grad_avg
    d = g / (np.sqrt(avg) + eps)
    if momentum > 0:
        d = momentum * state.get("momentum_buffer", np.zeros_like(x)) + d
        new["momentum_buffer"] = d
    return x - lr * d, new


def torch_adam_step(x, g, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """``torch.optim.Adam``: Kingma and Ba's Algorithm 1, eps outside the root of the corrected ``v``.

    ::

        m = b1 * m + (1 - b1) * g;   v = b2 * v + (1 - b2) * g**2
        x = x - lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)
    """
    b1, b2 = betas
    t = state.get("step", 0) + 1
    m = b1 * state.get("exp_avg", np.zeros_like(x)) + (1 - b1) * g
    v = b2 * state.get("exp_avg_sq", np.zeros_like(x)) + (1 - b2) * g * g
    x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return x, {"step": t, "exp_avg": m, "exp_avg_sq": v}


# ----------------------------------------------------------------------------------------------------
# Keras 3 (keras.optimizers): lr inside the momentum; eps inside the root; Adam's "epsilon hat"


def keras_sgd_step(x, g, state, *, lr=0.01, momentum=0.0, nesterov=False):
    """``keras.optimizers.SGD``: the velocity holds the learning rate (Sutskever et al.'s form).

    ::

        velocity = momentum * velocity - lr * g
        x = x + velocity                               (nesterov: x + momentum * velocity - lr * g)
    """
    if momentum == 0:
        return x - lr * g, state
    velocity = momentum * state.get("momentum", np.zeros_like(x)) - lr * g
    step = momentum * velocity - lr * g if nesterov else velocity
    return x + step, {"momentum": velocity}


def keras_adagrad_step(x, g, state, *, lr=1e-3, initial_accumulator_value=0.1, epsilon=1e-7):
    """``keras.optimizers.Adagrad``: the sum starts at 0.1 and eps sits inside the root.

    ::

        accumulator = accumulator + g**2
        x = x - lr * g / sqrt(accumulator + epsilon)
    """
    accumulator = state.get("accumulator", np.full_like(x, initial_accumulator_value)) + g * g
    return x - lr * g / np.sqrt(accumulator + epsilon), {"accumulator": accumulator}


def keras_rmsprop_step(x, g, state, *, lr=1e-3, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    """``keras.optimizers.RMSprop``: decay ``rho = 0.9``; eps inside the root; ``lr`` inside the momentum.

    ::

        velocity = rho * velocity + (1 - rho) * g**2
        denominator = velocity + epsilon               (centered: minus average_grad**2)
        increment = lr * g / sqrt(denominator)
        m = momentum * m + increment;  x = x - m       if momentum > 0, else x = x - increment
    """
    velocity = rho * state.get("velocity", np.zeros_like(x)) + (1 - rho) * g * g
    new = {"velocity": velocity}
    denominator = velocity + epsilon
    if centered:
        average_grad = rho * state.get("average_gradient", np.zeros_like(x)) + (1 - rho) * g
        new["average_gradient"] = average_grad
        denominator = denominator - average_grad * average_grad
    increment = lr * g / np.sqrt(denominator)
    if momentum > 0:
        increment = momentum * state.get("momentum", np.zeros_like(x)) + increment
        new["momentum"] = increment
    return x - increment, new


def keras_adam_step(x, g, state, *, lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """``keras.optimizers.Adam``: the bias corrections folded into the learning rate ("epsilon hat").

    ::

        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m = m + (g - m) * (1 - beta_1);   v = v + (g**2 - v) * (1 - beta_2)
        x = x - alpha * m / (sqrt(v) + epsilon)

    The same as Algorithm 1 with ``eps = epsilon / sqrt(1 - beta_2**t)``: a larger eps early on (3.2e-6 on
    the first step for ``epsilon = 1e-7``), tending to ``epsilon``.
    """
    t = state.get("iterations", 0) + 1
    alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    m = state.get("m", np.zeros_like(x))
    v = state.get("v", np.zeros_like(x))
    m = m + (g - m) * (1 - beta_1)
    v = v + (g * g - v) * (1 - beta_2)
    return x - alpha * m / (np.sqrt(v) + epsilon), {"iterations": t, "m": m, "v": v}


# ----------------------------------------------------------------------------------------------------
# optax: chains of transformations, then scale by -lr


def optax_sgd_step(x, g, state, *, lr, momentum=None, nesterov=False):
    """``optax.sgd``: ``trace`` (the summed form) then the learning rate, so ``lr`` stays outside.

    ::

        trace = g + momentum * trace
        u = g + momentum * trace if nesterov else trace
        x = x - lr * u
    """
    if momentum is None:
        return x - lr * g, state
    trace = g + momentum * state.get("trace", np.zeros_like(x))
    u = g + momentum * trace if nesterov else trace
    return x - lr * u, {"trace": trace}


def optax_adagrad_step(x, g, state, *, lr, initial_accumulator_value=0.1, eps=1e-7):
    """``optax.adagrad`` (``scale_by_rss``): the sum starts at 0.1 and eps sits inside the root.

    ::

        sum_of_squares = sum_of_squares + g**2
        x = x - lr * g / sqrt(sum_of_squares + eps)     (0 where the sum is 0)
    """
    total = state.get("sum_of_squares", np.full_like(x, initial_accumulator_value)) + g * g
    scale = np.where(total > 0, 1 / np.sqrt(total + eps), 0.0)
    return x - lr * scale * g, {"sum_of_squares": total}


def optax_rmsprop_step(
    x,
    g,
    state,
    *,
    lr,
    decay=0.9,
    eps=1e-8,
    initial_scale=0.0,
    eps_in_sqrt=True,
    centered=False,
    momentum=None,
    nesterov=False,
):
    """``optax.rmsprop``: ``scale_by_rms`` (or ``scale_by_stddev``), the learning rate, then ``trace``.

    ::

        nu = decay * nu + (1 - decay) * g**2
        ms = nu                                          (centered: minus mu**2, mu the EWA of g)
        u = lr * g / sqrt(ms + eps)                      (eps_in_sqrt=False: g / (sqrt(ms) + eps))
        trace = u + momentum * trace;  u = trace         if momentum is not None
                                                         (nesterov: u = u + momentum * trace)
        x = x - u

    eps sits inside the root by default; the learning rate is applied *before* the momentum trace, so the
    trace holds it (as in Keras), unlike PyTorch.
    """
    nu = decay * state.get("nu", np.full_like(x, initial_scale)) + (1 - decay) * g * g
    new = {"nu": nu}
    mean_square = nu
    if centered:
        mu = decay * state.get("mu", np.zeros_like(x)) + (1 - decay) * g
        new["mu"] = mu
        mean_square = nu - mu * mu
    denominator = np.sqrt(mean_square + eps) if eps_in_sqrt else np.sqrt(mean_square) + eps
    u = lr * g / denominator
    if momentum is not None:
        trace = u + momentum * state.get("trace", np.zeros_like(x))
        new["trace"] = trace
        u = u + momentum * trace if nesterov else trace
    return x - u, new


def optax_adam_step(x, g, state, *, lr, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0):
    """``optax.adam`` (``scale_by_adam``): Algorithm 1; ``eps_root`` (0) would add an eps inside the root.

    ::

        mu = b1 * mu + (1 - b1) * g;   nu = b2 * nu + (1 - b2) * g**2
        x = x - lr * (mu / (1 - b1**t)) / (sqrt(nu / (1 - b2**t) + eps_root) + eps)
    """
    t = state.get("count", 0) + 1
    mu = b1 * state.get("mu", np.zeros_like(x)) + (1 - b1) * g
    nu = b2 * state.get("nu", np.zeros_like(x)) + (1 - b2) * g * g
    x = x - lr * (mu / (1 - b1**t)) / (np.sqrt(nu / (1 - b2**t) + eps_root) + eps)
    return x, {"count": t, "mu": mu, "nu": nu}


#: Each library's default hyperparameters, as its documentation gives them (None: the library requires it).
DEFAULTS = {
    ("PyTorch", "SGD"): {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "nesterov": False},
    ("PyTorch", "Adagrad"): {"lr": 1e-2, "lr_decay": 0.0, "eps": 1e-10, "initial_accumulator_value": 0.0},
    ("PyTorch", "RMSprop"): {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": False},
    ("PyTorch", "Adam"): {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8},
    ("Keras", "SGD"): {"lr": 0.01, "momentum": 0.0, "nesterov": False},
    ("Keras", "Adagrad"): {"lr": 1e-3, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    ("Keras", "RMSprop"): {"lr": 1e-3, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False},
    ("Keras", "Adam"): {"lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    ("optax", "sgd"): {"lr": None, "momentum": None, "nesterov": False},
    ("optax", "adagrad"): {"lr": None, "initial_accumulator_value": 0.1, "eps": 1e-7},
    ("optax", "rmsprop"): {
        "lr": None,
        "decay": 0.9,
        "eps": 1e-8,
        "initial_scale": 0.0,
        "eps_in_sqrt": True,
        "centered": False,
        "momentum": None,
        "nesterov": False,
    },
    ("optax", "adam"): {"lr": None, "b1": 0.9, "b2": 0.999, "eps": 1e-8, "eps_root": 0.0},
}

_STEPS = {
    ("PyTorch", "SGD"): torch_sgd_step,
    ("PyTorch", "Adagrad"): torch_adagrad_step,
    ("PyTorch", "RMSprop"): torch_rmsprop_step,
    ("PyTorch", "Adam"): torch_adam_step,
    ("Keras", "SGD"): keras_sgd_step,
    ("Keras", "Adagrad"): keras_adagrad_step,
    ("Keras", "RMSprop"): keras_rmsprop_step,
    ("Keras", "Adam"): keras_adam_step,
    ("optax", "sgd"): optax_sgd_step,
    ("optax", "adagrad"): optax_adagrad_step,
    ("optax", "rmsprop"): optax_rmsprop_step,
    ("optax", "adam"): optax_adam_step,
}


# ----------------------------------------------------------------------------------------------------
# Running a transcription and a lessons_lib optimizer on the same gradients


def _schedule(lr, steps: int) -> np.ndarray:
    lrs = (
        np.broadcast_to(np.asarray(lr, dtype=float), (steps,)) if np.ndim(lr) == 0 else np.asarray(lr, float)
    )
    if lrs.shape != (steps,) or not np.all(np.isfinite(lrs) & (lrs > 0)):
        raise ValueError(
            f"the learning rate must be a number > 0 or a schedule of {steps} numbers > 0 (one per step), "
            f"got {np.asarray(lr)!r}."
        )
    return lrs


def _source(gradients, steps):
    """``(grad(x, k), steps)`` from fixed gradients, shape (steps, d), or from a function ``grad(x)``."""
    if callable(gradients):
        if steps is None:
            raise ValueError("with a gradient function, say how many steps to take (steps=...).")
        return (lambda x, k: np.asarray(gradients(x), dtype=float)), int(steps)
    table = np.asarray(gradients, dtype=float)
    if table.ndim != 2:
        raise ValueError(
            f"gradients must have shape (steps, d) or be a function of x, got shape {table.shape}."
        )
    if steps is not None and steps != len(table):
        raise ValueError(f"steps={steps} but {len(table)} gradients were given.")
    return (lambda x, k: table[k]), len(table)


def run_transcription(step: Callable, x0, gradients, *, lr, steps: int | None = None, **hyperparameters):
    """Run a library transcription from ``x0``; return the points, shape ``(steps + 1, d)``.

    Parameters
    ----------
    step : callable
        One of the ``*_step`` functions of this module.
    x0 : array_like, shape (d,)
    gradients : array_like of shape (steps, d), or callable ``grad(x)``
        Fixed gradients (the same for every rule, whatever the points) or a gradient function (the points
        feed back into the gradients).
    lr : float or sequence of ``steps`` floats
        A constant learning rate or a schedule, one value per step.
    steps : int, optional
        Needed with a gradient function.
    **hyperparameters
        Passed to ``step`` (the library's names: ``momentum``, ``alpha``, ``rho``, ``epsilon``...).

    Examples
    --------
    The first Adagrad step is about ``lr * sign(g)`` in PyTorch; Keras's 0.1 start shrinks small ones:

    >>> g = [[1e-2, 10.0]]
    >>> run_transcription(torch_adagrad_step, [0.0, 0.0], g, lr=1.0)[1].round(4)
    array([-1., -1.])
    >>> run_transcription(keras_adagrad_step, [0.0, 0.0], g, lr=1.0)[1].round(4)
    array([-0.0316, -0.9995])
    """
    grad, steps = _source(gradients, steps)
    lrs = _schedule(lr, steps)
    x, state = np.array(x0, dtype=float), {}
    points = [x]
    for k in range(steps):
        x, state = step(x, grad(x, k), state, lr=float(lrs[k]), **hyperparameters)
        points.append(x)
    return np.array(points)


def run_optimizer(optimizer: Optimizer, x0, gradients, *, lr=None, steps: int | None = None):
    """Run a ``lessons_lib`` optimizer like :func:`run_transcription` (``lr``: None keeps the optimizer's).

    With a schedule, each step uses ``optimizer.replace(lr=lr_k)`` and keeps the state, as a learning-rate
    scheduler does in a training loop.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"run_optimizer: optimizer must be a lessons_lib optimizer, got {type(optimizer).__name__}."
        )
    grad, steps = _source(gradients, steps)
    lrs = _schedule(optimizer.lr if lr is None else lr, steps)
    x = np.array(x0, dtype=float)
    state = optimizer.init(x)
    points = [x]
    for k in range(steps):
        opt = optimizer if lrs[k] == optimizer.lr else optimizer.replace(lr=float(lrs[k]))
        x, state = opt.step(x, grad(x, k), state)
        points.append(x)
    return np.array(points)


#: What a mapping can be: the same iterates to round-off for any gradients and any learning-rate schedule; the
#: same only while the learning rate is constant; the same rule with a different default hyperparameter (the
#: library's defaults against lessons_lib's); a different rule.
VERDICTS = ("same", "same, constant lr", "default differs", "differs")


class LibraryRule(NamedTuple):
    """One row of the Rosetta stone: a library rule, the ``lessons_lib`` optimizer that maps to it, a verdict.

    ``library_lr`` turns the lessons_lib learning rate into the library's (e.g. ``lr * (1 - beta)`` for the
    summed momentum form). ``verdict`` is one of :data:`VERDICTS`; ``why`` says where they part.
    """

    library: str
    rule: str
    options: dict
    optimizer: Optimizer
    library_lr: Callable
    verdict: str
    why: str

    @property
    def step(self) -> Callable:
        """The transcription of the library's rule."""
        return _STEPS[(self.library, self.rule)]

    def label(self) -> str:
        """E.g. ``"PyTorch SGD(momentum=0.9)"``."""
        shown = ", ".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.library} {self.rule}({shown})"


def _same(lr):
    return lr


_BETA = 0.9

#: Library rule -> lessons_lib optimizer, with the verdict each test checks. ``lr`` here is lessons_lib's.
MAPPINGS = (
    LibraryRule("PyTorch", "SGD", {}, GradientDescent(lr=0.1), _same, "same", "plain gradient descent"),
    LibraryRule(
        "PyTorch",
        "SGD",
        {"momentum": _BETA},
        Momentum(lr=0.1, beta=_BETA),
        lambda lr: lr * (1 - _BETA),
        "same",
        "summed form with lr' = lr (1 - beta); the averaged velocity is (1 - beta) times the summed one",
    ),
    LibraryRule(
        "PyTorch",
        "SGD",
        {"momentum": _BETA, "nesterov": True},
        Momentum(lr=0.1, beta=_BETA, nesterov=True, averaged=False),
        _same,
        "same",
        "the same look-ahead g + beta b",
    ),
    LibraryRule(
        "Keras",
        "SGD",
        {"momentum": _BETA, "nesterov": True},
        Momentum(lr=0.1, beta=_BETA, nesterov=True, averaged=False),
        _same,
        "same, constant lr",
        "the same look-ahead, with lr inside the velocity",
    ),
    LibraryRule(
        "optax",
        "sgd",
        {"momentum": _BETA, "nesterov": True},
        Momentum(lr=0.1, beta=_BETA, nesterov=True, averaged=False),
        _same,
        "same",
        "the same look-ahead g + beta trace",
    ),
    LibraryRule(
        "PyTorch",
        "SGD",
        {"momentum": _BETA, "dampening": _BETA},
        Momentum(lr=0.1, beta=_BETA),
        _same,
        "differs",
        "dampening is skipped on the first step: the buffer starts at g, not (1 - beta) g",
    ),
    LibraryRule(
        "PyTorch", "Adagrad", {}, Adagrad(lr=0.1, eps=1e-10), _same, "same", "eps 1e-10 outside the root"
    ),
    LibraryRule("PyTorch", "RMSprop", {}, RMSProp(lr=0.01, beta=0.99), _same, "same", "alpha = 0.99 is beta"),
    LibraryRule(
        "PyTorch",
        "RMSprop",
        {},
        RMSProp(lr=0.01),
        _same,
        "default differs",
        "default decay 0.99 against the course's (and the lecture's) 0.9",
    ),
    LibraryRule(
        "PyTorch",
        "RMSprop",
        {"centered": True, "momentum": _BETA},
        RMSProp(lr=0.01, beta=0.99, centered=True, momentum=_BETA),
        _same,
        "same",
        "centered: the gradient's standard deviation; momentum: a heavy ball of the scaled steps, lr outside",
    ),
    LibraryRule("PyTorch", "Adam", {}, Adam(lr=0.01), _same, "same", "Kingma and Ba's Algorithm 1"),
    LibraryRule(
        "Keras",
        "SGD",
        {"momentum": _BETA},
        Momentum(lr=0.1, beta=_BETA),
        lambda lr: lr * (1 - _BETA),
        "same, constant lr",
        "lr inside the velocity: a new lr only reaches the new gradients",
    ),
    LibraryRule(
        "Keras",
        "Adagrad",
        {},
        Adagrad(lr=0.1, eps=1e-7, initial_accumulator=0.1, eps_in_sqrt=True),
        _same,
        "same",
        "the sum starts at 0.1, eps inside the root",
    ),
    LibraryRule(
        "Keras",
        "Adagrad",
        {},
        Adagrad(lr=0.1),
        _same,
        "default differs",
        "against the paper's (and PyTorch's) start at 0 and eps outside: small gradients get smaller steps",
    ),
    LibraryRule(
        "Keras",
        "RMSprop",
        {},
        RMSProp(lr=0.01, eps=1e-7, eps_in_sqrt=True),
        _same,
        "same",
        "rho = 0.9 is beta; eps inside the root",
    ),
    LibraryRule(
        "Keras",
        "RMSprop",
        {"centered": True, "momentum": _BETA},
        RMSProp(lr=0.01, eps=1e-7, eps_in_sqrt=True, centered=True, momentum=_BETA),
        _same,
        "same, constant lr",
        "lr inside the momentum buffer: a new lr only reaches the new steps",
    ),
    LibraryRule(
        "Keras",
        "Adam",
        {},
        Adam(lr=0.01, eps=1e-7),
        _same,
        "differs",
        "epsilon hat: eps / sqrt(1 - beta2**t), larger early on; visible only for tiny gradients",
    ),
    LibraryRule(
        "optax",
        "sgd",
        {"momentum": _BETA},
        Momentum(lr=0.1, beta=_BETA),
        lambda lr: lr * (1 - _BETA),
        "same",
        "trace is the summed form, the learning rate is applied after it",
    ),
    LibraryRule(
        "optax",
        "adagrad",
        {},
        Adagrad(lr=0.1, eps=1e-7, initial_accumulator=0.1, eps_in_sqrt=True),
        _same,
        "same",
        "as Keras",
    ),
    LibraryRule(
        "optax", "rmsprop", {}, RMSProp(lr=0.01, eps_in_sqrt=True), _same, "same", "eps inside the root"
    ),
    LibraryRule(
        "optax",
        "rmsprop",
        {"centered": True, "momentum": _BETA},
        RMSProp(lr=0.01, eps_in_sqrt=True, centered=True, momentum=_BETA),
        _same,
        "same, constant lr",
        "the learning rate is applied before the momentum trace, which then holds it",
    ),
    LibraryRule("optax", "adam", {}, Adam(lr=0.01), _same, "same", "Algorithm 1 (eps_root = 0)"),
)


def lookup(label: str, verdict: str | None = None) -> LibraryRule:
    """The mapping of :data:`MAPPINGS` with this ``label()`` (and ``verdict``, where a label has two).

    >>> lookup("PyTorch RMSprop()", verdict="default differs").optimizer
    RMSProp(lr=0.01, beta=0.9, eps=1e-08, centered=False, momentum=0.0, eps_in_sqrt=False)
    """
    found = [m for m in MAPPINGS if m.label() == label and verdict in (None, m.verdict)]
    if len(found) != 1:
        labels = sorted({m.label() for m in MAPPINGS})
        raise KeyError(
            f"lookup: {len(found)} mappings match {label!r} (verdict {verdict!r}); "
            f"the labels are {', '.join(labels)}."
        )
    return found[0]


def largest_difference(mapping: LibraryRule, x0, gradients, *, lr=None, steps: int | None = None) -> float:
    """Run ``mapping``'s library transcription and its ``lessons_lib`` optimizer on the same gradients.

    Returns the largest ``|x_library - x_lessons_lib|`` over every step and coordinate. ``lr`` (constant or a
    schedule, in ``lessons_lib``'s units; default the optimizer's) is converted with ``mapping.library_lr``.
    The library's other hyperparameters are its defaults, except those in ``mapping.options``.

    Examples
    --------
    >>> g = np.random.default_rng(0).standard_normal((100, 3))
    >>> same = lookup("PyTorch SGD(momentum=0.9)")
    >>> differs = lookup("PyTorch SGD(momentum=0.9, dampening=0.9)")
    >>> largest_difference(same, np.zeros(3), g) < 1e-12, largest_difference(differs, np.zeros(3), g) > 0.01
    (True, True)
    """
    if not isinstance(mapping, LibraryRule):
        raise TypeError(f"largest_difference: mapping must be one of MAPPINGS, got {type(mapping).__name__}.")
    steps = _source(gradients, steps)[1]
    lrs = _schedule(mapping.optimizer.lr if lr is None else lr, steps)
    ours = run_optimizer(mapping.optimizer, x0, gradients, lr=lrs, steps=steps)
    theirs = run_transcription(
        mapping.step, x0, gradients, lr=mapping.library_lr(lrs), steps=steps, **mapping.options
    )
    return float(np.max(np.abs(ours - theirs)))


# ----------------------------------------------------------------------------------------------------
# The learning rate inside the velocity


@dataclass(frozen=True)
class LrInsideMomentum(Optimizer):
    """Momentum with the learning rate inside the velocity (Sutskever et al. 2013)::

        v = beta * v + lr * g        (M1'')
        x = x - v

    With a constant ``lr`` it is the summed form ``v = beta * v + g; x = x - lr * v`` (its velocity is ``lr``
    times that one), hence also the averaged form with ``lr / (1 - beta)``. When ``lr`` changes during a run
    it is not: the velocity remembers the old learning rates, while in the other two forms a new ``lr``
    rescales the whole velocity at once.

    Parameters
    ----------
    lr : float > 0
    beta : float in [0, 1)

    References
    ----------
    I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and momentum in deep
    learning", ICML 2013 (equation 1).

    Examples
    --------
    >>> opt = LrInsideMomentum(lr=0.1, beta=0.9)
    >>> x, state = opt.step([1.0], [2.0], opt.init([1.0]))
    >>> state.v, x
    (array([0.2]), array([0.8]))
    """

    lr: float
    beta: float = 0.9
    State: ClassVar[type] = MomentumState
    sweepable: ClassVar[tuple[str, ...]] = Momentum.sweepable
    ranges: ClassVar[dict[str, ParamRange]] = Momentum.ranges  # the same sliders as momentum's

    def _validate(self):
        object.__setattr__(self, "lr", check_positive("LrInsideMomentum", "lr", self.lr))
        object.__setattr__(self, "beta", check_in_unit_interval("LrInsideMomentum", "beta", self.beta))

    def init(self, x):
        return MomentumState(v=np.zeros(np.shape(x)))

    def update(self, x, g, state):
        x, v = lr_inside_momentum_update(x, g, state.v, lr=self.lr, beta=self.beta)  # (M1'')
        return x, MomentumState(v, state.t + 1)

    def max_stable_lr(self, curvature):
        return (2 + 2 * self.beta) / curvature
