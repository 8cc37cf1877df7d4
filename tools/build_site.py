"""Build the course as a static web site that reads fully offline: ``make html``.

    python tools/build_site.py                  # execute copies of the solution notebooks, write site/
    python tools/build_site.py --no-execute     # use the committed outputs instead (a few seconds)
    python tools/build_site.py --out /tmp/site  # somewhere else

The site has an ``index.html`` with the course outline (number, title, prerequisites, objectives and time of
every notebook in ``notebooks/solutions/``, read from each notebook's first markdown cell, so a new notebook
appears by itself) and one page per lesson: the solution notebook with its outputs, figures and equations,
linked to its learner notebook and to the lessons before and after it.

The instructor notes, ``docs/instructors/NN_name.md`` (one per lesson, named after its notebook) and their
index ``docs/instructors/README.md``, become ``instructors/NN_name.html`` and ``instructors/index.html``,
rendered by the same markdown renderer as the notebooks' markdown cells. Their links to notebooks and to each
other are rewritten to the site's pages (a link to a solution notebook goes to its lesson page); the outline
and every lesson page link to the lesson's notes.

Nothing is fetched when the pages are viewed, and nothing is downloaded to build them:

* equations are converted at build time from the notebooks' LaTeX (``$...$``, ``$$...$$``, ``\\begin{..}``
  environments, ``\\tag{..}``) to MathML with the ``latex2mathml`` package; browsers render MathML natively.
  The conversion runs on the markdown source before markdown is rendered, so code spans, fenced code and an
  escaped ``\\$`` keep their dollars, and markdown never sees (or mangles) the LaTeX;
* figures are the notebooks' PNG outputs, embedded as ``data:`` URIs;
* the page is nbconvert's ``basic`` template (the body only; the ``lab`` template loads require.js and
  MathJax from a CDN) inside this module's own page, with inline CSS (Pygments for the code). A
  Content-Security-Policy meta tag forbids every request other than ``data:`` images, so a future change that
  adds one fails visibly.

Widgets have no saved state, so their place shows their text fallback; the static figure the lessons put
beside each widget is there. The learner notebook link says how to use the widgets (``make lab``).

The notebooks are executed in memory (``nbtools.execute``, from their own folder), never written back. The
output folder is replaced as a whole; a folder not written by this tool is never touched (the tool refuses).
"""

from __future__ import annotations

import argparse
import html
import os
import posixpath
import re
import shutil
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import nbtools

SITE_DIR = nbtools.REPO_ROOT / "site"
NOTES_DIR = nbtools.REPO_ROOT / "docs" / "instructors"  # the instructor notes, one markdown file per lesson
NOTES_FOLDER = "instructors"  # where their pages go in the site
MARKER = ".built-by-build_site"  # marks a folder this tool may replace
COURSE_TITLE_FALLBACK = "The course"
# Only inline styles and data: images; no script, font, frame or fetch, local or remote.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

# --------------------------------------------------------------------------------------------------------
# LaTeX in markdown -> MathML
# --------------------------------------------------------------------------------------------------------

_PLACEHOLDER = "MATHPH{:05d}Q"  # letters and digits only: markdown leaves it alone
_PLACEHOLDER_RE = re.compile(r"MATHPH(\d{5})Q")
_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ENV_RE = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")
_TAG_RE = re.compile(r"\\tag\*?\{([^{}]*)\}")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


class MathError(ValueError):
    """LaTeX that cannot be converted to MathML (a syntax error, or a command latex2mathml does not know)."""


@dataclass(frozen=True)
class Math:
    """One piece of math found in markdown: ``latex`` without its delimiters; ``display`` for ``$$``/env.

    A literal dollar (``\\$`` in the source, or a ``$`` that opens no math) is ``Math("$", literal=True)``.
    """

    latex: str
    display: bool = False
    literal: bool = False


DOLLAR = Math("$", literal=True)


def _fence_end(source: str, start: int, fence: str) -> int:
    """Index just after the line that closes the fenced block opened at ``start`` (or the end of source)."""
    closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
    first_line_end = source.find("\n", start)
    if first_line_end == -1:
        return len(source)
    match = closing.search(source, first_line_end + 1)
    if match is None:
        return len(source)
    return match.end()


def _code_span_end(source: str, after_ticks: int, n_ticks: int) -> int | None:
    """Index after the backtick run of exactly ``n_ticks`` that closes a code span, within the paragraph."""
    for match in re.finditer(r"`+", source[after_ticks:]):
        if _BLANK_LINE_RE.search(source, after_ticks, after_ticks + match.start()):
            return None
        if len(match.group()) == n_ticks:
            return after_ticks + match.end()
    return None


