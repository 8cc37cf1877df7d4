"""lessons_lib.measures: every "steps to a tolerance" of the course is one rule, checked against a loop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lessons_lib as ll
from lessons_lib import (
    Adam,
    GradientDescent,
    Momentum,
    RMSProp,
    double_well,
    double_well_2d,
    quadratic,
    ravine,
    rotated_ravine,
    run,
    saddle,
)
from lessons_lib.measures import (
    chaotic_runs,
    convergence_rate,
    copies_grow,
    copies_part,
    distance_steps,
    ends_in_global,
    ends_in_global_nudged,
    escape_steps,
    first_staying,
    first_within,
    loglog_slope,
    nudged_copies,
    oscillation,
    spread,
    step_per_gradient,
    steps_to,
)
from lessons_lib.problems import saddle_starts
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


# ----------------------------------------------------------------------------------------------------
# Reductions


def test_ends_in_global_by_basin():
    well = double_well()
    xg, xl, xb = well.minimizer[0], well.local_minima[0][0][0], well.info["barrier"][0]
    points = np.array([[xg], [xl], [xb - 0.01], [xb + 0.01], [np.nan], [-2.5]])
    np.testing.assert_array_equal(ends_in_global(well, points), [True, False, True, False, False, True])
    well_2d = double_well_2d()
    pts = np.array([well_2d.minimizer, well_2d.local_minima[0][0], [np.nan, 0.0]])
    np.testing.assert_array_equal(ends_in_global(well_2d, pts), [True, False, False])
    assert ends_in_global(well_2d, np.zeros((2, 3, 2))).shape == (2, 3)


def test_gradient_descent_runs_stay_in_their_basin_at_a_small_lr():
    well = double_well()
    starts = well.random_starts(50, seed=0)
    final = sweep(GradientDescent(lr=0.01), well, 2000, starts, every=2000).points[-1]
    left_of_barrier = starts[:, 0] < well.info["barrier"][0]
    np.testing.assert_array_equal(ends_in_global(well, final), left_of_barrier)


# ----------------------------------------------------------------------------------------------------
# Judging where runs end with nudged copies of each start


def _fake_run(factors, target):
    """A runner whose run from ``x`` sits at ``target + factors[k] * x`` at step k: the copies' distance is
    the nudge times ``factors[k]``."""

    def run(x):
        return np.array([target + f * x for f in factors])

    return run


def test_nudged_judgement_reads_the_whole_path():
    well = double_well()
    xg, xl, xb = well.minimizer[0], well.local_minima[0][0][0], well.info["barrier"][0]
    start = [[2.0]]  # nudged by up to 2e-8; 1e-3 of the plot range is 5e-3

    def judge(factors, target, **kw):
        ends = ends_in_global_nudged(well, _fake_run(factors, target), start, **kw)
        return bool(ends.in_global[0]), bool(ends.chaotic[0]), bool(ends.elsewhere[0])

    assert judge([1.0, 1e4, 0.0], xg) == (True, False, False)  # amplified 1e4 (< 2.5e5), then settled
    assert judge([1.0, 1e4, 0.0], xl) == (False, False, True)
    assert judge([1.0, 1e7, 0.0], xg) == (False, True, False)  # parted mid-run, back together at the end
    assert judge([1.0, 1.0, 1e7], xg) == (False, True, False)  # parted at the end
    assert judge([1.0, 1e4, 0.0], xg, apart=1e-6) == (False, True, False)  # a stricter threshold
    assert judge([1.0, 1e4, 0.0], xg, size=1e-5) == (False, True, False)  # a larger nudge
    # Copies within 4e-3 of each other on both sides of the barrier end in different basins: chaotic.
    assert judge([1.0, 1.0, 1.0], xb - 2.0, nudges=64, size=1e-3) == (False, True, False)
    assert judge([1.0, 1.0, 1.0], xb - 2.1, nudges=64, size=1e-3) == (True, False, False)


def test_nudged_judgement_of_diverged_runs():
    """Copies that all diverge at the same step are decided (elsewhere); one that diverges later is not."""
    well = double_well()
    starts = np.array([[1.0], [2.0], [-2.0]])  # the runs are rows i, i + 3, i + 6, ... of x

    def diverging(last_copy_step):
        def run(x):
            points = _fake_run([1.0] * 5 + [0.0], well.minimizer[0])(x)  # the rest end in the minimum
            points[3:, 0 : len(x) - 3 : 3] = np.nan  # start 0 and all its copies but the last, from step 3
            points[last_copy_step:, len(x) - 3] = np.nan  # the last copy of start 0
            return points

        return run

    ends = ends_in_global_nudged(well, diverging(3), starts)
    np.testing.assert_array_equal(ends.chaotic, [False, False, False])
    np.testing.assert_array_equal(ends.elsewhere, [True, False, False])
    np.testing.assert_array_equal(ends.in_global, [False, True, True])
    ends = ends_in_global_nudged(well, diverging(4), starts)
    np.testing.assert_array_equal(ends.chaotic, [True, False, False])
    np.testing.assert_array_equal(ends.elsewhere, [False, False, False])


def test_converging_runs_are_decided_as_ends_in_global_says():
    well = double_well()
    starts = well.random_starts(40, seed=3)

    def momentum(x):
        return sweep(Momentum(lr=0.05), well, 300, x, grid={"lr": [0.05], "beta": [0.0, 0.5]}).points

    ends = ends_in_global_nudged(well, momentum, starts)
    assert ends.in_global.shape == ends.chaotic.shape == (1, 2, 40)
    assert not ends.chaotic.any()
    plain = ends_in_global(well, momentum(starts)[-1])
    np.testing.assert_array_equal(ends.in_global, plain)
    np.testing.assert_array_equal(ends.elsewhere, ~plain)


def test_chaotic_runs_are_undecided_and_the_judgement_ignores_round_off():
    """RMSProp and Adam without momentum at lr = 1 hover across the double well: chaotic. A relative 1e-12
    change of the starts (ten thousand times round-off) changes where many of them end, but not the
    judgement; Adam with its momentum settles and is decided."""
    well = double_well()
    starts = well.random_starts(100, seed=0)
    moved = starts * (1 + 1e-12 * np.random.default_rng(5).uniform(-1.0, 1.0, starts.shape))
    grid = {"lr": [0.1, 1.0], "beta1": [0.0, 0.9]}

    def adam(x):
        return sweep(Adam(lr=0.1), well, 150, x, grid=grid).points

    ends, ends_moved = ends_in_global_nudged(well, adam, starts), ends_in_global_nudged(well, adam, moved)
    np.testing.assert_array_equal(ends.in_global, ends_moved.in_global)
    np.testing.assert_array_equal(ends.chaotic, ends_moved.chaotic)
    assert not ends.chaotic[0].any() and not ends.chaotic[1, 1].any()  # lr = 0.1; Adam at lr = 1
    assert ends.chaotic[1, 0].mean() > 0.7  # Adam without momentum at lr = 1
    plain, plain_moved = (ends_in_global(well, adam(x)[-1]) for x in (starts, moved))
    assert (plain[1, 0] != plain_moved[1, 0]).sum() >= 10  # the plain judgement moves
    np.testing.assert_array_equal(plain[1, 1], plain_moved[1, 1])

    def rmsprop(x):
        return sweep(RMSProp(lr=1.0), well, 150, x).points

    ends = ends_in_global_nudged(well, rmsprop, starts)
    ends_moved = ends_in_global_nudged(well, rmsprop, moved)
    assert ends.chaotic.mean() > 0.8
    np.testing.assert_array_equal(ends.chaotic, ends_moved.chaotic)
    np.testing.assert_array_equal(ends.in_global, ends_moved.in_global)


def test_nudges_are_seeded_relative_and_include_the_start():
    well = double_well()
    starts = well.random_starts(30, seed=1)
    seen = []

    def run(x):
        seen.append(x.copy())
        return sweep(GradientDescent(lr=1.0), well, 150, x).points  # lr = 1: chaos, divergence

    first = ends_in_global_nudged(well, run, starts, nudges=3, seed=7)
    again = ends_in_global_nudged(well, run, starts, nudges=3, seed=7)
    other = ends_in_global_nudged(well, run, starts, nudges=3, seed=8)
    assert seen[0].shape == (4 * 30, 1)
    np.testing.assert_array_equal(seen[0], seen[1])
    assert not np.array_equal(seen[0], seen[2])
    np.testing.assert_array_equal(seen[0][:30], starts)  # copy 0 is the start itself
    relative = seen[0].reshape(4, 30, 1) / starts - 1
    assert np.all(np.abs(relative[1:]) <= 1e-8) and np.all(np.abs(relative[1:]) > 0)
    np.testing.assert_array_equal(first.chaotic, again.chaotic)
    np.testing.assert_array_equal(first.in_global, again.in_global)
    assert 0 < first.chaotic.mean() < 1 and not first.in_global.any()  # every run diverges, some chaotically
    assert other.chaotic.shape == (30,)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"nudges": 0}, "nudges must be a whole number >= 1"),
        ({"size": 0.0}, "size must be"),
        ({"apart": -1.0}, "apart must be"),
        ({"x0": [1.0, 2.0]}, r"x0 must be a batch of starts, shape \(N, d\), got shape \(2,\)"),
        ({"run": lambda x: x}, r"run\(starts\) must return the points with the steps on the first axis"),
        ({"run": lambda x: x[None, :-1]}, r"shape \(records, \*grid_shape, 10, 1\)"),
    ],
)
def test_ends_in_global_nudged_rejects_bad_inputs(kwargs, message):
    well = double_well()
    args = {
        "run": lambda x: sweep(GradientDescent(lr=0.1), well, 3, x).points,
        "x0": [[1.0], [2.0]],
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        ends_in_global_nudged(well, args.pop("run"), args.pop("x0"), **args)


def test_convergence_rate_of_gradient_descent_is_exactly_the_theory():
    for kappa in [10.0, 100.0]:
        p = ravine(kappa)
        t = run(GradientDescent(lr=2 / (p.L + p.mu)), p, 30, x0=p.random_starts(20, seed=4))
        np.testing.assert_allclose(convergence_rate(t.points, p.minimizer, 5, 30), (kappa - 1) / (kappa + 1))


def test_convergence_rate_of_momentum_tends_to_the_spectral_radius():
    """One coordinate, under-damped: the rate is the modulus of the eigenvalues of a hand-built matrix."""
    lam, lr, beta = 1.0, 0.1, 0.8  # summed form: (1 + beta - lr lam)**2 < 4 beta, complex eigenvalues
    A = np.array([[1 - lr * lam, -lr * beta], [lam, beta]])
    rho = np.abs(np.linalg.eigvals(A)).max()
    p = quadratic([[lam]], x0=[1.0])
    t = run(Momentum(lr=lr, beta=beta, averaged=False), p, 400)
    # |x_k| oscillates under an envelope rho**k: compare over whole periods via the state norm instead.
    xs = t.points[:, 0]
    vs = np.concatenate([[0.0], np.diff(-xs) / lr])  # x_k - x_{k+1} = lr v_{k+1}
    states = np.stack([xs[:-1], vs[:-1]], axis=-1)
    measured = convergence_rate(states, [0.0, 0.0], 100, 380)
    assert measured == pytest.approx(rho, abs=3e-3)
    assert rho == pytest.approx(np.sqrt(beta))


def test_convergence_rate_is_nan_for_a_diverged_run():
    points = np.array([[1.0], [2.0], [np.nan]])
    assert np.isnan(convergence_rate(points, [0.0], 0, 2))


def test_oscillation_hand_computed():
    x2 = np.array([2.0, -1.0, 0.5, 0.5, -0.25, 0.25])
    pts = np.stack([np.zeros_like(x2), x2], axis=-1)
    flips, amplitude = oscillation(pts, start=1, stop=5)
    # steps 1..5: -1, 0.5, 0.5, -0.25, 0.25 -> sign changes at 3 of 4 transitions; mean |x| = 2.5 / 5 = 0.5
    assert flips == pytest.approx(0.75)
    assert amplitude == pytest.approx(0.5 / 2.0)
    # Batched: a run that never crosses
    batch = np.stack([pts, np.stack([np.zeros_like(x2), np.abs(x2)], axis=-1)], axis=1)
    flips, amplitude = oscillation(batch, start=1, stop=5)
    np.testing.assert_allclose(flips, [0.75, 0.0])
    np.testing.assert_allclose(amplitude, [0.25, 0.25])


def test_gradient_descent_zigzags_above_half_the_limit():
    p = ravine(10)
    points = sweep(
        GradientDescent(lr=0.05), p, 30, p.random_starts(10, seed=5), grid={"lr": [0.05, 0.15]}
    ).points
    flips, _ = oscillation(points, start=0, stop=30)
    np.testing.assert_array_equal(flips, [[0.0] * 10, [1.0] * 10])  # factor 1 - lr L: 0.5, then -0.5


# ----------------------------------------------------------------------------------------------------
# Chaotic runs, for any measure: nudged copies, and the two tests of parting


def test_nudged_copies_keep_the_starts_first_and_are_seeded():
    starts = np.array([[1.0, -2.0], [0.5, 3.0], [-4.0, 0.25]])
    copies = nudged_copies(starts, nudges=3, size=1e-8, seed=5)
    assert copies.shape == (12, 2)
    np.testing.assert_array_equal(copies[:3], starts)
    relative = copies.reshape(4, 3, 2) / starts - 1
    assert np.all(np.abs(relative[1:]) <= 1e-8) and np.all(np.abs(relative[1:]) > 0)
    np.testing.assert_array_equal(copies, nudged_copies(starts, nudges=3, size=1e-8, seed=5))
    assert not np.array_equal(copies, nudged_copies(starts, nudges=3, size=1e-8, seed=6))


def test_copies_grow_sees_growth_from_below_round_off_and_ignores_equal_copies():
    def paths(distances):  # one start, one copy at the given distances from it
        d = np.asarray(distances, dtype=float)
        return np.stack([np.zeros_like(d), d], axis=-1)[..., None]  # (records, 2, 1)

    assert not copies_grow(paths([1e-8, 1e-10, 1e-12, 1e-14]), 1)[0]  # squeezed together: settles
    assert not copies_grow(paths([1e-8, 1e-8, 5e-5]), 1)[0]  # 5000-fold: below the factor 1e4
    assert copies_grow(paths([1e-8, 1e-14, 1e-9]), 1)[0]  # 1e5-fold from its smallest, never parted
    assert not copies_part(double_well(), paths([1e-8, 1e-14, 1e-9]), 1)[0]  # which copies_part misses
    assert not copies_grow(paths([1e-8, 0.0, 0.0, 0.0]), 1)[0]  # equal copies stay equal: no growth
    assert copies_grow(paths([1e-8, 1e-8, 1e-2]), 1, factor=1e5)[0]
    lost = paths([1e-8, 1e-8, 1e-8])
    lost[2, 1] = np.nan  # the copy diverged, the run did not
    assert copies_grow(lost, 1)[0] and copies_part(double_well(), lost, 1)[0]
    with pytest.raises(ValueError, match=r"copies_grow: points must have shape"):
        copies_grow(np.zeros((3, 3, 1)), 1)  # 3 runs cannot be 2 copies of whole starts


def _copy_gaps_by_loop(points, nudges):
    """The largest distance of a copy from its run, per record and run, written as plainly as possible."""
    records, n_copies = points.shape[0], points.shape[-2] // (nudges + 1)
    gap = np.zeros((records, n_copies))
    for t in range(records):
        for i in range(n_copies):
            run_point = points[t, i]
            copies = [points[t, (c + 1) * n_copies + i] for c in range(nudges)]
            lost = [bool(np.isnan(p).any()) for p in [run_point, *copies]]
            if all(lost):
                gap[t, i] = 0.0
            elif any(lost):
                gap[t, i] = np.inf
            else:
                gap[t, i] = max(float(np.sqrt(np.sum((c - run_point) ** 2))) for c in copies)
    return gap


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(0, 2**32 - 1),
)
def test_chaotic_runs_is_the_two_tests_and_their_distances_are_the_plain_ones(nudges, n, d, seed):
    """chaotic_runs shares one distance computation between copies_part and copies_grow: it must give their
    union, and copies_part must judge the distances a plain loop computes (NaN rows: diverged copies)."""
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(6, (nudges + 1) * n, d)) * 10.0 ** rng.integers(-12, 1, size=(6, 1, 1))
    lost = rng.random((nudges + 1) * n) < 0.3
    points[4:, lost] = np.nan  # some runs or copies diverge at record 4, some of them together
    points[5, rng.random((nudges + 1) * n) < 0.2] = np.nan
    well = double_well_2d() if d == 2 else quadratic(np.eye(d))
    np.testing.assert_array_equal(
        chaotic_runs(well, points, nudges, apart=1e-3, grow=1e4),
        copies_part(well, points, nudges, 1e-3) | copies_grow(points, nudges, 1e4),
    )
    gap = _copy_gaps_by_loop(points, nudges)
    first_lost = [np.flatnonzero(np.isnan(points[:, j]).any(axis=-1)) for j in range(points.shape[1])]
    first_lost = np.array([f[0] if f.size else -1 for f in first_lost]).reshape(nudges + 1, n)
    together = (first_lost >= 0).all(axis=0) & (first_lost == first_lost[0]).all(axis=0)
    span = max(high - low for low, high in well.bounds)
    expected = np.where(together, False, gap.max(axis=0) > 1e-3 * span)
    np.testing.assert_array_equal(copies_part(well, points, nudges, 1e-3), expected)


def test_decided_runs_keep_their_steps_when_round_off_moves_the_starts():
    p = rotated_ravine(10)
    starts = p.random_starts(50, seed=0)
    moved = starts * (1 + 1e-12 * np.random.default_rng(1).uniform(-1.0, 1.0, starts.shape))

    def judge(x0):
        s = sweep(RMSProp(lr=0.0316), p, 200, nudged_copies(x0), every=5)
        return s.steps_to(1e-3)[:50], chaotic_runs(p, s.points, 4)

    (steps, chaotic), (steps_moved, chaotic_moved) = judge(starts), judge(moved)
    assert np.any(steps != steps_moved)  # the plain count moves with a 1e-12 nudge of the starts
    np.testing.assert_array_equal(chaotic, chaotic_moved)
    assert 0 < chaotic.sum() < 50
    np.testing.assert_array_equal(steps[~chaotic], steps_moved[~chaotic])  # the decided runs do not
    assert not np.any(chaotic_runs(p, sweep(RMSProp(lr=0.001), p, 200, nudged_copies(starts)).points, 4))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: nudged_copies([1.0, 2.0]), r"nudged_copies: x0 must be a batch of starts"),
        (lambda: nudged_copies([[1.0]], nudges=0), "nudged_copies: nudges must be a whole number >= 1"),
        (lambda: nudged_copies([[1.0]], size=0.0), "nudged_copies: size must be"),
        (lambda: copies_part(double_well(), np.zeros((3, 2, 1)), 1, apart=0.0), "copies_part: apart must be"),
        (lambda: copies_grow(np.zeros((3, 2, 1)), 1, factor=-1.0), "copies_grow: factor must be"),
    ],
)
def test_chaos_helpers_reject_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------------------------------
# Saddle starts and escapes; distances


def test_saddle_starts_range_signs_and_seed():
    p = saddle()
    a = saddle_starts(p, 400, y_range=(1e-6, 1e-3), seed=5)
    b = saddle_starts(p, 400, y_range=(1e-6, 1e-3), seed=5)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (400, 2)
    assert np.all((a[:, 0] >= -2.0) & (a[:, 0] <= 2.0))
    y = np.abs(a[:, 1])
    assert np.all((y >= 1e-6) & (y <= 1e-3))
    assert 150 < np.sum(a[:, 1] > 0) < 250
    decades = np.floor(np.log10(y))
    assert all(100 < np.sum(decades == d) < 170 for d in (-6, -5, -4))  # log-uniform: a third per decade
    with pytest.raises(ValueError, match="y_range"):
        saddle_starts(p, 3, y_range=(0.0, 1.0))


def test_escape_steps_by_hand_and_for_nan():
    ys = np.array([[0.1, -0.1, np.nan], [0.3, -0.6, np.nan], [0.7, 0.2, np.nan]])
    points = np.stack([np.zeros_like(ys), ys], axis=-1)  # (steps + 1, runs, 2)
    np.testing.assert_array_equal(escape_steps(points), [2.0, 1.0, np.inf])
    np.testing.assert_array_equal(escape_steps(points, threshold=0.25), [1.0, 1.0, np.inf])
    np.testing.assert_array_equal(escape_steps(points, coord=0), [np.inf] * 3)


def test_gradient_descent_escape_follows_the_linearised_rate():
    p = saddle()
    y0 = np.array([1e-8, 1e-6, 1e-4])
    starts = np.stack([np.zeros(3), y0], axis=-1)
    escape = escape_steps(sweep(GradientDescent(lr=0.1), p, 400, starts).points)
    theory = np.log(0.5 / y0) / np.log(1.1)  # y grows by (1 + lr) per step while y**3 is negligible
    assert np.all(np.abs(escape - theory) <= 3)
    rms = escape_steps(sweep(RMSProp(lr=0.1), p, 50, starts).points)
    assert np.all(rms <= 3)  # RMSProp: lr / sqrt(1 - beta) = 0.32 on the first step, from every start


# ----------------------------------------------------------------------------------------------------
# Reductions


def test_step_per_gradient_is_the_effective_lr_of_adaptive_rules():
    p = ll.ravine(10)
    x0 = p.random_starts(6, seed=0)
    for opt in [ll.GradientDescent(lr=0.05), ll.Adagrad(lr=0.5), ll.RMSProp(lr=0.05)]:
        t = ll.run(opt, p, 30, x0, keep_states=True)
        np.testing.assert_allclose(step_per_gradient(t.points, t.grads), t.effective_lrs, rtol=1e-9)


def test_step_per_gradient_of_momentum_follows_the_velocity():
    p = ll.ravine(10)
    t = ll.run(ll.Momentum(lr=0.05, beta=0.9), p, 20, p.random_starts(4, seed=1), keep_states=True)
    expected = 0.05 * np.abs(t.states["v"][1:]) / np.abs(t.grads)
    np.testing.assert_allclose(step_per_gradient(t.points, t.grads), expected, rtol=1e-9)
    assert not np.allclose(step_per_gradient(t.points, t.grads), 0.05)


def test_step_per_gradient_is_nan_without_gradient_and_checks_shapes():
    points = np.array([[1.0, 1.0], [0.9, 1.0]])
    np.testing.assert_allclose(step_per_gradient(points, [[1.0, 0.0]]), [[0.1, np.nan]], rtol=1e-12)
    with pytest.raises(ValueError, match="one more step"):
        step_per_gradient(points, points)


def test_spread_is_the_percentiles_and_counts_inf_as_largest():
    rng = np.random.default_rng(0)
    values = rng.standard_normal((5, 40))
    np.testing.assert_allclose(spread(values, axis=1), np.percentile(values, [10, 50, 90], axis=1))
    np.testing.assert_allclose(spread(values.T, axis=0), np.percentile(values, [10, 50, 90], axis=1))
    assert spread(np.r_[np.arange(6.0), [np.inf] * 4]).tolist() == [0.9, 4.5, np.inf]  # 6 of 10 arrived
    assert spread(np.r_[np.arange(4.0), [np.inf] * 6]).tolist() == [0.9, np.inf, np.inf]  # 4 of 10 arrived
    with_nan = np.r_[np.arange(11.0), np.nan]
    np.testing.assert_allclose(spread(with_nan), [1.0, 5.0, 9.0])


def test_copies_that_all_diverge_at_one_step_are_decided_and_at_different_steps_chaotic():
    well = double_well()
    far = np.array([[0.0], [1e2], [1e5], [np.nan], [np.nan]])  # flying off, then diverged (NaN)
    together = np.stack([far, far * (1 + 1e-3)], axis=1)  # 5 records, copy 0 and 1 of one start
    early = together.copy()
    early[2, 1] = np.nan  # the copy diverges one record earlier
    judges = [
        lambda p: copies_part(well, p, 1),
        lambda p: copies_grow(p, 1),
        lambda p: chaotic_runs(well, p, 1),
    ]
    for judge in judges:
        assert judge(together).tolist() == [False]  # far apart on the way out, the same fate at one step
        assert judge(early).tolist() == [True]


def test_chaotic_shares_of_diverging_runs_hardly_depend_on_blowup():
    """Gradient descent at lr = 1 on the double well: every run diverges, some at a step the nudge moves.

    Whether a run counts as chaotic must not depend on how far the runner follows a diverging run: over nine
    decades of blowup the share moves by a run or two of 200 (before copies that flew off together counted as
    chaotic, the share grew with blowup)."""
    well = double_well()
    copies = nudged_copies(well.random_starts(200, seed=0))
    shares = [
        chaotic_runs(well, sweep(GradientDescent(lr=1.0), well, 150, copies, blowup=b).points, 4).mean()
        for b in (1e3, 1e6, 1e9, 1e12)
    ]
    assert 0.05 < min(shares) and max(shares) < 0.5 and max(shares) - min(shares) <= 0.01
