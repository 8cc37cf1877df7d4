"""sweep(): a grid of hyperparameters for any optimizer, checked run by run against run(), and its options
(the final state, effective learning rates, gradient scales, a drifting landscape) against run() on the
equivalent problem, hand-written loops and closed forms; side_by_side(): several problems as one array,
checked bit for bit against sweep() on each problem alone."""

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lessons_lib as ll
from lessons_lib.conventions import LrInsideMomentum
from lessons_lib.measures import distance_steps
from lessons_lib.problems import defect_quadratics, rotated_quadratics
from lessons_lib.sweeps import Sweep, heavy_ball_steps, side_by_side, sweep

OPTIMIZERS = [
    ll.GradientDescent(lr=0.05),
    ll.Momentum(lr=0.05, beta=0.9),
    ll.Momentum(lr=0.01, beta=0.8, averaged=False, nesterov=True),
    ll.Adagrad(lr=0.5),
    ll.Adagrad(lr=0.5, initial_accumulator=0.1, eps_in_sqrt=True),
    ll.RMSProp(lr=0.05),
    ll.RMSProp(lr=0.01, centered=True, momentum=0.5),
    ll.Adam(lr=0.1),
]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o.label())
@pytest.mark.parametrize(
    "problem", [ll.ravine(10), ll.rosenbrock(), ll.saddle()], ids=lambda p: p.name.split("(")[0]
)
def test_every_grid_point_is_the_run_of_that_setting(optimizer, problem):
    x0 = problem.random_starts(5, seed=2)
    lrs = [optimizer.lr / 4, optimizer.lr / 2, optimizer.lr]
    s = sweep(optimizer, problem, 40, x0, grid={"lr": lrs})
    for i, lr in enumerate(lrs):
        t = ll.run(optimizer.replace(lr=lr), problem, 40, x0)
        alive = ~t.diverged_mask
        np.testing.assert_array_equal(s.points[:, i][:, alive], t.points[:, alive])
        np.testing.assert_allclose(s.losses[:, i][:, alive], t.losses[:, alive], rtol=1e-12)
        np.testing.assert_array_equal(s.steps_to(1e-3)[i][alive], t.steps_to(1e-3)[alive])


@pytest.mark.parametrize(
    ("optimizer", "name", "values"),
    [
        (ll.Momentum(lr=0.05), "beta", [0.0, 0.5, 0.9]),
        (ll.RMSProp(lr=0.05), "beta", [0.5, 0.9, 0.99]),
        (ll.RMSProp(lr=0.05), "eps", [1e-8, 1e-2, 1.0]),
        (ll.Adam(lr=0.05), "beta1", [0.0, 0.9]),
        (ll.Adam(lr=0.05), "beta2", [0.9, 0.999]),
    ],
)
def test_two_axis_grids_match_run_for_every_pair(optimizer, name, values):
    problem = ll.rotated_ravine(10)
    x0 = problem.random_starts(3, seed=0)
    lrs = [0.01, 0.05]
    s = sweep(optimizer, problem, 30, x0, grid={"lr": lrs, name: values})
    assert s.points.shape == (31, 2, len(values), 3, 2)
    assert s.grid_shape == (2, len(values))
    for i, lr in enumerate(lrs):
        for j, value in enumerate(values):
            expected = ll.run(optimizer.replace(lr=lr, **{name: value}), problem, 30, x0).points
            # rtol: beta**t of an array and of a float may differ in the last bit
            np.testing.assert_allclose(s.points[:, i, j], expected, rtol=1e-13, atol=1e-15)
            assert s.setting(i, j) == optimizer.replace(lr=lr, **{name: value})


def test_beta_zero_momentum_is_gradient_descent_inside_a_sweep():
    problem = ll.ravine(10)
    a = sweep(ll.Momentum(lr=0.1), problem, 25, grid={"lr": [0.05, 0.1], "beta": [0.0]})
    b = sweep(ll.GradientDescent(lr=0.1), problem, 25, grid={"lr": [0.05, 0.1]})
    assert a.points.shape == (26, 2, 1, 2)  # a single start: no batch axis
    np.testing.assert_allclose(a.points[:, :, 0], b.points, rtol=1e-14, atol=1e-14)
    for i, lr in enumerate([0.05, 0.1]):
        expected = ll.run(ll.GradientDescent(lr=lr), problem, 25).points
        np.testing.assert_allclose(a.points[:, i, 0], expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "optimizer",
    [ll.Adam(lr=0.1), ll.Adagrad(lr=0.5), ll.Momentum(lr=0.05, beta=0.9)],
    ids=lambda o: o.label(),
)
def test_stochastic_sweep_with_one_setting_draws_what_run_draws(optimizer):
    # One setting: the sweep's gradients have shape (1, N, d), the runner's (N, d): the same numbers in order.
    problem = ll.noisy(ll.ravine(10), sigma=0.5)
    x0 = problem.random_starts(4, seed=0)
    s = sweep(optimizer, problem, 30, x0, grid={"lr": [optimizer.lr]}, seed=7)
    t = ll.run(optimizer, problem, 30, x0, seed=7)
    np.testing.assert_array_equal(s.points[:, 0], t.points)


def test_stochastic_runs_of_the_same_start_are_independent_repetitions():
    problem = ll.logistic_regression(batch_size=8)
    x0 = np.zeros((3, problem.dim))
    s = sweep(ll.GradientDescent(lr=0.1), problem, 5, x0, grid={"lr": [0.1]}, seed=0)
    last = s.points[-1, 0]
    assert not np.allclose(last[0], last[1]) and not np.allclose(last[1], last[2])
    again = sweep(ll.GradientDescent(lr=0.1), problem, 5, x0, grid={"lr": [0.1]}, seed=0)
    np.testing.assert_array_equal(again.points, s.points)


