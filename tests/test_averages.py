"""Exponentially weighted averages checked against independent computations (closed forms, direct sums)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lessons_lib import (
    bias_correction,
    ewa,
    ewa_update,
    ewa_weights,
    half_life,
    noise_variance_factor,
    window,
)

betas = st.floats(min_value=0.0, max_value=0.99, allow_nan=False)
series = arrays(
    np.float64,
    st.integers(min_value=1, max_value=60),
    elements=st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False),
)


def direct_ewa(x, beta):
    """v_t as the direct weighted sum  sum_{k=0}^{t-1} (1 - beta) beta**k x_{t-k}  (no recursion)."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for t in range(1, len(x) + 1):
        k = np.arange(t)
        w = (1 - beta) * beta**k
        out[t - 1] = np.tensordot(w, x[t - 1 - k], axes=1)
    return out


def adjusted_ew_mean(x, beta):
    """The "adjusted" EW mean of dataframe libraries: sum(w_k x_{t-k}) / sum(w_k) with w_k = beta**k."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for t in range(1, len(x) + 1):
        w = beta ** np.arange(t)
        out[t - 1] = np.tensordot(w, x[t - 1 :: -1][:t], axes=1) / w.sum()
    return out


# ----------------------------------------------------------------------------------------------------
# Closed forms


@settings(max_examples=60, deadline=None)
@given(x=series, beta=betas)
def test_ewa_equals_direct_weighted_sum(x, beta):
    scale = max(1.0, float(np.max(np.abs(x))))
    np.testing.assert_allclose(ewa(x, beta), direct_ewa(x, beta), rtol=1e-12, atol=1e-12 * scale)


@settings(max_examples=60, deadline=None)
@given(x=series, beta=betas)
def test_bias_corrected_ewa_equals_adjusted_ew_mean(x, beta):
    scale = max(1.0, float(np.max(np.abs(x))))
    np.testing.assert_allclose(
        ewa(x, beta, bias_correction=True), adjusted_ew_mean(x, beta), rtol=1e-10, atol=1e-10 * scale
    )


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9, 0.99, 0.999])
@pytest.mark.parametrize("t", [1, 2, 10, 500])
def test_weights_closed_form_and_sum(beta, t):
    w = ewa_weights(beta, t)
    assert w.shape == (t,)
    np.testing.assert_allclose(w, [(1 - beta) * beta**k for k in range(t)], rtol=1e-14, atol=0)
    assert math.isclose(w.sum(), 1 - beta**t, rel_tol=1e-12)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.999])
def test_weights_are_the_response_to_an_impulse(beta):
    # Feeding one 1 at position t - k - 1 and zeros elsewhere gives v_t = weight of the value k steps back.
    t = 30
    for k in range(t):
        x = np.zeros(t)
        x[t - 1 - k] = 1.0
        assert math.isclose(ewa(x, beta)[-1], ewa_weights(beta, t)[k], rel_tol=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99, 0.999])
@pytest.mark.parametrize("c", [1.0, -3.7, 1e-6, 2.5e6])
def test_bias_corrected_ewa_of_a_constant_is_the_constant(beta, c):
    v = ewa(np.full(300, c), beta, bias_correction=True)
    np.testing.assert_allclose(v, c, rtol=1e-12)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_uncorrected_ewa_of_a_constant_is_pulled_towards_zero(beta):
    t = np.arange(1, 51)
    np.testing.assert_allclose(ewa(np.ones(50), beta), 1 - beta**t, rtol=1e-12)


def test_docstring_examples():
    np.testing.assert_array_equal(ewa([1.0, 1.0, 1.0], beta=0.5), [0.5, 0.75, 0.875])
    np.testing.assert_array_equal(ewa([1.0, 1.0, 1.0], beta=0.5, bias_correction=True), [1.0, 1.0, 1.0])


@settings(max_examples=30, deadline=None)
@given(x=series)
def test_beta_zero_returns_the_series(x):
    np.testing.assert_array_equal(ewa(x, 0.0), x)
    np.testing.assert_array_equal(ewa(x, 0.0, bias_correction=True), x)


def test_multidimensional_series_average_elementwise():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 3, 2))
    for bc in (False, True):
        v = ewa(x, 0.8, bias_correction=bc)
        assert v.shape == x.shape
        for i in range(3):
            for j in range(2):
                np.testing.assert_allclose(v[:, i, j], ewa(x[:, i, j], 0.8, bias_correction=bc), rtol=1e-14)


def test_ewa_accepts_lists_and_ints_and_returns_float():
    v = ewa([1, 2, 3], 0.5)
    assert v.dtype == np.float64
    np.testing.assert_allclose(v, [0.5, 1.25, 2.125])


def test_ewa_does_not_mutate_its_input():
    x = np.arange(10.0)
    x_copy = x.copy()
    ewa(x, 0.9, bias_correction=True)
    np.testing.assert_array_equal(x, x_copy)


def test_empty_series():
    assert ewa(np.array([]), 0.9).shape == (0,)
    assert ewa(np.array([]), 0.9, bias_correction=True).shape == (0,)


def test_ewa_update_and_bias_correction_pieces():
    assert ewa_update(2.0, 4.0, 0.75) == 0.75 * 2.0 + 0.25 * 4.0
    np.testing.assert_allclose(ewa_update(np.array([1.0, 2.0]), np.array([3.0, 4.0]), 0.5), [2.0, 3.0])
    assert math.isclose(bias_correction(0.19, 0.9, 2), 1.0)
    # The recursion built from the pieces is ewa().
    x = np.random.default_rng(2).standard_normal(25)
    v, manual = 0.0, []
    for t, xt in enumerate(x, start=1):
        v = ewa_update(v, xt, 0.7)
        manual.append(bias_correction(v, 0.7, t))
    np.testing.assert_allclose(ewa(x, 0.7, bias_correction=True), manual, rtol=1e-14)


# ----------------------------------------------------------------------------------------------------
# Window, half-life, noise


def test_window_and_half_life_are_different_numbers():
    assert math.isclose(window(0.9), 10.0, rel_tol=1e-12)
    assert math.isclose(half_life(0.9), math.log(2) / math.log(1 / 0.9), rel_tol=1e-12)
    assert round(half_life(0.9), 2) == 6.58
    assert abs(window(0.9) - half_life(0.9)) > 3


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98, 0.999])
def test_half_life_halves_the_weight_and_window_is_mean_age_plus_one(beta):
    h = half_life(beta)
    assert math.isclose(beta**h, 0.5, rel_tol=1e-12)
    # Mean age of the (infinite) weights, plus one: sum_k (k + 1) (1 - beta) beta**k = 1 / (1 - beta).
    k = np.arange(200_000)
    assert math.isclose(np.sum((k + 1) * (1 - beta) * beta**k), window(beta), rel_tol=1e-9)


def test_beta_zero_window_and_half_life():
    assert window(0.0) == 1.0
    assert half_life(0.0) == 0.0


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_noise_variance_factor_is_the_sum_of_squared_weights(beta):
    w = ewa_weights(beta, 20_000)
    assert math.isclose(noise_variance_factor(beta), np.sum(w**2), rel_tol=1e-12)
    assert math.isclose(noise_variance_factor(beta), (1 - beta) / (1 + beta), rel_tol=1e-14)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98])
def test_noise_variance_factor_matches_monte_carlo(beta):
    rng = np.random.default_rng(12345)
    sigma = 2.0
    noise = sigma * rng.standard_normal((200_000, 4))
    v = ewa(noise, beta)[1000:]  # steady state: drop the start-up
    measured = v.var() / sigma**2
    assert measured == pytest.approx(noise_variance_factor(beta), rel=0.05)


# ----------------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("func", "args", "error", "fragment"),
    [
        (ewa, ([1.0, 2.0], 1.0), ValueError, "ewa: beta must be in [0, 1), got 1.0"),
        (ewa, ([1.0, 2.0], -0.1), ValueError, "ewa: beta must be in [0, 1), got -0.1"),
        (ewa, ([1.0, 2.0], float("nan")), ValueError, "ewa: beta must be a number, got nan"),
        (ewa, ([1.0, 2.0], "0.9"), TypeError, "ewa: beta must be a real number"),
        (ewa, ([1.0, 2.0], True), TypeError, "ewa: beta must be a real number"),
        (ewa, (3.0, 0.9), ValueError, "ewa: values must be a series"),
        (bias_correction, (0.5, 0.9, 0), ValueError, "bias_correction: t counts steps from 1, got 0"),
        (ewa_weights, (1.0, 5), ValueError, "ewa_weights: beta must be in [0, 1), got 1.0"),
        (window, (1.0,), ValueError, "window: beta must be in [0, 1), got 1.0"),
        (half_life, (-0.5,), ValueError, "half_life: beta must be in [0, 1), got -0.5"),
        (noise_variance_factor, (float("inf"),), ValueError, "noise_variance_factor: beta must be in [0, 1)"),
    ],
)
def test_bad_input_gives_a_message_that_teaches(func, args, error, fragment):
    with pytest.raises(error) as info:
        func(*args)
    message = str(info.value)
    assert fragment in message
    if error is ValueError and "must be in" in message:
        assert message.rstrip().endswith(".") and len(message.split(". ", 1)) == 2  # a "why" sentence follows
