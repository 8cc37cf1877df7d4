"""`make html`: the offline site of the course (tools/build_site.py).

Three layers:

* the LaTeX-to-MathML conversion on small inputs (inline, display, tags, code spans and lone dollars);
* the site built from the committed notebooks (``--no-execute``, a few seconds) read as files: the index lists
  every solution notebook, every link resolves, every equation of every notebook became MathML, every figure
  is embedded, no raw ``$...$`` is left; every lesson has instructor notes (``docs/instructors``), linked from
  the index and from its page, linking back to it and answering every prediction the lesson asks, with the
  answer and tolerance of ``lessons_lib.checks._predictions``;
* the same site in headless Chromium with every request that is not ``file:`` or ``data:`` aborted and
  recorded: every page loads with its title, its equations are laid out as MathML with non-zero boxes, its
  images are decoded. Skipped, with the command that enables it, when Chromium is missing.
"""

from __future__ import annotations

import html
import os
import re
import sys
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import build_site  # noqa: E402
import nbtools  # noqa: E402
from build_site import DOLLAR, Math, MathError, extract_math, latex_to_mathml, render_markdown  # noqa: E402

from lessons_lib.checks._predictions import _PREDICTIONS  # noqa: E402

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # needed as root (containers, CI)
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "build" / "screenshots" / "site"

# LaTeX left in visible text: a $...$ holding a command, sub/superscript or brace, a $$, or a \command.
RAW_LATEX = re.compile(r"\$\$|\$[^$\n]*[\\^_{}][^$\n]*\$|\\[A-Za-z]{2,}")


# --------------------------------------------------------------------------------------------------------
# The conversion, without a browser
# --------------------------------------------------------------------------------------------------------


def test_inline_math_becomes_mathml_and_markdown_never_sees_it():
    rendered = render_markdown("rate $x_1 * y_2$ and *emphasis* $\\sqrt{\\kappa}$.")
    assert rendered.count("<math") == 2
    assert 'display="inline"' in rendered and "<msqrt>" in rendered
    assert "$" not in rendered
    assert rendered.count("<em>") == 1  # the underscores and star inside the math stayed math


def test_display_math_is_centred_block_math():
    text, found = extract_math("before\n\n$$\\frac{a}{b}\n+ c$$\n\nafter")
    assert found == [Math("\\frac{a}{b}\n+ c", display=True)]
    assert "$" not in text
    rendered = render_markdown("before\n\n$$\\frac{a}{b}$$\n\nafter")
    assert '<span class="equation"><math' in rendered and 'display="block"' in rendered
    assert "<mfrac>" in rendered


def test_environments_outside_dollars_are_display_math():
    _, found = extract_math("solve \\begin{aligned} a &= b \\\\ c &= d \\end{aligned} now")
    assert [m.display for m in found] == [True]
    assert found[0].latex.startswith("\\begin{aligned}")


def test_tag_is_a_label_beside_the_equation_not_inside_it():
    rendered = latex_to_mathml("v \\leftarrow \\beta v + g \\tag{M1'}", display=True)
    math, tag = rendered.split("</math>")
    assert "M1" not in math
    assert '<span class="eq-tag">(M1\')</span>' in html.unescape(tag)


def test_code_spans_and_fenced_blocks_keep_their_dollars():
    source = "Use `$x$` or ``a ` $b$ c`` here.\n\n```sh\necho $HOME $PATH\n```\n\nand $y$"
    text, found = extract_math(source)
    assert found == [Math("y")]
    assert "`$x$`" in text and "``a ` $b$ c``" in text and "echo $HOME $PATH" in text
    rendered = render_markdown(source)
    assert "<code>$x$</code>" in rendered and "echo $HOME $PATH" in re.sub(r"<[^>]+>", "", rendered)
    assert rendered.count("<math") == 1


def test_lone_and_escaped_dollars_stay_dollars():
    for prose in ("It costs $5 today.", "From $5 to $10, a $ sign", "Cash: 5 $ or 10 $."):
        text, found = extract_math(prose)
        assert all(m is DOLLAR for m in found), prose
        rendered = render_markdown(prose)
        assert "<math" not in rendered and html.unescape(rendered).count("$") == prose.count("$"), prose
    rendered = render_markdown("a close of \\$100.34 and $\\beta = 0.9$")
    assert "a close of $100.34 and <math" in rendered


def test_math_in_a_heading_keeps_the_heading_id_plain():
    rendered = render_markdown("## The window $1/(1-\\beta)$")
    ids = re.findall(r'id="([^"]*)"', rendered)
    assert ids and all("<" not in i and "MATHPH" not in i for i in ids)
    assert "<h2" in rendered and "<math" in rendered


