"""races, the fixed-budget race: five optimizers on real data, and the reductions behind 08's tables."""

import math

import matplotlib
import numpy as np
import pytest

import lessons_lib as ll
from lessons_lib import races
from lessons_lib.plots import plot_budget_race
from lessons_lib.sweeps import Sweep, sweep
from lessons_lib.theory import diagonal_condition_number

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def std():
    return ll.logistic_regression(standardize=True, batch_size=64)


@pytest.fixture(scope="module")
def small_race(std):
    """Two optimizers, three learning rates, three seeds, three epochs."""
    optimizers = {name: races.five_optimizers()[name] for name in ("SGD", "Adam")}
    grids = {"SGD": [0.01, 0.3, 3.0], "Adam": [0.001, 0.03, 1.0]}
    return races.budget_race(std, grids, 3, seeds=3, optimizers=optimizers)


# --------------------------------------------------------------------------------------------------------
# Grids


def test_lr_grid_is_log_spaced_around_its_centre():
    grid = races.lr_grid(1e-3)
    np.testing.assert_allclose(grid, [1e-4, 10**-3.5, 1e-3, 10**-2.5, 1e-2], rtol=1e-12)
    np.testing.assert_allclose(grid[1:] / grid[:-1], math.sqrt(10), rtol=1e-12)
    np.testing.assert_allclose(races.lr_grid(2.0, n=3, ratio=2), [1.0, 2.0, 4.0])
    assert races.lr_grid(0.5, n=1).tolist() == [0.5]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"centre": 0.0}, "centre must be a finite learning rate > 0, got 0.0"),
        ({"centre": math.inf}, "centre must be a finite learning rate > 0"),
        ({"centre": "0.1"}, "centre must be a finite learning rate > 0, got '0.1'"),
        ({"centre": 0.1, "n": 0}, "n must be a whole number >= 1, got 0"),
        ({"centre": 0.1, "n": 2.0}, "n must be a whole number >= 1, got 2.0"),
        ({"centre": 0.1, "ratio": 1.0}, "ratio must be a finite number > 1"),
    ],
)
def test_lr_grid_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=f"lr_grid: {message}"):
        races.lr_grid(**kwargs)


@pytest.mark.parametrize("kind", list(races.GRID_CENTRES))
def test_grids_give_every_optimizer_a_grid_centred_on_its_centre(kind):
    grids = races.grids(kind)
    assert list(grids) == list(races.OPTIMIZER_NAMES)
    for name, grid in grids.items():
        assert len(grid) == 5
        assert grid[2] == pytest.approx(races.GRID_CENTRES[kind][name], rel=1e-12)


def test_grids_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="grids: kind must be one of 'logistic, raw'.*got 'raw'"):
        races.grids("raw")


def test_five_optimizers_are_the_course_rules():
    opts = races.five_optimizers()
    assert list(opts) == list(races.OPTIMIZER_NAMES)
    assert type(opts["SGD"]) is ll.GradientDescent
    assert opts["Momentum"].beta == 0.9 and opts["Momentum"].averaged
    assert opts["RMSProp"].beta == 0.9
    assert (opts["Adam"].beta1, opts["Adam"].beta2) == (0.9, 0.999)


def test_steps_per_epoch():
    assert races.steps_per_epoch(ll.logistic_regression(batch_size=64)) == 9  # ceil(569 / 64)
    assert races.steps_per_epoch(ll.logistic_regression(batch_size=569)) == 1
    assert races.steps_per_epoch(ll.softmax_regression(batch_size=64)) == 29  # ceil(1797 / 64)
    with pytest.raises(
        ValueError, match=r"steps_per_epoch: the problem must be a mini-batch problem.*ravine"
    ):
        races.steps_per_epoch(ll.noisy(ll.ravine(10)))


# --------------------------------------------------------------------------------------------------------
# Reductions


def test_best_lr_index_takes_the_lowest_mean_and_disqualifies_divergence():
    final = np.array([[0.30, 0.50], [0.10, 0.20], [np.nan, 0.0], [0.20, 0.20]])
    assert races.best_lr_index(final) == 1  # [nan, 0.0] diverged once: never the best
    assert races.best_lr_index(final, higher_is_better=True) == 0
    assert races.best_lr_index([[1.0, 1.0], [1.0, 1.0]]) == 0  # ties: the first


