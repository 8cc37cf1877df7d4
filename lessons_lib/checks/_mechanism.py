"""The mechanism shared by every check: calling the learner's function, reading and explaining its result."""

from __future__ import annotations

import copy
import inspect
import itertools
import math
import re
import sysconfig
import textwrap
import time
import traceback
import warnings
from pathlib import Path

import numpy as np

from .. import checks as settings
from ._exercise import _Exercise, _Mistake
from ._time_limit import _call_with_time_limit, _TimeUp


class _Failure(Exception):
    """Raised inside a check to stop it with a message for the learner."""


def _check(ex: _Exercise, fn) -> bool:
    """Run every case of ``ex`` on ``fn``; print the verdict and return it. Never raises."""
    try:
        _verify(ex, fn)
    except _Failure as failure:
        _say(f"{ex.name}: {failure}")
        return False
    except Exception as exc:  # a bug in this module must not reach the learner as a traceback
        _say(f"{ex.name}: the checker itself failed ({_exception_text(exc)}). Please report this.")
        return False
    n = len(ex.cases)
    _say(f"{ex.name}: correct on all {n} case{'s' if n > 1 else ''}.")
    return True


def _library_in_place(ex: _Exercise):
    """The library's rule, called as the learner's function is (same parameters, same results); says so."""
    _say(
        f"{ex.name}: your function has not passed its check, so the rest of the lesson uses lessons_lib's "
        f"`{ex.library}` in its place. Once it passes, run this cell again to use yours."
    )

    def library(*args):
        result = ex.reference(*args)
        return result[0] if len(ex.outputs) == 1 else result

    library.__name__ = library.__qualname__ = f"library_{ex.name}"
    return library


# Printing a message -----------------------------------------------------------------------------------------

_GLUE = "\x00"  # stands for a space that must not become a line break while a message is wrapped
_KEEP_TOGETHER = re.compile(r"`[^`\n]*`|\[[^\]\n]*\]")  # inline code, and arrays or indices such as x[1, 2]
_OPERATOR = re.compile(r" (\*\*|//|[-+*/=<>@]=?) ")  # an operator and the spaces beside it: sqrt(s) + eps


def _say(message: str) -> None:
    """Print ``message`` for the learner, wrapped at words to ``MESSAGE_WIDTH`` characters (:func:`_wrap`)."""
    print(_wrap(message, settings.MESSAGE_WIDTH))