def test_a_subscript_after_a_matrix_belongs_to_the_whole_matrix():
    rendered = latex_to_mathml("\\begin{pmatrix} x \\\\ v \\end{pmatrix}_{k+1}")
    assert re.search(r"<msub><mrow><mo>[^<]*</mo><mtable>", rendered), rendered


def test_unknown_commands_and_broken_latex_fail_the_build_clearly():
    with pytest.raises(MathError, match=r"unknown command \\frobnicate"):
        latex_to_mathml("\\frobnicate x")
    with pytest.raises(MathError, match="cannot convert"):
        latex_to_mathml("\\frac{1}{")


def test_lesson_fields_come_from_the_first_markdown_cell():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# 07 — Schedules: warm-up and decay\n\n**Time:** about 45 minutes (20 reading, 25 doing).\n"
            "**You need:** lesson 05\n(Adam).\n\n"
            "**By the end of this notebook you can**\n1. one;\n2. two.\n\nMore."
        )
    ]
    lesson = build_site.lesson_from_notebook(Path("notebooks/solutions/07_schedules.ipynb"), nb)
    assert (lesson.number, lesson.title, lesson.minutes) == ("07", "Schedules: warm-up and decay", 45)
    assert lesson.time == "about 45 minutes (20 reading, 25 doing)."
    assert lesson.needs == "lesson 05 (Adam)."
    assert lesson.objectives == "1. one;\n2. two."
    bare = build_site.lesson_from_notebook(Path("x/08_new_thing.ipynb"), nbformat.v4.new_notebook())
    assert (bare.number, bare.title, bare.time) == ("08", "New thing", "")


# --------------------------------------------------------------------------------------------------------
# The site built from the committed notebooks, read as files
# --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    assert build_site.main(["--no-execute", "--out", str(out)]) == 0
    return out


def _solutions() -> list[Path]:
    return nbtools.solution_notebooks()


def _expected_math(path: Path) -> int:
    nb = nbtools.read_notebook(path)
    return sum(
        not m.literal
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for m in extract_math(cell.source)[1]
    )


def _expected_images(path: Path) -> int:
    nb = nbtools.read_notebook(path)
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if {"image/png", "image/jpeg"} & set(output.get("data", {}))
    )


