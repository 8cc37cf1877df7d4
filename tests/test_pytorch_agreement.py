"""The course's optimizers against PyTorch's, step for step, in float64.

PyTorch is not a dependency of the course; these tests skip when it is not installed (as in CI). To run them,
install the CPU build into the project's virtualenv and run this file::

    .venv/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu
    .venv/bin/pytest tests/test_pytorch_agreement.py

What is compared (lessons_lib <-> torch.optim):

* ``GradientDescent(lr)``                     <-> ``SGD(lr, momentum=0)``
* ``Momentum(lr, beta, nesterov, averaged=False)`` <-> ``SGD(lr, momentum=beta, nesterov)``;
  ``v`` = ``momentum_buffer``
* ``Momentum(lr, beta, nesterov)`` (averaged) <-> ``SGD(lr * (1 - beta), momentum=beta, nesterov)``;
  ``v`` = ``(1 - beta) * momentum_buffer``
* ``Adagrad(lr, eps, initial_accumulator)``   <-> ``Adagrad(lr, eps, initial_accumulator_value, lr_decay=0)``
* ``RMSProp(lr, beta, eps, centered, momentum)`` <-> ``RMSprop(lr, alpha=beta, eps, centered, momentum)``
* ``Adam(lr, beta1, beta2, eps)``             <-> ``Adam(lr, betas=(beta1, beta2), eps)``

Gradients come either from a fixed seeded sequence whose sizes span 1e-3 .. 1e3 (per coordinate and over
time), or from a quadratic, so that the trajectory feeds back into the gradients. Points and states must agree
to a relative 1e-9 (relative to each coordinate's largest value over the run, so zero crossings do not count).
With eps = 1e-8 and gradients of 1e-3, eps inside the root would change the steps by 1e-5, far above that.
"""

import numpy as np
import pytest

from lessons_lib import Adagrad, Adam, GradientDescent, Momentum, RMSProp

torch = pytest.importorskip("torch")

RTOL = 1e-9
STEPS = 2000
DIM = 6


def gradient_sequence(seed=0, n=STEPS, d=DIM):
    """Random signs, sizes from 1e-3 to 1e3: a different range per coordinate, drifting over time."""
    rng = np.random.default_rng(seed)
    t, i = np.arange(n)[:, None], np.arange(d)[None, :]
    exponent = np.linspace(-3, 3, d)[None, :] + 2.5 * np.sin(t / 97.0 + i) + rng.uniform(-0.5, 0.5, (n, d))
    return rng.choice([-1.0, 1.0], size=(n, d)) * 10 ** np.clip(exponent, -3, 3)


def quadratic_matrix(seed=0, d=DIM):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return q @ np.diag(np.logspace(-1, 1, d)) @ q.T


SEQUENCE = gradient_sequence()
H = quadratic_matrix()
X0 = np.linspace(-1.0, 2.0, DIM)


# With a tiny eps, RMSProp and Adam end up hopping around the minimum of a quadratic at a distance of about
# lr, and that end game is chaotic: differences of one ulp (PyTorch's lerp versus beta*m + (1-beta)*g) grow to
# lr-sized differences within a few hundred steps, although both implementations are right. On the quadratic
# the adaptive rules therefore use eps = 0.1: they still start in the adaptive regime (sqrt(s) >> eps) and
# then settle into a contracting one, so 2000 fed-back steps can be compared to 1e-9.
EPS = {"sequence": 1e-8, "quadratic": 0.1}


def gradient_source(kind):
    if kind == "sequence":
        return lambda x, k: SEQUENCE[k]
    return lambda x, k: H @ x


def run_lessons(opt, grad, n):
    x, state = X0.copy(), opt.init(X0)
    xs, states = [x], [state]
    for k in range(n):
        x, state = opt.step(x, grad(x, k), state)
        xs.append(x)
        states.append(state)
    return np.array(xs), states


def run_torch(make, grad, n, state_names):
    p = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = make([p])
    xs, states = [X0.copy()], {name: [] for name in state_names}
    for k in range(n):
        p.grad = torch.tensor(grad(p.detach().numpy().copy(), k), dtype=torch.float64)
        opt.step()
        xs.append(p.detach().numpy().copy())
        for name in state_names:
            states[name].append(opt.state[p][name].detach().numpy().copy())
    return np.array(xs), {name: np.array(v) for name, v in states.items()}


