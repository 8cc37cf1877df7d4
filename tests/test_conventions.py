"""The conventions Rosetta stone: each library's documented update against lessons_lib's optimizers.

The references are the plain transcriptions in ``lessons_lib.conventions`` (written from the libraries'
documentation, independently of ``lessons_lib.optimizers``). Every mapping whose verdict is "same" must agree
to round-off on gradients that span four orders of magnitude and on gradients that feed back (a quadratic),
with a constant learning rate and under a schedule; "same, constant lr" only without the schedule; the others
must differ, each for the reason it gives, checked with a closed form or an identity.
"""

import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lessons_lib as ll
from lessons_lib import (
    Momentum,
    quadratic,
    ravine,
    run,
)
from lessons_lib import conventions as cv
from lessons_lib.conventions import LrInsideMomentum
from lessons_lib.running import run_schedule

STEPS = 300
ROUND_OFF = 1e-10  # the points stay of order 1-100; float64 round-off over 300 steps is ~1e-13


def spanning_gradients(seed=0, steps=STEPS, d=4):
    """Random signs; sizes from 1e-3 to 10, a different range per coordinate, drifting over time."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)[:, None]
    exponent = np.linspace(-3, 1, d)[None, :] + 0.5 * np.sin(t / 37.0 + np.arange(d)) + rng.uniform(-0.3, 0.3)
    return rng.choice([-1.0, 1.0], size=(steps, d)) * 10 ** np.clip(exponent, -3, 1)


H = np.diag([0.3, 1.0, 2.0, 4.0])
X0 = np.array([1.0, -2.0, 0.5, 3.0])
SEQUENCE = spanning_gradients()
SCHEDULE = np.where(np.arange(STEPS) < STEPS // 2, 1.0, 0.1) * (1 + 0.5 * np.cos(np.arange(STEPS) / 20))


def quadratic_gradient(x):
    return H @ x


def differences(mapping):
    """Largest |x_library - x_lessons_lib| on fixed and fed-back gradients, constant lr and scheduled."""
    lr = mapping.optimizer.lr
    out = {}
    for kind, grads in (("sequence", SEQUENCE), ("quadratic", quadratic_gradient)):
        steps = STEPS if callable(grads) else None
        out[kind, "constant"] = cv.largest_difference(mapping, X0, grads, steps=steps)
        out[kind, "schedule"] = cv.largest_difference(mapping, X0, grads, lr=lr * SCHEDULE, steps=steps)
    return out


def ids(mapping):
    return f"{mapping.label()}->{mapping.optimizer.label()}"


# --------------------------------------------------------------------------------------------------------
# The table itself


def test_every_mapping_has_a_verdict_a_reason_and_a_transcription():
    assert {m.verdict for m in cv.MAPPINGS} == set(cv.VERDICTS)
    for m in cv.MAPPINGS:
        assert m.verdict in cv.VERDICTS and m.why
        assert m.step is cv._STEPS[(m.library, m.rule)]
        assert (m.library, m.rule) in cv.DEFAULTS
    assert {m.library for m in cv.MAPPINGS} == {"PyTorch", "Keras", "optax"}
    labels = [(m.label(), m.verdict) for m in cv.MAPPINGS]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("key", list(cv.DEFAULTS))
def test_recorded_defaults_are_the_transcriptions_keyword_defaults(key):
    parameters = inspect.signature(cv._STEPS[key]).parameters
    for name, value in cv.DEFAULTS[key].items():
        default = parameters[name].default
        if value is None and name == "lr":
            assert default is inspect.Parameter.empty  # optax requires a learning rate
        else:
            assert default == value, (key, name)


@pytest.mark.parametrize("step", list(cv._STEPS.values()), ids=lambda f: f.__name__)
def test_transcriptions_are_independent_of_lessons_lib(step):
    source = inspect.getsource(step)
    for name in ("_update", "ewa", "bias_correction", "Momentum", "RMSProp", "Adam(", "Adagrad("):
        assert name not in source, f"{step.__name__} uses {name}: it must be an independent reference"


def test_library_defaults_that_the_lesson_quotes():
    assert cv.DEFAULTS[("PyTorch", "RMSprop")]["alpha"] == 0.99
    assert cv.DEFAULTS[("Keras", "RMSprop")]["rho"] == cv.DEFAULTS[("optax", "rmsprop")]["decay"] == 0.9
    assert cv.DEFAULTS[("PyTorch", "Adagrad")]["initial_accumulator_value"] == 0.0
    assert cv.DEFAULTS[("Keras", "Adagrad")]["initial_accumulator_value"] == 0.1
    assert cv.DEFAULTS[("optax", "adagrad")]["initial_accumulator_value"] == 0.1
    assert cv.DEFAULTS[("optax", "rmsprop")]["eps_in_sqrt"] is True
    assert (
        cv.DEFAULTS[("Keras", "Adam")]["epsilon"] == 1e-7 and cv.DEFAULTS[("PyTorch", "Adam")]["eps"] == 1e-8
    )


# --------------------------------------------------------------------------------------------------------
# Verdicts


@pytest.mark.parametrize("mapping", [m for m in cv.MAPPINGS if m.verdict == "same"], ids=ids)
def test_same_means_the_same_iterates_to_round_off(mapping):
    for case, gap in differences(mapping).items():
        assert gap < ROUND_OFF, f"{case}: {gap:.3g}"


@pytest.mark.parametrize("mapping", [m for m in cv.MAPPINGS if m.verdict == "same, constant lr"], ids=ids)
def test_same_with_a_constant_lr_only(mapping):
    gaps = differences(mapping)
    for kind in ("sequence", "quadratic"):
        assert gaps[kind, "constant"] < ROUND_OFF
        assert gaps[kind, "schedule"] > 1e-3  # the learning rate sits inside the velocity


@pytest.mark.parametrize(
    "mapping", [m for m in cv.MAPPINGS if m.verdict in ("differs", "default differs")], ids=ids
)
def test_differs_means_different_iterates(mapping):
    tiny = 1e-6 * np.sign(SEQUENCE)  # Keras's epsilon hat only shows for tiny gradients
    gaps = [cv.largest_difference(mapping, X0, grads) for grads in (SEQUENCE, tiny)]
    assert max(gaps) > 1e-4 * mapping.optimizer.lr * STEPS


def test_dampening_skips_the_first_step_so_the_buffer_keeps_beta_to_the_t_of_g1():
    beta, g = 0.9, SEQUENCE[:40]
    x, state, v = X0.copy(), {}, np.zeros(4)
    for t, gt in enumerate(g, start=1):
        x, state = cv.torch_sgd_step(x, gt, state, lr=0.1, momentum=beta, dampening=beta)
        v = beta * v + (1 - beta) * gt  # the averaged form's velocity
        np.testing.assert_allclose(state["momentum_buffer"], v + beta**t * g[0], rtol=1e-12, atol=1e-15)
    first = cv.run_transcription(cv.torch_sgd_step, [0.0], [[2.0]], lr=0.1, momentum=beta, dampening=beta)
    assert first[1, 0] == pytest.approx(-0.2)  # lr * g, not lr * (1 - beta) * g


def test_keras_sgd_under_a_schedule_is_the_lr_inside_form_of_lesson_02():
    lr = 0.05 * SCHEDULE
    keras = cv.run_transcription(cv.keras_sgd_step, X0, quadratic_gradient, lr=lr, steps=STEPS, momentum=0.9)
    inside = cv.run_optimizer(LrInsideMomentum(lr=0.05, beta=0.9), X0, quadratic_gradient, lr=lr, steps=STEPS)
    np.testing.assert_allclose(keras, inside, rtol=1e-12, atol=1e-14)


def test_keras_and_optax_rmsprop_momentum_are_the_same_lr_inside_form():
    options = {"centered": True, "momentum": 0.9}
    keras = cv.run_transcription(
        cv.keras_rmsprop_step, X0, SEQUENCE, lr=0.01 * SCHEDULE, epsilon=1e-8, **options
    )
    optax = cv.run_transcription(cv.optax_rmsprop_step, X0, SEQUENCE, lr=0.01 * SCHEDULE, **options)
    np.testing.assert_allclose(keras, optax, rtol=1e-12, atol=1e-14)


def test_keras_adam_is_algorithm_1_with_eps_over_root_of_one_minus_beta2_to_the_t():
    x_keras, x_torch, keras, torch = X0.copy(), X0.copy(), {}, {}
    for t, g in enumerate(1e-5 * SEQUENCE, start=1):
        x_keras, keras = cv.keras_adam_step(x_keras, g, keras, lr=0.01)
        x_torch, torch = cv.torch_adam_step(x_torch, g, torch, lr=0.01, eps=1e-7 / math.sqrt(1 - 0.999**t))
        np.testing.assert_allclose(x_keras, x_torch, rtol=1e-12)


@pytest.mark.parametrize(("g", "close"), [(1.0, True), (1e-2, True), (1e-6, False)])
def test_epsilon_hat_changes_only_the_steps_of_tiny_gradients(g, close):
    keras = cv.run_transcription(cv.keras_adam_step, [0.0], [[g]], lr=1.0)[1, 0]
    paper = cv.run_transcription(cv.torch_adam_step, [0.0], [[g]], lr=1.0, eps=1e-7)[1, 0]
    assert bool(abs(keras / paper - 1) < 1e-3) == close


def test_first_steps_in_closed_form():
    g = np.array([1e-3, 1e-1, 10.0])
    one = [g]
    step = cv.run_transcription(cv.torch_adagrad_step, np.zeros(3), one, lr=1.0)[1]
    np.testing.assert_allclose(-step, g / (np.abs(g) + 1e-10), rtol=1e-14)
    step = cv.run_transcription(cv.keras_adagrad_step, np.zeros(3), one, lr=1.0)[1]
    np.testing.assert_allclose(-step, g / np.sqrt(0.1 + g**2 + 1e-7), rtol=1e-14)
    for alpha in (0.9, 0.99):  # no bias correction: the first step is lr / sqrt(1 - alpha)
        step = cv.run_transcription(cv.torch_rmsprop_step, np.zeros(3), one, lr=1.0, alpha=alpha)[1]
        np.testing.assert_allclose(-step, 1 / np.sqrt(1 - alpha), rtol=1e-4)  # eps: 3e-5 at g = 1e-3
    step = cv.run_transcription(cv.optax_adam_step, np.zeros(3), one, lr=1.0)[1]
    np.testing.assert_allclose(-step, 1.0, rtol=1e-5)  # about lr * sign(g)


@settings(max_examples=40, deadline=None)
@given(
    lr=st.floats(1e-3, 0.5),
    beta=st.floats(0.0, 0.99),
    drop=st.floats(0.01, 1.0),
    seed=st.integers(0, 2**16),
)
def test_summed_forms_follow_the_averaged_one_under_any_schedule(lr, beta, drop, seed):
    """Lesson 02's fact, for PyTorch's and optax's transcriptions: lr' = lr (1 - beta), step by step."""
    grads = spanning_gradients(seed, steps=60)
    lrs = lr * np.where(np.arange(60) < 30, 1.0, drop)
    averaged = cv.run_optimizer(ll.Momentum(lr=lr, beta=beta), X0, grads, lr=lrs)
    for step in (cv.torch_sgd_step, cv.optax_sgd_step):
        summed = cv.run_transcription(step, X0, grads, lr=lrs * (1 - beta), momentum=beta)
        np.testing.assert_allclose(summed, averaged, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: cv.run_transcription(cv.torch_sgd_step, X0, SEQUENCE, lr=-0.1), ValueError, "number > 0"),
        (
            lambda: cv.run_transcription(cv.torch_sgd_step, X0, SEQUENCE, lr=[0.1, 0.2]),
            ValueError,
            "a schedule of 300 numbers > 0",
        ),
        (
            lambda: cv.run_transcription(cv.torch_sgd_step, X0, SEQUENCE[0], lr=0.1),
            ValueError,
            "shape \\(steps, d\\)",
        ),
        (
            lambda: cv.run_transcription(cv.torch_sgd_step, X0, quadratic_gradient, lr=0.1),
            ValueError,
            "steps=...",
        ),
        (
            lambda: cv.run_transcription(cv.torch_sgd_step, X0, SEQUENCE, lr=0.1, steps=3),
            ValueError,
            "steps=3",
        ),
        (
            lambda: cv.run_optimizer("Adam", X0, SEQUENCE),
            TypeError,
            "must be a lessons_lib optimizer, got str",
        ),
        (lambda: cv.largest_difference("PyTorch SGD()", X0, SEQUENCE), TypeError, "one of MAPPINGS, got str"),
        (lambda: cv.lookup("PyTorch SGD(momentum=0.5)"), KeyError, "0 mappings match"),
        (lambda: cv.lookup("PyTorch RMSprop()"), KeyError, "2 mappings match"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ----------------------------------------------------------------------------------------------------
# LrInsideMomentum and run_schedule


def test_lr_inside_first_steps_by_hand():
    opt = LrInsideMomentum(lr=0.5, beta=0.8)
    x, state = opt.step([1.0, 2.0], [2.0, -4.0], opt.init([1.0, 2.0]))
    np.testing.assert_allclose(state.v, [1.0, -2.0])  # v = lr g
    np.testing.assert_allclose(x, [0.0, 4.0])  # x - v
    x, state = opt.step(x, [1.0, 1.0], state)
    np.testing.assert_allclose(state.v, [0.8 + 0.5, -1.6 + 0.5])  # beta v + lr g
    np.testing.assert_allclose(x, [-1.3, 5.1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0.0}, "LrInsideMomentum: lr must be finite and > 0, got 0.0"),
        ({"lr": 0.1, "beta": 1.0}, "LrInsideMomentum: beta must be in [0, 1), got 1.0"),
    ],
)
def test_lr_inside_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        LrInsideMomentum(**kwargs)


def test_lr_inside_with_a_constant_lr_is_the_summed_form():
    p = ravine(10)
    starts = p.random_starts(5, seed=1)
    inside = run(LrInsideMomentum(lr=0.02, beta=0.9), p, 80, x0=starts)
    summed = run(Momentum(lr=0.02, beta=0.9, averaged=False), p, 80, x0=starts)
    np.testing.assert_allclose(inside.points, summed.points, rtol=1e-12, atol=1e-12)
    assert LrInsideMomentum(lr=0.02, beta=0.9).max_stable_lr(10.0) == pytest.approx(0.38)


def test_run_schedule_one_phase_is_run_and_phases_carry_the_velocity():
    p = ravine(10)
    starts = p.random_starts(4, seed=2)
    opt = Momentum(lr=0.1, beta=0.9)
    whole = run(opt, p, 50, x0=starts).points
    np.testing.assert_array_equal(run_schedule(opt, p, [(50, {})], starts), whole)
    # Two phases with unchanged hyperparameters: the same run only if the velocity is carried across.
    np.testing.assert_allclose(run_schedule(opt, p, [(20, {}), (30, {})], starts), whole, rtol=0, atol=1e-14)


def test_forms_under_schedules():
    """Averaged(lr_t) == summed(lr_t (1 - beta)) under an lr schedule; lr inside the velocity differs; a beta
    schedule separates averaged and summed."""
    p = quadratic([[2.0, 0.5], [0.5, 1.0]], x0=[1.0, -1.0])
    beta = 0.9
    lrs = [0.5, 0.05, 1.0]
    averaged = run_schedule(Momentum(lr=1.0, beta=beta), p, [(25, {"lr": lr}) for lr in lrs])
    summed_phases = [(25, {"lr": lr * (1 - beta)}) for lr in lrs]
    summed = run_schedule(Momentum(lr=1.0, beta=beta, averaged=False), p, summed_phases)
    inside = run_schedule(LrInsideMomentum(lr=1.0, beta=beta), p, summed_phases)
    np.testing.assert_allclose(summed, averaged, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(inside[:26], averaged[:26], rtol=1e-10, atol=1e-13)  # same until lr changes
    assert np.abs(inside - averaged).max() > 1e-2

    beta_phases = [(25, {"beta": 0.9}), (25, {"beta": 0.5})]
    averaged = run_schedule(Momentum(lr=0.5, beta=0.9), p, beta_phases)
    summed = run_schedule(
        Momentum(lr=0.05, beta=0.9, averaged=False), p, [(25, {"beta": 0.9}), (25, {"beta": 0.5, "lr": 0.25})]
    )
    np.testing.assert_allclose(summed[:26], averaged[:26], rtol=1e-10, atol=1e-13)
    assert np.abs(summed - averaged).max() > 1e-3
