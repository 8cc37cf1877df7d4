"""lessons_lib.data: the bundled data sets, read without a download, and the per-feature layout of a linear
classifier's parameters."""

import numpy as np
import pytest

from lessons_lib import (
    softmax_regression,
)
from lessons_lib.data import by_feature, stock_prices

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


# ----------------------------------------------------------------------------------------------------
# Reductions


def test_by_feature_matches_the_softmax_models_layout():
    # Pixels never inked have a zero gradient for every class (with l2 = 0), wherever the weights are;
    # grouping the flat gradient by feature must find exactly those zeros.
    p = softmax_regression(l2=0.0)
    w = np.random.default_rng(0).standard_normal(p.dim)
    per_feature = by_feature(np.abs(p.grad(w)), 10, reduce=np.max)
    assert per_feature.shape == (65,)
    never = np.flatnonzero(p.info["pixel_activity"] == 0)
    assert never.size > 0
    np.testing.assert_array_equal(per_feature[never], 0.0)
    assert np.all(per_feature[np.flatnonzero(p.info["pixel_activity"] > 0)] > 0)
    np.testing.assert_allclose(by_feature(np.arange(20.0).reshape(2, 10), 5), [[2.0, 7.0], [12.0, 17.0]])
    with pytest.raises(ValueError, match="not a whole number of groups"):
        by_feature(np.ones(7), 3)
