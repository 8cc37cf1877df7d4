"""mlp_digits: a multilayer perceptron on the bundled digits, checked against references written here.

The references: central differences of the loss, a plain forward pass written from the documented layout
(one point, ``scipy.special.log_softmax``), softmax regression (no hidden layer), argmax accuracies, the
mini-batch indices drawn again from the same generator state, and the initialisation schemes' formulas.
"""

import dataclasses
import math
import re
import traceback
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit, log_softmax, softmax
from threadpoolctl import threadpool_limits

import lessons_lib as ll
from lessons_lib import GradientDescent, Network, Problem, mlp_digits, run, softmax_regression
from lessons_lib.data import digits_data
from lessons_lib.races import steps_per_epoch

PHI = {"tanh": np.tanh, "sigmoid": expit, "relu": lambda z: np.where(z > 0, z, 0.0)}
HIDDEN = [(), (16,), (16, 8), (8, 8, 8, 8)]
LIB = str(Path(ll.__file__).parent)


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """One BLAS thread. These products are too small to gain from two, and on a busy 2-core machine
    OpenBLAS's waiting threads made the training test ten times slower (measured: 18 s against 1.4 s)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def reference_layers(x, hidden):
    """``(W, b)`` per layer from the documented layout: W (fan_in × fan_out, row-major), then b."""
    sizes = [64, *hidden, 10]
    layers, start = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        W = np.array([x[start + row * fan_out : start + (row + 1) * fan_out] for row in range(fan_in)])
        start += fan_in * fan_out
        layers.append((W, x[start : start + fan_out]))
        start += fan_out
    assert start == len(x)
    return layers


def reference(x, hidden, activation, X, y):
    """The pre-activations of the hidden layers, the logits and the mean cross-entropy of ONE point."""
    layers = reference_layers(x, hidden)
    a, pre = X, []
    for W, b in layers[:-1]:
        pre.append(a @ W + b)
        a = PHI[activation](pre[-1])
    logits = a @ layers[-1][0] + layers[-1][1]
    loss = -np.mean(log_softmax(logits, axis=1)[np.arange(len(y)), y])
    return pre, logits, loss


def random_point(net, seed):
    """x0 plus noise: biases away from 0, so that no relu unit sits exactly at its kink."""
    return net.x0 + 0.1 * np.random.default_rng(seed).standard_normal(net.dim)


# --------------------------------------------------------------------------------------------------------
# The data and the layout


def test_the_split_is_fixed_stratified_disjoint_and_a_quarter_of_each_digit():
    pixels, labels = digits_data()
    net = mlp_digits()
    train, test = net.info["train_index"], net.info["test_index"]
    assert (net.info["n_train"], net.info["n_test"]) == (len(train), len(test)) == (1346, 451)
    assert np.intersect1d(train, test).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(1797))
    for digit in range(10):
        in_test, total = np.sum(labels[test] == digit), np.sum(labels == digit)
        assert abs(in_test - total / 4) <= 0.5  # a quarter, rounded
    np.testing.assert_array_equal(net.info["X_train"], pixels[train] / 16)
    np.testing.assert_array_equal(net.info["X_test"], pixels[test] / 16)
    np.testing.assert_array_equal(net.info["y_train"], labels[train])
    np.testing.assert_array_equal(net.info["y_test"], labels[test])
    assert net.info["X"] is net.info["X_train"] and net.info["y"] is net.info["y_train"]
    assert steps_per_epoch(net) == 43  # ceil(1346 / 32): the races read the training split
    assert net.info["X_train"].min() == 0 and net.info["X_train"].max() == 1
    # drawn once with a generator of its own, and pinned: the lessons' numbers depend on it
    assert test[:8].tolist() == [6, 7, 9, 13, 15, 19, 28, 33] and test.sum() == 399870
    for other in (mlp_digits(seed=5), mlp_digits((), "relu", batch_size=7), mlp_digits((8, 8, 8), "sigmoid")):
        np.testing.assert_array_equal(other.info["test_index"], test)
        np.testing.assert_array_equal(other.info["X_train"], net.info["X_train"])


@pytest.mark.parametrize("hidden", [*HIDDEN, (32, 32), (5, 7, 3)], ids=str)
def test_layer_slices_cover_every_parameter_once_in_order_and_match_the_layer_shapes(hidden):
    net = mlp_digits(hidden)
    sizes = [64, *hidden, 10]
    shapes = list(zip(sizes[:-1], sizes[1:], strict=True))
    assert list(net.info["layer_shapes"]) == shapes and net.n_layers == len(shapes)
    assert net.dim == sum(fan_in * fan_out + fan_out for fan_in, fan_out in shapes)
    covered = np.concatenate([np.arange(net.dim)[part] for part in net.layer_slices])
    np.testing.assert_array_equal(covered, np.arange(net.dim))
    for part, (fan_in, fan_out) in zip(net.layer_slices, shapes, strict=True):
        assert part.stop - part.start == fan_in * fan_out + fan_out
    assert net.name == f"MLP {'-'.join(map(str, sizes))} tanh (digits)"
    assert isinstance(net, Problem) and isinstance(net, Network) and net.stochastic
    assert net.minimizer is None and net.f_min is None and net.mu is None and net.L is None
    assert net.bounds == tuple((-1.0, 1.0) for _ in range(net.dim))


def test_layer_norms_split_the_norm_of_any_vector_by_layer():
    net = mlp_digits((16, 8))
    V = np.random.default_rng(0).standard_normal((2, 3, net.dim))
    norms = net.layer_norms(V)
    assert norms.shape == (2, 3, 3)
    np.testing.assert_allclose(np.sum(norms**2, axis=-1), np.sum(V**2, axis=-1), rtol=1e-12)
    for k, part in enumerate(net.layer_slices):
        np.testing.assert_allclose(norms[..., k], np.linalg.norm(V[..., part], axis=-1), rtol=1e-14)
    one_hot = np.zeros(net.dim)
    one_hot[net.layer_slices[1].start] = 3.0  # the first weight of the second layer
    assert net.layer_norms(one_hot).tolist() == [0.0, 3.0, 0.0]


# --------------------------------------------------------------------------------------------------------
# Loss and gradients


@pytest.mark.parametrize("activation", PHI)
def test_loss_equals_a_plain_forward_pass_written_from_the_layout(activation):
    hidden = (16, 8)
    net = mlp_digits(hidden, activation, seed=4)
    X, y = net.info["X_train"], net.info["y_train"]
    for seed in range(2):
        x = random_point(net, seed)
        assert net.f(x) == pytest.approx(reference(x, hidden, activation, X, y)[2], rel=1e-12)
    # all weights zero: every class equally likely
    assert net.f(np.zeros(net.dim)) == pytest.approx(math.log(10), rel=1e-14)


@pytest.mark.parametrize("activation", PHI)
@pytest.mark.parametrize("hidden", HIDDEN, ids=str)
def test_gradient_matches_central_differences_in_every_layer(hidden, activation):
    net = mlp_digits(hidden, activation, seed=1)
    rng = np.random.default_rng(2)
    x = random_point(net, 3)
    g = net.grad(x)
    directions = []  # per layer: two random unit directions inside it, one of its coordinates, its last bias
    for part in net.layer_slices:
        for _ in range(2):
            u = np.zeros(net.dim)
            u[part] = rng.standard_normal(part.stop - part.start)
            directions.append(u / np.linalg.norm(u))
        for i in (rng.integers(part.start, part.stop), part.stop - 1):
            directions.append(np.eye(1, net.dim, i)[0])
    U, h = np.array(directions), 1e-5
    if activation == "relu":  # no unit crosses its kink between x - hu and x + hu: the difference is exact
        X, y = net.info["X_train"], net.info["y_train"]
        signs = [z > 0 for z in reference(x, hidden, activation, X, y)[0]]
        for point in np.concatenate([x + h * U, x - h * U]):
            for before, z in zip(signs, reference(point, hidden, activation, X, y)[0], strict=True):
                assert np.array_equal(before, z > 0)
    numeric = (net.f(x + h * U) - net.f(x - h * U)) / (2 * h)
    scale = np.array([np.linalg.norm(g[part]) for part in net.layer_slices for _ in range(4)])
    assert np.all(scale > 0)
    np.testing.assert_array_less(np.abs(numeric - U @ g), 1e-6 * scale + 1e-10)


def test_a_batch_of_points_gives_what_each_point_gives():
    net = mlp_digits((16, 8), "relu")
    X = np.stack([random_point(net, s) for s in range(6)]).reshape(2, 3, net.dim)
    functions = {
        "f": net.f,
        "grad": net.grad,
        "accuracy": net.accuracy,
        "layer_norms": net.layer_norms,
        "train_accuracy": net.info["train_accuracy"],
        "test_loss": net.info["test_loss"],
    }
    for name, function in functions.items():
        batched = function(X)
        rows = np.array([[function(x) for x in row] for row in X])
        assert batched.shape == rows.shape == (2, 3, *np.shape(function(X[0, 0]))), name
        np.testing.assert_allclose(batched, rows, rtol=1e-11, atol=1e-15, err_msg=name)
    assert net.grad(X[0, 0]).shape == (net.dim,) and np.shape(net.f(X[0, 0])) == ()


def test_sample_grad_is_the_gradient_on_the_images_drawn_from_the_generator():
    hidden, activation, batch_size = (4,), "sigmoid", 5
    net = mlp_digits(hidden, activation, batch_size=batch_size)
    X = np.stack([random_point(net, s) for s in range(3)])
    got = net.sample_grad(X, np.random.default_rng(7))
    assert got.shape == X.shape
    drawn = np.random.default_rng(7).integers(0, net.info["n_train"], size=(3, batch_size))
    images, labels = net.info["X_train"], net.info["y_train"]
    h, eye = 1e-6, np.eye(net.dim)
    for x, rows, g in zip(X, drawn, got, strict=True):

        def loss(p, rows=rows):
            return reference(p, hidden, activation, images[rows], labels[rows])[2]

        numeric = [(loss(x + h * e) - loss(x - h * e)) / (2 * h) for e in eye]
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)
    # one point: the same draw as a batch of one; the same generator state, the same mini-batch
    one = net.sample_grad(X[0], np.random.default_rng(7))
    np.testing.assert_allclose(one, got[0], rtol=1e-12, atol=1e-15)
    assert not np.allclose(one, net.sample_grad(X[0], np.random.default_rng(8)))
    assert net.sample_grad(X.reshape(3, 1, -1), np.random.default_rng(0)).shape == (3, 1, net.dim)


def test_mini_batch_gradients_average_to_the_full_gradient():
    net = mlp_digits((8,), "tanh", batch_size=32)
    x = random_point(net, 0)
    draws = net.sample_grad(np.broadcast_to(x, (1000, net.dim)), np.random.default_rng(0))
    full = net.grad(x)
    spread = np.linalg.norm(draws - full, axis=-1).mean()  # a single mini-batch is far off
    assert np.linalg.norm(draws.mean(axis=0) - full) < 4 * spread / np.sqrt(1000)
    assert spread > 0.1 * np.linalg.norm(full)


def test_without_hidden_layers_it_is_softmax_regression_on_the_training_split():
    # softmax_regression's weight of feature j and class c is at j * 10 + c, its constant feature last: the
    # network's W (64 × 10, row-major) followed by b (10) is the same layout.
    net, linear = mlp_digits((), "tanh"), softmax_regression(l2=0.0)
    w = 0.3 * np.random.default_rng(0).standard_normal(650)
    W, b = w[:640].reshape(64, 10), w[640:]
    w_linear = np.vstack([W, b]).ravel()
    train, test = net.info["train_index"], net.info["test_index"]
    features, labels = linear.info["X"], linear.info["y"]
    np.testing.assert_array_equal(features[train, :64], net.info["X_train"])
    # softmax_regression averages over all 1797 images: the training split's share plus the test split's
    z = features[test] @ w_linear.reshape(65, 10)
    test_loss = -np.mean(log_softmax(z, axis=1)[np.arange(len(test)), labels[test]])
    test_grad = features[test].T @ (softmax(z, axis=1) - np.eye(10)[labels[test]]) / len(test)
    n = len(labels)
    assert n * linear.f(w_linear) == pytest.approx(len(train) * net.f(w) + len(test) * test_loss, rel=1e-12)
    np.testing.assert_allclose(
        n * linear.grad(w_linear),
        len(train) * net.grad(w) + len(test) * test_grad.ravel(),
        rtol=1e-10,
        atol=1e-12,
    )
    assert net.info["test_loss"](w) == pytest.approx(test_loss, rel=1e-12)


# --------------------------------------------------------------------------------------------------------
# Initialisation, accuracy, training


@pytest.mark.parametrize(
    ("activation", "scheme"), [("tanh", "Glorot"), ("sigmoid", "Glorot"), ("relu", "He")]
)
def test_initial_weights_have_the_schemes_spread_and_the_biases_are_zero(activation, scheme):
    net = mlp_digits((256, 128), activation, seed=3)
    assert net.info["init"] == f"{scheme} normal"
    for (fan_in, fan_out), part in zip(net.info["layer_shapes"], net.layer_slices, strict=True):
        W, b = net.x0[part][: fan_in * fan_out], net.x0[part][fan_in * fan_out :]
        std = math.sqrt(2 / (fan_in + fan_out)) if scheme == "Glorot" else math.sqrt(2 / fan_in)
        assert W.std() == pytest.approx(std, rel=0.03 if W.size > 10_000 else 0.1)
        assert abs(W.mean()) < 4 * std / math.sqrt(W.size)
        assert np.all(b == 0)
    wider = mlp_digits((256, 128), activation, seed=3, init_gain=2.5)
    np.testing.assert_allclose(wider.x0, 2.5 * net.x0, rtol=1e-15)
    np.testing.assert_array_equal(mlp_digits((256, 128), activation, seed=3).x0, net.x0)
    assert not np.array_equal(mlp_digits((256, 128), activation, seed=4).x0, net.x0)


def test_accuracy_is_the_share_of_test_images_whose_largest_logit_is_their_label():
    hidden, activation = (16,), "relu"
    net = mlp_digits(hidden, activation)
    x = random_point(net, 0)
    for split, function in (("test", net.accuracy), ("train", net.info["train_accuracy"])):
        images, labels = net.info[f"X_{split}"], net.info[f"y_{split}"]
        logits = reference(x, hidden, activation, images, labels)[1]
        assert function(x) == np.mean(np.argmax(logits, axis=1) == labels)
    assert net.accuracy(np.zeros(net.dim)) == np.mean(net.info["y_test"] == 0)  # all ties: class 0
    batch = net.accuracy(np.stack([random_point(net, s) for s in range(5)]))
    assert batch.shape == (5,) and np.all((batch >= 0) & (batch <= 1))
    np.testing.assert_allclose(batch * 451, np.round(batch * 451), atol=1e-9)  # whole images


def test_full_batch_gradient_descent_learns_the_digits():
    # Measured: 300 steps of lr 0.5 from x0 (seeds 0-2) reach a loss of 0.036-0.040 and a test accuracy of
    # 0.973-0.978.
    net = mlp_digits((32, 32), "tanh", seed=0)
    full_batch = dataclasses.replace(net, sample_grad=None)
    assert isinstance(full_batch, Network) and not full_batch.stochastic
    t = run(GradientDescent(lr=0.5), full_batch, 300)
    assert not t.diverged and t.losses[0] > 2.0
    assert t.losses[-1] < 0.08
    assert net.accuracy(t.final) > 0.95 and net.info["train_accuracy"](t.final) > 0.98
    assert net.accuracy(net.x0) < 0.3


def test_large_initial_weights_give_a_huge_loss_but_no_nan_and_no_warning():
    net = mlp_digits((32,) * 6, "relu", init_gain=3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (net.x0, 10 * net.x0):
            loss, g = net.f(x), net.grad(x)
            s = net.sample_grad(x, np.random.default_rng(0))
            assert np.isfinite(loss) and np.all(np.isfinite(g)) and np.all(np.isfinite(s))
            assert np.isfinite(net.accuracy(x))
        assert net.f(net.x0) > 100
        for activation in ("tanh", "sigmoid"):
            saturated = mlp_digits((32,) * 6, activation, init_gain=3.0)
            assert np.all(np.isfinite(saturated.grad(100 * saturated.x0)))


def test_sigmoid_gradients_shrink_towards_the_input_and_a_small_gain_shrinks_every_layer():
    deep = (32,) * 6
    sigmoid = mlp_digits(deep, "sigmoid")
    norms = sigmoid.layer_norms(sigmoid.grad(sigmoid.x0))
    assert np.all(np.diff(norms) > 0) and norms[-1] > 100 * norms[0]
    tanh, small = mlp_digits(deep, "tanh"), mlp_digits(deep, "tanh", init_gain=0.5)
    assert np.all(small.layer_norms(small.grad(small.x0)) < 0.1 * tanh.layer_norms(tanh.grad(tanh.x0)))


# --------------------------------------------------------------------------------------------------------
# Bad inputs: (id, call, expected message as a regular expression)

NET = mlp_digits((8,), "tanh")  # d = 610
WRONG_D = r"must have 610 coordinates on its last axis for MLP 64-8-10 tanh \(digits\), got shape"

BAD = [
    (
        "hidden an int",
        lambda: mlp_digits(32),
        r"mlp_digits: hidden must be a sequence of layer widths such as \(32, 32\), got the number 32\. "
        r"For one hidden layer of 32 units write hidden=\(32,\)",
    ),
    (
        "hidden a str",
        lambda: mlp_digits("32"),
        r"mlp_digits: hidden must be a sequence .* got '32' of type str",
    ),
    ("hidden None", lambda: mlp_digits(None), r"mlp_digits: hidden must be a sequence .* got None"),
    ("hidden a bool", lambda: mlp_digits(True), r"mlp_digits: hidden must be a sequence .* got True of type"),
    (
        "hidden width 0",
        lambda: mlp_digits((32, 0)),
        r"mlp_digits: hidden\[1\] must be a whole number >= 1, got 0\. It is the number of units",
    ),
    (
        "hidden width float",
        lambda: mlp_digits([16.5]),
        r"mlp_digits: hidden\[0\] must be a whole number >= 1",
    ),
    (
        "hidden width -3",
        lambda: mlp_digits((-3,)),
        r"mlp_digits: hidden\[0\] must be a whole number >= 1, got -3",
    ),
    (
        "hidden too wide",
        lambda: mlp_digits((10**9,)),
        r"mlp_digits: hidden = \(1000000000,\) must fit in 4 GiB of memory",
    ),
    (
        "activation unknown",
        lambda: mlp_digits(activation="softplus"),
        r"mlp_digits: activation must be one of 'tanh', 'sigmoid', 'relu', got 'softplus'",
    ),
    ("activation capital", lambda: mlp_digits(activation="ReLU"), r"activation must be one of .* got 'ReLU'"),
    ("activation None", lambda: mlp_digits(activation=None), r"activation must be one of .* got None"),
    (
        "batch_size 0",
        lambda: mlp_digits(batch_size=0),
        r"mlp_digits: batch_size must be a whole number >= 1, got 0",
    ),
    (
        "batch_size float",
        lambda: mlp_digits(batch_size=32.0),
        r"mlp_digits: batch_size must be a whole number >= 1, got 32\.0",
    ),
    ("seed None", lambda: mlp_digits(seed=None), r"mlp_digits: seed must be a whole number >= 0, got None"),
    ("seed float", lambda: mlp_digits(seed=1.5), r"mlp_digits: seed must be a whole number >= 0, got 1\.5"),
    ("seed -1", lambda: mlp_digits(seed=-1), r"mlp_digits: seed must be a whole number >= 0, got -1"),
    (
        "init_gain 0",
        lambda: mlp_digits(init_gain=0),
        r"mlp_digits: init_gain must be finite and > 0, got 0\.0",
    ),
    (
        "init_gain -1",
        lambda: mlp_digits(init_gain=-1.0),
        r"mlp_digits: init_gain must be finite and > 0, got -1",
    ),
    ("init_gain inf", lambda: mlp_digits(init_gain=math.inf), r"init_gain must be finite and > 0, got inf"),
    (
        "init_gain nan",
        lambda: mlp_digits(init_gain=math.nan),
        r"mlp_digits: init_gain must be a number, got nan",
    ),
    (
        "init_gain str",
        lambda: mlp_digits(init_gain="1"),
        r"mlp_digits: init_gain must be a real number, got '1'",
    ),
    ("f wrong d", lambda: NET.f(np.zeros(650)), r"Network\.f: x " + WRONG_D + r" \(650,\)"),
    ("grad wrong d", lambda: NET.grad(np.zeros((3, 609))), r"Network\.grad: x " + WRONG_D + r" \(3, 609\)"),
    ("f scalar", lambda: NET.f(1.0), r"Network\.f: x " + WRONG_D + r" \(\)"),
    (
        "accuracy wrong d",
        lambda: NET.accuracy(np.zeros(611)),
        r"Network\.accuracy: x " + WRONG_D + r" \(611,\)",
    ),
    (
        "layer_norms wrong d",
        lambda: NET.layer_norms(np.ones(3)),
        r"Network\.layer_norms: v " + WRONG_D + r" \(3,\)",
    ),
    (
        "sample_grad wrong d",
        lambda: NET.sample_grad(np.zeros(10), np.random.default_rng(0)),
        r"Network\.sample_grad: x " + WRONG_D + r" \(10,\)",
    ),
    (
        "sample_grad seed for rng",
        lambda: NET.sample_grad(NET.x0, 0),
        r"Network\.sample_grad: rng must be a numpy\.random\.Generator, got int",
    ),
    (
        "test_loss wrong d",
        lambda: NET.info["test_loss"](np.zeros(2)),
        r"Network\.test_loss: x " + WRONG_D + r" \(2,\)",
    ),
    ("f complex", lambda: NET.f(NET.x0 + 0j), r"Network\.f: x must be an array of real numbers, got complex"),
    (
        "layer_slices with a gap",
        lambda: dataclasses.replace(NET, layer_slices=(slice(0, 520), slice(521, 610))),
        r"Network 'MLP 64-8-10 tanh \(digits\)': layer_slices must be one slice per layer that together "
        r"cover range\(610\) once, in order",
    ),
    (
        "layer_slices overlapping",
        lambda: dataclasses.replace(NET, layer_slices=(slice(0, 610), slice(600, 610))),
        r"layer_slices must be one slice per layer that together cover range\(610\) once",
    ),
    (
        "layer_slices as pairs",
        lambda: dataclasses.replace(NET, layer_slices=((0, 520), (520, 610))),
        r"layer_slices must be one slice per layer .* got \(\(0, 520\), \(520, 610\)\)",
    ),
    (
        "accuracy not a function",
        lambda: dataclasses.replace(NET, accuracy=0.9),
        r"Network 'MLP 64-8-10 tanh \(digits\)': accuracy must be a function of x, got 0\.9",
    ),
]


@pytest.mark.parametrize(("call", "expected"), [row[1:] for row in BAD], ids=[row[0] for row in BAD])
def test_bad_input_gets_a_clear_shallow_error(call, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises((ValueError, TypeError)) as info:
            call()
    message = str(info.value)
    assert re.search(expected, message), f"{expected!r} not in {message!r}"
    assert message.rstrip().endswith(".")
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[-1].filename.startswith(LIB), frames[-1]


def test_a_one_layer_width_can_be_a_list_a_range_or_numpy_integers():
    expected = mlp_digits((8, 4)).x0
    for hidden in ([8, 4], range(8, 3, -4), np.array([8, 4]), (np.int64(8), np.int32(4))):
        net = mlp_digits(hidden)
        assert net.info["hidden"] == (8, 4) and type(net.info["hidden"][0]) is int
        np.testing.assert_array_equal(net.x0, expected)
    assert "stochastic" in repr(NET) and "610" in repr(NET)


@pytest.mark.parametrize("activation", sorted(PHI))
def test_layer_backward_is_the_gradient_of_one_layer(activation):
    """(N5)-(N6) for one layer, against central differences of ``L = sum(delta * (phi(z) @ W + b))``, the
    loss as the layer above sees it to first order: dW and db are its gradients in W and b, delta_below its
    gradient in the pre-activation z below (so phi' is written with a = phi(z))."""
    rng = np.random.default_rng(7)
    z, W, b, delta = (
        rng.normal(size=(5, 4)),
        rng.normal(size=(4, 3)),
        rng.normal(size=3),
        rng.normal(size=(5, 3)),
    )
    z[np.abs(z) < 0.1] = 0.5  # relu's kink is not within a step of any z

    def loss(z, W, b):
        return np.sum(delta * (PHI[activation](z) @ W + b))

    def central(f, x, h=1e-6):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            step = np.zeros_like(x)
            step[i] = h
            grad[i] = (f(x + step) - f(x - step)) / (2 * h)
        return grad

    dW, db, delta_below = ll.data.layer_backward(PHI[activation](z), W, delta, activation)
    np.testing.assert_allclose(dW, central(lambda W_: loss(z, W_, b), W), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(db, central(lambda b_: loss(z, W, b_), b), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(delta_below, central(lambda z_: loss(z_, W, b), z), rtol=1e-6, atol=1e-8)


def test_layer_backward_of_the_first_layer_has_no_delta_below_and_an_unknown_activation_is_refused():
    a, W, delta = np.ones((2, 3)), np.ones((3, 4)), np.ones((2, 4))
    dW, db, delta_below = ll.data.layer_backward(a, W, delta, None)
    assert delta_below is None and dW.shape == (3, 4) and db.tolist() == [2.0] * 4
    with pytest.raises(
        ValueError, match=r"layer_backward: activation must be one of 'tanh', 'sigmoid', 'relu'"
    ):
        ll.data.layer_backward(a, W, delta, "softplus")
