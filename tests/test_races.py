"""races: every entry checked run by run against run(); the rule for "best"; measures, plots, bad input."""

import dataclasses
import math

import matplotlib

matplotlib.use("agg")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import lessons_lib as ll
from lessons_lib.measures import distance_steps
from lessons_lib.plots import plot_race_paths, style_of
from lessons_lib.problems import defect_quadratics
from lessons_lib.races import Race, best_index, race

OPTIMIZERS = [
    ll.GradientDescent(lr=0.1),
    ll.Momentum(lr=0.1),
    ll.Adagrad(lr=0.1),
    ll.RMSProp(lr=0.01),
    ll.Adam(lr=0.1),
]
GRIDS = {
    "GradientDescent": lambda p: np.array([0.3, 1.0, 2.5]) / p.L,  # the last is above 2/L: diverges
    "Momentum": lambda p: np.array([1.0, 10.0]) / p.L,
    "Adagrad": [0.3, 3.0],
    "RMSProp": [0.003, 0.03],
    "Adam": [0.03, 0.3],
}


@pytest.fixture(scope="module")
def small_race():
    problems = [ll.ravine(10), ll.saddle(), ll.double_well_2d()]
    return race(problems, OPTIMIZERS, GRIDS, starts=12, steps=120, tol=1e-3, seed=3)


# ----------------------------------------------------------------------------------------------------
# Every entry is what run() gives, learning rate by learning rate


def test_every_entry_matches_run_start_by_start(small_race):
    for (p_name, o_name), e in small_race.entries.items():
        problem = small_race.problems[p_name]
        x0 = problem.random_starts(12, seed=3)
        assert e.steps == 120 and len(e.lrs) == len(
            np.atleast_1d(GRIDS[o_name](problem) if callable(GRIDS[o_name]) else GRIDS[o_name])
        )
        for i, lr in enumerate(e.lrs):
            t = ll.run(e.optimizer.replace(lr=float(lr)), problem, 120, x0)
            np.testing.assert_array_equal(
                e.reached_at[i], t.steps_to(1e-3), err_msg=f"{p_name}, {o_name}, lr={lr}"
            )
            np.testing.assert_array_equal(e.diverged[i], t.diverged_mask)
            expected_rate = np.mean(t.steps_to(1e-3) >= 0)
            assert e.success_rates[i] == expected_rate
            ok = t.steps_to(1e-3) >= 0
            if ok.any():
                assert e.median_steps[i] == np.median(t.steps_to(1e-3)[ok])
            else:
                assert math.isnan(e.median_steps[i])


def test_gradient_descent_above_two_over_L_never_succeeds(small_race):
    e = small_race.entry("ravine(κ=10)", "GradientDescent")
    assert e.lrs[-1] == pytest.approx(0.25)
    assert e.success_rates[-1] == 0 and e.diverged[-1].all()
    assert e.best_lr < 0.2


def test_only_the_global_minimum_counts_on_the_double_well():
    p = ll.double_well_2d()
    ((local, _),) = p.local_minima
    near_local = local + np.array([[0.05, 0.0], [-0.05, 0.02], [0.0, -0.03]])
    near_global = p.minimizer + np.array([[0.05, 0.0], [-0.05, 0.02], [0.0, -0.03]])
    r = race(
        [p],
        [ll.GradientDescent(lr=0.05)],
        {"GradientDescent": [0.05]},
        starts={p.name: np.vstack([near_local, near_global])},
        steps=300,
        tol=1e-3,
    )
    e = r.entry(p.name, "GradientDescent")
    assert (e.reached_at[0, :3] == -1).all()  # settled in the local minimum: f - f* = 0.85 > tol
    assert (e.reached_at[0, 3:] >= 0).all()
    final = ll.run(ll.GradientDescent(lr=0.05), p, 300, near_local).final
    np.testing.assert_allclose(final, np.tile(local, (3, 1)), atol=1e-4)


