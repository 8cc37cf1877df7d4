"""Plots and widgets: what is drawn, read back from the artists, and what the widgets show for every setting.

Everything draws on the Agg backend into ``matplotlib.figure.Figure`` objects (no pyplot, no screen). Expected
values are computed here independently (from ``run``, the problem's ``f`` and the clipping rule the plots
document) and compared with the data the ``Line2D`` and text artists hold.
"""

import html
import io
import re
import warnings
import weakref
from dataclasses import fields

import ipywidgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image
from warnings_as_errors import warnings_as_errors

import lessons_lib.widgets._base as widgets_base
import lessons_lib.widgets.explorers as widgets_explorers
from lessons_lib import (
    Adagrad,
    Adam,
    GradientDescent,
    Momentum,
    RMSProp,
    double_well,
    ewa,
    half_life,
    logistic_regression,
    ravine,
    rosenbrock,
    run,
    saddle,
    window,
)
from lessons_lib import testbed as make_testbed
from lessons_lib.plots import (
    OKABE_ITO,
    compare_settings,
    divergence_mark,
    path_xy,
    plot_contours,
    plot_effective_lr,
    plot_ewa,
    plot_loss,
    plot_path,
    style_of,
)
from lessons_lib.widgets import RaceExplorer, TestbedRace, TrajectoryExplorer, control_for, time_live_widgets

STEPS = 30
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PALETTE = {to_hex(c) for c in OKABE_ITO.values()}


# ----------------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def fig():
    figure = Figure(figsize=(4, 3), dpi=50)
    FigureCanvasAgg(figure)
    yield figure
    figure.clear()


@pytest.fixture
def ax(fig):
    return fig.add_subplot()


@pytest.fixture(autouse=True)
def private_live_list(monkeypatch):
    """Each test gets its own list of live widgets, so none leaks into another test's time_live_widgets()."""
    monkeypatch.setattr(widgets_base, "_LIVE", [])


def _close_widget(widget):
    for child in getattr(widget, "children", ()):
        _close_widget(child)
    widget.close()


@pytest.fixture
def make_explorer():
    """Build TrajectoryExplorers and close their ipywidgets (and clear their figures) afterwards."""
    made = []

    def make(*args, **kwargs):
        explorer = TrajectoryExplorer(*args, **kwargs)
        made.append(explorer)
        return explorer

    yield make
    for explorer in made:
        _close_widget(explorer.widget)
        explorer.figure.clear()


def hexes(lines):
    return [to_hex(line.get_color()) for line in lines]


def png_of(widget) -> bytes:
    """The widget's current picture (ipywidgets hands it back as a memoryview)."""
    return bytes(widget.image.value)


def png_array(data: bytes) -> np.ndarray:
    assert data.startswith(PNG_SIGNATURE), data[:16]
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def assert_same_picture(first: bytes, second: bytes, what: str):
    a, b = png_array(first), png_array(second)
    assert a.shape == b.shape, what
    differ = np.argwhere(np.any(a != b, axis=-1))
    assert not len(differ), (
        f"{what}: {len(differ)} pixels differ, (row, col) from {differ[0]} to {differ[-1]}"
    )


def status_text(widget) -> str:
    """The status line as plain text ("" when there is nothing to say)."""
    match = re.fullmatch(r'<span style="color:[^"]*">(.*)</span>', widget.status.value, flags=re.S)
    assert match, widget.status.value
    text = html.unescape(match.group(1))
    assert "\n" not in text and "<br" not in text.lower(), text  # one line, never a traceback
    return "" if text == "\xa0" else text


def clip_box(problem):
    low, high = np.array(problem.bounds, dtype=float).T
    span = high - low
    return low - 10 * span, high + 10 * span


def path_line(ax, trajectory):
    """The path's line: the one labelled with the optimizer's legend label."""
    label = style_of(trajectory.optimizer)["label"]
    (line,) = [line for line in ax.lines if line.get_label() == label]
    return line


# ----------------------------------------------------------------------------------------------------
# Every plot function draws into the given Axes and returns it


def _ewa_call(ax):
    return plot_ewa(ax, np.sin(np.arange(20.0)), betas=(0.5, 0.9))


PLOT_CALLS = {
    "plot_contours 2-D": lambda ax: plot_contours(ax, ravine(10)),
    "plot_contours 1-D": lambda ax: plot_contours(ax, double_well()),
    "plot_path": lambda ax: plot_path(ax, run(GradientDescent(lr=0.1), ravine(10), STEPS)),
    "plot_loss": lambda ax: plot_loss(ax, run(Momentum(lr=0.1), ravine(10), STEPS)),
    "plot_effective_lr": lambda ax: plot_effective_lr(
        ax, run(RMSProp(lr=0.01), ravine(10), STEPS, keep_states=True)
    ),
    "plot_ewa": _ewa_call,
}


@pytest.mark.parametrize("call", PLOT_CALLS.values(), ids=PLOT_CALLS.keys())
def test_plot_functions_draw_into_the_given_axes_and_return_it(fig, call):
    ax, other = fig.subplots(1, 2)
    assert call(ax) is ax
    assert ax.lines and not other.lines and not other.collections  # drew there, and only there


# ----------------------------------------------------------------------------------------------------
# One optimizer, one colour and one marker, in every figure


EVERY_KIND = {
    "GradientDescent": GradientDescent(lr=0.1),
    "Momentum": Momentum(lr=0.1),
    "Nesterov": Momentum(lr=0.1, nesterov=True),
    "Adagrad": Adagrad(lr=0.1),
    "RMSProp": RMSProp(lr=0.01),
    "Adam": Adam(lr=0.01),
}


def test_every_optimizer_has_its_own_colour_and_marker_from_the_palette():
    styles = {kind: style_of(opt) for kind, opt in EVERY_KIND.items()}
    colours = [to_hex(s["color"]) for s in styles.values()]
    markers = [s["marker"] for s in styles.values()]
    assert len(set(colours)) == len(EVERY_KIND), colours
    assert len(set(markers)) == len(EVERY_KIND), markers
    assert set(colours) <= PALETTE
    # A class name gives the same colour and marker as an instance; the variants of a rule keep its style.
    for kind in EVERY_KIND:
        assert {k: style_of(kind)[k] for k in ("color", "marker")} == {
            k: styles[kind][k] for k in ("color", "marker")
        }
    assert style_of(RMSProp(lr=0.01, centered=True, momentum=0.5))["color"] == styles["RMSProp"]["color"]
    assert style_of(Momentum(lr=0.1, averaged=False))["marker"] == styles["Momentum"]["marker"]


