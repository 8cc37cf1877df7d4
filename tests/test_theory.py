"""lessons_lib.theory against independent references: the optimizer's own step, eigenvalues, measured runs."""

import numpy as np
import pytest

from lessons_lib import (
    GradientDescent,
    Momentum,
    RMSProp,
    noisy,
    quadratic,
    ravine,
    run,
)
from lessons_lib.sweeps import sweep
from lessons_lib.theory import (
    gd_rate,
    halving_gradient,
    iterate_variance,
    iteration_matrix,
    momentum_rate,
    noise_floor,
    optimal_gd,
    optimal_gd_rate,
    optimal_momentum,
    optimal_momentum_rate,
    steady_step,
)

FORMS = [(averaged, nesterov) for averaged in (True, False) for nesterov in (False, True)]


@pytest.mark.parametrize(("averaged", "nesterov"), FORMS)
def test_iteration_matrix_is_one_step_of_the_optimizer(averaged, nesterov):
    rng = np.random.default_rng(1)
    for _ in range(100):
        lr, beta, lam = rng.uniform(0.01, 1.5), rng.uniform(0, 0.99), rng.uniform(0.1, 3)
        opt = Momentum(lr=lr, beta=beta, averaged=averaged, nesterov=nesterov)
        x, v = rng.standard_normal(2)
        state = opt.init(np.array([x]))._replace(v=np.array([v]))
        x_new, state_new = opt.step(np.array([x]), np.array([lam * x]), state)
        A = iteration_matrix(lr, beta, lam, averaged=averaged, nesterov=nesterov)
        np.testing.assert_allclose(A @ [x, v], [x_new[0], state_new.v[0]], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("averaged", "nesterov"), FORMS)
def test_rate_is_the_spectral_radius_of_the_iteration_matrix(averaged, nesterov):
    rng = np.random.default_rng(2)
    lrs, betas = rng.uniform(0.01, 3, 50), rng.uniform(0, 0.99, 50)
    curvatures = [0.3, 1.0, 2.5]
    rates = momentum_rate(lrs, betas, curvatures, averaged=averaged, nesterov=nesterov)
    for lr, beta, rate in zip(lrs, betas, rates, strict=True):
        radii = [
            max(abs(np.linalg.eigvals(iteration_matrix(lr, beta, lam, averaged=averaged, nesterov=nesterov))))
            for lam in curvatures
        ]
        assert rate == pytest.approx(max(radii), rel=1e-9)


def test_rate_broadcasts_over_a_grid():
    lrs, betas = np.geomspace(0.01, 1, 7), np.linspace(0, 0.9, 4)
    grid = momentum_rate(lrs[None, :], betas[:, None], [1.0, 10.0])
    assert grid.shape == (4, 7)
    assert grid[2, 3] == pytest.approx(float(momentum_rate(lrs[3], betas[2], [1.0, 10.0])))


def test_beta_zero_is_gradient_descent():
    lrs = np.geomspace(0.001, 0.5, 20)
    for averaged in (True, False):
        np.testing.assert_allclose(
            momentum_rate(lrs, 0.0, [1.0, 10.0], averaged=averaged), gd_rate(lrs, [1, 10])
        )


