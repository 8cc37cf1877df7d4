"""lessons_lib.scaling (lesson 04): RMSProp's first steps (run with sweep) and closed forms against
hand-computed values and independent simulations, reductions against hand-made trajectories."""

import numpy as np
import pytest

from lessons_lib import (
    GradientDescent,
    RMSProp,
    quadratic,
    ravine,
    saddle,
)
from lessons_lib.scaling import (
    divided_steps,
    escape_steps,
    halving_gradient,
    saddle_starts,
    steady_step,
)
from lessons_lib.sweeps import sweep

# ----------------------------------------------------------------------------------------------------
# RMSProp's first steps, whatever the gradient


def test_first_rmsprop_step_is_lr_over_root_of_one_minus_beta_whatever_the_gradient():
    p = quadratic(np.diag([1e-6, 1.0, 1e6]), x0=[1.0, -1.0, 1.0])
    lrs, betas = np.array([0.01, 0.1]), np.array([0.0, 0.9, 0.99])
    g = p.grad(p.x0)  # 1e-6, -1, 1e6
    lr, root = lrs[:, None, None], np.sqrt(1 - betas)[None, :, None]
    grid = {"lr": lrs, "beta": betas}
    points = sweep(RMSProp(lr=0.01, eps=0.0), p, 1, grid=grid).points
    np.testing.assert_allclose(points[0] - points[1], lr / root * np.sign(g), rtol=1e-12)
    points = sweep(RMSProp(lr=0.01, eps=1e-8), p, 1, grid=grid).points  # eps shows at g = 1e-6
    np.testing.assert_allclose(points[0] - points[1], lr * g / (root * np.abs(g) + 1e-8), rtol=1e-12)


def test_beta_zero_steps_lr_times_the_sign():
    p = ravine(10)
    points = sweep(RMSProp(lr=0.25, beta=0.0, eps=0.0), p, 2, [[3.0, -1.0]]).points[:, 0]
    np.testing.assert_allclose(points[1], [2.75, -0.75])  # g = (3, -10): x - lr * g / |g|
    np.testing.assert_allclose(points[2], [2.5, -0.5])


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
    escape = escape_steps(sweep(GradientDescent(lr=0.1), p, 400, starts).points)
    theory = np.log(0.5 / y0) / np.log(1.1)  # y grows by (1 + lr) per step while y**3 is negligible
    assert np.all(np.abs(escape - theory) <= 3)
    rms = escape_steps(sweep(RMSProp(lr=0.1), p, 50, starts).points)
    assert np.all(rms <= 3)  # RMSProp: lr / sqrt(1 - beta) = 0.32 on the first step, from every start
