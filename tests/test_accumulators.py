"""lessons_lib.accumulators (lesson 03): Adagrad's lr grids (run with sweep) against closed forms, the moving
target against hand-computed recursions, the per-feature layout against the real softmax model."""

import math

import numpy as np
import pytest

from lessons_lib import (
    Adagrad,
    GradientDescent,
    Problem,
    quadratic,
    ravine,
    rotated_ravine,
    run,
    softmax_regression,
)
from lessons_lib.accumulators import by_feature, jump_targets, track_target
from lessons_lib.measures import loglog_slope
from lessons_lib.problems import rotate
from lessons_lib.sweeps import sweep


def linear(slope):
    """f(x) = slope · x: a constant gradient, so Adagrad's sums have closed forms."""
    slope = np.asarray(slope, dtype=float)
    return Problem(
        name="linear",
        f=lambda x: np.asarray(x) @ slope,
        grad=lambda x: np.broadcast_to(slope, np.shape(x)).copy(),
        x0=np.zeros(slope.size),
        bounds=tuple((-10.0, 10.0) for _ in range(slope.size)),
    )


# ----------------------------------------------------------------------------------------------------
# Adagrad's lr grids (run with lessons_lib.sweeps.sweep) against closed forms


def test_adagrad_under_a_constant_gradient_by_hand():
    # g = (2, -0.001): s_k = k g**2, each step lr g / (sqrt(k) |g|) = lr sign(g) / sqrt(k) with eps = 0.
    out = sweep(Adagrad(lr=1.0, eps=0.0), linear([2.0, -0.001]), 4, [0.0, 0.0], grid={"lr": [1.0, 0.5]})
    k = np.arange(1, 5)
    expected = -np.concatenate([[0.0], np.cumsum(1 / np.sqrt(k))])
    for i, lr in enumerate([1.0, 0.5]):
        np.testing.assert_allclose(out.points[:, i, 0], lr * expected, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(out.points[:, i, 1], -lr * expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(out.state.s, [[16.0, 4e-6], [16.0, 4e-6]], rtol=1e-14)


def test_initial_accumulator_and_eps_enter_as_in_the_equations():
    g, lr, s0, eps = 0.01, 0.1, 0.1, 1e-3
    opt = Adagrad(lr=1.0, eps=eps, initial_accumulator=s0)
    out = sweep(opt, linear([g]), 1, [0.0], grid={"lr": [lr]})
    assert out.points[1, 0, 0] == pytest.approx(-lr * g / (math.sqrt(s0 + g * g) + eps), rel=1e-14)
    assert out.state.s[0, 0] == pytest.approx(s0 + g * g, rel=1e-14)


def test_first_step_is_lr_times_the_sign_whatever_the_scale():
    scales = np.array([1e-6, 1e-3, 1.0, 1e3, 1e6])
    out = sweep(Adagrad(lr=0.25, eps=0.0), linear(-scales), 1, np.zeros(5), grid={"lr": [0.25]})
    np.testing.assert_allclose(out.points[1, 0], 0.25, rtol=1e-15)


@pytest.mark.parametrize("c", [1e-3, 0.1, 10.0, 1e3])
def test_rescaling_one_coordinates_gradient_leaves_adagrads_path_unchanged(c):
    x0 = [-8.0, 2.0]

    def path(optimizer, curvatures, lrs):
        return sweep(optimizer, quadratic(np.diag(curvatures), x0=x0), 50, x0, grid={"lr": lrs}).points

    reference = path(Adagrad(lr=1.0, eps=0.0), [1.0, 1.0], [0.5, 2.0])
    scaled = path(Adagrad(lr=1.0, eps=0.0), [1.0, c], [0.5, 2.0])
    np.testing.assert_allclose(scaled, reference, rtol=1e-10, atol=1e-12)
    gd_reference = path(GradientDescent(lr=1.0), [1.0, 1.0], [0.05])
    gd_scaled = path(GradientDescent(lr=1.0), [1.0, c], [0.05])
    assert not np.allclose(gd_scaled, gd_reference, equal_nan=True)  # gradient descent's is not


def test_recorded_steps_and_divergence():
    p = ravine(10)
    out = sweep(GradientDescent(lr=1.0), p, 10, p.x0, grid={"lr": [0.1, 0.25]}, every=4)
    assert out.steps.tolist() == [0, 4, 8, 10]
    full = sweep(GradientDescent(lr=1.0), p, 10, p.x0, grid={"lr": [0.1, 0.25]})
    np.testing.assert_array_equal(out.points, full.points[[0, 4, 8, 10]])
    long = sweep(GradientDescent(lr=1.0), p, 200, p.x0, grid={"lr": [0.1, 0.25]})  # 0.25 > 2/L
    assert long.diverged.tolist() == [False, True] and long.diverged_steps[1] > 0
    assert np.all(np.isfinite(long.points[:, 0])) and np.all(np.isnan(long.points[-1, 1]))
    adagrad = sweep(Adagrad(lr=1.0), p, 200, p.x0, grid={"lr": [10.0]})
    assert not adagrad.diverged.any() and np.all(np.isfinite(adagrad.points))


def test_gradient_descent_is_blind_to_rotations_and_the_starts_match():
    p, tilted = ravine(100), rotated_ravine(100)
    starts = p.random_starts(20, seed=4)
    np.testing.assert_allclose(tilted.f(rotate(starts, 45)), p.f(starts), rtol=1e-12)
    np.testing.assert_allclose(rotate(p.x0, 45), tilted.x0, atol=1e-12)

    def path(optimizer, problem, x0):
        return sweep(optimizer, problem, 30, x0).points

    plain = path(GradientDescent(lr=0.01), p, starts)
    turned = path(GradientDescent(lr=0.01), tilted, rotate(starts, 45))
    np.testing.assert_allclose(turned, rotate(plain, 45), atol=1e-9)
    ada = path(Adagrad(lr=1.0), tilted, rotate(starts, 45))
    assert not np.allclose(ada, rotate(path(Adagrad(lr=1.0), p, starts), 45))


# ----------------------------------------------------------------------------------------------------
# Moving targets


def test_jump_targets_cycle_and_one_jump():
    points = [[0.0], [5.0], [-1.0]]
    assert jump_targets(8, 3, points)[:, 0].tolist() == [0.0, 0.0, 0.0, 5.0, 5.0, 5.0, -1.0, -1.0]
    one = jump_targets(6, 3, [[1.0, 1.0], [2.0, -2.0]])
    assert (
        one.shape == (6, 2) and one[:3].tolist() == [[1.0, 1.0]] * 3 and one[3:].tolist() == [[2.0, -2.0]] * 3
    )
    for bad in [{"every": 0}, {"steps": 0}, {"points": [1.0, 2.0]}]:
        with pytest.raises(ValueError):
            jump_targets(**{"steps": 4, "every": 2, "points": [[0.0], [1.0]], **bad})


def test_gradient_descent_tracks_a_jump_as_the_closed_form_says():
    # x_k - c = (1 - lr λ)^k (x_0 - c) on each coordinate, restarting from wherever it is at the jump.
    lr, curvatures = 0.1, np.array([1.0, 4.0])
    before, after = np.array([0.0, 0.0]), np.array([3.0, -1.0])
    targets = jump_targets(20, 10, [before, after])
    out = track_target(GradientDescent(lr=lr), curvatures, targets, [2.0, 1.0])
    factor = 1 - lr * curvatures
    x10 = before + factor**10 * (np.array([2.0, 1.0]) - before)
    for k in range(21):
        x = (
            before + factor**k * (np.array([2.0, 1.0]) - before)
            if k <= 10
            else after + factor ** (k - 10) * (x10 - after)
        )
        target = targets[min(k, 19)]
        assert out.gaps[k] == pytest.approx(0.5 * np.sum(curvatures * (x - target) ** 2), rel=1e-12)
    np.testing.assert_allclose(out.effective_lrs, lr)


def test_track_target_with_a_fixed_minimiser_equals_the_runner():
    p = ravine(10)
    starts = p.random_starts(4, seed=5)
    out = track_target(Adagrad(lr=0.7), [1.0, 10.0], np.zeros((25, 2)), starts)
    t = run(Adagrad(lr=0.7), p, steps=25, x0=starts, keep_states=True)
    np.testing.assert_allclose(out.gaps, t.gaps, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(out.effective_lrs, t.effective_lrs, rtol=1e-12)


def test_restart_starts_the_sum_afresh_at_the_jump():
    curvatures, start = np.array([1.0, 10.0]), np.array([-3.0, 2.0])
    targets = jump_targets(30, 15, [[0.0, 0.0], [4.0, -1.0]])
    kept = track_target(Adagrad(lr=1.0), curvatures, targets, start)
    restarted = track_target(Adagrad(lr=1.0), curvatures, targets, start, restart_at=15)
    np.testing.assert_array_equal(kept.gaps[:16], restarted.gaps[:16])
    # After the restart: a fresh Adagrad run from the point reached at the jump (the ravine's minimiser is 0).
    x15 = run(Adagrad(lr=1.0), ravine(10), steps=15, x0=start).final
    fresh = track_target(Adagrad(lr=1.0), curvatures, targets[15:], x15)
    np.testing.assert_allclose(restarted.gaps[15:], fresh.gaps, rtol=1e-12)
    np.testing.assert_allclose(restarted.effective_lrs[15:], fresh.effective_lrs, rtol=1e-12)
    g = curvatures * (x15 - targets[15])
    np.testing.assert_allclose(restarted.effective_lrs[15], 1.0 / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_array_less(kept.effective_lrs[15], restarted.effective_lrs[15])  # the old sum weighs


def test_noise_is_seeded_and_has_the_given_size():
    targets = np.zeros((400, 2))
    a = track_target(GradientDescent(lr=0.05), [1.0, 1.0], targets, np.zeros((500, 2)), sigma=1.0, seed=7)
    b = track_target(GradientDescent(lr=0.05), [1.0, 1.0], targets, np.zeros((500, 2)), sigma=1.0, seed=7)
    np.testing.assert_array_equal(a.gaps, b.gaps)
    # Lesson 00's noise floor: E[f - f*] = sum over coordinates of lr σ² / (2 (2 - lr λ)).
    assert a.gaps[200:].mean() == pytest.approx(2 * 0.05 / (2 * 1.95), rel=0.05)


def test_adagrads_effective_lr_falls_like_one_over_root_t_under_pure_noise():
    # Curvature ~0: the gradient is pure noise, s_t ≈ σ² t, so the effective lr ≈ lr / (σ √t).
    steps = 4000
    out = track_target(Adagrad(lr=1.0), [1e-12], np.zeros((steps, 1)), np.zeros((200, 1)), sigma=2.0, seed=1)
    t = np.arange(1, steps + 1)
    eff = np.median(out.effective_lrs[:, :, 0], axis=1)
    assert loglog_slope(t[99:], eff[99:]) == pytest.approx(-0.5, abs=0.01)
    assert eff[-1] == pytest.approx(1.0 / (2.0 * math.sqrt(steps)), rel=0.02)


def test_track_target_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="curvatures must have shape"):
        track_target(GradientDescent(lr=0.1), [1.0, 2.0], np.zeros((5, 3)), [0.0, 0.0])
    with pytest.raises(ValueError, match="targets is empty"):
        track_target(GradientDescent(lr=0.1), [1.0], np.zeros((0, 1)), [0.0])


# ----------------------------------------------------------------------------------------------------
# Reductions


def test_by_feature_matches_the_softmax_models_layout():
    # Pixels never inked have a zero gradient for every class (with l2 = 0), wherever the weights are;
    # grouping the flat gradient by feature must find exactly those zeros.
    p = softmax_regression(l2=0.0)
    w = np.random.default_rng(0).standard_normal(p.dim)
    per_feature = by_feature(np.abs(p.grad(w)), 10, reduce=np.max)
    assert per_feature.shape == (65,)
    never = np.flatnonzero(p.info["pixel_activity"] == 0)
    assert never.size > 0
    np.testing.assert_array_equal(per_feature[never], 0.0)
    assert np.all(per_feature[np.flatnonzero(p.info["pixel_activity"] > 0)] > 0)
    np.testing.assert_allclose(by_feature(np.arange(20.0).reshape(2, 10), 5), [[2.0, 7.0], [12.0, 17.0]])
    with pytest.raises(ValueError, match="not a whole number of groups"):
        by_feature(np.ones(7), 3)