def test_an_unknown_optimizer_gets_a_palette_colour_no_course_optimizer_uses():
    class Mine(GradientDescent):
        pass

    s = style_of(Mine(lr=0.1))
    used = {(to_hex(style_of(o)["color"]), style_of(o)["marker"]) for o in EVERY_KIND.values()}
    assert to_hex(s["color"]) in PALETTE
    assert to_hex(s["color"]) not in {c for c, _ in used} and s["marker"] not in {m for _, m in used}


@pytest.mark.parametrize("opt", EVERY_KIND.values(), ids=EVERY_KIND.keys())
def test_an_optimizer_keeps_its_colour_in_the_path_and_the_loss(fig, opt):
    trajectory = run(opt, ravine(10), STEPS)
    ax_path, ax_loss = fig.subplots(1, 2)
    plot_path(ax_path, trajectory)
    plot_loss(ax_loss, trajectory)
    colour = to_hex(style_of(opt)["color"])
    assert to_hex(path_line(ax_path, trajectory).get_color()) == colour
    assert path_line(ax_path, trajectory).get_marker() == style_of(opt)["marker"]
    (loss_line,) = [line for line in ax_loss.lines if line.get_label() == opt.label()]
    assert to_hex(loss_line.get_color()) == colour
    assert loss_line.get_marker() == style_of(opt)["marker"]


def test_legend_labels_name_the_hyperparameters(ax):
    assert style_of(Momentum(lr=0.1, beta=0.5))["label"] == "Momentum(lr=0.1, β=0.5)"
    assert style_of(Momentum(lr=0.1))["label"] == "Momentum(lr=0.1)"  # beta at its default: not named
    assert style_of(Adam(lr=0.003, beta2=0.99))["label"] == "Adam(lr=0.003, β2=0.99)"
    p = ravine(10)
    for opt in (Momentum(lr=0.1, beta=0.5), RMSProp(lr=0.01, centered=True)):
        plot_path(ax, run(opt, p, STEPS))
    ax.legend()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Momentum(lr=0.1, β=0.5)" in legend and "RMSProp(lr=0.01, centered=True)" in legend


# ----------------------------------------------------------------------------------------------------
# plot_contours


def markers_at(ax, marker):
    return [np.asarray(line.get_xydata(), dtype=float) for line in ax.lines if line.get_marker() == marker]


@pytest.mark.parametrize("problem", [ravine(10), rosenbrock(), saddle()], ids=lambda p: p.name)
def test_contours_of_a_2d_problem(ax, problem):
    plot_contours(ax, problem)
    assert ax.get_aspect() == 1.0  # "equal"
    (x_lo, x_hi), (y_lo, y_hi) = problem.bounds
    assert ax.get_xlim() == (x_lo, x_hi) and ax.get_ylim() == (y_lo, y_hi)
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_title(loc="left") == problem.name
    assert ax.collections, "no level sets drawn"
    stars = markers_at(ax, "*")
    assert len(stars) == 1
    np.testing.assert_array_equal(stars[0], [problem.minimizer])


def test_contours_mark_the_other_minimum_and_the_saddle_point(ax):
    p = saddle()
    plot_contours(ax, p)
    np.testing.assert_array_equal(markers_at(ax, "o"), [[[0.0, -1.0]]])
    np.testing.assert_array_equal(markers_at(ax, "P"), [[[0.0, 0.0]]])
    ax.clear()
    plot_contours(ax, p, mark_minima=False)
    assert not ax.lines


def test_a_1d_problem_is_drawn_as_its_curve_with_fixed_limits(ax):
    p = double_well()
    plot_contours(ax, p)
    low, high = p.bounds[0]
    (curve,) = [line for line in ax.lines if len(line.get_xdata()) > 1]
    xs, ys = np.asarray(curve.get_xdata()), np.asarray(curve.get_ydata())
    assert xs[0] == low and xs[-1] == high and np.all(np.diff(xs) > 0)
    np.testing.assert_allclose(ys, p.f(xs[:, None]), rtol=1e-14)
    y_lo, y_hi = ax.get_ylim()
    assert y_lo < ys.min() and ys.max() < y_hi
    assert ax.get_xlim() == (low, high)
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "f(x)" and ax.get_title(loc="left") == p.name
    stars = markers_at(ax, "*")
    np.testing.assert_allclose(stars, [[[p.minimizer[0], p.f_min]]], rtol=1e-12)
    # The limits stay put when a run leaves the picture.
    before = ax.get_xlim(), ax.get_ylim()
    plot_path(ax, run(GradientDescent(lr=100.0), p, STEPS))
    assert (ax.get_xlim(), ax.get_ylim()) == before


def test_contours_of_a_31d_problem_raise_a_clear_error(ax):
    p = logistic_regression()
    with pytest.raises(ValueError, match=r"has 31 coordinates; only 1 or 2 can be drawn") as info:
        plot_contours(ax, p)
    assert p.name in str(info.value)


# ----------------------------------------------------------------------------------------------------
# Diverged runs are drawn as diverged


