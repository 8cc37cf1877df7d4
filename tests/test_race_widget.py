"""TestbedRace: every setting draws; the lines are run()'s; blitted and cached pictures equal full redraws."""

import html
import io
import re

import ipywidgets
import matplotlib

matplotlib.use("agg")

import numpy as np
import pytest
from PIL import Image
from warnings_as_errors import warnings_as_errors

import lessons_lib as ll
import lessons_lib.widgets._base as widgets_base
import lessons_lib.widgets.explorers as widgets_explorers
from lessons_lib.races import race
from lessons_lib.widgets import TestbedRace, time_live_widgets

STEPS = 40
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def private_live_list(monkeypatch):
    monkeypatch.setattr(widgets_base, "_LIVE", [])


@pytest.fixture
def make():
    built = []

    def build(*args, **kwargs):
        kwargs.setdefault("steps", STEPS)
        w = TestbedRace(*args, **kwargs)
        built.append(w)
        return w

    yield build
    for w in built:
        for control in w.controls.values():
            control.close()
        w.widget.close()
        w.figure.clear()


def png(w) -> bytes:
    data = bytes(w.image.value)
    assert data.startswith(PNG)
    return data


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def same_picture(a: bytes, b: bytes) -> bool:
    pa, pb = pixels(a), pixels(b)
    return pa.shape == pb.shape and not np.any(pa != pb)


def status(w) -> str:
    match = re.fullmatch(r'<span style="color:[^"]*">(.*)</span>', w.status.value, flags=re.S)
    assert match, w.status.value
    text = html.unescape(match.group(1))
    assert "\n" not in text and "Traceback" not in text, text  # one line, never a traceback
    return "" if text == "\xa0" else text


def expected_status(w) -> str:
    values = w.values
    problem = w.problems[values["problem"]]
    shown = [o for o in w.optimizers if values[f"{o}:show"]]
    if not shown:
        return "No optimizer is shown: tick one to race."
    runs = [ll.run(w.optimizers[o].replace(lr=values[f"{o}:lr"]), problem, w.steps) for o in shown]
    return " ".join(t.message for t in runs if t.message)


def full_redraw(w) -> bytes:
    w.invalidate()
    w.redraw()
    return png(w)


# ----------------------------------------------------------------------------------------------------
# What is drawn


def test_the_lines_drawn_are_the_runs_of_the_chosen_settings(make):
    w = make(problem="rotated ravine")
    w.controls["Adam:lr"].value = 0.3
    w.controls["GradientDescent:lr"].value = 0.05
    p = w.problems["rotated ravine"]
    drawn = set()
    for o, optimizer in w.optimizers.items():
        t = ll.run(optimizer.replace(lr=w.controls[f"{o}:lr"].value), p, STEPS)
        path, _ = w._path_lines["rotated ravine"][o]
        loss, _ = w._loss_lines[o]
        assert path in w.figure.axes[1].lines or path.axes is w._path_axes["rotated ravine"]
        np.testing.assert_allclose(path.get_xydata(), t.points, rtol=1e-12)
        np.testing.assert_allclose(loss.get_ydata(), t.gaps, rtol=1e-12)
        np.testing.assert_array_equal(loss.get_xdata(), np.arange(STEPS + 1))
        drawn.add(o)
    assert drawn == set(w.optimizers)
    assert status(w) == expected_status(w) == ""


def test_a_diverged_run_ends_in_a_cross_and_says_where_in_the_status_line(make):
    w = make(problem="ravine")
    w.controls["GradientDescent:lr"].value = 1.0  # 2/L = 0.2
    t = ll.run(ll.GradientDescent(lr=1.0), w.problems["ravine"], STEPS)
    k = t.diverged_at
    assert f"GradientDescent(lr=1) diverged at step {k} on ravine(κ=10): lr = 1 is above 2/L" in status(w)
    _, cross = w._path_lines["ravine"]["GradientDescent"]
    _, loss_cross = w._loss_lines["GradientDescent"]
    assert cross in w._path_axes["ravine"].lines and loss_cross in w.loss_ax.lines
    (x_end,), (y_end,) = cross.get_data()
    (x_lo, x_hi), (y_lo, y_hi) = w.problems["ravine"].bounds
    assert x_lo <= x_end <= x_hi and y_lo <= y_end <= y_hi  # inside the picture
    assert loss_cross.get_xdata()[0] == k
    w.controls["GradientDescent:lr"].value = 0.1
    assert status(w) == ""


def test_a_one_dimensional_problem_draws_along_its_curve(make):
    w = make(problem="double well")
    p = w.problems["double well"]
    t = ll.run(w.optimizers["Adam"], p, STEPS)
    path, _ = w._path_lines["double well"]["Adam"]
    np.testing.assert_allclose(path.get_xdata(), t.points[:, 0])
    np.testing.assert_allclose(path.get_ydata(), p.f(t.points), rtol=1e-12)


# ----------------------------------------------------------------------------------------------------
# Every setting renders, with at most one status line