@pytest.mark.parametrize(
    ("final", "message"),
    [
        ([1.0, 2.0], r"final must have shape \(lrs, seeds\), got shape \(2,\)"),
        (np.zeros((0, 3)), r"final must have shape .*, got shape \(0, 3\)"),
        ([[np.nan, 1.0], [2.0, np.nan]], "every learning rate diverged for some seed"),
    ],
)
def test_best_lr_index_rejects_bad_input(final, message):
    with pytest.raises(ValueError, match=f"best_lr_index: {message}"):
        races.best_lr_index(final)


def test_seed_band_is_mean_min_and_max_over_the_last_axis():
    values = np.array([[1.0, 2.0, 6.0], [0.5, 0.1, 0.3]])
    curve = races.seed_band(values, [0, 2])
    np.testing.assert_allclose(curve.mean, [3.0, 0.3])
    np.testing.assert_allclose(curve.low, [1.0, 0.1])
    np.testing.assert_allclose(curve.high, [6.0, 0.5])
    np.testing.assert_allclose(curve.epochs, [0.0, 2.0])
    with pytest.raises(ValueError, match=r"seed_band: values must have shape \(len\(epochs\), seeds\)"):
        races.seed_band(values, [0, 1, 2])


def synthetic_sweep(seconds, batch_shape):
    problem = ll.ravine(10)
    return Sweep(
        optimizer=ll.GradientDescent(lr=0.1),
        problem=problem,
        grid={"lr": np.array([0.1])},
        steps=np.array([0, 1]),
        points=None,
        losses=np.zeros((2, *batch_shape)),
        diverged_steps=np.full(batch_shape, -1),
        seconds=seconds,
    )


def test_seconds_per_epoch_shares_the_batched_time_out_per_run_and_epoch():
    assert races.seconds_per_epoch(synthetic_sweep(2.0, (4, 5)), epochs=10) == pytest.approx(0.01)
    assert races.seconds_per_epoch(synthetic_sweep(3.0, (3,)), epochs=0.5) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="seconds_per_epoch: epochs must be a finite number > 0, got 0"):
        races.seconds_per_epoch(synthetic_sweep(1.0, (3,)), epochs=0)
    with pytest.raises(ValueError, match="epochs must be a finite number > 0, got True"):
        races.seconds_per_epoch(synthetic_sweep(1.0, (3,)), epochs=True)
    with pytest.raises(TypeError, match="seconds_per_epoch: result must be a Sweep, got float"):
        races.seconds_per_epoch(1.0, epochs=2)


def test_seconds_per_epoch_of_a_real_sweep_is_positive_and_small(std):
    result = sweep(ll.Adam(lr=0.01), std, 18, np.zeros((3, 31)), grid={"lr": [0.01, 0.1]}, every=9)
    per_epoch = races.seconds_per_epoch(result, epochs=2)
    assert 0 < per_epoch < result.seconds / 5  # 6 runs shared it out


def test_diagonal_condition_number_removes_scales_but_not_correlations():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    correlated = q @ np.diag([1.0, 2.0, 5.0, 40.0]) @ q.T
    scales = np.diag([1e3, 1.0, 1e-2, 10.0])
    badly_scaled = scales @ correlated @ scales
    assert np.linalg.cond(badly_scaled) > 1e8
    # Rescaling by the diagonal is invariant under any diagonal change of units
    assert diagonal_condition_number(badly_scaled) == pytest.approx(
        diagonal_condition_number(correlated), rel=1e-9
    )
    assert diagonal_condition_number(np.diag([1e-6, 1.0, 1e6])) == pytest.approx(1.0)
    # van der Sluis: within a factor d of the best diagonal rescaling, so never above d times cond(H)
    assert diagonal_condition_number(correlated) <= 4 * np.linalg.cond(correlated)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.ones(3), "must be a symmetric square matrix"),
        (np.array([[1.0, 2.0], [0.0, 1.0]]), "must be a symmetric square matrix"),
        (np.array([[1.0, 0.0], [0.0, 0.0]]), "the diagonal of the hessian must be > 0"),
        (np.array([[1.0, 2.0], [2.0, 1.0]]), "must be positive definite"),
    ],
)
def test_diagonal_condition_number_rejects_bad_input(matrix, message):
    with pytest.raises(ValueError, match=f"diagonal_condition_number: .*{message}"):
        diagonal_condition_number(matrix)


