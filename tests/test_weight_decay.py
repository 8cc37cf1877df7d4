"""Decoupled weight decay (AdamW) and the L2 penalty (with_l2): closed forms, hand-written steps, and where
the two coincide (gradient descent) and where they part (Adam divides the L2 decay by sqrt(v_hat)).

The references are independent of the code they check: hand-written transcriptions of PyTorch's order (decay
the point, then Adam's step with the gradient of the old point), closed forms (pure decay with no gradient,
the fixed points under a constant gradient) and finite differences. Tolerances are tight (1e-12) wherever the
arithmetic allows.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lessons_lib as ll
from lessons_lib import (
    Adam,
    AdamW,
    GradientDescent,
    Problem,
    adam_update,
    adamw_update,
    double_well_2d,
    noisy,
    quadratic,
    ravine,
    rosenbrock,
    rotated_ravine,
    run,
    with_l2,
)
from lessons_lib.optimizers import AdamState
from lessons_lib.sweeps import sweep


def linear(slope, bound=200.0):
    """f(x) = slope · x: a constant gradient (slope 0: a flat loss, whose gradient is 0 everywhere)."""
    slope = np.asarray(slope, dtype=float)
    return Problem(
        name="linear",
        f=lambda x: np.asarray(x) @ slope,
        grad=lambda x: np.broadcast_to(slope, np.shape(x)).copy(),
        x0=np.zeros(slope.size),
        bounds=tuple((-bound, bound) for _ in range(slope.size)),
    )


def gradient_sequence(seed, n, d):
    """Seeded gradients whose sizes span 1e-3 .. 1e3, per coordinate and over time."""
    rng = np.random.default_rng(seed)
    exponent = np.linspace(-3, 3, d)[None, :] + 2 * np.sin(np.arange(n) / 37.0)[:, None]
    return rng.standard_normal((n, d)) * 10 ** np.clip(exponent, -3, 3)


def steps(opt, x, grads):
    """One step per gradient in ``grads``; the points (first = x) and the last state."""
    state = opt.init(x)
    xs = [np.asarray(x, dtype=float)]
    for g in grads:
        x, state = opt.step(x, g, state)
        xs.append(x)
    return np.array(xs), state


# ----------------------------------------------------------------------------------------------------
# AdamW: the rule


def test_weight_decay_zero_is_adam_step_for_step():
    grads = gradient_sequence(0, 300, 4)
    for kw in (dict(lr=0.01), dict(lr=0.1, beta1=0.0, beta2=0.9, eps=1e-3)):
        xs_w, state_w = steps(AdamW(**kw, weight_decay=0.0), np.ones(4), grads)
        xs_a, state_a = steps(Adam(**kw), np.ones(4), grads)
        np.testing.assert_array_equal(xs_w, xs_a)
        np.testing.assert_array_equal(state_w.m, state_a.m)
        np.testing.assert_array_equal(state_w.v, state_a.v)
    # ...and where the gradients feed back (a quadratic), run by run.
    p = rotated_ravine(10)
    starts = p.random_starts(5, seed=1)
    w = run(AdamW(lr=0.05, weight_decay=0.0), p, 200, x0=starts).points
    np.testing.assert_array_equal(w, run(Adam(lr=0.05), p, 200, x0=starts).points)


@pytest.mark.parametrize(("lr", "wd"), [(0.1, 0.01), (0.01, 0.5), (0.5, 1.9), (1e-3, 1e-4)])
def test_with_no_gradient_the_point_decays_geometrically(lr, wd):
    """Where g = 0, m = v = 0 and Adam's step is 0: x_t = x_0 (1 - lr wd)**t."""
    x0 = np.array([3.0, -2.0, 1e-3, 0.0])
    n = 200
    xs, state = steps(AdamW(lr=lr, weight_decay=wd), x0, np.zeros((n, 4)))
    t = np.arange(n + 1)[:, None]
    np.testing.assert_allclose(xs, x0 * (1 - lr * wd) ** t, rtol=1e-12, atol=0)
    assert not state.m.any() and not state.v.any() and state.t == n
    assert np.all(np.abs(xs[1:]) <= np.abs(xs[:-1]))  # it shrinks, never flips sign


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    lr=st.floats(1e-4, 1.0),
    wd=st.floats(0.0, 0.99),
    betas=st.tuples(st.floats(0.0, 0.999), st.floats(0.0, 0.999)),
    t=st.integers(0, 1000),
)
def test_one_step_by_hand(seed, lr, wd, betas, t):
    """PyTorch's order: x (1 - lr wd), then Adam's step with the g of the old point (any state, any scale)."""
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-3, 3, 5)
    x, g = rng.standard_normal(5) * scale, rng.standard_normal(5) * scale
    m, v = (rng.standard_normal(5) * scale, rng.random(5) * scale**2) if t else (np.zeros(5), np.zeros(5))
    b1, b2, eps = betas[0], betas[1], 1e-8
    x_new, state = AdamW(lr=lr, beta1=b1, beta2=b2, eps=eps, weight_decay=wd).step(x, g, AdamState(m, v, t))
    m1, v1 = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
    step = lr * (m1 / (1 - b1 ** (t + 1))) / (np.sqrt(v1 / (1 - b2 ** (t + 1))) + eps)
    expected = x * (1 - lr * wd) - step
    # Round-off relative to the sizes of the terms, not of the result (they may cancel).
    assert np.all(np.abs(x_new - expected) <= 1e-12 * (np.abs(x) + np.abs(step)))
    assert np.all(np.abs(state.m - m1) <= 1e-14 * (np.abs(m) + np.abs(g)))
    assert np.all(np.abs(state.v - v1) <= 1e-14 * (v + g * g))
    assert state.t == t + 1


