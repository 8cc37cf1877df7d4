"""The runner: shapes, batches, seeds, clean divergence, kept states, steps_to, learning-rate schedules."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import (
    Adagrad,
    Adam,
    AdamW,
    GradientDescent,
    Momentum,
    Problem,
    RMSProp,
    Trajectory,
    cosine_decay,
    double_well,
    logistic_regression,
    noisy,
    quadratic,
    ravine,
    rosenbrock,
    rotated_ravine,
    run,
    step_decay,
    warmup,
)
from lessons_lib.conventions import run_optimizer
from lessons_lib.measures import loglog_slope
from lessons_lib.problems import jump_targets
from lessons_lib.running import run_schedule, track_target

OPTIMIZERS = [
    GradientDescent(lr=0.05),
    Momentum(lr=0.05, beta=0.9),
    Momentum(lr=0.01, beta=0.9, averaged=False, nesterov=True),
    Adagrad(lr=0.5),
    RMSProp(lr=0.01, beta=0.9),
    RMSProp(lr=0.01, beta=0.9, centered=True, momentum=0.5),
    Adam(lr=0.05),
]
IDS = [repr(o) for o in OPTIMIZERS]
STATE_FIELDS = {
    "GradientDescent": set(),
    "Momentum": {"v"},
    "Adagrad": {"s"},
    "RMSProp": {"s"},
    "Adam": {"m", "v"},
}


def manual_run(opt, grad, x0, steps):
    """Step by hand; return points and states."""
    x, state = np.asarray(x0, dtype=float), opt.init(x0)
    xs, states = [x], [state]
    for _ in range(steps):
        x, state = opt.step(x, grad(x), state)
        xs.append(x)
        states.append(state)
    return np.array(xs), states


# ----------------------------------------------------------------------------------------------------
# Shapes and agreement with stepping by hand


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=IDS)
def test_single_run_shapes_and_values(opt):
    p = rotated_ravine(10.0)
    traj = run(opt, p, steps=40)
    assert isinstance(traj, Trajectory)
    assert traj.points.shape == (41, 2) and traj.losses.shape == (41,)
    assert traj.steps == 40
    np.testing.assert_array_equal(traj.points[0], p.x0)
    np.testing.assert_allclose(traj.losses, p.f(traj.points), rtol=1e-14)  # einsum order: ulps
    np.testing.assert_array_equal(traj.final, traj.points[-1])
    np.testing.assert_allclose(traj.gaps, traj.losses - p.f_min, rtol=1e-14)
    assert not traj.diverged and traj.diverged_at is None and traj.message == ""
    assert traj.diverged_mask.shape == () and traj.diverged_steps.shape == ()
    # The same as stepping by hand.
    xs, _ = manual_run(opt, p.grad, p.x0, 40)
    np.testing.assert_allclose(traj.points, xs, rtol=1e-13, atol=1e-15)
    assert "40 steps" in repr(traj) and "rotated ravine" in repr(traj)


def test_x0_defaults_to_the_problem_start_and_is_not_mutated():
    p = ravine(10.0)
    x0 = np.array([1.0, 1.0])
    traj = run(Momentum(lr=0.1), p, 10, x0=x0)
    np.testing.assert_array_equal(x0, [1.0, 1.0])
    np.testing.assert_array_equal(traj.points[0], x0)
    np.testing.assert_array_equal(p.x0, [-8.0, 2.0])
    np.testing.assert_array_equal(run(Momentum(lr=0.1), p, 10).points[0], p.x0)
    np.testing.assert_array_equal(run(Momentum(lr=0.1), p, 3, x0=[1, 1]).points[0], [1.0, 1.0])


def test_zero_steps():
    for keep in (False, True):
        traj = run(Adam(lr=0.1), ravine(), steps=0, keep_states=keep)
        assert traj.points.shape == (1, 2) and traj.losses.shape == (1,)
        if keep:
            assert traj.states["m"].shape == (1, 2)
            assert traj.grads.shape == (0, 2) and traj.effective_lrs.shape == (0, 2)


def test_the_docstring_examples():
    assert run(GradientDescent(lr=0.1), ravine(10), steps=50).losses[-1].round(3) == 0.001
    t = run(GradientDescent(lr=0.25), ravine(10), steps=100)
    assert t.diverged_at == 19


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=IDS)
def test_batch_run_equals_runs_one_by_one(opt):
    p = rosenbrock()
    starts = p.random_starts(5, seed=1)
    batch = run(opt.replace(lr=opt.lr / 50), p, steps=60, x0=starts)
    assert batch.points.shape == (61, 5, 2) and batch.losses.shape == (61, 5)
    assert batch.diverged_mask.shape == (5,)
    for i, x0 in enumerate(starts):
        single = run(opt.replace(lr=opt.lr / 50), p, steps=60, x0=x0)
        np.testing.assert_allclose(batch.points[:, i], single.points, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(batch.losses[:, i], single.losses, rtol=1e-12, atol=1e-14)


def test_two_batch_axes():
    p = ravine(10.0)
    starts = p.random_starts(6, seed=2).reshape(2, 3, 2)
    traj = run(Adam(lr=0.1), p, steps=20, x0=starts)
    assert traj.points.shape == (21, 2, 3, 2) and traj.losses.shape == (21, 2, 3)
    flat = run(Adam(lr=0.1), p, steps=20, x0=starts.reshape(6, 2))
    np.testing.assert_allclose(traj.points.reshape(21, 6, 2), flat.points, rtol=1e-14)


# ----------------------------------------------------------------------------------------------------
# Stochastic problems and seeds


def test_stochastic_runs_are_reproducible_by_seed():
    p = noisy(ravine(10.0), sigma=1.0)
    opt = Momentum(lr=0.05)
    a, b, c = run(opt, p, 50, seed=3), run(opt, p, 50, seed=3), run(opt, p, 50, seed=4)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.allclose(a.points[1:], c.points[1:])
    assert a.seed == 3
    # The noise is really there: the run differs from the exact-gradient run.
    exact = run(opt, ravine(10.0), 50)
    assert not np.allclose(a.points[1:], exact.points[1:])
    # With seed=None each run draws fresh noise.
    assert not np.array_equal(run(opt, p, 5, seed=None).points, run(opt, p, 5, seed=None).points)


def test_stochastic_noise_is_the_seeded_generator_in_order():
    p = noisy(ravine(10.0), sigma=0.5)
    traj = run(GradientDescent(lr=0.05), p, 10, seed=11, keep_states=True)
    rng = np.random.default_rng(11)
    x = p.x0.copy()
    for k in range(10):
        g = p.grad(x) + 0.5 * rng.standard_normal(2)
        np.testing.assert_allclose(traj.grads[k], g, rtol=1e-14)
        x = x - 0.05 * g
        np.testing.assert_allclose(traj.points[k + 1], x, rtol=1e-14)


def test_batched_noisy_runs_get_independent_noise_per_row():
    p = noisy(ravine(10.0), sigma=1.0)
    starts = np.tile(p.x0, (4, 1))
    traj = run(GradientDescent(lr=0.05), p, 30, x0=starts, seed=0)
    for i in range(1, 4):
        assert not np.allclose(traj.points[1:, 0], traj.points[1:, i])


def test_logistic_regression_minibatch_run():
    p = logistic_regression(batch_size=16)
    traj = run(Adam(lr=0.01), p, 200, x0=np.zeros((3, p.dim)), seed=5)
    assert traj.points.shape == (201, 3, 31)
    assert np.all(traj.losses[-1] < traj.losses[0])  # it learns
    assert not np.allclose(traj.points[-1, 0], traj.points[-1, 1])  # different mini-batches per row
    again = run(Adam(lr=0.01), p, 200, x0=np.zeros((3, p.dim)), seed=5)
    np.testing.assert_array_equal(traj.points, again.points)


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=IDS)
def test_keep_states_does_not_change_the_run(opt):
    p = noisy(rotated_ravine(10.0), sigma=0.3)
    a = run(opt, p, 25, seed=2)
    b = run(opt, p, 25, seed=2, keep_states=True)
    np.testing.assert_array_equal(a.points, b.points)
    assert a.states is None and a.grads is None and a.effective_lrs is None


# ----------------------------------------------------------------------------------------------------
# Divergence


def test_gradient_descent_above_two_over_L_diverges_cleanly():
    p = ravine(10.0)
    traj = run(GradientDescent(lr=0.25), p, steps=100)
    assert traj.diverged and isinstance(traj.diverged_at, int)
    # Independent: y_k = 2 (1 - 2.5)**k, x_k = -8 (1 - 0.25)**k; diverged when f - f_min > 1e6 (f_0 - f_min).
    k = np.arange(101)
    f = 0.5 * ((-8 * 0.75**k) ** 2 + 10 * (2 * (-1.5) ** k) ** 2)
    expected = int(np.argmax(f > 1e6 * f[0]))
    assert traj.diverged_at == expected == 19
    assert int(traj.diverged_steps) == expected
    assert "2/L = 0.2" in traj.message and f"step {expected}" in traj.message
    assert "GradientDescent(lr=0.25)" in traj.message and "ravine" in traj.message
    assert "of" not in traj.message.split("GradientDescent")[0]  # a single run: no "k of N runs"
    # Up to the divergence the run is the real one; after it, NaN.
    np.testing.assert_allclose(traj.losses[: expected + 1], f[: expected + 1], rtol=1e-12)
    assert np.all(np.isnan(traj.points[expected + 1 :])) and np.all(np.isnan(traj.losses[expected + 1 :]))
    assert np.all(np.isnan(traj.final))
    assert f"diverged at step {expected}" in repr(traj)


@pytest.mark.parametrize(
    "opt",
    [
        GradientDescent(lr=1e6),
        Momentum(lr=1e6, beta=0.99),
        Momentum(lr=1e6, beta=0.9, averaged=False, nesterov=True),
        Adagrad(lr=1e6),
        RMSProp(lr=1e6, centered=True, momentum=0.9),
        Adam(lr=1e6),
    ],
    ids=repr,
)
@pytest.mark.parametrize(
    "problem", [ravine(10.0), rosenbrock(), double_well(), noisy(ravine(100.0), 10.0)], ids=repr
)
def test_absurd_learning_rates_diverge_without_warnings(opt, problem):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(opt, problem, steps=1000, x0=problem.random_starts(3, seed=0), keep_states=True)
    assert traj.diverged and np.all(traj.diverged_mask)
    assert traj.message.startswith("3 of 3 runs of ")
    for i in range(3):
        k = traj.diverged_steps[i]
        assert k >= 1
        assert np.all(np.isnan(traj.points[k + 1 :, i])) and np.all(np.isnan(traj.losses[k + 1 :, i]))
        assert np.all(np.isnan(traj.grads[k:, i]))  # no step is taken from a diverged point


def test_in_a_batch_only_some_runs_diverge():
    p = double_well()
    starts = np.array([[-1.0], [1.0], [6.0], [0.5], [-7.0]])
    traj = run(GradientDescent(lr=0.3), p, steps=200, x0=starts)
    np.testing.assert_array_equal(traj.diverged_mask, [False, False, True, False, True])
    assert np.all(traj.diverged_steps[~traj.diverged_mask] == -1)
    assert traj.diverged_at == traj.diverged_steps[traj.diverged_mask].min()
    assert traj.message.startswith("2 of 5 runs of GradientDescent(lr=0.3) diverged at step ")
    # The others converge, to one minimum or the other.
    final = traj.points[-1, ~traj.diverged_mask, 0]
    minima = [p.minimizer[0], p.local_minima[0][0][0]]
    assert np.all(np.min(np.abs(final[:, None] - minima), axis=1) < 1e-8)


def test_a_diverged_row_stops_while_the_others_go_on():
    # lr = 0.21 > 2/L: y is multiplied by -1.1 each step, x by 0.79.
    # A start with y = 0 never leaves the x axis.
    p = ravine(10.0)
    traj = run(GradientDescent(lr=0.21), p, steps=150, x0=[[-8.0, 0.0], [-8.0, 2.0]])
    np.testing.assert_array_equal(traj.diverged_mask, [False, True])
    k = int(traj.diverged_steps[1])
    y = 2.0 * (-1.1) ** np.arange(k + 1)
    x = -8.0 * 0.79 ** np.arange(k + 1)
    f0 = p.f(np.array([-8.0, 2.0]))
    assert 0.5 * (x[k] ** 2 + 10 * y[k] ** 2) > 1e6 * f0 >= 0.5 * (x[k - 1] ** 2 + 10 * y[k - 1] ** 2)
    np.testing.assert_allclose(traj.points[: k + 1, 1], np.stack([x, y], axis=-1), rtol=1e-12)
    assert np.all(np.isnan(traj.points[k + 1 :, 1])) and np.all(np.isnan(traj.losses[k + 1 :, 1]))
    assert np.all(np.isfinite(traj.points[:, 0]))
    np.testing.assert_allclose(traj.points[:, 0, 0], -8.0 * 0.79 ** np.arange(151), rtol=1e-12)
    assert traj.message.startswith("1 of 2 runs of GradientDescent(lr=0.21) diverged at step")
    assert "2/L = 0.2" in traj.message


def test_adaptive_divergence_hint():
    traj = run(Adam(lr=1e6), ravine(10.0), steps=50)
    assert traj.diverged and "adaptive rules take steps of about lr" in traj.message


# ----------------------------------------------------------------------------------------------------
# Kept states, gradients and effective learning rates


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=IDS)
def test_keep_states(opt):
    p = rotated_ravine(10.0)
    starts = p.random_starts(3, seed=4)
    traj = run(opt, p, steps=30, x0=starts, keep_states=True)
    expected = set(STATE_FIELDS[type(opt).__name__])
    if isinstance(opt, RMSProp):
        expected |= {"m"} if opt.centered else set()
        expected |= {"v"} if opt.momentum > 0 else set()
    if expected:
        assert set(traj.states) == expected
    else:
        assert traj.states is None
    xs, states = manual_run(opt, p.grad, starts, 30)
    for name in expected:
        assert traj.states[name].shape == (31, 3, 2)
        np.testing.assert_allclose(
            traj.states[name], [getattr(s, name) for s in states], rtol=1e-12, atol=1e-15
        )
    assert traj.grads.shape == (30, 3, 2) and traj.effective_lrs.shape == (30, 3, 2)
    np.testing.assert_allclose(traj.grads, p.grad(traj.points[:-1]), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(
        traj.effective_lrs,
        [opt.effective_lr(x, s) for x, s in zip(xs[1:], states[1:], strict=True)],
        rtol=1e-12,
    )


def test_momentum_velocity_kept_equals_stepping_by_hand():
    p = ravine(10.0)
    opt = Momentum(lr=0.05, beta=0.8)
    traj = run(opt, p, steps=20, keep_states=True)
    x, v = p.x0.copy(), np.zeros(2)
    for k in range(20):
        g = p.grad(x)
        v = 0.8 * v + 0.2 * g
        x = x - 0.05 * v
        np.testing.assert_allclose(traj.states["v"][k + 1], v, rtol=1e-13)
        np.testing.assert_allclose(traj.points[k + 1], x, rtol=1e-13)
    np.testing.assert_array_equal(traj.states["v"][0], [0.0, 0.0])


# ----------------------------------------------------------------------------------------------------
# steps_to


def manual_steps_to(gaps, tol):
    for k in range(len(gaps)):
        if np.all(gaps[k:] <= tol):
            return k
    return -1


def test_steps_to_stays_below_semantics():
    # f = x**2 on synthetic points: gaps 1, 0.01, 0.25, 1e-4, 1e-6 -- below 0.05 first at 1, for good from 3.
    p = quadratic([[2.0]])
    points = np.array([[1.0], [0.1], [0.5], [0.01], [0.001]])
    traj = Trajectory(
        optimizer=GradientDescent(lr=0.1),
        problem=p,
        points=points,
        losses=p.f(points),
        diverged_mask=np.array(False),
        diverged_steps=np.array(-1),
    )
    assert traj.steps_to(0.05) == 3
    assert traj.steps_to(1.0) == 0
    assert traj.steps_to(1e-5) == 4
    assert traj.steps_to(1e-7) == -1
    assert isinstance(traj.steps_to(0.05), int)


@pytest.mark.parametrize("tol", [1e-1, 1e-3, 1e-6, 1e-12])
def test_steps_to_matches_a_manual_search(tol):
    p = ravine(30.0)
    starts = p.random_starts(6, seed=9)
    opt = Momentum(lr=0.03, beta=0.9)  # overshoots, so gaps go down and up again
    traj = run(opt, p, steps=300, x0=starts)
    result = traj.steps_to(tol)
    assert result.shape == (6,)
    for i in range(6):
        assert result[i] == manual_steps_to(traj.gaps[:, i], tol)
    # The ravine with momentum dips below a tolerance and comes back above it before it stays.
    first_below = np.argmax(traj.gaps <= 1e-1, axis=0)
    assert np.any(traj.steps_to(1e-1) > first_below)


def test_steps_to_is_minus_one_for_diverged_and_unreached_runs():
    p = double_well()
    starts = np.array([[-1.0], [6.0]])
    traj = run(GradientDescent(lr=0.3), p, steps=50, x0=starts)
    np.testing.assert_array_equal(traj.steps_to(1e-6), [traj.steps_to(1e-6)[0], -1])
    assert traj.steps_to(1e-6)[0] > 0
    slow = run(GradientDescent(lr=1e-4), ravine(10.0), steps=10)
    assert slow.steps_to(1e-6) == -1


# ----------------------------------------------------------------------------------------------------
# Argument checks


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        (dict(steps=-1), ValueError, "run: steps must be a whole number >= 0, got -1"),
        (dict(steps=2.5), ValueError, "run: steps must be a whole number >= 0, got 2.5"),
        (dict(steps=True), ValueError, "run: steps must be a whole number >= 0, got True"),
        (dict(steps=5, x0=[1.0, 2.0, 3.0]), ValueError, "run: x0 must have 2 coordinates on its last axis"),
        (dict(steps=5, x0=1.0), ValueError, "got shape ()"),
        (dict(steps=5, x0=np.zeros((4, 3))), ValueError, "got shape (4, 3)"),
        (dict(steps=5, optimizer=Momentum), TypeError, "run: optimizer must be a lessons_lib optimizer"),
        (
            dict(steps=5, optimizer="adam"),
            TypeError,
            "run: optimizer must be a lessons_lib optimizer, got str",
        ),
        (dict(steps=5, problem=lambda x: x), TypeError, "run: problem must be a lessons_lib Problem"),
    ],
)
def test_run_checks_its_arguments(kwargs, error, fragment):
    args = dict(optimizer=GradientDescent(lr=0.1), problem=ravine(10.0)) | kwargs
    with pytest.raises(error) as info:
        run(**args)
    assert fragment in str(info.value)


def test_problem_without_a_known_minimum():
    p = Problem(
        name="shifted bowl",
        f=lambda x: np.sum(x**2, axis=-1) + 5.0,
        grad=lambda x: 2 * x,
        x0=np.array([1.0, -1.0]),
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
    )
    good = run(GradientDescent(lr=0.1), p, steps=50)
    assert not good.diverged and good.losses[-1] == pytest.approx(5.0)
    bad = run(GradientDescent(lr=1.5), p, steps=200)
    assert bad.diverged and "try a smaller lr" in bad.message
    with pytest.raises(ValueError, match="minimum is not known"):
        good.steps_to(1e-3)


def test_eps_zero_nan_gets_its_own_hint():
    """eps = 0 on a coordinate with zero gradient gives 0/0, not a learning-rate problem: the hint says so."""
    traj = run(Adagrad(lr=0.1, eps=0.0), ravine(10), steps=5, x0=[0.0, 1.0])
    assert traj.diverged_at == 1
    assert "eps = 0" in traj.message and "0 by 0" in traj.message
    assert "smaller lr" not in traj.message


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
# Learning-rate schedules: the multipliers against closed forms, and run(..., schedule=...) against runs that
# change the learning rate by hand


SCHEDULED = [*OPTIMIZERS, AdamW(lr=0.05, weight_decay=0.5), AdamW(lr=0.01, beta1=0.0, weight_decay=2.0)]
SCHEDULED_IDS = [repr(o) for o in SCHEDULED]


@settings(max_examples=60, deadline=None)
@given(steps=st.integers(1, 300), every=st.integers(1, 40), factor=st.floats(1e-3, 1.0))
def test_step_decay_is_factor_to_the_number_of_decays(steps, every, factor):
    expected, decays = [], 0
    for k in range(steps):  # count the decays as they happen
        if k > 0 and k % every == 0:
            decays += 1
        expected.append(factor**decays)
    if expected[-1] == 0:  # so many decays that float64 has nothing left: refused, not a silent lr = 0
        with pytest.raises(ValueError, match=r"step_decay: the multipliers must stay > 0"):
            step_decay(steps, every=every, factor=factor)
    else:
        np.testing.assert_array_equal(step_decay(steps, every=every, factor=factor), expected)


@settings(max_examples=60, deadline=None)
@given(steps=st.integers(1, 500), final=st.floats(0.0, 1.0))
def test_cosine_decay_is_half_a_cosine_from_one_to_final(steps, final):
    k = np.arange(steps)
    schedule = cosine_decay(steps, final=final)
    np.testing.assert_allclose(
        schedule, final + (1 - final) * (1 + np.cos(np.pi * k / steps)) / 2, atol=1e-15
    )
    assert schedule[0] == 1.0  # the first step is the run without a schedule
    assert np.all(np.diff(schedule) <= 0) and np.all((schedule >= final) & (schedule <= 1) & (schedule > 0))


def test_cosine_decays_last_multiplier_keeps_its_digits():
    """Near the end ``1 + cos`` cancels; the last multiplier is a (1 - a/3 + ...), a = (pi/2T)**2."""
    for steps in (100, 10**4, 10**6):
        a = (np.pi / (2 * steps)) ** 2
        np.testing.assert_allclose(cosine_decay(steps)[-1], a * (1 - a / 3 + 2 * a**2 / 45), rtol=1e-12)
    np.testing.assert_allclose(cosine_decay(4, final=0.1), [1.0, 0.868198, 0.55, 0.231802], atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(steps=st.integers(1, 200), data=st.data())
def test_warmup_climbs_by_equal_steps_to_one_then_follows_then(steps, data):
    w = data.draw(st.integers(1, steps))
    schedule = warmup(steps, warmup_steps=w)
    np.testing.assert_allclose(schedule[:w], np.linspace(1 / w, 1, w), rtol=1e-15)
    np.testing.assert_array_equal(schedule[w - 1 :], 1.0)
    then = cosine_decay(steps, final=0.2)
    chained = warmup(steps, warmup_steps=w, then=then)
    np.testing.assert_array_equal(chained[:w], schedule[:w])
    np.testing.assert_array_equal(chained[w:], then[w:])


def test_warmup_of_one_step_is_no_warmup_and_then_is_not_changed():
    then = step_decay(5, every=2, factor=0.5)
    kept = then.copy()
    np.testing.assert_array_equal(warmup(5, warmup_steps=1, then=then), then)
    np.testing.assert_array_equal(then, kept)
    np.testing.assert_array_equal(warmup(3, warmup_steps=3), [1 / 3, 2 / 3, 1.0])


@pytest.mark.parametrize("opt", SCHEDULED, ids=SCHEDULED_IDS)
def test_a_schedule_of_ones_is_the_run_without_one_bit_for_bit(opt):
    p = rotated_ravine(10.0)
    x0 = p.random_starts(3, seed=1)
    plain = run(opt, p, 60, x0, keep_states=True)
    ones = run(opt, p, 60, x0, keep_states=True, schedule=np.ones(60))
    np.testing.assert_array_equal(ones.points, plain.points)
    np.testing.assert_array_equal(ones.effective_lrs, plain.effective_lrs)
    for name in plain.states or {}:
        np.testing.assert_array_equal(ones.states[name], plain.states[name])
    noisy_plain = run(opt, noisy(p, 0.5), 30, x0, seed=3)
    noisy_ones = run(opt, noisy(p, 0.5), 30, x0, seed=3, schedule=[1] * 30)
    np.testing.assert_array_equal(noisy_ones.points, noisy_plain.points)


@pytest.mark.parametrize("opt", SCHEDULED, ids=SCHEDULED_IDS)
def test_step_decay_through_run_is_run_schedule_with_the_same_phases(opt):
    p = rotated_ravine(10.0)
    factor, every, phases = 0.3, 15, 4
    schedule = step_decay(every * phases, every=every, factor=factor)
    by_phase = run_schedule(opt, p, [(every, {"lr": opt.lr * factor**j}) for j in range(phases)])
    np.testing.assert_array_equal(run(opt, p, every * phases, schedule=schedule).points, by_phase)


@pytest.mark.parametrize("opt", SCHEDULED, ids=SCHEDULED_IDS)
def test_any_schedule_is_replace_lr_at_every_step_with_the_state_carried(opt):
    """conventions.run_optimizer builds optimizer.replace(lr=lr_k) and calls its checked step, every step."""
    p = rotated_ravine(10.0)
    schedule = warmup(80, warmup_steps=10, then=cosine_decay(80, final=0.05))
    t = run(opt, p, 80, keep_states=True, schedule=schedule)
    by_hand = run_optimizer(opt, p.x0, p.grad, lr=opt.lr * schedule, steps=80)
    np.testing.assert_array_equal(t.points, by_hand)
    x, state = p.x0, opt.init(p.x0)  # the effective learning rates are those of each step's optimizer
    for k in range(80):
        step_opt = opt.replace(lr=opt.lr * schedule[k])
        x, state = step_opt.step(x, p.grad(x), state)
        np.testing.assert_array_equal(t.effective_lrs[k], step_opt.effective_lr(x, state))
    assert t.optimizer is opt  # the trajectory names the base setting


def test_adamw_decays_x_by_the_scheduled_lr():
    """With no gradient Adam does not move, so x_k = x_0 * prod_j (1 - lr * schedule[j] * weight_decay)."""
    flat = Problem(
        name="flat",
        f=lambda x: np.zeros(np.shape(x)[:-1]),
        grad=np.zeros_like,
        x0=np.array([2.0, -3.0]),
        bounds=((-4.0, 4.0), (-4.0, 4.0)),
    )
    schedule = warmup(30, warmup_steps=5, then=cosine_decay(30))
    t = run(AdamW(lr=0.1, weight_decay=0.5), flat, 30, schedule=schedule)
    shrink = np.concatenate([[1.0], np.cumprod(1 - 0.1 * schedule * 0.5)])
    np.testing.assert_allclose(t.points, shrink[:, None] * flat.x0, rtol=1e-14)


def test_gradient_descent_under_step_decay_as_the_closed_form_says():
    """On f = L x**2 / 2 each step multiplies x by 1 - lr_k L."""
    p = quadratic([[4.0]])
    schedule = step_decay(12, every=4, factor=0.5)
    t = run(GradientDescent(lr=0.4), p, 12, x0=[1.0], schedule=schedule)
    expected = np.concatenate([[1.0], np.cumprod(1 - 0.4 * schedule * 4.0)])
    np.testing.assert_allclose(t.points[:, 0], expected, rtol=1e-14)


def test_a_schedule_that_brings_the_lr_down_in_time_keeps_a_run_from_diverging():
    p = ravine(10.0)
    assert run(GradientDescent(lr=0.25), p, 100).diverged_at == 19  # above 2/L = 0.2
    decayed = run(GradientDescent(lr=0.25), p, 100, schedule=step_decay(100, every=10, factor=0.5))
    assert not decayed.diverged and decayed.gaps[-1] < 1e-3


def test_divergence_under_a_schedule_names_the_largest_scheduled_lr():
    p = ravine(10.0)  # lr 0.05 * 5 = 0.25 > 2/L = 0.2 from step 10 on
    t = run(GradientDescent(lr=0.05), p, 200, schedule=np.repeat([1.0, 5.0], [10, 190]))
    assert t.diverged and t.diverged_at > 10
    assert t.message.startswith("GradientDescent(lr=0.05) diverged at step")
    assert t.message.endswith("the scheduled lr reached 0.25, above 2/L = 0.2 for L = 10.")


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        (
            dict(schedule=np.ones(4)),
            ValueError,
            "run: schedule must hold one learning-rate multiplier per step",
        ),
        (dict(schedule=np.ones((5, 1))), ValueError, "shape (5,), got shape (5, 1)"),
        (dict(schedule=[1, 1, 0, 1, 1]), ValueError, "got 0.0 at step 2: a step with lr = 0 does not move x"),
        (dict(schedule=[1, 1, 1, -1, 1]), ValueError, "got -1.0 at step 3: a negative multiplier"),
        (dict(schedule=[1, np.nan, 1, 1, 1]), ValueError, "finite multipliers > 0, got nan at step 1"),
        (dict(schedule="ones"), TypeError, "run: schedule must be an array of real numbers"),
        (
            dict(schedule=[1, 1, 1, 1, 1e308]),
            ValueError,
            "lr = 10.0 times 1e+308, and then: GradientDescent: ",
        ),
    ],
)
def test_run_checks_its_schedule(kwargs, error, fragment):
    with pytest.raises(error) as info:
        run(GradientDescent(lr=10.0), ravine(10.0), 5, **kwargs)
    assert fragment in str(info.value)


def test_a_schedule_may_not_push_adamws_decay_past_one():
    run(AdamW(lr=0.2, weight_decay=2.0), ravine(10.0), 5, schedule=cosine_decay(5))  # 0.4 at most: fine
    with pytest.raises(
        ValueError,
        match=r"run: every learning rate of the schedule must be one AdamW accepts, "
        r"got lr = 0\.2 times 3\.0, and then: AdamW: lr \* weight_decay must be < 1",
    ):
        run(AdamW(lr=0.2, weight_decay=2.0), ravine(10.0), 5, schedule=[1, 3, 1, 1, 1])
