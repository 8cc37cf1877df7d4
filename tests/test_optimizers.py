"""The update rules checked against closed forms, identities between rules and hand-written transcriptions.

Tolerances are tight (``rtol=1e-12``) so that, at small gradient scales, epsilon inside the root cannot pass
for epsilon outside it.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import (
    Adagrad,
    Adam,
    AdamW,
    GradientDescent,
    Momentum,
    Problem,
    RMSProp,
    ewa,
    quadratic,
    ravine,
    rotated_ravine,
    run,
)
from lessons_lib.optimizers import (
    GDState,
    MomentumState,
    ParamRange,
)
from lessons_lib.problems import rotate
from lessons_lib.sweeps import sweep


def linear(slope):
    """f(x) = slope · x: a constant gradient, so Adagrad's sums have closed forms."""
    slope = np.asarray(slope, dtype=float)
    return Problem(
        name="linear",
        f=lambda x: np.asarray(x) @ slope,
        grad=lambda x: np.broadcast_to(slope, np.shape(x)).copy(),
        x0=np.zeros(slope.size),
        bounds=tuple((-10.0, 10.0) for _ in range(slope.size)),
    )


EVERY_OPTIMIZER = [
    GradientDescent(lr=0.1),
    Momentum(lr=0.1, beta=0.9),
    Momentum(lr=0.1, beta=0.9, averaged=False),
    Momentum(lr=0.1, beta=0.9, nesterov=True),
    Momentum(lr=0.1, beta=0.9, nesterov=True, averaged=False),
    Adagrad(lr=0.1),
    Adagrad(lr=0.1, initial_accumulator=0.1),
    RMSProp(lr=0.01, beta=0.9),
    RMSProp(lr=0.01, beta=0.9, centered=True),
    RMSProp(lr=0.01, beta=0.9, momentum=0.5),
    RMSProp(lr=0.01, beta=0.9, centered=True, momentum=0.5),
    Adam(lr=0.01),
    AdamW(lr=0.01, weight_decay=0.5),
]
IDS = [repr(o) for o in EVERY_OPTIMIZER]
SCALES = [1e-3, 1e-2, 1.0, 1e2, 1e3]


def steps(opt, x, grads):
    """One step per gradient in ``grads``; returns the points (first = x) and the states (first = init)."""
    state = opt.init(x)
    xs, states = [np.asarray(x, dtype=float)], [state]
    for g in grads:
        x, state = opt.step(x, g, state)
        xs.append(x)
        states.append(state)
    return np.array(xs), states


def run_on(opt, H, x0, n, state=None):
    """``n`` steps on the quadratic x·Hx/2 (gradient H x); returns the last point and state."""
    x = np.asarray(x0, dtype=float)
    state = opt.init(x) if state is None else state
    for _ in range(n):
        x, state = opt.step(x, H @ x, state)
    return x, state


def random_spd(rng, d, low=0.1, high=1.0):
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return q @ np.diag(np.linspace(low, high, d)) @ q.T


def gradient_sequence(seed, n, d):
    """Seeded gradients whose sizes span 1e-3 .. 1e3, per coordinate and over time."""
    rng = np.random.default_rng(seed)
    exponent = np.linspace(-3, 3, d)[None, :] + 2 * np.sin(np.arange(n) / 37.0)[:, None]
    return rng.standard_normal((n, d)) * 10 ** np.clip(exponent, -3, 3)


# ----------------------------------------------------------------------------------------------------
# Closed-form first steps from the zero state


@pytest.mark.parametrize("scale", SCALES)
def test_gradient_descent_first_step(scale):
    g = np.array([scale, -2 * scale, 0.0])
    x, state = GradientDescent(lr=0.3).step(np.ones(3), g, GDState())
    np.testing.assert_allclose(x, 1 - 0.3 * g, rtol=1e-15)
    assert state == GDState(t=1)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize(
    ("averaged", "nesterov", "factor"),
    [
        (True, False, lambda b: 1 - b),  # v = (1 - b) g
        (False, False, lambda b: 1.0),  # v = g
        (True, True, lambda b: (1 - b) * (1 + b)),  # (1 - b) g + b (1 - b) g
        (False, True, lambda b: 1 + b),  # g + b g
    ],
)
def test_momentum_first_step(scale, averaged, nesterov, factor):
    lr, beta = 0.2, 0.75
    g = scale * np.array([1.0, -3.0])
    opt = Momentum(lr=lr, beta=beta, averaged=averaged, nesterov=nesterov)
    x, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    np.testing.assert_allclose(x, -lr * factor(beta) * g, rtol=1e-14)
    np.testing.assert_allclose(state.v, ((1 - beta) if averaged else 1.0) * g, rtol=1e-15)
    assert state.t == 1


@pytest.mark.parametrize("eps", [1e-8, 1e-4])
@pytest.mark.parametrize("scale", SCALES)
def test_adagrad_first_step_is_about_lr_sign_g(scale, eps):
    lr = 0.1
    g = scale * np.array([1.0, -1.0, 0.5])
    opt = Adagrad(lr=lr, eps=eps)
    x, state = opt.step(np.zeros(3), g, opt.init(np.zeros(3)))
    expected = -lr * g / (np.abs(g) + eps)  # eps outside the root
    np.testing.assert_allclose(x, expected, rtol=1e-12)
    np.testing.assert_allclose(state.s, g**2, rtol=1e-15)
    # The test can tell eps inside the root (Keras, optax) from outside it (PyTorch, this course).
    eps_inside = -lr * g / np.sqrt(g**2 + eps)
    if scale <= 1e-2:
        assert np.all(np.abs(x - eps_inside) > 1e-6 * np.abs(x))
    # About lr * sign(g) whatever the scale, once |g| >> eps.
    np.testing.assert_allclose(x, -lr * np.sign(g), rtol=2 * eps / (0.5 * scale))


@pytest.mark.parametrize("scale", SCALES)
def test_adagrad_first_step_with_initial_accumulator(scale):
    lr, a, eps = 0.1, 0.1, 1e-7
    g = np.array([scale, -scale])
    opt = Adagrad(lr=lr, eps=eps, initial_accumulator=a)
    x, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    np.testing.assert_allclose(state.s, a + g**2, rtol=1e-15)
    np.testing.assert_allclose(x, -lr * g / (np.sqrt(a + g**2) + eps), rtol=1e-12)