def test_every_setting_draws_a_picture_and_the_status_of_its_runs(make):
    w = make()
    with warnings_as_errors():
        for problem in w.problems:
            w.controls["problem"].value = problem
            for o in w.optimizers:
                slider = w.controls[f"{o}:lr"]
                original = slider.value
                for value in (slider.base**slider.min, slider.base**slider.max, original):
                    before = png(w)
                    slider.value = value
                    text = status(w)
                    assert not text.startswith("Cannot draw"), (problem, o, value, text)
                    assert text == expected_status(w), (problem, o, value)
                    if "diverged" in text:
                        assert re.search(r"diverged at step \d+ on ", text)
                    assert png(w) != before or value == original
            w.controls["Momentum:show"].value = False
            assert "Momentum" not in status(w)
            w.controls["Momentum:show"].value = True


def test_with_nothing_shown_there_is_still_a_picture_and_a_hint(make):
    w = make(problem="saddle")
    first = png(w)
    for o in w.optimizers:
        w.controls[f"{o}:show"].value = False
    assert status(w) == "No optimizer is shown: tick one to race."
    assert png(w) != first
    assert same_picture(png(w), full_redraw(w))
    w.controls["Adam:show"].value = True
    assert status(w) == ""


def test_the_legend_under_the_panels_names_the_ticked_optimizers_only(make):
    w = make(problem="ravine")

    def named():
        (legend,) = w.figure.legends  # one, under the panels
        return [t.get_text() for t in legend.get_texts()]

    marks = ["start", "global minimum"]  # the ravine's landmarks
    assert named() == [*w.optimizers, *marks]
    assert all(ax.get_legend() is None for ax in w.figure.axes)
    height = w.figure.get_size_inches()[1]
    full = []
    w._render_all = lambda orig=w._render_all: (full.append(1), orig())[1]
    w.controls["Momentum:show"].value = False
    assert named() == [o for o in w.optimizers if o != "Momentum"] + marks
    assert not full  # only the legend's strip was rendered again
    del w._render_all
    assert same_picture(png(w), full_redraw(w))  # the cached static part was drawn with the new legend
    for o in w.optimizers:
        w.controls[f"{o}:show"].value = False
    assert named() == marks
    w.controls["Momentum:show"].value = True
    assert named() == ["Momentum", *marks]
    w.controls["problem"].value = "saddle"
    assert named() == ["Momentum", "start", "global minimum", "other minimum", "saddle point"]
    assert same_picture(png(w), full_redraw(w))
    assert w.figure.get_size_inches()[1] == height  # the strip under the panels keeps its size


def test_an_error_while_drawing_is_one_line_of_status(make, monkeypatch):
    w = make(problem="ravine")
    before = png(w)

    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(widgets_explorers, "run", boom)
    w.controls["Adam:lr"].value = 0.2
    assert status(w) == "Cannot draw this setting: ValueError: boom"
    assert png(w) == before
    monkeypatch.undo()
    w.controls["Adam:lr"].value = 0.3
    assert status(w) == "" and png(w) != before


# ----------------------------------------------------------------------------------------------------
# Blitting and the cached backgrounds give exactly the full redraw


def test_blitted_pictures_equal_full_redraws_across_problems_and_settings(make):
    w = make(problem="ravine")
    moves = [
        ("Adam:lr", 0.5),
        ("problem", "Rosenbrock"),
        ("GradientDescent:lr", 1e-4),
        ("problem", "double well"),
        ("RMSProp:show", False),
        ("problem", "ravine"),
        ("Momentum:lr", 1.0),
    ]
    for name, value in moves:
        w.controls[name].value = value
        blitted = png(w)
        assert same_picture(blitted, full_redraw(w)), (name, value)


def test_switching_back_pastes_the_cached_background_and_looks_the_same(make):
    w = make(problem="saddle")
    saddle_picture = png(w)
    w.controls["problem"].value = "rotated ravine"
    assert not same_picture(png(w), saddle_picture)  # changing the problem changes the picture
    ravine_picture = png(w)
    n_axes = len(w.figure.axes)
    w.controls["problem"].value = "saddle"
    assert len(w.figure.axes) == n_axes  # no new panel: the saddle's is shown again
    assert (w.loss_ax.get_ylim(), ("saddle", tuple(w.optimizers))) in w._backgrounds
    assert same_picture(png(w), saddle_picture)
    w.controls["problem"].value = "rotated ravine"
    assert same_picture(png(w), ravine_picture)
    assert same_picture(png(w), full_redraw(w))


def test_invalidate_forgets_the_cached_backgrounds(make):
    w = make(problem="saddle")
    w.controls["problem"].value = "ravine"
    assert len(w._backgrounds) >= 2
    w.invalidate()
    assert w._backgrounds == {} and w._background is None


# ----------------------------------------------------------------------------------------------------
# Learning rates per problem, from a race