def test_every_records_a_subset_of_the_same_steps():
    problem = ll.rosenbrock()
    full = sweep(ll.Adam(lr=0.02), problem, 23, grid={"lr": [0.01, 0.02]})
    sparse = sweep(ll.Adam(lr=0.02), problem, 23, grid={"lr": [0.01, 0.02]}, every=5, keep_points=False)
    assert sparse.steps.tolist() == [0, 5, 10, 15, 20, 23]
    assert sparse.points is None
    np.testing.assert_array_equal(sparse.losses, full.losses[sparse.steps])


def test_no_grid_is_a_plain_batch():
    problem = ll.ravine(10)
    s = sweep(ll.RMSProp(lr=0.05), problem, 10)
    assert s.points.shape == (11, 2) and s.losses.shape == (11,) and s.grid_shape == ()
    np.testing.assert_array_equal(s.points, ll.run(ll.RMSProp(lr=0.05), problem, 10).points)


def test_divergence_is_marked_per_run_without_warnings():
    problem = ll.ravine(10)  # 2/L = 0.2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sweep(ll.GradientDescent(lr=0.1), problem, 400, grid={"lr": [0.1, 0.19, 0.21, 0.5]})
    assert s.diverged.tolist() == [False, False, True, True]
    assert 0 < s.diverged_steps[3] < s.diverged_steps[2]
    assert np.all(np.isnan(s.points[-1, 2:])) and np.all(np.isnan(s.losses[-1, 2:]))
    assert s.steps_to(1e-6)[2:].tolist() == [-1, -1]
    assert "2 of 4 runs diverged" in repr(s)


def test_sweeping_never_changes_the_base_optimizer():
    opt = ll.Adam(lr=0.1)
    sweep(opt, ll.ravine(10), 3, grid={"lr": [0.01, 0.1], "beta2": [0.9, 0.99]})
    assert opt.lr == 0.1 and opt.beta2 == 0.999 and isinstance(opt.lr, float)


def test_seconds_counts_the_steps():
    s = sweep(ll.Adam(lr=0.1), ll.ravine(10), 50, grid={"lr": [0.1, 0.2]})
    assert s.seconds > 0


def test_gaps_need_a_known_minimum():
    s = sweep(ll.Adam(lr=0.1), ll.softmax_regression(), 1, every=1, keep_points=False)
    with pytest.raises(ValueError, match="minimum of softmax regression .* is not known"):
        s.gaps  # noqa: B018


BAD = [
    ({"grid": {"lr": [0.1, -1.0]}}, ValueError, r"Adam: lr must be finite and > 0, got -1.0"),
    ({"grid": {"beta1": [1.0]}}, ValueError, r"Adam: beta1 must be in \[0, 1\), got 1.0"),
    ({"grid": {"momentum": [0.1]}}, ValueError, r"Adam has no hyperparameter 'momentum'; it has lr, beta1"),
    ({"grid": {"lr": [[0.1, 0.2]]}}, ValueError, r"values of lr must be a non-empty 1-D sequence"),
    ({"grid": {"lr": []}}, ValueError, r"values of lr must be a non-empty 1-D sequence"),
    ({"steps": -1}, ValueError, r"steps must be a whole number >= 0, got -1"),
    ({"steps": 2.5}, ValueError, r"steps must be a whole number >= 0, got 2.5"),
    ({"every": 0}, ValueError, r"every must be a whole number >= 1, got 0"),
    ({"x0": [1.0, 2.0, 3.0]}, ValueError, r"x0 must have 2 coordinates on its last axis"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), BAD)
def test_bad_input_gets_a_clear_error(kwargs, error, message):
    args = {"steps": 5, **kwargs}
    with pytest.raises(error, match=message):
        sweep(ll.Adam(lr=0.1), ll.ravine(10), **args)


@pytest.mark.parametrize(
    ("optimizer", "name"),
    [
        (ll.Momentum(lr=0.1), "nesterov"),
        (ll.RMSProp(lr=0.1), "momentum"),
        (ll.Adagrad(lr=0.1), "initial_accumulator"),
    ],
)
def test_hyperparameters_that_change_the_rule_cannot_be_swept(optimizer, name):
    with pytest.raises(ValueError, match=rf"{name!r} cannot be swept; run one sweep per value instead"):
        sweep(optimizer, ll.ravine(10), 3, grid={name: [0.1]})


SWEEP_VALUES = {"lr": 0.02, "beta": 0.5, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3}


@pytest.mark.parametrize(
    "optimizer", [*OPTIMIZERS, LrInsideMomentum(lr=0.02, beta=0.8)], ids=lambda o: o.label()
)
def test_what_an_optimizer_declares_sweepable_sweeps_as_run_runs_it_and_nothing_else_does(optimizer):
    problem = ll.rotated_ravine(10)
    x0 = problem.random_starts(3, seed=1)
    assert optimizer.sweepable and set(optimizer.sweepable) <= set(optimizer.hyperparameters())
    for name in optimizer.sweepable:
        values = [getattr(optimizer, name), SWEEP_VALUES[name]]
        s = sweep(optimizer, problem, 20, x0, grid={name: values})
        for i, value in enumerate(values):
            expected = ll.run(optimizer.replace(**{name: value}), problem, 20, x0).points
            np.testing.assert_allclose(s.points[:, i], expected, rtol=1e-13, atol=1e-15)
    for name in set(optimizer.hyperparameters()) - set(optimizer.sweepable):
        message = rf"{name!r} cannot be swept; .* Sweepable: {', '.join(optimizer.sweepable)}\."
        with pytest.raises(ValueError, match=message):
            sweep(optimizer, problem, 3, x0, grid={name: [getattr(optimizer, name)]})


def test_wrong_types_are_named():
    with pytest.raises(TypeError, match="optimizer must be a lessons_lib optimizer, got str"):
        sweep("adam", ll.ravine(10), 3)
    with pytest.raises(TypeError, match="problem must be a lessons_lib Problem, got dict"):
        sweep(ll.Adam(lr=0.1), {}, 3)
    with pytest.raises(ValueError, match="one index per swept hyperparameter"):
        sweep(ll.Adam(lr=0.1), ll.ravine(10), 1, grid={"lr": [0.1]}).setting(0, 0)


