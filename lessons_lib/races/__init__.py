"""Races between optimizers, each at its best learning rate: two races, judged two ways, and schedules.

* **To a tolerance** (:func:`race`, a :class:`Race`; in ``_tolerance.py``): on the 2-D testbeds and the
  quadratics, every optimizer runs its learning-rate grid from the same many starts; a run succeeds when it
  gets within the tolerance and stays there, and the best learning rate is the one with the highest success
  rate, then the fewest median steps (:func:`best_index`).
* **For a fixed budget** (:func:`budget_race`, a :class:`BudgetRace`; in ``_budget.py``): on data, every
  optimizer runs its learning-rate grid with several seeds for a number of epochs; the best learning rate is
  the one with the lowest mean final loss (:func:`best_lr_index`).
* **Under learning-rate schedules** (:class:`ScheduleRuns`; in ``_schedules.py``): sweeps run beforehand, one
  per optimizer and schedule over the same grid and seeds, checked to fit together and reduced to bands over
  the seeds and each schedule's best learning rate.

The two races run every grid as one array through :func:`lessons_lib.sweeps.sweep` (side by side for several
problems), so a run diverges by the course's one rule, :func:`lessons_lib.running.divergence_limit`, as in
:func:`lessons_lib.run`. Nothing here prints;
:func:`lessons_lib.plots.plot_race_paths`, :func:`lessons_lib.plots.plot_budget_race` and
:func:`lessons_lib.plots.plot_schedules` draw them.
"""

from ._budget import (
    GRID_CENTRES,
    OPTIMIZER_NAMES,
    BudgetRace,
    Curve,
    best_lr_index,
    budget_race,
    five_optimizers,
    grids,
    lr_grid,
    seconds_per_epoch,
    seed_band,
    steps_per_epoch,
)
from ._schedules import ScheduleRuns
from ._tolerance import MEASURES, Entry, Race, best_index, race

__all__ = [
    "GRID_CENTRES",
    "MEASURES",
    "OPTIMIZER_NAMES",
    "BudgetRace",
    "Curve",
    "Entry",
    "Race",
    "ScheduleRuns",
    "best_index",
    "best_lr_index",
    "budget_race",
    "five_optimizers",
    "grids",
    "lr_grid",
    "race",
    "seconds_per_epoch",
    "seed_band",
    "steps_per_epoch",
]