@pytest.mark.parametrize("eps", [1e-8, 1e-4])
@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("scale", SCALES)
def test_rmsprop_first_step(scale, beta, eps):
    lr = 0.01
    g = scale * np.array([1.0, -0.5, 2.0])
    for momentum in (0.0, 0.9):  # the first velocity is the first scaled gradient
        opt = RMSProp(lr=lr, beta=beta, eps=eps, momentum=momentum)
        x, state = opt.step(np.zeros(3), g, opt.init(np.zeros(3)))
        expected = -lr * g / (math.sqrt(1 - beta) * np.abs(g) + eps)
        np.testing.assert_allclose(x, expected, rtol=1e-12)
        np.testing.assert_allclose(state.s, (1 - beta) * g**2, rtol=1e-15)
        assert np.all(np.abs(x) <= lr / math.sqrt(1 - beta))
        if scale <= 1e-2:
            eps_inside = -lr * g / np.sqrt((1 - beta) * g**2 + eps)
            assert np.all(np.abs(x - eps_inside) > 1e-6 * np.abs(x))


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("scale", SCALES)
def test_centered_rmsprop_first_step(scale, beta):
    # s - m**2 = (1 - b) g**2 - (1 - b)**2 g**2 = b (1 - b) g**2
    lr, eps = 0.01, 1e-8
    g = scale * np.array([1.0, -0.5])
    opt = RMSProp(lr=lr, beta=beta, eps=eps, centered=True)
    x, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    np.testing.assert_allclose(x, -lr * g / (math.sqrt(beta * (1 - beta)) * np.abs(g) + eps), rtol=1e-10)
    np.testing.assert_allclose(state.m, (1 - beta) * g, rtol=1e-15)


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.0, 0.9), (0.5, 0.5), (0.99, 0.9999)])
@pytest.mark.parametrize("scale", SCALES)
def test_adam_first_step_is_about_lr_sign_g(scale, betas):
    lr, eps = 0.1, 1e-8
    b1, b2 = betas
    g = scale * np.array([1.0, -1.0, 0.25])
    opt = Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    x, state = opt.step(np.zeros(3), g, opt.init(np.zeros(3)))
    np.testing.assert_allclose(x, -lr * g / (np.abs(g) + eps), rtol=1e-12)
    np.testing.assert_allclose(x, -lr * np.sign(g), rtol=1e-4)
    np.testing.assert_allclose(state.m, (1 - b1) * g, rtol=1e-15)
    np.testing.assert_allclose(state.v, (1 - b2) * g**2, rtol=1e-15)
    assert state.t == 1


def test_adam_second_step_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    g1, g2 = 2.0, -0.5
    m1, v1 = 0.1 * g1, 0.001 * g1**2
    m2, v2 = 0.9 * m1 + 0.1 * g2, 0.999 * v1 + 0.001 * g2**2
    x1 = 1.0 - lr * (m1 / 0.1) / (math.sqrt(v1 / 0.001) + eps)
    x2 = x1 - lr * (m2 / (1 - 0.81)) / (math.sqrt(v2 / (1 - 0.999**2)) + eps)
    opt = Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    xs, states = steps(opt, np.array([1.0]), [np.array([g1]), np.array([g2])])
    np.testing.assert_allclose(xs[:, 0], [1.0, x1, x2], rtol=1e-12)
    assert states[-1].t == 2


