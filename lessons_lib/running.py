"""Run an optimizer on a problem and keep what happened in a :class:`Trajectory`. Nothing here prints.

A run may start from one point (shape ``(d,)``) or from a batch of points (shape ``(N, d)``); a batch runs as
one array, not as a Python loop over starts. Stochastic problems draw their gradients from one generator
seeded by ``seed``, so a run is reproducible.

**When a run has diverged** is one rule for the whole course, :func:`divergence_limit`, which :func:`run`,
:func:`lessons_lib.sweeps.sweep` and the races all apply: at the first step where its loss is not finite or
has climbed ``blowup`` (1e6) times further above the minimum than where it started. The run then stops
cleanly, without NumPy overflow warnings: the point and loss of that step are kept, its later ones are NaN,
and a trajectory records the step and a hint such as "lr = 0.25 is above 2/L = 0.2".

**Learning-rate schedules** are arrays of one multiplier per step, as PyTorch's ``LambdaLR`` scales the base
learning rate (:func:`step_decay`, :func:`cosine_decay`, :func:`warmup`): ``run(..., schedule=...)`` and
``sweep`` take step ``k`` with ``lr * schedule[k]``, the state carried across. :func:`run_schedule` runs in
phases, changing any hyperparameters between them; :func:`track_target` runs after a minimiser that moves.
Grids of settings run as one array with :func:`lessons_lib.sweeps.sweep`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ._validate import (
    MAX_RUN_BYTES,
    as_real_array,
    check_bool,
    check_count,
    check_memory,
    check_nonnegative,
    check_positive,
    check_real,
    check_seed,
)
from .measures import first_staying
from .optimizers import Optimizer, squares_overflow_message
from .problems import Problem

__all__ = [
    "MAX_RUN_BYTES",
    "Tracking",
    "Trajectory",
    "check_blowup",
    "check_first_gradient",
    "check_run_inputs",
    "check_schedule",
    "check_start_loss",
    "check_tolerance",
    "cosine_decay",
    "divergence_limit",
    "raise_if_squares_overflowed",
    "run",
    "run_schedule",
    "step_decay",
    "track_target",
    "warmup",
    "with_lr",
]

_BLOWUP_WHY = "It is how many times its start gap a run's gap may grow before the run counts as diverged."


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What one run (or one batch of runs) did.

    Attributes
    ----------
    optimizer, problem
        What ran on what.
    points : ndarray, shape (steps + 1, *start_shape)
        ``points[k]`` is the point after ``k`` steps; NaN after a divergence.
    losses : ndarray, shape (steps + 1, *batch_shape)
        ``f(points[k])``; NaN after a divergence.
    diverged_mask : ndarray of bool, shape batch_shape
        Which runs diverged.
    diverged_steps : ndarray of int, shape batch_shape
        The step at which each run diverged, -1 where it did not.
    message : str
        Empty, or one sentence saying where the run diverged and why that may be.
    states : dict of str to ndarray, or None
        With ``keep_states=True``: every array field of the optimizer state after each step, stacked,
        shape ``(steps + 1, *start_shape)`` (index 0 is the initial state).
    grads : ndarray or None, shape (steps, *start_shape)
        With ``keep_states=True``: the gradient of each step; ``grads[k]`` was taken at ``points[k]`` and
        moved it to ``points[k + 1]``.
    effective_lrs : ndarray or None, shape (steps, *start_shape)
        With ``keep_states=True``: the effective learning rate each step used, per coordinate
        (``optimizer.effective_lr`` of the state after that step: for Adagrad and RMSProp
        ``lr / (sqrt(s) + eps)`` with ``s`` already including that step's gradient).
    """

    optimizer: Optimizer
    problem: Problem
    points: np.ndarray
    losses: np.ndarray
    diverged_mask: np.ndarray
    diverged_steps: np.ndarray
    message: str = ""
    states: dict | None = None
    grads: np.ndarray | None = None
    effective_lrs: np.ndarray | None = None
    seed: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Number of steps the run was asked for."""
        return len(self.points) - 1

    @property
    def diverged(self) -> bool:
        """True if any run of the batch diverged."""
        return bool(np.any(self.diverged_mask))

    @property
    def diverged_at(self) -> int | None:
        """The first step at which a run diverged, or None."""
        if not self.diverged:
            return None
        return int(self.diverged_steps[self.diverged_mask].min())

    @property
    def final(self) -> np.ndarray:
        """The last point (NaN for diverged runs)."""
        return self.points[-1]

    @property
    def gaps(self) -> np.ndarray:
        """``losses - f_min``, the distance to the minimum in loss."""
        if self.problem.f_min is None:
            return self.problem.gap(self.points)  # raises, saying the minimum is unknown
        return self.losses - self.problem.f_min

    def steps_to(self, tol: float) -> np.ndarray:
        """The first step at which ``f - f_min <= tol`` and stays so, per run; -1 where never reached.

        "Stays so" means the remaining steps never rise above ``tol`` again.
        """
        tol = check_tolerance("Trajectory.steps_to", tol)
        result = first_staying(self.gaps <= tol)
        return result if result.ndim else int(result)

    def __repr__(self):
        shape = self.points.shape[1:]
        status = f", diverged at step {self.diverged_at}" if self.diverged else ""
        return (
            f"Trajectory({self.optimizer!r} on {self.problem.name}, {self.steps} steps, "
            f"start shape {shape}{status})"
        )


def _divergence_hint(optimizer: Optimizer, problem: Problem, nan: bool, scheduled: bool = False) -> str:
    if nan and getattr(optimizer, "eps", None) == 0:
        return (
            "eps = 0, so a coordinate whose gradient is exactly 0 divides 0 by 0 and becomes NaN; "
            "use a small eps > 0 such as 1e-8."
        )
    if problem.L is None:
        return "try a smaller lr."
    limit = optimizer.max_stable_lr(problem.L)
    if limit is None:
        return "try a smaller lr; adaptive rules take steps of about lr per coordinate."
    if optimizer.lr >= limit:
        rule = "2/L" if type(optimizer).__name__ == "GradientDescent" else "the stability limit"
        said = f"the scheduled lr reached {optimizer.lr:.3g}," if scheduled else f"lr = {optimizer.lr:.3g} is"
        return f"{said} above {rule} = {limit:.3g} for L = {problem.L:.3g}."
    return f"lr is below the limit {limit:.3g} at the minimum, but curvature is larger where the run went."


def _far_start_hint(problem: Problem, start: np.ndarray, losses: np.ndarray, first: np.ndarray) -> str:
    """The honest hint for a run whose first step overflowed from a start far outside the plot bounds."""
    low, high = np.array(problem.bounds, dtype=float).T
    span = high - low
    far = np.any((start < low - 100 * span) | (start > high + 100 * span), axis=-1)
    if not np.any(far & first & ~np.isfinite(losses)):
        return ""
    size = float(np.abs(start[far & first]).max())
    return (
        f"the start lies far outside the plot bounds (coordinates up to {size:.3g}) and the first step "
        "already overflowed float64, whatever the learning rate's limit near the minimum; start inside the "
        "bounds."
    )


def check_blowup(owner: str, blowup) -> float:
    """``blowup`` as a float if it is a finite number > 0 (how far a run may climb before it has diverged)."""
    return check_positive(owner, "blowup", blowup, _BLOWUP_WHY)


def divergence_limit(problem: Problem, start_losses, blowup: float = 1e6) -> np.ndarray:
    """The loss above which a run has diverged: the course's one rule, for ``run``, ``sweep`` and the races.

    A run diverges at the first step where its loss is not finite or exceeds

        ``floor + blowup * max(|f(x0) - floor|, 1e-3 * (1 + |f(x0)|))``,

    that is, where its gap to the floor has grown ``blowup`` times beyond the gap it started with (the second
    term keeps a start at the minimum from diverging at the first round-off). ``floor`` is ``f_min`` where it
    is known, else the lowest start loss of the batch, or 0 if that is higher: a loss unbounded below, as at
    a saddle, never counts as diverging by going down. The rule is on the loss, so it means the same on every
    problem, whatever its plot bounds; on a quadratic, ``blowup = 1e6`` is a point a thousand times further
    from the minimiser than its start.

    Parameters
    ----------
    problem : Problem
    start_losses : array_like
        ``problem.f`` at the starts, one per run (any shape; the limits have that shape).
    blowup : float > 0

    Examples
    --------
    >>> from lessons_lib import ravine
    >>> float(divergence_limit(ravine(10), 34.0))  # f_min = 0: a millionfold the start's loss
    34000000.0
    """
    blowup = check_blowup("divergence_limit", blowup)
    start_losses = np.asarray(start_losses, dtype=float)
    floor = problem.f_min
    if floor is None:
        floor = np.minimum(np.nanmin(start_losses), 0.0)
    return floor + blowup * np.maximum(np.abs(start_losses - floor), 1e-3 * (1 + np.abs(start_losses)))


def raise_if_squares_overflowed(owner, optimizer, state, name, g, live, k) -> None:
    """Raise if a live run's sum or average of squared gradients is inf (runs that already diverged may be).

    ``live`` broadcasts against the state's arrays: ``alive[..., None]`` per run, or a mask per coordinate.
    """
    if np.any(np.isinf(getattr(state, name)) & live):
        raise ValueError(squares_overflow_message(f"{owner} (step {k})", optimizer, name, g))


def check_tolerance(owner: str, tol) -> np.ndarray:
    """A tolerance on the gap ``f - f_min``: one number >= 0, or an array of them (one per run)."""
    tol = as_real_array(owner, "tol", tol)
    if not np.all(tol >= 0):  # NaN fails too
        bad = float(tol[~(tol >= 0)].flat[0]) if tol.ndim else float(tol)
        raise ValueError(
            f"{owner}: tol must be >= 0 (one number, or one per run), got {bad!r}. It is how far above the "
            "minimum a loss may be."
        )
    return tol


def check_run_inputs(owner: str, optimizer, problem, steps, x0) -> np.ndarray:
    """Check the arguments every runner takes; return the start as a float array (default ``problem.x0``).

    The start must be real and finite: a NaN or infinite start has nowhere to go, and would otherwise be
    reported as a divergence at step 0.
    """
    if not isinstance(optimizer, Optimizer):
        what = type(optimizer).__name__
        raise TypeError(f"{owner}: optimizer must be a lessons_lib optimizer, got {what}.")
    if not isinstance(problem, Problem):
        raise TypeError(f"{owner}: problem must be a lessons_lib Problem, got {type(problem).__name__}.")
    check_count(owner, "steps", steps, 0)
    x = np.array(as_real_array(owner, "x0", problem.x0 if x0 is None else x0), dtype=float)
    if x.ndim == 0 or x.shape[-1] != problem.dim:
        raise ValueError(
            f"{owner}: x0 must have {problem.dim} coordinates on its last axis for {problem.name}, "
            f"got shape {x.shape}."
        )
    if not np.isfinite(x).all():
        bad = float(x[~np.isfinite(x)].flat[0])
        raise ValueError(
            f"{owner}: x0 must be finite, got a start with {bad!r} among its coordinates. A run from a NaN "
            "or infinite point has nowhere to go; give a finite start (problem.x0 is one)."
        )
    return x


def check_schedule(owner: str, schedule, steps: int, settings=(), name="schedule") -> np.ndarray | None:
    """``schedule`` as the learning-rate multipliers of ``steps`` steps, checked once; None stays None.

    A 1-D array of ``steps`` finite numbers > 0 (0 is refused, as ``lr = 0`` is). Each optimizer of
    ``settings`` is built at its ``lr`` times the smallest and the largest one: its own check refuses a
    learning rate the schedule makes (an overflow; AdamW's ``lr * weight_decay >= 1``). Runners then apply
    it unchecked.
    """
    if schedule is None:
        return None
    values = as_real_array(owner, name, schedule)
    if values.shape != (steps,):
        raise ValueError(
            f"{owner}: {name} must hold one learning-rate multiplier per step, shape ({steps},), got shape "
            f"{values.shape}. Step k uses lr * {name}[k]; build one with step_decay, cosine_decay or warmup."
        )
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        k = int(np.argmax(bad))
        why = (
            "a step with lr = 0 does not move x, and the course's optimizers need lr > 0 (warmup starts at "
            "1/warmup_steps, as PyTorch's LinearLR does)."
            if values[k] == 0
            else "a negative multiplier would step uphill, and a NaN or infinite one makes every point NaN."
        )
        raise ValueError(
            f"{owner}: {name} must hold finite multipliers > 0, got {float(values[k])!r} at step {k}: {why}"
        )
    extremes = (float(values.min()), float(values.max())) if values.size else ()
    for optimizer in settings:
        for multiplier in extremes:
            try:
                optimizer.replace(lr=optimizer.lr * multiplier)  # Python floats: an overflow is inf, silently
            except ValueError as error:
                raise ValueError(
                    f"{owner}: every learning rate of the {name} must be one {type(optimizer).__name__} "
                    f"accepts, got lr = {optimizer.lr!r} times {multiplier!r}, and then: {error}"
                ) from None
    return values


def with_lr(optimizer: Optimizer, lr) -> Optimizer:
    """A copy of ``optimizer`` whose learning rate is ``lr`` (for a grid, an array), not checked again.

    The runners take one with each step's scheduled learning rate, after :func:`check_schedule` has checked
    them all: ``optimizer.replace(lr=...)`` would check every step, which costs more than many steps do.
    """
    stepper = object.__new__(type(optimizer))
    vars(stepper).update(vars(optimizer), lr=lr)
    return stepper


def check_start_loss(owner: str, problem: Problem, x: np.ndarray, losses: np.ndarray) -> None:
    """Raise if the loss at a finite start is not finite: the start is so large that ``f`` overflows."""
    if not np.isfinite(losses).all():
        size = float(np.abs(x).max())
        raise ValueError(
            f"{owner}: x0 must be small enough for f to be computed, got a start with coordinates up to "
            f"{size:.3g}, where f of {problem.name} overflows float64 (the loss is {np.ravel(losses)[0]!r} "
            f"there). That is not a divergence of the optimizer; start inside the plot bounds "
            f"{tuple(problem.bounds)[:3]}{'...' if problem.dim > 3 else ''}."
        )


def check_first_gradient(owner: str, problem: Problem, x: np.ndarray, g) -> np.ndarray:
    """The first gradient of a run, checked once: real, and of the shape of the point."""
    g = as_real_array(owner, f"the gradient of {problem.name}", g)
    if g.shape != x.shape:
        raise ValueError(
            f"{owner}: the gradient of {problem.name} must have the shape of the point, {x.shape}, got shape "
            f"{g.shape}. A problem's grad maps points of shape (..., d) to gradients of the same shape."
        )
    return g


def run(
    optimizer: Optimizer,
    problem: Problem,
    steps: int,
    x0=None,
    *,
    seed: int | None = 0,
    keep_states: bool = False,
    blowup: float = 1e6,
    schedule=None,
) -> Trajectory:
    """Run ``optimizer`` on ``problem`` for ``steps`` steps from ``x0`` (default ``problem.x0``).

    Parameters
    ----------
    optimizer : Optimizer
    problem : Problem
    steps : int >= 0
    x0 : array_like, shape (d,) or (N, d), optional
        Start, or a batch of starts run side by side.
    seed : int or None
        Seeds the generator of a stochastic problem's gradients. Ignored by deterministic problems.
    keep_states : bool
        Also keep the optimizer state, the gradients and the effective learning rates of every step.
    blowup : float
        A run diverges when its gap to the minimum grows ``blowup`` times beyond its start's, or its loss is
        not finite (:func:`divergence_limit`, the rule of every runner).
    schedule : array_like, shape (steps,), optional
        Learning-rate multipliers, finite and > 0 (:func:`step_decay`, :func:`cosine_decay`, :func:`warmup`):
        step ``k`` (counted from 0) uses ``lr * schedule[k]`` in every place the rule uses ``lr`` (AdamW's
        decay too), with the state carried across, as PyTorch's ``LambdaLR`` does. Checked once
        (:func:`check_schedule`); a schedule of ones gives the run without one, bit for bit.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from lessons_lib import GradientDescent, ravine
    >>> round(float(run(GradientDescent(lr=0.1), ravine(10), steps=50).losses[-1]), 3)
    0.001
    >>> t = run(GradientDescent(lr=0.25), ravine(10), steps=100)
    >>> t.diverged_at
    19
    >>> t.message
    'GradientDescent(lr=0.25) diverged at step 19 on ravine(κ=10): lr = 0.25 is above 2/L = 0.2 for L = 10.'

    Halving it every 10 steps keeps it stable:

    >>> t = run(GradientDescent(lr=0.25), ravine(10), 100, schedule=step_decay(100, every=10, factor=0.5))
    >>> t.diverged, round(float(t.losses[-1]), 4)
    (False, 0.0006)
    """
    x = check_run_inputs("run", optimizer, problem, steps, x0)
    seed = check_seed("run", seed)
    keep_states = check_bool("run", "keep_states", keep_states)
    blowup = check_blowup("run", blowup)
    schedule = check_schedule("run", schedule, steps, (optimizer,))
    lrs = None if schedule is None else (optimizer.lr * schedule).tolist()
    state = optimizer.init(x)
    arrays = sum(isinstance(value, np.ndarray) for value in state) if keep_states else 0
    per_step = x.size * (1 + arrays + 2 * keep_states) + x.size // max(problem.dim, 1)
    check_memory(
        "run",
        f"steps = {steps} with a start of shape {x.shape}",
        8 * per_step * (steps + 1),
        "A trajectory keeps every point (and loss) of every step. Use fewer steps or starts, or "
        "lessons_lib.sweeps.sweep(..., every=k, keep_points=False), which keeps every k-th loss only.",
    )
    rng = np.random.default_rng(seed) if problem.stochastic else None
    grad = (lambda p: problem.sample_grad(p, rng)) if problem.stochastic else problem.grad

    batch_shape = x.shape[:-1]
    points = np.full((steps + 1, *x.shape), np.nan)
    losses = np.full((steps + 1, *batch_shape), np.nan)
    diverged_steps = np.full(batch_shape, -1, dtype=int)
    keep = {}
    if keep_states:
        keep = {
            name: np.full((steps + 1, *np.shape(value)), np.nan)
            for name, value in state._asdict().items()
            if isinstance(value, np.ndarray)
        }
        grads = np.full((steps, *x.shape), np.nan)
        eff = np.full((steps, *x.shape), np.nan)

    nan_seen = False
    squares = optimizer.squares
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        points[0] = x
        losses[0] = problem.f(x)
        check_start_loss("run", problem, x, losses[0])
        limit = divergence_limit(problem, losses[0], blowup)
        alive = np.isfinite(losses[0])
        diverged_steps[~alive] = 0
        for name in keep:
            keep[name][0] = getattr(state, name)
        for k in range(1, steps + 1):
            g = grad(x)
            if k == 1:  # checked once: the update itself is the optimizer's own update, as in sweep
                g = check_first_gradient("run", problem, x, g)
            stepper = optimizer if lrs is None else with_lr(optimizer, lrs[k - 1])
            x, state = stepper.update(x, g, state)
            if keep_states:
                grads[k - 1] = g
                eff[k - 1] = stepper.effective_lr(x, state, check=False)
            loss = problem.f(x)
            points[k], losses[k] = x, loss  # a diverging point is kept as it is; NaN from the next step
            bad = alive & ~((loss <= limit) & np.all(np.isfinite(x), axis=-1))
            if np.any(bad):
                nan_seen = nan_seen or bool(np.any(np.isnan(loss) & bad))
                diverged_steps[bad] = k
                alive = alive & ~bad
                x = np.where(alive[..., None], x, np.nan)
            for name in squares:  # g**2 overflowed: the step was silently 0, and every later one would be
                if np.isinf(getattr(state, name)).any():
                    raise_if_squares_overflowed("run", optimizer, state, name, g, alive[..., None], k)
            for name in keep:
                keep[name][k] = getattr(state, name)
            if not np.any(alive):
                break

    diverged_mask = diverged_steps >= 0
    message = ""
    if np.any(diverged_mask):
        first = int(diverged_steps[diverged_mask].min())
        count = int(diverged_mask.sum())
        who = f"{count} of {diverged_mask.size} runs of " if diverged_mask.ndim else ""
        hint = (
            _far_start_hint(problem, points[0], losses[first], diverged_steps == first) if first == 1 else ""
        )
        judged = optimizer if lrs is None else with_lr(optimizer, max(lrs[:first]))  # the largest lr so far
        message = (
            f"{who}{optimizer.label()} diverged at step {first} on {problem.name}: "
            f"{hint or _divergence_hint(judged, problem, nan_seen, lrs is not None)}"
        )
    return Trajectory(
        optimizer=optimizer,
        problem=problem,
        points=points,
        losses=losses,
        diverged_mask=diverged_mask,
        diverged_steps=diverged_steps,
        message=message,
        states=keep or None,
        grads=grads if keep_states else None,
        effective_lrs=eff if keep_states else None,
        seed=seed,
    )


# ----------------------------------------------------------------------------------------------------
# Runs in phases


def run_schedule(optimizer: Optimizer, problem: Problem, schedule, x0=None) -> np.ndarray:
    """Run ``optimizer`` in phases, changing some hyperparameters between them, and return the points.

    The optimizer state (the velocity) is carried from one phase to the next, as a learning-rate scheduler
    does in a training loop.

    Parameters
    ----------
    optimizer : Optimizer
    problem : Problem
        Deterministic; its exact gradient is used.
    schedule : sequence of (int, dict)
        ``(steps, changes)`` per phase: ``optimizer.replace(**changes)`` runs for ``steps`` steps.
    x0 : array_like, shape (d,) or (N, d), optional
        Start (default ``problem.x0``).

    Returns
    -------
    ndarray, shape (total steps + 1, *x0.shape)

    Examples
    --------
    >>> from lessons_lib import Momentum, ravine
    >>> pts = run_schedule(Momentum(lr=0.1), ravine(10), [(2, {}), (1, {"lr": 0.05})])
    >>> pts.shape
    (4, 2)
    """
    x = np.array(problem.x0 if x0 is None else x0, dtype=float)
    state = optimizer.init(x)
    points = [x]
    for steps, changes in schedule:
        phase = optimizer.replace(**changes)
        for _ in range(int(steps)):
            x, state = phase.step(x, problem.grad(x), state)
            points.append(x)
    return np.array(points)


# ----------------------------------------------------------------------------------------------------
# Learning-rate schedules: one multiplier of the learning rate per step, for run(..., schedule=...) and sweep


def step_decay(steps: int, *, every: int, factor: float = 0.1) -> np.ndarray:
    """Step decay: the learning rate is multiplied by ``factor`` every ``every`` steps.

    ``schedule[k] = factor ** (k // every)``  (S1), for the steps ``k = 0 .. steps - 1``.

    Parameters
    ----------
    steps : int >= 1
    every : int >= 1
        Steps between two decays (in a training loop, the steps of an epoch times the epochs between them).
    factor : float in (0, 1]
        What each decay multiplies the learning rate by; 1 keeps it constant. Above 1 it would grow at every
        "decay": most likely a ``factor = 10`` meant as "divide by 10", which is ``factor = 0.1``.

    Returns
    -------
    ndarray, shape (steps,)
        The multipliers of the learning rate, one per step.

    Conventions
    -----------
    PyTorch ``lr_scheduler.StepLR(optimizer, step_size=every, gamma=factor)`` (default gamma 0.1), stepped
    after every optimizer step (PyTorch's examples step it per epoch: there ``step_size`` counts epochs).
    Keras ``schedules.ExponentialDecay(lr, decay_steps=every, decay_rate=factor, staircase=True)`` and optax
    ``exponential_decay(lr, transition_steps=every, decay_rate=factor, staircase=True)``: the same rates.

    Examples
    --------
    >>> step_decay(7, every=3, factor=0.5)
    array([1.  , 1.  , 1.  , 0.5 , 0.5 , 0.5 , 0.25])
    """
    steps = check_count("step_decay", "steps", steps, 1)
    every = check_count("step_decay", "every", every, 1, "It is the number of steps between two decays.")
    factor = check_positive("step_decay", "factor", factor, "Each decay multiplies the learning rate by it.")
    if factor > 1:
        raise ValueError(
            f"step_decay: factor must be in (0, 1], got {factor!r}. Each decay multiplies the learning rate "
            "by it, so above 1 it would grow; to divide it by 10 at each decay, give factor = 0.1."
        )
    # Python's pow, level by level: the same bits on every machine (NumPy's may use SIMD code that differs)
    schedule = np.array([factor**j for j in range((steps - 1) // every + 1)])[np.arange(steps) // every]
    if schedule[-1] == 0:
        raise ValueError(
            f"step_decay: the multipliers must stay > 0, got {factor!r}**{(steps - 1) // every} = 0.0 in "
            "float64: so many decays leave no learning rate. Decay less often (a larger every) or by less."
        )
    return schedule


def cosine_decay(steps: int, *, final: float = 0.0) -> np.ndarray:
    """Cosine decay: the learning rate falls from its full value toward ``final`` times it, along a cosine.

    ``schedule[k] = final + (1 - final) * (1 + cos(pi * k / steps)) / 2``  (S2), for ``k = 0 .. steps - 1``.

    It falls slowly at first, fastest in the middle, slowly again at the end. ``final`` would be reached at
    step ``steps``, one after the last, so the last step still moves (the course's optimizers need lr > 0).
    Computed as ``final + (1 - final) * sin(pi * (steps - k) / (2 steps))**2``: the same number, without the
    cancellation in ``1 + cos`` near the end.

    Parameters
    ----------
    steps : int >= 1
    final : float in [0, 1]
        The fraction of the learning rate the decay heads for (1 keeps it constant).

    Returns
    -------
    ndarray, shape (steps,)

    Conventions
    -----------
    PyTorch ``lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps, eta_min=final * lr)`` stepped after every
    optimizer step (its recursion gives these values to round-off). Keras ``schedules.CosineDecay(lr,
    decay_steps=steps, alpha=final)`` and optax ``cosine_decay_schedule(lr, steps, alpha=final)``: the same.

    References
    ----------
    I. Loshchilov, F. Hutter, "SGDR: stochastic gradient descent with warm restarts", ICLR 2017.

    Examples
    --------
    >>> cosine_decay(4)
    array([1.        , 0.85355339, 0.5       , 0.14644661])
    """
    steps = check_count("cosine_decay", "steps", steps, 1)
    final = check_real("cosine_decay", "final", final)
    if not 0 <= final <= 1:
        raise ValueError(
            f"cosine_decay: final must be in [0, 1], got {final!r}. It is the fraction of the learning rate "
            "the decay heads for: below 0 the learning rate would turn negative, above 1 it would rise."
        )
    k = np.arange(1, steps)  # step 0 is 1 exactly, whatever the last bit of NumPy 1.24's AVX-512 sine
    return np.r_[1.0, final + (1 - final) * np.sin(np.pi * (steps - k) / (2 * steps)) ** 2]


def warmup(steps: int, *, warmup_steps: int, then=None) -> np.ndarray:
    """Linear warm-up: the learning rate climbs to its full value over ``warmup_steps`` steps, then ``then``.

    ``schedule[k] = (k + 1) / warmup_steps`` for ``k < warmup_steps``  (S3), then ``then[k]`` (or 1).

    The first step uses ``lr / warmup_steps``, step ``warmup_steps - 1`` the full rate. Starting from 0
    (``k / warmup_steps``, as Hugging Face's ``get_linear_schedule_with_warmup``) would waste the first step,
    which with ``lr = 0`` does not move, and the course's optimizers need lr > 0. Why Adam wants it: its first
    steps are about ``lr`` in every coordinate whatever the gradient (``v_hat`` then rests on one or two
    gradients), so the rate that suits the rest of a run may throw the weights far at first.

    Parameters
    ----------
    steps : int >= 1
    warmup_steps : int in [1, steps]
        1 is no warm-up.
    then : array_like, shape (steps,), optional
        The schedule after the warm-up, indexed by the step of the whole run (``cosine_decay(steps)`` goes on
        from where the cosine stands at step ``warmup_steps``). For a decay that starts after the warm-up:
        ``np.concatenate([np.ones(warmup_steps), cosine_decay(steps - warmup_steps)])``.

    Returns
    -------
    ndarray, shape (steps,)

    Conventions
    -----------
    PyTorch ``lr_scheduler.LinearLR(optimizer, start_factor=1 / warmup_steps, total_iters=warmup_steps - 1)``
    gives the same multipliers; with ``then``, ``LambdaLR(optimizer, lambda k: schedule[k])`` (the decay that
    starts after the warm-up is ``SequentialLR`` of that ``LinearLR`` and ``CosineAnnealingLR(optimizer,
    T_max=steps - warmup_steps)`` at ``milestones=[warmup_steps]``).

    References
    ----------
    P. Goyal et al., "Accurate, large minibatch SGD: training ImageNet in 1 hour", 2017.
    L. Liu et al., "On the variance of the adaptive learning rate and beyond", ICLR 2020.

    Examples
    --------
    >>> warmup(6, warmup_steps=4)
    array([0.25, 0.5 , 0.75, 1.  , 1.  , 1.  ])
    >>> warmup(6, warmup_steps=2, then=step_decay(6, every=3, factor=0.5))
    array([0.5, 1. , 1. , 0.5, 0.5, 0.5])
    """
    steps = check_count("warmup", "steps", steps, 1)
    warmup_steps = check_count("warmup", "warmup_steps", warmup_steps, 1, "1 is no warm-up.")
    if warmup_steps > steps:
        raise ValueError(
            f"warmup: warmup_steps must be at most the {steps} steps of the run, got {warmup_steps}: the "
            "learning rate would never reach its full value."
        )
    schedule = np.ones(steps) if then is None else check_schedule("warmup", then, steps, name="then").copy()
    schedule[:warmup_steps] = np.arange(1, warmup_steps + 1) / warmup_steps
    return schedule


# ----------------------------------------------------------------------------------------------------
# Runs after a moving target


class Tracking(NamedTuple):
    """What :func:`track_target` recorded.

    Attributes
    ----------
    gaps : ndarray, shape (steps + 1, *batch)
        ``gaps[k]`` is ``f - f*`` after ``k`` steps, measured against the minimiser in force for the next
        step, ``targets[k]`` (the last one for ``k = steps``): a jump shows at the step where it happens.
    effective_lrs : ndarray, shape (steps, *x0.shape)
        The optimizer's effective learning rate per coordinate after each step
        (:meth:`lessons_lib.Optimizer.effective_lr`).
    """

    gaps: np.ndarray
    effective_lrs: np.ndarray


def track_target(
    optimizer: Optimizer,
    curvatures,
    targets,
    x0,
    *,
    sigma: float = 0.0,
    seed: int | None = 0,
    restart_at=None,
) -> Tracking:
    """Run ``optimizer`` on a quadratic whose minimiser moves: ``f_k(x) = sum(curv * (x - c_k)**2) / 2``.

    Step ``k + 1`` uses the gradient ``curvatures * (x - targets[k])``, plus independent Gaussian noise of
    standard deviation ``sigma`` per coordinate when ``sigma > 0`` (as mini-batches give), drawn from a
    generator seeded by ``seed``. A batch of starts runs as one array.

    Parameters
    ----------
    optimizer : Optimizer
        Any optimizer of the course (its ``init``, ``step`` and ``effective_lr`` are used).
    curvatures : array_like, shape (d,)
        The quadratic's curvatures along the axes (``curv`` in the formula above).
    targets : array_like, shape (steps, d)
        The minimiser during each step, e.g. from :func:`lessons_lib.problems.jump_targets`.
    x0 : array_like, shape (d,) or (N, d)
    sigma : float >= 0
    seed : int or None
    restart_at : int or None
        Start the optimizer's state afresh (``optimizer.init``) before step ``restart_at + 1``, as if it were
        told that the problem changed.

    Returns
    -------
    Tracking

    Examples
    --------
    Gradient descent with ``lr = 1`` on ``x**2 / 2`` lands on the minimiser in one step, wherever it is:

    >>> from lessons_lib import GradientDescent
    >>> from lessons_lib.problems import jump_targets
    >>> out = track_target(GradientDescent(lr=1.0), [1.0], jump_targets(3, 2, [[0.0], [2.0]]), [1.0])
    >>> out.gaps.tolist()  # after 2 steps the point 0 is 2 away from the new minimiser: f - f* = 2
    [0.5, 0.0, 2.0, 0.0]

    With ``lr = 0.5`` it halves the distance each step, and after the jump it starts again from afar:

    >>> out = track_target(GradientDescent(lr=0.5), [1.0], jump_targets(3, 2, [[0.0], [2.0]]), [1.0])
    >>> out.gaps.tolist()  # x = 1, 0.5, 0.25 (now 1.75 from the new minimiser 2), 1.125
    [0.5, 0.125, 1.53125, 0.3828125]
    """
    curvatures = np.asarray(curvatures, dtype=float)
    targets = np.asarray(targets, dtype=float)
    if curvatures.ndim != 1 or targets.ndim != 2 or targets.shape[1] != curvatures.size:
        raise ValueError(
            f"track_target: curvatures must have shape (d,) and targets (steps, d); got {curvatures.shape} "
            f"and {targets.shape}."
        )
    sigma = check_nonnegative("track_target", "sigma", sigma, "It is the standard deviation of the noise.")
    x = np.array(x0, dtype=float)
    rng = np.random.default_rng(seed)
    state = optimizer.init(x)
    gaps = np.empty((len(targets) + 1, *x.shape[:-1]))
    effective_lrs = np.empty((len(targets), *x.shape))
    if len(targets) == 0:
        raise ValueError("track_target: targets is empty; give one minimiser per step.")
    last = len(targets) - 1
    gaps[0] = 0.5 * np.sum(curvatures * (x - targets[0]) ** 2, axis=-1)
    for k, target in enumerate(targets):
        if restart_at is not None and k == restart_at:
            state = optimizer.init(x)
        g = curvatures * (x - target)
        if sigma > 0:
            g = g + sigma * rng.standard_normal(x.shape)
        x, state = optimizer.step(x, g, state)
        gaps[k + 1] = 0.5 * np.sum(curvatures * (x - targets[min(k + 1, last)]) ** 2, axis=-1)
        effective_lrs[k] = optimizer.effective_lr(x, state, check=False)
    return Tracking(gaps, effective_lrs)
