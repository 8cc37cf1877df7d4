"""eps inside the root (Keras, optax) against eps outside (PyTorch, the papers): the `eps_in_sqrt` option.

The reference is a plain transcription of Keras' update rules, written here independently of lessons_lib.
"""

import numpy as np
import pytest

from lessons_lib import Adagrad, RMSProp


def keras_adagrad(xs, gs, lr, eps, accumulator):
    x, s = np.array(xs, dtype=float), np.full(len(xs), accumulator)
    for g in gs:
        s = s + g * g
        x = x - lr * g / np.sqrt(s + eps)
    return x


def keras_rmsprop(xs, gs, lr, rho, eps, centered=False, momentum=0.0):
    x = np.array(xs, dtype=float)
    velocity, average, buffer = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    for g in gs:
        velocity = rho * velocity + (1 - rho) * g * g
        denominator = velocity + eps
        if centered:
            average = rho * average + (1 - rho) * g
            denominator = velocity - average * average + eps
        increment = lr * g / np.sqrt(denominator)
        if momentum > 0:  # Keras keeps lr inside its momentum buffer: the same iterates with a constant lr
            buffer = momentum * buffer + increment
            x = x - buffer
        else:
            x = x - increment
    return x


def run_steps(opt, x0, gradients):
    x, state = np.array(x0, dtype=float), opt.init(np.array(x0, dtype=float))
    for g in gradients:
        x, state = opt.step(x, g, state)
    return x, state


GRADIENTS = np.random.default_rng(0).standard_normal((50, 3)) * np.array([1e-4, 1.0, 1e3])


@pytest.mark.parametrize("accumulator", [0.0, 0.1])
def test_adagrad_eps_in_sqrt_is_keras(accumulator):
    opt = Adagrad(lr=0.1, eps=1e-7, initial_accumulator=accumulator, eps_in_sqrt=True)
    x, _ = run_steps(opt, [1.0, 2.0, 3.0], GRADIENTS)
    np.testing.assert_allclose(
        x, keras_adagrad([1.0, 2.0, 3.0], GRADIENTS, 0.1, 1e-7, accumulator), rtol=1e-12
    )


@pytest.mark.parametrize(("centered", "momentum"), [(False, 0.0), (True, 0.0), (False, 0.9), (True, 0.9)])
def test_rmsprop_eps_in_sqrt_is_keras(centered, momentum):
    opt = RMSProp(lr=0.01, beta=0.9, eps=1e-7, centered=centered, momentum=momentum, eps_in_sqrt=True)
    x, _ = run_steps(opt, [1.0, 2.0, 3.0], GRADIENTS)
    expected = keras_rmsprop([1.0, 2.0, 3.0], GRADIENTS, 0.01, 0.9, 1e-7, centered, momentum)
    np.testing.assert_allclose(x, expected, rtol=1e-10)


def test_where_eps_sits_matters_only_for_small_gradients():
    """First Adagrad step: lr*g/(|g| + eps) outside, lr*g/sqrt(g**2 + eps) inside."""
    g = np.array([1e-5, 1e-3, 1.0])
    outside, _ = run_steps(Adagrad(lr=1.0, eps=1e-8), np.zeros(3), [g])
    inside, _ = run_steps(Adagrad(lr=1.0, eps=1e-8, eps_in_sqrt=True), np.zeros(3), [g])
    np.testing.assert_allclose(-outside, g / (np.abs(g) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(-inside, g / np.sqrt(g**2 + 1e-8), rtol=1e-14)
    # sqrt(1e-8) = 1e-4 acts like eps = 1e-4 outside the root: a gradient of 1e-5 moves 10 % of lr, not 100 %.
    assert -inside[0] == pytest.approx(0.0995, rel=1e-3)
    assert -outside[0] == pytest.approx(0.999, rel=1e-3)
    assert -inside[2] == pytest.approx(-outside[2], rel=1e-7)


@pytest.mark.parametrize("cls", [Adagrad, RMSProp])
def test_effective_lr_follows_the_convention(cls):
    opt = cls(lr=0.1, eps=1e-6, eps_in_sqrt=True)
    x, state = run_steps(opt, np.zeros(2), [np.array([1e-4, 2.0])])
    np.testing.assert_allclose(opt.effective_lr(x, state), 0.1 / np.sqrt(state.s + 1e-6), rtol=1e-14)


@pytest.mark.parametrize("cls", [Adagrad, RMSProp])
def test_eps_in_sqrt_must_be_a_bool(cls):
    with pytest.raises(TypeError, match=f"{cls.__name__}: eps_in_sqrt must be True or False"):
        cls(lr=0.1, eps_in_sqrt="yes")


def test_label_shows_the_non_default_convention():
    assert "eps_in_sqrt=True" in RMSProp(lr=0.1, eps_in_sqrt=True).label()
    assert "eps_in_sqrt" not in RMSProp(lr=0.1).label()