# ----------------------------------------------------------------------------------------------------
# Identities between rules


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("averaged", [False, True])
def test_beta_zero_momentum_is_gradient_descent(averaged, nesterov):
    grads = gradient_sequence(0, 50, 4)
    x_gd, _ = steps(GradientDescent(lr=0.05), np.ones(4), grads)
    x_m, _ = steps(Momentum(lr=0.05, beta=0.0, averaged=averaged, nesterov=nesterov), np.ones(4), grads)
    np.testing.assert_array_equal(x_m, x_gd)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_averaged_momentum_equals_summed_with_scaled_lr(beta, nesterov):
    rng = np.random.default_rng(7)
    H = random_spd(rng, 5, 0.05, 1.0)
    x0 = rng.standard_normal(5)
    lr = 0.5
    averaged = Momentum(lr=lr, beta=beta, nesterov=nesterov, averaged=True)
    summed = Momentum(lr=lr * (1 - beta), beta=beta, nesterov=nesterov, averaged=False)
    xa, xs = x0, x0
    sa, ss = averaged.init(x0), summed.init(x0)
    for _ in range(200):
        xa, sa = averaged.step(xa, H @ xa, sa)
        xs, ss = summed.step(xs, H @ xs, ss)
        np.testing.assert_allclose(xa, xs, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(sa.v, (1 - beta) * ss.v, rtol=1e-10, atol=1e-13)
    assert np.linalg.norm(xa) < np.linalg.norm(x0)  # the run did something


def _run_schedule(make, schedule, H, x0, per_phase=40):
    """Run phases with new optimizer objects (one per schedule entry), carrying the state across."""
    x, state = np.asarray(x0, dtype=float), None
    for params in schedule:
        x, state = run_on(make(**params), H, x, per_phase, state)
    return x


def test_momentum_forms_under_schedules():
    """Averaged(lr) and summed(lr*(1-beta)) stay equal under a *learning-rate* schedule, because lr sits
    outside the velocity in both; they part under a *beta* schedule. The form with lr inside the velocity
    (Sutskever et al. 2013: v = beta v + lr g, x -= v) is the one an lr schedule separates from them."""
    rng = np.random.default_rng(3)
    H = random_spd(rng, 3, 0.1, 1.0)
    x0 = rng.standard_normal(3)
    beta = 0.9

    lr_schedule = [0.5, 0.05, 1.0]
    xa = _run_schedule(lambda lr: Momentum(lr=lr, beta=beta), [dict(lr=lr) for lr in lr_schedule], H, x0)
    xs = _run_schedule(
        lambda lr: Momentum(lr=lr * (1 - beta), beta=beta, averaged=False),
        [dict(lr=lr) for lr in lr_schedule],
        H,
        x0,
    )
    np.testing.assert_allclose(xa, xs, rtol=1e-10, atol=1e-14)

    # lr inside the velocity: same iterates for a constant lr, different ones once lr changes.
    def lr_inside(lrs, per_phase=40):
        x, v = x0.copy(), np.zeros(3)
        for lr in lrs:
            for _ in range(per_phase):
                v = beta * v + lr * (1 - beta) * (H @ x)
                x = x - v
        return x

    x_const = _run_schedule(lambda lr: Momentum(lr=lr, beta=beta), [dict(lr=0.5)] * 3, H, x0)
    np.testing.assert_allclose(lr_inside([0.5] * 3), x_const, rtol=1e-10, atol=1e-14)
    assert np.max(np.abs(lr_inside(lr_schedule) - xa)) > 1e-3 * np.max(np.abs(xa))

    # A beta schedule separates the averaged and the summed forms.
    beta_schedule = [dict(beta=0.9), dict(beta=0.5), dict(beta=0.99)]
    xa = _run_schedule(lambda beta: Momentum(lr=0.5, beta=beta), beta_schedule, H, x0)
    xs = _run_schedule(
        lambda beta: Momentum(lr=0.5 * (1 - beta), beta=beta, averaged=False), beta_schedule, H, x0
    )
    assert np.max(np.abs(xa - xs)) > 1e-3 * np.max(np.abs(xa))


def test_adam_with_beta1_zero_is_bias_corrected_rmsprop():
    lr, b2, eps = 0.01, 0.99, 1e-8
    grads = gradient_sequence(1, 300, 4)
    x_adam, states = steps(Adam(lr=lr, beta1=0.0, beta2=b2, eps=eps), np.ones(4), grads)
    # Independent transcription: RMSProp whose mean square is divided by 1 - b2**t before the root.
    x, s, manual = np.ones(4), np.zeros(4), [np.ones(4)]
    for t, g in enumerate(grads, start=1):
        s = b2 * s + (1 - b2) * g * g
        x = x - lr * g / (np.sqrt(s / (1 - b2**t)) + eps)
        manual.append(x)
    np.testing.assert_allclose(x_adam, manual, rtol=1e-12)
    np.testing.assert_allclose(states[-1].v, s, rtol=1e-12)
    # ...and it is not plain RMSProp, whose first step is 1/sqrt(1 - b2) = 10 times longer.
    x_rms, _ = steps(RMSProp(lr=lr, beta=b2, eps=eps), np.ones(4), grads[:1])
    big = np.abs(grads[0]) > 1e-2
    np.testing.assert_allclose((1 - x_rms[1])[big], 10 * (1 - x_adam[1])[big], rtol=1e-5)


def test_adam_with_beta1_zero_is_bias_corrected_rmsprop_on_a_quadratic():
    # Here the gradients feed back: each one is taken where the previous step landed.
    rng = np.random.default_rng(11)
    H = random_spd(rng, 3, 0.01, 10.0)
    lr, b2, eps = 0.02, 0.9, 1e-8
    x_adam, _ = run_on(Adam(lr=lr, beta1=0.0, beta2=b2, eps=eps), H, np.ones(3), 100)
    x, s = np.ones(3), np.zeros(3)
    for t in range(1, 101):
        g = H @ x
        s = b2 * s + (1 - b2) * g * g
        x = x - lr * g / (np.sqrt(s / (1 - b2**t)) + eps)
    np.testing.assert_allclose(x_adam, x, rtol=1e-10, atol=1e-12)
    assert np.linalg.norm(x) < 0.5


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_rmsprop_mean_square_is_the_ewa_of_squared_gradients(beta):
    grads = gradient_sequence(2, 200, 3)
    _, states = steps(RMSProp(lr=1e-3, beta=beta), np.zeros(3), grads)
    s = np.array([st.s for st in states[1:]])
    np.testing.assert_allclose(s, ewa(grads**2, beta), rtol=1e-12)


def test_rmsprop_mean_square_is_the_ewa_along_a_feedback_run():
    traj = run(RMSProp(lr=0.05, beta=0.9), quadratic(np.diag([1.0, 30.0])), steps=150, keep_states=True)
    assert traj.grads.shape == (150, 2)
    np.testing.assert_allclose(traj.states["s"][1:], ewa(traj.grads**2, 0.9), rtol=1e-12)


@pytest.mark.parametrize("a", [0.0, 0.1])
def test_adagrad_accumulator_is_the_cumulative_sum_of_squares(a):
    grads = gradient_sequence(3, 200, 3)
    xs, states = steps(Adagrad(lr=0.1, initial_accumulator=a, eps=1e-10), np.zeros(3), grads)
    s = np.array([st.s for st in states[1:]])
    np.testing.assert_allclose(s, a + np.cumsum(grads**2, axis=0), rtol=1e-12)
    # and every step is lr * g / (sqrt(s) + eps) with that s
    np.testing.assert_allclose(xs[1:], xs[:-1] - 0.1 * grads / (np.sqrt(s) + 1e-10), rtol=1e-12, atol=1e-15)


def rmsprop_transcription(x, grads, *, lr, alpha, eps, centered, momentum):
    """RMSProp as written in PyTorch's documentation pseudo-code (square_avg, grad_avg, buf)."""
    square_avg, grad_avg, buf, xs = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x), [x]
    for g in grads:
        square_avg = alpha * square_avg + (1 - alpha) * g * g
        avg = square_avg
        if centered:
            grad_avg = alpha * grad_avg + (1 - alpha) * g
            avg = avg - grad_avg * grad_avg
        if momentum > 0:
            buf = momentum * buf + g / (np.sqrt(avg) + eps)
            x = x - lr * buf
        else:
            x = x - lr * g / (np.sqrt(avg) + eps)
        xs.append(x)
    return np.array(xs), square_avg, grad_avg, buf


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_variants_against_a_transcription(centered, momentum):
    grads = gradient_sequence(4, 300, 4)
    kw = dict(lr=0.01, eps=1e-8)
    xs, states = steps(RMSProp(beta=0.9, centered=centered, momentum=momentum, **kw), np.ones(4), grads)
    ref, s, m, v = rmsprop_transcription(
        np.ones(4), grads, alpha=0.9, centered=centered, momentum=momentum, **kw
    )
    np.testing.assert_allclose(xs, ref, rtol=1e-12, atol=1e-14)
    last = states[-1]
    np.testing.assert_allclose(last.s, s, rtol=1e-12)
    if centered:
        np.testing.assert_allclose(last.m, m, rtol=1e-12)
    else:
        assert last.m is None
    if momentum > 0:
        np.testing.assert_allclose(last.v, v, rtol=1e-12)
    else:
        assert last.v is None


# ----------------------------------------------------------------------------------------------------
# Purity and shapes


def _state_arrays(state):
    return {k: (None if v is None else np.array(v, copy=True)) for k, v in state._asdict().items()}


