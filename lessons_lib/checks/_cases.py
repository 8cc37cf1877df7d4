"""The inputs of every exercise: fixed, seeded, chosen so that each catalogued mistake shows."""

from __future__ import annotations

import numpy as np

from ..averages import ewa
from ..measures import first_staying
from ._exercise import _Case


def _signed(rng, shape, low, high):
    """Numbers of either sign whose sizes spread evenly on a log scale from 10**low to 10**high."""
    return rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(low, high, size=shape)


def _signed_uniform(rng, shape, low, high):
    """Numbers of either sign whose sizes are uniform from ``low`` to ``high``."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def _points(rng, shape):
    """Starting points of either sign, sizes 0.5 to 2: away from 0, so that relative errors mean something."""
    return _signed_uniform(rng, shape, 0.5, 2.0)


def _whole(rng, shape):
    """Whole numbers 1 to 4 of either sign, as an integer array (drawing what ``_points`` draws)."""
    return np.rint(2 * _points(rng, shape)).astype(int)


def _gradients(rng, shape, steps, low, high):
    return tuple(_signed(rng, shape, low, high) for _ in range(steps))


def _step_case(label, args, gradients):
    """A case of ``len(gradients)`` consecutive steps; the first gradient goes into the first call."""
    return _Case(label, {**args, "g": gradients[0]}, tuple(gradients[1:]))


def _gd_cases():
    rng = np.random.default_rng(101)
    return (
        _Case("Python floats", {"x": 1.5, "g": 0.8, "lr": 0.1}),
        _Case("Python integers, negative gradient", {"x": -1, "g": -3, "lr": 0.3}),
        _Case("1-D arrays", {"x": _points(rng, 3), "g": _signed(rng, 3, -1, 0.5), "lr": 0.05}),
        _Case("2-D integer arrays", {"x": _whole(rng, (3, 4)), "g": _whole(rng, (3, 4)), "lr": 0.5}),
        _Case(
            "1-D arrays, gradients 1e-6 to 1e-3",
            {"x": _points(rng, 4), "g": _signed(rng, 4, -6, -3), "lr": 0.1},
        ),
        _Case(
            "2-D arrays, gradients 1e2 to 1e3",
            {"x": _points(rng, (2, 3)), "g": _signed(rng, (2, 3), 2, 3), "lr": 1e-3},
        ),
    )


def _momentum_cases():
    rng = np.random.default_rng(202)
    hyper = {"lr": 0.1, "beta": 0.9}
    return (
        _step_case("Python floats, 3 steps", {"x": 1.0, "v": 0.2, **hyper}, (0.5, -0.3, 0.8)),
        _step_case(
            "1-D arrays, 4 steps from v = 0",
            {"x": _points(rng, 3), "v": np.zeros(3), "lr": 0.05, "beta": 0.8},
            _gradients(rng, 3, 4, -1, 0.5),
        ),
        _step_case(
            "2-D integer arrays, 2 steps from v = 0 (integers)",
            {"x": _whole(rng, (2, 3)), "v": np.zeros((2, 3), dtype=int), "lr": 0.2, "beta": 0.95},
            tuple(_whole(rng, (2, 3)) for _ in range(2)),
        ),
        _step_case(
            "1-D arrays, gradients 1e-6 to 1e-3, 3 steps",
            {"x": _points(rng, 4), "v": np.zeros(4), **hyper},
            _gradients(rng, 4, 3, -6, -3),
        ),
        _step_case(
            "2-D arrays, gradients 1e1 to 1e3, beta = 0.99, 2 steps",
            {"x": _points(rng, (3, 2)), "v": _signed(rng, (3, 2), 1, 2), "lr": 1e-3, "beta": 0.99},
            _gradients(rng, (3, 2), 2, 1, 3),
        ),
    )


def _adaptive_cases(seed, betas=None):
    """Cases for Adagrad (``betas`` None) and RMSProp (one ``beta`` per case)."""
    rng = np.random.default_rng(seed)
    betas = betas or (None,) * 5

    def args(x, s, lr, eps, beta):
        return {"x": x, "s": s, "lr": lr, **({} if beta is None else {"beta": beta}), "eps": eps}

    def tag(label, beta):
        return label if beta is None else f"{label}, beta = {beta:g}"

    zero_coordinate = (np.array([0, 2, -3]), np.array([0, -1, 4]))
    return (
        _step_case(
            tag("Python floats, eps = 1e-3, 3 steps", betas[0]),
            args(1.0, 0.25, 0.1, 1e-3, betas[0]),
            (0.4, 0.3, 0.5),
        ),
        _step_case(
            tag("1-D arrays, gradients 1e-6 to 1e-3", betas[1]),
            args(_points(rng, 4), np.zeros(4), 0.1, 1e-8, betas[1]),
            _gradients(rng, 4, 3, -6, -3),
        ),
        _step_case(
            tag("2-D arrays, s already accumulated, eps = 1e-4", betas[2]),
            args(_points(rng, (2, 3)), rng.uniform(0.5, 2.0, (2, 3)), 0.5, 1e-4, betas[2]),
            _gradients(rng, (2, 3), 2, -1, 0.5),
        ),
        _step_case(
            tag("1-D integer arrays, one coordinate's gradient is 0, eps = 1e-4", betas[3]),
            args(_whole(rng, 3), np.zeros(3, dtype=int), 0.1, 1e-4, betas[3]),
            zero_coordinate,
        ),
        _step_case(
            tag("1-D arrays, gradients 1e2 to 1e4", betas[4]),
            args(_points(rng, 3), np.zeros(3), 0.01, 1e-8, betas[4]),
            _gradients(rng, 3, 2, 2, 4),
        ),
    )


def _adam_cases(seed=505, weight_decays=None):
    """Adam's cases; with one ``weight_decay`` per case, AdamW's (drawn with another ``seed``)."""
    rng = np.random.default_rng(seed)
    hyper = {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

    def start(shape):
        zeros = np.zeros(shape)
        return {"x": _points(rng, shape), "m": zeros, "v": zeros.copy(), "t": 1}

    # State after nine earlier steps, so that t = 10 meets moments the size a real run would have.
    earlier = np.array(_gradients(rng, (2, 3), 9, -2, 0))
    after_nine = {"m": ewa(earlier, 0.9)[-1], "v": ewa(earlier**2, 0.999)[-1]}
    cases = (
        _step_case(
            "Python floats, eps = 1e-3, t = 1 to 3",
            {"x": 1.0, "m": 0.0, "v": 0.0, "t": 1, **hyper, "eps": 1e-3},
            (0.4, 0.3, 0.5),
        ),
        _step_case(
            "1-D arrays, gradients 1e-6 to 1e-3, t = 1 to 3",
            {**start(4), **hyper},
            _gradients(rng, 4, 3, -6, -3),
        ),
        _step_case(
            "2-D arrays, eps = 1e-4, t = 10 and 11",
            {"x": _points(rng, (2, 3)), **after_nine, "t": 10, **hyper, "lr": 0.01, "eps": 1e-4},
            _gradients(rng, (2, 3), 2, -2, 0),
        ),
        _step_case(
            "1-D arrays, gradients 1e1 to 1e3, beta1 = 0.8, beta2 = 0.99, eps = 1e-10, t = 1 to 4",
            {**start(3), **hyper, "beta1": 0.8, "beta2": 0.99, "eps": 1e-10},
            _gradients(rng, 3, 4, 1, 3),
        ),
        _step_case(
            "1-D integer arrays, one coordinate's gradient is 0, eps = 1e-4, t = 1 and 2",
            {
                "x": _whole(rng, 3),
                "m": np.zeros(3, dtype=int),
                "v": np.zeros(3, dtype=int),
                "t": 1,
                **hyper,
                "eps": 1e-4,
            },
            (np.array([0, 2, -3]), np.array([0, -1, 4])),
        ),
    )
    if weight_decays is None:
        return cases
    return tuple(
        _Case(f"{case.label}, weight_decay = {wd:g}", {**case.args, "weight_decay": wd}, case.later_gradients)
        for case, wd in zip(cases, weight_decays, strict=True)
    )


def _adamw_cases():
    """Adam's cases with a weight decay each: the decay, ``lr*weight_decay*x``, is from 5e-4 to 0.05 of x."""
    return _adam_cases(1212, weight_decays=(0.1, 0.01, 0.05, 0.02, 0.5))


