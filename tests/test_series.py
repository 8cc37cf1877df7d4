"""Lesson 01's data and measurements (lessons_lib.series) and the EWA facts it adds to lessons_lib.averages.

Checked against independent computations: direct loops and sums, closed forms, simulated random walks.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lessons_lib as ll
from lessons_lib.series import (
    best_shift,
    ewa_for_betas,
    moving_average,
    steps_to_reach,
    stock_prices,
    weights_mean_age,
)

betas = st.floats(min_value=0.0, max_value=0.995, allow_nan=False)

# --------------------------------------------------------------------------------------------------------
# The data


def test_stock_prices_are_the_1047_days_of_the_bundled_file():
    dates, close = stock_prices()
    assert close.shape == dates.shape == (1047,)
    assert close.dtype == float and dates.dtype == np.dtype("datetime64[D]")
    assert (str(dates[0]), str(dates[-1])) == ("2004-08-19", "2008-10-14")
    assert np.all(np.diff(dates) > np.timedelta64(0, "D"))
    assert close[0] == 100.34 and close.max() == 741.79
    assert np.all(close > 0)
    _, high = stock_prices("high")
    _, low = stock_prices("low")
    assert np.all(low <= close) and np.all(close <= high)
    _, volume = stock_prices("volume")
    assert volume.dtype == float


def test_stock_prices_rejects_an_unknown_field_and_names_the_known_ones():
    with pytest.raises(ValueError, match=r"field must be one of \['open', 'high'.*got 'price'"):
        stock_prices("price")


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
