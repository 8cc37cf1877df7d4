"""Exponentially weighted averages checked against independent computations (closed forms, direct sums)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lessons_lib as ll
from lessons_lib import (
    RMSProp,
    bias_correction,
    ewa,
    ewa_update,
    ewa_weights,
    half_life,
    noise_variance_factor,
    window,
)
from lessons_lib.averages import (
    best_shift,
    divided_steps,
    ewa_for_betas,
    moving_average,
    steps_to_reach,
    weights_mean_age,
)

betas = st.floats(min_value=0.0, max_value=0.995, allow_nan=False)

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


# --------------------------------------------------------------------------------------------------------
# Lag


@given(beta=st.floats(min_value=0.05, max_value=0.995))
@settings(max_examples=60, deadline=None)
def test_half_a_jump_is_covered_after_the_half_life_rounded_up(beta):
    half_life = ll.half_life(beta)
    if abs(half_life - round(half_life)) < 1e-9:  # 1 - beta**t hits 0.5 exactly: rounding decides
        return
    assert steps_to_reach(ll.ewa(np.ones(3000), beta), 0.5) == math.ceil(half_life)


def test_steps_to_reach_other_levels_and_errors():
    response = 1 - 0.9 ** np.arange(1, 101)  # the EWA of ones, in closed form
    assert steps_to_reach(response, 0.05) == 1  # (1 - 0.9 is 0.09999999999999998, below 0.1)
    assert steps_to_reach(response, 0.99) == ll.forget_time(0.9, 0.01)
    with pytest.raises(ValueError, match="never reaches 0.5 in its 3 steps"):
        steps_to_reach([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="1-D"):
        steps_to_reach(np.ones((3, 2)))


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.98, 0.99])
def test_lag_behind_a_trend_is_the_mean_age(beta):
    trend = np.arange(1.0, 5001.0)
    lag = trend[-1] - ll.ewa(trend, beta)[-1]
    assert lag == pytest.approx(beta / (1 - beta), abs=1e-6)
    assert ll.mean_age(beta) == pytest.approx(lag, abs=1e-6)
    assert weights_mean_age(ll.ewa_weights(beta, 5000)) == pytest.approx(lag, abs=1e-6)


@pytest.mark.parametrize("n", [1, 2, 5, 20])
def test_moving_average_lags_a_trend_by_its_mean_age(n):
    trend = np.arange(1.0, 201.0)
    lag = trend[-1] - moving_average(trend, n)[-1]
    assert lag == pytest.approx((n - 1) / 2) == weights_mean_age(np.full(n, 1 / n))


@pytest.mark.parametrize("delay", [0, 1, 7, 30])
def test_best_shift_recovers_a_known_delay(delay):
    rng = np.random.default_rng(delay)
    x = np.cumsum(rng.standard_normal(400))
    delayed = np.concatenate([np.zeros(delay), x[: len(x) - delay]])
    assert best_shift(x, delayed, max_shift=40) == delay
    assert best_shift(x, delayed, max_shift=40, start=100, stop=200) == delay


@pytest.mark.parametrize("beta", [0.9, 0.98])
def test_on_a_long_random_walk_the_best_shift_is_the_half_life_rounded_down(beta):
    """The claim of lesson 01, section 3: Var(v_t - x_{t-d}) = sum_j (1[j < d] - beta**(j+1))**2 per unit
    step variance, least for d = #{j >= 0 : beta**(j+1) > 1/2} = floor(half-life)."""
    walk = np.cumsum(np.random.default_rng(0).standard_normal(200_000))
    shift = best_shift(walk, ll.ewa(walk, beta), max_shift=150, start=1000)
    assert shift == math.floor(ll.half_life(beta))
    d = np.arange(151)[:, None]
    j = np.arange(2000)[None, :]
    theory = (((j < d) - beta ** (j + 1.0)) ** 2).sum(axis=1)
    assert int(np.argmin(theory)) == shift


def test_150_day_stretches_of_random_walks_scatter_as_the_lesson_says():
    """Lesson 01 quotes about 18 to 51 days (10th to 90th percentile) at beta = 0.98, and half-lives 6, 34."""
    walks = np.cumsum(np.random.default_rng(0).standard_normal((600, 200)), axis=0)
    smooth = ll.ewa(walks, 0.98, bias_correction=True)
    shifts = [best_shift(walks[:, i], smooth[:, i], max_shift=150, start=300, stop=450) for i in range(200)]
    low, median, high = np.percentile(shifts, [10, 50, 90])
    assert 14 <= low <= 22 and 30 <= median <= 38 and 46 <= high <= 56
    real = [27, 28, 33, 34]  # what the lesson measures on the prices (five stretches)
    assert all(low <= r <= high for r in real)


def test_best_shift_rejects_bad_ranges():
    x = np.arange(10.0)
    with pytest.raises(ValueError, match="same length"):
        best_shift(x, x[:5], max_shift=2)
    with pytest.raises(ValueError, match="max_shift <= start"):
        best_shift(x, x, max_shift=5, start=2)
    with pytest.raises(ValueError, match="start < stop"):
        best_shift(x, x, max_shift=2, start=8, stop=8)


# --------------------------------------------------------------------------------------------------------
# The moving average and the EWA for many betas


def direct_moving_average(x, n):
    """The mean of the last n values (fewer at the start), one window at a time."""
    return np.array([np.mean(x[max(0, t - n + 1) : t + 1], axis=0) for t in range(len(x))])