def _ewa_cases():
    rng = np.random.default_rng(606)
    walk = 10.0 + np.cumsum(rng.normal(size=60))
    return (
        _Case("a list of 5 numbers, beta = 0.8", {"values": [2.0, 4.0, 3.0, 5.0, 1.0], "beta": 0.8}),
        _Case("an array of 20 numbers, beta = 0.9", {"values": walk[:20].copy(), "beta": 0.9}),
        _Case("an array of 60 numbers, beta = 0.98", {"values": walk.copy(), "beta": 0.98}),
        _Case("a list of one integer, beta = 0.9", {"values": [3], "beta": 0.9}),
        _Case("an array of 8 integers, beta = 0.3", {"values": rng.integers(1, 20, size=8), "beta": 0.3}),
    )


def _nesterov_cases():
    rng = np.random.default_rng(707)
    hyper = {"lr": 0.1, "beta": 0.9}
    return (
        _step_case("Python floats, 3 steps", {"x": 1.0, "v": 0.2, **hyper}, (0.5, -0.3, 0.8)),
        _step_case(
            "1-D arrays, 4 steps from v = 0",
            {"x": _points(rng, 3), "v": np.zeros(3), "lr": 0.05, "beta": 0.8},
            _gradients(rng, 3, 4, -1, 0.5),
        ),
        _step_case(
            "2-D integer arrays, 2 steps (integers)",
            {"x": _whole(rng, (2, 3)), "v": _whole(rng, (2, 3)), "lr": 0.2, "beta": 0.95},
            tuple(_whole(rng, (2, 3)) for _ in range(2)),
        ),
        _step_case(
            "1-D arrays, gradients 1e-6 to 1e-3, 3 steps",
            {"x": _points(rng, 4), "v": np.zeros(4), **hyper},
            _gradients(rng, 4, 3, -6, -3),
        ),
        _step_case(
            "2-D arrays, gradients 1e1 to 1e3, beta = 0.99, 2 steps",
            {"x": _points(rng, (3, 2)), "v": _signed(rng, (3, 2), 1, 2), "lr": 1e-3, "beta": 0.99},
            _gradients(rng, (3, 2), 2, 1, 3),
        ),
    )