def test_sweep_is_exported_type():
    assert isinstance(sweep(ll.Adam(lr=0.1), ll.ravine(10), 1), Sweep)


def test_seeded_noise_is_reproducible_and_independent_for_every_run():
    # Two equal settings from three equal starts: six runs that differ only by their noise.
    problem = ll.noisy(ll.ravine(10), sigma=1.0)
    starts = np.tile(problem.x0, (3, 1))
    grid = {"lr": [0.05, 0.05], "beta": [0.9]}
    a = sweep(ll.Momentum(lr=0.05), problem, 20, starts, grid=grid, seed=7).points
    b = sweep(ll.Momentum(lr=0.05), problem, 20, starts, grid=grid, seed=7).points
    c = sweep(ll.Momentum(lr=0.05), problem, 20, starts, grid=grid, seed=8).points
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[1:], c[1:])
    final = a[-1].reshape(6, 2)
    distances = np.linalg.norm(final[:, None] - final[None], axis=-1)
    assert np.all(distances[~np.eye(6, dtype=bool)] > 1e-3)


@pytest.mark.parametrize(
    ("averaged", "nesterov"), [(True, False), (False, False), (True, True), (False, True)]
)
def test_momentum_lr_beta_grid_matches_run_in_every_form(averaged, nesterov):
    p = ll.ravine(10)
    starts = p.random_starts(6, seed=3)
    lrs, betas = [0.01, 0.05], [0.0, 0.5, 0.9]
    base = ll.Momentum(lr=0.01, averaged=averaged, nesterov=nesterov)
    s = sweep(base, p, 40, starts, grid={"lr": lrs, "beta": betas})
    assert s.points.shape == (41, 2, 3, 6, 2)
    assert not s.diverged.any()
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            opt = ll.Momentum(lr=lr, beta=beta, averaged=averaged, nesterov=nesterov)
            expected = ll.run(opt, p, 40, x0=starts).points
            np.testing.assert_allclose(s.points[:, i, j], expected, rtol=1e-12, atol=1e-14)


def test_an_adaptive_run_that_overshoots_is_marked_diverged_without_warnings():
    # RMSProp's first step is lr / sqrt(1 - beta) per coordinate: 3e9 with lr = 1e9, far beyond the bounds.
    p = ll.ravine(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sweep(ll.RMSProp(lr=0.01), p, 5, grid={"lr": [0.01, 1e9]}, keep_effective_lrs=True)
    assert s.diverged.tolist() == [False, True] and s.diverged_steps[1] == 1
    # the diverging step is kept, as run keeps it (a loss 1e18 times the start's); NaN from the next one
    assert np.all(np.isfinite(s.points[:, 0])) and np.all(np.isfinite(s.points[:2, 1]))
    assert s.losses[1, 1] > 1e6 * s.losses[0, 1] and np.all(np.isnan(s.points[2:, 1]))
    assert np.all(np.isfinite(s.effective_lrs[1:, 0])) and np.all(np.isnan(s.effective_lrs[2:, 1]))
    alone = ll.run(ll.RMSProp(lr=1e9), p, 5)
    assert alone.diverged_at == 1
    np.testing.assert_array_equal(alone.points, s.points[:, 1])


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o.label())
@pytest.mark.parametrize("problem", [ll.ravine(10), ll.rosenbrock(), ll.double_well(), ll.saddle()], ids=str)
def test_sweep_and_run_call_the_same_runs_diverged_at_the_same_steps(optimizer, problem):
    """One divergence rule: every run of a grid, from stable to far too large, diverges where run says."""
    lrs = optimizer.lr * np.geomspace(0.1, 1e4, 6)
    starts = problem.random_starts(4, seed=3)
    s = sweep(optimizer, problem, 60, starts, grid={"lr": lrs})
    for i, lr in enumerate(lrs):
        alone = ll.run(optimizer.replace(lr=float(lr)), problem, 60, starts)
        np.testing.assert_array_equal(s.diverged_steps[i], alone.diverged_steps)
        np.testing.assert_array_equal(s.losses[:, i], alone.losses)
    if not optimizer.squares:  # the grid reaches lrs far beyond the stability limit, whose runs diverge
        assert s.diverged.any()


# ----------------------------------------------------------------------------------------------------
# The final state


STATE_CASES = [
    *[pytest.param(o, ll.ravine(10), [o.lr / 4, o.lr / 2, o.lr], id=o.label()) for o in OPTIMIZERS],
    pytest.param(ll.Adagrad(lr=1.0), ll.ravine(100), [0.3, 1.0, 4.0], id="Adagrad on ravine(100)"),
    # up to 0.99 of 2/L
    pytest.param(ll.GradientDescent(lr=0.01), ll.ravine(100), [0.005, 0.01, 0.0198], id="GD on ravine(100)"),
]


@pytest.mark.parametrize(("optimizer", "problem", "lrs"), STATE_CASES)
def test_state_is_the_last_state_of_each_run(optimizer, problem, lrs):
    x0 = problem.random_starts(7, seed=2)
    s = sweep(optimizer, problem, 40, x0, grid={"lr": lrs})
    assert isinstance(s.state, optimizer.State) and s.state.t == 40
    assert not s.diverged.any()
    for i, lr in enumerate(lrs):
        t = ll.run(optimizer.replace(lr=lr), problem, 40, x0, keep_states=True)
        assert not t.diverged_mask.any()
        np.testing.assert_allclose(s.points[:, i], t.points, rtol=1e-13, atol=1e-13)
        arrays = {name for name, value in s.state._asdict().items() if isinstance(value, np.ndarray)}
        assert arrays == set(t.states or {})  # Adagrad's s; RMSProp's m, v for its variants; none for GD
        for name in arrays:
            assert getattr(s.state, name).shape == (len(lrs), *x0.shape)
            np.testing.assert_allclose(getattr(s.state, name)[i], t.states[name][-1], rtol=1e-13, atol=1e-300)


