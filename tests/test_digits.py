"""softmax_regression on the bundled digits: data, loss, gradients, mini-batches, accuracy."""

import numpy as np
import pytest

from lessons_lib import GradientDescent, run, softmax_regression
from lessons_lib.data import digits_data


@pytest.fixture(scope="module")
def problem():
    return softmax_regression()


def test_digits_are_read_from_the_bundled_file_as_scikit_learn_loads_them():
    from sklearn.datasets import load_digits

    pixels, labels = digits_data()
    reference = load_digits()
    np.testing.assert_array_equal(pixels, reference.data)
    np.testing.assert_array_equal(labels, reference.target)


def test_loss_against_an_independent_cross_entropy(problem):
    X, y = problem.info["X"], problem.info["y"]
    rng = np.random.default_rng(0)
    for w in rng.standard_normal((3, 650)) * 0.3:
        z = X @ w.reshape(65, 10)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        expected = -np.mean(np.log(p[np.arange(len(y)), y])) + 0.5 * 1e-4 * np.sum(w**2)
        assert problem.f(w) == pytest.approx(expected, rel=1e-12)
    assert problem.f(np.zeros(650)) == pytest.approx(np.log(10), rel=1e-12)  # uniform over 10 classes


def test_gradient_matches_finite_differences_along_random_directions(problem):
    rng = np.random.default_rng(1)
    w = rng.standard_normal(650) * 0.3
    for _ in range(5):
        u = rng.standard_normal(650)
        h = 1e-6
        numeric = (problem.f(w + h * u) - problem.f(w - h * u)) / (2 * h)
        assert problem.grad(w) @ u == pytest.approx(numeric, rel=1e-6)


def test_batched_evaluation_equals_one_by_one(problem):
    W = np.random.default_rng(2).standard_normal((4, 650)) * 0.3
    np.testing.assert_allclose(problem.f(W), [problem.f(w) for w in W], rtol=1e-12)
    np.testing.assert_allclose(problem.grad(W), [problem.grad(w) for w in W], rtol=1e-10, atol=1e-14)


def test_mini_batch_gradients_are_unbiased_and_reproducible(problem):
    w = np.random.default_rng(3).standard_normal(650) * 0.3
    mean = np.mean([problem.sample_grad(w, np.random.default_rng(s)) for s in range(400)], axis=0)
    assert np.linalg.norm(mean - problem.grad(w)) < 0.05 * np.linalg.norm(problem.grad(w))
    a = problem.sample_grad(w, np.random.default_rng(7))
    np.testing.assert_array_equal(a, problem.sample_grad(w, np.random.default_rng(7)))


def test_pixel_activity_and_sparse_features(problem):
    activity = problem.info["pixel_activity"]
    pixels, _ = digits_data()
    np.testing.assert_allclose(activity, (pixels > 0).mean(axis=0))
    assert (activity == 0).sum() >= 1 and (activity < 0.05).sum() >= 5  # some pixels are (almost) never inked


def test_training_reaches_a_useful_accuracy_and_l_bounds_the_curvature(problem):
    t = run(GradientDescent(lr=1.0 / problem.L), problem, 200, seed=0)
    assert problem.info["accuracy"](t.final) > 0.85
    assert problem.info["accuracy"](np.zeros(650)) == pytest.approx(np.mean(problem.info["y"] == 0))
    # L = λmax(XᵀX)/(2n) + l2 bounds every directional curvature: check a few second differences.
    rng = np.random.default_rng(4)
    w = rng.standard_normal(650) * 0.3
    for _ in range(5):
        u = rng.standard_normal(650)
        u /= np.linalg.norm(u)
        h = 1e-3
        curvature = (problem.f(w + h * u) - 2 * problem.f(w) + problem.f(w - h * u)) / h**2
        assert 0 < curvature <= problem.L * (1 + 1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"l2": -1.0}, "l2 must be"), ({"batch_size": 0}, "batch_size")]
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        softmax_regression(**kwargs)


def test_the_fallback_loader_gives_the_same_data_when_the_file_is_missing():
    from sklearn.datasets import load_breast_cancer

    from lessons_lib.data import _bundled_table

    features, labels = _bundled_table("not_there.csv", skiprows=1, loader="load_breast_cancer")
    reference = load_breast_cancer()
    np.testing.assert_array_equal(features, reference.data)
    np.testing.assert_array_equal(labels, reference.target)