def _wrap(message: str, width: int) -> str:
    """``message`` with each of its lines wrapped at spaces to ``width`` characters.

    JupyterLab breaks a printed line that is wider than its output area anywhere, even inside a word ("agai
    n."); lines that already fit are left alone. A break never falls inside a word, inline code (between
    backticks), brackets (``[0.3, 0.7]``) or a formula (the spaces around an operator: ``1 - beta``), so a
    part longer than ``width`` keeps a line of its own. A continued line is indented two spaces more than the
    line it continues, except the first line of a message, whose continuation starts at the margin.
    """
    lines = []
    for line in message.split("\n"):
        indent = line[: len(line) - len(line.lstrip(" "))]
        glued = _KEEP_TOGETHER.sub(lambda m: m.group().replace(" ", _GLUE), line.strip())
        glued = _OPERATOR.sub(lambda m: f"{_GLUE}{m.group(1)}{_GLUE}", glued)
        wrapped = textwrap.wrap(
            glued,
            width,
            initial_indent=indent,
            subsequent_indent=indent + "  " if indent else "",
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines += [part.replace(_GLUE, " ") for part in wrapped] or [""]
    return "\n".join(lines)


def _reference_calls(ex: _Exercise):
    """Every call a check makes for ``ex``, in order: ``(case, step, args, expected)``.

    ``step`` counts from 1. Each later step of a case starts from the reference's result of the step before
    (in the type the case started with), with the case's next gradient and, for Adam, the next ``t``.
    """
    for case in ex.cases:
        args = dict(case.args)
        for step in range(case.steps):
            if step:
                args["g"] = case.later_gradients[step - 1]
                if "t" in args:
                    args["t"] += 1
            expected = _as_arrays(ex.reference(*_copies(ex, args)))
            yield case, step + 1, dict(args), expected
            for name, value in zip(ex.outputs, expected, strict=True):
                if name in args:
                    args[name] = float(value) if type(case.args[name]) in (float, int) else value.copy()


def _verify(ex: _Exercise, fn) -> None:
    """Return if ``fn`` is right on every case; otherwise raise a ``_Failure`` that says why."""
    _check_callable(ex, fn)
    deadline = time.monotonic() + settings.CHECK_TIME_LIMIT
    for case, step, args, expected in _reference_calls(ex):
        where = f'case "{case.label}"' + (f", step {step} of {case.steps}" if case.steps > 1 else "")
        got = _run_learner(ex, fn, args, where, expected, deadline)
        if not _all_close(got, expected):
            raise _Failure(_explain_wrong(ex, args, where, got, expected))


def _check_callable(ex: _Exercise, fn) -> None:
    call = f"{ex.name}({', '.join(ex.params)})"
    if not callable(fn):
        raise _Failure(
            f"check_{ex.name} needs your function itself, as in check_{ex.name}({ex.name}), not the result "
            f"of calling it; got {_type_name(fn)}."
        )
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some built-ins have none; the call itself will tell
        return
    try:
        signature.bind(*ex.params)
    except TypeError:
        raise _Failure(
            f"your function takes {_no_addresses(str(signature))}, but the exercise calls it with "
            f"{len(ex.params)} arguments: {call}."
        ) from None


def _copies(ex: _Exercise, args: dict) -> list:
    return [copy.deepcopy(args[name]) for name in ex.params]


def _run_learner(
    ex: _Exercise, fn, args: dict, where: str, expected, deadline: float = math.inf
) -> tuple[np.ndarray, ...]:
    """Call ``fn`` on copies of ``args`` (by ``deadline`` at the latest, a ``time.monotonic`` time); check it
    left them alone; return its result as a tuple of arrays."""
    given = _copies(ex, args)
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Failure(
            f"your function took more than {settings.CHECK_TIME_LIMIT:g} s in all for the cases before "
            f"{where}, where a correct one needs milliseconds — is there a loop that runs far longer than it "
            "needs?"
        )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            result = _call_with_time_limit(fn, given, min(settings.TIME_LIMIT, left))
        except NotImplementedError:
            raise _Failure(
                "not done yet — replace `raise NotImplementedError` in its cell with your code, run that "
                "cell, then this one again."
            ) from None
        except _TimeUp:
            if left < settings.TIME_LIMIT:
                raise _Failure(
                    f"your function took more than {settings.CHECK_TIME_LIMIT:g} s in all, where a correct "
                    "one needs milliseconds — is there a loop that runs far longer than it needs?\n"
                    f"  It was stopped in {where}: {_describe_inputs(ex, args)}"
                ) from None
            raise _Failure(
                f"your function did not return within {settings.TIME_LIMIT:g} s — is there a loop that never "
                "ends?\n"
                f"  It was stopped in {where}: {_describe_inputs(ex, args)}"
            ) from None
        except KeyboardInterrupt:  # the notebook's stop button: stop the check too
            raise
        except BaseException as exc:  # SystemExit too: exit() in a function must not end the check unseen
            raise _Failure(_explain_exception(ex, exc, args, where)) from None
        for name, before, after in zip(ex.params, _copies(ex, args), given, strict=True):
            if not _unchanged(before, after):
                kind = "list" if isinstance(before, list) else "array"
                fix = ex.in_place_fix.get(
                    name, f"use {name} without changing it: no {name} *= ..., {name}[...] = ..."
                )
                raise _Failure(
                    f"your function changed the {kind} passed in as {name} ({where}).\n"
                    f"  Leave the inputs as they were and return new values: {fix}"
                    + ("" if fix.endswith(".") else ".")
                )
        if result is None:  # a catalogued mistake may say "never" with None: name it, if it is that
            mistake = _mistake_returning_none(ex, args)
            if mistake is not None:
                raise _Failure(_named_mistake(where, mistake))
        return _read_result(ex, result, expected)


def _unchanged(before, after) -> bool:
    if isinstance(before, (float, int, np.generic)):
        return True  # immutable
    try:
        a, b = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    except Exception:  # the learner put something else into it
        return False
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def _read_result(ex: _Exercise, result, expected) -> tuple[np.ndarray, ...]:
    """The learner's result as a tuple of arrays, one per output; a ``_Failure`` if unreadable.

    Integers and floats keep their dtype (for the hints of :func:`_dtype_hint`); anything else that reads as
    numbers becomes float64.
    """
    n = len(ex.outputs)
    names = ", ".join(ex.outputs)
    if result is None:
        missing = f"return {names}" if n > 1 else "return ..."
        raise _Failure(f"your function returned None. Is the `{missing}` line missing?")
    if isinstance(result, (str, bytes)):
        raise _Failure(f"your function returned {_type_name(result)}; expected {_what_to_return(ex)}.")
    if n == 1:
        return (_read_number_or_array(ex, ex.outputs[0], result),)
    if isinstance(result, np.ndarray):
        if result.shape != (n, *expected[0].shape):
            raise _Failure(
                f"your function returned one array of shape {result.shape}; expected {n} values: "
                f"return {names}."
            )
        items = list(result)  # np.array([x, v]) stacks values of the same shape
    elif isinstance(result, (tuple, list)):
        if len(result) != n:
            raise _Failure(
                f"your function returned {len(result)} value{'s' if len(result) != 1 else ''}; expected {n}: "
                f"return {names}."
            )
        items = list(result)
    else:
        raise _Failure(
            f"your function returned only one value ({_type_name(result)}); expected {n}: return {names}."
        )
    return tuple(_read_number_or_array(ex, name, item) for name, item in zip(ex.outputs, items, strict=True))


def _read_number_or_array(ex: _Exercise, name: str, value) -> np.ndarray:
    what = "your result" if len(ex.outputs) == 1 else f"the {name} you returned"
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise _Failure(f"{what} is {_type_name(value)}; expected a number or an array of numbers.")
    try:
        array = np.asarray(value)
        complex_ = array.dtype.kind == "c"
        if complex_:
            array = None
        elif array.dtype.kind not in "iuf":
            array = array.astype(float)
    except Exception:  # whatever the object does when NumPy reads it
        raise _Failure(
            f"{what} could not be read as numbers ({_type_name(value)}); expected a number or an array."
        ) from None
    if complex_:
        raise _Failure(
            f"{what} contains complex numbers: the square root of a negative number? "
            "(Python's ** 0.5 of a negative float gives a complex number.)"
        )
    return array


def _what_to_return(ex: _Exercise) -> str:
    if len(ex.outputs) > 1:
        return f"the tuple ({', '.join(ex.outputs)})"
    if ex.integer_result:
        return f"a whole number (the {ex.outputs[0]})"
    return "a sequence of averages" if ex.outputs == ("averages",) else "a number or an array"


def _as_arrays(values) -> tuple[np.ndarray, ...]:
    """Each value as an array: integers stay integers (a step is shown as 4, not 4.0), the rest are floats."""
    arrays = tuple(np.asarray(v) for v in values)
    return tuple(a if a.dtype.kind in "iu" else a.astype(float) for a in arrays)


def _close(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Elementwise: within ``RTOL`` of the expected value (plus a floor relative to its largest entry)."""
    finite = np.abs(expected[np.isfinite(expected)])
    floor = settings.ATOL_FRACTION * (finite.max() if finite.size else 0.0)
    return np.isclose(got, expected, rtol=settings.RTOL, atol=floor, equal_nan=True)


def _all_close(got, expected) -> bool:
    return len(got) == len(expected) and all(
        g.shape == e.shape and bool(_close(g, e).all()) for g, e in zip(got, expected, strict=True)
    )


# Explaining a wrong result ----------------------------------------------------------------------------------


def _explain_wrong(ex: _Exercise, args: dict, where: str, got, expected) -> str:
    head = f"wrong result in {where}."
    hint = _dtype_hint(ex, args, got, expected)  # first: rounded or truncated numbers match no mistake
    mistake = None if hint else _matching_mistake(ex, args, got, expected)
    if hint is None and mistake is None:
        hint = _widened_hint(ex, got, expected) or _shape_hint(ex, got, expected)
    if mistake is not None:
        return _named_mistake(where, mistake)
    lines = [head, f"  inputs: {_describe_inputs(ex, args)}"]
    for name, g, e in zip(ex.outputs, got, expected, strict=True):
        lines.append(f"  {_describe_difference(name, g, e)}")
    if hint:
        lines.append(f"  Hint: {hint}")
    return "\n".join(lines)


def _named_mistake(where: str, mistake: _Mistake) -> str:
    return f"wrong result in {where}.\n  Known mistake: {mistake.title}. {mistake.advice}"


def _dtype_hint(ex: _Exercise, args: dict, got, expected) -> str | None:
    """Advice if a wrong output is integers, or floats of less than double precision; otherwise None."""
    for name, g, e in zip(ex.outputs, got, expected, strict=True):
        if g.shape != e.shape or _close(g, e).all():
            continue
        if g.dtype.kind in "iu" and not ex.integer_result:
            return _integer_advice(ex, args, name, g)
        if g.dtype.kind == "f" and g.dtype.itemsize < 8:
            return _low_precision_advice(name, g, e)
    return None


def _widened_hint(ex: _Exercise, got, expected) -> str | None:
    """Advice if a wrong float64 output is off by no more than float32's round-off.

    A float32 number that meets a Python float is widened to float64 by NumPy 1.x (and by ``float()`` or
    ``.item()`` in any version), without the digits it lost: the result is float64 but only as exact as
    float32. Asked only when no catalogued mistake reproduces the result, so a small real mistake is named as
    such.
    """
    eps = float(np.finfo(np.float32).eps)
    wrong = []
    for name, g, e in zip(ex.outputs, got, expected, strict=True):
        if g.shape != e.shape or _close(g, e).all():
            continue
        finite = np.abs(e[np.isfinite(e)])
        floor = 16 * eps * (finite.max() if finite.size else 0.0)
        if g.dtype != np.float64 or not np.isclose(g, e, rtol=16 * eps, atol=floor, equal_nan=True).all():
            return None  # every wrong output must be off by round-off alone
        wrong.append(name)
    if wrong:
        return (
            f"your {wrong[0]} is float64 but agrees with the expected value only to about 7 significant "
            f"digits, float32's precision; the check needs {round(-np.log10(settings.RTOL))}. A float32 "
            "number on the way probably cut the digits: float(), .item() and NumPy 1.x (when a float32 meets "
            "a Python float) turn float32 into float64 without restoring them. Compute in float64, NumPy's "
            "default: no dtype=np.float32 and no np.float32(...)."
        )
    return None


def _shape_hint(ex: _Exercise, got, expected) -> str | None:
    """The exercise's advice on the shape of the first output that came back with another shape, if any."""
    for name, g, e in zip(ex.outputs, got, expected, strict=True):
        if g.shape != e.shape and name in ex.shape_advice:
            return ex.shape_advice[name]
    return None


def _integer_advice(ex: _Exercise, args: dict, name: str, got: np.ndarray) -> str:
    kind = "an integer array" if got.ndim else "an integer"
    said = (
        f"your {name} came back as {kind} ({got.dtype}): each value stored in it was cut to a whole number."
    )
    source = next((n for n in (name, *ex.params) if n not in ex.counts and _is_integer(args.get(n))), None)
    if source is None:
        return f"{said} Look for dtype=int, int(...), round(...) or // where {name} is computed."
    if ex.float_array:
        return f"{said} {ex.float_array.format(source=source)}"
    if isinstance(args[source], list):
        what, copy_ = "a list of integers", f"np.array({source})"
    elif isinstance(args[source], np.ndarray):
        what, copy_ = "an integer array", f"{source}.copy()"
    else:
        what, copy_ = "a Python int", f"np.array({source})"
    series = f"np.zeros(len({source})) or " if ex.outputs == ("averages",) else ""
    return (
        f"{said} In this case {source} is {what}, and np.zeros_like({source}), np.empty_like({source}) and "
        f"{copy_} are integer arrays too. Make a float array instead: {series}"
        f"np.zeros_like({source}, dtype=float)."
    )


def _is_integer(value) -> bool:
    """An integer number, or a list or array of them (not a bool)."""
    if isinstance(value, (list, np.ndarray)):
        return np.asarray(value).dtype.kind in "iu"
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _low_precision_advice(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    """Advice for float32 or float16; says so if the values are right to that precision (a loose test)."""
    dtype, eps = got.dtype, float(np.finfo(got.dtype).eps)
    finite = np.abs(expected[np.isfinite(expected)])
    floor = 100 * eps * (finite.max() if finite.size else 0.0)
    agrees = np.isclose(got, expected, rtol=min(1000 * eps, 1e-2), atol=floor, equal_nan=True).all()
    right = f" Your values agree with the expected ones to {dtype} precision, so the maths is right."
    return (
        f"your {name} came back as {dtype}, which keeps about {round(-np.log10(eps))} significant digits; "
        f"the check needs {round(-np.log10(settings.RTOL))}.{right if agrees else ''} Compute in float64, "
        f"NumPy's default: {dtype} comes from arrays made with dtype=np.{dtype} (as in "
        f"np.zeros(n, dtype=np.{dtype})) or numbers made with np.{dtype}(...)."
    )


def _matching_mistake(ex: _Exercise, args: dict, got, expected) -> _Mistake | None:
    """The first catalogued (or generic) mistake that reproduces the learner's result on these inputs."""
    for mistake in (*ex.mistakes, *_generic_mistakes(ex, args, expected)):
        variant = _mistaken_result(ex, mistake, args)
        if variant is None or any(v is None for v in variant):  # raised, or said "never" with None
            continue
        if _all_close(got, variant):
            return mistake
    return None


def _mistake_returning_none(ex: _Exercise, args: dict) -> _Mistake | None:
    """The first catalogued mistake whose result on these inputs is None (a "never" said with None)."""
    for mistake in ex.mistakes:
        variant = _mistaken_result(ex, mistake, args)
        if variant is not None and all(v is None for v in variant):
            return mistake
    return None


def _mistaken_result(ex: _Exercise, mistake: _Mistake, args: dict) -> tuple | None:
    """What ``mistake`` returns on ``args``, as arrays (None where it returns None); None if it raises.

    The mistakes see Python floats as NumPy floats, so that a division by zero gives inf or nan, as it does in
    a learner's code that converted its inputs to arrays.
    """
    as_numpy = {name: np.float64(v) if type(v) is float else v for name, v in args.items()}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = mistake.rule(*_copies(ex, as_numpy))
            return tuple(None if v is None else _as_arrays((v,))[0] for v in result)
    except Exception:  # e.g. a Python-float division by zero: this mistake cannot be what happened
        return None


def _generic_mistakes(ex: _Exercise, args: dict, expected) -> list[_Mistake]:
    """Mistakes of shape rather than maths: results in the wrong order, or an input returned unchanged."""
    mistakes = []
    names = ex.outputs
    for order in itertools.permutations(range(len(names))):
        if list(order) != sorted(order):
            returned = ", ".join(names[i] for i in order)
            mistakes.append(
                _Mistake(
                    "results in the wrong order",
                    f"Return {', '.join(names)}; you returned {returned}.",
                    lambda *_, order=order: tuple(expected[i] for i in order),
                )
            )
    for i, name in enumerate(names):
        if name in args:
            unchanged = tuple(args[name] if j == i else e for j, e in enumerate(expected))
            mistakes.append(
                _Mistake(
                    f"{name} returned unchanged",
                    f"You returned the {name} that was passed in. Compute the new {name} and return it.",
                    lambda *_, unchanged=unchanged: unchanged,
                )
            )
    return mistakes


def _describe_inputs(ex: _Exercise, args: dict, values: bool = True) -> str:
    """The arguments of a call, short: numbers, and with ``values`` arrays of up to 4 entries, in full."""
    parts = []
    for name in ex.params:
        value = args[name]
        if isinstance(value, list):
            short = values and len(value) <= 4
            shown = _show(np.asarray(value))
            numbers = f"{len(value)} number{'s' if len(value) != 1 else ''}"
            parts.append(f"{name}={shown}" if short else f"{name}: a list of {numbers}")
        elif isinstance(value, np.ndarray) and value.ndim > 0:
            short = values and value.size <= 4
            parts.append(f"{name}={_show(value)}" if short else f"{name}: array of shape {value.shape}")
        elif isinstance(value, (int, np.integer)):
            parts.append(f"{name}={value}")
        else:
            parts.append(f"{name}={_number(value)}")
    return ", ".join(parts)


def _describe_difference(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    if got.shape != expected.shape:
        return f"{name}: expected {_shape(expected.shape)}, got {_shape(got.shape)}"
    bad = ~_close(got, expected)
    if not bad.any():
        return f"{name}: correct"
    if expected.size <= 4:
        digits = _digits(got[bad], expected[bad])
        return f"{name}: expected {_show(expected, digits)}, got {_show(got, digits)}"
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    digits = _digits(got[index], expected[index])
    at = ", ".join(map(str, index))
    return (
        f"{name}: wrong at {int(bad.sum())} of {bad.size} entries, e.g. {name}[{at}]: "
        f"expected {_number(expected[index], digits)}, got {_number(got[index], digits)}"
    )


def _digits(got, expected) -> int:
    """Significant digits enough to show that two values differ (4 to 12)."""
    got, expected = np.ravel(got), np.ravel(expected)
    for digits in range(4, 13):
        if any(_number(a, digits) != _number(b, digits) for a, b in zip(got, expected, strict=True)):
            return digits
    return 12


def _number(value, digits: int = 4) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))  # 3, not 3.0: an integer input or a truncated result
    text = f"{float(value):.{digits}g}"
    return text + ".0" if text.lstrip("-").isdigit() else text  # 1.0, not 1: it is a float


def _show(array: np.ndarray, digits: int = 4) -> str:
    if array.ndim == 0:
        return _number(array[()], digits)
    if array.size <= 4:
        return "[" + ", ".join(_number(v, digits) for v in array.ravel()) + "]"
    return f"array of shape {array.shape}"


def _shape(shape: tuple) -> str:
    return "a single number" if shape == () else f"shape {shape}"


def _type_name(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, (str, bytes)):
        text = repr(value[:20]) + ("..." if len(value) > 20 else "")
        return f"a {type(value).__name__} {text}"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


# Explaining an exception ------------------------------------------------------------------------------------

# Code that is not the learner's: this package, the standard library and installed packages.
_NOT_THE_LEARNERS = tuple(
    {Path(__file__).resolve().parents[1]}  # lessons_lib
    | {Path(sysconfig.get_paths()[key]).resolve() for key in ("stdlib", "platstdlib", "purelib", "platlib")}
)


def _explain_exception(ex: _Exercise, exc: BaseException, args: dict, where: str) -> str:
    lines = [
        f"your function raised {_exception_text(exc)}",
        f"  in {where}: {_describe_inputs(ex, args, values=False)}",
    ]
    line = _learner_line(exc)
    if line:
        lines.append(f"  at {line}")
    for hint in ex.hints:
        if isinstance(exc, hint.kind) and hint.text in str(exc):
            lines.append(f"  Hint: {hint.advice}")
            break
    return "\n".join(lines)


def _exception_text(exc: BaseException) -> str:
    message = _no_addresses(str(exc))
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _learner_line(exc: BaseException) -> str | None:
    """``line N: <code>`` of the last frame of the traceback in the learner's code (not this library's)."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith("<frozen")
        and not any(Path(frame.filename).resolve().is_relative_to(d) for d in _NOT_THE_LEARNERS)
    ]
    if not frames:
        return None
    frame = frames[-1]
    code = (frame.line or "").strip()
    return f"line {frame.lineno}: `{code}`" if code else f"line {frame.lineno}"


def _no_addresses(text: str) -> str:
    """Remove memory addresses (``at 0x7f...``), which change from run to run."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)