@pytest.mark.parametrize(
    "problem, opt",
    [(ravine(10), GradientDescent(lr=0.5)), (double_well(), GradientDescent(lr=100.0))],
    ids=["ravine 2-D", "double well 1-D"],
)
def test_a_diverged_path_is_clipped_and_says_where_it_diverged(ax, problem, opt):
    trajectory = run(opt, problem, STEPS)
    k = trajectory.diverged_at
    assert k is not None and k > 0
    plot_contours(ax, problem)
    limits = ax.get_xlim(), ax.get_ylim()
    n_lines = len(ax.lines)
    with warnings_as_errors():
        plot_path(ax, trajectory)
    (text,) = [t.get_text() for t in ax.texts if "diverged" in t.get_text()]
    assert int(re.fullmatch(r"diverged at step (\d+)", text).group(1)) == k
    # The path: the k + 1 finite points (the diverging one is kept), clipped to ten times the bounds.
    line = path_line(ax, trajectory)
    x, y = np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    low, high = clip_box(problem)
    expected = np.clip(trajectory.points[: k + 1], low, high)
    assert np.all(np.isfinite(trajectory.points[: k + 1])) and np.all(np.isnan(trajectory.points[k + 1 :]))
    assert not np.array_equal(expected, trajectory.points[: k + 1])  # something was far away and clipped
    np.testing.assert_array_equal(x, expected[:, 0])
    if problem.dim == 2:
        np.testing.assert_array_equal(y, expected[:, 1])
    else:
        np.testing.assert_allclose(y, problem.f(expected), rtol=1e-14)
    # It ends with a cross inside the picture, and the picture did not rescale.
    (cross,) = [line for line in ax.lines[n_lines:] if line.get_marker() == "X"]
    (cx,), (cy,) = cross.get_xdata(), cross.get_ydata()
    assert limits[0][0] <= cx <= limits[0][1] and limits[1][0] <= cy <= limits[1][1]
    assert (ax.get_xlim(), ax.get_ylim()) == limits


@pytest.mark.parametrize(
    "problem, opt",
    [(ravine(10), GradientDescent(lr=0.5)), (double_well(), GradientDescent(lr=100.0))],
    ids=["ravine 2-D", "double well 1-D"],
)
def test_a_diverged_loss_curve_says_where_it_diverged(ax, problem, opt):
    trajectory = run(opt, problem, STEPS)
    k = trajectory.diverged_at
    with warnings_as_errors():
        plot_loss(ax, trajectory)
    assert [t.get_text() for t in ax.texts] == [f"diverged at step {k}"]
    (curve,) = [line for line in ax.lines if line.get_label() == opt.label()]
    np.testing.assert_array_equal(curve.get_xdata(), np.arange(STEPS + 1))
    np.testing.assert_allclose(curve.get_ydata(), trajectory.gaps, rtol=1e-14)
    (cross,) = [line for line in ax.lines if line.get_marker() == "X"]
    assert np.ravel(cross.get_xdata()).tolist() == [k]
    np.testing.assert_allclose(np.ravel(cross.get_ydata()), [trajectory.gaps[k]], rtol=1e-14)
    assert ax.get_yscale() == "log"


def test_a_loss_that_overflowed_is_plotted_without_warnings(ax):
    trajectory = run(GradientDescent(lr=1e80), double_well(), STEPS)
    assert trajectory.diverged_at == 1 and np.isinf(trajectory.losses[1])  # run() itself stays quiet
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        plot_loss(ax, trajectory)
    assert [t.get_text() for t in ax.texts] == ["diverged at step 1"]


# ----------------------------------------------------------------------------------------------------
# plot_loss with a batch of runs


def batch_run():
    p = ravine(10)
    starts = np.array([[-8.0, 2.0], [-8.0, 1e-3], [1.0, 0.0], [5.0, -3.0]])
    # lr just above 2/L: every run with a y-component diverges, the later the smaller its start in y.
    return run(GradientDescent(lr=0.21), p, 200, starts)


def test_a_batch_is_drawn_as_its_median_and_a_band(ax):
    trajectory = run(Momentum(lr=0.05, beta=0.5), ravine(10), STEPS, ravine(10).random_starts(9))
    plot_loss(ax, trajectory)
    (median,) = ax.lines
    assert median.get_label() == "Momentum(lr=0.05, β=0.5) (median)"
    np.testing.assert_allclose(median.get_ydata(), np.median(trajectory.gaps, axis=1), rtol=1e-12)
    (band,) = ax.collections
    assert isinstance(band, PolyCollection)
    vertices = band.get_paths()[0].vertices
    lo, hi = np.percentile(trajectory.gaps, [10, 90], axis=1)
    for step in range(STEPS + 1):  # at every step the band runs from the 10th to the 90th percentile
        ys = vertices[vertices[:, 0] == step, 1]
        np.testing.assert_allclose([ys.min(), ys.max()], [lo[step], hi[step]], rtol=1e-12)
    colour = to_hex(style_of(trajectory.optimizer)["color"])
    assert to_hex(median.get_color()) == colour == to_hex(band.get_facecolor()[0][:3])


def test_colour_overrides_both_line_and_band(ax):
    trajectory = run(Momentum(lr=0.05, beta=0.5), ravine(10), STEPS, ravine(10).random_starts(9))
    plot_loss(ax, trajectory, color="#CC79A7", label="setting A")
    (median,) = ax.lines
    assert median.get_label() == "setting A (median)"
    assert to_hex(median.get_color()) == "#cc79a7" == to_hex(ax.collections[0].get_facecolor()[0][:3])


def test_run_index_draws_one_run(ax):
    trajectory = batch_run()
    assert trajectory.diverged_steps[2] == -1
    plot_loss(ax, trajectory, run_index=2)
    (curve,) = ax.lines
    np.testing.assert_array_equal(curve.get_ydata(), trajectory.gaps[:, 2])
    assert not ax.collections and not ax.texts  # one run, which converged: no band, no divergence note


def test_run_index_of_a_diverged_run_says_its_own_step(ax):
    trajectory = batch_run()
    own = trajectory.diverged_steps[1]
    assert 0 < trajectory.diverged_at < own  # run 1 diverged, later than another run of the batch
    plot_loss(ax, trajectory, run_index=1)
    (cross,) = [line for line in ax.lines if line.get_marker() == "X"]
    assert np.ravel(cross.get_xdata()).tolist() == [own]  # the cross is at run 1's step ...
    assert [t.get_text() for t in ax.texts] == [f"diverged at step {own}"]  # ... and so must the words be


def test_plot_path_of_a_batch_draws_the_chosen_run(ax):
    trajectory = batch_run()
    plot_path(ax, trajectory, run_index=1)
    own = trajectory.diverged_steps[1]
    assert [t.get_text() for t in ax.texts] == [f"diverged at step {own}"]
    expected = np.clip(trajectory.points[: own + 1, 1], *clip_box(trajectory.problem))
    np.testing.assert_array_equal(path_line(ax, trajectory).get_xydata(), expected)