def test_logistic_conditioning_raw_against_standardised():
    raw, std = ll.logistic_regression(standardize=False), ll.logistic_regression(standardize=True)
    assert raw.info["feature_condition_number"] > 1e6 * std.info["feature_condition_number"]
    assert raw.condition_number > 1e5 * std.condition_number
    rescaled = diagonal_condition_number(raw.hessian(raw.minimizer))
    assert std.condition_number < rescaled < raw.condition_number / 100


# --------------------------------------------------------------------------------------------------------
# The race


def test_race_shapes_and_reductions(small_race):
    r = small_race
    assert repr(r) == (
        "BudgetRace(SGD, Adam on logistic regression (standardised features), 3 epochs of 9 steps)"
    )
    np.testing.assert_allclose(r.recorded_epochs, [0, 1, 2, 3])
    for name in ("SGD", "Adam"):
        values = r.scores(name)
        assert values.shape == (4, 3, 3)  # (records, lrs, seeds)
        np.testing.assert_allclose(values, r.sweeps[name].losses - r.problem.f_min)
        best = races.best_lr_index(values[-1])
        assert r.best_lr_index(name) == best and r.best_lr(name) == r.grid(name)[best]
        np.testing.assert_array_equal(r.final_scores(name), values[-1, best])
        curve = r.curve(name)
        assert curve.mean.shape == curve.low.shape == curve.high.shape == (4,)
        assert np.all(curve.low <= curve.mean) and np.all(curve.mean <= curve.high)
        assert curve.mean[0] == pytest.approx(math.log(2) - r.problem.f_min)  # every run starts at w = 0
        assert r.seconds_per_epoch(name) > 0
    assert r.best_lr("SGD") == 3.0 and not r.on_edge("Adam")
    assert r.on_edge("SGD")  # the largest of its grid: widen it


def test_seeds_are_independent_and_the_race_is_reproducible(std, small_race):
    final = small_race.scores("SGD")[-1]
    assert np.all(np.ptp(final, axis=-1) > 0)  # three seeds, three different mini-batch streams
    again = races.budget_race(
        std, {"SGD": [0.01, 0.3, 3.0]}, 3, seeds=3, optimizers={"SGD": races.five_optimizers()["SGD"]}
    )
    np.testing.assert_array_equal(again.sweeps["SGD"].losses, small_race.sweeps["SGD"].losses)


def test_race_is_one_sweep_per_optimizer(std, small_race):
    direct = sweep(
        races.five_optimizers()["Adam"], std, 27, np.zeros((3, 31)), grid={"lr": [0.001, 0.03, 1.0]}, every=9
    )
    np.testing.assert_array_equal(small_race.sweeps["Adam"].losses, direct.losses)


def test_a_scheduled_race_is_the_scheduled_sweep_per_optimizer(std, small_race):
    schedule = ll.warmup(27, warmup_steps=5, then=ll.cosine_decay(27))  # 3 epochs of 9 steps
    optimizers = {name: races.five_optimizers()[name] for name in ("SGD", "Adam")}
    grids = {"SGD": [0.01, 0.3, 3.0], "Adam": [0.001, 0.03, 1.0]}
    r = races.budget_race(std, grids, 3, seeds=3, optimizers=optimizers, schedule=schedule)
    direct = sweep(
        optimizers["Adam"], std, 27, np.zeros((3, 31)), grid={"lr": grids["Adam"]}, every=9, schedule=schedule
    )
    np.testing.assert_array_equal(r.sweeps["Adam"].losses, direct.losses)
    assert not np.array_equal(r.sweeps["SGD"].losses, small_race.sweeps["SGD"].losses)
    with pytest.raises(
        ValueError,
        match=r"sweep: schedule must hold one learning-rate multiplier per step, "
        r"shape \(27,\), got shape \(9,\)",
    ):
        races.budget_race(std, grids, 3, seeds=3, optimizers=optimizers, schedule=np.ones(9))