def test_adagrads_final_sums_by_hand():
    # A constant gradient g: s = initial_accumulator + steps * g**2, whatever the learning rate.
    g = np.array([2.0, -0.5])
    slope = ll.Problem(
        name="slope",
        f=lambda x: np.asarray(x) @ g,
        grad=lambda x: np.broadcast_to(g, np.shape(x)).copy(),
        x0=np.zeros(2),
        bounds=((-10.0, 10.0), (-10.0, 10.0)),
    )
    s = sweep(
        ll.Adagrad(lr=1.0, initial_accumulator=0.1), slope, 5, np.zeros((3, 2)), grid={"lr": [0.1, 1.0]}
    )
    np.testing.assert_allclose(s.state.s, np.broadcast_to(0.1 + 5 * g**2, (2, 3, 2)), rtol=1e-15)


# ----------------------------------------------------------------------------------------------------
# keep_effective_lrs


EFFECTIVE = [*OPTIMIZERS, ll.Adagrad(lr=3.0, eps=1e-3), ll.Adagrad(lr=3.0, eps=1e-3, eps_in_sqrt=True)]


@pytest.mark.parametrize("optimizer", EFFECTIVE, ids=lambda o: o.label())
def test_kept_effective_lrs_are_those_of_run_with_row_k_for_step_k(optimizer):
    p = ll.ravine(10)
    x0 = p.random_starts(5, seed=4)
    lrs = [optimizer.lr / 10, optimizer.lr]
    s = sweep(optimizer, p, 25, x0, grid={"lr": lrs}, keep_effective_lrs=True)
    assert s.effective_lrs.shape == s.points.shape == (26, 2, 5, 2)
    assert np.all(np.isnan(s.effective_lrs[0]))  # the start: no step led to it
    for i, lr in enumerate(lrs):
        t = ll.run(optimizer.replace(lr=lr), p, 25, x0, keep_states=True)
        np.testing.assert_allclose(s.points[:, i], t.points, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(s.effective_lrs[1:, i], t.effective_lrs, rtol=1e-12)
    sparse = sweep(
        optimizer, p, 25, x0, grid={"lr": lrs}, keep_effective_lrs=True, every=4, keep_points=False
    )
    assert sparse.steps.tolist() == [0, 4, 8, 12, 16, 20, 24, 25]
    np.testing.assert_array_equal(sparse.effective_lrs, s.effective_lrs[sparse.steps])
    assert sweep(optimizer, p, 25, x0, grid={"lr": lrs}).effective_lrs is None


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"eps": 1e-3},
        {"eps_in_sqrt": True, "eps": 1e-4},
        {"centered": True},
        {"momentum": 0.8},
        {"centered": True, "momentum": 0.5},
    ],
    ids=lambda o: ",".join(o) or "plain",
)
def test_rmsprop_lr_beta_grid_matches_run_with_its_effective_lrs(options):
    p = ll.rotated_ravine(10)
    starts = p.random_starts(7, seed=2)
    lrs, betas = [0.01, 0.05], [0.5, 0.9, 0.99]
    s = sweep(
        ll.RMSProp(lr=0.01, **options),
        p,
        30,
        starts,
        grid={"lr": lrs, "beta": betas},
        keep_effective_lrs=True,
    )
    assert s.points.shape == s.effective_lrs.shape == (31, 2, 3, 7, 2)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            t = ll.run(ll.RMSProp(lr=lr, beta=beta, **options), p, 30, x0=starts, keep_states=True)
            np.testing.assert_allclose(s.points[:, i, j], t.points, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(s.effective_lrs[1:, i, j], t.effective_lrs, rtol=1e-12)


def test_effective_lr_of_the_first_rmsprop_step_by_hand():
    # s = (1 - beta) g**2 after one step, so the effective lr is lr / (sqrt(1 - beta) |g|) with eps = 0.
    p = ll.ravine(10)
    lrs, betas = np.array([0.01, 0.1]), np.array([0.0, 0.9, 0.99])
    s = sweep(ll.RMSProp(lr=0.1, eps=0.0), p, 1, grid={"lr": lrs, "beta": betas}, keep_effective_lrs=True)
    expected = lrs[:, None, None] / (np.sqrt(1 - betas)[None, :, None] * np.abs(p.grad(p.x0)))
    np.testing.assert_allclose(s.effective_lrs[1], expected, rtol=1e-14)


# ----------------------------------------------------------------------------------------------------
# gradient_scales


def test_gradient_scales_multiply_gradient_descents_first_step():
    p = ll.ravine(10)
    scales = [1e-3, 1.0, 7.0]
    s = sweep(ll.GradientDescent(lr=0.01), p, 1, gradient_scales=scales)
    assert s.points.shape == (2, 3, 2) and s.grid_shape == (3,)
    np.testing.assert_array_equal(s.gradient_scales, scales)
    np.testing.assert_allclose(s.points[1] - s.points[0], -0.01 * np.outer(scales, p.grad(p.x0)))


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o.label())
def test_gradient_scales_follow_the_grid_axes_and_each_runs_the_scaled_loss(optimizer):
    # Every gradient times c is the gradient of c f: here the quadratic of Hessian c H. With c a power of 2
    # the two are the same numbers bit for bit. The losses are those of the problem itself, f.
    H = np.diag([1.0, 10.0])
    p = ll.quadratic(H, x0=[-8.0, 2.0], bounds=[(-10.0, 10.0), (-4.0, 4.0)])
    x0 = p.random_starts(3, seed=1)
    lrs, scales = [optimizer.lr / 2, optimizer.lr], [0.25, 1.0, 2.0]
    s = sweep(optimizer, p, 20, x0, grid={"lr": lrs}, gradient_scales=scales)
    assert s.points.shape == (21, 2, 3, 3, 2) and s.losses.shape == (21, 2, 3, 3)
    assert s.grid_shape == (2, 3) and s.diverged_steps.shape == (2, 3, 3)
    assert not s.diverged.any()
    for i, lr in enumerate(lrs):
        for j, c in enumerate(scales):
            scaled = ll.quadratic(c * H, x0=[-8.0, 2.0], bounds=[(-10.0, 10.0), (-4.0, 4.0)])
            t = ll.run(optimizer.replace(lr=lr), scaled, 20, x0)
            np.testing.assert_allclose(s.points[:, i, j], t.points, rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(s.losses[:, i, j], p.f(t.points), rtol=1e-13, atol=1e-300)
    assert s.setting(1) == optimizer  # the scales are not hyperparameters


def test_gradient_scale_one_is_the_plain_run_and_rmsprop_follows_every_scale():
    p = ll.rotated_ravine(10)
    points = sweep(ll.RMSProp(lr=0.05), p, 40, gradient_scales=[1e-2, 1.0, 1e2]).points
    np.testing.assert_array_equal(points[:, 1], ll.run(ll.RMSProp(lr=0.05), p, 40).points)
    assert np.max(np.abs(points[:, 0] - points[:, 1])) < 1e-4  # eps = 1e-8 against gradients >= 1e-2 * 1e-2
    assert np.max(np.abs(points[:, 2] - points[:, 1])) < 1e-6
    exact = sweep(ll.RMSProp(lr=0.05, eps=0.0), p, 40, gradient_scales=[1e-3, 1.0, 1e3]).points
    np.testing.assert_allclose(exact[:, 0], exact[:, 1], rtol=1e-9, atol=1e-12)  # no eps: exactly invariant
    np.testing.assert_allclose(exact[:, 2], exact[:, 1], rtol=1e-9, atol=1e-12)
    plain = sweep(ll.GradientDescent(lr=0.05), p, 40, gradient_scales=[0.5, 1.0]).points
    assert np.max(np.abs(plain[:, 0] - plain[:, 1])) > 0.1  # gradient descent's path is not invariant


def test_gradient_scales_with_a_batch_of_starts_mark_each_run_that_diverges():
    # lr = 0.05 on ravine(10): stable at scale 1 (lr c L = 0.5 < 2), not at scale 1000.
    p = ll.ravine(10)
    starts = p.random_starts(4, seed=0)
    s = sweep(ll.GradientDescent(lr=0.05), p, 30, starts, gradient_scales=[1.0, 1e3])
    assert s.points.shape == (31, 2, 4, 2)
    assert s.diverged.tolist() == [[False] * 4, [True] * 4]
    assert np.all(np.isfinite(s.points[:, 0]))
    for n, d in enumerate(s.diverged_steps[1]):  # the whole run, both coordinates, after the step it diverged
        assert (
            d > 0
            and np.all(np.isfinite(s.points[: d + 1, 1, n]))
            and np.all(np.isnan(s.points[d + 1 :, 1, n]))
        )
        assert s.losses[d - 1, 1, n] <= 1e6 * s.losses[0, 1, n] < s.losses[d, 1, n]
        assert np.all(np.isnan(s.losses[d + 1 :, 1, n]))


# ----------------------------------------------------------------------------------------------------
# drift


def test_drift_first_rmsprop_steps_by_hand():
    # The 1-D loss (x - u k)^2 / 2 from x = 0. Step 1 uses the gradient at time 0, which is 0: no move, and
    # the recorded offset is x_1 - u. Step 2 uses the gradient x_1 - u = -u.
    u, lr, beta, eps = 0.01, 0.1, 0.9, 1e-8
    p = ll.quadratic([[1.0]], x0=[0.0])
    s = sweep(ll.RMSProp(lr=lr, beta=beta, eps=eps), p, 2, drift=[u])
    x2 = lr * u / (np.sqrt((1 - beta) * u**2) + eps)
    np.testing.assert_allclose(s.points[:, 0], [0.0, -u, x2 - 2 * u], rtol=1e-12)
    np.testing.assert_allclose(s.losses, 0.5 * s.points[:, 0] ** 2, rtol=1e-12)  # f at the offsets
    np.testing.assert_array_equal(s.drift, [u])


def test_gradient_descent_trails_a_drifting_minimum_as_the_closed_form_says():
    # Per coordinate the offset follows e_k = (1 - lr λ) e_{k-1} - u: e_k = r**k e_0 - u (1 - r**k) / (lr λ)
    # with r = 1 - lr λ, which tends to the lag -u / (lr λ).
    p = ll.ravine(10)
    lr, u, lam = 0.05, np.array([0.01, -0.02]), np.array([1.0, 10.0])
    s = sweep(ll.GradientDescent(lr=lr), p, 300, drift=u)
    r, k = 1 - lr * lam, np.arange(301)[:, None]
    np.testing.assert_allclose(s.points, r**k * p.x0 - u * (1 - r**k) / (lr * lam), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(s.points[-1], -u / (lr * lam), rtol=1e-4)  # 0.95**300 of the start is left


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o.label())
def test_drift_is_the_run_on_a_moving_landscape(optimizer):
    # An independent loop in the fixed frame: the loss at step k is f(x - k u), so step k uses the gradient
    # of f at x_{k-1} - (k - 1) u; the sweep records the offsets x_k - k u.
    p = ll.rotated_ravine(10)
    u = np.array([0.03, -0.02])
    x0 = p.random_starts(4, seed=6)
    lrs = [optimizer.lr / 2, optimizer.lr]
    s = sweep(optimizer, p, 30, x0, grid={"lr": lrs}, drift=u)
    assert s.points.shape == (31, 2, 4, 2) and not s.diverged.any()
    for i, lr in enumerate(lrs):
        opt = optimizer.replace(lr=lr)
        x, state = x0.copy(), opt.init(x0)
        for k in range(1, 31):
            x, state = opt.step(x, p.grad(x - (k - 1) * u), state)
            np.testing.assert_allclose(s.points[k, i], x - k * u, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(s.losses[-1, i], p.f(x - 30 * u), rtol=1e-9)


def test_drift_with_noise_is_seeded_and_matches_a_plain_loop():
    u, sigma, lr, beta = 0.05, 0.5, 0.1, 0.9
    p = ll.noisy(ll.quadratic([[2.0]], x0=[0.0]), sigma=sigma)
    starts = np.array([[0.0], [1.0], [-1.0]])
    grid = {"lr": [lr], "beta": [beta]}
    a = sweep(ll.RMSProp(lr=lr), p, 40, starts, grid=grid, drift=[u], seed=7).points[:, 0, 0]
    b = sweep(ll.RMSProp(lr=lr), p, 40, starts, grid=grid, drift=[u], seed=7).points[:, 0, 0]
    c = sweep(ll.RMSProp(lr=lr), p, 40, starts, grid=grid, drift=[u], seed=8).points[:, 0, 0]
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[1:], c[1:])
    rng = np.random.default_rng(7)  # the same draws, by hand: a gradient of shape (1, 1, 3, 1) per step
    x, s = starts.copy(), np.zeros_like(starts)
    for k in range(1, 41):
        g = 2.0 * (x - (k - 1) * u) + sigma * rng.standard_normal((1, 1, 3, 1))[0, 0]
        s = beta * s + (1 - beta) * g**2
        x = x - lr * g / (np.sqrt(s) + 1e-8)
        np.testing.assert_allclose(a[k], x - k * u, rtol=1e-12, atol=1e-12)


def test_the_new_options_are_off_unless_asked_and_a_zero_drift_changes_nothing():
    p = ll.rotated_ravine(10)
    x0 = p.random_starts(3, seed=0)
    s = sweep(ll.Adam(lr=0.1), p, 20, x0)
    assert s.gradient_scales is None and s.drift is None and s.effective_lrs is None
    expected = ll.run(ll.Adam(lr=0.1), p, 20, x0).points
    np.testing.assert_array_equal(s.points, expected)
    np.testing.assert_array_equal(sweep(ll.Adam(lr=0.1), p, 20, x0, drift=[0.0, 0.0]).points, expected)
    np.testing.assert_array_equal(
        sweep(ll.Adam(lr=0.1), p, 20, x0, gradient_scales=[1.0]).points[:, 0], expected
    )


# ----------------------------------------------------------------------------------------------------
# Bad values of the new options


_SCALES = r"sweep: gradient_scales must be a non-empty 1-D sequence of finite numbers > 0"
_DRIFT_SHAPE = (
    r"sweep: drift must have one number per coordinate of ravine\(κ=10\) \(shape \(2,\)\), got shape "
)
_KEEP = r"sweep: keep_effective_lrs must be True or False, got "

BAD_OPTIONS = [
    ("scales 2-D", {"gradient_scales": [[1.0, 2.0]]}, ValueError, _SCALES + r", got \[\[1.0, 2.0\]\]"),
    ("scales a number", {"gradient_scales": 2.0}, ValueError, _SCALES + ", got 2.0"),
    ("scales empty", {"gradient_scales": []}, ValueError, _SCALES + r", got \[\]"),
    ("scale zero", {"gradient_scales": [1.0, 0.0]}, ValueError, _SCALES),
    ("scale negative", {"gradient_scales": [-1.0]}, ValueError, _SCALES),
    ("scale inf", {"gradient_scales": [1.0, np.inf]}, ValueError, _SCALES),
    ("scale nan", {"gradient_scales": [np.nan]}, ValueError, _SCALES),
    ("scales text", {"gradient_scales": "1e3"}, TypeError, "sweep: gradient_scales must be an array of real"),
    ("drift short", {"drift": [0.1]}, ValueError, _DRIFT_SHAPE + r"\(1,\)"),
    ("drift 2-D", {"drift": [[0.1, 0.1]]}, ValueError, _DRIFT_SHAPE + r"\(1, 2\)"),
    ("drift a number", {"drift": 0.1}, ValueError, _DRIFT_SHAPE + r"\(\)"),
    ("drift nan", {"drift": [np.nan, 0.0]}, ValueError, r"sweep: drift must be finite, got nan"),
    ("drift inf", {"drift": [0.0, -np.inf]}, ValueError, r"sweep: drift must be finite, got -inf"),
    ("drift text", {"drift": "up"}, TypeError, r"sweep: drift must be an array of real numbers"),
    ("keep 1", {"keep_effective_lrs": 1}, TypeError, _KEEP + r"1\."),
    ("keep yes", {"keep_effective_lrs": "yes"}, TypeError, _KEEP + r"'yes'\."),
    ("keep None", {"keep_effective_lrs": None}, TypeError, _KEEP + r"None\."),
]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"), [b[1:] for b in BAD_OPTIONS], ids=[b[0] for b in BAD_OPTIONS]
)
def test_bad_gradient_scales_drift_or_keep_effective_lrs_get_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        sweep(ll.Adam(lr=0.1), ll.ravine(10), 5, **kwargs)


