"""Does each lesson fit a lab? Measure its stated time, its prose and its checked exercises.

    python tools/lesson_fit.py                                   # every solution notebook
    python tools/lesson_fit.py notebooks/solutions/05_adam.ipynb  # only these (files or folders)

Prints one row per lesson, then one line per broken rule; exits 1 if any lesson breaks a rule.

The rules
---------

1. **At most 90 minutes**: the stated time is at most :data:`MAX_MINUTES`.
2. **The stated time is stated**: the first markdown cell holds ``**Time:** about N minutes (a reading,
   b experimenting, c exercise)``; a lesson whose time cannot be read breaks this rule (it is reported, the
   tool does not stop).
3. **The parts add up**: a + b + c + ... = N.
4. **The prose fits**: the prose reads in at most half the stated time at :data:`WORDS_PER_MINUTE` words a
   minute, i.e. ``prose words <= N / 2 * 120``.
5. **Enough checked exercises** (every lesson but 00, i.e. a file whose name starts with ``00``): at least
   :data:`MIN_EXERCISES` code exercises and predictions together, at least one of them a code exercise.

Definitions
-----------

**Stated time.** In the first markdown cell, ``**Time:**``, optionally ``about``, a number N and ``minutes``
(or ``min``), then the parentheses right after it. The parentheses are split at commas, semicolons and the
word "and"; each piece that *starts* with a number (``20 reading``, ``about 30 experimenting``) is a part:
that number and the words after it as its label. A piece that does not start with a number is a note and is
ignored: in ``(50 reading, 40 experimenting; no exercise — lesson 05 has the last one)`` the parts are 50 and
40, not 05. No number after ``**Time:**``, or no parentheses or no part in them, is a broken rule.

**Prose words** are counted in the markdown cells of the *learner* version of the lesson, generated in memory
with :func:`nbtools.make_learner` (cells tagged ``solution-only`` are left out, so the count is of what a
learner reads; a learner notebook given on the command line comes out unchanged). In each markdown cell, in
this order:

1. every ``<details>...</details>`` block (its ``<summary>`` included; nested blocks belong to the outermost;
   an unclosed one runs to the end of the cell) is cut out and its words counted apart as *going further*,
   with the same rules below; they do not count towards the reading time;
2. fenced code blocks (a line starting with three or more backticks or tildes, to the closing fence or the
   end of the cell) are removed;
3. inline code (a run of backticks to the next run of the same length) is removed;
4. maths is removed: ``$$...$$``, then ``$...$`` (both may span lines; ``\\$`` is a literal dollar), and
   ``\\begin{env}...\\end{env}``;
5. HTML comments are removed with their content; other HTML tags (``<br>``, ``<sub>``...) are removed and
   the text between them kept; so are autolinks ``<https://...>``;
6. images ``![alt](target)`` are removed entirely; links ``[text](target)`` and ``[text][ref]`` keep their
   text only; reference definitions (``[ref]: target`` lines) and bare ``http(s)://`` addresses are removed;
7. table separator rows (``|---|:--:|``) and the markers of ordered lists (``1.``, ``2)`` at the start of a
   line) are removed;
8. the words left are counted with :data:`WORD`: a run of Unicode letters and digits (``\\w`` without the
   underscore: ``C7``, ``10⁵``, ``x₁`` and ``κ`` are one word each), where an apostrophe or a hyphen between
   two such runs joins them (``Adagrad's``, ``per-coordinate``) and so does a point or a comma between two
   digits (``0.038``, ``1,797``). Punctuation and markdown markup (``#``, ``**``, ``|``, ``-``) are not words.

Everything is regular expressions over the cell's text: the count depends on the text alone.

**Reading minutes** = prose words / 120, shown to one decimal; the rule compares the words themselves.

**Code exercises** are the distinct names ``check_<name>`` called in the learner version's code cells, other
than ``check_prediction``; **predictions** are the distinct first arguments of ``check_prediction(...)``
calls (the string's value; a first argument that is not a string literal is taken as its source text). Calls
are found in the syntax tree of each cell (IPython magics translated first), so a name in a comment, in a
string, in an ``import`` or in a ``def`` is not a call; ``check_x(...)`` and ``module.check_x(...)`` both
count. A cell that does not parse as Python is searched with the regular expression ``check_\\w+\\s*\\(`` on
its lines, comments cut at ``#``.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import nbtools

MAX_MINUTES = 90
WORDS_PER_MINUTE = 120
READING_SHARE = 0.5  # the prose must read in at most this share of the stated time
MIN_EXERCISES = 3  # code exercises and predictions together, in every lesson but 00
PREDICTION_CHECK = "check_prediction"
EXEMPT_PREFIX = "00"  # lessons exempt from the exercise rule (they must still meet the time rules)

# ---------------------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------------------

_ALNUM = r"[^\W_]+"
#: A word: letters and digits, joined by an inner apostrophe or hyphen, or by a point or comma between digits.
WORD = re.compile(rf"{_ALNUM}(?:(?:['’\-‐]|(?<=\d)[.,](?=\d)){_ALNUM})*")

_DETAILS_TAG = re.compile(r"<(/?)details\b[^>]*>", re.IGNORECASE)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_DISPLAY_MATH = re.compile(r"(?<!\\)\$\$.*?(?<!\\)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<!\\)\$(?:\\.|[^$\\])+?(?<!\\)\$", re.DOTALL)
_MATH_ENV = re.compile(r"\\begin\{([^}]*)\}.*?\\end\{\1\}", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_REFERENCE_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*\S.*$", re.MULTILINE)
_BARE_URL = re.compile(r"\bhttps?://\S+")
_TABLE_SEPARATOR = re.compile(
    r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$", re.MULTILINE
)
_LIST_NUMBER = re.compile(r"^([ \t]*(?:>[ \t]*)*)\d+[.)](?=[ \t]|$)", re.MULTILINE)


def split_details(text: str) -> tuple[str, str]:
    """``(text outside every <details> block, text inside them)``; see the module docstring, step 1."""
    outside, inside = [], []
    depth, pos = 0, 0
    for match in _DETAILS_TAG.finditer(text):
        closing = bool(match.group(1))
        if depth == 0 and not closing:
            outside.append(text[pos : match.start()])
            pos = match.start()
            depth = 1
        elif depth > 0:
            depth += -1 if closing else 1
            if depth == 0:
                inside.append(text[pos : match.end()])
                pos = match.end()
        # a stray </details> outside any block is left to the HTML-tag rule
    (inside if depth else outside).append(text[pos:])
    return "".join(outside), "\n".join(inside)


def _drop_fenced_code(text: str) -> str:
    kept: list[str] = []
    fence = ""
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if not fence:
            if match:
                fence = match.group(1)
            else:
                kept.append(line)
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
            if not line.strip().lstrip(fence[0]):  # a closing fence has nothing after it
                fence = ""
    return "".join(kept)


def prose_text(markdown: str) -> str:
    """The readable text of markdown outside ``<details>`` (steps 2-7 of the module docstring)."""
    text = _drop_fenced_code(markdown)
    text = _INLINE_CODE.sub(" ", text)
    text = _DISPLAY_MATH.sub(" ", text)
    text = _INLINE_MATH.sub(" ", text)
    text = _MATH_ENV.sub(" ", text)
    text = _HTML_COMMENT.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE_DEFINITION.sub(" ", text)
    text = _BARE_URL.sub(" ", text)
    text = _TABLE_SEPARATOR.sub(" ", text)
    text = _LIST_NUMBER.sub(r"\1", text)
    return text


def count_words(text: str) -> int:
    """The number of :data:`WORD` matches in ``text`` (no markdown is removed: see :func:`markdown_words`)."""
    return sum(1 for _ in WORD.finditer(text))


def markdown_words(markdown: str) -> tuple[int, int]:
    """``(prose words, going-further words)`` of one markdown cell's source."""
    main, details = split_details(markdown)
    return count_words(prose_text(main)), count_words(prose_text(details))