def _centered_rmsprop_cases():
    """Several steps each, so that ``s - m**2`` differs from ``s``; it stays well above 0 (a variance)."""
    rng = np.random.default_rng(808)

    def start(shape, *, lr, beta, eps):
        zeros = np.zeros(shape)
        return {"x": _points(rng, shape), "s": zeros, "m": zeros.copy(), "lr": lr, "beta": beta, "eps": eps}

    m = _signed(rng, (2, 3), -1, 0)
    return (
        _step_case(
            "Python floats, eps = 1e-3, 3 steps",
            {"x": 1.0, "s": 0.25, "m": 0.1, "lr": 0.1, "beta": 0.9, "eps": 1e-3},
            (0.4, -0.3, 0.5),
        ),
        _step_case(
            "1-D arrays, gradients 1e-6 to 1e-3, beta = 0.99, 3 steps from s = m = 0",
            start(4, lr=0.01, beta=0.99, eps=1e-8),
            _gradients(rng, 4, 3, -6, -3),
        ),
        _step_case(
            "2-D arrays, s and m already accumulated, beta = 0.9, eps = 1e-4, 2 steps",
            {
                "x": _points(rng, (2, 3)),
                "s": m**2 * rng.uniform(1.2, 2.0, (2, 3)),  # a variance s - m**2 of 20% to 50% of s
                "m": m,
                "lr": 0.05,
                "beta": 0.9,
                "eps": 1e-4,
            },
            _gradients(rng, (2, 3), 2, -1, 0.5),
        ),
        _step_case(
            "1-D integer arrays, one coordinate's gradient is 0, beta = 0.8, eps = 1e-4, 2 steps",
            {
                "x": _whole(rng, 3),
                "s": np.zeros(3, dtype=int),
                "m": np.zeros(3, dtype=int),
                "lr": 0.1,
                "beta": 0.8,
                "eps": 1e-4,
            },
            (np.array([0, 2, -3]), np.array([0, -1, 4])),
        ),
        _step_case(
            "1-D arrays, gradients 1e2 to 1e4, beta = 0.95, 3 steps from s = m = 0",
            start(3, lr=1e-3, beta=0.95, eps=1e-8),
            _gradients(rng, 3, 3, 2, 4),
        ),
    )


