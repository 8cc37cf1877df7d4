"""lessons_lib.scaling (lesson 04): batched runs against the optimizer objects, closed forms against
hand-computed values and independent simulations, reductions against hand-made trajectories."""

import warnings

import numpy as np
import pytest

from lessons_lib import (
    Adagrad,
    GradientDescent,
    RMSProp,
    noisy,
    quadratic,
    ravine,
    rotated_ravine,
    run,
    saddle,
)
from lessons_lib.experiments import run_grid
from lessons_lib.scaling import (
    divided_steps,
    escape_steps,
    halving_gradient,
    run_adaptive_grid,
    run_rescaled,
    saddle_starts,
    steady_step,
)

# ----------------------------------------------------------------------------------------------------
# run_adaptive_grid against the optimizer objects


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
def test_grid_equals_rmsprop_for_every_setting(options):
    p = rotated_ravine(10)
    starts = p.random_starts(7, seed=2)
    lrs, betas = [0.01, 0.05], [0.5, 0.9, 0.99]
    grid = run_adaptive_grid(p, lrs, starts, 30, betas=betas, keep_effective_lrs=True, **options)
    assert grid.points.shape == (31, 2, 3, 7, 2)
    assert grid.effective_lrs.shape == (30, 2, 3, 7, 2)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            t = run(RMSProp(lr=lr, beta=beta, **options), p, 30, x0=starts, keep_states=True)
            np.testing.assert_allclose(grid.points[:, i, j], t.points, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(grid.effective_lrs[:, i, j], t.effective_lrs, rtol=1e-12)


@pytest.mark.parametrize("eps_in_sqrt", [False, True])
def test_grid_equals_adagrad(eps_in_sqrt):
    p = ravine(10)
    starts = p.random_starts(5, seed=4)
    grid = run_adaptive_grid(p, [0.3, 3.0], starts, 25, adagrad=True, eps=1e-3, eps_in_sqrt=eps_in_sqrt)
    assert grid.points.shape == (26, 2, 1, 5, 2)
    assert grid.effective_lrs is None
    for i, lr in enumerate([0.3, 3.0]):
        t = run(Adagrad(lr=lr, eps=1e-3, eps_in_sqrt=eps_in_sqrt), p, 25, x0=starts)
        np.testing.assert_allclose(grid.points[:, i, 0], t.points, rtol=1e-12, atol=1e-12)


def test_first_rmsprop_step_is_lr_over_root_of_one_minus_beta_whatever_the_gradient():
    p = quadratic(np.diag([1e-6, 1.0, 1e6]), x0=[1.0, -1.0, 1.0])
    lrs, betas = np.array([0.01, 0.1]), np.array([0.0, 0.9, 0.99])
    g = p.grad(p.x0)  # 1e-6, -1, 1e6
    lr, root = lrs[:, None, None], np.sqrt(1 - betas)[None, :, None]
    points = run_adaptive_grid(p, lrs, p.x0, 1, betas=betas, eps=0.0).points
    np.testing.assert_allclose(points[0] - points[1], lr / root * np.sign(g), rtol=1e-12)
    points = run_adaptive_grid(p, lrs, p.x0, 1, betas=betas, eps=1e-8).points  # eps shows at g = 1e-6
    np.testing.assert_allclose(points[0] - points[1], lr * g / (root * np.abs(g) + 1e-8), rtol=1e-12)


def test_beta_zero_steps_lr_times_the_sign():
    p = ravine(10)
    points = run_adaptive_grid(p, [0.25], [[3.0, -1.0]], 2, betas=[0.0], eps=0.0).points[:, 0, 0, 0]
    np.testing.assert_allclose(points[1], [2.75, -0.75])  # g = (3, -10): x - lr * g / |g|
    np.testing.assert_allclose(points[2], [2.5, -0.5])


def test_drift_first_steps_by_hand():
    # The 1-D loss (x - u t)^2 / 2 from x = 0. Step 1 uses the gradient at time 0, which is 0: no move, and
    # the returned offset is x_1 - u. Step 2 uses the gradient x_1 - u = -u.
    u, lr, beta, eps = 0.01, 0.1, 0.9, 1e-8
    p = quadratic([[1.0]], x0=[0.0])
    points = run_adaptive_grid(p, [lr], p.x0, 2, betas=[beta], eps=eps, drift=[u]).points[:, 0, 0, 0]
    s = (1 - beta) * u**2
    x2 = lr * u / (np.sqrt(s) + eps)
    np.testing.assert_allclose(points, [0.0, -u, x2 - 2 * u], rtol=1e-12)


def test_drift_with_noise_is_seeded_and_matches_a_plain_loop():
    u, sigma, lr, beta = 0.05, 0.5, 0.1, 0.9
    p = noisy(quadratic([[2.0]], x0=[0.0]), sigma=sigma)
    starts = np.array([[0.0], [1.0], [-1.0]])
    a = run_adaptive_grid(p, [lr], starts, 40, betas=[beta], drift=[u], seed=7).points[:, 0, 0]
    b = run_adaptive_grid(p, [lr], starts, 40, betas=[beta], drift=[u], seed=7).points[:, 0, 0]
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(7)  # the same draws, by hand: a gradient of shape (1, 1, 3, 1) per step
    x, s = starts.copy(), np.zeros_like(starts)
    for k in range(1, 41):
        g = 2.0 * (x - (k - 1) * u) + sigma * rng.standard_normal((1, 1, 3, 1))[0, 0]
        s = beta * s + (1 - beta) * g**2
        x = x - lr * g / (np.sqrt(s) + 1e-8)
        np.testing.assert_allclose(a[k], x - k * u, rtol=1e-12, atol=1e-12)


def test_diverging_runs_become_nan_without_warnings():
    p = ravine(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        points = run_adaptive_grid(p, [0.01, 1e9], p.x0, 5).points
    assert np.all(np.isfinite(points[:, 0]))
    assert np.all(np.isnan(points[-1, 1]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lrs": [0.0]}, "every lr must be > 0"),
        ({"lrs": [[0.1]]}, "1-D sequences"),
        ({"betas": [1.0]}, r"beta in \[0, 1\)"),
        ({"adagrad": True, "centered": True}, "options of RMSProp, not of Adagrad"),
        ({"eps": -1.0}, "eps must be finite and >= 0"),
    ],
)
def test_grid_rejects_bad_arguments(kwargs, message):
    args = {"lrs": [0.1], **kwargs}
    with pytest.raises(ValueError, match=message):
        run_adaptive_grid(ravine(10), x0=[1.0, 1.0], steps=2, **args)


# ----------------------------------------------------------------------------------------------------
# run_rescaled


def test_rescaled_gradient_descent_step_is_proportional_to_the_scale():
    p = ravine(10)
    scales = [1e-3, 1.0, 7.0]
    points = run_rescaled(GradientDescent(lr=0.01), p, scales, 1)
    np.testing.assert_allclose(points[1] - points[0], -0.01 * np.outer(scales, p.grad(p.x0)))


def test_rescaled_at_scale_one_is_the_plain_run_and_other_scales_follow_it_up_to_eps():
    p = rotated_ravine(10)
    points = run_rescaled(RMSProp(lr=0.05), p, [1e-2, 1.0, 1e2], 40)
    np.testing.assert_allclose(points[:, 1], run(RMSProp(lr=0.05), p, 40).points, rtol=1e-12, atol=1e-12)
    assert np.max(np.abs(points[:, 0] - points[:, 1])) < 1e-4  # eps = 1e-8 against gradients >= 1e-2 * 1e-2
    assert np.max(np.abs(points[:, 2] - points[:, 1])) < 1e-6
    exact = run_rescaled(RMSProp(lr=0.05, eps=0.0), p, [1e-3, 1.0, 1e3], 40)  # no eps: exactly invariant
    np.testing.assert_allclose(exact[:, 0], exact[:, 1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(exact[:, 2], exact[:, 1], rtol=1e-9, atol=1e-12)


def test_rescaled_marks_divergence_and_batches_starts():
    p = ravine(10)
    starts = p.random_starts(4, seed=0)
    points = run_rescaled(GradientDescent(lr=0.05), p, [1.0, 1e3], 30, x0=starts)
    assert points.shape == (31, 2, 4, 2)
    assert np.all(np.isfinite(points[:, 0]))
    assert np.all(np.isnan(points[-1, 1]))
    with pytest.raises(ValueError, match="scales must be"):
        run_rescaled(GradientDescent(lr=0.05), p, [0.0, 1.0], 3)


# ----------------------------------------------------------------------------------------------------
# Closed forms


@pytest.mark.parametrize("eps_in_sqrt", [False, True])
def test_steady_step_matches_a_long_run_under_a_constant_gradient(eps_in_sqrt):
    # An independent simulation: the optimizer object itself, fed the same gradient 400 times.
    lr, eps = 0.1, 1e-6
    g = np.array([1e-9, 1e-7, 1e-6, 1e-5, 1e-3, 1.0, 1e3])
    opt = RMSProp(lr=lr, beta=0.9, eps=eps, eps_in_sqrt=eps_in_sqrt)
    x, state = np.zeros_like(g), opt.init(g)
    for _ in range(400):
        previous = x
        x, state = opt.step(x, g, state)
    np.testing.assert_allclose(
        previous - x, steady_step(g, lr=lr, eps=eps, eps_in_sqrt=eps_in_sqrt), rtol=1e-9
    )


def test_steady_step_by_hand():
    assert steady_step(1e-8, lr=0.2, eps=1e-8) == pytest.approx(0.1)
    assert steady_step(-3.0, lr=0.2, eps=0.0) == pytest.approx(0.2)  # a size: the sign of g does not matter
    assert steady_step(1e-4, lr=1.0, eps=1e-8, eps_in_sqrt=True) == pytest.approx(1 / np.sqrt(2))
    assert steady_step(1e-4, lr=1.0, eps=1e-8) == pytest.approx(1e-4 / (1e-4 + 1e-8))
    # far below eps it is gradient descent with the learning rate lr / eps
    np.testing.assert_allclose(steady_step([1e-12, 1e-11], lr=1.0, eps=1e-8), [1e-4, 1e-3], rtol=2e-3)


@pytest.mark.parametrize("eps", [1e-10, 1e-8, 1e-7, 1e-3])
@pytest.mark.parametrize("eps_in_sqrt", [False, True])
def test_halving_gradient_halves_the_steady_step(eps, eps_in_sqrt):
    g = halving_gradient(eps, eps_in_sqrt=eps_in_sqrt)
    assert steady_step(g, lr=1.0, eps=eps, eps_in_sqrt=eps_in_sqrt) == pytest.approx(0.5, rel=1e-12)


def test_halving_gradient_values():
    assert halving_gradient(1e-8) == 1e-8
    assert halving_gradient(3e-8, eps_in_sqrt=True) == pytest.approx(1e-4)
    with pytest.raises(ValueError, match="eps must be finite and > 0"):
        halving_gradient(0.0)


# ----------------------------------------------------------------------------------------------------
# divided_steps


def test_divided_steps_by_hand():
    g = np.array([2.0, 2.0])  # EWA with beta = 0.5: of g**2, [2, 3]; of g, [1, 1.5]
    np.testing.assert_allclose(
        divided_steps(g, lr=0.1, beta=0.5, eps=0.0), [-0.2 / np.sqrt(2), -0.2 / np.sqrt(3)]
    )
    np.testing.assert_allclose(
        divided_steps(g, lr=0.1, beta=0.5, divide_by="mean square", eps=0.0), [-0.1, -0.2 / 3]
    )
    np.testing.assert_allclose(
        divided_steps(g, lr=0.1, beta=0.5, divide_by="mean", eps=0.0), [-0.2, -0.2 / 1.5]
    )
    np.testing.assert_allclose(divided_steps(g, lr=0.1, beta=0.5, divide_by="none"), [-0.2, -0.2])


def test_divided_steps_rms_is_rmsprop_and_mean_loses_the_sign_in_a_zigzag():
    grads = (-1.0) ** np.arange(60) * 3.0
    steps = divided_steps(grads, lr=0.1, beta=0.9)
    opt = RMSProp(lr=0.1, beta=0.9)
    x, state, expected = np.zeros(1), opt.init(np.zeros(1)), []
    for g in grads:
        x_new, state = opt.step(x, [g], state)
        expected.append((x_new - x)[0])
        x = x_new
    np.testing.assert_allclose(steps, expected, rtol=1e-12)
    no_square = divided_steps(grads, lr=0.1, beta=0.9, divide_by="mean", eps=0.0)
    assert np.all(no_square[20:] < 0)  # the same direction after every gradient, half of them uphill
    # the average of +-3 is 0.1 * g * (1 - (-0.9)**60) / 1.9: the step is 19 lr, up to the start-up
    np.testing.assert_allclose(no_square[-1], -0.1 * 19 / (1 - 0.9**60), rtol=1e-12)


def test_divided_steps_rejects_an_unknown_denominator():
    with pytest.raises(ValueError, match="divide_by must be"):
        divided_steps([1.0], lr=0.1, beta=0.9, divide_by="root")


# ----------------------------------------------------------------------------------------------------
# Saddle starts and escapes; distances


def test_saddle_starts_range_signs_and_seed():
    p = saddle()
    a = saddle_starts(p, 400, y_range=(1e-6, 1e-3), seed=5)
    b = saddle_starts(p, 400, y_range=(1e-6, 1e-3), seed=5)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (400, 2)
    assert np.all((a[:, 0] >= -2.0) & (a[:, 0] <= 2.0))
    y = np.abs(a[:, 1])
    assert np.all((y >= 1e-6) & (y <= 1e-3))
    assert 150 < np.sum(a[:, 1] > 0) < 250
    decades = np.floor(np.log10(y))
    assert all(100 < np.sum(decades == d) < 170 for d in (-6, -5, -4))  # log-uniform: a third per decade
    with pytest.raises(ValueError, match="y_range"):
        saddle_starts(p, 3, y_range=(0.0, 1.0))


def test_escape_steps_by_hand_and_for_nan():
    ys = np.array([[0.1, -0.1, np.nan], [0.3, -0.6, np.nan], [0.7, 0.2, np.nan]])
    points = np.stack([np.zeros_like(ys), ys], axis=-1)  # (steps + 1, runs, 2)
    np.testing.assert_array_equal(escape_steps(points), [2.0, 1.0, np.inf])
    np.testing.assert_array_equal(escape_steps(points, threshold=0.25), [1.0, 1.0, np.inf])
    np.testing.assert_array_equal(escape_steps(points, coord=0), [np.inf] * 3)


def test_gradient_descent_escape_follows_the_linearised_rate():
    p = saddle()
    y0 = np.array([1e-8, 1e-6, 1e-4])
    starts = np.stack([np.zeros(3), y0], axis=-1)
    escape = escape_steps(run_grid(p, [0.1], [0.0], starts, 400)[:, 0, 0])
    theory = np.log(0.5 / y0) / np.log(1.1)  # y grows by (1 + lr) per step while y**3 is negligible
    assert np.all(np.abs(escape - theory) <= 3)
    rms = escape_steps(run_adaptive_grid(p, [0.1], starts, 50).points[:, 0, 0])
    assert np.all(rms <= 3)  # RMSProp: lr / sqrt(1 - beta) = 0.32 on the first step, from every start