# ----------------------------------------------------------------------------------------------------
# plot_effective_lr and plot_ewa


def test_effective_lr_needs_kept_states(ax):
    trajectory = run(Adagrad(lr=0.5), ravine(10), STEPS)
    with pytest.raises(ValueError, match=r"plot_effective_lr: .*keep_states=True"):
        plot_effective_lr(ax, trajectory)


@pytest.mark.parametrize("opt", [Adagrad(lr=0.5), RMSProp(lr=0.01), Adam(lr=0.1), GradientDescent(lr=0.05)])
def test_effective_lr_draws_one_line_per_coordinate(ax, opt):
    trajectory = run(opt, ravine(10), STEPS, keep_states=True)
    plot_effective_lr(ax, trajectory)
    assert len(ax.lines) == 2
    for i, line in enumerate(ax.lines):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, STEPS + 1))
        np.testing.assert_array_equal(line.get_ydata(), trajectory.effective_lrs[:, i])
        assert line.get_label().endswith("x₁" if i == 0 else "x₂")
        assert to_hex(line.get_color()) == to_hex(style_of(opt)["color"])
    assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()
    assert ax.get_yscale() == "log"


def test_effective_lr_of_one_run_of_a_batch(ax):
    p = ravine(10)
    trajectory = run(Adagrad(lr=0.5), p, STEPS, p.random_starts(3), keep_states=True)
    plot_effective_lr(ax, trajectory, run_index=2, coords=[1])
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_ydata(), trajectory.effective_lrs[:, 2, 1])


@pytest.mark.parametrize("bias", [False, True])
def test_ewa_plot_labels_the_window_and_half_life(ax, bias):
    values = np.random.default_rng(0).normal(size=40)
    betas = (0.5, 0.9, 0.99)
    plot_ewa(ax, values, betas=betas, bias_correction=bias)
    assert len(ax.lines) == 1 + len(betas)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), values)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(1, 41))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "data"
    for beta, line, label in zip(betas, ax.lines[1:], legend[1:], strict=True):
        numbers = [float(v) for v in re.findall(r"≈ ([\d.e+]+), half-life ([\d.e+]+)\)", label)[0]]
        np.testing.assert_allclose(numbers, [window(beta), half_life(beta)], rtol=5e-3)
        assert label.startswith(f"β={beta:g} ")
        np.testing.assert_array_equal(line.get_ydata(), ewa(values, beta, bias))
    assert len(set(hexes(ax.lines[1:]))) == len(betas)


# ----------------------------------------------------------------------------------------------------
# control_for


def test_log_ranges_give_log_sliders():
    opt = Adam(lr=0.01)
    slider = control_for(opt, "lr")
    assert isinstance(slider, ipywidgets.FloatLogSlider)
    assert slider.base == 10
    low, high = np.log10(Adam.ranges["lr"].low), np.log10(Adam.ranges["lr"].high)
    assert low - slider.step < slider.min <= low and high <= slider.max < high + slider.step  # the range
    assert slider.value == pytest.approx(0.01)
    for end in (slider.min, slider.max):  # the grid of steps runs through the value: the browser snaps to it
        steps = (np.log10(slider.value) - end) / slider.step
        assert steps == pytest.approx(round(steps), abs=1e-9)


def test_linear_ranges_give_linear_sliders():
    opt = RMSProp(lr=0.01, beta=0.95)
    slider = control_for(opt, "beta")
    assert type(slider) is ipywidgets.FloatSlider
    r = RMSProp.ranges["beta"]
    assert (slider.min, slider.max, slider.step, slider.value) == (r.low, r.high, r.step, 0.95)
    assert slider.description == "β"


def test_sliders_name_hyperparameters_as_the_optimizers_labels_do():
    opt = Adam(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6)
    assert opt.label() == "Adam(lr=0.01, β1=0.8, β2=0.99, ε=1e-06)"
    names = [control_for(opt, n).description for n in ("lr", "beta1", "beta2", "eps")]
    assert names == ["lr", "β1", "β2", "ε"]


@pytest.mark.parametrize("opt, name", [(Momentum(lr=0.1), "nesterov"), (RMSProp(lr=0.1), "centered")])
def test_bool_fields_give_checkboxes(opt, name):
    box = control_for(opt, name)
    assert isinstance(box, ipywidgets.Checkbox) and box.value is False and box.description == name


def test_low_and_high_narrow_the_range():
    slider = control_for(GradientDescent(lr=0.1), "lr", low=0.01, high=0.1)
    assert (slider.min, slider.max) == (pytest.approx(-2.0), pytest.approx(-1.0))  # on the grid
    slider = control_for(Momentum(lr=0.05, beta=0.95), "beta", high=0.9)  # the value is clipped in
    assert (slider.min, slider.max, slider.value) == (0.0, 0.9, 0.9)


def test_a_name_with_no_range_raises_and_lists_the_ranges():
    with pytest.raises(
        ValueError, match=r"Adagrad has no slider range for 'initial_accumulator'; ranges: lr, eps"
    ):
        control_for(Adagrad(lr=0.1), "initial_accumulator")


def test_a_hyperparameter_the_optimizer_does_not_have_raises_a_value_error():
    with pytest.raises(ValueError, match=r"GradientDescent has no hyperparameter 'beta'; it has lr\."):
        control_for(GradientDescent(lr=0.1), "beta")


def test_unknown_panels_are_rejected(make_explorer):
    with pytest.raises(ValueError, match=r"unknown panels \['contours'\]"):
        make_explorer(ravine(10), GradientDescent(lr=0.1), panels=("path", "contours"))


# ----------------------------------------------------------------------------------------------------
# Every slider combination renders, never a traceback


# Starting settings inside every range. The sweep flips the checkboxes before the extremes, so these run with
# Nesterov on the summed form, and with centered RMSProp (whose sqrt(s - m**2) is 0 at beta = 0: a step of
# g / eps with eps = 1e-10).
SWEPT = {
    "GradientDescent": GradientDescent(lr=0.05),
    "Momentum": Momentum(lr=0.05, beta=0.5),
    "Adagrad": Adagrad(lr=0.3),
    "RMSProp": RMSProp(lr=0.01, beta=0.9, momentum=0.5),
    "Adam": Adam(lr=0.05, beta1=0.5, beta2=0.9, eps=1e-6),
}
TESTBED = make_testbed()


