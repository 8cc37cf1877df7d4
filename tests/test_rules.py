"""The pure update rules of lessons_lib.rules: each the equations of its lesson, and each the step its
optimizer object takes, bit for bit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import Adagrad, Adam, GradientDescent, Momentum, RMSProp
from lessons_lib.conventions import LrInsideMomentum
from lessons_lib.optimizers import AdagradState, AdamState, GDState, MomentumState, RMSPropState
from lessons_lib.rules import (
    adagrad_update,
    adam_update,
    denominator,
    gd_update,
    lr_inside_momentum_update,
    momentum_update,
    rmsprop_update,
    rmsprop_variant_update,
)


def test_pure_functions_are_the_equations_and_match_the_objects():
    rng = np.random.default_rng(5)
    x, g, s, m = rng.standard_normal(3), rng.standard_normal(3), rng.random(3), 0.1 * rng.standard_normal(3)
    np.testing.assert_allclose(gd_update(x, g, lr=0.1), x - 0.1 * g, rtol=1e-15)
    np.testing.assert_array_equal(gd_update(x, g, lr=0.1), GradientDescent(lr=0.1).step(x, g, GDState())[0])

    x1, v1 = momentum_update(x, g, s, lr=0.1, beta=0.8, averaged=False, nesterov=True)
    np.testing.assert_allclose(v1, 0.8 * s + g, rtol=1e-15)
    np.testing.assert_allclose(x1, x - 0.1 * (g + 0.8 * v1), rtol=1e-14)
    x2, st2 = Momentum(lr=0.1, beta=0.8, averaged=False, nesterov=True).step(x, g, MomentumState(s))
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(v1, st2.v)
    x1, v1 = momentum_update(x, g, s, lr=0.1, beta=0.8)
    np.testing.assert_allclose(v1, 0.8 * s + 0.2 * g, rtol=1e-15)
    np.testing.assert_allclose(x1, x - 0.1 * v1, rtol=1e-14)

    x1, s1 = adagrad_update(x, g, s, lr=0.1, eps=1e-8)
    np.testing.assert_allclose(s1, s + g**2, rtol=1e-15)
    np.testing.assert_allclose(x1, x - 0.1 * g / (np.sqrt(s + g**2) + 1e-8), rtol=1e-14)
    np.testing.assert_array_equal(x1, Adagrad(lr=0.1).step(x, g, AdagradState(s))[0])

    x1, s1 = rmsprop_update(x, g, s, lr=0.1, beta=0.9, eps=1e-8)
    np.testing.assert_allclose(s1, 0.9 * s + 0.1 * g**2, rtol=1e-15)
    np.testing.assert_allclose(x1, x - 0.1 * g / (np.sqrt(s1) + 1e-8), rtol=1e-14)
    np.testing.assert_array_equal(x1, RMSProp(lr=0.1).step(x, g, RMSPropState(s))[0])
    # The variant with neither m nor v is plain RMSProp.
    x2, s2, m2, v2 = rmsprop_variant_update(x, g, s, None, None, lr=0.1, beta=0.9, eps=1e-8, momentum=0.0)
    np.testing.assert_allclose(x2, x1, rtol=1e-15)
    np.testing.assert_allclose(s2, s1, rtol=1e-15)
    assert m2 is None and v2 is None
    x2, s2, m2, v2 = rmsprop_variant_update(x, g, s, m, s, lr=0.1, beta=0.9, eps=1e-8, momentum=0.5)
    m_new = 0.9 * m + 0.1 * g
    v_new = 0.5 * s + g / (np.sqrt(s1 - m_new**2) + 1e-8)
    np.testing.assert_allclose(m2, m_new, rtol=1e-15)
    np.testing.assert_allclose(v2, v_new, rtol=1e-12)
    np.testing.assert_allclose(x2, x - 0.1 * v_new, rtol=1e-12)
    state = RMSPropState(s, m, s, 7)
    x3, st3 = RMSProp(lr=0.1, centered=True, momentum=0.5).step(x, g, state)
    np.testing.assert_array_equal(x3, x2)
    assert st3.t == 8

    # adam_update takes the number of this step, counted from 1.
    x1, m1, v1 = adam_update(x, g, m, s, 4, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    m_hat = (0.9 * m + 0.1 * g) / (1 - 0.9**4)
    v_hat = (0.999 * s + 0.001 * g**2) / (1 - 0.999**4)
    np.testing.assert_allclose(x1, x - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-12)
    x2, st2 = Adam(lr=0.1).step(x, g, AdamState(m, s, 3))
    np.testing.assert_array_equal(x1, x2)
    assert st2.t == 4
    with pytest.raises(ValueError, match="t counts steps from 1"):
        adam_update(x, g, m, s, 0, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)


def test_denominator_puts_eps_outside_or_inside_the_root():
    s = np.array([0.0, 1e-8, 4.0])
    np.testing.assert_array_equal(denominator(s, 1e-8, False), np.sqrt(s) + 1e-8)
    np.testing.assert_array_equal(denominator(s, 1e-8, True), np.sqrt(s + 1e-8))
    assert denominator(0.0, 1e-8, True) == pytest.approx(1e-4)  # inside the root, eps counts as its root


def test_adagrad_with_eps_in_the_root_divides_by_the_denominator_of_the_rules():
    x, g, s = np.array([1.0, -2.0]), np.array([1e-4, 3.0]), np.array([0.1, 0.1])
    keras_like = Adagrad(lr=0.1, eps=1e-7, initial_accumulator=0.1, eps_in_sqrt=True)
    x1, state = keras_like.step(x, g, AdagradState(s))
    np.testing.assert_allclose(state.s, s + g**2, rtol=1e-15)
    np.testing.assert_allclose(x1, x - 0.1 * g / np.sqrt(s + g**2 + 1e-7), rtol=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    lr=st.floats(1e-4, 1.0),
    beta=st.floats(0.0, 0.99),
    grads=st.lists(st.floats(-100, 100), min_size=1, max_size=30),
)
def test_lr_inside_the_velocity_is_the_summed_form_at_a_constant_lr(lr, beta, grads):
    """With a constant lr, v_inside = lr * v_summed: the same points (Sutskever et al. against PyTorch)."""
    x_in = x_sum = np.zeros(1)
    v_in = v_sum = np.zeros(1)
    for g in grads:
        g = np.array([g])
        x_in, v_in = lr_inside_momentum_update(x_in, g, v_in, lr=lr, beta=beta)
        x_sum, v_sum = momentum_update(x_sum, g, v_sum, lr=lr, beta=beta, averaged=False)
    np.testing.assert_allclose(v_in, lr * v_sum, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(x_in, x_sum, rtol=1e-9, atol=1e-9)


def test_lr_inside_momentum_object_takes_the_rules_step():
    x, g, v = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([0.2, 0.1])
    x1, v1 = lr_inside_momentum_update(x, g, v, lr=0.1, beta=0.9)
    np.testing.assert_allclose(v1, 0.9 * v + 0.1 * g, rtol=1e-15)
    np.testing.assert_allclose(x1, x - v1, rtol=1e-15)
    x2, state = LrInsideMomentum(lr=0.1, beta=0.9).step(x, g, MomentumState(v))
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(v1, state.v)


@pytest.mark.parametrize(
    "rule, args",
    [
        (gd_update, dict(lr=0.1)),
        (momentum_update, dict(lr=0.1, beta=0.9)),
        (lr_inside_momentum_update, dict(lr=0.1, beta=0.9)),
        (adagrad_update, dict(lr=0.1, eps=1e-8)),
        (rmsprop_update, dict(lr=0.1, beta=0.9, eps=1e-8)),
    ],
)
def test_rules_mutate_nothing(rule, args):
    x, g, s = np.array([1.0, -1.0]), np.array([0.3, 0.4]), np.array([0.5, 0.5])
    before = [a.copy() for a in (x, g, s)]
    rule(x, g, s, **args) if rule is not gd_update else rule(x, g, **args)
    for a, b in zip((x, g, s), before, strict=True):
        np.testing.assert_array_equal(a, b)
