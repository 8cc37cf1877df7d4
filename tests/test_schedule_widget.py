"""ScheduleExplorer and plot_schedules: learning-rate schedules on a small network, from sweeps run before.

The sweeps are real (a network of 8 hidden units on the digits, 2 epochs, 3 seeds, two optimizers under four
schedules), run once per module. By the course's divergence rule (a loss a million times the start's) this
network does not diverge even at absurd learning rates: its tanh units and cross-entropy keep the loss below
about 1e4. The sweeps here use ``blowup=20`` (a loss above about 46), so that the top learning rates diverge:
every seed of Momentum at lr = 100 does, at the first epoch. A setting where some seeds diverge and others do
not sits on an edge that round-off can move, so those are planted (a real sweep with one or two seeds marked
diverged, as ``sweep`` marks them).
"""

import dataclasses
import html
import io
import re

import ipywidgets
import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_rules import figure_problems
from matplotlib.colors import to_hex
from PIL import Image
from warnings_as_errors import warnings_as_errors

import lessons_lib as ll
import lessons_lib.widgets._base as widgets_base
from lessons_lib.plots import LINE_COLORS, panels, plot_schedules, style_of
from lessons_lib.races import ScheduleRuns
from lessons_lib.sweeps import sweep
from lessons_lib.widgets import ScheduleExplorer, time_live_widgets

HIDDEN, EPOCHS, SEEDS = (8,), 2, 3
LRS = {"Momentum": [0.3, 100.0], "Adam": [0.01, 0.1, 10.0]}  # grids of different lengths
BLOWUP = 20.0
PNG = b"\x89PNG\r\n\x1a\n"