@pytest.mark.parametrize("opt", EVERY_OPTIMIZER, ids=IDS)
def test_step_never_mutates_its_arguments(opt):
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    state = opt.init(x)
    for _ in range(3):  # a non-trivial state
        _, state = opt.step(x, g, state)
    x_copy, g_copy, state_copy = x.copy(), g.copy(), _state_arrays(state)
    x_new, state_new = opt.step(x, g, state)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(g, g_copy)
    for name, value in _state_arrays(state).items():
        if value is None:
            assert state_copy[name] is None
        else:
            np.testing.assert_array_equal(value, state_copy[name])
    assert x_new is not x
    assert state_new.t == state.t + 1
    # Mutating the output must not reach back into the input either.
    x_new[...] = 123.0
    for value in state_new:
        if isinstance(value, np.ndarray):
            value[...] = 123.0
    np.testing.assert_array_equal(x, x_copy)
    for name, value in _state_arrays(state).items():
        if value is not None:
            np.testing.assert_array_equal(value, state_copy[name])


@pytest.mark.parametrize("shape", [(), (3,), (4, 2), (5, 3, 2)])
@pytest.mark.parametrize("opt", EVERY_OPTIMIZER, ids=IDS)
def test_any_shape_and_batches_equal_runs_one_by_one(opt, shape):
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal(shape)
    grads = rng.standard_normal((6, *shape)) * 10.0 ** rng.integers(-3, 4, size=(6, *shape))
    xs, states = steps(opt, x0, grads)
    assert xs.shape == (7, *shape)
    for value in states[-1]:
        if isinstance(value, np.ndarray):
            assert value.shape == shape
    if shape:
        for i in range(shape[0]):
            xs_i, states_i = steps(opt, x0[i], grads[:, i])
            np.testing.assert_array_equal(xs[:, i], xs_i)
            for a, b in zip(states[-1], states_i[-1], strict=True):
                if isinstance(a, np.ndarray):
                    np.testing.assert_array_equal(a[i], b)


@pytest.mark.parametrize("opt", EVERY_OPTIMIZER, ids=IDS)
def test_lists_and_python_floats_are_accepted(opt):
    x, state = opt.step([1.0, 2.0], [0.5, -0.5], opt.init([1.0, 2.0]))
    assert isinstance(x, np.ndarray) and x.dtype == np.float64 and x.shape == (2,)
    x, state = opt.step(1.0, 0.5, opt.init(1.0))
    assert np.shape(x) == ()


@pytest.mark.parametrize(
    ("x_shape", "g_shape"), [((2,), (2, 1)), ((2,), (3,)), ((), (2,)), ((2,), ()), ((2, 3), (3, 2))]
)
@pytest.mark.parametrize("opt", EVERY_OPTIMIZER, ids=IDS)
def test_shape_mismatch_raises_and_names_both_shapes(opt, x_shape, g_shape):
    x, g = np.ones(x_shape), np.ones(g_shape)
    with pytest.raises(ValueError) as info:
        opt.step(x, g, opt.init(x))
    message = str(info.value)
    assert f"{type(opt).__name__}.step" in message
    assert str(g_shape) in message and str(x_shape) in message


@pytest.mark.parametrize("opt", EVERY_OPTIMIZER, ids=IDS)
def test_wrong_state_type_raises(opt):
    other = GDState() if not isinstance(opt, GradientDescent) else MomentumState(np.zeros(2))
    with pytest.raises(
        TypeError, match=rf"{type(opt).__name__}\.step: state must be the {opt.State.__name__}"
    ):
        opt.step(np.zeros(2), np.ones(2), other)


# ----------------------------------------------------------------------------------------------------
# Validation: bad hyperparameters as data

INF, NAN = float("inf"), float("nan")
BAD = [
    (GradientDescent, dict(lr=0.0), ValueError, "GradientDescent: lr must be finite and > 0, got 0.0."),
    (GradientDescent, dict(lr=-1), ValueError, "GradientDescent: lr must be finite and > 0, got -1.0."),
    (GradientDescent, dict(lr=INF), ValueError, "GradientDescent: lr must be finite and > 0, got inf."),
    (GradientDescent, dict(lr=NAN), ValueError, "GradientDescent: lr must be a number, got nan."),
    (GradientDescent, dict(lr="0.1"), TypeError, "GradientDescent: lr must be a real number, got '0.1'"),
    (GradientDescent, dict(lr=True), TypeError, "GradientDescent: lr must be a real number, got True"),
    (GradientDescent, dict(lr=None), TypeError, "GradientDescent: lr must be a real number, got None"),
    (Momentum, dict(lr=0.1, beta=1.0), ValueError, "Momentum: beta must be in [0, 1), got 1.0."),
    (Momentum, dict(lr=0.1, beta=-0.1), ValueError, "Momentum: beta must be in [0, 1), got -0.1."),
    (Momentum, dict(lr=0.1, beta=NAN), ValueError, "Momentum: beta must be a number, got nan."),
    (Momentum, dict(lr=0, beta=0.9), ValueError, "Momentum: lr must be finite and > 0, got 0.0."),
    (
        Momentum,
        dict(lr=0.1, nesterov="yes"),
        TypeError,
        "Momentum: nesterov must be True or False, got 'yes'",
    ),
    (Momentum, dict(lr=0.1, averaged=1), TypeError, "Momentum: averaged must be True or False, got 1"),
    (Momentum, dict(lr=0.1, beta="0.9"), TypeError, "Momentum: beta must be a real number, got '0.9'"),
    (Adagrad, dict(lr=-1.0), ValueError, "Adagrad: lr must be finite and > 0, got -1.0."),
    (Adagrad, dict(lr=0.1, eps=-1), ValueError, "Adagrad: eps must be finite and >= 0, got -1.0."),
    (Adagrad, dict(lr=0.1, eps=INF), ValueError, "Adagrad: eps must be finite and >= 0, got inf."),
    (
        Adagrad,
        dict(lr=0.1, initial_accumulator=-0.1),
        ValueError,
        "Adagrad: initial_accumulator must be finite and >= 0, got -0.1.",
    ),
    (RMSProp, dict(lr=0.1, beta=1.0), ValueError, "RMSProp: beta must be in [0, 1), got 1.0."),
    (RMSProp, dict(lr=0.1, beta=1.5), ValueError, "RMSProp: beta must be in [0, 1), got 1.5."),
    (RMSProp, dict(lr=0.1, eps=-1e-8), ValueError, "RMSProp: eps must be finite and >= 0, got -1e-08."),
    (RMSProp, dict(lr=0.1, momentum=1.0), ValueError, "RMSProp: momentum must be in [0, 1), got 1.0."),
    (RMSProp, dict(lr=0.1, momentum=-0.5), ValueError, "RMSProp: momentum must be in [0, 1), got -0.5."),
    (RMSProp, dict(lr=0.1, centered="no"), TypeError, "RMSProp: centered must be True or False, got 'no'"),
    (Adam, dict(lr=0.1, beta1=1.0), ValueError, "Adam: beta1 must be in [0, 1), got 1.0."),
    (Adam, dict(lr=0.1, beta2=1), ValueError, "Adam: beta2 must be in [0, 1), got 1.0."),
    (Adam, dict(lr=0.1, beta2=-0.1), ValueError, "Adam: beta2 must be in [0, 1), got -0.1."),
    (Adam, dict(lr=0.1, eps=-1), ValueError, "Adam: eps must be finite and >= 0, got -1.0."),
    (Adam, dict(lr=NAN), ValueError, "Adam: lr must be a number, got nan."),
    (
        AdamW,
        dict(lr=0.1, weight_decay=-1),
        ValueError,
        "AdamW: weight_decay must be finite and >= 0, got -1.0.",
    ),
    (
        AdamW,
        dict(lr=0.2, weight_decay=5),
        ValueError,
        "AdamW: lr * weight_decay must be < 1, got 0.2 * 5.0 = 1.",
    ),
    (AdamW, dict(lr=0.1, eps=-1), ValueError, "AdamW: eps must be finite and >= 0, got -1.0."),
]