# ----------------------------------------------------------------------------------------------------
# side_by_side: every problem runs as sweep runs it alone


# the testbed (one 1-D problem among 2-D ones), the quadratics of lesson 05, and a 5-D quadratic
SIDE_BY_SIDE = [
    *ll.testbed().values(),
    *defect_quadratics(100, 10).values(),
    ll.quadratic(np.diag(np.geomspace(1.0, 50.0, 5)), name="5-D"),
]


def _same_sweep(got, alone):
    assert got.problem is alone.problem
    np.testing.assert_array_equal(got.steps, alone.steps)
    np.testing.assert_array_equal(got.diverged_steps, alone.diverged_steps)
    assert got.grid.keys() == alone.grid.keys()
    for name in got.grid:
        np.testing.assert_array_equal(got.grid[name], alone.grid[name])
    for a, b in [(got.points, alone.points), (got.losses, alone.losses)]:
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)  # bit for bit, NaN where both diverged


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o.label())
def test_each_problem_runs_bit_for_bit_as_sweep_runs_it_alone(optimizer):
    starts = [p.random_starts(4, seed=i) for i, p in enumerate(SIDE_BY_SIDE)]
    lrs = [optimizer.lr / 3, optimizer.lr, 3 * optimizer.lr, 30 * optimizer.lr]
    together = side_by_side(optimizer, SIDE_BY_SIDE, 60, starts, grid={"lr": lrs})
    assert len(together) == len(SIDE_BY_SIDE)
    for p, x0, got in zip(SIDE_BY_SIDE, starts, together, strict=True):
        _same_sweep(got, sweep(optimizer, p, 60, x0, grid={"lr": lrs}))
    assert not all(s.diverged.all() for s in together)
    if isinstance(optimizer, (ll.GradientDescent, ll.Momentum)):  # 30 lr is beyond 2/L on some problems
        assert any(s.diverged.any() for s in together)