def _unescaped(source: str, what: str, start: int) -> int:
    """Index of the next ``what`` at or after ``start`` that is not preceded by a backslash escape, or -1."""
    i = start
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source.startswith(what, i):
            return i
        i += 1
    return -1


def _inline_end(source: str, start: int) -> int | None:
    """Index of the ``$`` that closes inline math opened just before ``start``, or None (pandoc's rules).

    The opening ``$`` must be followed by a non-space; the closing one must follow a non-space and must not
    be followed by a digit; inline math does not cross a blank line. So "costs $5 and $10" is not math.
    """
    n = len(source)
    if start >= n or source[start].isspace() or source[start] == "$":
        return None
    i = start
    while i < n:
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "\n" and _BLANK_LINE_RE.match(source, i):
            return None
        if ch == "$":
            if not source[i - 1].isspace() and not (i + 1 < n and source[i + 1].isdigit()):
                return i
        i += 1
    return None


def extract_math(source: str) -> tuple[str, list[Math]]:
    """Replace the math in markdown ``source`` by placeholders; return the new source and the math found.

    Recognised: ``$$...$$`` and ``\\begin{env}...\\end{env}`` (display), ``$...$`` (inline, pandoc's rules:
    no space just inside the dollars, no digit just after the closing one). An escaped ``\\$`` and a ``$``
    that opens nothing become literal dollars. Code spans and fenced code blocks are left exactly as they
    are, dollars included. The placeholders are plain letters and digits, so markdown leaves them alone.
    """
    out: list[str] = []
    found: list[Math] = []

    def keep(math: Math) -> None:
        out.append(_PLACEHOLDER.format(len(found)))
        found.append(math)

    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if i == 0 or source[i - 1] == "\n":
            fence = _FENCE_RE.match(source, i)
            if fence:
                end = _fence_end(source, i, fence.group(1))
                out.append(source[i:end])
                i = end
                continue
        if ch == "`":
            j = i
            while j < n and source[j] == "`":
                j += 1
            end = _code_span_end(source, j, j - i)
            out.append(source[i : end if end is not None else j])
            i = end if end is not None else j
            continue
        if ch == "\\":
            if source.startswith("$", i + 1):
                keep(DOLLAR)
                i += 2
                continue
            env = _ENV_RE.match(source, i)
            if env:
                closing = f"\\end{{{env.group(1)}}}"
                end = source.find(closing, env.end())
                if end != -1:
                    keep(Math(source[i : end + len(closing)], display=True))
                    i = end + len(closing)
                    continue
            out.append(source[i : i + 2])
            i += 2
            continue
        if ch == "$":
            if source.startswith("$$", i):
                end = _unescaped(source, "$$", i + 2)
                if end != -1 and source[i + 2 : end].strip():
                    keep(Math(source[i + 2 : end].strip(), display=True))
                    i = end + 2
                    continue
                keep(DOLLAR)
                keep(DOLLAR)
                i += 2
                continue
            end = _inline_end(source, i + 1)
            if end is not None:
                keep(Math(source[i + 1 : end]))
                i = end + 1
                continue
            keep(DOLLAR)
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out), found


