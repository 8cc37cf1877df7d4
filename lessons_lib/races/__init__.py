"""Races between optimizers, each at its best learning rate: two races, judged two ways.

* **To a tolerance** (:func:`race`, a :class:`Race`; in ``_tolerance.py``): on the 2-D testbeds and the
  quadratics, every optimizer runs its learning-rate grid from the same many starts; a run succeeds when it
  gets within the tolerance and stays there, and the best learning rate is the one with the highest success
  rate, then the fewest median steps (:func:`best_index`).
* **For a fixed budget** (:func:`budget_race`, a :class:`BudgetRace`; in ``_budget.py``): on data, every
  optimizer runs its learning-rate grid with several seeds for a number of epochs; the best learning rate is
  the one with the lowest mean final loss (:func:`best_lr_index`).

Both run every grid as one array through :func:`lessons_lib.sweeps.sweep` (side by side for several
problems), so a run diverges by the course's one rule, :func:`lessons_lib.running.divergence_limit`, as in
:func:`lessons_lib.run`. Nothing here prints;
:func:`lessons_lib.plots.plot_race_paths` and :func:`lessons_lib.plots.plot_budget_race` draw them.
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
from ._tolerance import MEASURES, Entry, Race, best_index, race

__all__ = [
    "GRID_CENTRES",
    "MEASURES",
    "OPTIMIZER_NAMES",
    "BudgetRace",
    "Curve",
    "Entry",
    "Race",
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