def test_the_decay_comes_before_the_step_not_after():
    """Decaying after the step, (x - step)(1 - lr wd), would decay Adam's step too: a different point."""
    x, g = np.array([1.0, -2.0]), np.array([3.0, 0.5])
    lr, wd = 0.1, 0.5
    x_new, _ = AdamW(lr=lr, weight_decay=wd).step(x, g, AdamW(lr=lr).init(x))
    step = lr * np.sign(g) * np.abs(g) / (np.abs(g) + 1e-8)  # Adam's first step
    np.testing.assert_allclose(x_new, x * (1 - lr * wd) - step, rtol=1e-14)
    assert np.all(np.abs(x_new - (x - step) * (1 - lr * wd)) > 1e-3)


def test_the_rule_reuses_adams_and_the_object_takes_its_step():
    rng = np.random.default_rng(5)
    x, g, m, v = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(3), rng.random(3)
    kw = dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    x1, m1, v1 = adamw_update(x, g, m, v, 4, weight_decay=0.3, **kw)
    x2, m2, v2 = adam_update(x - 0.1 * 0.3 * x, g, m, v, 4, **kw)  # (W1), then (D1)-(D4)
    for a, b in ((x1, x2), (m1, m2), (v1, v2)):
        np.testing.assert_array_equal(a, b)
    x3, state = AdamW(weight_decay=0.3, **kw).step(x, g, AdamState(m, v, 3))
    np.testing.assert_array_equal(x3, x1)
    assert state.t == 4
    before = [a.copy() for a in (x, g, m, v)]
    adamw_update(x, g, m, v, 4, weight_decay=0.3, **kw)
    for a, b in zip((x, g, m, v), before, strict=True):
        np.testing.assert_array_equal(a, b)  # nothing mutated


def test_effective_lr_is_adams_factor_on_m_hat_and_the_decay_is_apart():
    opt = AdamW(lr=0.01, beta1=0.9, beta2=0.99, weight_decay=0.2)
    grads = gradient_sequence(7, 30, 3)
    x, state = np.ones(3), opt.init(np.ones(3))
    assert np.all(np.isnan(opt.effective_lr(x, state)))
    for g in grads:
        x_new, state = opt.step(x, g, state)
        m_hat = state.m / (1 - 0.9**state.t)
        v_hat = state.v / (1 - 0.99**state.t)
        eff = opt.effective_lr(x_new, state)
        np.testing.assert_allclose(eff, 0.01 / (np.sqrt(v_hat) + 1e-8), rtol=1e-14)
        np.testing.assert_allclose(x * (1 - 0.01 * 0.2) - x_new, eff * m_hat, rtol=1e-9, atol=1e-15)
        x = x_new