@pytest.mark.parametrize(
    ("optimizer", "second"),
    [
        (ll.GradientDescent(lr=0.05), {}),
        (ll.Momentum(lr=0.05), {"beta": [0.9, 0.5]}),
        (ll.Adagrad(lr=0.5, eps_in_sqrt=True), {"eps": [1e-8, 1e-4]}),
        (ll.RMSProp(lr=0.01, momentum=0.9), {"beta": [0.9, 0.99]}),
        (ll.Adam(lr=0.1), {"beta1": [0.9, 0.0]}),
    ],
    ids=lambda v: v.label() if isinstance(v, ll.Optimizer) else ",".join(v),
)
def test_each_problem_can_have_its_own_grid(optimizer, second):
    # learning rates on each problem's scale 1/L, as lesson 05's race gives them; with a second axis or not
    problems = [ll.ravine(10), ll.rosenbrock(), ll.double_well(), ll.rotated_ravine(100)]
    starts = [p.random_starts(3, seed=5) for p in problems]
    grids = [{"lr": [0.3 / p.L, 1.0 / p.L, 1.9 / p.L], **second} for p in problems]
    together = side_by_side(optimizer, problems, 40, starts, grid=grids, every=3)
    for p, x0, grid, got in zip(problems, starts, grids, together, strict=True):
        _same_sweep(got, sweep(optimizer, p, 40, x0, grid=grid, every=3))
        assert got.grid_shape == ((3, 2) if second else (3,))