def test_choosing_a_problem_sets_its_learning_rates_with_one_redraw(make):
    problems = {"ravine": ll.ravine(10), "saddle": ll.saddle()}
    optimizers = [ll.GradientDescent(lr=0.1), ll.Adam(lr=0.1)]
    grids = {"GradientDescent": [0.01, 0.1, 0.3], "Adam": [0.1, 0.3]}
    r = race(problems, optimizers, grids, starts=8, steps=150)
    lrs = r.best_lrs()
    assert set(lrs) == {"ravine", "saddle"} and set(lrs["saddle"]) == {"GradientDescent", "Adam"}
    w = make(optimizers, problems=problems, problem="ravine", lrs=lrs)
    for name in ("GradientDescent", "Adam"):
        assert w.controls[f"{name}:lr"].value == pytest.approx(lrs["ravine"][name], rel=0.03)
    n = len(w.timings_ms)
    w.controls["problem"].value = "saddle"
    assert len(w.timings_ms) == n + 1  # one redraw, not one per slider
    for name in ("GradientDescent", "Adam"):
        assert w.controls[f"{name}:lr"].value == pytest.approx(lrs["saddle"][name], rel=0.03)
    assert status(w) == expected_status(w)


def test_slider_ranges_widen_to_take_in_the_given_learning_rates(make):
    lrs = {"ravine": {"Adagrad": 31.6, "Adam": 3.16}, "saddle": {"Adam": 1e-5}}
    w = make(problem="ravine", lrs=lrs)
    adagrad, adam = w.controls["Adagrad:lr"], w.controls["Adam:lr"]

    def reaches(slider, low, high):  # within a step past each end (the grid runs through the start value)
        lo, hi = np.log10(low), np.log10(high)
        return lo - slider.step < slider.min <= lo and hi <= slider.max < hi + slider.step

    assert reaches(adagrad, ll.Adagrad.ranges["lr"].low, 31.6)
    assert reaches(adam, 1e-5, 3.16)
    assert adagrad.value == pytest.approx(31.6) and adam.value == pytest.approx(3.16)
    w.controls["problem"].value = "saddle"
    assert adam.value == pytest.approx(1e-5) and adagrad.value == pytest.approx(31.6)  # kept: none given
    assert reaches(w.controls["GradientDescent:lr"], *ll.GradientDescent.ranges["lr"][:2])
    assert status(w) == expected_status(w)


def test_time_live_widgets_sweeps_the_problem_dropdown_and_restores_it(make):
    w = make(problem="saddle", steps=10)
    result = time_live_widgets(points_per_control=3)
    (timings,) = result.values()
    n_problems, n_optimizers = len(w.problems), len(w.optimizers)
    # drop-down: every option in turn (from "saddle": ravine, ..., saddle, ...; 6 changes), then back to
    # "saddle"; a checkbox: flip and back; a slider: 3 points and back
    assert len(timings) == (n_problems + 1) + n_optimizers * (2 + 4)
    assert w.controls["problem"].value == "saddle"
    assert all(t > 0 for t in timings)


# ----------------------------------------------------------------------------------------------------
# Construction


def test_built_under_the_course_settings_without_warnings(make):
    saved, printing = matplotlib.rcParams.copy(), np.get_printoptions()
    try:
        ll.setup_notebook()
        with warnings_as_errors():
            w = make()
        assert w.figure.get_layout_engine() is None
        assert isinstance(w.controls["problem"], ipywidgets.Dropdown)
        assert list(w.controls["problem"].options) == list(ll.testbed())
        assert "run the notebook" in w._repr_mimebundle_()["text/plain"]
    finally:
        matplotlib.rcParams.update(saved)
        np.set_printoptions(**printing)


BAD = [
    ({"optimizers": [ll.Adam(lr=0.1), ll.Adam(lr=0.2)]}, ValueError, "two optimizers are both Adam"),
    ({"optimizers": ["adam"]}, TypeError, "optimizers must be lessons_lib optimizers, got 'adam'"),
    ({"optimizers": []}, ValueError, "give at least one problem and one optimizer"),
    ({"problem": "Himmelblau"}, ValueError, "no problem 'Himmelblau'; choose from ravine, rotated ravine"),
    ({"problems": {"lr": ll.logistic_regression()}}, ValueError, "problem 'lr' must be a 1-D or 2-D Problem"),
    ({"steps": 0}, ValueError, "steps must be a whole number >= 1, got 0"),
    ({"lrs": {"ravine": {"Nadam": 0.1}}}, ValueError, "lrs names unknown problems or optimizers"),
    (
        {"lrs": {"ravine": {"Adam": -0.1}}},
        ValueError,
        "the lr of Adam on 'ravine' must be a positive, finite",
    ),
    ({"lrs": {"ravine": {"Adam": "0.1"}}}, ValueError, "must be a positive, finite number, got '0.1'"),
]


@pytest.mark.parametrize(("kwargs", "kind", "message"), BAD, ids=[m[:30] for _, _, m in BAD])
def test_bad_input_gets_a_clear_error(kwargs, kind, message):
    with pytest.raises(kind, match=re.escape(message)):
        TestbedRace(**kwargs)