@pytest.mark.parametrize("n", [1, 2, 3, 10, 50])
def test_moving_average_equals_the_direct_window_mean(n):
    x = np.random.default_rng(n).normal(size=(30, 3))
    np.testing.assert_allclose(moving_average(x, n), direct_moving_average(x, n), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(moving_average(list(x[:, 0]), n), direct_moving_average(x[:, 0], n))


@pytest.mark.parametrize("n", [0, -1, 2.0, True, None])
def test_moving_average_rejects_a_bad_window(n):
    with pytest.raises(ValueError, match="whole number >= 1"):
        moving_average([1.0, 2.0], n)


@pytest.mark.parametrize("bias_correction", [False, True])
def test_ewa_for_betas_equals_one_ewa_per_beta(bias_correction):
    x = np.random.default_rng(1).normal(size=(50, 4))
    grid = [0.0, 0.3, 0.9, 0.99]
    out = ewa_for_betas(x, grid, bias_correction=bias_correction)
    assert out.shape == (50, 4, 4)
    for j, beta in enumerate(grid):
        np.testing.assert_allclose(out[..., j], ll.ewa(x, beta, bias_correction), rtol=1e-13)
    np.testing.assert_allclose(ewa_for_betas(list(x[:, 0]), grid)[:, 1], ll.ewa(x[:, 0], 0.3))


@pytest.mark.parametrize("grid", [[0.5, 1.0], [-0.1], [[0.5]], 0.5])
def test_ewa_for_betas_rejects_bad_betas(grid):
    with pytest.raises(ValueError, match=r"betas must be a 1-D array of values in \[0, 1\)"):
        ewa_for_betas([1.0, 2.0], grid)


def test_ewa_for_betas_rejects_a_scalar_series():
    with pytest.raises(ValueError, match="must be a series"):
        ewa_for_betas(3.0, [0.5])


# --------------------------------------------------------------------------------------------------------
# Additions to lessons_lib.averages: mean_age, forget_time, matching_beta


@given(beta=st.floats(min_value=0.0, max_value=0.99))
@settings(max_examples=50, deadline=None)
def test_mean_age_is_the_window_minus_one_and_the_mean_age_of_the_weights(beta):
    assert ll.mean_age(beta) == pytest.approx(ll.window(beta) - 1, abs=1e-9)
    weights = ll.ewa_weights(beta, 20_000)
    assert weights_mean_age(weights) == pytest.approx(ll.mean_age(beta), rel=1e-9, abs=1e-12)


@given(beta=betas, fraction=st.floats(min_value=1e-6, max_value=0.99))
@settings(max_examples=200, deadline=None)
def test_forget_time_is_the_first_step_with_beta_to_the_t_below_the_fraction(beta, fraction):
    t = ll.forget_time(beta, fraction)
    assert isinstance(t, int) and t >= 1
    assert beta**t < fraction
    assert t == 1 or beta ** (t - 1) >= fraction


@pytest.mark.parametrize(
    ("beta", "expected"), [(0.9, 44), (0.98, 228), (0.99, 459), (0.999, 4603), (0.1, 3), (0.0, 1)]
)
def test_forget_time_known_values(beta, expected):
    assert ll.forget_time(beta) == expected  # 0.1**2 is 0.010000000000000002, not below 0.01


def test_forget_time_is_when_bias_correction_stops_mattering():
    beta = 0.98
    t = ll.forget_time(beta)
    v = ll.ewa(np.ones(t + 1), beta)  # the bias of a constant series is exactly beta**t
    assert 1 - v[t - 1] < 0.01 <= 1 - v[t - 2]


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"beta": 1.0}, "beta must be in"), ({"fraction": 0}, "fraction")]
)
def test_forget_time_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ll.forget_time(**{"beta": 0.9, **kwargs})


@pytest.mark.parametrize("n", [1, 2, 5, 19, 50, 1000])
def test_matching_beta_gives_the_same_mean_age_and_noise_as_the_moving_average(n):
    beta = ll.matching_beta(n)
    assert ll.mean_age(beta) == pytest.approx((n - 1) / 2, rel=1e-12, abs=1e-12)
    assert ll.noise_variance_factor(beta) == pytest.approx(1 / n, rel=1e-12)
    sma_weights = np.full(n, 1 / n)
    assert np.sum(sma_weights**2) == pytest.approx(1 / n)  # the moving average's noise factor


def test_matching_betas_noise_measured_on_many_seeds():
    noise = np.random.default_rng(7).standard_normal((800, 400))
    for n in (5, 20):
        sma = (moving_average(noise, n)[400:] ** 2).mean()
        ewa = (ll.ewa(noise, ll.matching_beta(n))[400:] ** 2).mean()
        assert sma == pytest.approx(1 / n, rel=0.03)
        assert ewa == pytest.approx(1 / n, rel=0.03)


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_matching_beta_rejects_a_bad_window(n):
    with pytest.raises(ValueError, match="whole number of values >= 1"):
        ll.matching_beta(n)


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
    signs = np.array([2.0, -4.0])  # EWA with beta = 0.5 of |g|: [1, 2.5]; of g**2: [2, 9]
    np.testing.assert_allclose(
        divided_steps(signs, lr=0.1, beta=0.5, divide_by="mean abs", eps=0.0), [-0.2, 0.4 / 2.5]
    )
    np.testing.assert_allclose(divided_steps(signs, lr=0.1, beta=0.5, eps=0.0), [-0.2 / np.sqrt(2), 0.4 / 3])


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