def every_control(opt):
    """All the class's slider ranges, then all its True/False hyperparameters."""
    toggles = [f.name for f in fields(opt) if isinstance(getattr(opt, f.name), bool)]
    return (*type(opt).ranges, *toggles)


def sweep_plan(widget, min_pass: bool):
    """(name, value) moves: every control to its maximum in turn, checkboxes flipped (so the last moves set
    max lr together with max beta, max eps, ...); then, with ``min_pass``, every slider to its minimum in turn
    (so min lr meets max beta, ..., and at last every slider is at its minimum, the checkboxes still
    flipped). The values in between are the starting setting's (SWEPT), drawn when the widget is built."""
    plan = []
    for end in ("max", "min") if min_pass else ("max",):
        for name, control in widget.controls.items():
            if isinstance(control, ipywidgets.Checkbox):
                if end == "max":
                    plan.append((name, not control.value))
            elif isinstance(control, ipywidgets.FloatLogSlider):
                plan.append((name, control.base ** getattr(control, end)))
            else:
                plan.append((name, getattr(control, end)))
    return plan


# Every class on every problem. Each move is a redraw (most of them full ones, as the limits change), so to
# keep the 30 widgets near 15 s the minimum pass runs on a checkerboard of (class, problem) pairs: every class
# gets it on three problems, every problem for two or three classes.
SWEEP_CASES = [
    pytest.param(opt, problem, (i + j) % 2 == 0, id=f"{opt_name}-{problem_name}")
    for i, (opt_name, opt) in enumerate(SWEPT.items())
    for j, (problem_name, problem) in enumerate(TESTBED.items())
]


def drawn_path(trajectory):
    return np.column_stack(path_xy(trajectory.problem, trajectory.points))


def paths_differ(a, b, problem) -> bool:
    """Whether two drawn paths differ by more than 2 % of the plot's span somewhere (several pixels)."""
    if a.shape != b.shape:
        return True
    span = np.ptp(np.array(problem.bounds, dtype=float), axis=1)
    span = span if problem.dim == 2 else np.array([span[0], np.ptp(a[:, 1]) + 1e-12])
    return bool(np.any(np.abs(a - b) > 0.02 * span))


@pytest.mark.parametrize("opt, problem, min_pass", SWEEP_CASES)
def test_every_slider_setting_draws_a_picture_and_at_most_one_status_line(
    make_explorer, opt, problem, min_pass
):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        w = make_explorer(
            problem, opt, sliders=every_control(opt), steps=STEPS, panels=("path", "loss", "effective_lr")
        )
        assert set(w.controls) == set(every_control(opt))
        assert status_text(w) == run(opt, problem, STEPS).message
        path, png = drawn_path(run(opt, problem, STEPS)), png_of(w)
        diverged = 0
        for name, value in sweep_plan(w, min_pass):
            w.controls[name].value = value
            setting = opt.replace(**w.values)
            expected = run(setting, problem, STEPS)
            status = status_text(w)
            where = f"{name} -> {value:.3g}: {setting!r}"
            assert not status.startswith("Cannot draw"), f"{where}: {status}"
            assert status == expected.message, where  # "" or "... diverged at step k on ...: hint"
            if expected.diverged:
                assert f"diverged at step {expected.diverged_at} " in status
                diverged += 1
            assert png_of(w).startswith(PNG_SIGNATURE), where
            if paths_differ(path, drawn_path(expected), problem):  # by a few pixels at least
                assert png_of(w) != png, f"{where}: the path moved but the picture did not change"
            path, png = drawn_path(expected), png_of(w)
    width, height = w.figure.canvas.get_width_height()
    assert png_array(png_of(w)).shape == (height, width, 4)
    assert (w.image.layout.width, w.image.layout.height) == (f"{width}px", f"{height}px")  # never stretched
    if problem.name.startswith("ravine") and isinstance(opt, (GradientDescent, Momentum)):
        assert diverged, "max lr on the ravine must diverge"


# ----------------------------------------------------------------------------------------------------
# Errors while drawing become one line of status


def test_an_error_in_the_run_is_one_line_of_status(make_explorer, monkeypatch):
    w = make_explorer(ravine(10), GradientDescent(lr=0.05), steps=STEPS)
    before = png_of(w)

    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(widgets_explorers, "run", boom)
    w.controls["lr"].value = 0.1  # must not raise
    assert status_text(w) == "Cannot draw this setting: ValueError: boom"
    assert "#D55E00" in w.status.value  # in vermillion
    assert png_of(w) == before  # the last good picture stays
    monkeypatch.undo()
    w.controls["lr"].value = 0.07
    assert status_text(w) == "" and png_of(w) != before


def test_an_error_in_update_while_building_is_one_line_of_status(make_explorer, monkeypatch):
    def boom(self, **values):
        raise ValueError("boom")

    monkeypatch.setattr(TrajectoryExplorer, "update", boom)
    w = make_explorer(ravine(10), GradientDescent(lr=0.05), steps=STEPS)  # must not raise
    assert status_text(w) == "Cannot draw this setting: ValueError: boom"
    w.controls["lr"].value = 0.5
    assert status_text(w) == "Cannot draw this setting: ValueError: boom"


def test_a_panel_that_fails_half_way_leaves_nothing_behind(make_explorer, monkeypatch):
    opt, problem = Adam(lr=0.1), ravine(10)
    panels = ("path", "loss", "effective_lr")
    w = make_explorer(problem, opt, sliders=("lr",), steps=STEPS, panels=panels)
    real = widgets_explorers.plot_effective_lr

    def draws_then_fails(ax, trajectory, **kwargs):
        real(ax, trajectory, **kwargs)
        raise ValueError("boom")

    monkeypatch.setattr(widgets_explorers, "plot_effective_lr", draws_then_fails)
    w.controls["lr"].value = 0.3
    assert status_text(w) == "Cannot draw this setting: ValueError: boom"
    monkeypatch.undo()
    w.controls["lr"].value = 0.1
    assert status_text(w) == ""
    assert len(w.axes["effective_lr"].lines) == problem.dim  # one line per coordinate, as before the error