def test_recording_every_k_steps_keeps_the_successes_and_rounds_up_the_steps():
    problems = [ll.rotated_ravine(10), ll.rosenbrock()]
    dense = race(problems, OPTIMIZERS, GRIDS, starts=15, steps=150, tol=1e-3, seed=1)
    sparse = race(problems, OPTIMIZERS, GRIDS, starts=15, steps=150, tol=1e-3, seed=1, every=7)
    assert sparse.every == 7
    for key, d in dense.entries.items():
        s = sparse.entries[key]
        np.testing.assert_array_equal(s.success, d.success, err_msg=str(key))
        ok = d.success
        recorded = set(range(0, 151, 7)) | {150}
        assert set(s.reached_at[ok].tolist()) <= recorded
        # the first recorded step at or after the true one, at the latest
        assert (s.reached_at[ok] <= np.minimum(-(-d.reached_at[ok] // 7) * 7, 150)).all(), key


def test_the_distance_measure_agrees_with_lesson_04s_distance_steps():
    q = defect_quadratics(30, 5)
    grids = {"Momentum": lambda p: np.array([1.0, 10.0]) / p.L, "Adam": [0.03, 0.3]}
    r = race(
        q, [ll.Momentum(lr=0.1), ll.Adam(lr=0.1)], grids, starts=10, steps=200, tol=0.05, measure="distance"
    )
    assert r.measure == "distance"
    for (p_name, _), e in r.entries.items():
        p = q[p_name]
        x0 = p.random_starts(10, seed=0)
        for i, lr in enumerate(e.lrs):
            points = ll.run(e.optimizer.replace(lr=float(lr)), p, 200, x0).points
            expected = distance_steps(points, p.minimizer, 0.05)
            np.testing.assert_array_equal(e.reached_at[i], np.where(np.isfinite(expected), expected, -1))


def test_per_problem_steps_tolerances_and_starts():
    a, b = ll.ravine(10), ll.saddle()
    starts = {a.name: a.random_starts(4, seed=9), b.name: b.random_starts(6, seed=8)}
    r = race(
        {"A": a, "B": b},
        {"gd": ll.GradientDescent(lr=0.1)},
        {"gd": [0.05, 0.1]},
        starts={"A": starts[a.name], "B": starts[b.name]},
        steps={"A": 30, "B": 50},
        tol={"A": 1e-2, "B": 1e-4},
    )
    assert r.tol == {"A": 1e-2, "B": 1e-4}
    ea, eb = r.entry("A", "gd"), r.entry("B", "gd")
    assert (ea.steps, eb.steps) == (30, 50)
    assert ea.reached_at.shape == (2, 4) and eb.reached_at.shape == (2, 6)
    t = ll.run(ll.GradientDescent(lr=0.1), b, 50, starts[b.name])
    np.testing.assert_array_equal(eb.reached_at[1], t.steps_to(1e-4))


def test_the_relative_gap_is_a_fraction_of_each_runs_starting_gap():
    problems = [ll.ravine(10), ll.rosenbrock(), ll.double_well()]  # losses of different scales, a 1-D problem
    r = race(problems, OPTIMIZERS[1:], GRIDS, starts=9, steps=150, tol=1e-3, seed=2, measure="relative gap")
    assert r.measure == "relative gap"
    for (p_name, _), e in r.entries.items():
        p = r.problems[p_name]
        x0 = p.random_starts(9, seed=2)
        for i, lr in enumerate(e.lrs):
            t = ll.run(e.optimizer.replace(lr=float(lr)), p, 150, x0)
            gaps = t.losses - p.f_min
            for j in range(len(x0)):  # the run's own tolerance: a thousandth of its starting gap
                below = gaps[:, j] <= 1e-3 * gaps[0, j]
                stays = np.flip(np.logical_and.accumulate(np.flip(below)))
                expected = int(np.argmax(stays)) if stays.any() else -1
                assert e.reached_at[i, j] == expected, (p_name, e.optimizer.label(), lr, j)


def test_problems_raced_together_give_what_each_gives_alone():
    # all four share 100 steps and 6 starts, so they run side by side; the noisy one runs alone with sweep
    problems = {
        "ravine": ll.ravine(10),
        "well": ll.double_well(),
        "Rosenbrock": ll.rosenbrock(),
        "noisy ravine": ll.noisy(ll.ravine(10), sigma=0.5),
    }
    grids = {**GRIDS, "GradientDescent": lambda p: np.array([0.3, 1.0]) / p.L}
    together = race(problems, OPTIMIZERS, grids, starts=6, steps=100, tol=1e-2, seed=4, every=4)
    for name, problem in problems.items():
        alone = race({name: problem}, OPTIMIZERS, grids, starts=6, steps=100, tol=1e-2, seed=4, every=4)
        for o in together.optimizers:
            a, b = together.entry(name, o), alone.entry(name, o)
            np.testing.assert_array_equal(a.lrs, b.lrs)
            np.testing.assert_array_equal(a.reached_at, b.reached_at, err_msg=f"{name}, {o}")
            np.testing.assert_array_equal(a.diverged, b.diverged)
    deterministic = [p for p in problems if p != "noisy ravine"]
    for o in together.optimizers:  # one array run for the three deterministic problems
        assert len({together.entry(p, o).seconds for p in deterministic}) == 1
    per_run = {(o, together.entry(p, o).seconds) for p in problems for o in together.optimizers}
    assert together.seconds == pytest.approx(sum(seconds for _, seconds in per_run))
    assert list(together.entries) == [(p, o) for p in problems for o in together.optimizers]


# ----------------------------------------------------------------------------------------------------
# The rule for "best"


@pytest.mark.parametrize(
    ("rates", "medians", "expected"),
    [
        ([0.9, 1.0, 1.0, 0.2], [10, 80, 40, 5], 2),  # the higher rate first, then the fewer steps
        ([1.0, 1.0], [40, 40], 0),  # a tie: the smaller lr
        ([0.0, 0.5, 0.5], [np.nan, 30, np.nan], 1),
        ([0.0, 0.0, 0.0], [np.nan, np.nan, np.nan], 0),
        ([0.98, 1.0], [5, 500], 1),  # a success rate counts before speed, however large the difference
    ],
)
def test_best_index(rates, medians, expected):
    assert best_index(rates, medians) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10), st.one_of(st.none(), st.integers(1, 500))), min_size=1, max_size=9)
)
def test_best_has_the_top_rate_and_then_the_fewest_steps(pairs):
    rates = np.array([r / 10 for r, _ in pairs])
    medians = np.array([np.nan if m is None else float(m) for _, m in pairs])
    i = best_index(rates, medians)
    assert rates[i] == rates.max()
    tied = np.nan_to_num(medians[rates == rates.max()], nan=np.inf)
    assert np.nan_to_num(medians[i], nan=np.inf) == tied.min()