# ---------------------------------------------------------------------------------------------------------
# Stated time
# ---------------------------------------------------------------------------------------------------------

_TIME = re.compile(
    r"\*\*Time:?\*\*:?[ \t]*(?:about[ \t]+)?(\d+)[ \t]*min(?:utes?)?\b(?:[ \t]*\(([^()]*)\))?", re.IGNORECASE
)
_PART_SPLIT = re.compile(r"[,;]|\band\b")
_PART = re.compile(r"^\s*(?:about\s+)?(\d+)\s*(?:min(?:utes?)?\b\s*)?(.*?)\s*\.?\s*$", re.DOTALL)


@dataclass
class StatedTime:
    """What a lesson's title cell says: ``minutes`` (None if not found) and its ``parts`` (minutes, label)."""

    minutes: int | None
    parts: list[tuple[int, str]] = field(default_factory=list)
    problem: str | None = None  # why the time could not be read, if it could not

    @property
    def parts_sum(self) -> int:
        return sum(minutes for minutes, _ in self.parts)


def parse_time(markdown: str) -> StatedTime:
    """Read ``**Time:** about N minutes (a reading, b experimenting, ...)``; see the module docstring."""
    match = _TIME.search(markdown)
    if match is None:
        return StatedTime(
            None, problem="time not stated: no '**Time:** about N minutes (...)' in the first markdown cell"
        )
    minutes, inside = int(match.group(1)), match.group(2)
    if inside is None:
        return StatedTime(
            minutes,
            problem=f"time parts not stated: no '(a reading, b experimenting, ...)' after '{minutes} "
            "minutes'",
        )
    parts = []
    for piece in _PART_SPLIT.split(inside):
        part = _PART.match(piece)
        if part:
            parts.append((int(part.group(1)), " ".join(part.group(2).split())))
    if not parts:
        return StatedTime(
            minutes, problem=f"time parts not stated: no number in '({' '.join(inside.split())})'"
        )
    return StatedTime(minutes, parts)