# ----------------------------------------------------------------------------------------------------
# Blitting: the pasted background plus the dynamic artists equals a full redraw


def blitted_then_full(widget):
    blitted = png_of(widget)
    widget.invalidate()
    widget.redraw()
    return blitted, png_of(widget)


@pytest.mark.parametrize("problem", [ravine(10), double_well()], ids=["ravine", "double well"])
def test_blitted_path_equals_a_full_redraw(make_explorer, problem):
    w = make_explorer(problem, GradientDescent(lr=0.05), steps=STEPS, panels=("path",))
    for lr in (0.19, 2.0, 0.6, 0.01):
        w.controls["lr"].value = lr
        assert_same_picture(*blitted_then_full(w), f"lr = {lr}")
    assert "diverged" not in status_text(w)


def test_the_figure_still_matches_its_cached_background_after_a_blit(make_explorer):
    w = make_explorer(ravine(10), GradientDescent(lr=0.05), steps=STEPS, panels=("path", "loss"))
    limits = w.axes["loss"].get_ylim()
    w.controls["lr"].value = 0.045
    assert w.axes["loss"].get_ylim() == limits  # the limits fit, so the background was pasted
    blitted = png_of(w)
    w._background = None  # render exactly the current artists, without update() choosing new limits
    assert_same_picture(blitted, w._render(), "blitted vs rendered from scratch")


def test_after_limits_changed_the_blitted_picture_equals_a_full_redraw(make_explorer):
    w = make_explorer(
        ravine(10), GradientDescent(lr=0.05), steps=STEPS, panels=("path", "loss", "effective_lr")
    )
    for lr in (0.19, 0.25, 2.0, 0.1, 0.05):  # up past 2/L = 0.2, where the run diverges, and back
        w.controls["lr"].value = lr
    limits = {name: ax.get_ylim() for name, ax in w.axes.items()}
    blitted, full = blitted_then_full(w)
    assert {name: ax.get_ylim() for name, ax in w.axes.items()} == limits
    assert_same_picture(blitted, full, "lr swept to 2 and back to 0.05")


@pytest.mark.parametrize(
    "problem, optimizer, panels",
    [
        (ravine(10), GradientDescent(lr=0.05), ("path", "loss")),
        (ravine(100), Adagrad(lr=1.0), ("path", "loss", "effective_lr")),
        (double_well(), Momentum(lr=0.05, beta=0.5), ("path", "loss", "velocity")),
    ],
    ids=["gd", "adagrad", "momentum 1-D"],
)
def test_a_panel_rendered_alone_after_its_limits_changed_equals_a_full_render(
    make_explorer, monkeypatch, problem, optimizer, panels
):
    w = make_explorer(problem, optimizer, steps=STEPS, panels=panels)
    partial, full = [], []
    monkeypatch.setattr(w, "_render_all", lambda orig=w._render_all: (full.append(1), orig())[1])
    monkeypatch.setattr(
        w, "_render_stale_panels", lambda orig=w._render_stale_panels: (partial.append(1), orig())[1]
    )
    slider = w.controls["lr"]
    for value in np.geomspace(slider.base**slider.min, slider.base**slider.max, 12):
        slider.value = float(value)
        refits = len(partial)
        blitted = png_of(w)
        w._background = None  # render exactly the current artists, without update() choosing new limits
        assert_same_picture(blitted, w._render(), f"lr = {value:.3g} ({refits} panel renders so far)")
    assert len(partial) >= 2  # the sweep did change limits, and the panel was rendered alone
    assert len(full) <= len(partial) + 12 + 1  # full renders: the first, the checks above, rare fallbacks


LESSON_WIDGETS = {  # as the lessons build them (02, 03, 04, 05); the testbed race at fixed learning rates
    "02 momentum": lambda: TrajectoryExplorer(
        ravine(100),
        Momentum(lr=0.01, beta=0.9, averaged=False),
        sliders=("lr", "beta", "nesterov"),
        panels=("path", "loss", "velocity"),
        steps=80,
        ranges={"lr": (0.001, 0.1)},
    ),
    "03 adagrad": lambda: TrajectoryExplorer(
        ravine(100),
        Adagrad(lr=1.0),
        sliders=("lr", "eps"),
        panels=("path", "loss", "effective_lr"),
        steps=60,
        ranges={"lr": (0.01, 10.0), "eps": (1e-10, 1e3)},
    ),
    "04 race": lambda: RaceExplorer(
        ravine(10),
        [Adagrad(lr=1.0), RMSProp(lr=0.3)],
        sliders=[("lr",), ("lr", "beta")],
        panels=("path", "loss", "effective_lr"),
        steps=60,
    ),
    "05 testbed race": lambda: TestbedRace(
        [GradientDescent(lr=0.1), Momentum(lr=0.1), Adagrad(lr=1.0), RMSProp(lr=0.01), Adam(lr=0.1)],
        problem="Rosenbrock",
        steps=100,
    ),
}


@pytest.mark.parametrize("name", list(LESSON_WIDGETS))
def test_every_move_of_a_lesson_widget_shows_what_a_full_render_shows(name):
    """Each control of the lessons' widgets swept across its range, and back: after every move that rendered
    part of the figure alone (a panel whose limits changed, the legend's strip), the picture (pasted
    background, parts rendered alone, lines drawn on top) equals the figure rendered whole. Only the areas
    that the new limits change are painted again (a panel's frame, its y axis' labels then and now, its
    y tick marks' strip), and of the rest only what reaches into them is drawn; this checks that nothing
    reaching in is left out (it fails if the x axis or its marks are, or if the marks' strip is not painted
    again), for the layouts the lessons really use. (A move that rendered nothing alone only pastes the
    background and draws the lines: the other tests of this file cover it.)"""
    w = LESSON_WIDGETS[name]()
    partial = []
    w._render_stale_panels = lambda orig=w._render_stale_panels: (partial.append(1), orig())[1]
    try:
        for control_name, control in w.controls.items():
            original = control.value
            for value in [*widgets_base._sweep_values(control, 7), original]:
                before = len(partial)
                control.value = value
                if len(partial) == before:
                    continue
                shown = png_of(w)
                limits = [ax.get_ylim() for ax in w.figure.axes]
                w.invalidate()  # and for the testbed race its cached backgrounds
                w.redraw()  # the same lines (update() keeps limits that hold them), on a full render
                assert [ax.get_ylim() for ax in w.figure.axes] == limits
                assert_same_picture(shown, png_of(w), f"{name}: {control_name} = {value}")
        assert partial  # some move did render a panel alone
    finally:
        _close_widget(w.widget)
        w.figure.clear()