def test_best_index_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="one success rate and one median per learning rate"):
        best_index([1.0, 0.5], [3.0])


def test_entry_best_is_the_optimizer_at_the_best_lr(small_race):
    e = small_race.entry("saddle", "Adam")
    i = best_index(e.success_rates, e.median_steps)
    assert e.best_index == i and e.best == ll.Adam(lr=float(e.lrs[i]))
    assert small_race.best("saddle", "Adam") == e.best
    assert e.success_rate == e.success_rates[i] and e.best_steps.tolist() == e.reached_at[i].tolist()
    assert e.best_at_edge == (i in (0, len(e.lrs) - 1))
    assert "Adam(lr=" in repr(e) and "saddle" in repr(e)


# ----------------------------------------------------------------------------------------------------
# Tables and rows


def test_table_rows_and_winners(small_race):
    text = small_race.table()
    lines = text.splitlines()
    assert lines[0].split() == ["GradientDescent", "Momentum", "Adagrad", "RMSProp", "Adam"]
    assert len(lines) == 1 + 2 * 3
    for p, line, lr_line in zip(small_race.problems, lines[1::2], lines[2::2], strict=True):
        assert line.startswith(p) and lr_line.startswith("  best lr")
        for o, cell in zip(small_race.optimizers, line[len(p) :].split("  "), strict=False):
            e = small_race.entry(p, o)
            if e.success_rate > 0:
                assert f"{e.median:.0f} ({e.success_rate:.0%})" in line
            assert cell is not None
    rows = small_race.rows()
    assert len(rows) == 15 and {r["problem"] for r in rows} == set(small_race.problems)
    winners = small_race.winners()
    for p, names in winners.items():
        top = max(small_race.entry(p, o).success_rate for o in small_race.optimizers)
        for name in names:
            assert small_race.entry(p, name).success_rate == top


