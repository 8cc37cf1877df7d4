"""The references and the catalogues of mistakes of the measures, which turn a run into a number: the steps a
run takes to reach a tolerance and stay there (:func:`lessons_lib.measures.first_staying`)."""

from __future__ import annotations

import numpy as np

from ..measures import first_staying, first_within
from ._exercise import _Mistake

# Steps to a tolerance ---------------------------------------------------------------------------------------


def _steps_to_tolerance_reference(gaps, tol):
    return (int(first_staying(np.asarray(gaps, dtype=float) <= tol)),)


def _staying(within=lambda gaps, tol: gaps <= tol, *, never=lambda gaps: -1, first=0):
    """The steps to a tolerance with one thing changed: what counts as ``within`` it, what a run that never
    gets there returns (``never(gaps)``), or the number of the first step (``first``)."""

    def rule(gaps, tol):
        k = int(first_staying(within(np.asarray(gaps, dtype=float), tol)))
        return (k + first if k >= 0 else never(gaps),)

    return rule


def _last_above(gaps, tol):
    above = np.flatnonzero(~(np.asarray(gaps, dtype=float) <= tol))  # NaN is above: NaN <= tol is False
    return (int(above[-1]) if above.size else -1,)  # wrong: the step before the answer


_NEVER = "When the run never stays within tol (it ends above it, or diverged), return -1, as steps_to does"

_STEPS_TO_TOLERANCE_MISTAKES = (
    _Mistake(
        "first step within tol, not within for good",
        "You returned the first step whose gap is <= tol, but the run leaves tol again after it. Return the "
        "first step k from which every gap to the end of the run is <= tol: gaps[j] <= tol for all j >= k.",
        lambda gaps, tol: (int(first_within(np.asarray(gaps, dtype=float), tol)),),
    ),
    _Mistake(
        "last step above tol returned",
        "The run is within tol for good from the step after the last one above it: return that step, 0 if "
        "no gap is above tol, and -1 if the last gap is above it (or NaN).",
        _last_above,
    ),
    _Mistake(
        "< instead of <=",
        "A gap equal to tol counts as within it: test gaps[j] <= tol, not gaps[j] < tol.",
        _staying(lambda gaps, tol: gaps < tol),
    ),
    _Mistake(
        "a diverged run (NaN) counted as within tol",
        "From the step a run diverged on its gaps are NaN. Every comparison with NaN is False, so "
        "not gaps[j] > tol holds for them (and np.nanmax or np.nan_to_num hide them). Test gaps[j] <= tol, "
        "which NaN fails: a diverged run never stays within tol (-1).",
        _staying(lambda gaps, tol: ~(gaps > tol)),
    ),
    _Mistake(
        "None returned when the run never gets there",
        f"{_NEVER}: a number, which can be printed, compared and stored in an array.",
        _staying(never=lambda gaps: None),
    ),
    _Mistake(
        "len(gaps) returned when the run never gets there",
        f"len(gaps) = T + 1 is one step past the end of the run. {_NEVER}.",
        _staying(never=len),
    ),
    _Mistake(
        "inf returned when the run never gets there",
        f"{_NEVER} (inf is distance_steps's never, not this measure's).",
        _staying(never=lambda gaps: np.inf),
    ),
    _Mistake(
        "steps counted from 1",
        "Steps count from 0: gaps[0] is the gap at the start, before any step. Return the index k in gaps "
        "of the first step of the stretch within tol.",
        _staying(first=1),
    ),
)
