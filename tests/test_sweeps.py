"""sweep(): a grid of hyperparameters for any optimizer, checked run by run against run(); side_by_side():
several problems as one array, checked bit for bit against sweep() on each problem alone."""

import warnings

import numpy as np
import pytest

import lessons_lib as ll
from lessons_lib.races import defect_quadratics
from lessons_lib.sweeps import Sweep, side_by_side, sweep

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
    np.testing.assert_allclose(a.points[:, :, 0], b.points, rtol=1e-14, atol=1e-14)


def test_stochastic_sweep_with_one_setting_draws_what_run_draws():
    problem = ll.noisy(ll.ravine(10), sigma=0.5)
    x0 = problem.random_starts(4, seed=0)
    s = sweep(ll.Adam(lr=0.1), problem, 30, x0, grid={"lr": [0.1]}, seed=7)
    t = ll.run(ll.Adam(lr=0.1), problem, 30, x0, seed=7)
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


def test_wrong_types_are_named():
    with pytest.raises(TypeError, match="optimizer must be a lessons_lib optimizer, got str"):
        sweep("adam", ll.ravine(10), 3)
    with pytest.raises(TypeError, match="problem must be a lessons_lib Problem, got dict"):
        sweep(ll.Adam(lr=0.1), {}, 3)
    with pytest.raises(ValueError, match="one index per swept hyperparameter"):
        sweep(ll.Adam(lr=0.1), ll.ravine(10), 1, grid={"lr": [0.1]}).setting(0, 0)


def test_sweep_is_exported_type():
    assert isinstance(sweep(ll.Adam(lr=0.1), ll.ravine(10), 1), Sweep)


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
    assert np.isfinite(rosen.losses[d - 1, 0]) and np.isnan(rosen.losses[d:, 0]).all()


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
