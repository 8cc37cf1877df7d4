"""Test problems: gradients and Hessians against finite differences, and the facts each problem claims."""

import math

import numpy as np
import pytest

from lessons_lib import (
    Problem,
    double_well,
    double_well_2d,
    logistic_regression,
    noisy,
    quadratic,
    ravine,
    rosenbrock,
    rotated_ravine,
    saddle,
)
from lessons_lib import testbed as make_testbed  # imported under another name: pytest collects "test*"
from lessons_lib.problems import rotate, rotation


@pytest.fixture(scope="module")
def logreg():
    return logistic_regression(standardize=True)


@pytest.fixture(scope="module")
def logreg_raw():
    return logistic_regression(standardize=False)


TESTBED = make_testbed()
DETERMINISTIC = {
    **TESTBED,
    "ravine(100)": ravine(100.0),
    "rotated ravine(30, 20°)": rotated_ravine(30.0, 20.0),
    "quadratic 3-D": quadratic([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]),
    "rosenbrock(2, 10)": rosenbrock(2.0, 10.0),
    "double well 2-D(coupling=1)": double_well_2d(1.0),
}
NAMES = list(DETERMINISTIC)


def with_logistic(request, name):
    """A deterministic problem by name, or one of the (module-scoped) logistic regressions."""
    if name == "logreg":
        return request.getfixturevalue("logreg")
    if name == "logreg_raw":
        return request.getfixturevalue("logreg_raw")
    if name == "noisy ravine":
        return noisy(ravine(10.0), sigma=2.0)
    return DETERMINISTIC[name]


ALL_NAMES = NAMES + ["noisy ravine", "logreg", "logreg_raw"]


def fd_grad(f, x):
    """Central differences, step scaled to each coordinate."""
    g = np.empty_like(x)
    for i in range(len(x)):
        h = 1e-6 * max(1.0, abs(x[i]))
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def fd_hessian(grad, x):
    cols = []
    for i in range(len(x)):
        h = 1e-6 * max(1.0, abs(x[i]))
        e = np.zeros_like(x)
        e[i] = h
        cols.append((grad(x + e) - grad(x - e)) / (2 * h))
    return np.array(cols).T


def points_inside(problem, n=5, seed=0):
    return np.vstack([problem.x0, problem.random_starts(n, seed=seed)])


# ----------------------------------------------------------------------------------------------------
# Gradients and Hessians against finite differences


def test_testbed_has_the_course_problems():
    assert set(TESTBED) == {
        "ravine",
        "rotated ravine",
        "Rosenbrock",
        "saddle",
        "double well",
        "double well 2-D",
    }
    for name, p in TESTBED.items():
        assert isinstance(p, Problem) and not p.stochastic, name


@pytest.mark.parametrize("name", ALL_NAMES)
def test_grad_matches_finite_differences(request, name):
    p = with_logistic(request, name)
    for x in points_inside(p):
        g = p.grad(x)
        assert g.shape == x.shape
        fd = fd_grad(p.f, x)
        scale = max(1.0, float(np.max(np.abs(g))))
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6 * scale, err_msg=f"{name} at {x}")


@pytest.mark.parametrize("name", ALL_NAMES)
def test_hessian_matches_finite_differences_of_grad(request, name):
    p = with_logistic(request, name)
    assert p.hessian is not None
    for x in points_inside(p, n=3, seed=1):
        H = p.hessian(x)
        assert H.shape == (p.dim, p.dim)
        np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-14)
        fd = fd_hessian(p.grad, x)
        scale = max(1.0, float(np.max(np.abs(H))))
        np.testing.assert_allclose(H, fd, rtol=1e-5, atol=1e-6 * scale, err_msg=f"{name} at {x}")