@pytest.mark.parametrize(
    ("cls", "kwargs", "error", "fragment"), BAD, ids=[f"{c.__name__}-{k}" for c, k, _, _ in BAD]
)
def test_bad_hyperparameters_give_messages_that_teach(cls, kwargs, error, fragment):
    with pytest.raises(error) as info:
        cls(**kwargs)
    message = str(info.value)
    assert fragment in message
    if error is ValueError:
        # class, parameter, range, value ... and then a sentence that says why.
        why = message.split(fragment, 1)[1].strip()
        assert len(why) > 15 and why.endswith("."), message


def test_the_style_guide_example_message():
    with pytest.raises(ValueError) as info:
        Momentum(lr=0.1, beta=1.0)
    assert str(info.value) == (
        "Momentum: beta must be in [0, 1), got 1.0. With beta = 1 the velocity never forgets old gradients."
    )


@pytest.mark.parametrize("cls", [Momentum, RMSProp, Adam])
def test_replace_validates(cls):
    opt = cls(lr=0.1)
    name = "beta1" if cls is Adam else "beta"
    with pytest.raises(ValueError, match=rf"{cls.__name__}: {name} must be in \[0, 1\), got 1.0"):
        opt.replace(**{name: 1.0})
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        opt.replace(lr=-0.1)
    assert opt.replace(lr=0.2).lr == 0.2
    assert opt.lr == 0.1  # the original is unchanged


@pytest.mark.parametrize("opt", EVERY_OPTIMIZER, ids=IDS)
def test_hyperparameters_rebuild_and_are_floats(opt):
    params = opt.hyperparameters()
    assert type(opt)(**params) == opt
    assert all(type(v) in (float, bool) for v in params.values())
    with pytest.raises(AttributeError):
        opt.lr = 1.0  # frozen


def test_integers_are_stored_as_floats():
    opt = Momentum(lr=1, beta=0)
    assert opt.lr == 1.0 and isinstance(opt.lr, float) and isinstance(opt.beta, float)
    assert isinstance(Adam(lr=np.float32(0.5)).lr, float)


def test_repr_and_label():
    assert repr(Momentum(lr=0.1, beta=0.9)) == "Momentum(lr=0.1, beta=0.9, nesterov=False, averaged=True)"
    assert repr(GradientDescent(lr=0.1)) == "GradientDescent(lr=0.1)"
    assert repr(Adam(lr=0.001)) == "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)"
    assert GradientDescent(lr=0.1).label() == "GradientDescent(lr=0.1)"
    assert Momentum(lr=0.1).label() == "Momentum(lr=0.1)"
    assert Momentum(lr=0.1, beta=0.5, nesterov=True).label() == "Momentum(lr=0.1, β=0.5, nesterov=True)"
    assert RMSProp(lr=0.01, beta=0.99).label() == "RMSProp(lr=0.01, β=0.99)"
    assert Adam(lr=1e-3, beta2=0.99).label() == "Adam(lr=0.001, β2=0.99)"
    for opt in EVERY_OPTIMIZER:
        assert "lr=" in opt.label()


@pytest.mark.parametrize("cls", [GradientDescent, Momentum, Adagrad, RMSProp, Adam])
def test_slider_ranges_are_sane_and_contain_the_defaults(cls):
    import dataclasses

    assert "lr" in cls.ranges
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    for name, r in cls.ranges.items():
        assert isinstance(r, ParamRange)
        assert name in defaults
        assert r.low < r.high
        if r.log:
            assert r.low > 0
        if isinstance(defaults[name], float):
            assert r.low <= defaults[name] <= r.high
    # Every range yields a valid optimizer at both ends.
    for name, r in cls.ranges.items():
        for value in (r.low, r.high):
            cls(**{"lr": 0.1, name: value})


# ----------------------------------------------------------------------------------------------------
# Stability limits on a quadratic


def iteration_matrix(opt, lam):
    """The linear map (x, v) -> (x', v') of one step on f = lam x**2 / 2, built by stepping basis vectors."""
    if isinstance(opt, GradientDescent):
        x, _ = opt.step(1.0, lam * 1.0, GDState())
        return np.array([[x]])
    cols = []
    for x, v in ((1.0, 0.0), (0.0, 1.0)):
        x_new, state = opt.step(x, lam * x, MomentumState(np.asarray(v)))
        cols.append([float(x_new), float(state.v)])
    return np.array(cols).T


def hand_matrix(lr, beta, lam, nesterov):
    """The same map written out for the summed form, in (x, v)."""
    if nesterov:  # v' = b v + lam x;  x' = x - lr (lam x + b v')
        return np.array([[1 - lr * lam * (1 + beta), -lr * beta**2], [lam, beta]])
    return np.array([[1 - lr * lam, -lr * beta], [lam, beta]])  # v' = b v + lam x; x' = x - lr v'


def spectral_radius(m):
    return float(np.max(np.abs(np.linalg.eigvals(m))))


STABILITY_CASES = [GradientDescent(lr=1.0)] + [
    Momentum(lr=1.0, beta=beta, averaged=averaged, nesterov=nesterov)
    for beta in (0.0, 0.5, 0.9, 0.99)
    for averaged in (False, True)
    for nesterov in (False, True)
]