class _Page(HTMLParser):
    """Links, images, <math> elements and the text outside code and math of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images: list[str] = []
        self.maths = 0
        self.title = ""
        self.text: list[str] = []
        self._skip: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "math":
            self.maths += 1
        if tag in ("pre", "code", "math", "style", "script"):
            self._skip.append(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_index_lists_every_solution_notebook_and_links_to_its_page(site):
    index = _parse(site / "index.html")
    pages = [link for link in index.links if link.endswith(".html") and "/" not in link]  # not the notes
    expected = [f"{p.stem}.html" for p in _solutions()]
    assert expected, "no solution notebooks found"
    assert [p for p in pages if p != "index.html"] == expected
    for page in expected:
        assert (site / page).is_file(), f"the index links to {page}, which was not built"
    text = "".join(index.text)
    for path in _solutions():
        lesson = build_site.lesson_from_notebook(path, nbtools.read_notebook(path))
        assert lesson.time, f"{path.name}: no '**Time:**' line in its first markdown cell"
        assert html.unescape(lesson.time.partition("(")[0].strip()) in text


def test_every_link_on_every_page_resolves(site):
    for page in sorted(site.rglob("*.html")):
        for link in _parse(page).links:
            url = urllib.parse.urlparse(link)
            assert not url.scheme and not url.netloc, f"{page.name}: external link {link}"
            if not url.path:
                continue  # an anchor on the same page
            target = (page.parent / urllib.parse.unquote(url.path)).resolve()
            assert target.exists(), f"{page.name}: the link {link} points at nothing ({target})"


def test_each_lesson_page_links_its_learner_notebook_and_its_neighbours(site):
    solutions = _solutions()
    for i, path in enumerate(solutions):
        page = _parse(site / f"{path.stem}.html")
        learner = nbtools.learner_path_for(path)
        targets = {(site / urllib.parse.unquote(link)).resolve() for link in page.links}
        assert learner.resolve() in targets, f"{path.stem}.html does not link {nbtools.display_path(learner)}"
        assert "<code>make lab</code>" in (site / f"{path.stem}.html").read_text(encoding="utf-8")
        assert "index.html" in page.links
        if i > 0:
            assert f"{solutions[i - 1].stem}.html" in page.links
        if i + 1 < len(solutions):
            assert f"{solutions[i + 1].stem}.html" in page.links


def test_every_equation_became_mathml_and_every_figure_is_embedded(site):
    for path in _solutions():
        page = _parse(site / f"{path.stem}.html")
        assert page.maths == _expected_math(path), f"{path.stem}.html: {page.maths} <math> elements"
        assert len(page.images) == _expected_images(path)
        assert all(src.startswith("data:image/") for src in page.images), f"{path.stem}.html: a linked image"
        text = "".join(page.text)
        raw = [text[max(0, m.start() - 30) : m.end() + 30] for m in RAW_LATEX.finditer(text)]
        assert not raw, f"{path.stem}.html: LaTeX left unconverted: {raw[:3]}"
        assert "MATHPH" not in text


def test_widget_outputs_show_their_fallback_and_how_to_run_them(site):
    for path in _solutions():
        nb = nbtools.read_notebook(path)
        widgets = [
            output["data"]["text/plain"]
            for cell in nb.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if output.get("data", {}).get("text/plain", "").startswith("[interactive widget:")
        ]
        source = (site / f"{path.stem}.html").read_text(encoding="utf-8")
        assert source.count('class="widget-note"') == len(widgets), path.stem
        for text in widgets:
            assert html.escape(text, quote=False) in source


def test_executing_builds_from_fresh_outputs_and_never_writes_the_notebook(tmp_path):
    import nbformat

    solutions = tmp_path / "notebooks" / "solutions"
    solutions.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 01 — Tiny\n\n**Time:** about 5 minutes.\n\nSo $x^2$ it is."),
        nbformat.v4.new_code_cell("print(6 * 7)"),
    ]
    path = solutions / "01_tiny.ipynb"
    nbtools.write_notebook(nb, path)
    before = path.read_bytes()
    lessons = build_site.load_lessons(tmp_path / "notebooks", execute=True, timeout=60)
    assert path.read_bytes() == before, "the build wrote into the notebook"
    build_site.write_site(lessons, tmp_path / "out", executed=True, course="Tiny course")
    page = (tmp_path / "out" / "01_tiny.html").read_text(encoding="utf-8")
    assert "42" in page and "<msup>" in page and "executed when the site was built" in page
    assert "no learner notebook yet" in page


NOTES = REPO / "docs" / "instructors"
PREDICTION_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")  # how the keys of _PREDICTIONS are spelled


def _plain(fragment: str) -> str:
    """The text of an HTML fragment, code included, with its whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _sections(source: str, level: int = 3) -> list[tuple[str, str]]:
    """(heading, text up to the next heading of ``level`` or above) for every heading of ``level``."""
    parts = re.split(r"<h([1-6])\b[^>]*>(.*?)</h\1>", source, flags=re.S)
    sections: list[tuple[str, str]] = []
    inside = False
    for k in range(1, len(parts), 3):
        depth, heading, after = int(parts[k]), _plain(parts[k + 1]).rstrip("¶ "), parts[k + 2]
        if depth == level:
            sections.append((heading, _plain(after)))
            inside = True
        elif depth < level:
            inside = False
        elif inside:
            sections[-1] = (sections[-1][0], f"{sections[-1][1]} {heading} {_plain(after)}")
    return sections


def _predictions_asked(path: Path) -> list[str]:
    """The keys of the ``check_prediction("key", ...)`` calls in a notebook's code cells, in order."""
    nb = nbtools.read_notebook(path)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    return re.findall(r"""check_prediction\(\s*["']([^"']+)["']""", code)


def test_every_lesson_has_instructor_notes_linked_from_the_outline_and_its_page(site):
    index = _parse(site / "index.html")
    notes_index = _parse(site / "instructors" / "index.html")
    for path in _solutions():
        notes = f"instructors/{path.stem}.html"
        assert (NOTES / f"{path.stem}.md").is_file(), f"no instructor notes docs/instructors/{path.stem}.md"
        assert (site / notes).is_file(), f"{notes} was not built"
        assert notes in index.links, f"index.html does not link {notes}"
        assert f"{path.stem}.html" in notes_index.links, f"instructors/index.html does not link {notes}"
        assert notes in _parse(site / f"{path.stem}.html").links, f"{path.stem}.html does not link its notes"
        page = _parse(site / notes)
        assert f"../{path.stem}.html" in page.links, f"{notes} does not link back to its lesson"
        assert "../index.html" in page.links and "index.html" in page.links
        text = "".join(page.text)
        assert not RAW_LATEX.search(text) and "MATHPH" not in text, f"{notes}: LaTeX left unconverted"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for_instructors = readme.split("## For instructors", 1)[1].split("\n## ", 1)[0]
    assert "(docs/instructors/README.md)" in for_instructors, "the README's 'For instructors' omits the notes"