def make_schedules(steps, spe):
    return {
        "constant": None,
        "step decay": ll.step_decay(steps, every=spe, factor=0.1),
        "cosine": ll.cosine_decay(steps),
        "warm-up + cosine": ll.warmup(steps, warmup_steps=spe // 2, then=ll.cosine_decay(steps)),
    }


def run_sweep(name, net, steps, x0, lrs, spe, schedule):
    optimizer = {"Momentum": ll.Momentum(lr=0.1), "Adam": ll.Adam(lr=0.01)}[name]
    return sweep(
        optimizer,
        net,
        steps,
        x0,
        grid={"lr": lrs},
        every=spe,
        keep_points=False,
        schedule=schedule,
        blowup=BLOWUP,
    )


@pytest.fixture(scope="module")
def data():
    """``(sweeps, schedules, steps_per_epoch, net, x0)``: one sweep per optimizer and schedule."""
    net = ll.mlp_digits(hidden=HIDDEN, seed=0)
    spe = int(np.ceil(net.info["n_train"] / net.info["batch_size"]))
    x0 = np.stack([ll.mlp_digits(hidden=HIDDEN, seed=s).x0 for s in range(SEEDS)])
    steps = EPOCHS * spe
    schedules = make_schedules(steps, spe)
    schedules["constant"] = np.ones(steps)  # as ones in one place, as None in the other: both are constant
    sweeps = {
        (o, s): run_sweep(o, net, steps, x0, lrs, spe, None if s == "constant" else m)
        for o, lrs in LRS.items()
        for s, m in schedules.items()
    }
    return sweeps, schedules, spe, net, x0


@pytest.fixture(autouse=True)
def private_live_list(monkeypatch):
    monkeypatch.setattr(widgets_base, "_LIVE", [])


def close_tree(widget):
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


@pytest.fixture
def make(data):
    built = []

    def build(sweeps=None, schedules=None, **kwargs):
        w = ScheduleExplorer(
            data[0] if sweeps is None else sweeps,
            data[1] if schedules is None else schedules,
            steps_per_epoch=data[2],
            **kwargs,
        )
        built.append(w)
        return w

    yield build
    for w in built:
        close_tree(w.widget)
        w.figure.clear()


def png(w) -> bytes:
    data = bytes(w.image.value)
    assert data.startswith(PNG)
    return data


def assert_same_picture(first: bytes, second: bytes, what: str):
    a, b = (np.asarray(Image.open(io.BytesIO(d)).convert("RGBA")) for d in (first, second))
    assert a.shape == b.shape, what
    differ = np.argwhere(np.any(a != b, axis=-1))
    assert not len(differ), (
        f"{what}: {len(differ)} pixels differ, (row, col) from {differ[0]} to {differ[-1]}"
    )


def status(w) -> tuple[str, str]:
    """The status line as plain text, and its colour."""
    match = re.fullmatch(r'<span style="color:([^"]*)">(.*)</span>', w.status.value, flags=re.S)
    assert match, w.status.value
    text = html.unescape(match.group(2))
    assert "\n" not in text and "Traceback" not in text, text  # one line, never a traceback
    return text, match.group(1)


def rule_problems(w) -> list[str]:
    """The figure rules, as tools/figure_check.py checks a widget: its lines drawn as part of the figure."""
    for artist in w._dynamic:
        artist.set_animated(False)
    try:
        return figure_problems(w.figure)
    finally:
        for artist in w._dynamic:
            artist.set_animated(True)
        w.invalidate()


def every_setting(w):
    """Move the controls through every setting, one control at a time; yield after each."""
    for optimizer in w.runs.optimizers:
        w.controls["optimizer"].value = optimizer
        for schedule in w.runs.schedule_names:
            w.controls["schedule"].value = schedule
            for _, lr in w.controls["lr"].options:
                w.controls["lr"].value = lr
                yield optimizer, schedule, lr


def percentiles(result):
    """10/50/90 % over the seeds, per record and learning rate, computed here one run at a time: a seed that
    diverged counts as larger than any loss from the record of its divergence on."""
    records, lrs, seeds = result.losses.shape
    out = np.empty((3, records, lrs))
    for i in range(lrs):
        values = result.losses[:, i, :].copy()
        for seed in range(seeds):
            if result.diverged_steps[i, seed] >= 0:
                values[result.steps >= result.diverged_steps[i, seed], seed] = 1e300
        for r in range(records):
            q = np.percentile(values[r], [10, 50, 90])
            out[:, r, i] = np.where(q > 1e299, np.inf, q)  # one that reaches a diverged seed
    return out


def planted(result, diverged: dict):
    """``result`` with seeds marked diverged at a step (``{(lr index, seed): step}``), as ``sweep`` marks
    them: NaN losses after it, the loss at it kept."""
    losses, steps = result.losses.copy(), result.diverged_steps.copy()
    for (i, seed), step in diverged.items():
        steps[i, seed] = step
        losses[result.steps > step, i, seed] = np.nan
    return dataclasses.replace(result, losses=losses, diverged_steps=steps)


# ----------------------------------------------------------------------------------------------------
# The runs


def test_the_sweeps_have_settings_that_diverge_and_settings_that_do_not(data):
    sweeps, schedules, spe, *_ = data
    for schedule in schedules:
        lost = sweeps[("Momentum", schedule)].diverged_steps
        assert (lost[1] == spe).all(), schedule  # lr = 100: every seed, at the first epoch's record
        assert (lost[0] == -1).all() and (sweeps[("Adam", schedule)].diverged_steps[0] == -1).all()


def test_schedule_runs_reduce_the_sweeps_over_the_seeds(data):
    sweeps, schedules, spe, *_ = data
    runs = ScheduleRuns(sweeps, schedules, steps_per_epoch=spe)
    assert runs.optimizers == ("Momentum", "Adam") and runs.schedule_names == tuple(schedules)
    assert runs.constant == "constant" and runs.seeds == SEEDS and runs.steps == EPOCHS * spe
    np.testing.assert_array_equal(runs.epochs, np.arange(EPOCHS + 1))
    assert runs.lr_labels("Momentum") == ("0.3", "100") and runs.lr_labels("Adam") == ("0.01", "0.1", "10")
    for (o, s), result in sweeps.items():
        expected = percentiles(result)
        np.testing.assert_allclose(runs.spread(o, s), expected, rtol=1e-12)
    assert runs.diverged("Momentum", "cosine", 1) == (SEEDS, 1)
    assert runs.diverged("Adam", "cosine", 0) == (0, None)
    x, y = runs.lr_curve("step decay", 0.3)
    np.testing.assert_array_equal(x, np.arange(EPOCHS * spe + 1))
    np.testing.assert_allclose(y, 0.3 * np.append(schedules["step decay"], 0.1))
    limits = runs.limits("Adam")
    assert limits["lr"][0] < 0.01 * schedules["cosine"].min() and limits["lr"][1] > 10.0
    for low, high in limits.values():
        assert np.log10(low) == round(np.log10(low)) and np.log10(high) == round(np.log10(high))


def test_the_best_learning_rate_is_the_lowest_mean_final_loss_without_a_diverged_seed(data):
    sweeps, schedules, spe, *_ = data
    runs = ScheduleRuns(sweeps, schedules, steps_per_epoch=spe)
    for (o, s), result in sweeps.items():
        final = np.where(result.diverged_steps >= 0, np.nan, result.losses[-1]).mean(axis=1)
        assert runs.best_lr_index(o, s) == int(np.nanargmin(final)), (o, s)
    lost = dict(sweeps)
    lost[("Adam", "cosine")] = planted(sweeps[("Adam", "cosine")], {(0, 0): spe, (1, 1): spe, (2, 2): spe})
    medians = ScheduleRuns(lost, schedules, steps_per_epoch=spe).spread("Adam", "cosine")[1, -1]
    best = ScheduleRuns(lost, schedules, steps_per_epoch=spe).best_lr_index("Adam", "cosine")
    assert best == int(np.argmin(medians))  # every lr lost a seed: the lowest median instead


# ----------------------------------------------------------------------------------------------------
# What the widget draws and says


def test_the_default_setting_is_the_first_schedule_at_its_best_learning_rate(make, data):
    w = make()
    runs = w.runs
    assert w.values["optimizer"] == "Momentum" and w.values["schedule"] == "step decay"
    assert w.values["lr"] == runs.grid("Momentum")[runs.best_lr_index("Momentum", "step decay")]
    assert isinstance(w.controls["optimizer"], ipywidgets.ToggleButtons)
    assert isinstance(w.controls["lr"], ipywidgets.SelectionSlider)
    assert [label for label, _ in w.controls["lr"].options] == ["0.3", "100"]
    assert "run the notebook" in w._repr_mimebundle_()["text/plain"]


def expected_status(sweeps, runs, optimizer, schedule, i) -> str:
    """The status line, from the sweeps (percentiles computed here)."""
    result, constant = sweeps[(optimizer, schedule)], sweeps[(optimizer, "constant")]
    lost = result.diverged_steps[i][result.diverged_steps[i] >= 0]
    first = f"(the first at epoch {int(np.ceil(lost.min() / runs.steps_per_epoch))})" if lost.size else ""
    text = f"{optimizer}, {schedule}, lr = {runs.lr_labels(optimizer)[i]}: "
    if lost.size == SEEDS:
        return text + f"all {SEEDS} seeds diverged {first}, so no line is drawn"
    low, mid, high = percentiles(result)[:, -1, i]
    if np.isinf(mid):
        text += f"{lost.size} of {SEEDS} seeds diverged {first}, and the median with them"
    elif np.isinf(high):
        text += f"final loss {mid:#.3g} (10 %: {low:#.3g}, 90 %: diverged)"
    else:
        text += f"final loss {mid:#.3g} (10–90 %: {low:#.3g}–{high:#.3g})"
    if schedule != "constant":
        reference = percentiles(constant)[1, -1, i]
        if np.isfinite(reference):
            text += f" against {reference:#.3g} at a constant lr"
        else:
            most = "all" if (constant.diverged_steps[i] >= 0).all() else "most"
            text += f" against a constant lr, where {most} seeds diverged"
    if lost.size and np.isfinite(mid):
        text += f"; {lost.size} of {SEEDS} seeds diverged {first}"
    return text


def test_every_setting_draws_its_runs_and_says_its_final_losses(make, data):
    sweeps, schedules, spe, *_ = data
    w = make()
    runs = w.runs
    seen = set()
    with warnings_as_errors():
        for optimizer, schedule, lr in every_setting(w):
            text, colour = status(w)
            i = list(runs.grid(optimizer)).index(lr)
            assert text == expected_status(sweeps, runs, optimizer, schedule, i)
            assert "nan" not in text.lower() and "inf" not in text, text
            assert (colour == "#D55E00") == ("diverged" in text)
            label = runs.lr_labels(optimizer)[i]
            assert w.figure.texts[-1].get_text() == f"{optimizer}, {schedule} schedule, lr = {label}"
            result = sweeps[(optimizer, schedule)]
            diverged = int((result.diverged_steps[i] >= 0).sum())
            seen.add("all" if diverged == SEEDS else "some" if diverged else "none")
            colour_of = to_hex(style_of(optimizer)["color"])
            mine = [ln for ln in w.loss_ax.lines if to_hex(ln.get_color()) == colour_of]
            if diverged == SEEDS:
                assert not [ln for ln in mine if ln.get_linestyle() == "-"]  # no line for it
                assert [t.get_text() for t in w.loss_ax.texts] == [f"all {SEEDS} seeds diverged"]
            else:
                median = mine[0]
                expected = percentiles(result)[1, :, i]
                np.testing.assert_allclose(median.get_ydata(), np.where(np.isinf(expected), np.nan, expected))
                np.testing.assert_array_equal(median.get_xdata(), np.arange(EPOCHS + 1))
                assert [t.get_text() for t in w.loss_ax.texts] == (
                    [f"{diverged} of {SEEDS} seeds diverged"] if diverged else []
                )
                if not diverged:
                    np.testing.assert_allclose(median.get_ydata(), np.median(result.losses[:, i], axis=-1))
            (drawn,) = [ln for ln in w.lr_ax.lines if to_hex(ln.get_color()) == colour_of]
            multipliers = np.ones(runs.steps) if schedules[schedule] is None else schedules[schedule]
            np.testing.assert_allclose(drawn.get_ydata()[:-1], lr * multipliers, rtol=1e-15)
            references = [ln for ln in w.loss_ax.lines if ln.get_linestyle() == "--"]
            constant_lost = (sweeps[(optimizer, "constant")].diverged_steps[i] >= 0).all()
            if schedule == "constant" or constant_lost:
                assert not references
            else:
                (line,) = references
                assert to_hex(line.get_color()) == to_hex("0.35")
                expected = percentiles(sweeps[(optimizer, "constant")])[1, :, i]
                np.testing.assert_allclose(line.get_ydata(), np.where(np.isinf(expected), np.nan, expected))
    assert {"all", "none"} <= seen


def test_seeds_that_diverged_are_counted_and_the_band_reaches_the_top(make, data):
    sweeps, schedules, spe, *_ = data
    some = dict(sweeps)
    some[("Adam", "cosine")] = planted(sweeps[("Adam", "cosine")], {(1, 2): 2 * spe, (2, 0): spe})
    some[("Adam", "step decay")] = planted(sweeps[("Adam", "step decay")], {(1, 0): spe, (1, 2): 2 * spe})
    w = make(some, optimizer="Adam", schedule="cosine", lr=0.1)
    text, colour = status(w)
    assert text.endswith("; 1 of 3 seeds diverged (the first at epoch 2)"), text
    assert "(10 %: " in text and ", 90 %: diverged)" in text and colour == "#D55E00"
    (note,) = w.loss_ax.texts
    assert note.get_text() == "1 of 3 seeds diverged"
    (band,) = w.loss_ax.collections
    assert band.get_paths()[0].vertices[:, 1].max() == pytest.approx(w.loss_ax.get_ylim()[1])
    w.controls["schedule"].value = "step decay"  # two of three: the median diverges with them
    text, _ = status(w)
    assert "2 of 3 seeds diverged (the first at epoch 1), and the median with them" in text, text
    crosses = [ln for ln in w.loss_ax.lines if ln.get_marker() == "X"]
    assert len(crosses) == 1 and crosses[0].get_xdata()[0] == 1  # where the median was last finite
    assert "nan" not in text.lower()


def test_the_figure_rules_hold_at_every_setting(make):
    w = make()
    problems = {"first render": rule_problems(w)}
    for setting in every_setting(w):  # both ends of every grid, every schedule, and the diverging ones
        problems[setting] = rule_problems(w)
    assert not {k: v for k, v in problems.items() if v}


def test_choosing_another_optimizer_gives_the_slider_its_grid_with_one_redraw(make):
    w = make(optimizer="Adam", schedule="cosine", lr=10.0)  # the last of three
    slider = w.controls["lr"]
    n = len(w.timings_ms)
    w.controls["optimizer"].value = "Momentum"
    assert len(w.timings_ms) == n + 1  # one redraw, not one per change of the slider
    assert [label for label, _ in slider.options] == ["0.3", "100"] and slider.value == 100.0
    assert status(w)[0].startswith("Momentum, cosine, lr = 100: ")
    slider.value = 0.3
    w.controls["optimizer"].value = "Adam"
    assert [label for label, _ in slider.options] == ["0.01", "0.1", "10"] and slider.value == 0.01
    assert len(w.timings_ms) == n + 3


def test_the_optimizer_row_is_shown_only_when_there_is_a_choice(make, data):
    both = make()
    assert both.controls["optimizer"] in both.widget.children
    adam_only = {key: sweep for key, sweep in data[0].items() if key[0] == "Adam"}
    one = make(sweeps=adam_only)
    assert one.controls["optimizer"] not in one.widget.children
    assert one.controls["schedule"] in one.widget.children[0].children and one.name.endswith("(Adam)")


def test_pictures_equal_full_renders_after_every_move(make):
    """Every move pastes a background (one per optimizer, rendered when the widget was built) and draws the
    lines on top; after forgetting the backgrounds, choosing an optimizer renders its panels and legend
    alone. Each picture equals the figure rendered whole."""
    w = make()
    partial = []
    w._render_stale_panels = lambda orig=w._render_stale_panels: (partial.append(1), orig())[1]

    def moves():  # each control across its options (as time_live_widgets moves it), then a few jumps
        for name, control in w.controls.items():
            for value in widgets_base._sweep_values(control, 5):
                yield name, value
        yield from [("optimizer", "Adam"), ("lr", 10.0), ("schedule", "constant"), ("optimizer", "Momentum")]

    for forget in (False, True):
        for name, value in moves():
            if forget:
                w.invalidate()  # the next move renders what changed alone, when limits or legend change
            w.controls[name].value = value
            shown = png(w)
            w.invalidate()
            w.redraw()
            assert_same_picture(shown, png(w), f"{name} = {value}")
    assert partial  # some move did render panels alone


def test_an_error_while_drawing_is_one_line_of_status(make, monkeypatch):
    import lessons_lib.widgets.schedules as module

    w = make()
    before = png(w)

    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(module, "plot_seed_spread", boom)
    w.controls["schedule"].value = "cosine"
    assert status(w) == ("Cannot draw this setting: ValueError: boom", "#D55E00")
    assert png(w) == before
    monkeypatch.undo()
    w.controls["schedule"].value = "constant"
    assert status(w)[0].startswith("Momentum, constant, lr = 0.3: final loss ") and png(w) != before


def test_time_live_widgets_sweeps_every_control_and_restores_it(make):
    w = make()
    before = dict(w.values)
    (timings,) = time_live_widgets(points_per_control=3).values()
    # optimizer: Adam and back (Momentum is no change); schedule: every option then back to "step decay";
    # lr: 100 and back to 0.3
    assert len(timings) == 2 + (len(w.runs.schedule_names) + 1) + 2
    assert w.values == before
    assert all(t > 0 for t in timings)


def test_built_under_the_course_settings_without_warnings(make):
    saved, printing = matplotlib.rcParams.copy(), np.get_printoptions()
    try:
        ll.setup_notebook()
        with warnings_as_errors():
            w = make()
        assert w.figure.get_layout_engine() is None
        width, height = w.figure.canvas.get_width_height()
        assert width == 912  # 9.5 inches at 96 dpi, as the other widgets
        for ax in (w.lr_ax, w.loss_ax):
            box = ax.get_window_extent()
            assert min(box.width, box.height) >= 140
    finally:
        matplotlib.rcParams.update(saved)
        np.set_printoptions(**printing)


# ----------------------------------------------------------------------------------------------------
# The static figure


def test_the_static_figure_draws_each_schedule_at_its_best_learning_rate(data):
    sweeps, schedules, spe, *_ = data
    runs = ScheduleRuns(sweeps, schedules, steps_per_epoch=spe)
    fig, axes = panels(2, size=(3.4, 2.6))
    try:
        with warnings_as_errors():
            drawn = plot_schedules(axes, sweeps, schedules, "Adam", steps_per_epoch=spe)
        best = {s: float(runs.grid("Adam")[runs.best_lr_index("Adam", s)]) for s in schedules}
        assert drawn == best
        ax_lr, ax_loss = axes
        labels = [
            f"{s}, lr {runs.lr_labels('Adam')[list(runs.grid('Adam')).index(lr)]}" for s, lr in best.items()
        ]
        assert [ln.get_label() for ln in ax_lr.lines] == labels
        for line, (schedule, lr) in zip(ax_loss.lines, best.items(), strict=True):
            i = list(runs.grid("Adam")).index(lr)
            np.testing.assert_allclose(
                line.get_ydata(), np.median(sweeps[("Adam", schedule)].losses[:, i], axis=-1)
            )
        assert to_hex(ax_loss.lines[0].get_color()) == to_hex("0.35")  # the constant one, as in the widget
        assert [to_hex(ln.get_color()) for ln in ax_loss.lines[1:]] == [to_hex(c) for c in LINE_COLORS[1:4]]
        assert len(ax_loss.collections) == 3  # a band for each schedule but the constant one
        (legend,) = fig.legends
        assert [t.get_text() for t in legend.get_texts()] == [*labels, f"10–90 % of {SEEDS} seeds"]
        assert figure_problems(fig) == []
    finally:
        plt.close(fig)
    fig, axes = panels(2, size=(3.4, 2.6))
    try:
        drawn = plot_schedules(
            axes, sweeps, schedules, "Momentum", steps_per_epoch=spe, lrs={"cosine": 100.0}
        )
        assert drawn["cosine"] == 100.0  # every seed diverged: only its schedule is drawn
        assert "cosine, lr 100" not in [ln.get_label() for ln in axes[1].lines]
        assert figure_problems(fig) == []
    finally:
        plt.close(fig)


# ----------------------------------------------------------------------------------------------------
# Input that does not fit


def test_a_schedule_of_ones_and_none_are_both_the_constant_one(make, data):
    sweeps, schedules, spe, *_ = data
    as_none = {**schedules, "constant": None}
    w = make(sweeps, as_none)
    assert w.runs.constant == "constant"
    np.testing.assert_array_equal(w.runs.multipliers("constant"), np.ones(w.runs.steps))


def _replaced(sweeps, key, **changes):
    return {**sweeps, key: dataclasses.replace(sweeps[key], **changes)}


def _fewer_seeds(sweeps):
    result = sweeps[("Adam", "cosine")]
    return _replaced(
        sweeps,
        ("Adam", "cosine"),
        losses=result.losses[..., :2],
        diverged_steps=result.diverged_steps[..., :2],
    )


def _shorter(data):
    sweeps, _, spe, net, x0 = data
    return {**sweeps, ("Adam", "cosine"): run_sweep("Adam", net, spe, x0, LRS["Adam"], spe, None)}


def _renamed(sweeps, to):
    return {((to if o == "Momentum" else o), s): v for (o, s), v in sweeps.items()}


# (what is wrong, {argument: its value from the fixture's data}, the error, its message)
BAD = [
    (
        "a pair missing",
        lambda d: {"sweeps": {k: v for k, v in d[0].items() if k != ("Adam", "cosine")}},
        ValueError,
        "sweeps lacks 1 (optimizer, schedule) pairs: ('Adam', 'cosine'). Give one sweep per",
    ),
    (
        "other steps",
        lambda d: {"sweeps": _shorter(d)},
        ValueError,
        "the sweeps must record the same steps; sweeps[('Adam', 'cosine')] ran 43 steps recorded at 2 steps",
    ),
    (
        "a schedule one step short",
        lambda d: {"schedules": {**d[1], "cosine": ll.cosine_decay(EPOCHS * d[2] - 1)}},
        ValueError,
        "schedule 'cosine' must hold one learning-rate multiplier per step, shape (86,), got shape (85,)",
    ),
    (
        "an unknown optimizer",
        lambda d: {"sweeps": _renamed(d[0], "Nadam")},
        ValueError,
        "unknown optimizer names ['Nadam']; name each optimizer as the course's figures do",
    ),
    (
        "a sweep named for another",
        lambda d: {"sweeps": _renamed(d[0], "RMSProp")},
        ValueError,
        "sweeps[('RMSProp', 'constant')] ran Momentum(lr=0.1), not RMSProp",
    ),
    (
        "momentum as Nesterov",
        lambda d: {"sweeps": _renamed(d[0], "Nesterov")},
        ValueError,
        "ran Momentum(lr=0.1), not Nesterov",
    ),
    (
        "two grids",
        lambda d: {"sweeps": _replaced(d[0], ("Adam", "cosine"), grid={"lr": np.array([1e-3, 1e-2, 1.0])})},
        ValueError,
        "the sweeps of Adam must share one grid of learning rates; the schedules ['cosine'] ran",
    ),
    (
        "fewer seeds",
        lambda d: {"sweeps": _fewer_seeds(d[0])},
        ValueError,
        "the sweeps must run the same seeds; sweeps[('Adam', 'cosine')] has 2, sweeps[('Momentum', 'const",
    ),
    (
        "no constant schedule",
        lambda d: {
            "sweeps": {k: v for k, v in d[0].items() if k[1] != "constant"},
            "schedules": {k: v for k, v in d[1].items() if k != "constant"},
        },
        ValueError,
        "schedules must include the constant learning rate (None, or np.ones(steps))",
    ),
    (
        "a schedule not given",
        lambda d: {"schedules": {k: v for k, v in d[1].items() if k != "cosine"}},
        ValueError,
        "sweeps name schedules that schedules does not give: ['cosine']",
    ),
    (
        "no sweeps",
        lambda d: {"sweeps": {}},
        TypeError,
        "sweeps must be a non-empty dict of (optimizer name, schedule name) -> Sweep, got dict",
    ),
    (
        "a key not a pair",
        lambda d: {"sweeps": {"Adam": d[0][("Adam", "cosine")]}},
        TypeError,
        "every key of sweeps must be a pair (optimizer name, schedule name), such as ('Adam', 'cosine'), got",
    ),
    (
        "not a sweep",
        lambda d: {"sweeps": {("Adam", "cosine"): "runs"}},
        TypeError,
        "sweeps[('Adam', 'cosine')] must be a Sweep, got str",
    ),
    (
        "no steps per epoch",
        lambda d: {"steps_per_epoch": 0},
        ValueError,
        "steps_per_epoch must be a whole number >= 1, got 0",
    ),
    (
        "an optimizer not run",
        lambda d: {"optimizer": "SGD"},
        ValueError,
        "ScheduleExplorer: no optimizer 'SGD'; the sweeps ran Momentum, Adam",
    ),
    (
        "a schedule not run",
        lambda d: {"schedule": "linear"},
        ValueError,
        "ScheduleExplorer: no schedule 'linear'; choose from 'constant', 'step decay', 'cosine'",
    ),
    (
        "an lr that is not a number",
        lambda d: {"optimizer": "Adam", "lr": "0.01"},
        ValueError,
        "ScheduleExplorer: lr must be one of the learning rates Adam ran, 0.01, 0.1, 10; got '0.01'",
    ),
    (
        "an lr off the grid",
        lambda d: {"optimizer": "Adam", "lr": 0.05},
        ValueError,
        "ScheduleExplorer: lr must be one of the learning rates Adam ran, 0.01, 0.1, 10; got 0.05",
    ),
]


@pytest.mark.parametrize(("bad", "kind", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_gets_a_clear_error(data, bad, kind, message):
    sweeps, schedules, spe, *_ = data
    given = {"sweeps": sweeps, "schedules": schedules, "steps_per_epoch": spe, **bad(data)}
    with pytest.raises(kind, match=re.escape(message)):
        ScheduleExplorer(given.pop("sweeps"), given.pop("schedules"), **given)
    if not {"optimizer", "schedule", "lr"} & set(given):  # the static figure checks its input alike
        given = {"sweeps": sweeps, "schedules": schedules, "steps_per_epoch": spe, **bad(data)}
        fig, axes = panels(2)
        try:
            with pytest.raises(kind, match=re.escape(message)):
                plot_schedules(axes, given.pop("sweeps"), given.pop("schedules"), "Adam", **given)
        finally:
            plt.close(fig)
