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
* ``AdamW(lr, beta1, beta2, eps, weight_decay)`` <-> ``AdamW(lr, betas=(beta1, beta2), eps, weight_decay)``
* ``Adam(...)`` on ``with_l2(problem, wd)``    <-> ``Adam(..., weight_decay=wd)``, PyTorch's L2 form
* ``step_decay``, ``cosine_decay``, ``warmup`` <-> ``lr_scheduler.StepLR``, ``CosineAnnealingLR``,
  ``LinearLR`` (and ``SequentialLR``, ``LambdaLR``); ``run(..., schedule=...)`` <-> a stepped scheduler

Gradients come either from a fixed seeded sequence whose sizes span 1e-3 .. 1e3 (per coordinate and over
time), or from a quadratic, so that the trajectory feeds back into the gradients. Points and states must agree
to a relative 1e-9 (relative to each coordinate's largest value over the run, so zero crossings do not count).
With eps = 1e-8 and gradients of 1e-3, eps inside the root would change the steps by 1e-5, far above that.
"""

import numpy as np
import pytest

from lessons_lib import (
    Adagrad,
    Adam,
    AdamW,
    GradientDescent,
    Momentum,
    RMSProp,
    cosine_decay,
    quadratic,
    run,
    step_decay,
    warmup,
    with_l2,
)
from lessons_lib.conventions import run_optimizer

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


def check_adam_states(ours, states, theirs, tstates):
    """Points, both moments and (when torch's was kept) the step count of an Adam-like run against torch's."""
    check(ours, theirs, "x")
    check(lessons_state(states, "m"), tstates["exp_avg"], "m")
    check(lessons_state(states, "v"), tstates["exp_avg_sq"], "v")
    if "step" in tstates:
        np.testing.assert_array_equal([s.t for s in states[1:]], tstates["step"])


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
    check_adam_states(ours, states, theirs, tstates)


@pytest.mark.parametrize("foreach", FOREACH)
@pytest.mark.parametrize(
    ("betas", "weight_decay"), [((0.9, 0.999), 1e-2), ((0.9, 0.999), 1.0), ((0.0, 0.99), 0.1)]
)
@pytest.mark.parametrize("kind", KINDS)
def test_adamw_is_torch_adamw(kind, betas, weight_decay, foreach):
    lr, eps = 0.01, EPS[kind]
    grad = gradient_source(kind)
    opt = AdamW(lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay)
    ours, states = run_lessons(opt, grad, STEPS)

    def make(ps):
        return torch.optim.AdamW(ps, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach)

    theirs, tstates = run_torch(make, grad, STEPS, ["exp_avg", "exp_avg_sq", "step"])
    check_adam_states(ours, states, theirs, tstates)


@pytest.mark.parametrize("foreach", FOREACH)
@pytest.mark.parametrize("kind", KINDS)
def test_adam_on_the_l2_penalised_problem_is_torch_adam_with_weight_decay(kind, foreach):
    """PyTorch's ``Adam(weight_decay=wd)`` adds ``wd * x`` to the gradient: Adam on ``with_l2(p, wd)``."""
    lr, eps, wd = 0.01, EPS[kind], 0.1
    penalised = with_l2(quadratic((H + H.T) / 2), wd)

    def ours_grad(x, k):
        if kind == "quadratic":
            return penalised.grad(x)
        return SEQUENCE[k] + wd * x  # a table of gradients has no problem to wrap: the L2 term by hand

    ours, states = run_lessons(Adam(lr=lr, eps=eps), ours_grad, STEPS)

    def make(ps):
        return torch.optim.Adam(ps, lr=lr, eps=eps, weight_decay=wd, foreach=foreach)

    theirs, tstates = run_torch(make, gradient_source(kind), STEPS, ["exp_avg", "exp_avg_sq"])
    check_adam_states(ours, states, theirs, tstates)
    # ...and it is not AdamW: the decay divided by sqrt(v_hat) is another rule.
    decoupled, _ = run_lessons(AdamW(lr=lr, eps=eps, weight_decay=wd), gradient_source(kind), STEPS)
    assert scaled_error(decoupled, theirs) > 1e-3


# ----------------------------------------------------------------------------------------------------
# Learning-rate schedules: the multipliers against torch.optim.lr_scheduler, and scheduled trajectories


def torch_multipliers(make_scheduler, steps, base=0.3):
    """``param_group["lr"] / base`` at each step, stepping the scheduler after each optimizer step."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    scheduler = make_scheduler(opt)
    out = []
    for _ in range(steps):  # the scheduler also steps after the last step, to a multiplier never used
        out.append(opt.param_groups[0]["lr"] / base)
        p.grad = torch.zeros(1, dtype=torch.float64)
        opt.step()
        scheduler.step()
    return np.array(out)


lr_scheduler = torch.optim.lr_scheduler


@pytest.mark.parametrize(
    ("steps", "every", "factor"), [(50, 7, 0.1), (200, 30, 0.5), (10, 1, 0.9), (5, 9, 0.1)]
)
def test_step_decay_is_steplr(steps, every, factor):
    theirs = torch_multipliers(lambda o: lr_scheduler.StepLR(o, step_size=every, gamma=factor), steps)
    np.testing.assert_allclose(step_decay(steps, every=every, factor=factor), theirs, rtol=1e-13)


@pytest.mark.parametrize(("steps", "final"), [(100, 0.0), (1000, 0.0), (60, 0.1), (7, 0.5), (1, 0.0)])
def test_cosine_decay_is_cosineannealinglr_with_t_max_the_steps(steps, final):
    def make(o):
        return lr_scheduler.CosineAnnealingLR(o, T_max=steps, eta_min=final * 0.3)

    np.testing.assert_allclose(cosine_decay(steps, final=final), torch_multipliers(make, steps), atol=1e-13)


@pytest.mark.parametrize(("steps", "w"), [(20, 5), (100, 30), (10, 10), (10, 2)])
def test_warmup_is_linearlr_from_one_over_warmup_steps(steps, w):
    def make(o):
        return lr_scheduler.LinearLR(o, start_factor=1 / w, end_factor=1.0, total_iters=w - 1)

    np.testing.assert_allclose(warmup(steps, warmup_steps=w), torch_multipliers(make, steps), rtol=1e-13)


def test_a_cosine_after_the_warmup_is_sequentiallr_and_then_is_lambdalr():
    steps, w = 120, 20
    fresh = np.concatenate([np.ones(w), cosine_decay(steps - w)])

    def sequential(o):
        return lr_scheduler.SequentialLR(
            o,
            [
                lr_scheduler.LinearLR(o, start_factor=1 / w, total_iters=w - 1),
                lr_scheduler.CosineAnnealingLR(o, T_max=steps - w),
            ],
            milestones=[w],
        )

    ours = warmup(steps, warmup_steps=w, then=fresh)
    np.testing.assert_allclose(ours, torch_multipliers(sequential, steps), atol=1e-13)
    going_on = warmup(steps, warmup_steps=w, then=cosine_decay(steps))
    theirs = torch_multipliers(
        lambda o: lr_scheduler.LambdaLR(o, lambda k: float(going_on[min(k, steps - 1)])), steps
    )
    np.testing.assert_allclose(going_on, theirs, rtol=1e-15)  # base * m / base: round-off


def run_torch_scheduled(make, make_scheduler, grad, n):
    p = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = make([p])
    scheduler = make_scheduler(opt)
    xs = [X0.copy()]
    for k in range(n):
        p.grad = torch.tensor(grad(p.detach().numpy().copy(), k), dtype=torch.float64)
        opt.step()
        scheduler.step()
        xs.append(p.detach().numpy().copy())
    return np.array(xs)


BOWL = quadratic((H + H.T) / 2)
SCHEDULED_STEPS = 1000


@pytest.mark.parametrize("foreach", FOREACH)
@pytest.mark.parametrize(("final", "weight_decay"), [(0.0, 1e-2), (0.1, 1.0)])
def test_adamw_with_cosineannealinglr_is_run_with_cosine_decay(final, weight_decay, foreach):
    lr, eps, n = 0.05, EPS["quadratic"], SCHEDULED_STEPS
    opt = AdamW(lr=lr, eps=eps, weight_decay=weight_decay)
    ours = run(opt, BOWL, n, X0, schedule=cosine_decay(n, final=final)).points

    def make(ps):
        return torch.optim.AdamW(ps, lr=lr, eps=eps, weight_decay=weight_decay, foreach=foreach)

    def schedule(o):
        return lr_scheduler.CosineAnnealingLR(o, T_max=n, eta_min=final * lr)

    theirs = run_torch_scheduled(make, schedule, lambda x, k: BOWL.grad(x), n)
    check(ours, theirs, "x")
    constant = run(opt, BOWL, n, X0).points  # and the schedule mattered
    assert scaled_error(constant, theirs) > 1e-3


SCHEDULED_PAIRS = [
    (GradientDescent(lr=0.05), lambda ps: torch.optim.SGD(ps, lr=0.05)),
    (Momentum(lr=0.05, beta=0.9), lambda ps: torch.optim.SGD(ps, lr=0.05 * (1 - 0.9), momentum=0.9)),
    (Adagrad(lr=0.1, eps=1e-10), lambda ps: torch.optim.Adagrad(ps, lr=0.1, eps=1e-10)),
    (RMSProp(lr=0.01, beta=0.99, eps=0.1), lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.99, eps=0.1)),
    (Adam(lr=0.01, eps=0.1), lambda ps: torch.optim.Adam(ps, lr=0.01, eps=0.1)),
]


@pytest.mark.parametrize(
    ("ours_opt", "make"), SCHEDULED_PAIRS, ids=lambda o: getattr(o, "label", lambda: "")()
)
@pytest.mark.parametrize("kind", KINDS)
def test_every_rule_under_warmup_and_step_decay_is_torch_with_lambdalr(ours_opt, make, kind):
    """lr outside every accumulator: a scheduled lr is the same rule; the averaged momentum's lr * (1 - beta)
    maps to PyTorch's summed form whatever the schedule, as its velocity holds no lr."""
    n = SCHEDULED_STEPS
    schedule = warmup(n, warmup_steps=100, then=step_decay(n, every=300, factor=0.3))
    grad = gradient_source(kind)
    if kind == "quadratic":
        ours = run(ours_opt, BOWL, n, X0, schedule=schedule).points
        grad = lambda x, k: BOWL.grad(x)  # noqa: E731
    else:
        ours = run_optimizer(ours_opt, X0, SEQUENCE[:n], lr=ours_opt.lr * schedule)
    theirs = run_torch_scheduled(
        make, lambda o: lr_scheduler.LambdaLR(o, lambda k: float(schedule[min(k, n - 1)])), grad, n
    )
    check(ours, theirs, "x")