def test_instructor_notes_answer_every_prediction_of_their_lesson(site):
    """The notes cannot drift from the lesson: each prediction the solution notebook checks has a section (a
    heading that is its key) saying "Answer:", the answer of ``_PREDICTIONS`` as the check prints it, and its
    tolerance; no section answers a prediction the lesson does not ask; the stated time is the lesson's."""
    for path in _solutions():
        notes = f"instructors/{path.stem}.html"
        source = (site / notes).read_text(encoding="utf-8")
        asked = _predictions_asked(path)
        assert set(asked) <= set(_PREDICTIONS), f"{path.name} asks a prediction _PREDICTIONS does not have"
        answered = {heading: text for heading, text in _sections(source) if PREDICTION_KEY.fullmatch(heading)}
        assert sorted(answered) == sorted(set(asked)), f"{notes}: sections {sorted(answered)}, lesson {asked}"
        for key in asked:
            prediction, text = _PREDICTIONS[key], answered[key]
            if prediction.numeric:  # as the check prints it: "right, 0.038 (judged right within 5% ..."
                expected = [f"Answer: {float(prediction.answer):.4g} ", f"within {prediction.rtol:.0%}"]
            else:
                expected = [f"Answer: {prediction.answer} "]
            missing = [words for words in expected if words not in text]
            assert not missing, f"{notes}, {key}: {missing} not stated (the answer is {prediction.answer!r})"
        time = build_site.lesson_from_notebook(path, nbtools.read_notebook(path)).time
        assert " ".join(time.split()) in _plain(source), f"{notes}: not the stated time {time!r}"


def _css_rules(css: str) -> dict[str, str]:
    """The declarations of every selector of ``css``, the rules that name it joined in order (no comments)."""
    rules: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        for selector in selectors.split(","):
            key = " ".join(selector.split())
            rules[key] = rules.get(key, "") + ";" + body
    return rules


def _declared(rules: dict[str, str], selector: str, prop: str) -> str | None:
    """The last value ``selector`` gives ``prop`` (None if it gives none)."""
    values = re.findall(rf"(?:;|\s){re.escape(prop)}\s*:\s*([^;]+)", rules.get(selector, ""))
    return " ".join(values[-1].split()) if values else None


@pytest.mark.parametrize("selector", [".input_area pre", ".output_subarea > pre", ".output_error pre"])
def test_long_lines_of_code_and_output_scroll_and_show_that_they_go_on(selector):
    """A line wider than the column is never clipped: it scrolls (code keeps its indentation, a table its
    columns), and a shadow at the edge shows there is more, where the system hides scroll bars."""
    rules = _css_rules(build_site._css())
    assert _declared(rules, selector, "overflow-x") in ("auto", "scroll"), selector
    assert _declared(rules, selector, "white-space") == "pre", selector
    background = _declared(rules, selector, "background") or ""
    assert background.count("radial-gradient") == 2 and background.count(" local") == 2, background


def test_pages_load_nothing_from_the_network(site):
    for page in sorted(site.rglob("*.html")):
        source = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|iframe)\b", source), f"{page.name}: a script or linked resource"
        assert "Content-Security-Policy" in source


