"""lessons_lib.measures: every "steps to a tolerance" of the course is one rule, checked against a loop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lessons_lib import Adam, GradientDescent, Momentum, quadratic, ravine, run
from lessons_lib.measures import distance_steps, first_staying, first_within, loglog_slope, steps_to
from lessons_lib.sweeps import sweep


def first_staying_by_loop(below):
    """The first k from which below[k:] is all True, for one run; -1 if none: a loop, as the text says it."""
    for k in range(len(below)):
        if all(below[k:]):
            return k
    return -1


@settings(max_examples=200, deadline=None)
@given(arrays(bool, st.tuples(st.integers(1, 12), st.integers(1, 4))))
def test_first_staying_is_the_first_step_from_which_it_holds_to_the_end(below):
    expected = [first_staying_by_loop(below[:, j]) for j in range(below.shape[1])]
    assert first_staying(below).tolist() == expected
    steps = 10 * np.arange(len(below))
    assert first_staying(below, steps).tolist() == [10 * e if e >= 0 else -1 for e in expected]
    assert first_staying(below, never=np.inf).tolist() == [e if e >= 0 else np.inf for e in expected]


def test_every_steps_to_is_first_staying():
    """Trajectory.steps_to, Sweep.steps_to and steps_to on points agree, diverged runs included."""
    p = ravine(10)
    starts = np.array([[2.0, 1.0], [-1.5, 0.5], [0.5, -2.0]])
    for opt in (
        GradientDescent(lr=0.15),
        Momentum(lr=0.05, beta=0.9),
        Adam(lr=0.05),
        GradientDescent(lr=0.25),
    ):
        t = run(opt, p, 300, x0=starts)
        s = sweep(opt, p, 300, starts, grid={"lr": [opt.lr]})
        for tol in (1e-2, 1e-6):
            expected = [first_staying_by_loop(t.gaps[:, j] <= tol) for j in range(len(starts))]
            np.testing.assert_array_equal(t.steps_to(tol), expected)
            np.testing.assert_array_equal(steps_to(p, t.points, tol), expected)
            np.testing.assert_array_equal(s.steps_to(tol)[0], expected)
    assert run(GradientDescent(lr=0.25), p, 50, x0=starts).diverged  # the last one: never reaches


def test_steps_to_on_a_quadratic_by_hand():
    p = quadratic([[1.0]])
    points = np.array([[1.0], [0.1], [0.3], [0.01], [0.001]])
    assert int(steps_to(p, points, 0.01)) == 3


def test_first_within_by_hand():
    gaps = np.array([[5.0, 5.0, 5.0], [3.0, 0.5, 5.0], [0.9, 2.0, 5.0], [0.1, 0.1, 5.0]])
    assert first_within(gaps, 1.0).tolist() == [2, 1, -1]
    assert first_within(gaps, 1.0, start=2).tolist() == [0, 1, -1]
    assert first_within(gaps, np.array([4.0, 0.2, 5.0])).tolist() == [1, 3, 0]  # a tolerance per run


@pytest.mark.parametrize(("exponent", "scale"), [(-0.5, 3.0), (-1.0, 0.2), (0.25, 7.0)])
def test_loglog_slope_recovers_exact_power_laws_over_steps(exponent, scale):
    t = np.geomspace(1, 1e4, 50)
    assert loglog_slope(t, scale * t**exponent) == pytest.approx(exponent, abs=1e-12)


@given(exponent=st.floats(-2.0, 2.0), scale=st.floats(0.01, 100.0))
@settings(max_examples=30, deadline=None)
def test_loglog_slope_recovers_a_power_law(exponent, scale):
    x = np.array([1.0, 10.0, 100.0, 1000.0])
    assert loglog_slope(x, scale * x**exponent) == pytest.approx(exponent, abs=1e-9)


@pytest.mark.parametrize(
    ("x", "y"), [([1.0], [1.0]), ([1.0, 2.0], [1.0]), ([0.0, 1.0], [1.0, 2.0]), ([1.0, 2.0], [1.0, np.inf])]
)
def test_loglog_slope_bad_input(x, y):
    with pytest.raises(ValueError, match="loglog_slope"):
        loglog_slope(x, y)


def test_steps_to_agrees_with_the_trajectory():
    p = ravine(100)
    starts = p.random_starts(8, seed=6)
    t = run(Momentum(lr=0.01, beta=0.9, averaged=False), p, 300, x0=starts)
    tol = 1e-6 * t.gaps[0]
    np.testing.assert_array_equal(steps_to(p, t.points, tol), t.steps_to(tol))


def test_distance_steps_by_hand():
    # distances 5, 0.5, 1, 0.05, 0
    points = np.array([[[3.0, 4.0]], [[0.3, 0.4]], [[0.6, 0.8]], [[0.03, 0.04]], [[0.0, 0.0]]])
    np.testing.assert_array_equal(distance_steps(points, [0.0, 0.0], 0.1), [3.0])  # 0.5 at step 1, but 1 at 2
    np.testing.assert_array_equal(distance_steps(points, [0.0, 0.0], 0.2), [1.0])
    np.testing.assert_array_equal(distance_steps(points + 1.0, [1.0, 1.0], 0.2), [1.0])  # around x*
    nan_run = np.concatenate([points, np.full((1, 1, 2), np.nan)])
    np.testing.assert_array_equal(distance_steps(nan_run, [0.0, 0.0], 0.1), [np.inf])
    with pytest.raises(ValueError, match="fraction must be finite and > 0"):
        distance_steps(points, [0.0, 0.0], 0.0)


def test_distance_steps_of_gradient_descent_on_the_ravine_match_its_rate():
    # At lr = 2/(L + mu) both coordinates, and so the distance, shrink by (kappa - 1)/(kappa + 1) per step.
    p = ravine(100)
    starts = p.random_starts(20, seed=1)
    points = run(GradientDescent(lr=2 / (p.L + p.mu)), p, 300, x0=starts).points
    expected = np.ceil(np.log(0.1) / np.log(99 / 101))
    np.testing.assert_array_equal(distance_steps(points, p.minimizer, 0.1), np.full(20, expected))
