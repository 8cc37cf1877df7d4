"""lessons_lib.trials (lesson 06): side-by-side runs against sweep() on each problem alone, the quadratic
family against run() and the closed form of gradient descent, the reductions against hand-made values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lessons_lib as ll
from lessons_lib.scaling import distance_steps
from lessons_lib.sweeps import sweep
from lessons_lib.trials import (
    best_setting,
    heavy_ball_steps,
    loglog_slope,
    race,
    rotated_quadratics,
    side_by_side,
    spread,
    step_per_gradient,
)

OPTIMIZERS = [
    ll.GradientDescent(lr=0.01),
    ll.Momentum(lr=0.01, beta=0.9),
    ll.Momentum(lr=0.005, beta=0.8, averaged=False, nesterov=True),
    ll.Adagrad(lr=0.3),
    ll.RMSProp(lr=0.03),
    ll.RMSProp(lr=0.01, centered=True, momentum=0.5),
    ll.Adam(lr=0.05),
]
TESTBED = list(ll.testbed().values())


# ----------------------------------------------------------------------------------------------------
# side_by_side: every problem runs as it would alone


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o.label())
def test_each_problem_runs_as_sweep_runs_it_alone(optimizer):
    starts = [p.random_starts(4, seed=i) for i, p in enumerate(TESTBED)]
    lrs = [optimizer.lr / 3, optimizer.lr, 3 * optimizer.lr]
    together = side_by_side(optimizer, TESTBED, 60, starts, grid={"lr": lrs})
    assert len(together) == len(TESTBED)
    for p, x0, got in zip(TESTBED, starts, together, strict=True):
        alone = sweep(optimizer, p, 60, x0, grid={"lr": lrs})
        assert got.problem is p
        np.testing.assert_array_equal(got.steps, alone.steps)
        np.testing.assert_array_equal(got.diverged_steps, alone.diverged_steps)
        np.testing.assert_allclose(got.points, alone.points, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(got.losses, alone.losses, rtol=1e-12, atol=1e-14)


def test_a_diverging_problem_leaves_the_others_untouched():
    # lr = 0.05 is stable on the ravine (2/L = 0.2) and far too large for Rosenbrock (L about 1000)
    problems = [ll.rosenbrock(), ll.ravine(10)]
    starts = [p.random_starts(5, seed=1) for p in problems]
    rosen, ravine = side_by_side(ll.GradientDescent(lr=0.05), problems, 40, starts)
    assert rosen.diverged.all() and not ravine.diverged.any()
    alone = ll.run(ll.GradientDescent(lr=0.05), problems[1], 40, starts[1])
    np.testing.assert_allclose(ravine.points, alone.points, rtol=1e-12)
    assert np.isnan(rosen.points[-1]).all()
    d = int(rosen.diverged_steps[0])
    assert np.isfinite(rosen.losses[d - 1, 0]) and np.isnan(rosen.losses[d:, 0]).all()


def test_recording_every_few_steps_keeps_the_same_records():
    problems = [ll.saddle(), ll.double_well()]
    starts = [p.random_starts(3, seed=0) for p in problems]
    full = side_by_side(ll.Adam(lr=0.1), problems, 23, starts)
    sparse = side_by_side(ll.Adam(lr=0.1), problems, 23, starts, every=5, keep_points=False)
    for f, s in zip(full, sparse, strict=True):
        assert s.steps.tolist() == [0, 5, 10, 15, 20, 23] and s.points is None
        np.testing.assert_array_equal(s.losses, f.losses[s.steps])


def test_a_single_start_per_problem():
    problems = [ll.ravine(10), ll.double_well()]
    out = side_by_side(ll.Momentum(lr=0.1), problems, 5, [p.x0 for p in problems])
    assert out[0].points.shape == (6, 2) and out[1].losses.shape == (6,)
    np.testing.assert_allclose(out[1].points, ll.run(ll.Momentum(lr=0.1), problems[1], 5).points, rtol=1e-12)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (("not an optimizer", [ll.ravine()], 5, [[1.0, 1.0]]), {}, TypeError, "optimizer must be"),
        ((ll.Adam(lr=0.1), [], 5, []), {}, ValueError, "at least one problem"),
        ((ll.Adam(lr=0.1), [ll.noisy(ll.ravine())], 5, [[1.0, 1.0]]), {}, ValueError, "noisy gradients"),
        (
            (ll.Adam(lr=0.1), [ll.ravine(), ll.saddle()], 5, [[1.0, 1.0]]),
            {},
            ValueError,
            "one batch of starts",
        ),
        ((ll.Adam(lr=0.1), [ll.ravine()], 5, [[1.0, 1.0, 1.0]]), {}, ValueError, "2 coordinates"),
        (
            (ll.Adam(lr=0.1), [ll.ravine(), ll.saddle()], 5, [np.ones((3, 2)), np.ones((4, 2))]),
            {},
            ValueError,
            "same number of starts",
        ),
        ((ll.Adam(lr=0.1), [ll.ravine()], -1, [[1.0, 1.0]]), {}, ValueError, "steps must be"),
        ((ll.Adam(lr=0.1), [ll.ravine()], 5, [[1.0, 1.0]]), {"every": 0}, ValueError, "every must be"),
        (
            (ll.Adam(lr=0.1), [ll.ravine()], 5, [[1.0, 1.0]]),
            {"grid": {"beta": [0.9]}},
            ValueError,
            "no hyper",
        ),
        ((ll.Adam(lr=0.1), [ll.ravine()], 5, [[1.0, 1.0]]), {"grid": {"lr": [-1.0]}}, ValueError, "lr must"),
    ],
)
def test_bad_input_is_named(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        side_by_side(*args, **kwargs)


# ----------------------------------------------------------------------------------------------------
# best_setting and race


def test_best_setting_prefers_runs_that_arrive_then_fewer_steps():
    steps = np.array([[10, 10, 10, -1], [50, 60, 70, 80], [40, 45, 50, 55]])
    best = best_setting(steps, [0.1, 0.2, 0.3])
    assert (best.index, best.lr, best.reached, best.median) == (2, 0.3, 1.0, 47.5)
    np.testing.assert_array_equal(best.steps, steps[2])
    none = best_setting([[-1, -1], [-1, 5]], [1.0, 2.0])
    assert (none.index, none.reached, none.median) == (1, 0.5, np.inf)  # half arrived: the median is inf


def test_best_setting_checks_the_shapes():
    with pytest.raises(ValueError, match=r"shape \(len\(lrs\), N\) = \(2, N\)"):
        best_setting([[1, 2, 3]], [0.1, 0.2])


def _best_by_hand(optimizer, problem, lrs, steps, x0, tol):
    s = sweep(optimizer, problem, steps, x0, grid={"lr": lrs})
    counts = s.steps_to(tol * problem.gap(x0))
    reached = (counts >= 0).mean(axis=1)
    median = np.median(np.where(counts < 0, np.inf, counts), axis=1)
    order = sorted(range(len(lrs)), key=lambda i: (-reached[i], median[i], i))
    return lrs[order[0]], reached[order[0]], median[order[0]]


def test_race_equals_one_sweep_per_optimizer_and_problem():
    optimizers = {"momentum": ll.Momentum(lr=0.1), "Adam": ll.Adam(lr=0.1)}
    problems = {"ravine": ll.ravine(10), "Rosenbrock": ll.rosenbrock(), "well": ll.double_well()}
    lrs = [0.003, 0.01, 0.03, 0.1, 0.3]
    table = race(optimizers, problems, 120, lrs=lrs, n_starts=8, seed=4, tol=1e-2)
    assert list(table) == list(problems)
    for pname, p in problems.items():
        x0 = p.random_starts(8, seed=4)
        for oname, opt in optimizers.items():
            got = table[pname][oname]
            assert (got.lr, got.reached, got.median) == _best_by_hand(opt, p, lrs, 120, x0, 1e-2)


def test_race_takes_one_grid_per_optimizer_and_counts_every_few_steps():
    optimizers = {"GD": ll.GradientDescent(lr=0.01), "RMSProp": ll.RMSProp(lr=0.1)}
    lrs = {"GD": [0.05, 0.1, 0.19], "RMSProp": [0.01, 0.1]}
    table = race(optimizers, {"ravine": ll.ravine(10)}, 100, lrs=lrs, n_starts=6, every=5)
    assert table["ravine"]["GD"].lr in lrs["GD"] and table["ravine"]["RMSProp"].lr in lrs["RMSProp"]
    counts = table["ravine"]["GD"].steps
    assert np.all(counts[counts >= 0] % 5 == 0)


def test_race_by_distance_matches_distance_steps():
    p = ll.rotated_ravine(100)
    lrs = [0.005, 0.01, 0.019]
    table = race(
        {"GD": ll.GradientDescent(lr=0.01)},
        {"r": p},
        150,
        lrs=lrs,
        n_starts=10,
        seed=2,
        tol=0.1,
        distance=True,
    )
    x0 = p.random_starts(10, seed=2)
    s = sweep(ll.GradientDescent(lr=0.01), p, 150, x0, grid={"lr": lrs})
    expected = distance_steps(s.points, p.minimizer, 0.1)  # inf where never
    best = table["r"]["GD"]
    np.testing.assert_array_equal(np.where(best.steps < 0, np.inf, best.steps), expected[best.index])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"tol": 1.0}, "below 1"), ({"tol": 0.0}, "tol must be finite and > 0")],
)
def test_race_rejects_bad_tolerances(kwargs, message):
    with pytest.raises(ValueError, match=message):
        race({"GD": ll.GradientDescent(lr=0.1)}, {"r": ll.ravine()}, 10, lrs=[0.1], **kwargs)


def test_race_needs_a_known_minimum():
    unknown = ll.Problem(
        "no minimum", f=lambda x: x[..., 0] ** 2, grad=lambda x: 2 * x, x0=np.ones(1), bounds=((-1, 1),)
    )
    with pytest.raises(ValueError, match="minimum of no minimum is not known"):
        race({"GD": ll.GradientDescent(lr=0.1)}, {"u": unknown}, 10, lrs=[0.1])


# ----------------------------------------------------------------------------------------------------
# The quadratic family


@pytest.mark.parametrize("dim", [2, 5])
def test_rotated_quadratics_have_the_curvatures_and_no_axis(dim):
    kappas = [3.0, 100.0, 1e4]
    H = rotated_quadratics(kappas, dim=dim, seed=7)
    assert H.shape == (3, dim, dim)
    np.testing.assert_allclose(H, np.swapaxes(H, 1, 2))
    for h, kappa in zip(H, kappas, strict=True):
        np.testing.assert_allclose(np.linalg.eigvalsh(h), np.geomspace(1.0, kappa, dim), rtol=1e-9)
        assert np.abs(h - np.diag(np.diag(h))).max() > 1e-3 * kappa  # not axis-aligned
    np.testing.assert_array_equal(H, rotated_quadratics(kappas, dim=dim, seed=7))
    assert not np.allclose(H, rotated_quadratics(kappas, dim=dim, seed=8))


@pytest.mark.parametrize(("kappas", "dim"), [([0.5], 2), ([[10.0]], 2), ([10.0], 1), ([10.0], True)])
def test_rotated_quadratics_bad_input(kappas, dim):
    with pytest.raises(ValueError, match="rotated_quadratics"):
        rotated_quadratics(kappas, dim=dim)


def test_heavy_ball_steps_equal_runs_of_the_summed_form():
    kappas = [10.0, 100.0]
    H = rotated_quadratics(kappas, seed=3)
    x0 = np.random.default_rng(5).standard_normal((7, 2))
    lrs = np.array([[0.15, 0.0195], [0.3, 0.03], [0.5, 0.05]])  # the last row diverges on both
    betas = np.array([[0.0, 0.0], [0.7, 0.9], [0.0, 0.0]])
    got = heavy_ball_steps(H, lrs, betas, x0, 500, tol=1e-3)
    assert got.shape == (3, 2, 7)
    for s in range(3):
        for k, h in enumerate(H):
            opt = ll.Momentum(lr=lrs[s, k], beta=betas[s, k], averaged=False)
            t = ll.run(opt, ll.quadratic(h), 500, x0)
            expected = distance_steps(t.points, np.zeros(2), 1e-3)
            np.testing.assert_array_equal(got[s, k], np.where(np.isinf(expected), -1, expected))
    assert np.all(got[2] == -1) and np.all(got[:2] > 0)


@given(kappa=st.floats(2.0, 200.0), tol=st.floats(1e-4, 0.5))
@settings(max_examples=25, deadline=None)
def test_gradient_descent_at_its_best_lr_takes_the_closed_form_count(kappa, tol):
    # lr = 2/(L + mu) shrinks both directions of a 2-D quadratic by exactly (kappa-1)/(kappa+1) per step
    rate = (kappa - 1) / (kappa + 1)
    exact = np.log(tol) / np.log(rate)
    if abs(exact - round(exact)) < 1e-6:
        return  # on the boundary, round-off decides
    H = rotated_quadratics([kappa], seed=0)
    x0 = np.random.default_rng(0).standard_normal((3, 2))
    got = heavy_ball_steps(H, [[2 / (kappa + 1)]], [[0.0]], x0, int(exact) + 5, tol=tol)
    assert np.all(got == int(np.ceil(exact)))


def test_polyak_beats_gradient_descent_like_sqrt_kappa():
    from lessons_lib.theory import optimal_momentum

    kappas = np.array([100.0, 10000.0])
    H = rotated_quadratics(kappas, seed=1)
    polyak = np.array([optimal_momentum(1.0, k) for k in kappas]).T
    x0 = np.random.default_rng(2).standard_normal((5, 2))
    steps = heavy_ball_steps(H, polyak[0][None], polyak[1][None], x0, 2000, tol=1e-2)
    growth = np.median(steps[0, 1]) / np.median(steps[0, 0])
    assert 7 < growth < 15  # about sqrt(100) = 10 for a hundred times the condition number


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.eye(2), [[0.1]], [[0.0]], np.ones((1, 2)), 5), "hessians must have shape"),
        ((np.eye(2)[None], [[0.1]], [[0.0]], np.ones(2), 5), r"x0 must have shape \(N, 2\)"),
        ((np.eye(2)[None], [[0.1, 0.1]], [[0.0, 0.0]], np.ones((1, 2)), 5), "K = 1"),
        ((np.eye(2)[None], [[-0.1]], [[0.0]], np.ones((1, 2)), 5), "every lr must be > 0"),
        ((np.eye(2)[None], [[0.1]], [[1.0]], np.ones((1, 2)), 5), "beta in"),
    ],
)
def test_heavy_ball_steps_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        heavy_ball_steps(*args, tol=0.1)
    with pytest.raises(ValueError, match="tol must be below 1"):
        heavy_ball_steps(np.eye(2)[None], [[0.1]], [[0.0]], np.ones((1, 2)), 5, tol=1.5)


# ----------------------------------------------------------------------------------------------------
# Reductions


@given(exponent=st.floats(-2.0, 2.0), scale=st.floats(0.01, 100.0))
@settings(max_examples=30, deadline=None)
def test_loglog_slope_recovers_a_power_law(exponent, scale):
    x = np.array([1.0, 10.0, 100.0, 1000.0])
    assert loglog_slope(x, scale * x**exponent) == pytest.approx(exponent, abs=1e-9)


@pytest.mark.parametrize(
    ("x", "y"), [([1.0], [1.0]), ([1.0, 2.0], [1.0]), ([0.0, 1.0], [1.0, 2.0]), ([1.0, 2.0], [1.0, np.inf])]
)
def test_loglog_slope_bad_input(x, y):
    with pytest.raises(ValueError, match="loglog_slope"):
        loglog_slope(x, y)


def test_step_per_gradient_is_the_effective_lr_of_adaptive_rules():
    p = ll.ravine(10)
    x0 = p.random_starts(6, seed=0)
    for opt in [ll.GradientDescent(lr=0.05), ll.Adagrad(lr=0.5), ll.RMSProp(lr=0.05)]:
        t = ll.run(opt, p, 30, x0, keep_states=True)
        np.testing.assert_allclose(step_per_gradient(t.points, t.grads), t.effective_lrs, rtol=1e-9)


def test_step_per_gradient_of_momentum_follows_the_velocity():
    p = ll.ravine(10)
    t = ll.run(ll.Momentum(lr=0.05, beta=0.9), p, 20, p.random_starts(4, seed=1), keep_states=True)
    expected = 0.05 * np.abs(t.states["v"][1:]) / np.abs(t.grads)
    np.testing.assert_allclose(step_per_gradient(t.points, t.grads), expected, rtol=1e-9)
    assert not np.allclose(step_per_gradient(t.points, t.grads), 0.05)


def test_step_per_gradient_is_nan_without_gradient_and_checks_shapes():
    points = np.array([[1.0, 1.0], [0.9, 1.0]])
    np.testing.assert_allclose(step_per_gradient(points, [[1.0, 0.0]]), [[0.1, np.nan]], rtol=1e-12)
    with pytest.raises(ValueError, match="one more step"):
        step_per_gradient(points, points)


def test_spread_is_the_percentiles_and_counts_inf_as_largest():
    rng = np.random.default_rng(0)
    values = rng.standard_normal((5, 40))
    np.testing.assert_allclose(spread(values, axis=1), np.percentile(values, [10, 50, 90], axis=1))
    np.testing.assert_allclose(spread(values.T, axis=0), np.percentile(values, [10, 50, 90], axis=1))
    assert spread(np.r_[np.arange(6.0), [np.inf] * 4]).tolist() == [0.9, 4.5, np.inf]  # 6 of 10 arrived
    assert spread(np.r_[np.arange(4.0), [np.inf] * 6]).tolist() == [0.9, np.inf, np.inf]  # 4 of 10 arrived
    with_nan = np.r_[np.arange(11.0), np.nan]
    np.testing.assert_allclose(spread(with_nan), [1.0, 5.0, 9.0])