def test_a_diverging_problem_leaves_the_others_untouched():
    # lr = 0.05 is stable on the ravine (2/L = 0.2) and far too large for Rosenbrock (L about 1000)
    problems = [ll.rosenbrock(), ll.ravine(10)]
    starts = [p.random_starts(5, seed=1) for p in problems]
    rosen, ravine = side_by_side(ll.GradientDescent(lr=0.05), problems, 40, starts)
    assert rosen.diverged.all() and not ravine.diverged.any()
    alone = ll.run(ll.GradientDescent(lr=0.05), problems[1], 40, starts[1])
    np.testing.assert_array_equal(ravine.points, alone.points)
    assert np.isnan(rosen.points[-1]).all()
    d = int(rosen.diverged_steps[0])
    assert np.isfinite(rosen.losses[d, 0]) and np.isnan(rosen.losses[d + 1 :, 0]).all()
    # the same rule and the same step as run, alone on Rosenbrock
    np.testing.assert_array_equal(
        rosen.diverged_steps, ll.run(ll.GradientDescent(lr=0.05), problems[0], 40, starts[0]).diverged_steps
    )


def test_side_by_side_records_every_few_steps_the_same_records():
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
    np.testing.assert_array_equal(out[1].points, ll.run(ll.Momentum(lr=0.1), problems[1], 5).points)