def scaled_error(actual, desired):
    """max |a - d| relative to the largest |d| of the same coordinate over the run."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    scale = np.max(np.abs(desired), axis=0, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    return float(np.max(np.abs(actual - desired) / scale))


def check(ours, theirs, what):
    err = scaled_error(ours, theirs)
    assert err < RTOL, f"{what}: scaled error {err:.3g}"
    return err


def lessons_state(states, name, factor=1.0):
    return np.array([factor * getattr(s, name) for s in states[1:]])


KINDS = ["sequence", "quadratic"]
FOREACH = [False, True]


@pytest.mark.parametrize("foreach", FOREACH)
@pytest.mark.parametrize("kind", KINDS)
def test_gradient_descent_is_sgd(kind, foreach):
    grad = gradient_source(kind)
    ours, _ = run_lessons(GradientDescent(lr=0.05), grad, STEPS)
    theirs, _ = run_torch(lambda ps: torch.optim.SGD(ps, lr=0.05, foreach=foreach), grad, STEPS, [])
    check(ours, theirs, "x")


@pytest.mark.parametrize("foreach", FOREACH)
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("averaged", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_momentum_is_sgd_with_momentum(kind, averaged, nesterov, foreach):
    beta, lr = 0.9, 0.05
    grad = gradient_source(kind)
    ours, states = run_lessons(Momentum(lr=lr, beta=beta, averaged=averaged, nesterov=nesterov), grad, STEPS)
    torch_lr = lr * (1 - beta) if averaged else lr

    def make(ps):
        return torch.optim.SGD(ps, lr=torch_lr, momentum=beta, nesterov=nesterov, foreach=foreach)

    theirs, tstates = run_torch(make, grad, STEPS, ["momentum_buffer"])
    check(ours, theirs, "x")
    factor = 1 / (1 - beta) if averaged else 1.0  # averaged v = (1 - beta) * torch's buffer
    check(lessons_state(states, "v", factor), tstates["momentum_buffer"], "v")


def test_sgd_dampening_is_not_the_averaged_form():
    """PyTorch's ``dampening`` skips the first step, so SGD(momentum=b, dampening=b) is not the EWA form."""
    beta = 0.9
    grad = gradient_source("sequence")
    ours, _ = run_lessons(Momentum(lr=0.05, beta=beta), grad, 50)

    def make(ps):
        return torch.optim.SGD(ps, lr=0.05, momentum=beta, dampening=beta, foreach=False)

    theirs, tstates = run_torch(make, grad, 50, ["momentum_buffer"])
    np.testing.assert_allclose(tstates["momentum_buffer"][0], SEQUENCE[0], rtol=1e-15)  # not (1 - b) g
    assert scaled_error(ours, theirs) > 1e-3


@pytest.mark.parametrize("foreach", FOREACH)
@pytest.mark.parametrize("initial", [0.0, 0.1])
@pytest.mark.parametrize("kind", KINDS)
def test_adagrad_is_torch_adagrad(kind, initial, foreach):
    lr, eps = 0.1, 1e-10
    grad = gradient_source(kind)
    ours, states = run_lessons(Adagrad(lr=lr, eps=eps, initial_accumulator=initial), grad, STEPS)

    def make(ps):
        return torch.optim.Adagrad(
            ps, lr=lr, lr_decay=0, eps=eps, initial_accumulator_value=initial, foreach=foreach
        )

    theirs, tstates = run_torch(make, grad, STEPS, ["sum"])
    check(ours, theirs, "x")
    check(lessons_state(states, "s"), tstates["sum"], "s")


@pytest.mark.parametrize("foreach", FOREACH)
@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_rmsprop_is_torch_rmsprop(kind, centered, momentum, foreach):
    lr, beta, eps = 0.01, 0.99, EPS[kind]
    grad = gradient_source(kind)
    ours, states = run_lessons(
        RMSProp(lr=lr, beta=beta, eps=eps, centered=centered, momentum=momentum), grad, STEPS
    )
    names = ["square_avg"] + (["grad_avg"] if centered else []) + (["momentum_buffer"] if momentum else [])

    def make(ps):
        return torch.optim.RMSprop(
            ps, lr=lr, alpha=beta, eps=eps, centered=centered, momentum=momentum, foreach=foreach
        )

    theirs, tstates = run_torch(make, grad, STEPS, names)
    check(ours, theirs, "x")
    check(lessons_state(states, "s"), tstates["square_avg"], "s")
    if centered:
        check(lessons_state(states, "m"), tstates["grad_avg"], "m")
    if momentum:
        check(lessons_state(states, "v"), tstates["momentum_buffer"], "v")


@pytest.mark.parametrize("foreach", FOREACH)
@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.0, 0.99), (0.5, 0.9)])
@pytest.mark.parametrize("kind", KINDS)
def test_adam_is_torch_adam(kind, betas, foreach):
    lr, eps = 0.01, EPS[kind]
    grad = gradient_source(kind)
    ours, states = run_lessons(Adam(lr=lr, beta1=betas[0], beta2=betas[1], eps=eps), grad, STEPS)

    def make(ps):
        return torch.optim.Adam(ps, lr=lr, betas=betas, eps=eps, foreach=foreach)

    theirs, tstates = run_torch(make, grad, STEPS, ["exp_avg", "exp_avg_sq", "step"])
    check(ours, theirs, "x")
    check(lessons_state(states, "m"), tstates["exp_avg"], "m")
    check(lessons_state(states, "v"), tstates["exp_avg_sq"], "v")
    np.testing.assert_array_equal([s.t for s in states[1:]], tstates["step"])