def test_the_digits_race_keeps_its_weights_and_losses_for_every_run():
    digits = ll.softmax_regression(batch_size=64)
    opt = {"Adam": races.five_optimizers()["Adam"]}
    grid = {"Adam": [0.01, 0.1]}
    r = races.budget_race(digits, grid, 1, seeds=2, records_per_epoch=3, optimizers=opt, keep_points=True)
    s = r.sweeps["Adam"]
    np.testing.assert_allclose(s.losses, digits.f(s.points), rtol=1e-12)  # the loss of every record
    assert s.problem is digits and not s.diverged.any()
    accuracy = digits.info["accuracy"](r.final_points("Adam"))
    assert accuracy.shape == (2,) and np.all(accuracy > 0.5)


def test_race_without_points_says_so(small_race):
    with pytest.raises(ValueError, match="BudgetRace.final_points: this race did not keep its points"):
        small_race.final_points("SGD")
    with pytest.raises(KeyError, match="BudgetRace: no optimizer named 'Momentum'; this race ran SGD, Adam"):
        small_race.curve("Momentum")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"grids": {"SGD": [0.1]}},
            r"grids must give a learning-rate grid for each optimizer \(SGD, Momentum",
        ),
        ({"epochs": 0}, "epochs must be a whole number >= 1, got 0"),
        ({"seeds": 2.5}, "seeds must be a whole number >= 1, got 2.5"),
        ({"records_per_epoch": 10}, "records_per_epoch must be at most the 9 steps of an epoch, got 10"),
        (
            {"grids": {name: [-0.1] for name in races.OPTIMIZER_NAMES}},
            "GradientDescent: lr must be finite and > 0",
        ),
    ],
)
def test_race_rejects_bad_input(std, kwargs, message):
    arguments = {"grids": races.grids("logistic, standardised"), "epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        races.budget_race(std, **arguments)


def test_race_needs_a_data_set_problem():
    with pytest.raises(ValueError, match="steps_per_epoch: the problem must be a mini-batch problem"):
        races.budget_race(ll.ravine(10), races.grids("digits"), 1)


def test_plot_race_draws_a_mean_line_and_a_band_per_optimizer(small_race):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert plot_budget_race(ax, small_race, show_lr=True) is ax
    assert [line.get_label() for line in ax.get_lines()] == ["SGD, lr 3", "Adam, lr 0.03"]
    assert len(ax.collections) == 2 and ax.get_yscale() == "log"
    assert ax.get_lines()[0].get_color() == ll.plots.style_of("GradientDescent")["color"]
    with pytest.raises(TypeError, match="plot_budget_race: result must be a BudgetRace"):
        plot_budget_race(ax, "race")
    plt.close(fig)


# --------------------------------------------------------------------------------------------------------
# The lesson's grids hold the best learning rate of a wide scan


WIDE = 10 ** np.arange(-8.0, 2.01, 0.5)


@pytest.mark.parametrize(
    ("kind", "problem", "epochs", "lazy"),
    [
        ("logistic, raw", lambda: ll.logistic_regression(standardize=False, batch_size=64), 8, False),
        ("logistic, standardised", lambda: ll.logistic_regression(standardize=True, batch_size=64), 8, False),
        ("digits", lambda: ll.softmax_regression(batch_size=64), 2, True),
    ],
)
def test_grid_centres_are_where_a_wide_scan_puts_the_best(kind, problem, epochs, lazy):
    """With other seeds than the lesson's, the scan's best lies in the lesson's grid.

    In the 5-value grids it is never at an edge; in the digits' 3-value grids it may be (with some seeds the
    scan prefers the next value out: the losses of neighbouring learning rates are within the seeds' spread).
    """
    problem = problem()
    wide = WIDE if not lazy else WIDE[WIDE >= 1e-3]
    wide_grids = {name: wide for name in races.OPTIMIZER_NAMES}
    scan = races.budget_race(problem, wide_grids, epochs, seed=7)
    for name in races.OPTIMIZER_NAMES:
        grid = races.grids(kind, n=5 if not lazy else 3)[name]
        best = scan.best_lr(name)
        low, high = (grid[0] * 1.01, grid[-1] / 1.01) if len(grid) == 5 else (grid[0] / 1.01, grid[-1] * 1.01)
        assert low < best < high, f"{kind}, {name}: scan's best {best:.3g}, grid {grid}"