def test_heavy_ball_converges_exactly_below_2_plus_2_beta():
    for beta in (0.0, 0.5, 0.9):
        limit = 2 + 2 * beta  # lr * lambda, summed form
        assert momentum_rate(limit * 0.999, beta, [1.0], averaged=False) < 1
        assert momentum_rate(limit * 1.001, beta, [1.0], averaged=False) > 1
        opt = Momentum(lr=1.0, beta=beta, averaged=False)
        assert opt.max_stable_lr(1.0) == pytest.approx(limit)


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_optimal_parameters_reach_the_theoretical_rates_and_measured_runs_agree(kappa):
    mu, L = 1.0, kappa
    lr, beta = optimal_momentum(mu, L)
    assert float(momentum_rate(lr, beta, [mu, L], averaged=False)) == pytest.approx(
        optimal_momentum_rate(kappa), rel=1e-6
    )
    assert float(gd_rate(optimal_gd(mu, L), [mu, L])) == pytest.approx(optimal_gd_rate(kappa), rel=1e-12)
    # The averaged form with its own lr reaches the same rate.
    lr_a, beta_a = optimal_momentum(mu, L, averaged=True)
    assert beta_a == beta
    assert float(momentum_rate(lr_a, beta_a, [mu, L])) == pytest.approx(
        optimal_momentum_rate(kappa), rel=1e-6
    )
    # A measured run contracts at the predicted rate (distance to the minimum, over the second half).
    problem = quadratic(np.diag([mu, L]), x0=[1.0, 1.0])
    steps = int(20 * np.sqrt(kappa))
    t = run(Momentum(lr=lr, beta=beta, averaged=False), problem, steps)
    dist = np.linalg.norm(t.points, axis=-1)
    measured = (dist[-1] / dist[steps // 2]) ** (1 / (steps - steps // 2))
    assert measured == pytest.approx(optimal_momentum_rate(kappa), rel=0.05)
    t = run(GradientDescent(lr=optimal_gd(mu, L)), problem, steps)
    dist = np.linalg.norm(t.points, axis=-1)
    assert (dist[-1] / dist[0]) ** (1 / steps) == pytest.approx(optimal_gd_rate(kappa), rel=1e-6)


# ----------------------------------------------------------------------------------------------------
# The stability limit of the summed form


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_summed_momentum_diverges_just_above_its_stability_limit(beta):
    """Summed heavy ball on curvature L diverges iff lr L > 2 + 2 beta: check just below and above."""
    p = ravine(10)
    limit = (2 + 2 * beta) / 10
    opt = Momentum(lr=limit / 2, beta=beta, averaged=False)
    s = sweep(opt, p, 2000, grid={"lr": [0.97 * limit, 1.03 * limit]}, every=2000)
    assert s.diverged.tolist() == [False, True]
    assert np.all(np.isfinite(s.points[-1, 0])) and np.abs(s.points[-1, 0]).max() < 1e-3
    # recorded only at step 2000, where the rule finds the run far beyond its limit
    assert s.diverged_steps[1] == 2000 and not s.losses[-1, 1] <= 1e6 * p.f(p.x0)


# ----------------------------------------------------------------------------------------------------
# Noise theory


def lyapunov_variance(lr, beta, sigma, lam):
    """Stationary Var(x) of the summed form by iterating S = A S A^T + b b^T sigma**2 (independent of the
    closed form): state (x, v), noise enters v with weight 1 and x with weight -lr."""
    A = np.array([[1 - lr * lam, -lr * beta], [lam, beta]])
    b = np.array([-lr, 1.0])
    S = np.zeros((2, 2))
    for _ in range(20000):
        S = A @ S @ A.T + sigma**2 * np.outer(b, b)
    return S[0, 0]


@pytest.mark.parametrize(("lr", "beta", "lam"), [(0.1, 0.0, 1.0), (0.05, 0.5, 10.0), (0.01, 0.9, 100.0)])
def test_iterate_variance_matches_the_lyapunov_solution(lr, beta, lam):
    expected = lyapunov_variance(lr, beta, 1.5, lam)
    assert iterate_variance(lr, beta, 1.5, lam, averaged=False) == pytest.approx(expected, rel=1e-9)
    # The averaged form with lr is the summed form with lr (1 - beta).
    assert iterate_variance(lr / (1 - beta), beta, 1.5, lam) == pytest.approx(expected, rel=1e-9)


def test_iterate_variance_special_cases():
    # beta = 0: lesson 00's lr sigma**2 / (lam (2 - lr lam))
    assert iterate_variance(0.15, 0.0, 2.0, 10.0) == pytest.approx(0.15 * 4 / (10 * 0.5))
    # averaged form: gradient descent's formula with lr lam scaled by (1 - beta) / (1 + beta)
    f = (1 - 0.9) / (1 + 0.9)
    assert iterate_variance(0.15, 0.9, 1.0, 10.0) == pytest.approx(0.15 / (10 * (2 - 1.5 * f)))
    # outside the stable region: infinite
    assert np.isinf(iterate_variance(0.25, 0.0, 1.0, 10.0))
    assert np.isinf(iterate_variance(0.4, 0.9, 1.0, 10.0, averaged=False))


def test_noise_floor_broadcasts_and_matches_a_simulation():
    lrs, betas = np.array([0.05, 0.15])[:, None], np.array([0.0, 0.5, 0.9])
    floor = noise_floor(lrs, betas, 1.0, [1.0, 10.0])
    assert floor.shape == (2, 3)
    assert floor[1, 0] == pytest.approx(0.15 / (2 * 1.85) + 0.15 / (2 * 0.5))
    p = noisy(ravine(10), sigma=1.0)
    grid = {"lr": [0.05, 0.15], "beta": [0.0, 0.5, 0.9]}
    s = sweep(Momentum(lr=0.05), p, 600, np.tile(p.x0, (400, 1)), grid=grid, seed=11, keep_points=False)
    assert not s.diverged.any()
    measured = s.losses[300:].mean(axis=(0, 3))
    np.testing.assert_allclose(measured, floor, rtol=0.05)


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