def test_what_the_object_says_about_itself():
    opt = AdamW(lr=0.1)
    assert repr(opt) == "AdamW(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01)"
    assert opt.label() == "AdamW(lr=0.1)"
    assert AdamW(lr=0.1, weight_decay=0.2).label() == "AdamW(lr=0.1, weight_decay=0.2)"
    assert opt != Adam(lr=0.1) and AdamW(lr=0.1, weight_decay=0.0) != Adam(lr=0.1)
    assert opt.State is AdamState and opt.squares == ("v",)
    assert opt.sweepable == ("lr", "beta1", "beta2", "eps", "weight_decay")
    assert {k: v for k, v in opt.ranges.items() if k != "weight_decay"} == Adam.ranges
    assert opt.max_stable_lr(10.0) is None
    assert opt.replace(weight_decay=0.5) == AdamW(lr=0.1, weight_decay=0.5)
    # Every pair of slider ends is a valid optimizer: lr * weight_decay stays below 1.
    lr_range, wd_range = opt.ranges["lr"], opt.ranges["weight_decay"]
    assert wd_range.low == 0.0 and lr_range.high * wd_range.high < 1
    for lr in (lr_range.low, lr_range.high):
        for wd in (wd_range.low, wd_range.high):
            AdamW(lr=lr, weight_decay=wd)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(lr=0.1, weight_decay=-0.01), "AdamW: weight_decay must be finite and >= 0, got -0.01."),
        (dict(lr=0.1, weight_decay=math.inf), "AdamW: weight_decay must be finite and >= 0, got inf."),
        (dict(lr=0.5, weight_decay=2.0), "AdamW: lr * weight_decay must be < 1, got 0.5 * 2.0 = 1."),
        (dict(lr=1.0, weight_decay=3.0), "AdamW: lr * weight_decay must be < 1, got 1.0 * 3.0 = 3."),
        (dict(lr=0.1, beta2=1.0), "AdamW: beta2 must be in [0, 1), got 1.0."),
        (dict(lr=-0.1), "AdamW: lr must be finite and > 0, got -0.1."),
    ],
)
def test_bad_hyperparameters_are_refused_with_a_reason(kwargs, message):
    with pytest.raises(ValueError) as info:
        AdamW(**kwargs)
    text = str(info.value)
    assert text.startswith(message)
    assert len(text) > len(message) + 15 and text.endswith(".")  # ...and a sentence that says why
    with pytest.raises(ValueError, match=r"AdamW: lr \* weight_decay must be < 1"):
        AdamW(lr=0.1).replace(lr=0.5, weight_decay=2.0)


# ----------------------------------------------------------------------------------------------------
# Batched: hyperparameters that are arrays, as sweep runs them


def test_an_lr_and_weight_decay_grid_runs_each_setting_as_run_runs_it():
    problem = rotated_ravine(10)
    x0 = problem.random_starts(3, seed=0)
    opt = AdamW(lr=0.05, weight_decay=0.1)
    lrs, wds = [0.01, 0.05], [0.0, 0.1, 1.0]
    s = sweep(opt, problem, 30, x0, grid={"lr": lrs, "weight_decay": wds})
    assert s.points.shape == (31, 2, 3, 3, 2)
    for i, lr in enumerate(lrs):
        for j, wd in enumerate(wds):
            expected = run(opt.replace(lr=lr, weight_decay=wd), problem, 30, x0).points
            np.testing.assert_allclose(s.points[:, i, j], expected, rtol=1e-13, atol=1e-15)
            assert s.setting(i, j) == AdamW(lr=lr, weight_decay=wd)
    np.testing.assert_array_equal(s.points[:, 1, 0], run(Adam(lr=0.05), problem, 30, x0).points)