def test_a_pair_that_never_succeeds_reads_never():
    p = ll.rosenbrock()
    r = race(
        [p], [ll.GradientDescent(lr=1e-6)], {"GradientDescent": [1e-7, 1e-6]}, starts=5, steps=10, tol=1e-6
    )
    e = r.entry("Rosenbrock", "GradientDescent")
    assert e.success_rate == 0 and math.isnan(e.median) and e.best_lr == 1e-7
    assert r.table().splitlines()[1].split()[1:] == ["never"]
    assert r.table().splitlines()[2].split()[2:] == ["-"]
    assert r.winners() == {"Rosenbrock": []}
    assert "never" in repr(e)


# ----------------------------------------------------------------------------------------------------
# The quadratics of question 6


def test_defect_quadratics_are_what_they_say():
    q = defect_quadratics(100, 10, 45)
    assert list(q) == ["rotated", "scaled axes", "both"]
    a = np.deg2rad(45)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    D, S = np.diag([1.0, 100.0]), np.diag([1.0, 10.0])
    np.testing.assert_allclose(q["rotated"].info["H"], R @ D @ R.T, atol=1e-12)
    np.testing.assert_allclose(q["scaled axes"].info["H"], np.diag([1.0, 1e4]))
    np.testing.assert_allclose(q["both"].info["H"], S @ R @ D @ R.T @ S, atol=1e-10)
    np.testing.assert_allclose(np.linalg.eigvalsh(q["rotated"].info["H"]), [1.0, 100.0])
    for p in q.values():
        assert p.f_min == 0 and np.all(p.gap(p.random_starts(5)) > 0)
        (x_lo, x_hi), (y_lo, y_hi) = p.bounds
        assert x_lo <= p.x0[0] <= x_hi and y_lo <= p.x0[1] <= y_hi
    # In the rescaled coordinates y = S x, "both" is the rotated ravine: the same loss at the same point.
    x = q["both"].random_starts(7, seed=2)
    np.testing.assert_allclose(q["both"].f(x), q["rotated"].f(x @ S), rtol=1e-12)


def test_defect_quadratics_reject_a_bad_scale():
    with pytest.raises(ValueError, match="defect_quadratics: scale must be finite and > 0, got 0.0"):
        defect_quadratics(100, 0.0)


# ----------------------------------------------------------------------------------------------------
# Plots


def test_plot_race_paths_draws_each_optimizer_at_its_best_lr(small_race):
    ax = Figure().add_subplot()
    assert plot_race_paths(ax, small_race, "saddle", steps=40) is ax
    p = small_race.problems["saddle"]
    for name in small_race.optimizers:
        e = small_race.entry("saddle", name)
        (line,) = [ln for ln in ax.lines if ln.get_label() == f"{name}, lr={e.best_lr:.3g}"]
        expected = ll.run(e.best, p, 40).points
        np.testing.assert_allclose(line.get_xydata(), expected, rtol=1e-12)
        assert to_hex(line.get_color()) == to_hex(style_of(e.best)["color"])
    assert ax.get_legend() is not None and ax.get_title(loc="left") == p.name


