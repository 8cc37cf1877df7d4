"""lessons_lib.trials (lesson 06): the quadratic family against run() and the closed form of gradient descent,
the reductions against hand-made values. (Side-by-side runs are tested in test_sweeps.py, races in
test_races.py.)"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lessons_lib as ll
from lessons_lib.measures import distance_steps
from lessons_lib.trials import heavy_ball_steps, rotated_quadratics, spread, step_per_gradient

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