@pytest.mark.parametrize("lam", [1.0, 10.0, 250.0])
@pytest.mark.parametrize("template", STABILITY_CASES, ids=[repr(o) for o in STABILITY_CASES])
def test_max_stable_lr_is_the_edge_of_the_spectral_radius(template, lam):
    limit = template.max_stable_lr(lam)
    assert limit > 0
    below, above = template.replace(lr=limit * (1 - 1e-3)), template.replace(lr=limit * (1 + 1e-3))
    assert spectral_radius(iteration_matrix(below, lam)) < 1
    assert spectral_radius(iteration_matrix(above, lam)) > 1
    if isinstance(template, Momentum) and not template.averaged:
        np.testing.assert_allclose(
            iteration_matrix(below, lam),
            hand_matrix(below.lr, template.beta, lam, template.nesterov),
            rtol=1e-12,
        )
    if lam == 10.0:  # and runs agree: 1% below the limit they converge, 1% above they blow up
        assert run_until(template.replace(lr=limit * 0.99), lam) < 1e-6
        assert run_until(template.replace(lr=limit * 1.01), lam) > 1e6


def run_until(opt, lam, max_steps=5000):
    """|x| on f = lam x**2 / 2 from x = 1, stopping early once it is below 1e-6 or above 1e6."""
    x, state = np.array(1.0), opt.init(1.0)
    for _ in range(max_steps):
        x, state = opt.step(x, lam * x, state)
        if not 1e-6 <= abs(x) <= 1e6:
            break
    return abs(float(x))


def test_max_stable_lr_values():
    assert GradientDescent(lr=0.1).max_stable_lr(10.0) == pytest.approx(0.2, rel=1e-15)
    assert Momentum(lr=0.1, beta=0.9, averaged=False).max_stable_lr(10.0) == pytest.approx(0.38, rel=1e-14)
    assert Momentum(lr=0.1, beta=0.9).max_stable_lr(10.0) == pytest.approx(3.8, rel=1e-12)
    assert Momentum(lr=0.1, beta=0.5, averaged=False, nesterov=True).max_stable_lr(1.0) == pytest.approx(1.5)
    for opt in (Adagrad(lr=0.1), RMSProp(lr=0.1), Adam(lr=0.1)):
        assert opt.max_stable_lr(10.0) is None


def measured_rate(opt, H, n_skip, n_measure):
    """Per-step contraction of |x| measured on a run, after a transient."""
    x, state = run_on(opt, H, np.ones(len(H)), n_skip)
    e0 = np.linalg.norm(x)
    x, state = run_on(opt, H, x, n_measure, state)
    return (np.linalg.norm(x) / e0) ** (1 / n_measure)


def test_optimal_heavy_ball_reaches_the_accelerated_rate():
    mu, L = 1.0, 100.0
    kappa = L / mu
    H = np.diag([mu, 10.0, 37.0, L])
    lr = (2 / (math.sqrt(L) + math.sqrt(mu))) ** 2
    beta = ((math.sqrt(L) - math.sqrt(mu)) / (math.sqrt(L) + math.sqrt(mu))) ** 2
    opt = Momentum(lr=lr, beta=beta, averaged=False)
    rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert measured_rate(opt, H, 100, 200) == pytest.approx(rate, rel=0.02)
    # The same algorithm in the averaged form, with lr / (1 - beta).
    assert measured_rate(Momentum(lr=lr / (1 - beta), beta=beta), H, 100, 200) == pytest.approx(
        rate, rel=0.02
    )
    # Gradient descent at its best lr is much slower: (kappa - 1) / (kappa + 1).
    gd_rate = measured_rate(GradientDescent(lr=2 / (L + mu)), H, 50, 500)
    assert gd_rate == pytest.approx((kappa - 1) / (kappa + 1), rel=0.005)
    assert rate < gd_rate


# ----------------------------------------------------------------------------------------------------
# Effective learning rates


@pytest.mark.parametrize(
    "opt", [GradientDescent(lr=0.1), Momentum(lr=0.1), Momentum(lr=0.1, nesterov=True, averaged=False)]
)
def test_effective_lr_is_constant_for_gd_and_momentum(opt):
    xs, states = steps(opt, np.zeros((2, 3)), gradient_sequence(0, 20, 3).reshape(10, 2, 3))
    for x, state in zip(xs, states, strict=True):
        np.testing.assert_array_equal(opt.effective_lr(x, state), np.full((2, 3), 0.1))


