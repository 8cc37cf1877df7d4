"""The race to a tolerance: several optimizers on several problems, each at its best learning rate.

A fair race gives every optimizer a small grid of learning rates, runs every setting from the same many
starts, and shows each optimizer at its best, with the rule for "best" stated. :func:`race` does that: it runs
each optimizer's whole learning-rate grid from all the starts as one array, through the optimizer's own
``step`` — the problems that share a number of steps side by side in that one array
(:func:`lessons_lib.sweeps.side_by_side`, each problem exactly as :func:`lessons_lib.sweeps.sweep` runs it
alone), a noisy problem on its own with ``sweep`` — counts the steps each run needs to reach a tolerance, and
picks the best learning rate by one rule:

    **best** = the highest success rate; among learning rates with that rate, the fewest median steps
    (median over the runs that succeed).

A run *succeeds* when it gets within the tolerance **and stays there** until the end of the run:

* ``measure="gap"`` (default): ``f(x) - f_min <= tol``. On a problem with a worse local minimum this can only
  hold near a global minimum (for ``tol`` below the gap between the minima), so only runs that find a global
  minimum count; on the saddle either minimum is global.
* ``measure="relative gap"``: ``f(x) - f_min <= tol * (f(x_0) - f_min)``, a fraction of the run's own
  starting gap, so that problems whose losses have different scales (a testbed) share one tolerance;
* ``measure="distance"``: ``|x - x*| <= tol * |x_0 - x*|``, a fraction of the start's distance to the
  minimiser (the distance is dominated by the flat directions, where the condition number bites).

A diverged run never succeeds. Nothing here prints: :meth:`Race.table` returns a string.

**Chaotic runs** (``nudges >= 1``). An adaptive rule whose steps stay about lr long hovers near the minimum,
and the hovering can be chaotic: when such a run last leaves the tolerance, or whether it is inside at the
last step, is then decided by round-off, so its steps — and a median or a success rate over it — change from
one CPU to another. With ``nudges`` the race runs every start with that many seeded copies, each moved by a
relative ``nudge_size`` (1e-8), and sets apart as *chaotic* the runs whose copies part or whose distance grows
ten-thousandfold (:func:`lessons_lib.measures.chaotic_runs`). A chaotic run does not count as a success:
the success rate and the median are those of the decided runs, which a run from a start moved by round-off
follows to the end. Tested as it fails: :file:`tools/perturb_check.py` moves every start by a relative 1e-12
and compares the printed tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .._validate import as_real_array, check_count, check_positive, check_seed
from ..measures import chaotic_runs, first_staying, nudged_copies
from ..optimizers import Optimizer
from ..problems import Problem
from ..running import Trajectory, run
from ..sweeps import side_by_side, sweep

__all__ = [
    "MEASURES",
    "Entry",
    "Race",
    "best_index",
    "race",
]

#: What a tolerance can be measured on; see the module docstring.
MEASURES = ("gap", "distance", "relative gap")


# ----------------------------------------------------------------------------------------------------
# The rule for "best"


def best_index(success_rates, median_steps) -> int:
    """The index of the best learning rate: highest success rate, then fewest median steps, then smallest lr.

    Parameters
    ----------
    success_rates : array_like, shape (n,)
        Fraction of the runs that succeeded, per learning rate (in increasing order of lr).
    median_steps : array_like, shape (n,)
        Median steps of the runs that succeeded (NaN where none did).

    Examples
    --------
    >>> best_index([0.9, 1.0, 1.0, 0.2], [10, 80, 40, 5])  # 100 % twice: the faster of the two
    2
    >>> best_index([0.0, 0.0], [np.nan, np.nan])  # nobody succeeds: the smallest lr
    0
    """
    rates = np.asarray(success_rates, dtype=float)
    steps = np.nan_to_num(np.asarray(median_steps, dtype=float), nan=np.inf)
    if rates.ndim != 1 or rates.shape != steps.shape or rates.size == 0:
        raise ValueError(
            f"best_index: give one success rate and one median per learning rate, got shapes {rates.shape} "
            f"and {steps.shape}."
        )
    return int(np.lexsort((np.arange(rates.size), steps, -rates))[0])


# ----------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, eq=False)
class Entry:
    """One optimizer on one problem: its whole learning-rate grid, and which learning rate was best.

    Attributes
    ----------
    problem : Problem
    optimizer : Optimizer
        The base setting; the grid replaces its ``lr``.
    lrs : ndarray, shape (n_lrs,)
    reached_at : ndarray of int, shape (n_lrs, n_starts)
        The first recorded step from which each run stays within the tolerance; -1 if it never does.
    diverged : ndarray of bool, shape (n_lrs, n_starts)
    steps : int
        The length of every run.
    seconds : float
        Wall time of the steps of the array run that included this pair
        (:attr:`lessons_lib.sweeps.Sweep.seconds`), shared with the problems that ran side by side with it.
    chaotic : ndarray of bool, shape (n_lrs, n_starts), or None
        With a race's ``nudges``: the runs whose nudged copies parted (their ``reached_at`` is -1); None
        without nudges (no run is judged chaotic).
    """

    problem: Problem
    optimizer: Optimizer
    lrs: np.ndarray
    reached_at: np.ndarray
    diverged: np.ndarray
    steps: int
    seconds: float
    chaotic: np.ndarray | None = None

    @property
    def chaotic_share(self) -> float:
        """Fraction of the runs at the best learning rate that are chaotic (0 without nudges)."""
        return 0.0 if self.chaotic is None else float(self.chaotic[self.best_index].mean())

    @property
    def success(self) -> np.ndarray:
        """Which runs succeeded, shape ``(n_lrs, n_starts)``."""
        return self.reached_at >= 0

    @property
    def success_rates(self) -> np.ndarray:
        """Fraction of the starts that succeeded, per learning rate."""
        return self.success.mean(axis=1)

    @property
    def median_steps(self) -> np.ndarray:
        """Median steps of the runs that succeeded, per learning rate (NaN where none did)."""
        out = np.full(len(self.lrs), np.nan)
        for i, (row, ok) in enumerate(zip(self.reached_at, self.success, strict=True)):
            if ok.any():
                out[i] = np.median(row[ok])
        return out

    @property
    def best_index(self) -> int:
        """Index of the best learning rate (:func:`best_index`)."""
        return best_index(self.success_rates, self.median_steps)

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best_index])

    @property
    def best(self) -> Optimizer:
        """The optimizer at its best learning rate."""
        return self.optimizer.replace(lr=self.best_lr)

    @property
    def success_rate(self) -> float:
        """Success rate at the best learning rate."""
        return float(self.success_rates[self.best_index])

    @property
    def median(self) -> float:
        """Median steps at the best learning rate (NaN if no run succeeded)."""
        return float(self.median_steps[self.best_index])

    @property
    def best_steps(self) -> np.ndarray:
        """Steps to the tolerance of every start at the best learning rate (-1: never)."""
        return self.reached_at[self.best_index]

    @property
    def best_at_edge(self) -> bool:
        """True if the best learning rate is the smallest or the largest of the grid (widen the grid?)."""
        return self.best_index in (0, len(self.lrs) - 1)

    def __repr__(self):
        median = "never" if math.isnan(self.median) else f"median {self.median:.0f} steps"
        return (
            f"Entry({self.best.label()} on {self.problem.name}: {self.success_rate:.0%} succeed, {median}, "
            f"best of {len(self.lrs)} lrs)"
        )


@dataclass(frozen=True, eq=False)
class Race:
    """What :func:`race` found: one :class:`Entry` per (problem, optimizer), by name.

    Attributes
    ----------
    problems : dict of str to Problem
    optimizers : dict of str to Optimizer
    entries : dict of (problem name, optimizer name) to Entry
    tol : dict of str to float
        The tolerance of each problem.
    measure : {"gap", "distance", "relative gap"}
    every : int
        Losses (or points) were recorded every ``every`` steps, so steps to the tolerance are multiples of it
        (or the last step).
    seconds : float
        Wall time of all the runs' steps (each array run counted once).
    """

    problems: dict
    optimizers: dict
    entries: dict
    tol: dict
    measure: str
    every: int
    seconds: float

    def entry(self, problem: str, optimizer: str) -> Entry:
        """The entry of one pair, by names (a clear error lists the names if one is unknown)."""
        for name, known in ((problem, self.problems), (optimizer, self.optimizers)):
            if name not in known:
                raise KeyError(f"Race: no {name!r} in this race; it has {', '.join(known)}.")
        return self.entries[problem, optimizer]

    def best(self, problem: str, optimizer: str) -> Optimizer:
        """The optimizer at its best learning rate on one problem."""
        return self.entry(problem, optimizer).best

    def best_lrs(self) -> dict[str, dict[str, float]]:
        """Each optimizer's best learning rate on each problem, ``{problem: {optimizer: lr}}``; a pair that
        never succeeds is left out (e.g. to start :class:`lessons_lib.widgets.TestbedRace` at the race's
        best settings)."""
        return {
            p: {o: self.entries[p, o].best_lr for o in self.optimizers if self.entries[p, o].success_rate > 0}
            for p in self.problems
        }

    def best_runs(self, problem: str, *, steps: int | None = None, x0=None) -> dict[str, Trajectory]:
        """Each optimizer at its best learning rate on ``problem``, run from ``x0`` (default: the problem's
        default start) for ``steps`` (default: the race's), by optimizer name."""
        entries = {o: self.entry(problem, o) for o in self.optimizers}  # a clear error for an unknown name
        return {
            o: run(e.best, e.problem, e.steps if steps is None else steps, x0) for o, e in entries.items()
        }

    def rows(self) -> list[dict]:
        """One dict per (problem, optimizer): names, best lr, success rate, median steps, edge flag."""
        return [
            {
                "problem": p,
                "optimizer": o,
                "best_lr": e.best_lr,
                "success_rate": e.success_rate,
                "median_steps": e.median,
                "best_at_edge": e.best_at_edge,
            }
            for (p, o), e in self.entries.items()
        ]

    def winners(self) -> dict[str, list[str]]:
        """Per problem, the optimizer(s) ranked first by the rule for "best" (rate, then median steps)."""
        out = {}
        for p in self.problems:
            keys = {
                o: (-self.entries[p, o].success_rate, np.nan_to_num(self.entries[p, o].median, nan=np.inf))
                for o in self.optimizers
            }
            top = min(keys.values())
            out[p] = [o for o, k in keys.items() if k == top and self.entries[p, o].success_rate > 0]
        return out

    def table(self) -> str:
        """The race as text: per problem, each optimizer's median steps (success rate), then its best lr.

        Medians are rounded to whole steps, rates to whole per cent, learning rates to 3 significant digits;
        "never" means that no run succeeded at any learning rate of the grid. With nudges, the share of
        chaotic runs at the best learning rate follows the rate where it is not 0: ``185 (8%, 24% chaotic)``.
        """
        names = list(self.optimizers)
        rows = [[""] + names]
        for p in self.problems:
            cells, lrs = [p], ["  best lr"]
            for o in names:
                e = self.entries[p, o]
                ok = e.success_rate > 0
                chaos = f", {e.chaotic_share:.0%} chaotic" if ok and e.chaotic_share > 0 else ""
                cells.append(f"{e.median:.0f} ({e.success_rate:.0%}{chaos})" if ok else "never")
                lrs.append(f"{e.best_lr:.3g}" if ok else "-")
            rows += [cells, lrs]
        widths = [max(len(row[i]) for row in rows) + 2 for i in range(len(rows[0]))]
        return "\n".join(
            "".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
        )

    def __repr__(self):
        return (
            f"Race({len(self.problems)} problems × {len(self.optimizers)} optimizers, "
            f"measure={self.measure!r}, {self.seconds:.2f} s)"
        )


# ----------------------------------------------------------------------------------------------------
# Running a race


def _named(kind: str, items, cls: type, what: str) -> dict:
    """Name the problems or optimizers: a dict's keys, else each one's own name (``name`` or class name)."""
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(
            f"race: {kind} must be a list of {what}s or a dict {{name: {kind[:-1]}}}, got {items!r}."
        )
    named = dict(items) if isinstance(items, Mapping) else {}
    if not isinstance(items, Mapping):
        for item in items:
            if not isinstance(item, cls):
                raise TypeError(f"race: {kind} must be {what}s, got {type(item).__name__}.")
            name = item.name if isinstance(item, Problem) else type(item).__name__
            if name in named:
                raise ValueError(
                    f"race: two {kind} are both called {name!r}; pass a dict {{name: {kind[:-1]}}} to race "
                    "two settings of one kind."
                )
            named[name] = item
    if not named:
        raise ValueError(f"race: give at least one of the {kind}.")
    for name, item in named.items():
        if not isinstance(item, cls):
            raise TypeError(f"race: {kind[:-1]} {name!r} must be a {what}, got {type(item).__name__}.")
    return named


def _per_problem(what: str, value, problems: dict) -> dict:
    """A value per problem name, from one value for all or a mapping that covers every problem."""
    if isinstance(value, Mapping):
        missing = [p for p in problems if p not in value]
        if missing:
            raise ValueError(f"race: {what} has no value for {', '.join(map(repr, missing))}.")
        return {p: value[p] for p in problems}
    return {p: value for p in problems}


def _grid_for(name: str, grids, problem: Problem) -> np.ndarray:
    if not isinstance(grids, Mapping) or name not in grids:
        known = ", ".join(grids) if isinstance(grids, Mapping) else "none"
        raise ValueError(f"race: lr_grids has no grid for {name!r} (it has {known}).")
    grid = grids[name]
    values = grid(problem) if callable(grid) else grid
    values = as_real_array("race", f"the lr grid of {name}", values)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"race: the lr grid of {name} must be a non-empty 1-D sequence, got {values!r}.")
    return np.sort(values)