def _effective_lr_cases():
    """Single calls. eps matters where sqrt(s) is not far above it, and not at all where s is large."""
    rng = np.random.default_rng(909)
    return (
        _Case(
            "1-D arrays, s from 1e-12 to 1e8, eps = 1e-8",
            {"s": 10.0 ** np.linspace(-12, 8, 8) * rng.uniform(0.5, 1.0, 8), "lr": 0.01, "eps": 1e-8},
        ),
        _Case("Python floats, eps = 1e-3", {"s": 0.25, "lr": 0.1, "eps": 1e-3}),
        _Case("a Python integer s, eps = 1e-4", {"s": 9, "lr": 0.3, "eps": 1e-4}),
        _Case("2-D arrays, eps = 1e-4", {"s": rng.uniform(0.5, 2.0, (2, 3)), "lr": 0.5, "eps": 1e-4}),
        _Case(
            "2-D integer arrays, one entry is 0, eps = 1e-4",
            {"s": np.array([[0, 1, 4], [9, 25, 30]]), "lr": 0.1, "eps": 1e-4},
        ),
        _Case(
            "1-D arrays, s from 1e6 to 1e8, eps = 1e-10",
            {"s": 10.0 ** rng.uniform(6, 8, 4), "lr": 0.1, "eps": 1e-10},
        ),
    )


def _rmsprop_eps_inside_cases():
    """The adaptive cases, with another seed and betas. Eps inside the root differs from eps outside it by far
    more than the tolerance at gradients of 1e-6 to 1e-3 and where eps is 1e-3 or 1e-4; by far less at
    gradients of 1e2 to 1e4, where eps = 1e-8 cannot matter."""
    return _adaptive_cases(1010, betas=(0.9, 0.99, 0.9, 0.8, 0.95))


def _steps_to_tolerance_cases():
    """Single calls, one run each: its gaps at steps 0 to T, NaN from the step it diverged on."""
    rng = np.random.default_rng(1111)
    steps = np.arange(40)
    noisy = 0.125 * 2.0 ** (4 - 0.2 * steps + rng.normal(0, 0.6, steps.size))  # crosses tol = 0.125 often
    noisy[first_staying(noisy <= 0.125)] = 0.125  # the decisive step's gap is tol itself (step 25)
    nan = float("nan")
    return (
        _Case(
            "a list of 8 gaps that dips within tol and comes back out",
            {"gaps": [4.0, 1.5, 0.05, 0.3, 0.08, 0.02, 0.004, 0.001], "tol": 0.1},
        ),
        _Case("an array of 12 gaps that fall and stay", {"gaps": 2.0 * 0.5 ** np.arange(12), "tol": 0.01}),
        _Case(
            "an integer array, a gap equal to tol at the decisive step",
            {"gaps": np.array([9, 4, 1, 3, 1, 1, 0, 0]), "tol": 1},
        ),
        _Case(
            "an array of 15 gaps that never get within tol",
            {"gaps": 1.0 + 10 * 0.7 ** np.arange(15), "tol": 0.5},
        ),
        _Case(
            "a run within tol at steps 3 and 4 that diverges (NaN from step 7)",
            {"gaps": np.array([3.0, 0.9, 0.2, 0.05, 0.01, 2.0, 40.0, nan, nan, nan]), "tol": 0.1},
        ),
        _Case(  # NaN straight after gaps within tol: caught only by <= (not by nanmax or nan_to_num)
            "a list, within tol from step 3 until it turns NaN at step 5",
            {"gaps": [0.5, 0.05, 0.3, 0.02, 0.01, nan, nan, nan], "tol": 0.1},
        ),
        _Case(
            "a noisy run of 40 steps, its gap equal to tol at the decisive step",
            {"gaps": noisy, "tol": 0.125},
        ),
        _Case("a list of one gap", {"gaps": [0.02], "tol": 0.1}),
    )