def test_the_seconds_are_those_of_the_whole_run():
    problems = [ll.ravine(10), ll.saddle()]
    out = side_by_side(ll.Adam(lr=0.1), problems, 50, [p.random_starts(5) for p in problems])
    assert out[0].seconds > 0 and out[0].seconds == out[1].seconds


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (("not an optimizer", [ll.ravine()], 5, [[1.0, 1.0]]), {}, TypeError, "optimizer must be"),
        ((ll.Adam(lr=0.1), [], 5, []), {}, ValueError, "at least one problem"),
        (
            (ll.Adam(lr=0.1), ["ravine"], 5, [[1.0, 1.0]]),
            {},
            TypeError,
            "must be a lessons_lib Problem, got str",
        ),
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
        (
            (ll.Adam(lr=0.1), [ll.ravine(), ll.saddle()], 5, [[1.0, 1.0], [1.0, 1.0]]),
            {"grid": [{"lr": [0.1]}]},
            ValueError,
            "one grid per problem: 2, got 1",
        ),
        (
            (ll.Adam(lr=0.1), [ll.ravine(), ll.saddle()], 5, [[1.0, 1.0], [1.0, 1.0]]),
            {"grid": [{"lr": [0.1]}, {"lr": [0.1, 0.2]}]},
            ValueError,
            "the same names and numbers of values",
        ),
        (
            (ll.Adam(lr=0.1), [ll.ravine(), ll.saddle()], 5, [[1.0, 1.0], [1.0, 1.0]]),
            {"grid": [{"lr": [0.1]}, {"beta1": [0.9]}]},
            ValueError,
            "the same names and numbers of values",
        ),
    ],
)
def test_side_by_side_bad_input_is_named(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        side_by_side(*args, **kwargs)


def test_the_benchmarks_hand_written_loop_does_the_work_sweep_does():
    """`make bench` times sweep against benchmarks/sweep_speed.py's loop: they must do the same work."""
    spec = importlib.util.spec_from_file_location(
        "sweep_speed", Path(__file__).resolve().parents[1] / "benchmarks" / "sweep_speed.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    (hand_points, hand_losses), (points, losses) = bench.by_hand(), bench.with_sweep()
    np.testing.assert_allclose(points, hand_points, rtol=1e-12, atol=0)
    np.testing.assert_allclose(losses, hand_losses, rtol=1e-12, atol=0)
    assert np.isfinite(points).all()  # no run diverges: both do all the arithmetic of every step


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
# A learning-rate schedule over a grid: each run is run() with the same schedule


SCHEDULE_STEPS = 60
SCHEDULE = ll.warmup(SCHEDULE_STEPS, warmup_steps=10, then=ll.cosine_decay(SCHEDULE_STEPS, final=0.1))
SCHEDULED = [*OPTIMIZERS, ll.AdamW(lr=0.1, weight_decay=0.5)]


@pytest.mark.parametrize("optimizer", SCHEDULED, ids=lambda o: o.label())
@pytest.mark.parametrize("problem", [ll.ravine(10), ll.rosenbrock()], ids=lambda p: p.name.split("(")[0])
def test_a_schedule_scales_every_lr_of_the_grid_as_run_does_one(optimizer, problem):
    x0 = problem.random_starts(4, seed=5)
    lrs = [optimizer.lr / 4, optimizer.lr, 8 * optimizer.lr]  # the largest diverges for some
    s = sweep(optimizer, problem, SCHEDULE_STEPS, x0, grid={"lr": lrs}, schedule=SCHEDULE)
    for i, lr in enumerate(lrs):
        t = ll.run(optimizer.replace(lr=lr), problem, SCHEDULE_STEPS, x0, schedule=SCHEDULE)
        np.testing.assert_array_equal(s.diverged_steps[i], t.diverged_steps)
        np.testing.assert_array_equal(s.points[:, i], t.points)
        np.testing.assert_array_equal(s.losses[:, i], t.losses)
    plain = sweep(optimizer, problem, SCHEDULE_STEPS, x0, grid={"lr": lrs})
    assert not np.array_equal(plain.points, s.points, equal_nan=True)  # the schedule did something


@pytest.mark.parametrize(
    ("optimizer", "name", "values"),
    [
        (ll.Momentum(lr=0.05), "beta", [0.0, 0.9]),
        (ll.RMSProp(lr=0.05), "eps", [1e-8, 1e-2]),
        (ll.Adam(lr=0.05), "beta2", [0.9, 0.999]),
        (ll.AdamW(lr=0.05), "weight_decay", [0.0, 2.0]),
    ],
)
def test_a_schedule_over_a_two_axis_grid_with_effective_lrs(optimizer, name, values):
    p = ll.rotated_ravine(10)
    x0 = p.random_starts(3, seed=0)
    lrs = [0.01, 0.05]
    s = sweep(
        optimizer,
        p,
        SCHEDULE_STEPS,
        x0,
        grid={"lr": lrs, name: values},
        schedule=SCHEDULE,
        keep_effective_lrs=True,
    )
    for i, lr in enumerate(lrs):
        for j, value in enumerate(values):
            setting = optimizer.replace(lr=lr, **{name: value})
            t = ll.run(setting, p, SCHEDULE_STEPS, x0, schedule=SCHEDULE, keep_states=True)
            np.testing.assert_allclose(s.points[:, i, j], t.points, rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(s.effective_lrs[1:, i, j], t.effective_lrs, rtol=1e-12)


@pytest.mark.parametrize("optimizer", SCHEDULED, ids=lambda o: o.label())
def test_a_schedule_of_ones_is_the_sweep_without_one_bit_for_bit(optimizer):
    p = ll.noisy(ll.ravine(10), sigma=0.5)
    x0 = p.random_starts(3, seed=1)
    options = dict(
        grid={"lr": [optimizer.lr / 2, optimizer.lr]},
        seed=4,
        every=3,
        keep_effective_lrs=True,
        gradient_scales=[0.1, 1.0],
    )
    plain = sweep(optimizer, p, 40, x0, **options)
    ones = sweep(optimizer, p, 40, x0, schedule=np.ones(40), **options)
    for a, b in [
        (plain.points, ones.points),
        (plain.losses, ones.losses),
        (plain.effective_lrs, ones.effective_lrs),
        (plain.diverged_steps, ones.diverged_steps),
    ]:
        np.testing.assert_array_equal(a, b)
    for a, b in zip(plain.state, ones.state, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", [ll.Adam(lr=0.1), ll.Momentum(lr=0.05)], ids=lambda o: o.label())
def test_a_scheduled_noisy_sweep_draws_what_the_scheduled_run_draws(optimizer):
    problem = ll.noisy(ll.ravine(10), sigma=0.5)
    x0 = problem.random_starts(4, seed=0)
    schedule = ll.step_decay(30, every=10, factor=0.5)
    s = sweep(optimizer, problem, 30, x0, grid={"lr": [optimizer.lr]}, seed=7, schedule=schedule)
    t = ll.run(optimizer, problem, 30, x0, seed=7, schedule=schedule)
    np.testing.assert_array_equal(s.points[:, 0], t.points)


def test_a_schedule_is_checked_at_every_corner_of_the_grid():
    p = ll.ravine(10)
    schedule = np.r_[np.ones(4), 2.0]
    sweep(ll.AdamW(lr=0.1, weight_decay=1.0), p, 5, grid={"lr": [0.1, 0.4]}, schedule=schedule)  # 0.8 < 1
    with pytest.raises(
        ValueError,
        match=r"sweep: every learning rate of the schedule must be one AdamW "
        r"accepts, got lr = 0\.5 times 2\.0, and then: AdamW: lr \* weight_decay must be < 1",
    ):
        sweep(ll.AdamW(lr=0.1, weight_decay=1.0), p, 5, grid={"lr": [0.1, 0.5]}, schedule=schedule)
    with pytest.raises(ValueError, match=r"got lr = 0\.3 times 2\.0, and then: AdamW: lr \* weight_decay"):
        sweep(ll.AdamW(lr=0.1), p, 5, grid={"lr": [0.1, 0.3], "weight_decay": [0.0, 2.0]}, schedule=schedule)
    with pytest.raises(
        ValueError,
        match=r"sweep: schedule must hold one learning-rate multiplier per step, "
        r"shape \(5,\), got shape \(6,\)",
    ):
        sweep(ll.Adam(lr=0.1), p, 5, grid={"lr": [0.1, 0.3]}, schedule=np.ones(6))