@pytest.mark.parametrize("name", ALL_NAMES)
def test_batched_evaluation_equals_row_by_row(request, name):
    p = with_logistic(request, name)
    xs = p.random_starts(7, seed=3)
    fs, gs = p.f(xs), p.grad(xs)
    assert fs.shape == (7,) and gs.shape == (7, p.dim)
    for i, x in enumerate(xs):
        assert np.ndim(p.f(x)) == 0
        np.testing.assert_allclose(fs[i], p.f(x), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(gs[i], p.grad(x), rtol=1e-12, atol=1e-14)
    # Two batch axes work too.
    grid = xs[:6].reshape(2, 3, p.dim)
    np.testing.assert_allclose(p.f(grid), fs[:6].reshape(2, 3), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(p.grad(grid), gs[:6].reshape(2, 3, p.dim), rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------------------------------
# Minimisers, minima, curvatures


@pytest.mark.parametrize("name", ALL_NAMES)
def test_minimizer_has_zero_gradient_and_f_min(request, name):
    p = with_logistic(request, name)
    assert p.minimizer is not None and p.minimizer.shape == (p.dim,)
    tol = 1e-8 if name.startswith("logreg") else 1e-12
    assert np.linalg.norm(p.grad(p.minimizer)) < tol
    assert p.f(p.minimizer) == p.f_min
    assert np.all(np.linalg.eigvalsh(p.hessian(p.minimizer)) > 0)  # a minimum, not a saddle
    # f_min is the lowest value over many points of the plot region.
    xs = p.random_starts(2000, seed=5)
    assert np.all(p.f(xs) >= p.f_min - 1e-12)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_mu_and_L_are_the_hessian_eigenvalues_at_the_minimizer(request, name):
    p = with_logistic(request, name)
    eig = np.linalg.eigvalsh(p.hessian(p.minimizer))
    assert p.mu == pytest.approx(eig[0], rel=1e-10)
    assert p.L == pytest.approx(eig[-1], rel=1e-10)
    assert p.condition_number == pytest.approx(eig[-1] / eig[0], rel=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_local_minima_are_minima_with_higher_or_equal_loss(name):
    p = DETERMINISTIC[name]
    for point, value in p.local_minima:
        assert np.linalg.norm(p.grad(point)) < 1e-12
        assert p.f(point) == pytest.approx(value, rel=1e-14, abs=1e-15)
        assert value >= p.f_min
        assert np.all(np.linalg.eigvalsh(p.hessian(point)) > 0)


@pytest.mark.parametrize("p", [double_well(), double_well_2d(), double_well_2d(1.0)], ids=repr)
def test_double_wells(p):
    ((point, value),) = p.local_minima
    assert value > p.f_min + 0.5  # a clearly worse minimum
    barrier = p.info["barrier"]
    assert np.linalg.norm(p.grad(barrier)) < 1e-12
    assert np.linalg.eigvalsh(p.hessian(barrier))[0] < 0  # a ridge between the two wells
    # The minimisers sit on either side of the barrier, the start above the local one.
    assert p.minimizer[0] < barrier[0] < point[0] <= p.x0[0]


def test_double_well_numbers_in_the_docstring():
    p = double_well()
    assert p.minimizer[0] == pytest.approx(-1.484, abs=1e-3)
    assert p.f_min == pytest.approx(-1.435, abs=1e-3)
    ((xl, fl),) = p.local_minima
    assert xl[0] == pytest.approx(1.332, abs=1e-3)
    assert fl == pytest.approx(-0.588, abs=1e-3)
    assert p.info["barrier"][0] == pytest.approx(0.152, abs=1e-3)
    # Independent: the roots of f'(x) = x**3 - 2x + 0.3.
    roots = np.sort(np.roots([1, 0, -2, 0.3]).real)
    np.testing.assert_allclose([p.minimizer[0], p.info["barrier"][0], xl[0]], roots, rtol=1e-12)
    # The 2-D version lifts them onto the line y = x / 2.
    q = double_well_2d()
    np.testing.assert_allclose(q.minimizer, [roots[0], roots[0] / 2], rtol=1e-12)
    assert q.f_min == pytest.approx(p.f_min, rel=1e-14)


def test_saddle():
    p = saddle()
    origin = p.info["saddle_point"]
    assert np.linalg.norm(p.grad(origin)) == 0
    eig = np.linalg.eigvalsh(p.hessian(origin))
    assert eig[0] < 0 < eig[1]
    assert p.f_min == -0.25
    ((other, value),) = p.local_minima
    np.testing.assert_array_equal(other, [0.0, -1.0])
    assert value == p.f_min  # the other minimum is as good
    assert abs(p.grad(p.x0)[1]) < 1e-2  # the start sits almost on the ridge


def test_rosenbrock_known_values():
    p = rosenbrock()
    np.testing.assert_array_equal(p.minimizer, [1.0, 1.0])
    # Independent Hessian at the minimum: [[2 + 8b a**2, -4 a b], [-4 a b, 2 b]] with a = 1, b = 100.
    np.testing.assert_allclose(p.hessian(p.minimizer), [[802.0, -400.0], [-400.0, 200.0]])
    assert p.f(np.array([0.0, 0.0])) == 1.0
    assert rosenbrock(2.0, 10.0).minimizer.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0, 1e4])
def test_ravine_condition_number(kappa):
    p = ravine(kappa)
    assert (p.mu, p.L) == (1.0, kappa)
    assert p.condition_number == pytest.approx(kappa, rel=1e-14)
    np.testing.assert_array_equal(p.hessian(p.x0), np.diag([1.0, kappa]))
    x = np.array([0.3, -0.7])
    assert p.f(x) == pytest.approx(0.5 * (0.3**2 + kappa * 0.7**2), rel=1e-14)


@pytest.mark.parametrize("angle", [0.0, 20.0, 45.0, 90.0])
@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_rotated_ravine_has_the_same_curvatures(kappa, angle):
    base, p = ravine(kappa), rotated_ravine(kappa, angle)
    np.testing.assert_allclose(np.linalg.eigvalsh(p.hessian(p.x0)), [1.0, kappa], rtol=1e-12)
    assert p.condition_number == pytest.approx(kappa, rel=1e-12)
    assert p.f(p.x0) == pytest.approx(base.f(base.x0), rel=1e-12)  # the start is rotated too
    H = p.hessian(p.x0)
    if angle == 45.0:
        assert abs(H[0, 1]) == pytest.approx((kappa - 1) / 2, rel=1e-12)  # not axis-aligned
        assert H[0, 0] == pytest.approx(H[1, 1], rel=1e-12)


def test_quadratic_facts():
    H = [[3.0, 1.0], [1.0, 2.0]]
    p = quadratic(H)
    x = np.array([0.5, -1.5])
    assert p.f(x) == pytest.approx(0.5 * x @ np.array(H) @ x, rel=1e-14)
    np.testing.assert_allclose(p.grad(x), np.array(H) @ x, rtol=1e-14)
    np.testing.assert_allclose([p.mu, p.L], np.linalg.eigvalsh(H), rtol=1e-14)
    # The Hessian returned is a copy; the problem cannot be changed through it.
    p.hessian(x)[0, 0] = 99.0
    assert p.hessian(x)[0, 0] == 3.0


# ----------------------------------------------------------------------------------------------------
# Starts, bounds, grids


@pytest.mark.parametrize("name", ALL_NAMES)
def test_starts_are_inside_bounds_and_reproducible(request, name):
    p = with_logistic(request, name)
    assert len(p.bounds) == p.dim
    low, high = np.array(p.bounds).T
    assert np.all(low < high)
    assert np.all((low <= p.x0) & (p.x0 <= high))
    if p.minimizer is not None:
        assert np.all((low <= p.minimizer) & (p.minimizer <= high))
    starts = p.random_starts(50, seed=7)
    assert starts.shape == (50, p.dim)
    assert np.all((low <= starts) & (starts <= high))
    np.testing.assert_array_equal(starts, p.random_starts(50, seed=7))
    assert not np.array_equal(starts, p.random_starts(50, seed=8))


@pytest.mark.parametrize("a", [-3.0, -1.0, 0.5, 1.0, 2.0, 3.0])
def test_rosenbrock_bounds_contain_the_minimizer_for_any_a(a):
    p = rosenbrock(a, 10.0)
    low, high = np.array(p.bounds).T
    assert np.all((low <= p.minimizer) & (p.minimizer <= high))
    assert np.all((low <= p.x0) & (p.x0 <= high))


def test_logistic_regression_start_and_bounds(logreg, logreg_raw):
    """The default start is w = 0; each weight's bounds hold its minimiser +- 1 and the start."""
    for p in (logreg, logreg_raw):
        np.testing.assert_array_equal(p.x0, np.zeros(31))
        low, high = np.array(p.bounds).T
        np.testing.assert_allclose(low, np.minimum(p.minimizer - 1, -1), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(high, np.maximum(p.minimizer + 1, 1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_start_grid(name):
    p = DETERMINISTIC[name]
    grid = p.start_grid(4)
    assert grid.shape == (4**p.dim, p.dim)
    low, high = np.array(p.bounds).T
    pad = 0.05 * (high - low)
    assert np.all((low + pad - 1e-12 <= grid) & (grid <= high - pad + 1e-12))
    assert len(np.unique(grid, axis=0)) == len(grid)
    for i in range(p.dim):  # the corners are on the padded edges
        assert grid[:, i].min() == pytest.approx(low[i] + pad[i])
        assert grid[:, i].max() == pytest.approx(high[i] - pad[i])


def test_gap(logreg):
    p = ravine(10)
    assert p.gap(p.minimizer) == 0.0
    np.testing.assert_allclose(p.gap(p.random_starts(3)), p.f(p.random_starts(3)))
    assert logreg.gap(logreg.minimizer) == 0.0
    no_min = Problem(
        name="no min", f=lambda x: x[..., 0], grad=np.ones_like, x0=np.zeros(1), bounds=((-1, 1),)
    )
    with pytest.raises(ValueError, match="no min: the minimum is not known"):
        no_min.gap([0.0])
    assert no_min.condition_number is None


def test_repr_is_short_and_informative(logreg):
    r = repr(ravine(10))
    assert r.startswith("Problem('ravine(κ=10)', dim=2") and "L=10" in r and "mu=1" in r
    assert "<31 values>" in repr(logreg) and "stochastic" in repr(logreg)


# ----------------------------------------------------------------------------------------------------
# Stochastic problems


def test_noisy_gradient_has_the_right_mean_and_spread():
    base = rotated_ravine(10.0)
    p = noisy(base, sigma=0.5)
    assert p.stochastic and not base.stochastic
    assert p.f is base.f and p.grad is base.grad
    assert p.info["sigma"] == 0.5 and "σ=0.5" in p.name
    x = np.array([1.0, -2.0])
    rng = np.random.default_rng(0)
    samples = p.sample_grad(np.broadcast_to(x, (20_000, 2)), rng)
    assert samples.shape == (20_000, 2)
    np.testing.assert_allclose(samples.mean(axis=0), base.grad(x), atol=4 * 0.5 / math.sqrt(20_000))
    np.testing.assert_allclose(samples.std(axis=0), 0.5, rtol=0.03)
    assert abs(np.corrcoef(samples.T)[0, 1]) < 0.05  # coordinates independent


def test_noisy_is_reproducible_and_independent_across_a_batch():
    p = noisy(ravine(10.0), sigma=1.0)
    x = np.zeros((3, 2))
    a = p.sample_grad(x, np.random.default_rng(42))
    b = p.sample_grad(x, np.random.default_rng(42))
    c = p.sample_grad(x, np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert len(np.unique(a)) == a.size  # every row and coordinate gets its own draw


def test_noisy_with_zero_sigma_is_the_exact_gradient():
    p = noisy(rosenbrock(), sigma=0.0)
    x = p.random_starts(4)
    np.testing.assert_array_equal(p.sample_grad(x, np.random.default_rng(0)), p.grad(x))


def test_logistic_regression_minibatch_gradient_is_an_exact_transcription(logreg):
    X, y, l2 = logreg.info["X"], logreg.info["y"], logreg.info["l2"]
    B = logreg.info["batch_size"]
    assert B == 32 and X.shape == (569, 31) and logreg.dim == 31
    w = logreg.random_starts(1, seed=2)[0]
    got = logreg.sample_grad(w, np.random.default_rng(9))
    idx = np.random.default_rng(9).integers(0, len(X), size=B)
    p = 1 / (1 + np.exp(-(X[idx] @ w)))
    expected = X[idx].T @ (p - y[idx]) / B + l2 * w
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)


def test_logistic_regression_minibatch_gradient_is_unbiased(logreg):
    w = logreg.random_starts(1, seed=4)[0]
    samples = logreg.sample_grad(np.broadcast_to(w, (4000, logreg.dim)), np.random.default_rng(1))
    assert samples.shape == (4000, logreg.dim)
    full = logreg.grad(w)
    stderr = samples.std(axis=0) / math.sqrt(len(samples))
    assert np.all(np.abs(samples.mean(axis=0) - full) < 5 * stderr + 1e-12)
    # and it is noisy: single draws differ from the full gradient
    assert np.linalg.norm(samples[0] - full) > 1e-3 * np.linalg.norm(full)


def test_logistic_regression_f_and_grad_against_a_direct_formula(logreg):
    X, y, l2 = logreg.info["X"], logreg.info["y"], logreg.info["l2"]
    w = logreg.random_starts(1, seed=6)[0]
    z = X @ w
    f = np.mean(np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0) - y * z) + 0.5 * l2 * w @ w
    assert logreg.f(w) == pytest.approx(f, rel=1e-12)
    g = X.T @ (1 / (1 + np.exp(-z)) - y) / len(y) + l2 * w
    np.testing.assert_allclose(logreg.grad(w), g, rtol=1e-10, atol=1e-14)


def test_logistic_regression_minimizer_agrees_with_scikit_learn(logreg):
    from sklearn.linear_model import LogisticRegression

    X, y, l2 = logreg.info["X"], logreg.info["y"], logreg.info["l2"]
    # sklearn minimises C * sum(loss) + |w|**2 / 2, i.e. our f times C * n when C = 1 / (n * l2).
    model = LogisticRegression(C=1 / (len(y) * l2), fit_intercept=False, tol=1e-12, max_iter=10_000)
    model.fit(X, y)
    np.testing.assert_allclose(model.coef_[0], logreg.minimizer, rtol=1e-4, atol=1e-4)


def test_logistic_regression_conditioning(logreg, logreg_raw):
    assert logreg_raw.info["feature_condition_number"] > 1e6 * logreg.info["feature_condition_number"]
    assert logreg_raw.condition_number > 100 * logreg.condition_number
    # The raw features really do span orders of magnitude.
    scales = np.abs(logreg_raw.info["X"][:, :-1]).max(axis=0)
    assert scales.max() / scales.min() > 1e4
    assert np.linalg.norm(logreg_raw.grad(logreg_raw.minimizer)) < 1e-8


def test_logistic_regression_batch_size_is_used():
    p = logistic_regression(batch_size=569)
    assert p.info["batch_size"] == 569 and "569" in p.description


# ----------------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("make", "error", "fragment"),
    [
        (lambda: ravine(0.5), ValueError, "ravine: condition_number must be >= 1"),
        (lambda: ravine(0.0), ValueError, "ravine: condition_number must be finite and > 0"),
        (lambda: ravine(float("nan")), ValueError, "ravine: condition_number must be a number"),
        (lambda: ravine("10"), TypeError, "ravine: condition_number must be a real number"),
        (lambda: rotated_ravine(0.5), ValueError, "condition_number must be >= 1"),
        (lambda: noisy(ravine(), -1), ValueError, "noisy: sigma must be finite and >= 0, got -1.0"),
        (lambda: noisy(ravine(), float("inf")), ValueError, "noisy: sigma must be finite and >= 0"),
        (
            lambda: logistic_regression(batch_size=0),
            ValueError,
            "batch_size must be a whole number >= 1, got 0",
        ),
        (lambda: logistic_regression(batch_size=2.5), ValueError, "batch_size must be a whole number >= 1"),
        (lambda: logistic_regression(batch_size=True), ValueError, "batch_size must be a whole number >= 1"),
        (lambda: logistic_regression(l2=-1.0), ValueError, "logistic_regression: l2 must be finite and >= 0"),
        (lambda: double_well_2d(0.0), ValueError, "double_well_2d: coupling must be finite and > 0"),
        (lambda: quadratic([[1.0, 2.0], [0.0, 1.0]]), ValueError, "H must be a symmetric square matrix"),
        (lambda: quadratic([1.0, 2.0]), ValueError, "H must be a symmetric square matrix"),
        (lambda: quadratic([[1.0, 0.0], [0.0, -1.0]]), ValueError, "H must be positive definite"),
        (lambda: quadratic([[1.0, 0.0], [0.0, 0.0]]), ValueError, "H must be positive definite"),
    ],
)
def test_bad_problem_arguments(make, error, fragment):
    with pytest.raises(error, match=None) as info:
        make()
    assert fragment in str(info.value)


def test_rotate_by_hand():
    np.testing.assert_allclose(rotate([1.0, 0.0], 30), [math.sqrt(3) / 2, 0.5], atol=1e-15)
    np.testing.assert_allclose(rotate(rotate([[3.0, -1.0]], 90), 90), [[-3.0, 1.0]], atol=1e-14)


def test_rotation_is_orthogonal_and_turns_the_ravine_into_the_rotated_ravine():
    for angle in (0.0, 30.0, 45.0, 90.0, -120.0):
        R = rotation(angle)
        np.testing.assert_allclose(R @ R.T, np.eye(2), atol=1e-15)
        assert np.linalg.det(R) == pytest.approx(1.0)
        H = R @ ravine(10).info["H"] @ R.T
        np.testing.assert_allclose(rotated_ravine(10, angle).info["H"], (H + H.T) / 2, atol=0)