def test_adagrad_effective_lr_never_increases():
    traj = run(Adagrad(lr=0.5), quadratic(np.diag([1.0, 100.0])), steps=300, keep_states=True)
    eff = traj.effective_lrs
    assert eff.shape == (300, 2)  # one per step: the factor that step used
    assert np.all(np.diff(eff, axis=0) <= 0)
    np.testing.assert_allclose(eff, 0.5 / (np.sqrt(traj.states["s"][1:]) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(eff[0], 0.5 / (np.abs(traj.grads[0]) + 1e-8), rtol=1e-14)


def test_rmsprop_effective_lr_grows_when_gradients_shrink():
    opt = RMSProp(lr=0.01, beta=0.9)
    grads = np.concatenate([np.ones((50, 1)), np.full((150, 1), 1e-3)])
    xs, states = steps(opt, np.zeros(1), grads)
    eff = np.array([opt.effective_lr(x, s) for x, s in zip(xs, states, strict=True)])[1:, 0]
    assert eff[49] == pytest.approx(0.01 / (math.sqrt(1 - 0.9**50) + 1e-8), rel=1e-12)
    assert np.all(np.diff(eff[50:]) > 0)
    assert eff[-1] > 100 * eff[49]
    # Adagrad, fed the same gradients, keeps shrinking.
    ada = Adagrad(lr=0.01)
    xs, states = steps(ada, np.zeros(1), grads)
    eff_ada = np.array([ada.effective_lr(x, s) for x, s in zip(xs, states, strict=True)])[1:, 0]
    assert np.all(np.diff(eff_ada) <= 0)


def test_effective_lr_is_the_factor_of_the_step_just_taken():
    """For the adaptive rules ``effective_lr(x, state)`` is the factor the *last* step used,
    lr / (sqrt(s) + eps) with the state after that step."""
    grads = gradient_sequence(6, 40, 3)
    for opt in (Adagrad(lr=0.1), RMSProp(lr=0.01, beta=0.9)):
        xs, states = steps(opt, np.zeros(3), grads)
        for k in range(1, len(xs)):
            np.testing.assert_allclose(
                (xs[k - 1] - xs[k]) / grads[k - 1], opt.effective_lr(xs[k], states[k]), rtol=1e-9
            )


UNCHECKED = [
    GradientDescent(lr=0.1),
    Adagrad(lr=0.1),
    RMSProp(lr=0.01, centered=True),
    Adam(lr=0.01),
    AdamW(lr=0.01, weight_decay=0.5),
]


@pytest.mark.parametrize("opt", UNCHECKED, ids=repr)
def test_unchecked_effective_lr_and_update_are_the_checked_ones(opt):
    """The runners' batched entry points, update and effective_lr(check=False), skip checks, nothing else."""
    grads = gradient_sequence(7, 10, 3)
    x, state = np.ones(3), opt.init(np.ones(3))
    for g in grads:
        x_checked, state_checked = opt.step(x, g, state)
        x, state = opt.update(x, g, state)
        np.testing.assert_array_equal(x, x_checked)
        np.testing.assert_array_equal(opt.effective_lr(x, state, check=False), opt.effective_lr(x, state))
    with pytest.raises(TypeError, match="state must be"):
        opt.effective_lr(x, (1, 2))  # the checked one still checks


def test_adam_effective_lr_uses_v_hat():
    opt = Adam(lr=0.01, beta1=0.9, beta2=0.99)
    grads = gradient_sequence(7, 30, 3)
    xs, states = steps(opt, np.zeros(3), grads)
    assert np.all(np.isnan(opt.effective_lr(xs[0], states[0])))
    for k in range(1, len(xs)):
        st_k = states[k]
        v_hat = st_k.v / (1 - 0.99**st_k.t)
        np.testing.assert_allclose(opt.effective_lr(xs[k], st_k), 0.01 / (np.sqrt(v_hat) + 1e-8), rtol=1e-14)
        m_hat = st_k.m / (1 - 0.9**st_k.t)
        np.testing.assert_allclose(xs[k - 1] - xs[k], opt.effective_lr(xs[k], st_k) * m_hat, rtol=1e-9)


def test_centered_rmsprop_effective_lr_uses_the_variance():
    opt = RMSProp(lr=0.01, beta=0.9, centered=True)
    xs, states = steps(opt, np.zeros(2), gradient_sequence(8, 20, 2))
    st_ = states[-1]
    np.testing.assert_allclose(
        opt.effective_lr(xs[-1], st_), 0.01 / (np.sqrt(st_.s - st_.m**2) + 1e-8), rtol=1e-12
    )


# ----------------------------------------------------------------------------------------------------
# Properties over many random inputs

finite_grads = st.floats(min_value=1e-6, max_value=1e6).flatmap(lambda m: st.sampled_from([m, -m])) | st.just(
    0.0
)
grad_vectors = st.lists(finite_grads, min_size=1, max_size=5).map(np.array)
lrs = st.floats(min_value=1e-4, max_value=10.0)
unit_betas = st.floats(min_value=0.0, max_value=0.999)


@settings(max_examples=150, deadline=None)
@given(g=grad_vectors, lr=lrs, beta=unit_betas, eps=st.sampled_from([0.0, 1e-10, 1e-8, 1e-3]))
def test_rmsprop_first_step_is_at_most_lr_over_sqrt_one_minus_beta(g, lr, beta, eps):
    opt = RMSProp(lr=lr, beta=beta, eps=eps)
    with np.errstate(invalid="ignore"):
        x, _ = opt.step(np.zeros_like(g), g, opt.init(g))
    dx = np.abs(x[g != 0])
    assert np.all(dx <= lr / math.sqrt(1 - beta) * (1 + 1e-12))


@settings(max_examples=100, deadline=None)
@given(
    grads=st.lists(st.lists(finite_grads, min_size=3, max_size=3).map(np.array), min_size=1, max_size=20),
    lr=lrs,
    a=st.sampled_from([0.0, 0.1]),
)
def test_adagrad_steps_are_never_longer_than_lr(grads, lr, a):
    opt = Adagrad(lr=lr, initial_accumulator=a)
    x, state = np.zeros(3), opt.init(np.zeros(3))
    for g in grads:
        x_new, state = opt.step(x, g, state)
        assert np.all(np.abs(x_new - x) <= lr * (1 + 1e-12))
        x = x_new


@settings(max_examples=150, deadline=None)
@given(g=grad_vectors, lr=lrs, b1=unit_betas, b2=unit_betas)
def test_adam_first_step_is_at_most_lr(g, lr, b1, b2):
    opt = Adam(lr=lr, beta1=b1, beta2=b2)
    x, _ = opt.step(np.zeros_like(g), g, opt.init(g))
    assert np.all(np.abs(x) <= lr * (1 + 1e-9))
    big = np.abs(g) > 1e-3
    np.testing.assert_allclose(x[big], -lr * np.sign(g[big]), rtol=1e-4)


@settings(max_examples=100, deadline=None)
@given(
    lr=lrs,
    beta=unit_betas,
    # Subnormal numbers (below 2.2e-308) keep fewer digits than rtol asks; hypothesis 6.70 finds g = 5e-311.
    x=st.floats(min_value=-1e3, max_value=1e3, allow_subnormal=False),
    g=st.floats(min_value=-1e3, max_value=1e3, allow_subnormal=False),
    t=st.integers(min_value=0, max_value=10_000),
    nesterov=st.booleans(),
)
def test_averaged_momentum_with_a_steady_gradient(lr, beta, x, g, t, nesterov):
    # After t steps of a constant gradient the averaged velocity is g (1 - beta**t)  (closed form of M1), so
    # the steps tend to lr * g whatever beta is: beta does not rescale the step in the averaged form.
    opt = Momentum(lr=lr, beta=beta, nesterov=nesterov)
    v = np.asarray(g * (1 - beta**t))
    x_new, state = opt.step(x, g, MomentumState(v, t))
    v_next = g * (1 - beta ** (t + 1))
    np.testing.assert_allclose(state.v, v_next, rtol=1e-12, atol=1e-15 * abs(g))
    direction = (1 - beta) * g + beta * v_next if nesterov else v_next
    np.testing.assert_allclose(x - x_new, lr * direction, rtol=1e-9, atol=1e-12 * (abs(x) + lr * abs(g)))
    assert abs(x - x_new) <= lr * abs(g) * (1 + 1e-12) + 4e-16 * abs(x)


# ----------------------------------------------------------------------------------------------------
# RMSProp's first steps, whatever the gradient


def test_first_rmsprop_step_is_lr_over_root_of_one_minus_beta_whatever_the_gradient():
    p = quadratic(np.diag([1e-6, 1.0, 1e6]), x0=[1.0, -1.0, 1.0])
    lrs, betas = np.array([0.01, 0.1]), np.array([0.0, 0.9, 0.99])
    g = p.grad(p.x0)  # 1e-6, -1, 1e6
    lr, root = lrs[:, None, None], np.sqrt(1 - betas)[None, :, None]
    grid = {"lr": lrs, "beta": betas}
    points = sweep(RMSProp(lr=0.01, eps=0.0), p, 1, grid=grid).points
    np.testing.assert_allclose(points[0] - points[1], lr / root * np.sign(g), rtol=1e-12)
    points = sweep(RMSProp(lr=0.01, eps=1e-8), p, 1, grid=grid).points  # eps shows at g = 1e-6
    np.testing.assert_allclose(points[0] - points[1], lr * g / (root * np.abs(g) + 1e-8), rtol=1e-12)


def test_beta_zero_steps_lr_times_the_sign():
    p = ravine(10)
    points = sweep(RMSProp(lr=0.25, beta=0.0, eps=0.0), p, 2, [[3.0, -1.0]]).points[:, 0]
    np.testing.assert_allclose(points[1], [2.75, -0.75])  # g = (3, -10): x - lr * g / |g|
    np.testing.assert_allclose(points[2], [2.5, -0.5])


# ----------------------------------------------------------------------------------------------------
# Adagrad's lr grids (run with lessons_lib.sweeps.sweep) against closed forms


def test_adagrad_under_a_constant_gradient_by_hand():
    # g = (2, -0.001): s_k = k g**2, each step lr g / (sqrt(k) |g|) = lr sign(g) / sqrt(k) with eps = 0.
    out = sweep(Adagrad(lr=1.0, eps=0.0), linear([2.0, -0.001]), 4, [0.0, 0.0], grid={"lr": [1.0, 0.5]})
    k = np.arange(1, 5)
    expected = -np.concatenate([[0.0], np.cumsum(1 / np.sqrt(k))])
    for i, lr in enumerate([1.0, 0.5]):
        np.testing.assert_allclose(out.points[:, i, 0], lr * expected, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(out.points[:, i, 1], -lr * expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(out.state.s, [[16.0, 4e-6], [16.0, 4e-6]], rtol=1e-14)


def test_initial_accumulator_and_eps_enter_as_in_the_equations():
    g, lr, s0, eps = 0.01, 0.1, 0.1, 1e-3
    opt = Adagrad(lr=1.0, eps=eps, initial_accumulator=s0)
    out = sweep(opt, linear([g]), 1, [0.0], grid={"lr": [lr]})
    assert out.points[1, 0, 0] == pytest.approx(-lr * g / (math.sqrt(s0 + g * g) + eps), rel=1e-14)
    assert out.state.s[0, 0] == pytest.approx(s0 + g * g, rel=1e-14)


def test_first_step_is_lr_times_the_sign_whatever_the_scale():
    scales = np.array([1e-6, 1e-3, 1.0, 1e3, 1e6])
    out = sweep(Adagrad(lr=0.25, eps=0.0), linear(-scales), 1, np.zeros(5), grid={"lr": [0.25]})
    np.testing.assert_allclose(out.points[1, 0], 0.25, rtol=1e-15)


@pytest.mark.parametrize("c", [1e-3, 0.1, 10.0, 1e3])
def test_rescaling_one_coordinates_gradient_leaves_adagrads_path_unchanged(c):
    x0 = [-8.0, 2.0]

    def path(optimizer, curvatures, lrs):
        return sweep(optimizer, quadratic(np.diag(curvatures), x0=x0), 50, x0, grid={"lr": lrs}).points

    reference = path(Adagrad(lr=1.0, eps=0.0), [1.0, 1.0], [0.5, 2.0])
    scaled = path(Adagrad(lr=1.0, eps=0.0), [1.0, c], [0.5, 2.0])
    np.testing.assert_allclose(scaled, reference, rtol=1e-10, atol=1e-12)
    gd_reference = path(GradientDescent(lr=1.0), [1.0, 1.0], [0.05])
    gd_scaled = path(GradientDescent(lr=1.0), [1.0, c], [0.05])
    assert not np.allclose(gd_scaled, gd_reference, equal_nan=True)  # gradient descent's is not


def test_recorded_steps_and_divergence():
    p = ravine(10)
    out = sweep(GradientDescent(lr=1.0), p, 10, p.x0, grid={"lr": [0.1, 0.25]}, every=4)
    assert out.steps.tolist() == [0, 4, 8, 10]
    full = sweep(GradientDescent(lr=1.0), p, 10, p.x0, grid={"lr": [0.1, 0.25]})
    np.testing.assert_array_equal(out.points, full.points[[0, 4, 8, 10]])
    long = sweep(GradientDescent(lr=1.0), p, 200, p.x0, grid={"lr": [0.1, 0.25]})  # 0.25 > 2/L
    assert long.diverged.tolist() == [False, True] and long.diverged_steps[1] > 0
    assert np.all(np.isfinite(long.points[:, 0])) and np.all(np.isnan(long.points[-1, 1]))
    adagrad = sweep(Adagrad(lr=1.0), p, 200, p.x0, grid={"lr": [10.0]})
    assert not adagrad.diverged.any() and np.all(np.isfinite(adagrad.points))


def test_gradient_descent_is_blind_to_rotations_and_the_starts_match():
    p, tilted = ravine(100), rotated_ravine(100)
    starts = p.random_starts(20, seed=4)
    np.testing.assert_allclose(tilted.f(rotate(starts, 45)), p.f(starts), rtol=1e-12)
    np.testing.assert_allclose(rotate(p.x0, 45), tilted.x0, atol=1e-12)

    def path(optimizer, problem, x0):
        return sweep(optimizer, problem, 30, x0).points

    plain = path(GradientDescent(lr=0.01), p, starts)
    turned = path(GradientDescent(lr=0.01), tilted, rotate(starts, 45))
    np.testing.assert_allclose(turned, rotate(plain, 45), atol=1e-9)
    ada = path(Adagrad(lr=1.0), tilted, rotate(starts, 45))
    assert not np.allclose(ada, rotate(path(Adagrad(lr=1.0), p, starts), 45))