def test_update_takes_a_weight_decay_array_that_broadcasts_against_x():
    """What ``sweepable`` promises: update() with one weight_decay per row is the scalar steps, row by row."""
    wds = np.array([0.0, 0.3, 3.0])
    batched = AdamW(lr=0.1)
    object.__setattr__(batched, "weight_decay", wds[:, None])  # as sweeps does, past validation
    grads = gradient_sequence(3, 20, 2)
    x = np.tile([1.0, -2.0], (3, 1))
    state = batched.init(x)
    for g in grads:
        x, state = batched.update(x, np.tile(g, (3, 1)), state)
    for i, wd in enumerate(wds):
        xs_i, state_i = steps(AdamW(lr=0.1, weight_decay=wd), np.array([1.0, -2.0]), grads)
        np.testing.assert_array_equal(x[i], xs_i[-1])
        np.testing.assert_array_equal(state.v[i], state_i.v)


# ----------------------------------------------------------------------------------------------------
# Decoupled decay against the L2 penalty


@pytest.mark.parametrize("problem", [ravine(10), rosenbrock(), double_well_2d()], ids=lambda p: p.name)
def test_for_gradient_descent_decoupled_decay_is_the_l2_penalty(problem):
    """x - lr wd x - lr g(x) = x - lr (g(x) + wd x): the same points, with the decay in the loss or not."""
    lr, wd = 2e-4, 2.0  # lr below 2 / L over the plot region of each
    starts = problem.random_starts(4, seed=0)
    l2 = run(GradientDescent(lr=lr), with_l2(problem, wd), 100, x0=starts).points
    x, points = starts.copy(), [starts]
    for _ in range(100):
        g = problem.grad(x)  # at the point before the decay
        x = x - lr * wd * x  # (W1)
        x = x - lr * g  # (G1)
        points.append(x)
    np.testing.assert_allclose(l2, points, rtol=1e-12, atol=1e-13)
    assert np.abs(l2[-1] - run(GradientDescent(lr=lr), problem, 100, x0=starts).points[-1]).max() > 1e-3


def test_adam_divides_the_l2_decay_by_sqrt_v_hat_and_adamw_does_not():
    """One step on a flat loss, after gradients of size 100 on x1 and 0.01 on x2: only the decay moves x.

    AdamW takes lr * wd * x off both coordinates. Adam + L2 sees the gradient wd * x and divides it by
    sqrt(v_hat): x1, with large gradients, is decayed a hundred times less, x2 tens of times more.
    """
    lr, wd, b2, eps = 0.01, 0.1, 0.999, 1e-8
    history = np.random.default_rng(0).choice([-1.0, 1.0], size=(50, 2)) * [100.0, 0.01]
    adam = Adam(lr=lr, beta1=0.0, beta2=b2, eps=eps)  # beta1 = 0: m is this step's gradient
    adamw = AdamW(lr=lr, beta1=0.0, beta2=b2, eps=eps, weight_decay=wd)
    _, state = steps(adam, np.zeros(2), history)
    x = np.array([1.0, 1.0])
    flat = linear([0.0, 0.0])

    x_l2, state_l2 = adam.step(x, with_l2(flat, wd).grad(x), state)
    x_w, _ = adamw.step(x, flat.grad(x), state)
    v_hat = state_l2.v / (1 - b2**state_l2.t)
    np.testing.assert_allclose(x - x_w, lr * wd * x, rtol=1e-14)
    np.testing.assert_allclose(x - x_l2, lr * wd * x / (np.sqrt(v_hat) + eps), rtol=1e-9)  # 1 - (1 - 1e-5)
    ratio = (x - x_l2) / (x - x_w)
    assert ratio[0] < 0.02 and ratio[1] > 20
    np.testing.assert_allclose(ratio[0], 1 / 100, rtol=0.05)  # sqrt(v_hat) is about |g| = 100


