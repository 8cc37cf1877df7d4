"""The race for a fixed budget on data: five optimizers, each at its best learning rate, over seeds.

A fair comparison gives every optimizer a small grid of learning rates, runs each setting with several
seeds (independent mini-batch draws), and shows each optimizer at its best. :func:`budget_race` does that for
the five rules of the course on a stochastic problem (:func:`lessons_lib.logistic_regression`,
:func:`lessons_lib.softmax_regression`): one :func:`lessons_lib.sweeps.sweep` per optimizer, the whole grid ×
seeds as one array, for a fixed budget of epochs, judged by the loss at the end. (The race to a tolerance on
the 2-D testbeds, judged by the steps it takes, is :func:`lessons_lib.races.race`.) A :class:`BudgetRace`
then answers the lesson's questions:

* :meth:`BudgetRace.best_lr_index` / :meth:`BudgetRace.best_lr`: the learning rate with the lowest mean
  final loss (gap), and :meth:`BudgetRace.on_edge` whether it sits at the end of its grid (then widen it);
* :meth:`BudgetRace.curve`: the learning curve at the best learning rate, mean and min–max band over the
  seeds, against epochs;
* :meth:`BudgetRace.seconds_per_epoch`: the measured wall time of one epoch of one run (gradient and update
  only).

The pieces are plain functions too (:func:`lr_grid`, :func:`best_lr_index`, :func:`seed_band`,
:func:`seconds_per_epoch`), so they work on any :class:`~lessons_lib.sweeps.Sweep`. Nothing here prints;
:func:`lessons_lib.plots.plot_budget_race` draws the curves.

An *epoch* is ``ceil(n / batch_size)`` steps, where ``n`` is the number of examples: about one pass over the
data (mini-batches are drawn with replacement).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._validate import check_count
from ..optimizers import Adagrad, Adam, GradientDescent, Momentum, Optimizer, RMSProp
from ..problems import Problem
from ..sweeps import Sweep, sweep

__all__ = [
    "GRID_CENTRES",
    "OPTIMIZER_NAMES",
    "BudgetRace",
    "Curve",
    "best_lr_index",
    "budget_race",
    "five_optimizers",
    "grids",
    "lr_grid",
    "seconds_per_epoch",
    "seed_band",
    "steps_per_epoch",
]

#: The five rules the lesson compares, in the order of the course.
OPTIMIZER_NAMES = ("SGD", "Momentum", "Adagrad", "RMSProp", "Adam")

#: The centre of each optimizer's learning-rate grid, per problem, for the lesson's budgets (mini-batches of
#: 64; 8 epochs of the breast-cancer data, 2 of the digits). Each is the best learning rate of a wide scan
#: (values a factor sqrt(10) apart, from 1e-8 to 100, 5 seeds), which ``tests/test_races_budget.py`` repeats
#: with other seeds. :func:`grids` puts values either side of the centre, so the best lies inside each grid.
GRID_CENTRES = {
    "logistic, raw": {"SGD": 1e-5, "Momentum": 1e-4, "Adagrad": 10**-1.5, "RMSProp": 1e-3, "Adam": 1e-2},
    "logistic, standardised": {
        "SGD": 10**0.5,
        "Momentum": 1.0,
        "Adagrad": 1.0,
        "RMSProp": 10**-1.5,
        "Adam": 0.1,
    },
    "digits": {"SGD": 10**0.5, "Momentum": 10.0, "Adagrad": 1.0, "RMSProp": 0.1, "Adam": 0.1},
}


def five_optimizers() -> dict[str, Optimizer]:
    """The five rules with their usual settings; the learning rate is replaced by each grid's values.

    Mini-batch SGD is :class:`~lessons_lib.GradientDescent` fed mini-batch gradients; momentum is the averaged
    form with ``beta = 0.9`` (so its ``lr`` means what it means for SGD); RMSProp has ``beta = 0.9``; Adam has
    ``beta1 = 0.9, beta2 = 0.999``; every ``eps`` is the course's default 1e-8.

    >>> list(five_optimizers())
    ['SGD', 'Momentum', 'Adagrad', 'RMSProp', 'Adam']
    """
    return {
        "SGD": GradientDescent(lr=0.1),
        "Momentum": Momentum(lr=0.1, beta=0.9),
        "Adagrad": Adagrad(lr=0.1),
        "RMSProp": RMSProp(lr=0.01, beta=0.9),
        "Adam": Adam(lr=0.001),
    }


def lr_grid(centre: float, n: int = 5, ratio: float = math.sqrt(10)) -> np.ndarray:
    """``n`` learning rates a factor ``ratio`` apart, centred (on a log scale) on ``centre``.

    ``centre`` is the middle value (for an even ``n``, the last value of the lower half).

    >>> lr_grid(0.01).round(5)
    array([0.001  , 0.00316, 0.01   , 0.03162, 0.1    ])
    >>> lr_grid(1.0, n=4, ratio=10)
    array([  0.1,   1. ,  10. , 100. ])
    """
    if not (isinstance(centre, (int, float, np.floating)) and 0 < centre < math.inf):
        raise ValueError(f"lr_grid: centre must be a finite learning rate > 0, got {centre!r}.")
    n = check_count("lr_grid", "n", n, 1)
    if not (isinstance(ratio, (int, float, np.floating)) and 1 < ratio < math.inf):
        raise ValueError(
            f"lr_grid: ratio must be a finite number > 1 (the factor between values), got {ratio!r}."
        )
    below = (n - 1) // 2  # values below the centre
    # Python's powers, not NumPy's: NumPy 1.24's AVX-512 power makes 10.0 ** -1 0.09999999999999999.
    return float(centre) * np.array([float(ratio) ** (k - below) for k in range(n)])


def grids(kind: str, n: int = 5) -> dict[str, np.ndarray]:
    """The lesson's learning-rate grid for each optimizer on one problem (see :data:`GRID_CENTRES`).

    >>> grids("logistic, standardised")["Momentum"].round(3)
    array([ 0.1  ,  0.316,  1.   ,  3.162, 10.   ])
    """
    if kind not in GRID_CENTRES:
        raise ValueError(f"grids: kind must be one of {', '.join(map(repr, GRID_CENTRES))}, got {kind!r}.")
    return {name: lr_grid(centre, n) for name, centre in GRID_CENTRES[kind].items()}


def steps_per_epoch(problem: Problem) -> int:
    """``ceil(n / batch_size)``: the steps that draw about as many examples as the data set holds.

    >>> from lessons_lib import logistic_regression
    >>> steps_per_epoch(logistic_regression(batch_size=32))  # 569 tumours
    18
    """
    info = getattr(problem, "info", {})
    if not isinstance(problem, Problem) or "y" not in info or "batch_size" not in info:
        raise ValueError(
            "steps_per_epoch: the problem must be a mini-batch problem over a data set (such as "
            f"logistic_regression() or softmax_regression()), got {getattr(problem, 'name', problem)!r}."
        )
    return math.ceil(len(info["y"]) / info["batch_size"])


# ----------------------------------------------------------------------------------------------------
# Reductions: the best learning rate, bands over seeds, time per epoch


def best_lr_index(final, *, higher_is_better: bool = False) -> int:
    """The grid index whose mean over the seeds of ``final`` is lowest (highest if ``higher_is_better``).

    Parameters
    ----------
    final : array_like, shape (lrs, seeds)
        One final value (loss, gap or accuracy) per learning rate and seed. A NaN (a diverged run)
        disqualifies its learning rate: a setting that fails for one seed in five is not the best one. Ties go
        to the first.

    >>> best_lr_index([[0.3, 0.5], [0.1, 0.2], [np.nan, 0.0]])
    1
    """
    final = np.asarray(final, dtype=float)
    if final.ndim != 2 or final.size == 0:
        raise ValueError(f"best_lr_index: final must have shape (lrs, seeds), got shape {final.shape}.")
    mean = final.mean(axis=1)  # NaN if any seed diverged
    if np.isnan(mean).all():
        raise ValueError("best_lr_index: every learning rate diverged for some seed; try smaller ones.")
    return int(np.nanargmax(mean) if higher_is_better else np.nanargmin(mean))


class Curve(NamedTuple):
    """A learning curve over seeds: ``mean``, ``low`` and ``high`` (min and max over seeds) at ``epochs``."""

    epochs: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


def seed_band(values, epochs) -> Curve:
    """Mean and min–max band over the seeds (last axis) of ``values`` recorded at ``epochs`` (first axis).

    >>> seed_band([[1.0, 3.0], [0.5, 0.7]], epochs=[0, 1]).mean
    array([2. , 0.6])
    """
    values, epochs = np.asarray(values, dtype=float), np.asarray(epochs, dtype=float)
    if values.ndim != 2 or len(values) != len(epochs):
        raise ValueError(
            f"seed_band: values must have shape (len(epochs), seeds) = ({len(epochs)}, seeds), "
            f"got shape {values.shape}."
        )
    return Curve(epochs, values.mean(axis=1), values.min(axis=1), values.max(axis=1))


def seconds_per_epoch(result: Sweep, epochs: float) -> float:
    """Measured wall time of one epoch of one run: ``result.seconds / (runs * epochs)``.

    The runs of a sweep advance together as one array, so this is the batched cost shared out per run; it
    counts the gradient and the update only (not the loss records). Measured times vary from run to run
    and machine to machine: compare them with each other, coarsely.
    """
    if not isinstance(result, Sweep):
        raise TypeError(f"seconds_per_epoch: result must be a Sweep, got {type(result).__name__}.")
    if (
        isinstance(epochs, bool)
        or not isinstance(epochs, (int, float, np.integer, np.floating))
        or not (0 < epochs < math.inf)
    ):
        raise ValueError(f"seconds_per_epoch: epochs must be a finite number > 0, got {epochs!r}.")
    return result.seconds / (result.diverged_steps.size * epochs)


# ----------------------------------------------------------------------------------------------------
# The race


@dataclass(frozen=True, eq=False)
class BudgetRace:
    """What :func:`budget_race` did: one :class:`~lessons_lib.sweeps.Sweep` per optimizer, and the reductions.

    Attributes
    ----------
    problem : Problem
    optimizers : dict of name -> Optimizer
        The base settings (their ``lr`` was replaced by the grid's).
    sweeps : dict of name -> Sweep
        Grid axis first, then the seeds: each one's ``losses`` has shape ``(records, lrs, seeds)``.
    epochs : int
    steps_per_epoch : int
    """

    problem: Problem
    optimizers: dict
    sweeps: dict
    epochs: int
    steps_per_epoch: int

    @property
    def recorded_epochs(self) -> np.ndarray:
        """The epochs (fractions allowed) at which losses were recorded."""
        first = next(iter(self.sweeps.values()))
        return first.steps / self.steps_per_epoch

    def scores(self, name: str) -> np.ndarray:
        """``f - f_min`` if the minimum is known, else ``f``; shape ``(records, lrs, seeds)``."""
        losses = self.sweeps[self._check(name)].losses
        return losses if self.problem.f_min is None else losses - self.problem.f_min

    def best_lr_index(self, name: str) -> int:
        """Index of the learning rate with the lowest mean final value over the seeds."""
        return best_lr_index(self.scores(name)[-1])

    def best_lr(self, name: str) -> float:
        """The best learning rate of the grid (see :meth:`best_lr_index`)."""
        return float(self.grid(name)[self.best_lr_index(name)])

    def grid(self, name: str) -> np.ndarray:
        """The learning rates that ``name`` ran with."""
        return self.sweeps[self._check(name)].grid["lr"]

    def on_edge(self, name: str) -> bool:
        """True if the best learning rate is the grid's smallest or largest: widen the grid then."""
        return self.best_lr_index(name) in (0, len(self.grid(name)) - 1)

    def final_scores(self, name: str) -> np.ndarray:
        """The final value (gap or loss) of each seed at the best learning rate; shape ``(seeds,)``."""
        return self.scores(name)[-1, self.best_lr_index(name)]

    def final_points(self, name: str) -> np.ndarray:
        """The final weights of each seed at the best learning rate; shape ``(seeds, d)`` (needs points)."""
        points = self.sweeps[self._check(name)].points
        if points is None:
            raise ValueError(
                "BudgetRace.final_points: this race did not keep its points (use keep_points=True)."
            )
        return points[-1, self.best_lr_index(name)]

    def curve(self, name: str) -> Curve:
        """The learning curve at the best learning rate: mean and min–max over the seeds, against epochs."""
        return seed_band(self.scores(name)[:, self.best_lr_index(name)], self.recorded_epochs)

    def seconds_per_epoch(self, name: str) -> float:
        """Measured wall time of one epoch of one run (see :func:`seconds_per_epoch`)."""
        return seconds_per_epoch(self.sweeps[self._check(name)], self.epochs)

    def _check(self, name):
        if name not in self.sweeps:
            ran = ", ".join(self.sweeps)
            raise KeyError(f"BudgetRace: no optimizer named {name!r}; this race ran {ran}.")
        return name

    def __repr__(self):
        return (
            f"BudgetRace({', '.join(self.sweeps)} on {self.problem.name}, {self.epochs} epochs of "
            f"{self.steps_per_epoch} steps)"
        )


def budget_race(
    problem: Problem,
    grids: dict,
    epochs: int,
    *,
    seeds: int = 5,
    seed: int = 0,
    records_per_epoch: int = 1,
    optimizers: dict | None = None,
    keep_points: bool = False,
    schedule=None,
) -> BudgetRace:
    """Run each optimizer over its learning-rate grid with ``seeds`` independent mini-batch streams.

    Parameters
    ----------
    problem : Problem
        A mini-batch problem over a data set (:func:`lessons_lib.logistic_regression`,
        :func:`lessons_lib.softmax_regression`). Every run starts at ``problem.x0``.
    grids : dict of name -> sequence of float
        The learning rates of each optimizer, e.g. ``grids("logistic, raw")``.
    epochs : int >= 1
        The budget: every run takes ``epochs * steps_per_epoch(problem)`` steps.
    seeds : int >= 1
        Independent repetitions: the runs of one setting draw different mini-batches. The same ``seed`` is
        used for every optimizer, so with grids of equal length all optimizers see the same mini-batches.
    records_per_epoch : int >= 1
        How often the loss is recorded (it costs a pass over the whole data set).
    optimizers : dict of name -> Optimizer, optional
        Default :func:`five_optimizers`; the names must match ``grids``.
    keep_points : bool
        Keep the recorded weights (needed for :meth:`BudgetRace.final_points`).
    schedule : array_like, shape (epochs * steps_per_epoch(problem),), optional
        Learning-rate multipliers for every run (:func:`lessons_lib.running.cosine_decay` and the like), as in
        :func:`lessons_lib.sweeps.sweep`: each grid value is the base learning rate the schedule scales.

    Returns
    -------
    BudgetRace

    Examples
    --------
    >>> from lessons_lib import logistic_regression
    >>> r = budget_race(logistic_regression(), {"SGD": [0.1, 1.0]}, epochs=2, seeds=3,
    ...          optimizers={"SGD": five_optimizers()["SGD"]})
    >>> r, r.scores("SGD").shape, r.best_lr("SGD")
    (BudgetRace(SGD on logistic regression (standardised features), 2 epochs of 18 steps), (3, 2, 3), 1.0)
    """
    owner = "budget_race"
    spe = steps_per_epoch(problem)
    epochs = check_count(owner, "epochs", epochs, 1)
    seeds = check_count(owner, "seeds", seeds, 1)
    records_per_epoch = check_count(owner, "records_per_epoch", records_per_epoch, 1)
    if records_per_epoch > spe:
        raise ValueError(
            f"budget_race: records_per_epoch must be at most the {spe} steps of an epoch, got "
            f"{records_per_epoch}."
        )
    optimizers = five_optimizers() if optimizers is None else dict(optimizers)
    if not isinstance(grids, dict) or set(grids) != set(optimizers):
        given = ", ".join(grids) if isinstance(grids, dict) else repr(grids)
        raise ValueError(
            f"budget_race: grids must give a learning-rate grid for each optimizer "
            f"({', '.join(optimizers)}), got {given}."
        )
    x0 = np.tile(problem.x0, (seeds, 1))
    every = max(spe // records_per_epoch, 1)
    sweeps = {
        name: sweep(
            optimizer,
            problem,
            epochs * spe,
            x0,
            grid={"lr": grids[name]},
            seed=seed,
            every=every,
            keep_points=keep_points,
            schedule=schedule,
        )
        for name, optimizer in optimizers.items()
    }
    return BudgetRace(problem, optimizers, sweeps, epochs, spe)