# ---------------------------------------------------------------------------------------------------------
# Checked exercises
# ---------------------------------------------------------------------------------------------------------

_CALL = re.compile(r"\b(check_\w+)\s*\(\s*(?:(['\"])(.*?)\2)?")


def _python_of(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager  # ipykernel brings IPython

    return TransformerManager().transform_cell(source)


def checks_called(source: str) -> tuple[set[str], set[str]]:
    """``(names of check_* functions called other than check_prediction, prediction keys)`` in one cell."""
    names: set[str] = set()
    keys: set[str] = set()
    try:
        tree = ast.parse(_python_of(source))
    except SyntaxError:
        for line in source.splitlines():
            for match in _CALL.finditer(line.split("#", 1)[0]):
                if match.group(1) == PREDICTION_CHECK:
                    if match.group(2):
                        keys.add(match.group(3))
                else:
                    names.add(match.group(1))
        return names, keys
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if not name.startswith("check_"):
            continue
        if name != PREDICTION_CHECK:
            names.add(name)
            continue
        first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "key"), None)
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            keys.add(first.value)
        elif first is not None:
            keys.add(ast.unparse(first))
    return names, keys


# ---------------------------------------------------------------------------------------------------------
# One lesson
# ---------------------------------------------------------------------------------------------------------


@dataclass
class LessonFit:
    """One lesson's measures, and the rules it breaks (``problems``, empty when it fits)."""

    name: str
    stated_minutes: int | None
    parts: list[tuple[int, str]]
    parts_sum: int
    prose_words: int
    going_further_words: int
    code_exercises: list[str]
    predictions: list[str]
    exempt: bool  # lesson 00: not held to the exercise rule
    problems: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)  # the broken rules in a few words, for the table

    @property
    def reading_minutes(self) -> float:
        return self.prose_words / WORDS_PER_MINUTE

    @property
    def checked(self) -> int:
        return len(self.code_exercises) + len(self.predictions)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _judge(lesson: LessonFit, time: StatedTime) -> None:
    def broken(short: str, problem: str) -> None:
        lesson.short.append(short)
        lesson.problems.append(problem)

    if time.problem:
        broken("time unreadable", time.problem)
    minutes = time.minutes
    if minutes is not None:
        if minutes > MAX_MINUTES:
            broken(
                f">{MAX_MINUTES} min", f"stated {minutes} minutes, more than the {MAX_MINUTES}-minute limit"
            )
        if time.parts and time.parts_sum != minutes:
            shown = "+".join(str(m) for m, _ in time.parts)
            broken(
                "parts≠total",
                f"the stated parts {shown} add up to {time.parts_sum} minutes, not the stated {minutes}",
            )
        allowed = minutes * READING_SHARE * WORDS_PER_MINUTE
        if lesson.prose_words > allowed:
            broken(
                "prose too long",
                f"{lesson.prose_words} prose words read in {lesson.reading_minutes:.1f} min at "
                f"{WORDS_PER_MINUTE} words a minute, more than half the stated {minutes} min "
                f"({minutes * READING_SHARE:g} min, {allowed:.0f} words): {lesson.prose_words - allowed:.0f} "
                "words too many",
            )
    if lesson.exempt:
        return
    found = [*lesson.code_exercises, *(f"prediction {key!r}" for key in lesson.predictions)]
    listed = f" ({', '.join(found)})" if found else ""
    if lesson.checked < MIN_EXERCISES:
        need = f"needs {MIN_EXERCISES}" + ("" if lesson.code_exercises else ", at least one a code exercise")
        broken(
            f"{lesson.checked}/{MIN_EXERCISES} exercises",
            f"{_plural(lesson.checked, 'checked exercise')}{listed}, {need}",
        )
    elif not lesson.code_exercises:
        broken(
            "no code exercise",
            f"no code exercise (a check_<name>(...) call other than {PREDICTION_CHECK}), needs 1; "
            f"{_plural(len(lesson.predictions), 'prediction')}{listed}",
        )