def test_best_runs_are_the_best_settings_from_the_default_start_and_can_be_drawn(small_race):
    runs = small_race.best_runs("ravine(κ=10)", steps=25)
    assert list(runs) == list(small_race.optimizers)
    p = small_race.problems["ravine(κ=10)"]
    for name, trajectory in runs.items():
        assert trajectory.optimizer == small_race.best("ravine(κ=10)", name)
        np.testing.assert_array_equal(trajectory.points, ll.run(trajectory.optimizer, p, 25).points)
    assert small_race.best_runs("saddle")["Adam"].steps == 120  # the race's steps by default
    start = np.array([0.5, -0.3])
    np.testing.assert_array_equal(small_race.best_runs("saddle", steps=3, x0=start)["Adam"].points[0], start)
    ax, other = Figure().subplots(1, 2)
    plot_race_paths(ax, small_race, "ravine(κ=10)", trajectories=runs, legend=False)
    plot_race_paths(other, small_race, "ravine(κ=10)", steps=25, legend=False)
    assert [ln.get_label() for ln in ax.lines] == [ln.get_label() for ln in other.lines]
    for a, b in zip(ax.lines, other.lines, strict=True):
        np.testing.assert_array_equal(a.get_xydata(), b.get_xydata())
    assert ax.get_legend() is None
    with pytest.raises(KeyError, match="Race: no 'Himmelblau' in this race"):
        small_race.best_runs("Himmelblau")


# ----------------------------------------------------------------------------------------------------
# Bad input: which object, which parameter, what was received, why


def _race(**changes):
    kwargs = {
        "problems": [ll.ravine(10)],
        "optimizers": [ll.GradientDescent(lr=0.1)],
        "lr_grids": {"GradientDescent": [0.1]},
        "starts": 3,
        "steps": 5,
        "tol": 1e-3,
    }
    kwargs.update(changes)
    return race(**kwargs)


BAD = [
    (
        {"measure": "loss"},
        ValueError,
        "race: measure must be one of 'gap', 'distance', 'relative gap', got 'loss'",
    ),
    (
        {"measure": "relative gap", "tol": 1.0},
        ValueError,
        "race: tol of 'ravine\\(κ=10\\)' must be below 1 with measure='relative gap', got 1.0",
    ),
    ({"measure": "distance", "tol": 2.0}, ValueError, "must be below 1 with measure='distance'"),
    ({"tol": 0.0}, ValueError, "race: tol of 'ravine\\(κ=10\\)' must be finite and > 0, got 0.0"),
    ({"tol": {"other": 1e-3}}, ValueError, "race: tol has no value for 'ravine\\(κ=10\\)'"),
    ({"steps": 0}, ValueError, "race: steps of 'ravine\\(κ=10\\)' must be a whole number >= 1, got 0"),
    ({"steps": 2.5}, ValueError, "must be a whole number >= 1, got 2.5"),
    ({"starts": 0}, ValueError, "race: starts must be a whole number >= 1 or a dict of arrays, got 0"),
    (
        {"starts": {"ravine(κ=10)": np.zeros((3, 3))}},
        ValueError,
        "must have shape \\(N, 2\\), got \\(3, 3\\)",
    ),
    (
        {"lr_grids": {"Adam": [0.1]}},
        ValueError,
        "lr_grids has no grid for 'GradientDescent' \\(it has Adam\\)",
    ),
    ({"lr_grids": {"GradientDescent": []}}, ValueError, "the lr grid of GradientDescent must be a non-empty"),
    ({"lr_grids": {"GradientDescent": [-0.1]}}, ValueError, "GradientDescent: lr must be finite and > 0"),
    ({"optimizers": [ll.Adam(lr=0.1), ll.Adam(lr=0.2)]}, ValueError, "two optimizers are both called 'Adam'"),
    ({"optimizers": []}, ValueError, "race: give at least one of the optimizers"),
    ({"problems": ["ravine"]}, TypeError, "race: problems must be lessons_lib Problems, got str"),
    ({"problems": {"r": "ravine"}}, TypeError, "race: problem 'r' must be a lessons_lib Problem, got str"),
    (
        {"optimizers": {"sgd": "SGD"}},
        TypeError,
        "race: optimizer 'sgd' must be a lessons_lib optimizer, got str",
    ),
    (
        {"problems": [dataclasses.replace(ll.ravine(10), f_min=None)]},
        ValueError,
        "the minimum of 'ravine\\(κ=10\\)' is not known",
    ),
    (
        {"problems": [dataclasses.replace(ll.ravine(10), f_min=None)], "measure": "relative gap"},
        ValueError,
        "the minimum of 'ravine\\(κ=10\\)' is not known",
    ),
    (
        {"problems": [dataclasses.replace(ll.ravine(10), minimizer=None)], "measure": "distance"},
        ValueError,
        "the minimiser of 'ravine\\(κ=10\\)' is not known",
    ),
    ({"nudges": -1}, ValueError, "race: nudges must be a whole number >= 0"),
    ({"nudges": 2, "apart": 0.0}, ValueError, "race: apart must be"),
]