def latex_to_mathml(latex: str, display: bool = False) -> str:
    """MathML for one piece of LaTeX (without its dollars), as HTML to put in a page.

    Display math is wrapped in ``<span class="equation">``; a ``\\tag{X}`` becomes a right-aligned "(X)".
    Raises :class:`MathError` when latex2mathml fails or leaves a command it does not know.
    """
    from latex2mathml.converter import convert

    tags = _TAG_RE.findall(latex)
    body = _TAG_RE.sub("", latex).strip()
    # latex2mathml does not group an environment, so a sub/superscript after \end{pmatrix} would attach to
    # its closing parenthesis only: braces make the environment one atom.
    body = re.sub(r"(\\begin\{(\w+\*?)\}.*?\\end\{\2\})", r"{\1}", body, flags=re.S)
    try:
        xml = convert(body, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises a variety of its own and built-in errors
        raise MathError(f"cannot convert ${latex}$ to MathML: {type(exc).__name__} {exc}".strip()) from exc
    unknown = re.findall(r"\\[A-Za-z]+", xml)
    if unknown:
        raise MathError(
            f"cannot convert ${latex}$ to MathML: unknown command {', '.join(sorted(set(unknown)))}"
        )
    if not display:
        return xml.replace("<math ", '<math class="inline" ', 1)
    tag = "".join(f'<span class="eq-tag">({html.escape(t.strip())})</span>' for t in tags)
    return f'<span class="equation">{xml}{tag}</span>'


def _attribute_text(math: Math) -> str:
    """What a placeholder becomes inside an HTML attribute (a heading's id, say): the LaTeX's letters."""
    return "dollar" if math.literal else re.sub(r"[^A-Za-z0-9]+", "-", math.latex).strip("-")


def restore_math(rendered: str, found: list[Math], where: str = "markdown") -> str:
    """Put MathML (or a literal ``$``) where :func:`extract_math` left placeholders in rendered HTML.

    Placeholders inside tags (a heading's generated id) get plain text instead. ``where`` prefixes errors.
    """

    def mathml(match: re.Match) -> str:
        math = found[int(match.group(1))]
        if math.literal:
            return "$"
        try:
            return latex_to_mathml(math.latex, math.display)
        except MathError as exc:
            raise MathError(f"{where}: {exc}") from None

    parts = re.split(r"(<[^>]*>)", rendered)
    for k, part in enumerate(parts):
        if "MATHPH" not in part:
            continue
        if part.startswith("<"):
            parts[k] = _PLACEHOLDER_RE.sub(lambda m: _attribute_text(found[int(m.group(1))]), part)
        else:
            parts[k] = _PLACEHOLDER_RE.sub(mathml, part)
    return "".join(parts)


def render_markdown(source: str, where: str = "markdown") -> str:
    """Markdown to HTML with its math as MathML (nbconvert's own markdown renderer, without anchors)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    protected, found = extract_math(source)
    return restore_math(markdown2html_mistune(protected), found, where)


def _render_inline(source: str, where: str) -> str:
    rendered = render_markdown(source, where).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


# --------------------------------------------------------------------------------------------------------
# Lessons
# --------------------------------------------------------------------------------------------------------


@dataclass
class Lesson:
    """A lesson as the site shows it, read from the solution notebook's first markdown cell."""

    solution: Path
    number: str
    title: str
    time: str = ""
    needs: str = ""
    objectives: str = ""  # markdown of the "By the end of this notebook you can" list
    minutes: int | None = None
    nb: nbformat.NotebookNode | None = field(default=None, repr=False)

    @property
    def learner(self) -> Path:
        return nbtools.learner_path_for(self.solution)

    @property
    def page(self) -> str:
        return f"{self.solution.stem}.html"

    @property
    def label(self) -> str:
        return f"{self.number} — {self.title}" if self.number else self.title


def _field(source: str, label: str) -> str:
    """The text after ``**label:**`` up to the next blank line or the next line starting with ``**``."""
    match = re.search(rf"^\*\*{re.escape(label)}:?\*\*:?[ \t]*(.*)$", source, re.M)
    if not match:
        return ""
    lines = [match.group(1)]
    for line in source[match.end() + 1 :].splitlines():
        if not line.strip() or line.lstrip().startswith("**"):
            break
        lines.append(line.strip())
    return " ".join(line.strip() for line in lines).strip()


def _objectives(source: str) -> str:
    match = re.search(r"^\*\*By the end of this notebook you can\*\*.*$", source, re.M)
    if not match:
        return ""
    rest = source[match.end() :].lstrip("\n")
    end = _BLANK_LINE_RE.search(rest)
    return rest[: end.start()] if end else rest


def lesson_from_notebook(path: Path, nb: nbformat.NotebookNode) -> Lesson:
    """Title, number, time, prerequisites and objectives from the first markdown cell (else from the name)."""
    path = Path(path)
    name_number = re.match(r"(\d+)[_-]", path.stem)
    number = name_number.group(1) if name_number else ""
    title = re.sub(r"^\d+[_-]", "", path.stem).replace("_", " ").capitalize()
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    source = first.source if first is not None else ""
    heading = re.search(r"^#\s+(.+?)\s*#*\s*$", source, re.M)
    if heading:
        title = heading.group(1)
        split = re.match(r"(\d+)\s*[—–:.-]\s*(.+)", title)
        if split:
            number, title = split.groups()
    time_text = _field(source, "Time")
    minutes = re.search(r"(\d+)\s*min", time_text)
    return Lesson(
        solution=path,
        number=number,
        title=title,
        time=time_text,
        needs=_field(source, "You need"),
        objectives=_objectives(source),
        minutes=int(minutes.group(1)) if minutes else None,
        nb=nb,
    )


def load_lessons(
    notebooks_dir: Path = nbtools.NOTEBOOKS_DIR,
    *,
    execute: bool = True,
    timeout: int = nbtools.CELL_TIMEOUT_S,
) -> list[Lesson]:
    """Every solution notebook as a :class:`Lesson`, executed in memory first unless ``execute`` is False.

    Raises :class:`nbtools.NotebookExecutionError` when a notebook fails; the files are never written.
    """
    lessons = []
    for path in nbtools.solution_notebooks(notebooks_dir):
        nb = nbtools.read_notebook(path)
        if execute:
            result = nbtools.execute(
                nb, path.resolve().parent, name=nbtools.display_path(path), timeout=timeout
            )
            nbtools.normalise(nb)
            print(f"{result.seconds:7.1f} s  executed {nbtools.display_path(path)}", flush=True)
        lessons.append(lesson_from_notebook(path, nb))
    return lessons


# --------------------------------------------------------------------------------------------------------
# Instructor notes
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notes:
    """An instructor-notes page: its markdown ``source``, its ``page`` (from the site's root) and its title.

    ``lesson`` is the lesson the notes are about; None for the index of the notes (their ``README.md``).
    """

    source: Path
    page: str
    title: str
    lesson: Lesson | None = None


def _notes(source: Path, page: str, lesson: Lesson | None) -> Notes:
    heading = re.search(r"^#\s+(.+?)\s*#*\s*$", source.read_text(encoding="utf-8"), re.M)
    fallback = f"{lesson.label}: instructor notes" if lesson else "Instructor notes"
    return Notes(source, page, heading.group(1) if heading else fallback, lesson)


def load_notes(lessons: list[Lesson], notes_dir: Path = NOTES_DIR) -> dict[str, Notes]:
    """The instructor notes found for ``lessons``, by the stem of their file.

    A lesson's notes are ``notes_dir/<its notebook's stem>.md``, shown as ``instructors/<stem>.html``; their
    index, ``notes_dir/README.md`` (key ``"README"``), as ``instructors/index.html`` if a lesson has notes.
    """
    notes = {}
    for lesson in lessons:
        stem = lesson.solution.stem
        source = Path(notes_dir) / f"{stem}.md"
        if source.is_file():
            notes[stem] = _notes(source, f"{NOTES_FOLDER}/{stem}.html", lesson)
    readme = Path(notes_dir) / "README.md"
    if notes and readme.is_file():
        notes["README"] = _notes(readme, f"{NOTES_FOLDER}/index.html", None)
    return notes


def _relative(page: str, from_page: str) -> str:
    """A URL from the page ``from_page`` to the page ``page`` of the site (both paths from its root)."""
    return urllib.parse.quote(posixpath.relpath(page, posixpath.dirname(from_page) or "."))


_LINK_RE = re.compile(r'(<a\s[^>]*?href=")([^"]*)(")')


def rewrite_links(rendered: str, source_dir: Path, page: str, out_dir: Path, pages: dict[Path, str]) -> str:
    """Point the relative links of HTML rendered from markdown in ``source_dir`` at what the site has.

    ``pages`` maps files (resolved) to the site's page for them (a path from its root): a link to such a file
    goes to that page; a link to any other existing file goes to the file. Both are made relative to ``page``,
    the page being written in ``out_dir``. Links to the web, anchors, and links to nothing are left alone.
    """
    page_dir = Path(out_dir) / posixpath.dirname(page)

    def rewrite(match: re.Match) -> str:
        url = urllib.parse.urlsplit(html.unescape(match.group(2)))
        if url.scheme or url.netloc or not url.path:
            return match.group(0)
        target = (Path(source_dir) / urllib.parse.unquote(url.path)).resolve()
        if target in pages:
            href = _relative(pages[target], page)
        elif target.exists():
            href = _href(target, page_dir)
        else:
            return match.group(0)
        href += f"#{url.fragment}" if url.fragment else ""
        return f"{match.group(1)}{html.escape(href)}{match.group(3)}"

    return _LINK_RE.sub(rewrite, rendered)


def notes_page(
    notes: Notes, lessons: list[Lesson], all_notes: dict[str, Notes], course: str, out_dir: Path
) -> str:
    """The HTML page of ``notes``: its markdown rendered as the notebooks' markdown cells are, its links
    pointed at the site's pages, between links to the outline, the notes' index and the lesson."""
    where = nbtools.display_path(notes.source)
    pages = {lesson.solution.resolve(): lesson.page for lesson in lessons}
    pages.update({n.source.resolve(): n.page for n in all_notes.values()})
    body = render_markdown(notes.source.read_text(encoding="utf-8"), where)
    body = rewrite_links(body, notes.source.parent, notes.page, out_dir, pages)
    links = [f'<a href="{_relative("index.html", notes.page)}">Course outline</a>']
    index = all_notes.get("README")
    if index is not None and index is not notes:
        links.append(f'<a href="{_relative(index.page, notes.page)}">Instructor notes</a>')
    about = f"These instructor notes are <code>{html.escape(where)}</code> in the repository."
    if notes.lesson is not None:
        lesson_href = _relative(notes.lesson.page, notes.page)
        label = html.escape(notes.lesson.label)
        links.append(f'<a class="lesson" href="{lesson_href}">{label} →</a>')
        about += (
            f' The lesson is <a href="{lesson_href}">{label}</a>: its solution notebook, with the outputs '
            "that the numbers below come from."
        )
    nav = '<nav class="lessons">' + "".join(f"<span>{link}</span>" for link in links) + "</nav>"
    content = f'{nav}\n<aside class="run-it">{about}</aside>\n<main class="notes">\n{body}\n</main>\n{nav}'
    return _page(f"{notes.title} · {course}", course, content, root="../" * notes.page.count("/"))


# --------------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------------

# nbconvert's basic template, except that highlighted code is not run through bleach (Pygments escapes it
# already; bleach took a third of the build time).
_TEMPLATE = """{%- extends 'basic/index.html.j2' -%}
{% block input %}
<div class="inner_cell">
<div class="input_area">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
</div>
</div>
{%- endblock input %}
"""
_WIDGET_RE = re.compile(r"<pre>\[interactive widget: (.*?); run the notebook to use it\]\s*</pre>", re.S)


def _css() -> str:
    from pygments.formatters import HtmlFormatter

    pygments = HtmlFormatter(style="default").get_style_defs(".highlight")
    return CSS + "\n" + pygments


def _page(title: str, course: str, body: str, root: str = "") -> str:
    """A whole page; ``root`` is the way from it to the site's root (``""`` or ``"../"``)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{html.escape(title)}</title>
<style>
{_css()}
</style>
</head>
<body>
<div class="page">
<header class="site"><a href="{root}index.html">{html.escape(course)}</a></header>
{body}
</div>
</body>
</html>
"""


def _href(target: Path, out_dir: Path) -> str:
    """A relative URL from a page in ``out_dir`` to ``target`` (a file anywhere)."""
    relative = os.path.relpath(Path(target).resolve(), Path(out_dir).resolve())
    return urllib.parse.quote(Path(relative).as_posix())


def _nav(lessons: list[Lesson], index: int) -> str:
    links = ['<a href="index.html">Course outline</a>']
    if index > 0:
        before = lessons[index - 1]
        links.append(f'<a rel="prev" href="{before.page}">← {html.escape(before.label)}</a>')
    if index + 1 < len(lessons):
        after = lessons[index + 1]
        links.append(f'<a rel="next" href="{after.page}">{html.escape(after.label)} →</a>')
    return '<nav class="lessons">' + "".join(f"<span>{link}</span>" for link in links) + "</nav>"


def lesson_page(
    lessons: list[Lesson], index: int, course: str, out_dir: Path, executed: bool, notes: Notes | None = None
) -> str:
    """The HTML page of ``lessons[index]``, linked to its instructor ``notes`` if it has some."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    lesson = lessons[index]
    where = nbtools.display_path(lesson.solution)
    nb = nbformat.from_dict(lesson.nb)  # a copy: the placeholders never reach the caller's notebook
    found: list[Math] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            protected, math = extract_math(cell.source)
            # Renumber this cell's placeholders after those of the cells before it.
            offset = len(found)
            cell.source = _PLACEHOLDER_RE.sub(
                lambda m, offset=offset: _PLACEHOLDER.format(int(m.group(1)) + offset), protected
            )
            found += math
    exporter = HTMLExporter(
        template_name="basic",
        extra_loaders=[DictLoader({"site.html.j2": _TEMPLATE})],
        template_file="site.html.j2",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    body = restore_math(body, found, where)

    learner_link = learner_note = ""
    if lesson.learner.exists():
        href = _href(lesson.learner, out_dir)
        learner_link = (
            f'<a href="{href}"><code>{html.escape(nbtools.display_path(lesson.learner))}</code></a>'
        )
        learner_note = (
            f' (in <a href="{href}">the learner notebook</a>; start JupyterLab on the course with '
            "<code>make lab</code>)"
        )
    body = _WIDGET_RE.sub(
        lambda m: (
            '<div class="widget-note"><pre>[interactive widget: '
            f"{m.group(1)}; run the notebook to use it]</pre><p>This widget needs a running Python kernel"
            f"{learner_note}. The static figure next to it shows a few of its settings.</p></div>"
        ),
        body,
    )
    source = (
        "executed when the site was built" if executed else "with the outputs committed in the repository"
    )
    run_it = (
        f"This page is the solution notebook <code>{html.escape(where)}</code>, {source}: the exercises are "
        "solved. "
        + (
            f"To work through the lesson, open the learner notebook {learner_link} in JupyterLab "
            "(<code>make lab</code>); its interactive widgets need a running kernel."
            if learner_link
            else "It has no learner notebook yet (<code>make exercises</code> generates it)."
        )
    )
    if notes is not None:
        run_it += (
            f' <a class="notes" href="{urllib.parse.quote(notes.page)}">Instructor notes</a> for this '
            "lesson: what to demonstrate live, where learners stall, the answers, a 60-minute path."
        )
    nav = _nav(lessons, index)
    content = (
        f'{nav}\n<aside class="run-it">{run_it}</aside>\n<main class="notebook">\n{body}\n</main>\n{nav}'
    )
    return _page(f"{lesson.label} · {course}", course, content)


def index_page(
    lessons: list[Lesson], course: str, executed: bool, notes: dict[str, Notes] | None = None
) -> str:
    """The course outline: one row per lesson, with its time, prerequisites, objectives and notes link."""
    notes = notes or {}
    rows = []
    for lesson in lessons:
        where = nbtools.display_path(lesson.solution)
        title = _render_inline(lesson.title, where)
        needs = f'<p class="needs"><strong>You need:</strong> {_render_inline(lesson.needs, where)}</p>'
        objectives = (
            "<details><summary>By the end of this lesson you can…</summary>"
            f"{render_markdown(lesson.objectives, where)}</details>"
            if lesson.objectives
            else ""
        )
        time_main, _, time_detail = lesson.time.partition("(")
        time_html = _render_inline(time_main.strip(), where) if lesson.time else "—"
        if time_detail:
            time_html += f'<br><span class="detail">({_render_inline(time_detail, where)}</span>'
        rows.append(
            f'<tr><td class="number">{html.escape(lesson.number)}</td>'
            f'<td><a class="lesson" href="{lesson.page}">{title}</a>'
            f"{needs if lesson.needs else ''}{objectives}{_notes_link(notes.get(lesson.solution.stem))}</td>"
            f'<td class="time">{time_html}</td></tr>'
        )
    total = sum(lesson.minutes for lesson in lessons if lesson.minutes)
    hours, minutes = divmod(total, 60)
    total_text = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    source = (
        "Each page is a solution notebook, executed when this site was built"
        if executed
        else "Each page is a solution notebook with the outputs committed in the repository"
    )
    body = f"""<main>
<h1>{html.escape(course)}</h1>
<p class="intro">A course in runnable Jupyter notebooks. {source}: text, code, printed results, figures and
equations. The learner versions, with the exercises to do and the interactive widgets, are in
<code>notebooks/</code>; run them in JupyterLab with <code>make lab</code>.</p>
{_notes_intro(notes.get("README"))}<table class="outline">
<thead><tr><th>Lesson</th><th>Topic</th><th>Time</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p class="total">{len(lessons)} lessons, about {total_text} in all.</p>
</main>"""
    return _page(course, course, body)


def _notes_link(notes: Notes | None) -> str:
    if notes is None:
        return ""
    return f'<p class="notes-link"><a href="{urllib.parse.quote(notes.page)}">Instructor notes</a></p>'


def _notes_intro(index: Notes | None) -> str:
    if index is None:
        return ""
    return (
        f'<p class="intro">For instructors: <a href="{urllib.parse.quote(index.page)}">notes for each '
        "lesson</a> — what to demonstrate live, where learners stall, the answers to the predictions, a "
        "60-minute path.</p>\n"
    )


def course_title(readme: Path = nbtools.REPO_ROOT / "README.md") -> str:
    """The README's first heading."""
    try:
        match = re.search(r"^#\s+(.+?)\s*$", readme.read_text(encoding="utf-8"), re.M)
    except OSError:
        match = None
    return match.group(1) if match else COURSE_TITLE_FALLBACK


def check_out_dir(out_dir: Path) -> None:
    """Raise :class:`FileExistsError` unless ``out_dir`` is missing, empty, or was built by this tool."""
    if out_dir.is_dir() and not (out_dir / MARKER).exists() and any(out_dir.iterdir()):
        raise FileExistsError(
            f"{out_dir} exists, is not empty and was not built by this tool; choose another --out "
            "or remove it yourself."
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} exists and is not a folder; choose another --out.")


def write_site(
    lessons: list[Lesson],
    out_dir: Path,
    *,
    executed: bool,
    course: str | None = None,
    notes_dir: Path = NOTES_DIR,
) -> list[Path]:
    """Render every page first, then replace ``out_dir`` with them. Returns the files written.

    The lessons' instructor notes are read from ``notes_dir`` (:func:`load_notes`).
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    course = course or course_title()
    notes = load_notes(lessons, notes_dir)
    pages = {"index.html": index_page(lessons, course, executed, notes)}
    for index, lesson in enumerate(lessons):
        lesson_notes = notes.get(lesson.solution.stem)
        pages[lesson.page] = lesson_page(lessons, index, course, out_dir, executed, notes=lesson_notes)
    for page_notes in notes.values():
        pages[page_notes.page] = notes_page(page_notes, lessons, notes, course, out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    (out_dir / MARKER).write_text("Built by tools/build_site.py; `make html` replaces this folder.\n")
    written = []
    for name, text in pages.items():
        (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_text(text, encoding="utf-8")
        written.append(out_dir / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=SITE_DIR, help="output folder (default: site/)")
    parser.add_argument(
        "--no-execute",
        dest="execute",
        action="store_false",
        help="use the outputs committed in the notebooks instead of executing them",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=nbtools.CELL_TIMEOUT_S,
        help="seconds allowed per cell when executing (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    try:
        check_out_dir(args.out)  # before spending minutes executing notebooks
        lessons = load_lessons(execute=args.execute, timeout=args.timeout)
        if not lessons:
            print(
                f"error: no solution notebooks in {nbtools.display_path(nbtools.SOLUTIONS_DIR)}",
                file=sys.stderr,
            )
            return 1
        written = write_site(lessons, args.out, executed=args.execute)
    except nbtools.NotebookExecutionError as exc:
        print(f"FAILED {exc}\n\nerror: the site was not built (nothing was changed).", file=sys.stderr)
        return 1
    except (MathError, FileExistsError) as exc:
        print(f"error: {exc}\nThe site was not built.", file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in written) / 1e6
    print(
        f"wrote {len(written)} pages ({size:.1f} MB) to {nbtools.display_path(args.out)}/ in "
        f"{time.perf_counter() - start:.1f} s; open {nbtools.display_path(args.out / 'index.html')}"
    )
    return 0


CSS = """
:root {
  --fg: #1f2328; --muted: #59636e; --accent: #0b5cad; --line: #d0d7de;
  --code-bg: #f6f8fa; --note-bg: #fff8e6; --note-line: #e3b341;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 17px/1.6 "DejaVu Serif", Georgia, "Times New Roman", serif; }
.page { max-width: 56rem; margin: 0 auto; padding: 0 1.25rem 4rem; }
a { color: var(--accent); }
header.site { padding: 1rem 0 .5rem; border-bottom: 1px solid var(--line); margin-bottom: 1rem;
  font: 600 15px/1.4 system-ui, "DejaVu Sans", sans-serif; }
header.site a { color: var(--muted); text-decoration: none; }
header.site a:hover { color: var(--accent); }
nav.lessons { display: flex; flex-wrap: wrap; gap: .4rem 1.5rem; margin: .5rem 0 1rem;
  font: 14px/1.4 system-ui, "DejaVu Sans", sans-serif; }
nav.lessons span:last-child:not(:first-child) { margin-left: auto; }
aside.run-it { background: #eef5fc; border-left: 4px solid var(--accent); padding: .6rem .9rem;
  margin: 0 0 1.5rem; font: 15px/1.5 system-ui, "DejaVu Sans", sans-serif; }
h1, h2, h3, h4 { font-family: system-ui, "DejaVu Sans", sans-serif; line-height: 1.25; margin: 1.6em 0 .5em; }
h1 { font-size: 2rem; margin-top: .5em; }
h2 { font-size: 1.5rem; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
h3 { font-size: 1.2rem; }
a.anchor-link { visibility: hidden; margin-left: .3em; text-decoration: none; color: var(--muted); }
h1:hover a.anchor-link, h2:hover a.anchor-link, h3:hover a.anchor-link, h4:hover a.anchor-link
  { visibility: visible; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 14px; }
p code, li code, td code { background: var(--code-bg); padding: .05em .3em; border-radius: 3px; }
pre { margin: 0; white-space: pre; overflow-x: auto; line-height: 1.45; }
table { border-collapse: collapse; margin: 1em 0; display: block; overflow-x: auto; max-width: 100%;
  font-size: 15px; }
th, td { border: 1px solid var(--line); padding: .3em .6em; vertical-align: top; text-align: left; }
th { background: var(--code-bg); }
blockquote { margin: 1em 0; padding: 0 1em; color: var(--muted); border-left: 4px solid var(--line); }
img { max-width: 100%; height: auto; }
hr { border: 0; border-top: 1px solid var(--line); margin: 2em 0; }
/* notebook cells (nbconvert's basic template) */
.cell { margin: 0 0 .4rem; }
.input_area { background: var(--code-bg); border: 1px solid var(--line); border-radius: 4px;
  padding: .5rem .75rem; margin: .8rem 0 .3rem; }
.output_area { margin: .2rem 0 .6rem; }
.output_subarea > pre { padding: .2rem .75rem; border-left: 3px solid var(--line); --pre-bg: #fff; }
.output_stderr > pre { border-left-color: #d1242f; }
.output_stderr > pre, .output_error pre { --pre-bg: #fdf0f0; }
.output_png, .output_jpeg, .output_svg { text-align: center; }
/* A line of code or output longer than the column scrolls sideways, never wraps: code keeps its
   indentation, a printed table its columns. Many systems show no scroll bar until one scrolls, so a shadow at
   an edge shows that the lines go on past it (covers that move with the text hide it at either end). */
.input_area pre, .output_subarea > pre, .output_error pre { white-space: pre; overflow-x: auto;
  --bg: var(--pre-bg, var(--code-bg)); --shade: rgba(0, 0, 0, .25);
  background:
    linear-gradient(to right, var(--bg) 40%, transparent) left / 2rem 100% no-repeat local,
    linear-gradient(to left, var(--bg) 40%, transparent) right / 2rem 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, var(--shade), transparent) left / .6rem 100% no-repeat,
    radial-gradient(farthest-side at 100% 50%, var(--shade), transparent) right / .6rem 100% no-repeat,
    var(--bg); }
.widget-note { border-left: 4px solid var(--note-line); background: var(--note-bg); padding: .4rem .75rem;
  font: 15px/1.5 system-ui, "DejaVu Sans", sans-serif; }
.widget-note pre { white-space: pre-wrap; margin: 0 0 .2rem; }
.widget-note p { margin: 0; }
/* equations (MathML from latex2mathml) */
/* A font with an OpenType MATH table stretches brackets, roots and braces; browsers have no math font of
   their own. macOS has STIX Two Math, Windows Cambria Math, Debian DejaVu Math TeX Gyre
   (fonts-dejavu-extra). */
math { font-size: 1.05em;
  font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", "DejaVu Math TeX Gyre", math; }
.equation { display: grid; grid-template-columns: 1fr auto 1fr; align-items: center; margin: .9em 0;
  max-width: 100%; overflow-x: auto; overflow-y: hidden; }
.equation > math { grid-column: 2; }
.equation > .eq-tag { grid-column: 3; justify-self: end; padding-left: 1em; color: var(--muted);
  white-space: nowrap; font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 15px; }
/* the index */
.intro { font-size: 1rem; }
table.outline { display: table; width: 100%; font: 15px/1.5 system-ui, "DejaVu Sans", sans-serif; }
table.outline td.number { font-weight: 600; white-space: nowrap; }
table.outline td.time { width: 12rem; }
table.outline a.lesson { font-size: 1.1em; font-weight: 600; text-decoration: none; }
table.outline a.lesson:hover { text-decoration: underline; }
table.outline .needs { margin: .3em 0 0; color: var(--muted); }
table.outline details { margin-top: .3em; }
table.outline summary { cursor: pointer; color: var(--muted); }
table.outline .detail { color: var(--muted); font-size: .9em; }
.total { color: var(--muted); font: 15px/1.5 system-ui, "DejaVu Sans", sans-serif; }
table.outline .notes-link { margin: .3em 0 0; font-size: .9em; }
/* instructor notes */
aside.run-it a.notes { font-weight: 600; }
main.notes { font-size: 16px; }
main.notes li { margin: .2em 0; }
main.notes table { font: 15px/1.5 system-ui, "DejaVu Sans", sans-serif; }
"""

if __name__ == "__main__":
    sys.exit(main())