def fit_notebook(nb: nbformat.NotebookNode, name: str) -> LessonFit:
    """Measure a lesson given as a solution (or learner) notebook; ``name`` is its file name's stem."""
    problems = []
    try:
        learner = nbtools.make_learner(nb, name)
    except nbtools.ExerciseError as exc:
        problems.append(f"the learner version cannot be generated ({exc}); measured the notebook as it is")
        learner = nb
    markdown = [cell.source for cell in learner.cells if cell.cell_type == "markdown"]
    time = parse_time(markdown[0] if markdown else "")
    prose = further = 0
    for source in markdown:
        words, going_further = markdown_words(source)
        prose, further = prose + words, further + going_further
    names: set[str] = set()
    keys: set[str] = set()
    for cell in learner.cells:
        if cell.cell_type == "code":
            cell_names, cell_keys = checks_called(cell.source)
            names |= cell_names
            keys |= cell_keys
    lesson = LessonFit(
        name=name,
        stated_minutes=time.minutes,
        parts=time.parts,
        parts_sum=time.parts_sum,
        prose_words=prose,
        going_further_words=further,
        code_exercises=sorted(names),
        predictions=sorted(keys),
        exempt=name.startswith(EXEMPT_PREFIX),
        problems=problems,
        short=["learner version" for _ in problems],
    )
    _judge(lesson, time)
    return lesson


def fit(path: str | Path) -> LessonFit:
    """Measure the lesson in the notebook file ``path`` (a solution notebook, normally)."""
    path = Path(path)
    return fit_notebook(nbtools.read_notebook(path), path.stem)


# ---------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------

_HEADER = ("lesson", "stated", "parts", "prose words", "read min", "further words", "code ex", "predictions")


def _row(lesson: LessonFit) -> tuple[str, ...]:
    parts = "+".join(str(m) for m, _ in lesson.parts)
    return (
        lesson.name,
        "?" if lesson.stated_minutes is None else str(lesson.stated_minutes),
        f"{parts}={lesson.parts_sum}" if lesson.parts else "?",
        str(lesson.prose_words),
        f"{lesson.reading_minutes:.1f}",
        str(lesson.going_further_words),
        str(len(lesson.code_exercises)),
        str(len(lesson.predictions)),
    )


def table(lessons: list[LessonFit]) -> str:
    """The table that :func:`main` prints: one row per lesson, the broken rules in the last column."""
    rows = [(*_HEADER, "verdict")]
    for lesson in lessons:
        verdict = "; ".join(lesson.short) if lesson.short else "ok"
        if lesson.exempt:
            verdict += " (no exercise rule)"
        rows.append((*_row(lesson), verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks or folders of notebooks to measure (default: every solution notebook)",
    )
    args = parser.parse_args(argv)
    paths = nbtools.expand_paths(args.notebooks) if args.notebooks else nbtools.solution_notebooks()
    if not paths:
        print("no notebooks to measure", file=sys.stderr)
        return 1
    lessons = [fit(path) for path in paths]
    print(table(lessons))
    print(
        f"\nRules: at most {MAX_MINUTES} min; parts add up to the stated time; prose reads in at most half "
        f"of it at {WORDS_PER_MINUTE} words a minute; lessons after {EXEMPT_PREFIX}: at least "
        f"{MIN_EXERCISES} checked exercises (code exercises and predictions), at least one a code exercise."
    )
    broken = [lesson for lesson in lessons if lesson.problems]
    if broken:
        print(f"\n{_plural(len(broken), 'lesson')} of {len(lessons)} break a rule:")
        for lesson in broken:
            for problem in lesson.problems:
                print(f"  {lesson.name}: {problem}")
        return 1
    print(f"\nAll {_plural(len(lessons), 'lesson')} fit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
