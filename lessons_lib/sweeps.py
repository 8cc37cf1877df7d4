"""Many runs of one optimizer at once: a grid of hyperparameters × a batch of starts, as one array run.

Lessons 05 to 08 compare optimizers fairly: each one gets a small grid of learning rates (sometimes of
``beta`` too), runs from many starts or with many seeds, and is shown at its best. :func:`sweep` runs such a
grid for **any** optimizer of the course through its batched entry point, ``update`` (so the maths lives in
one place, :mod:`lessons_lib.rules`): the hyperparameters the optimizer declares ``sweepable`` become arrays
that broadcast along leading axes of the point, and the whole grid advances as one NumPy array. A run
diverges by the course's one rule (:func:`lessons_lib.running.divergence_limit`), as in
:func:`lessons_lib.run`. Nothing here prints.

A :class:`Sweep` keeps the points and losses every ``every`` steps (long runs of many weights would not fit in
memory otherwise), the step at which each run diverged, and the time the steps took.

:func:`side_by_side` goes one step further for small deterministic problems: it runs one optimizer's grid on
several problems at once by laying their coordinates side by side in one array, and returns one Sweep per
problem, each what ``sweep`` gives it alone (bit for bit on the course's problems). A race over a testbed
(:func:`lessons_lib.races.race`) then costs one array run per optimizer instead of one per optimizer and
problem.

:func:`heavy_ball_steps` runs heavy-ball momentum on many quadratics at once, each with its own
``(lr, beta)``.

Array layout: ``points[k]`` has shape ``(*grid_shape, *x0.shape)`` where ``grid_shape`` has one axis per swept
hyperparameter, in the order given; ``losses[k]`` drops the last (coordinate) axis.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._validate import (
    as_real_array,
    check_bool,
    check_count,
    check_memory,
    check_positive,
    check_seed,
)
from .measures import first_staying
from .optimizers import Optimizer
from .problems import Problem
from .rules import momentum_update
from .running import (
    check_blowup,
    check_first_gradient,
    check_run_inputs,
    check_schedule,
    check_start_loss,
    check_tolerance,
    divergence_limit,
    raise_if_squares_overflowed,
    with_lr,
)

__all__ = [
    "Sweep",
    "heavy_ball_steps",
    "side_by_side",
    "sweep",
]


def _check_sweep_memory(owner, steps, every, grid_shape, x0, keep_points, keep_effective_lrs=False) -> None:
    """Refuse up front a sweep whose recorded points and losses would not fit in memory."""
    records = steps // every + 2
    runs = int(np.prod(grid_shape, dtype=np.int64)) * (x0.size // x0.shape[-1])
    per_point = keep_points + keep_effective_lrs
    per_record = runs * (x0.shape[-1] * per_point + 1) + 2 * runs * x0.shape[-1]  # + the live x and state
    check_memory(
        owner,
        f"steps = {steps} recorded every {every} for {runs} runs of {x0.shape[-1]} coordinates",
        8 * per_record * records,
        "Record less often (a larger every), keep_points=False, or fewer steps, starts or grid values.",
    )


@dataclass(frozen=True, eq=False)
class Sweep:
    """What :func:`sweep` did.

    Attributes
    ----------
    optimizer, problem
        The base setting and what it ran on.
    grid : dict of str to ndarray
        The swept hyperparameters and their values, one axis of the results each, in this order.
    steps : ndarray of int
        The step numbers that were recorded (0, every, 2 every, ..., and the last).
    points : ndarray, shape (len(steps), *grid_shape, *x0.shape), or None
        The recorded points (None with ``keep_points=False``); NaN after a divergence.
    losses : ndarray, shape (len(steps), *grid_shape, *x0.shape[:-1])
        ``problem.f`` at the recorded points; NaN after a divergence.
    diverged_steps : ndarray of int, shape (*grid_shape, *x0.shape[:-1])
        The step at which each run diverged, -1 where it did not.
    seconds : float
        Wall time of the gradient and update computations of all runs (the loss records not included).
    state : NamedTuple or None
        The optimizer state after the last step, its arrays of the shape of one record of ``points`` (for
        example Adagrad's sums of squared gradients, ``state.s``); None from :func:`side_by_side`.
    effective_lrs : ndarray or None, shape (len(steps), *grid_shape, *x0.shape)
        With ``keep_effective_lrs=True``: the effective learning rate of the step that led to each record
        (:meth:`lessons_lib.Optimizer.effective_lr`; row 0, the start, is NaN).
    gradient_scales : ndarray or None
        The factors the gradients were multiplied by, one axis of the results after the grid's.
    drift : ndarray or None
        How far the landscape moved per step; the points are then offsets from the moving landscape.
    """

    optimizer: Optimizer
    problem: Problem
    grid: dict
    steps: np.ndarray
    points: np.ndarray | None
    losses: np.ndarray
    diverged_steps: np.ndarray
    seconds: float
    state: tuple | None = None
    effective_lrs: np.ndarray | None = None
    gradient_scales: np.ndarray | None = None
    drift: np.ndarray | None = None

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """One length per swept hyperparameter (and one for the gradient scales, if any)."""
        scales = () if self.gradient_scales is None else (len(self.gradient_scales),)
        return tuple(len(v) for v in self.grid.values()) + scales

    @property
    def diverged(self) -> np.ndarray:
        """Which runs diverged, shape ``(*grid_shape, *batch)``."""
        return self.diverged_steps >= 0

    @property
    def gaps(self) -> np.ndarray:
        """``losses - f_min`` (needs a problem with a known minimum)."""
        if self.problem.f_min is None:
            raise ValueError(
                f"Sweep: the minimum of {self.problem.name} is not known, so the gap f - f_min is not "
                "either; use .losses."
            )
        return self.losses - self.problem.f_min

    def steps_to(self, tol: float) -> np.ndarray:
        """The first recorded step from which ``f - f_min <= tol`` holds to the end, per run; -1 if never.

        Shape ``(*grid_shape, *batch)``. A diverged run never reaches (its losses end in NaN).
        """
        tol = check_tolerance("Sweep.steps_to", tol)
        return first_staying(self.gaps <= tol, self.steps)

    def setting(self, *index: int) -> Optimizer:
        """The optimizer at one point of the grid, e.g. ``sweep.setting(2)`` for the third learning rate."""
        if len(index) != len(self.grid):
            raise ValueError(
                f"Sweep.setting: give one index per swept hyperparameter ({', '.join(self.grid)}), "
                f"got {len(index)}."
            )
        values = {name: float(values[i]) for (name, values), i in zip(self.grid.items(), index, strict=True)}
        return self.optimizer.replace(**values)

    def __repr__(self):
        grid = ", ".join(f"{name}: {len(v)} values" for name, v in self.grid.items()) or "no grid"
        if self.gradient_scales is not None:
            grid += f", {len(self.gradient_scales)} gradient scales"
        if self.drift is not None:
            grid += f", drift {self.drift.tolist()} per step"
        return (
            f"Sweep({self.optimizer.label()} on {self.problem.name}, {grid}, {int(self.steps[-1])} steps, "
            f"{int(self.diverged.sum())} of {self.diverged.size} runs diverged)"
        )


def _batched(optimizer: Optimizer, grid: dict, point_ndim: int) -> Optimizer:
    """A copy of ``optimizer`` whose swept hyperparameters are arrays along the grid's leading axes.

    Every value was validated by building the optimizer with it, so the copy skips validation.
    """
    batched = copy.copy(optimizer)
    n = len(grid)
    for axis, (name, values) in enumerate(grid.items()):
        shape = [1] * n + [1] * point_ndim
        shape[axis] = len(values)
        object.__setattr__(batched, name, values.reshape(shape))
    return batched


def _check_grid(optimizer: Optimizer, grid) -> dict:
    owner = type(optimizer).__name__
    if grid is not None and not isinstance(grid, Mapping):
        raise TypeError(
            f"sweep: grid must be None or a dict of hyperparameter name -> values, got {grid!r}, e.g. "
            '{"lr": [0.01, 0.1, 1.0]}.'
        )
    checked = {}
    for name, values in (grid or {}).items():
        if name not in optimizer.hyperparameters():
            known = ", ".join(optimizer.hyperparameters())
            raise ValueError(f"sweep: {owner} has no hyperparameter {name!r}; it has {known}.")
        if name not in optimizer.sweepable:
            raise ValueError(
                f"sweep: {name!r} cannot be swept; run one sweep per value instead. Sweepable: "
                f"{', '.join(optimizer.sweepable)}."
            )
        values = as_real_array("sweep", f"the values of {name}", values)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"sweep: the values of {name} must be a non-empty 1-D sequence, got {values!r}.")
        for value in values:
            optimizer.replace(**{name: float(value)})  # raises the optimizer's own teaching error
        checked[name] = values
    return checked


def _advance(
    owner,
    optimizer,
    batched,
    x,
    gradient,
    blocks,
    start_losses,
    blowup,
    steps,
    every,
    *,
    keep_points,
    keep_effective_lrs=False,
    shift=None,
    schedule=None,
):
    """The one loop of :func:`sweep` and :func:`side_by_side`: step every run of ``x`` as one array.

    ``blocks`` lists ``(problem, d)`` pairs: problem ``i`` owns the next ``d`` coordinates of the last axis
    (one pair for ``sweep``). ``gradient(x, k)`` returns the gradient for step ``k``. A run diverges by the
    course's one rule (:func:`lessons_lib.running.divergence_limit`), judged per problem at every recorded
    step (so every step when ``every = 1``) and at any step where a sum of squared gradients overflows; its
    point and loss at that step are kept, its later ones are NaN. ``start_losses`` are the losses of the
    starts (one array per block, broadcast over the grid): they are step 0's record. Returns the recorded
    steps, one points and one losses array per block, ``diverged_steps`` of shape ``(*batch, blocks)``, the
    seconds the steps took, the last state and the effective learning rates. Step ``k`` of a ``schedule``
    (checked) steps with ``batched`` at the learning rates ``batched.lr * schedule[k - 1]``, unchecked
    (:func:`with_lr`).
    """
    batch = x.shape[:-1]
    dims = [d for _, d in blocks]
    edges = np.concatenate([[0], np.cumsum(dims)])
    spans = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    single = len(blocks) == 1
    limits = [divergence_limit(p, f0, blowup) for (p, _), f0 in zip(blocks, start_losses, strict=True)]
    # One quick test per record (one BLAS call) while no run is near its limit: if the sum of the squared
    # losses is within the square of the lowest limit, every loss is within it (NaN and overflow fail it).
    lowest = [float(np.min(limit)) ** 2 if np.min(limit) > 0 else -1.0 for limit in limits]
    recorded = np.array(sorted(set(range(0, steps + 1, every)) | {steps}))
    points = [np.full((len(recorded), *batch, d), np.nan) if keep_points else None for d in dims]
    losses = [np.full((len(recorded), *batch), np.nan) for _ in blocks]
    effective_lrs = np.full((len(recorded), *x.shape), np.nan) if keep_effective_lrs else None
    diverged_steps = np.full((*batch, len(blocks)), -1, dtype=int)
    alive = np.ones((*batch, len(blocks)), dtype=bool)
    live = None  # per coordinate, once a run has diverged: its problem's run is still alive
    state = batched.init(x)
    squares = optimizer.squares
    seconds = 0.0
    row, record_at = 0, recorded.tolist() + [-1]
    stepper, multipliers = batched, None if schedule is None else schedule.tolist()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for k in range(steps + 1):
            newly = None
            if k > 0:
                start = time.perf_counter()
                g = gradient(x, k)
                if multipliers is not None:
                    stepper = with_lr(batched, batched.lr * multipliers[k - 1])
                x, state = stepper.update(x, g, state)
                if shift is not None:
                    x = x - shift
                seconds += time.perf_counter() - start
                for name in squares:  # g**2 overflowed: a run that is not diverging would step 0 from here on
                    if np.isinf(getattr(state, name)).any():
                        newly = _beyond(blocks, spans, x, limits, alive, newly)
                        still = alive & ~newly
                        mask = np.repeat(still, dims, axis=-1)
                        raise_if_squares_overflowed(owner, optimizer, state, name, g, mask, k)
            if k == record_at[row]:
                for i, (problem, _) in enumerate(blocks):
                    block = x if single else np.ascontiguousarray(x[..., spans[i][0] : spans[i][1]])
                    # at step 0 every run is at its start, whose loss is known: the same for every setting
                    loss = problem.f(block) if k > 0 else np.broadcast_to(start_losses[i], batch)
                    if not np.vdot(loss, loss) <= lowest[i]:
                        over = alive[..., i] & ~(loss <= limits[i])
                        if over.any():
                            newly = np.zeros(alive.shape, dtype=bool) if newly is None else newly
                            newly[..., i] |= over
                        if live is not None:
                            loss = np.where(alive[..., i], loss, np.nan)
                    losses[i][row] = loss
                    if keep_points:
                        points[i][row] = block
                if keep_effective_lrs and k > 0:
                    lrs = stepper.effective_lr(x, state, check=False)
                    effective_lrs[row] = lrs if live is None else np.where(live, lrs, np.nan)
                row += 1
            if newly is not None and newly.any():
                diverged_steps[newly] = k
                alive &= ~newly
                live = np.repeat(alive, dims, axis=-1)
                x = np.where(live, x, np.nan)
    return recorded, points, losses, diverged_steps, seconds, state, effective_lrs


def _beyond(blocks, spans, x, limits, alive, newly) -> np.ndarray:
    """``newly`` (or a new mask) with every live run whose loss is now past its limit, per problem."""
    newly = np.zeros(alive.shape, dtype=bool) if newly is None else newly
    for i, (problem, _) in enumerate(blocks):
        loss = problem.f(np.ascontiguousarray(x[..., spans[i][0] : spans[i][1]]))
        newly[..., i] |= alive[..., i] & ~(loss <= limits[i])
    return newly


def sweep(
    optimizer: Optimizer,
    problem: Problem,
    steps: int,
    x0=None,
    *,
    grid: dict | None = None,
    seed: int | None = 0,
    every: int = 1,
    keep_points: bool = True,
    blowup: float = 1e6,
    gradient_scales=None,
    drift=None,
    keep_effective_lrs: bool = False,
    schedule=None,
) -> Sweep:
    """Run ``optimizer`` for every combination of ``grid`` values from every start in ``x0``, as one array.

    Parameters
    ----------
    optimizer : Optimizer
        The base setting; the hyperparameters in ``grid`` replace its own.
    problem : Problem
        A stochastic problem draws independent mini-batches (noise) for every run, from one generator seeded
        by ``seed``: the rows of ``x0`` are then independent repetitions, even if they are the same point.
    steps : int >= 0
    x0 : array_like, shape (d,) or (N, d), optional
        Start, or a batch of starts (default ``problem.x0``).
    grid : dict of name -> sequence of float, optional
        Hyperparameters to sweep (any of the optimizer's ``sweepable`` ones), e.g.
        ``{"lr": [0.01, 0.1, 1.0]}``. Each value is checked as the optimizer's constructor checks it.
    seed : int or None
    every : int >= 1
        Record points and losses every ``every`` steps (and after the last).
    keep_points : bool
        Keep the recorded points (False saves memory when only losses are needed).
    blowup : float
        A run diverges when its gap to the minimum grows ``blowup`` times beyond its start's, or its loss is
        not finite: the rule of :func:`lessons_lib.run` (:func:`lessons_lib.running.divergence_limit`),
        judged at every recorded step (and wherever a sum of squared gradients overflows). The point and
        loss of that step are kept; later ones are NaN.
    gradient_scales : sequence of float > 0, optional
        Run every setting once per factor, with every gradient multiplied by it (as if the loss were): one
        more axis of the results, after the grid's (the losses recorded are those of ``problem`` itself). A
        rule that looks only at the gradient's direction and relative size takes the same path for every
        factor.
    drift : array_like, shape (d,), optional
        Make the landscape move: the loss at step ``k`` is ``problem.f(x - k * drift)``, so its minimiser
        moves by ``drift`` per step, and step ``k`` uses the gradient of the landscape at step ``k - 1``. The
        recorded points are then the offsets from the moving landscape, ``x_k - k * drift``, so that
        ``losses`` and ``problem.gap(points)`` say how far each run trails its target.
    keep_effective_lrs : bool
        Also record the effective learning rate of each recorded step, per coordinate.
    schedule : array_like, shape (steps,), optional
        Learning-rate multipliers, as in :func:`lessons_lib.run`: step ``k`` (from 0) of every run uses its
        own ``lr * schedule[k]``, so one schedule scales a whole grid of learning rates.

    Returns
    -------
    Sweep

    Examples
    --------
    Adam's first step is about ``lr`` in every coordinate, whatever the gradient; three learning rates:

    >>> from lessons_lib import Adam, ravine
    >>> s = sweep(Adam(lr=0.1), ravine(10), steps=1, grid={"lr": [0.01, 0.1, 1.0]})
    >>> (s.points[1] - s.points[0]).round(4)  # shape (lrs, d); the start is (-8, 2)
    array([[ 0.01, -0.01],
           [ 0.1 , -0.1 ],
           [ 1.  , -1.  ]])

    Gradient descent's step grows with the gradient, RMSProp's does not:

    >>> from lessons_lib import GradientDescent, RMSProp
    >>> for opt in (GradientDescent(lr=0.1), RMSProp(lr=0.1)):
    ...     s = sweep(opt, ravine(10), steps=1, gradient_scales=[1e-3, 1.0, 1e3])
    ...     print(type(opt).__name__, (s.points[1] - s.points[0])[:, 0].round(4).tolist())
    GradientDescent [0.0008, 0.8, 800.0]
    RMSProp [0.3162, 0.3162, 0.3162]

    >>> sweep(Adam(lr=0.1), ravine(10), steps=1, grid={"beta1": [0.9, 1.0]})
    Traceback (most recent call last):
    ...
    ValueError: Adam: beta1 must be in [0, 1), got 1.0. With beta1 = 1 the first moment (momentum) never \
forgets its start and the bias correction divides by 0.
    """
    x0 = check_run_inputs("sweep", optimizer, problem, steps, x0)
    every = check_count("sweep", "every", every, 1)
    seed = check_seed("sweep", seed)
    keep_points = check_bool("sweep", "keep_points", keep_points)
    blowup = check_blowup("sweep", blowup)
    keep_effective_lrs = check_bool("sweep", "keep_effective_lrs", keep_effective_lrs)
    grid = _check_grid(optimizer, grid)
    scales = _check_gradient_scales(gradient_scales)
    shift = _check_drift(problem, drift)
    # The grid's corners, checked as settings: a rule over two hyperparameters (AdamW's lr * weight_decay < 1)
    # that each value of the grid passes alone may fail for a pair; then the schedule's learning rates there.
    settings = []
    for corner in itertools.product(*[(float(v.min()), float(v.max())) for v in grid.values()]):
        try:
            settings.append(optimizer.replace(**dict(zip(grid, corner, strict=True))))
        except ValueError as error:
            pairs = ", ".join(f"{name} = {value!r}" for name, value in zip(grid, corner, strict=True))
            raise ValueError(
                f"sweep: the grid's setting {pairs} is not one the optimizer accepts: {error}"
            ) from None
    schedule = check_schedule("sweep", schedule, steps, settings)
    grid_shape = tuple(len(v) for v in grid.values()) + (() if scales is None else (len(scales),))
    _check_sweep_memory("sweep", steps, every, grid_shape, x0, keep_points, keep_effective_lrs)
    batched = _batched(optimizer, grid, x0.ndim + (scales is not None))
    scale = None if scales is None else scales.reshape(-1, *(1,) * x0.ndim)
    rng = np.random.default_rng(seed) if problem.stochastic else None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        start_losses = problem.f(x0)
    check_start_loss("sweep", problem, x0, start_losses)

    def gradient(x, k):
        # With a drift, x is the offset from the moving landscape: every rule of the course steps the same
        # whatever the point's origin, so the run is stepped in the landscape's frame.
        g = problem.sample_grad(x, rng) if rng is not None else problem.grad(x)
        if k == 1:
            g = check_first_gradient("sweep", problem, x, g)
        return g if scale is None else scale * g

    x = np.broadcast_to(x0, grid_shape + x0.shape).copy()
    out = _advance(
        "sweep",
        optimizer,
        batched,
        x,
        gradient,
        [(problem, x0.shape[-1])],
        [start_losses],
        blowup,
        steps,
        every,
        keep_points=keep_points,
        keep_effective_lrs=keep_effective_lrs,
        shift=shift,
        schedule=schedule,
    )
    recorded, points, losses, diverged_steps, seconds, state, effective_lrs = out
    points, losses, diverged_steps = (
        None if points[0] is None else points[0],
        losses[0],
        diverged_steps[..., 0],
    )
    return Sweep(
        optimizer=optimizer,
        problem=problem,
        grid=grid,
        steps=recorded,
        points=points,
        losses=losses,
        diverged_steps=diverged_steps,
        seconds=seconds,
        state=state,
        effective_lrs=effective_lrs,
        gradient_scales=scales,
        drift=shift,
    )


def _check_gradient_scales(scales) -> np.ndarray | None:
    if scales is None:
        return None
    values = as_real_array("sweep", "gradient_scales", scales)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError(
            "sweep: gradient_scales must be a non-empty 1-D sequence of finite numbers > 0, got "
            f"{values.tolist() if values.size <= 12 else f'an array of shape {values.shape}'}. Each one "
            "multiplies every gradient of its runs."
        )
    return values


def _check_drift(problem: Problem, drift) -> np.ndarray | None:
    if drift is None:
        return None
    values = as_real_array("sweep", "drift", drift, finite=True)
    if values.shape != (problem.dim,):
        raise ValueError(
            f"sweep: drift must have one number per coordinate of {problem.name} (shape ({problem.dim},)), "
            f"got shape {values.shape}. It is how far the landscape moves in each step."
        )
    return values


# ----------------------------------------------------------------------------------------------------
# Several deterministic problems as one array run


def _deterministic_problems(owner: str, problems) -> list[Problem]:
    problems = list(problems)
    if not problems:
        raise ValueError(f"{owner}: give at least one problem.")
    for p in problems:
        if not isinstance(p, Problem):
            raise TypeError(f"{owner}: every problem must be a lessons_lib Problem, got {type(p).__name__}.")
        if p.stochastic:
            raise ValueError(
                f"{owner}: {p.name} draws noisy gradients; side by side, the problems would share one "
                "random stream and no run would match its run alone. Use lessons_lib.sweeps.sweep for it."
            )
    return problems


def _batched_per_block(optimizer: Optimizer, grids: list, dims: list, point_ndim: int) -> Optimizer:
    """Like :func:`_batched`, with each problem's own grid values on its block of coordinates.

    A swept hyperparameter becomes an array with one axis per swept name and a last axis of one value per
    coordinate: problem ``i``'s values repeated over its ``dims[i]`` coordinates.
    """
    batched = copy.copy(optimizer)
    n = len(grids[0])
    for axis, name in enumerate(grids[0]):
        values = np.concatenate(
            [np.repeat(g[name][:, None], d, axis=1) for g, d in zip(grids, dims, strict=True)], axis=1
        )
        shape = [1] * n + [1] * (point_ndim - 1) + [values.shape[1]]
        shape[axis] = values.shape[0]
        object.__setattr__(batched, name, values.reshape(shape))
    return batched


def side_by_side(
    optimizer: Optimizer,
    problems,
    steps: int,
    starts,
    *,
    grid=None,
    every: int = 1,
    keep_points: bool = True,
    blowup: float = 1e6,
) -> list[Sweep]:
    """Run ``optimizer`` over a ``grid`` on several deterministic problems at once; one Sweep per problem.

    The problems' coordinates are laid side by side in one array: problem ``i`` owns the coordinates
    ``edges[i]:edges[i+1]``. Each step computes every problem's gradient on its own coordinates and then takes
    one step of the optimizer on the whole array. The update rules of the course (gradient descent, both
    forms of momentum, Adagrad, RMSProp and its variants, Adam) act coordinate by coordinate once they have
    the gradient, so every problem follows the path that :func:`sweep` gives it alone: bit for bit on the
    course's problems, which the tests check for every optimizer (each loss is computed on a contiguous copy
    of its block, as ``sweep`` has it). Divergence is judged per problem, with the rule of ``sweep`` and
    ``run``: a run of one problem whose loss diverges turns NaN from the next step on, without touching the
    other problems' runs; both run in the same loop. A step of several small problems at once costs about as
    much as a step of one of them, which is what keeps a race over a testbed within a lesson's time budget.

    Parameters
    ----------
    optimizer : Optimizer
    problems : sequence of Problem
        Deterministic problems (a noisy one raises: the problems would share one random stream).
    steps : int >= 0
    starts : sequence of array_like
        One batch of starts per problem, shapes ``(N, d_i)`` with the same ``N`` for all (or ``(d_i,)``).
    grid : dict of name -> sequence of float, or a sequence of such dicts, one per problem
        As in :func:`sweep`, the same values for every problem; or each problem's own values (the same names,
        and the same number of values for each name), e.g. learning rates on each problem's scale ``1 / L``.
    every, keep_points, blowup
        As in :func:`sweep`.

    Returns
    -------
    list of Sweep
        One per problem, in order, as ``sweep`` would return it (with that problem's grid); ``seconds`` is the
        time of the whole side by side run (gradients and updates), the same in each.

    Examples
    --------
    Gradient descent on two ravines at once, with two learning rates; each result is that of a run alone:

    >>> from lessons_lib import GradientDescent, ravine
    >>> problems = [ravine(10), ravine(100)]
    >>> starts = [p.random_starts(3, seed=0) for p in problems]
    >>> both = side_by_side(GradientDescent(lr=0.01), problems, 50, starts, grid={"lr": [0.01, 0.019]})
    >>> alone = sweep(GradientDescent(lr=0.01), problems[1], 50, starts[1], grid={"lr": [0.01, 0.019]})
    >>> bool(np.array_equal(both[1].points, alone.points))
    True
    >>> both[1].diverged.any(axis=-1)  # lr = 0.019 < 2/L = 0.02: stable on both
    array([False, False])

    Each problem's own learning rates, 0.5/L and 1.9/L:

    >>> own = side_by_side(GradientDescent(lr=0.01), problems, 50, starts,
    ...                    grid=[{"lr": [0.5 / p.L, 1.9 / p.L]} for p in problems])
    >>> [s.grid["lr"].tolist() for s in own]
    [[0.05, 0.19], [0.005, 0.019]]
    """
    owner = "side_by_side"
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{owner}: optimizer must be a lessons_lib optimizer, got {type(optimizer).__name__}."
        )
    problems = _deterministic_problems(owner, problems)
    steps = check_count(owner, "steps", steps, 0)
    every = check_count(owner, "every", every, 1)
    keep_points = check_bool(owner, "keep_points", keep_points)
    blowup = check_blowup(owner, blowup)
    starts = [as_real_array(owner, "starts", s) for s in starts]
    if len(starts) != len(problems):
        raise ValueError(
            f"{owner}: give one batch of starts per problem: {len(problems)}, got {len(starts)}."
        )
    for p, s in zip(problems, starts, strict=True):
        if s.ndim == 0 or s.shape[-1] != p.dim:
            raise ValueError(
                f"{owner}: the starts of {p.name} must have {p.dim} coordinates on their last axis, "
                f"got shape {s.shape}."
            )
    if len({s.shape[:-1] for s in starts}) != 1:
        shapes = ", ".join(str(s.shape) for s in starts)
        raise ValueError(f"{owner}: every problem needs the same number of starts, got shapes {shapes}.")
    start_losses = []
    for p, s in zip(problems, starts, strict=True):
        if not np.isfinite(s).all():
            bad = float(s[~np.isfinite(s)].flat[0])
            raise ValueError(
                f"{owner}: the starts of {p.name} must be finite, got {bad!r} among them. A run from a NaN "
                "or infinite point has nowhere to go."
            )
        with np.errstate(over="ignore", invalid="ignore"):
            start_losses.append(p.f(s))
        check_start_loss(owner, p, s, start_losses[-1])
    if grid is None or isinstance(grid, dict):
        grids = [_check_grid(optimizer, grid)] * len(problems)
    else:
        grids = [_check_grid(optimizer, g) for g in grid]
        if len(grids) != len(problems):
            raise ValueError(f"{owner}: give one grid per problem: {len(problems)}, got {len(grids)}.")
        layout = [{name: len(v) for name, v in g.items()} for g in grids]
        if any(lay != layout[0] for lay in layout):
            raise ValueError(
                f"{owner}: every problem's grid needs the same names and numbers of values, got "
                f"{', '.join(str(lay) for lay in layout)}."
            )
    shared = all(all(np.array_equal(g[name], grids[0][name]) for name in g) for g in grids)

    dims = [p.dim for p in problems]
    edges = np.concatenate([[0], np.cumsum(dims)])
    blocks = list(zip(edges[:-1], edges[1:], strict=True))
    x0 = np.concatenate(starts, axis=-1)
    grid_shape = tuple(len(v) for v in grids[0].values())
    _check_sweep_memory(owner, steps, every, grid_shape, x0, keep_points)
    batched = (
        _batched(optimizer, grids[0], x0.ndim)
        if shared
        else _batched_per_block(optimizer, grids, dims, x0.ndim)
    )

    def gradient(x, k):
        return np.concatenate(
            [p.grad(x[..., a:b]) for p, (a, b) in zip(problems, blocks, strict=True)], axis=-1
        )

    x = np.broadcast_to(x0, grid_shape + x0.shape).copy()
    recorded, points, losses, diverged_steps, seconds, _, _ = _advance(
        owner,
        optimizer,
        batched,
        x,
        gradient,
        [(p, p.dim) for p in problems],
        start_losses,
        blowup,
        steps,
        every,
        keep_points=keep_points,
    )
    return [
        Sweep(
            optimizer=optimizer,
            problem=p,
            grid=grids[i],
            steps=recorded,
            points=points[i],
            losses=losses[i],
            diverged_steps=diverged_steps[..., i],
            seconds=seconds,
        )
        for i, p in enumerate(problems)
    ]


# ----------------------------------------------------------------------------------------------------
# Heavy ball on many quadratics at once


def heavy_ball_steps(hessians, lrs, betas, x0, steps: int, *, tol: float) -> np.ndarray:
    """Steps of heavy-ball momentum until ``|x - x*| <= tol |x0 - x*|`` for good, on each quadratic.

    The summed form ``v = beta v + g; x = x - lr v`` (:func:`lessons_lib.momentum_update` with
    ``averaged=False``), in which Polyak's optimum and the rates of lesson 02 are written; ``beta = 0`` is
    gradient descent. Every setting runs on every quadratic from every start, as one array, each setting
    with its own ``(lr, beta)`` per quadratic (the best ones depend on the condition number).

    Parameters
    ----------
    hessians : array_like, shape (K, d, d)
        The quadratics ``x·Hx/2`` (minimiser 0), e.g. from :func:`lessons_lib.problems.rotated_quadratics`.
    lrs, betas : array_like, shape (S, K)
        Setting ``s`` on quadratic ``k`` uses ``lrs[s, k]`` and ``betas[s, k]``.
    x0 : array_like, shape (N, d)
    steps : int
    tol : float in (0, 1)

    Returns
    -------
    ndarray of int, shape (S, K, N)
        The first step from which each run stays within ``tol`` of its starting distance; -1 if that does not
        happen within ``steps`` (or the run diverged).

    Examples
    --------
    Gradient descent at ``lr = 2/(L + mu)`` shrinks every direction by ``(kappa-1)/(kappa+1)`` per step, so
    on ``kappa = 10`` it needs ``ln(1e-2)/ln(9/11) = 22.9`` steps to shrink the distance a hundredfold:

    >>> from lessons_lib.problems import rotated_quadratics
    >>> H = rotated_quadratics([10.0])
    >>> x0 = np.random.default_rng(0).standard_normal((5, 2))
    >>> heavy_ball_steps(H, [[2 / 11]], [[0.0]], x0, 100, tol=1e-2)
    array([[[23, 23, 23, 23, 23]]])
    """
    tol = check_positive("heavy_ball_steps", "tol", tol)
    if tol >= 1:
        raise ValueError(f"heavy_ball_steps: tol must be below 1, got {tol!r}.")
    hessians = np.asarray(hessians, dtype=float)
    x0 = np.asarray(x0, dtype=float)
    if hessians.ndim != 3 or hessians.shape[1] != hessians.shape[2]:
        raise ValueError(f"heavy_ball_steps: hessians must have shape (K, d, d), got {hessians.shape}.")
    if x0.ndim != 2 or x0.shape[1] != hessians.shape[1]:
        raise ValueError(f"heavy_ball_steps: x0 must have shape (N, {hessians.shape[1]}), got {x0.shape}.")
    lr, beta = np.broadcast_arrays(np.asarray(lrs, dtype=float), np.asarray(betas, dtype=float))
    if lr.ndim != 2 or lr.shape[1] != len(hessians):
        raise ValueError(
            f"heavy_ball_steps: lrs and betas must have shape (S, K), K = {len(hessians)}, got {lr.shape}."
        )
    if np.any(~(lr > 0)) or np.any(~((beta >= 0) & (beta < 1))):
        raise ValueError("heavy_ball_steps: every lr must be > 0 and every beta in [0, 1).")
    lr, beta = lr[..., None, None], beta[..., None, None]
    x = np.broadcast_to(x0, (*lr.shape[:2], *x0.shape)).copy()
    v = np.zeros_like(x)
    limit = tol**2 * np.einsum("...i,...i->...", x, x)
    last_outside = np.zeros(x.shape[:-1], dtype=int)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            x, v = momentum_update(x, x @ hessians, v, lr=lr, beta=beta, averaged=False)  # g = Hx
            outside = ~(np.einsum("...i,...i->...", x, x) <= limit)  # NaN (diverged) is outside
            last_outside[outside] = k
    return np.where(last_outside < steps, last_outside + 1, -1)