@pytest.mark.parametrize(("changes", "kind", "message"), BAD, ids=[m[:40] or "no name" for _, _, m in BAD])
def test_bad_input_gets_a_clear_error(changes, kind, message):
    with pytest.raises(kind, match=message):
        _race(**changes)


def test_entry_asks_for_known_names(small_race):
    with pytest.raises(KeyError, match="Race: no 'Nadam' in this race; it has GradientDescent, Momentum"):
        small_race.entry("saddle", "Nadam")
    assert isinstance(small_race, Race) and "3 problems × 5 optimizers" in repr(small_race)


# ----------------------------------------------------------------------------------------------------
# Chaotic runs set apart (nudges)

HOVERING = {"RMSProp": ll.RMSProp(lr=0.01), "Adam(β1=0)": ll.Adam(lr=0.01, beta1=0.0, beta2=0.9)}
HOVERING_GRIDS = {"RMSProp": [0.01, 0.0316, 0.1], "Adam(β1=0)": [0.01, 0.0316, 0.1]}


def _hovering_race(move=0, **kw):
    """Lesson 05's race of RMSProp-like rules on the two ravines, its starts moved by a relative 1e-12."""
    tb = ll.testbed()
    problems = {name: tb[name] for name in ["ravine", "rotated ravine"]}
    starts = {}
    for name, p in problems.items():
        x0 = p.random_starts(50, seed=0)
        if move:
            x0 = x0 * (1 + 1e-12 * np.random.default_rng(move).uniform(-1.0, 1.0, x0.shape))
        starts[name] = x0
    return race(problems, HOVERING, HOVERING_GRIDS, starts=starts, steps=200, tol=1e-3, every=5, **kw)


def test_nudged_race_sets_chaotic_runs_apart_and_keeps_the_decided_ones():
    plain, nudged = _hovering_race(), _hovering_race(nudges=4)
    for key, e in nudged.entries.items():
        base = plain.entries[key]
        assert base.chaotic is None and base.chaotic_share == 0
        assert e.chaotic.shape == e.reached_at.shape == base.reached_at.shape == (3, 50)
        assert np.all(e.reached_at[e.chaotic] == -1) and not np.any(e.success & e.chaotic)
        decided = ~e.chaotic  # block 0 of the nudged starts is the starts themselves
        np.testing.assert_array_equal(e.reached_at[decided], base.reached_at[decided])
        np.testing.assert_array_equal(e.diverged, base.diverged)
    e = nudged.entry("rotated ravine", "RMSProp")
    assert e.chaotic.any() and e.chaotic_share > 0
    assert f"{e.chaotic_share:.0%} chaotic" in nudged.table()
    assert "chaotic" not in plain.table()


def test_a_nudged_race_prints_the_same_table_when_round_off_moves_the_starts():
    assert _hovering_race(nudges=4).table() == _hovering_race(1, nudges=4).table()
    assert _hovering_race(nudges=4).table() == _hovering_race(2, nudges=4).table()
    # without the nudges, the same 1e-12 move changes the table: the test above could fail
    assert any(_hovering_race().table() != _hovering_race(m).table() for m in (1, 2))