def test_loss_limits_always_hold_the_data(make_explorer):
    w = make_explorer(ravine(10), Momentum(lr=0.05, beta=0.5), sliders=("lr", "beta"), steps=STEPS)
    ax = w.axes["loss"]
    for name, value in [("lr", 0.5), ("beta", 0.9), ("lr", 2.0), ("lr", 1e-4), ("beta", 0.0), ("lr", 0.1)]:
        w.controls[name].value = value
        data = np.concatenate([np.asarray(line.get_ydata(), dtype=float) for line in ax.lines])
        data = data[np.isfinite(data) & (data > 0)]
        low, high = ax.get_ylim()
        assert low <= data.min() and data.max() <= high, (name, value)
        assert np.log10(high / low) == pytest.approx(round(np.log10(high / low)))  # whole decades


# ----------------------------------------------------------------------------------------------------
# time_live_widgets, compare_settings, the notebook display


def test_time_live_widgets_sweeps_every_control_and_restores_it(make_explorer):
    p, opt = ravine(10), Momentum(lr=0.05, beta=0.5)
    first = make_explorer(p, opt, sliders=("lr", "beta", "nesterov"), steps=10, panels=("path",))
    second = make_explorer(p, opt, sliders=("lr",), steps=10, panels=("path",))
    # Sweep points: lr 1e-4, 0.014, 2 and beta 0, 0.495, 0.99; neither starting value is one of them.
    widgets_base._LIVE.append(weakref.ref(type("Gone", (), {})()))  # a widget already collected: skipped
    assert first.name == second.name == "Momentum on ravine(κ=10)"
    before = {id(w): (dict(w.values), len(w.timings_ms)) for w in (first, second)}
    result = time_live_widgets(points_per_control=3)
    assert list(result) == ["Momentum on ravine(κ=10)", "Momentum on ravine(κ=10) #2"]
    # One redraw per change of value: 3 sweep points + the way back for a slider (its value is not a sweep
    # point), the flip and the flip back for a checkbox (the way back is no change).
    assert len(result["Momentum on ravine(κ=10)"]) == (3 + 1) + (3 + 1) + 2
    assert len(result["Momentum on ravine(κ=10) #2"]) == 3 + 1
    for w, timings in zip((first, second), result.values(), strict=True):
        values, n = before[id(w)]
        assert w.values == values  # restored
        assert all(isinstance(t, float) and t > 0 for t in timings)
        assert timings == [round(t, 3) for t in w.timings_ms[n:]]


def test_compare_settings_draws_one_panel_per_setting_and_the_losses(fig):
    p, opt = ravine(10), GradientDescent(lr=0.05)
    settings = [{"lr": 0.05}, {"lr": 0.15}, {"lr": 0.25}]
    axes = fig.subplots(1, 4)
    trajectories = compare_settings(axes, p, opt, settings, steps=STEPS)
    assert len(trajectories) == 3
    for trajectory, setting, ax in zip(trajectories, settings, axes, strict=False):
        assert trajectory.optimizer == GradientDescent(**setting) and trajectory.steps == STEPS
        np.testing.assert_array_equal(trajectory.points, run(GradientDescent(**setting), p, STEPS).points)
        assert ax.get_title() == GradientDescent(**setting).label()
        assert path_line(ax, trajectory) is not None
    assert [t.get_text() for t in axes[2].texts] == [f"diverged at step {trajectories[2].diverged_at}"]
    losses = {line.get_label(): line for line in axes[3].lines if not line.get_label().startswith("_")}
    assert list(losses) == ["lr=0.05", "lr=0.15", "lr=0.25"]
    colours = hexes(losses.values())
    assert len(set(colours)) == 3 and set(colours) <= PALETTE
    for line, trajectory in zip(losses.values(), trajectories, strict=True):
        np.testing.assert_allclose(line.get_ydata(), trajectory.gaps, rtol=1e-14)
    assert axes[3].get_legend() is None  # the settings' legend is under the figure, never over a loss
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(losses)


def test_compare_settings_without_a_loss_panel(fig):
    axes = fig.subplots(1, 2)
    settings = [{"beta": 0.0}, {"beta": 0.9, "nesterov": True}]
    trajectories = compare_settings(axes, ravine(10), Momentum(lr=0.05), settings, steps=STEPS)
    assert [t.optimizer for t in trajectories] == [Momentum(lr=0.05, **s) for s in settings]
    assert [to_hex(path_line(ax, t).get_color()) for ax, t in zip(axes, trajectories, strict=True)] == [
        to_hex(style_of(t.optimizer)["color"]) for t in trajectories
    ]


@pytest.mark.parametrize("n_axes", [1, 4])
def test_compare_settings_needs_one_axes_per_setting(fig, n_axes):
    axes = fig.subplots(1, n_axes, squeeze=False)
    with pytest.raises(
        ValueError, match=rf"one Axes per setting \(2\) or one more for the losses; got {n_axes}"
    ):
        compare_settings(axes, ravine(10), GradientDescent(lr=0.05), [{"lr": 0.1}, {"lr": 0.2}])


def test_the_widget_shows_as_a_widget_view_with_a_plain_text_fallback(make_explorer):
    w = make_explorer(ravine(10), Adam(lr=0.1), sliders=("lr", "beta1"), steps=STEPS, name="Adam explorer")
    bundle = w._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == w.widget.model_id
    assert "Adam explorer" in bundle["text/plain"] and "run the notebook" in bundle["text/plain"]
    assert list(w.widget.children[0].children) == list(w.controls.values())
    assert w.widget.children[1:] == (w.status, w.image)


