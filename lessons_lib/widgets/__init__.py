"""Interactive figures for the lessons: sliders built from the optimizers' own ranges, one redrawn figure.

An :class:`InteractiveFigure` keeps one matplotlib figure (Agg, no pyplot), redraws it when a control moves
and shows it as a PNG in an ``ipywidgets.Image``. Whatever a slider is set to, it shows a picture and at most
one line of status — "diverged at step 12: lr = 0.25 is above 2/L = 0.2" — and never a traceback.

:class:`TrajectoryExplorer` is the widget most lessons use: an optimizer on a problem, with sliders for some
hyperparameters and panels for the path, the loss and the per-coordinate effective learning rates.
:func:`lessons_lib.plots.compare_settings` draws the static figure that stands beside each widget, so a
lesson reads on any notebook viewer. :func:`time_live_widgets` sweeps the sliders of every widget alive in
the kernel and times the redraws; ``make bench`` uses it.

The package: ``_base`` (controls, :class:`InteractiveFigure`, the live widgets), ``explorers`` (the
widgets of the lessons that run what they draw) and ``schedules`` (:class:`ScheduleExplorer`: learning-rate
schedules on a network, from sweeps run beforehand; its static figure is
:func:`lessons_lib.plots.plot_schedules`).
"""

from ._base import InteractiveFigure, control_for, time_live_widgets
from .explorers import EWAExplorer, RaceExplorer, RateMapExplorer, TestbedRace, TrajectoryExplorer
from .schedules import ScheduleExplorer

__all__ = [
    "EWAExplorer",
    "InteractiveFigure",
    "RaceExplorer",
    "RateMapExplorer",
    "ScheduleExplorer",
    "TestbedRace",
    "TrajectoryExplorer",
    "control_for",
    "time_live_widgets",
]