def test_under_a_constant_gradient_adamw_holds_every_coordinate_at_one_over_wd():
    """f = a·x, a = (10, 0.1). Adam + L2 minimises a·x + wd/2 |x|^2: x = -a / wd, 10**4 times further out on
    the steep coordinate. AdamW stops where the decay lr wd x cancels Adam's step lr a / (|a| + eps): at
    -sign(a) / wd on both, whatever the slope."""
    a, lr, wd = np.array([10.0, 0.1]), 0.1, 0.1
    p = linear(a)
    w = run(AdamW(lr=lr, weight_decay=wd), p, 3000).points
    np.testing.assert_allclose(w[-1], -a / (np.abs(a) + 1e-8) / wd, rtol=1e-8)
    l2 = run(Adam(lr=lr), with_l2(p, wd), 3000).points
    np.testing.assert_allclose(l2[-1], -a / wd, rtol=1e-3)


def test_adamw_and_adam_with_l2_part_in_general_and_agree_at_zero():
    p = rotated_ravine(10)
    starts = p.random_starts(5, seed=3)
    for wd in (0.1, 1.0):
        w = run(AdamW(lr=0.05, weight_decay=wd), p, 200, x0=starts).points
        l2 = run(Adam(lr=0.05), with_l2(p, wd), 200, x0=starts).points
        assert np.abs(w - l2).max() > 0.05
    w = run(AdamW(lr=0.05, weight_decay=0.0), p, 200, x0=starts).points
    np.testing.assert_array_equal(w, run(Adam(lr=0.05), with_l2(p, 0.0), 200, x0=starts).points)


# ----------------------------------------------------------------------------------------------------
# with_l2: the penalised problem


@pytest.fixture(scope="module")
def logreg():
    return ll.logistic_regression(standardize=True)


PROBLEMS = {
    "ravine": ravine(10),
    "rotated ravine": rotated_ravine(30, 20),
    "quadratic 3-D": quadratic([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]),
    "Rosenbrock": rosenbrock(),
    "double well 2-D": double_well_2d(),
    "noisy ravine": noisy(ravine(10), sigma=2.0),
}
NAMES = [*PROBLEMS, "logreg"]


def problem_named(request, name):
    return request.getfixturevalue("logreg") if name == "logreg" else PROBLEMS[name]