def test_panels_lays_out_a_grid_with_fixed_margins_and_no_layout_engine():
    import matplotlib.pyplot as plt

    from lessons_lib.plots import panels

    fig, axes = panels(3, 2, size=(3.0, 2.0))
    try:
        assert axes.shape == (6,)
        assert fig.get_layout_engine() is None
        width, height = fig.get_size_inches()
        assert width == pytest.approx(0.75 + 0.2 + 3 * 3.0 + 2 * 0.75)
        assert height == pytest.approx(0.6 + 0.4 + 2 * 2.0 + 0.85)
        # Row by row: the first three share a top edge above the last three.
        tops = [ax.get_position().y1 for ax in axes]
        assert tops[0] == tops[1] == tops[2] > tops[3] == tops[4] == tops[5]
        # Each panel is the size asked for, in inches.
        box = axes[0].get_position()
        assert box.width * width == pytest.approx(3.0)
        assert box.height * height == pytest.approx(2.0)
    finally:
        plt.close(fig)


def test_panels_makes_columns_of_the_widths_asked_for():
    import matplotlib.pyplot as plt

    from lessons_lib.plots import panels

    fig, axes = panels(3, size=(2.0, 2.0), widths=(2.5, 1, 1))
    try:
        width = fig.get_size_inches()[0]
        assert width == pytest.approx(0.75 + 0.2 + 4.5 * 2.0 + 2 * 0.75)
        inches = [ax.get_position().width * width for ax in axes]
        assert inches == pytest.approx([5.0, 2.0, 2.0])
    finally:
        plt.close(fig)
    for bad in [(1, 1), (1, 0, 1), (1, -1, 1)]:
        with pytest.raises(ValueError, match="widths must be 3 positive numbers"):
            panels(3, widths=bad)


def test_legend_below_is_one_legend_under_the_panels_which_keep_their_size():
    import matplotlib.pyplot as plt
    from figure_rules import figure_problems

    from lessons_lib.plots import LEGEND_ROW, legend_below, panels

    fig, axes = panels(2, size=(3.0, 2.2))
    try:
        for ax, name in zip(axes, ["GradientDescent", "Momentum"], strict=True):
            for other in ["GradientDescent", "Momentum"]:  # each label in both panels
                ax.plot([0, 1, 2], [3, 1, 0.5], label=other, color=style_of(other)["color"])
            ax.set_title(name, fontsize=10)
        width, height = fig.get_size_inches()
        before = [size for ax in axes for size in ax.get_window_extent().bounds[2:]]
        legend = legend_below(fig)
        assert fig.get_size_inches() == pytest.approx([width, height + LEGEND_ROW])  # one row
        assert [size for ax in axes for size in ax.get_window_extent().bounds[2:]] == pytest.approx(before)
        assert [t.get_text() for t in legend.get_texts()] == ["GradientDescent", "Momentum"]  # each once
        fig.canvas.draw()
        top = legend.get_window_extent().y1
        assert all(top < ax.xaxis.label.get_window_extent().y0 for ax in axes)  # under the x labels
        assert figure_problems(fig) == []
    finally:
        plt.close(fig)
    fig, _ = panels(1)
    try:
        with pytest.raises(ValueError, match="nothing to show"):
            legend_below(fig)
    finally:
        plt.close(fig)


def test_a_widget_writes_the_setting_it_draws_under_its_legend(make_explorer):
    w = make_explorer(ravine(100), Adagrad(lr=1.0), sliders=("lr", "eps"))

    def note():
        (text,) = [t for t in w._dynamic if t.axes is None]  # the one figure-level text
        return text

    assert note().get_text() == Adagrad(lr=1.0).label()
    before = png_of(w)
    w.controls["eps"].value = 1e-10  # a step too small to move the path: the words still change
    assert note().get_text() == Adagrad(lr=1.0, eps=1e-10).label() == "Adagrad(lr=1, ε=1e-10)"
    assert png_of(w) != before
    w.figure.canvas.draw()
    text_top = note().get_window_extent().y1
    assert text_top < w.figure.legends[0].get_window_extent().y0  # under the legend, over no panel


def test_every_widget_legend_is_under_its_panels_and_says_what_each_style_means(make_explorer):
    problem = ravine(10)
    w = make_explorer(
        problem,
        Momentum(lr=0.01, beta=0.9),
        sliders=("lr", "nesterov"),
        panels=("path", "velocity", "effective_lr"),
    )
    assert all(ax.get_legend() is None for ax in w.figure.axes)  # no legend inside a panel
    (legend,) = w.figure.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["Momentum", "Nesterov", "start", "global minimum", "gradient", "velocity", "x₁", "x₂"]
    before = png_of(w)
    w.controls["nesterov"].value = True  # the legend is drawn once, with the static part
    assert [t.get_text() for t in w.figure.legends[0].get_texts()] == labels
    assert png_of(w) != before


# ----------------------------------------------------------------------------------------------------
# path_xy and divergence_mark: what plot_path and the race widget both draw


def test_path_xy_drops_non_finite_points_and_clips_far_ones_to_ten_times_the_bounds():
    p = ravine(10)  # bounds x1 in [-10, 10], x2 in [-4, 4]
    points = np.array([[1.0, 2.0], [1e9, -1e9], [np.nan, 0.0], [np.inf, 1.0], [-3.0, 0.5]])
    x, y = path_xy(p, points)
    np.testing.assert_array_equal(x, [1.0, 10 + 10 * 20, -3.0])
    np.testing.assert_array_equal(y, [2.0, -4 - 10 * 8, 0.5])


def test_path_xy_of_a_1d_problem_is_the_curve():
    p = double_well()
    x, y = path_xy(p, np.array([[0.5], [np.nan], [-1.0]]))
    np.testing.assert_array_equal(x, [0.5, -1.0])
    np.testing.assert_allclose(y, p.f(np.array([[0.5], [-1.0]])))


def test_the_divergence_cross_is_brought_inside_the_picture():
    assert divergence_mark(ravine(10), 210.0, -84.0, (0, 1)) == (10.0, -4.0)
    low, high = double_well().bounds[0]
    assert divergence_mark(double_well(), 1e3, 1e9, (-1.0, 5.0)) == (high, 5.0)