def _layer_backward_cases():
    """Single calls: ``a`` a tanh output (n × fan_in), ``W`` (fan_in × fan_out), ``delta`` (n × fan_out) of
    the size (N4) gives it, about 1/n. The first layer is square, so that dW transposed and W not transposed
    have the right shapes and are named by their numbers; n never equals a fan, so that no other mix-up of
    axes fits by chance."""
    rng = np.random.default_rng(1313)

    def layer(n, fan_in, fan_out, *, sizes=None, W=None):
        """``a`` of sizes ``sizes`` (low, high) and either sign, or tanh of a standard normal."""
        if sizes is None:
            a = np.tanh(rng.normal(size=(n, fan_in)))
        else:
            a = _signed_uniform(rng, (n, fan_in), *sizes)
        return {
            "a": a,
            "W": rng.normal(0.0, 1 / np.sqrt(fan_in), (fan_in, fan_out)) if W is None else W,
            "delta": rng.normal(size=(n, fan_out)) / n,
        }

    # The output layer's delta of a real step, (N4): (softmax(z) - onehot(y)) / n, for 10 classes
    n, z = 12, rng.normal(size=(12, 10))
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    output = layer(n, 6, 10)
    output["delta"] = (softmax - np.eye(10)[rng.integers(0, 10, n)]) / n
    return (
        _Case("a square layer, fan_in = fan_out = 3, n = 5", layer(5, 3, 3)),
        _Case("fan_in = 4, fan_out = 2, n = 6", layer(6, 4, 2)),
        _Case("one image (n = 1), fan_in = 2, fan_out = 3", layer(1, 2, 3)),
        _Case(
            "integer weights W (whole numbers), fan_in = 3, fan_out = 5, n = 4",
            layer(4, 3, 5, W=rng.integers(-2, 3, (3, 5))),
        ),
        _Case(
            "saturated units (|a| from 0.9 to 0.999), fan_in = 5, fan_out = 3, n = 8",
            layer(8, 5, 3, sizes=(0.9, 0.999)),
        ),
        _Case("the output layer of 10 digits, delta = (softmax - onehot)/n, fan_in = 6, n = 12", output),
    )


def _cosine_schedule_cases():
    """Single calls. ``final`` 0 leaves the mistakes that concern it unseen, so most cases have another; the
    last case's multipliers fall to 2.5e-10, where ``1 + cos`` loses digits that ``sin**2`` keeps."""
    return (
        _Case("steps = 10, final = 0.1", {"steps": 10, "final": 0.1}),
        _Case("steps = 4, final = 0 (an integer)", {"steps": 4, "final": 0}),
        _Case("steps = 25, final = 0.05", {"steps": 25, "final": 0.05}),
        _Case("steps = 100, final = 0.0", {"steps": 100, "final": 0.0}),
        _Case("one step, final = 0.5", {"steps": 1, "final": 0.5}),
        _Case("steps = 6, final = 1 (an integer): no decay", {"steps": 6, "final": 1}),
        _Case("steps = 100000, final = 0.0", {"steps": 100_000, "final": 0.0}),
    )
