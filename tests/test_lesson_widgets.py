"""Widgets and plots of lessons 01 and 02: EWAExplorer, RateMapExplorer, velocity panel, rate map."""

import io
import itertools
import warnings

import matplotlib

matplotlib.use("agg")

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image
from warnings_as_errors import warnings_as_errors

import lessons_lib.widgets._base as widgets_base
from lessons_lib import Adam, GradientDescent, Momentum, ewa, half_life, ravine, rotated_ravine, run, window
from lessons_lib.plots import plot_rate_map, plot_velocity
from lessons_lib.theory import momentum_rate, optimal_momentum
from lessons_lib.widgets import EWAExplorer, RateMapExplorer, TrajectoryExplorer


@pytest.fixture(autouse=True)
def private_live_list(monkeypatch):
    monkeypatch.setattr(widgets_base, "_LIVE", [])


def close_tree(widget):
    """Close ``widget`` and every widget inside it."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


@pytest.fixture
def made():
    built = []
    yield built
    # Only this test's widgets. Not `Widget.close_all()`, which closes every widget of the process, those of
    # other test files too: a widget made before ipykernel was imported (nbtools.kernel_language_info does)
    # then fails to close (KeyError in comm's unregister_comm), as it did when pytest-xdist ran the files of
    # `make test` in another order.
    for w in built:
        close_tree(w.widget)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def sweep(w, values_by_control):
    """Set every combination of the given control values; check each picture and status; return pictures."""
    pictures = []
    names = list(values_by_control)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for combo in itertools.product(*values_by_control.values()):
            for name, value in zip(names, combo, strict=True):
                w.controls[name].value = value
            assert not w.status.value.count("Cannot draw"), (combo, w.status.value)
            assert bytes(w.image.value).startswith(b"\x89PNG")
            pictures.append((combo, bytes(w.image.value)))
    return pictures


# ----------------------------------------------------------------------------------------------------
# EWAExplorer


def test_ewa_explorer_draws_the_library_ewa_and_states_window_and_half_life(made):
    series = np.sin(np.linspace(0, 6, 200)) + 2
    w = EWAExplorer(series, beta=0.9, label="signal")
    made.append(w)
    for beta, corrected in [(0.9, False), (0.98, True), (0.0, False)]:
        w.controls["beta"].value, w.controls["bias_correction"].value = beta, corrected
        line = [ln for ln in w.ax.lines if ln.get_label().startswith("EWA")][-1]
        np.testing.assert_allclose(line.get_ydata(), ewa(series, beta, corrected))
        text = " ".join(t.get_text() for t in w.ax.texts)
        assert f"{window(beta):.1f} steps" in text and f"{half_life(beta):.1f} steps" in text
        assert f"β = {beta:.3f}" + (", bias-corrected" if corrected else "") in text
    assert len([ln for ln in w.ax.lines if ln.get_label().startswith("EWA")]) == 1  # old ones removed


def test_ewa_explorer_every_setting_renders_and_blit_equals_full_redraw(made):
    rng = np.random.default_rng(0)
    w = EWAExplorer(np.cumsum(rng.standard_normal(300)) + 50, label="walk")
    made.append(w)
    pictures = sweep(w, {"beta": [0.0, 0.5, 0.995], "bias_correction": [False, True]})
    assert len({p for _, p in pictures}) == len(pictures)  # every setting looks different
    blitted = w.image.value
    w.invalidate()
    w.redraw()
    np.testing.assert_array_equal(pixels(blitted), pixels(w.image.value))


def test_ewa_explorer_rejects_what_is_not_a_series():
    with pytest.raises(ValueError, match="EWAExplorer: values must be a series"):
        EWAExplorer(np.ones((3, 3)))


# ----------------------------------------------------------------------------------------------------
# Velocity panel and plot_velocity


def test_plot_velocity_draws_the_stored_gradients_and_velocities():
    t = run(Momentum(lr=0.05, beta=0.9), ravine(10), 30, keep_states=True)
    ax = Figure().add_subplot()
    assert plot_velocity(ax, t) is ax
    by_label = {ln.get_label(): ln for ln in ax.lines}
    np.testing.assert_allclose(by_label["velocity v₂"].get_ydata(), t.states["v"][1:, 1])
    np.testing.assert_allclose(by_label["gradient g₁"].get_ydata(), t.grads[:, 0])
    np.testing.assert_array_equal(by_label["velocity v₁"].get_xdata(), np.arange(1, 31))


@pytest.mark.parametrize(
    ("optimizer", "keep"), [(Momentum(lr=0.1), False), (Adam(lr=0.1), True), (GradientDescent(lr=0.1), True)]
)
def test_plot_velocity_explains_what_it_needs(optimizer, keep):
    t = run(optimizer, ravine(10), 5, keep_states=keep)
    with pytest.raises(
        ValueError, match="needs run\\(..., keep_states=True\\) with an optimizer that has a velocity"
    ):
        plot_velocity(Figure().add_subplot(), t)


def test_velocity_panel_sweeps_without_tracebacks_and_blits_faithfully(made):
    w = TrajectoryExplorer(
        ravine(10),
        Momentum(lr=0.1, beta=0.9),
        sliders=("lr", "beta", "nesterov"),
        panels=("path", "velocity"),
        steps=30,
    )
    made.append(w)
    pictures = sweep(w, {"lr": [1e-4, 0.1, 2.0], "beta": [0.0, 0.99], "nesterov": [False, True]})
    w.controls["lr"].value, w.controls["beta"].value = 2.0, 0.0  # limit 2/L = 0.2 (with beta = 0.99: 39.8)
    assert "diverged at step" in w.status.value
    w.controls["lr"].value, w.controls["beta"].value = 0.05, 0.5
    blitted = w.image.value
    w.invalidate()
    w.redraw()
    np.testing.assert_array_equal(pixels(blitted), pixels(w.image.value))
    assert len(pictures) == 12


# ----------------------------------------------------------------------------------------------------
# Rate map


def test_rate_map_colours_steps_per_digit_and_marks_the_optimum():
    ax = Figure().add_subplot()
    lrs, betas = np.geomspace(1e-4, 0.1, 30), np.linspace(0, 0.99, 20)
    assert plot_rate_map(ax, [1.0, 100.0], lrs=lrs, betas=betas, mark=(0.01, 0.5)) is ax
    mesh = ax.collections[0]
    rate = momentum_rate(lrs[None, :], betas[:, None], [1.0, 100.0], averaged=False)
    values = np.ma.getdata(mesh.get_array()).reshape(rate.shape)
    mask = np.ma.getmaskarray(mesh.get_array()).reshape(rate.shape)
    np.testing.assert_array_equal(mask, rate >= 1)  # grey exactly where it does not converge
    np.testing.assert_allclose(values[~mask], (np.log(10) / -np.log(rate))[~mask])
    star = [ln for ln in ax.lines if ln.get_label() == "optimum"][0]
    assert (star.get_xdata()[0], star.get_ydata()[0]) == pytest.approx(optimal_momentum(1.0, 100.0))
    chosen = [ln for ln in ax.lines if ln.get_label() == "chosen"][0]
    assert (chosen.get_xdata()[0], chosen.get_ydata()[0]) == (0.01, 0.5)


@pytest.mark.parametrize("averaged", [False, True])
def test_rate_map_explorer_reports_the_theoretical_rate_of_the_chosen_point(made, averaged):
    problem = rotated_ravine(30)
    w = RateMapExplorer(problem, lr=0.01 if not averaged else 0.1, beta=0.5, averaged=averaged, steps=40)
    made.append(w)
    np.testing.assert_allclose(w.curvatures, [1.0, 30.0])
    for lr, beta in [(w.lr_range[0], 0.0), (0.03, 0.8), (w.lr_range[1], 0.99)]:
        w.controls["lr"].value, w.controls["beta"].value = lr, beta
        lr, beta = w.controls["lr"].value, w.controls["beta"].value  # as the sliders rounded them
        rate = float(momentum_rate(lr, beta, [1.0, 30.0], averaged=averaged))
        text = " ".join(t.get_text() for t in w.map_ax.texts)
        assert f"rate {rate:.3f} per step" in text
        assert ("does not converge" in text) == (rate >= 1)
        assert "Cannot draw" not in w.status.value
    blitted = w.image.value
    w.invalidate()
    w.redraw()
    np.testing.assert_array_equal(pixels(blitted), pixels(w.image.value))


# ----------------------------------------------------------------------------------------------------
# RaceExplorer


def test_race_explorer_runs_each_optimizer_with_its_own_sliders(made):
    from lessons_lib import Adagrad, RMSProp
    from lessons_lib.widgets import RaceExplorer

    problem = rotated_ravine(10)
    w = RaceExplorer(
        problem,
        [Adagrad(lr=1.0), RMSProp(lr=0.1)],
        sliders=[("lr",), ("lr", "beta")],
        panels=("path", "loss", "effective_lr"),
        steps=40,
    )
    made.append(w)
    assert list(w.controls) == ["0:lr", "1:lr", "1:beta"]
    assert w.controls["1:beta"].description == "RMSProp β"
    w.controls["1:beta"].value = 0.5
    w.controls["0:lr"].value = 0.5
    expected = {
        "Adagrad(lr=0.5)": run(Adagrad(lr=0.5), problem, 40).points,
        "RMSProp(lr=0.1, β=0.5)": run(RMSProp(lr=0.1, beta=0.5), problem, 40).points,
    }
    drawn = {ln.get_label(): ln for ln in w.axes["path"].lines if ln.get_label() in expected}
    assert set(drawn) == set(expected)
    for label, points in expected.items():
        np.testing.assert_allclose(drawn[label].get_xdata(), points[:, 0])
        np.testing.assert_allclose(drawn[label].get_ydata(), points[:, 1])
    pictures = sweep(w, {"0:lr": [1e-3, 10.0], "1:lr": [1e-4, 1.0], "1:beta": [0.0, 0.999]})
    assert len({p for _, p in pictures}) == len(pictures)
    blitted = bytes(w.image.value)
    w.invalidate()
    w.redraw()
    np.testing.assert_array_equal(pixels(blitted), pixels(bytes(w.image.value)))


def test_race_explorer_needs_one_slider_tuple_per_optimizer():
    from lessons_lib.widgets import RaceExplorer

    with pytest.raises(ValueError, match="one tuple of slider names per optimizer: 2 optimizers, 1 tuples"):
        RaceExplorer(ravine(10), [GradientDescent(lr=0.1), Momentum(lr=0.1)], sliders=[("lr",)])


def test_widgets_built_under_the_course_settings_emit_no_warnings(made):
    """setup_notebook() makes constrained layout the default; widgets must keep their own fixed margins."""
    import lessons_lib as ll

    saved, printing = matplotlib.rcParams.copy(), np.get_printoptions()
    try:
        ll.setup_notebook()
        with warnings_as_errors():
            made.append(TrajectoryExplorer(ravine(10), Momentum(lr=0.1), panels=("path", "loss", "velocity")))
            made.append(EWAExplorer(np.arange(10.0)))
            made.append(RateMapExplorer(ravine(10), lr=0.05, beta=0.5, averaged=False))
        for w in made:
            assert w.figure.get_layout_engine() is None
    finally:  # setup_notebook() changes global settings: give them back to the other tests
        matplotlib.rcParams.update(saved)
        np.set_printoptions(**printing)
