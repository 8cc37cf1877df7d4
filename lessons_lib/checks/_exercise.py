"""What an exercise is made of: its cases, catalogued mistakes and hints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class _Case:
    """One case: the first call's arguments by parameter name, and the gradients of any later steps."""

    label: str
    args: dict[str, Any]
    later_gradients: tuple = ()

    @property
    def steps(self) -> int:
        return 1 + len(self.later_gradients)


@dataclass(frozen=True)
class _Mistake:
    """A known mistake: its name, how to fix it, and the rule with that mistake in it (same parameters)."""

    title: str
    advice: str
    rule: Callable[..., Any]


@dataclass(frozen=True)
class _Hint:
    """Advice added to the report of an exception whose type is ``kind`` and message contains ``text``."""

    kind: type[BaseException]
    text: str
    advice: str


@dataclass(frozen=True)
class _Exercise:
    """Everything a check needs to know about one exercise."""

    name: str  # the learner's function, as the notebook names it
    params: tuple[str, ...]  # its positional parameters
    outputs: tuple[str, ...]  # what it returns, in order; one name means one value, not a tuple
    reference: Callable[..., tuple]  # the library's rule with the same parameters; returns a tuple
    library: str  # what the reference calls, as the message that puts it in the learner's place names it
    cases: tuple[_Case, ...]
    mistakes: tuple[_Mistake, ...]
    in_place_fix: dict[str, str]  # per parameter: how to write its update without changing the input
    hints: tuple[_Hint, ...] = ()
    # True if the result is a whole number by nature (a step): then an integer result is no sign of truncation
    integer_result: bool = False
    # parameters that are whole numbers by nature (Adam's t, a schedule's steps): never the integer input that
    # made a truncated result
    counts: tuple[str, ...] = ()
    # how to make the result a float array, if np.zeros_like(<the integer input>, dtype=float) is not it; a
    # format string with {source}, the integer input
    float_array: str = ""
    # per output: the shape it must have and how to get it, said when it comes back with another shape
    shape_advice: dict[str, str] = field(default_factory=dict)