def fd_grad(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("l2", [0.0, 0.3, 5.0])
def test_gradient_and_hessian_against_finite_differences(request, name, l2):
    base = problem_named(request, name)
    p = with_l2(base, l2)
    for x in np.vstack([base.x0, base.random_starts(3, seed=1)]):
        g = p.grad(x)
        scale = max(1.0, float(np.abs(g).max()))
        np.testing.assert_allclose(g, fd_grad(p.f, x), rtol=1e-6, atol=1e-6 * scale)
        np.testing.assert_allclose(g, base.grad(x) + l2 * x, rtol=1e-15)
        assert p.f(x) == pytest.approx(base.f(x) + l2 / 2 * x @ x, rel=1e-14)
        if base.hessian is not None:
            H = p.hessian(x)
            np.testing.assert_allclose(H, base.hessian(x) + l2 * np.eye(base.dim), rtol=1e-15, atol=1e-15)
            fd = np.array([fd_grad(lambda y, i=i: p.grad(y)[i], x) for i in range(base.dim)])
            np.testing.assert_allclose(H, fd, rtol=1e-5, atol=1e-6 * max(1.0, float(np.abs(H).max())))


@pytest.mark.parametrize("name", NAMES)
def test_batches_equal_rows_one_by_one(request, name):
    p = with_l2(problem_named(request, name), 0.7)
    xs = p.random_starts(6, seed=3)
    fs, gs = p.f(xs), p.grad(xs)
    assert fs.shape == (6,) and gs.shape == (6, p.dim)
    for i, x in enumerate(xs):
        np.testing.assert_allclose(fs[i], p.f(x), rtol=1e-13)
        np.testing.assert_allclose(gs[i], p.grad(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        p.grad(xs.reshape(2, 3, p.dim)), gs.reshape(2, 3, p.dim), rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(p.f(xs.reshape(3, 2, p.dim)), fs.reshape(3, 2), rtol=1e-13)


@pytest.mark.parametrize("name", ["noisy ravine", "logreg"])
def test_noisy_gradients_are_the_same_draws_plus_l2_x(request, name):
    base = problem_named(request, name)
    p = with_l2(base, 0.25)
    assert p.stochastic
    for x in (base.x0, base.random_starts(4, seed=2)):
        drawn = base.sample_grad(x, np.random.default_rng(7))
        np.testing.assert_allclose(p.sample_grad(x, np.random.default_rng(7)), drawn + 0.25 * x, rtol=1e-15)


def test_a_quadratic_keeps_its_minimiser_and_its_curvatures_rise_by_l2():
    base = quadratic([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    before = base.info["H"].copy()
    p = with_l2(base, 0.4)
    H = before + 0.4 * np.eye(3)
    np.testing.assert_array_equal(p.info["H"], H)
    np.testing.assert_array_equal(base.info["H"], before)  # the original is untouched
    eig = np.linalg.eigvalsh(H)
    assert p.mu == pytest.approx(eig[0], rel=1e-12) and p.L == pytest.approx(eig[-1], rel=1e-12)
    assert (p.mu, p.L) == (base.mu + 0.4, base.L + 0.4)
    np.testing.assert_array_equal(p.minimizer, np.zeros(3))
    assert p.f_min == 0.0 == p.f(p.minimizer) and not p.grad(p.minimizer).any()
    assert np.all(p.f(p.random_starts(500)) > 0)
    # The same problem as the quadratic of H + l2 I.
    xs = base.random_starts(5, seed=4)
    same = quadratic(H)
    np.testing.assert_allclose(p.f(xs), same.f(xs), rtol=1e-14)
    np.testing.assert_allclose(p.grad(xs), same.grad(xs), rtol=1e-14)


def test_a_minimiser_off_the_origin_moves_so_it_is_no_longer_claimed():
    base = rosenbrock()
    p = with_l2(base, 0.1)
    assert p.minimizer is None and p.f_min is None and p.mu is None and p.L is None
    assert with_l2(double_well_2d(), 0.1).local_minima == ()
    with pytest.raises(ValueError, match="the minimum is not known"):
        p.gap(base.x0)
    # l2 = 0 changes nothing, so everything is kept.
    same = with_l2(double_well_2d(), 0.0)
    np.testing.assert_array_equal(same.minimizer, double_well_2d().minimizer)
    assert same.f_min == double_well_2d().f_min and len(same.local_minima) == 1
    assert same.mu == double_well_2d().mu


def test_name_info_and_the_rest_are_kept():
    base = noisy(ravine(10), sigma=0.5)
    p = with_l2(base, 0.01)
    assert p.name == "noisy ravine(κ=10) (σ=0.5) + L2(0.01)"
    assert with_l2(ravine(10), 0.01).name == "ravine(κ=10) + L2(0.01)"
    assert p.info["sigma"] == 0.5 and p.info["added_l2"] == 0.01
    np.testing.assert_array_equal(p.x0, base.x0)
    assert p.bounds == base.bounds and p.description == base.description
    twice = with_l2(with_l2(ravine(10), 0.25), 0.5)
    once = with_l2(ravine(10), 0.75)
    assert twice.info["added_l2"] == 0.75 and (twice.mu, twice.L) == (once.mu, once.L)
    xs = ravine(10).random_starts(4)
    np.testing.assert_allclose(twice.grad(xs), once.grad(xs), rtol=1e-15)
    np.testing.assert_array_equal(twice.info["H"], once.info["H"])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: with_l2("ravine", 0.1),
            TypeError,
            "with_l2: problem must be a lessons_lib Problem, got str",
        ),
        (lambda: with_l2(ravine(), -0.1), ValueError, "with_l2: l2 must be finite and >= 0, got -0.1."),
        (lambda: with_l2(ravine(), math.inf), ValueError, "with_l2: l2 must be finite and >= 0, got inf."),
        (lambda: with_l2(ravine(), math.nan), ValueError, "with_l2: l2 must be a number, got nan."),
        (lambda: with_l2(ravine(), "0.1"), TypeError, "with_l2: l2 must be a real number, got '0.1'"),
        (lambda: with_l2(ravine(), True), TypeError, "with_l2: l2 must be a real number, got True"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message)