def test_the_tool_refuses_to_replace_a_folder_it_did_not_build(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert build_site.main(["--no-execute", "--out", str(tmp_path)]) == 1
    assert "was not built by this tool" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"


# --------------------------------------------------------------------------------------------------------
# The site in headless Chromium, offline
# --------------------------------------------------------------------------------------------------------

_MEASURE = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const box = e => e.getBoundingClientRect();
  const maths = [...document.querySelectorAll('math')];
  const fracs = [...document.querySelectorAll('mfrac')].filter(f => f.children.length === 2);
  const fences = [...document.querySelectorAll('mtable')]
    .map(t => [t.previousElementSibling, t])
    .filter(([o]) => o && o.localName === 'mo' && o.textContent.trim() === '(');
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('pre, code, math, style, script').forEach(e => e.remove());
  return {
    title: document.title,
    h1: (document.querySelector('h1') || {textContent: ''}).textContent,
    maths: maths.length,
    emptyMaths: maths.filter(m => box(m).width <= 0 || box(m).height <= 0)
      .map(m => m.outerHTML.slice(0, 200)),
    fracs: fracs.length,
    flatFracs: fracs.filter(f => box(f.children[0]).bottom > box(f.children[1]).top + 1).length,
    fences: fences.length,
    shortFences: fences.filter(([o, t]) => box(o).height < 0.8 * box(t).height).length,
    images: [...document.images].map(i => ({complete: i.complete, width: i.naturalWidth})),
    clipped: [...document.querySelectorAll('pre')]
      .filter(p => p.scrollWidth > p.clientWidth + 1)
      .filter(p => !['auto', 'scroll'].includes(getComputedStyle(p).overflowX))
      .map(p => p.textContent.slice(0, 80)),
    pageWidth: document.documentElement.scrollWidth,
    viewWidth: document.documentElement.clientWidth,
    text: clone.textContent,
  };
}"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: the offline site is not checked in a browser. Enable with "
            "`apt-get install chromium` (Debian's package; .ci/run installs it), or set CHROMIUM to its path."
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra: make venv")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _offline_page(browser, blocked: list[str], problems: list[str]):
    """A page whose requests other than file: and data: are aborted and recorded in ``blocked``."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})

    def route(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    return context, page


def test_the_offline_check_catches_a_page_that_fetches(browser, tmp_path):
    """The harness itself: a page that asks for a CDN script and a remote image must be caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><title>bad</title><script src="https://cdn.example.invalid/mathjax.js"></script>'
        '<img src="http://198.51.100.7/figure.png">'
    )
    blocked, problems = [], []
    context, page = _offline_page(browser, blocked, problems)
    try:
        page.goto(bad.as_uri(), wait_until="load")
    finally:
        context.close()
    assert any("cdn.example.invalid" in url for url in blocked)
    assert any("198.51.100.7" in url for url in blocked)


def test_every_page_renders_offline_with_its_equations_and_figures(site, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    course = build_site.course_title()
    titles = {"index.html": course}
    lessons = [build_site.lesson_from_notebook(path, nbtools.read_notebook(path)) for path in _solutions()]
    for lesson in lessons:
        titles[lesson.page] = f"{lesson.label} · {course}"
    notes = {n.page: f"{n.title} · {course}" for n in build_site.load_notes(lessons).values()}
    titles.update(notes)
    assert sorted(titles) == sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))

    blocked, problems = [], []
    context, page = _offline_page(browser, blocked, problems)
    total_maths = total_images = 0
    try:
        for name, title in titles.items():
            response = page.goto((site / name).as_uri(), wait_until="load")
            assert response is not None and response.ok, f"{name} did not load"
            got = page.evaluate(_MEASURE)
            where = f"{name}:"
            assert got["title"] == title, where
            assert got["h1"].strip().rstrip("¶").strip(), f"{where} no heading"
            assert got["maths"] > 0 or name in notes, f"{where} no equations rendered"
            assert not got["emptyMaths"], f"{where} equations with an empty box: {got['emptyMaths'][:2]}"
            assert got["flatFracs"] == 0, f"{where} fractions not laid out as MathML (numerator not above)"
            assert got["shortFences"] == 0, (
                f"{where} {got['shortFences']} of {got['fences']} matrix brackets did not stretch: Chromium "
                "found no OpenType math font (Debian: apt-get install fonts-dejavu-extra)"
            )
            raw = [
                got["text"][max(0, m.start() - 30) : m.end() + 30] for m in RAW_LATEX.finditer(got["text"])
            ]
            assert not raw, f"{where} raw LaTeX in the visible text: {raw[:3]}"
            assert not got["clipped"], f"{where} lines cut off at the edge, not scrollable: {got['clipped']}"
            assert got["pageWidth"] <= got["viewWidth"], f"{where} the page is wider than the window"
            broken = [i for i, img in enumerate(got["images"]) if not img["complete"] or img["width"] <= 0]
            assert not broken, f"{where} images {broken} did not decode"
            total_maths += got["maths"]
            total_images += len(got["images"])
            shot = Path(name).with_suffix("").as_posix().replace("/", "-")  # instructors-02_momentum
            page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"))
    finally:
        context.close()
    assert not blocked, f"the site asked for non-local resources: {blocked[:5]}"
    assert not problems, f"console errors or failed requests: {problems[:5]}"
    assert total_images >= len(lessons), "fewer figures than lessons: were the outputs embedded?"
    print(
        f"{len(titles)} pages, {total_maths} equations, {total_images} figures, screenshots in {SCREENSHOTS}"
    )