def _groups(problems: dict, step_counts: dict, start_sets: dict, grids: dict) -> list[list[str]]:
    """The problems that can run side by side: deterministic, with the same steps, starts and grid length."""
    groups: dict = {}
    for p, problem in problems.items():
        key = (step_counts[p], start_sets[p].shape[0], len(grids[p]))
        groups.setdefault(("alone", p) if problem.stochastic else key, []).append(p)
    return list(groups.values())


def _reached_at(s, measure: str, tol: float, n: int) -> np.ndarray:
    """Per run of a Sweep from its first ``n`` starts, the first recorded step from which it stays within the
    tolerance; -1 if never."""
    if measure == "gap":
        return s.steps_to(tol)[..., :n]
    if measure == "relative gap":
        gaps = s.gaps[..., :n]
        with np.errstate(invalid="ignore"):
            return first_staying(gaps <= tol * gaps[0], s.steps)  # NaN (diverged) compares False
    distance = np.linalg.norm(s.points[..., :n, :] - s.problem.minimizer, axis=-1)  # not the nudged copies
    with np.errstate(invalid="ignore"):
        return first_staying(distance <= tol * distance[0], s.steps)


def race(
    problems,
    optimizers,
    lr_grids: Mapping,
    starts=50,
    steps=500,
    tol=1e-3,
    *,
    seed: int = 0,
    measure: str = "gap",
    every: int = 1,
    nudges: int = 0,
    nudge_size: float = 1e-8,
    apart: float = 1e-3,
    grow: float = 1e4,
) -> Race:
    """Run each optimizer over its learning-rate grid on every problem from many starts; find each one's best.

    Each optimizer's grid runs as one array per number of steps: the deterministic problems that share a step
    count, a number of starts and a grid length run side by side (:func:`lessons_lib.sweeps.side_by_side`,
    each exactly as :func:`lessons_lib.sweeps.sweep` runs it alone); a noisy problem runs alone with
    ``sweep``. The results do not depend on which problems ran together.

    Parameters
    ----------
    problems : sequence of Problem, or dict of name -> Problem
        Named by ``problem.name`` unless given as a dict.
    optimizers : sequence of Optimizer, or dict of name -> Optimizer
        The base settings (everything but ``lr``); named by class unless given as a dict.
    lr_grids : dict of optimizer name -> sequence of float, or callable(problem) -> sequence
        Each optimizer's learning rates. A callable gets the problem, e.g. ``lambda p: [0.1, 1] / p.L`` for a
        grid on gradient descent's natural scale ``1 / L``.
    starts : int, or dict of problem name -> array of shape (N, d)
        An int ``n`` means ``problem.random_starts(n, seed)`` for every problem.
    steps : int, or dict of problem name -> int
        Steps of every run.
    tol : float, or dict of problem name -> float
        The tolerance (see ``measure``); below 1 for the two relative measures.
    seed : int
        Seeds the random starts.
    measure : {"gap", "distance", "relative gap"}
        ``"gap"``: success is ``f - f_min <= tol`` (to the end of the run); ``"distance"``: ``|x - x*|`` at
        most ``tol`` times the start's; ``"relative gap"``: ``f - f_min`` at most ``tol`` times the start's.
    every : int >= 1
        Record every ``every`` steps (and the last): cheaper, and steps to the tolerance become multiples of
        ``every``.
    nudges : int >= 0
        0: judge every run by itself. ``k >= 1``: also run ``k`` copies of every start, each moved by a
        relative ``nudge_size`` (seeded by ``seed``), and set apart as chaotic the runs whose copies part
        or whose distance grows ``grow``-fold at a recorded step, or that diverge at different steps
        (:func:`lessons_lib.measures.chaotic_runs`). A chaotic run is not a success (its ``reached_at`` is
        -1; :attr:`Entry.chaotic` says which). Costs ``k + 1`` times the runs; use it where an optimizer
        hovers near the tolerance.
    nudge_size, apart, grow : float > 0
        The relative size of the nudges, and the two tests of :func:`lessons_lib.measures.chaotic_runs`:
        copies more than ``apart`` times the plot range apart, or whose distance grows ``grow``-fold.

    Returns
    -------
    Race

    Examples
    --------
    >>> from lessons_lib import Adam, GradientDescent, ravine
    >>> r = race([ravine(10)], [GradientDescent(lr=0.1), Adam(lr=0.1)],
    ...          {"GradientDescent": [0.05, 0.1, 0.3], "Adam": [0.1, 0.3, 1.0]}, starts=20, steps=200)
    >>> e = r.entry("ravine(κ=10)", "GradientDescent")
    >>> e.best_lr, e.success_rates.tolist()  # lr = 0.3 is above 2/L = 0.2: every run diverges
    (0.1, [1.0, 1.0, 0.0])
    >>> print(r.table())
                  GradientDescent  Adam
    ravine(κ=10)  44 (100%)        93 (100%)
      best lr     0.1              1

    One tolerance for problems whose losses have different scales: a thousandth of each run's starting gap.

    >>> from lessons_lib import rosenbrock
    >>> r = race([ravine(10), rosenbrock()], [Adam(lr=0.1)], {"Adam": [0.03, 0.1, 0.3]}, starts=15, steps=300,
    ...          tol=1e-3, measure="relative gap", every=5)
    >>> print(r.table())
                  Adam
    ravine(κ=10)  60 (100%)
      best lr     0.3
    Rosenbrock    80 (87%)
      best lr     0.3
    """
    problems = _named("problems", problems, Problem, "lessons_lib Problem")
    optimizers = _named("optimizers", optimizers, Optimizer, "lessons_lib optimizer")
    if measure not in MEASURES:
        raise ValueError(f"race: measure must be one of {', '.join(map(repr, MEASURES))}, got {measure!r}.")
    tols = {
        p: check_positive("race", f"tol of {p!r}", t, "It is how close a run must get to count as a success.")
        for p, t in _per_problem("tol", tol, problems).items()
    }
    if measure != "gap":
        for p, t in tols.items():
            if t >= 1:
                raise ValueError(
                    f"race: tol of {p!r} must be below 1 with measure={measure!r}, got {t!r}: it is a "
                    "fraction of the start's value, which every run has already reached at step 0."
                )
    step_counts = _per_problem("steps", steps, problems)
    step_counts = {p: check_count("race", f"steps of {p!r}", n, 1) for p, n in step_counts.items()}
    seed = check_seed("race", seed)
    every = check_count("race", "every", every, 1)
    nudges = check_count("race", "nudges", nudges, 0)
    if isinstance(starts, Mapping):
        start_sets = {
            p: as_real_array("race", f"the starts of {p!r}", x, finite=True)
            for p, x in _per_problem("starts", starts, problems).items()
        }
    else:
        try:
            check_count("race", "starts", starts, 1)
        except ValueError:
            raise ValueError(
                f"race: starts must be a whole number >= 1 or a dict of arrays, got {starts!r}. It is the "
                "number of random starts per problem, or each problem's own starts."
            ) from None
        start_sets = {p: problem.random_starts(starts, seed) for p, problem in problems.items()}
    for p, problem in problems.items():
        x0 = start_sets[p]
        if x0.ndim != 2 or x0.shape[1] != problem.dim:
            raise ValueError(f"race: the starts of {p!r} must have shape (N, {problem.dim}), got {x0.shape}.")
        if measure in ("gap", "relative gap") and problem.f_min is None:
            raise ValueError(f"race: the minimum of {p!r} is not known, so its gap f - f_min is not either.")
        if measure == "distance" and problem.minimizer is None:
            raise ValueError(
                f"race: the minimiser of {p!r} is not known, so its distance to it is not either."
            )
    n_starts = {p: x0.shape[0] for p, x0 in start_sets.items()}
    if nudges:
        start_sets = {p: nudged_copies(x0, nudges, nudge_size, seed) for p, x0 in start_sets.items()}
        apart = check_positive("race", "apart", apart)

    found, total = {}, 0.0
    for o, optimizer in optimizers.items():
        grids = {p: _grid_for(o, lr_grids, problem) for p, problem in problems.items()}
        for group in _groups(problems, step_counts, start_sets, grids):
            keep_points = measure == "distance" or nudges > 0
            n_steps, options = step_counts[group[0]], {"every": every, "keep_points": keep_points}
            if len(group) == 1:  # alone: a noisy problem, or the only one with its number of steps
                (p,) = group
                runs = [
                    sweep(optimizer, problems[p], n_steps, start_sets[p], grid={"lr": grids[p]}, **options)
                ]
            else:
                chosen = [problems[p] for p in group]
                starts_of = [start_sets[p] for p in group]
                grid = [{"lr": grids[p]} for p in group]
                runs = side_by_side(optimizer, chosen, n_steps, starts_of, grid=grid, **options)
            total += runs[0].seconds
            for p, s in zip(group, runs, strict=True):
                n = n_starts[p]
                reached_at, chaotic = _reached_at(s, measure, tols[p], n), None
                if nudges:  # block 0 of the starts is the starts themselves
                    chaotic = chaotic_runs(problems[p], s.points, nudges, apart=apart, grow=grow)
                    reached_at = np.where(chaotic, -1, reached_at)
                found[p, o] = Entry(
                    problem=problems[p],
                    optimizer=optimizer,
                    lrs=grids[p],
                    reached_at=reached_at,
                    diverged=s.diverged[..., :n],
                    steps=step_counts[p],
                    seconds=s.seconds,
                    chaotic=chaotic,
                )
    return Race(
        problems=problems,
        optimizers=optimizers,
        entries={(p, o): found[p, o] for p in problems for o in optimizers},
        tol=tols,
        measure=measure,
        every=every,
        seconds=total,
    )
