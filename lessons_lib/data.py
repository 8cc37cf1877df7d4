"""The data the course learns from, all bundled with its packages (nothing is downloaded).

* :func:`breast_cancer_data` and :func:`digits_data` read scikit-learn's bundled tables;
  :func:`logistic_regression` and :func:`softmax_regression` make them problems of the course (losses,
  exact and mini-batch gradients), and :func:`by_feature` reads a linear classifier's parameters per input
  feature;
* :func:`mlp_digits` is a multilayer perceptron on the digits (a :class:`Network`: a problem whose flat
  parameters are its layers' weights, with a fixed train/test split and the test accuracy), and
  :func:`layer_backward` is one layer of its backward pass;
* :func:`stock_prices` is matplotlib's sample series of daily stock prices (lesson 01).
"""

from __future__ import annotations

import functools
import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validate import (
    check_bool,
    check_count,
    check_memory,
    check_nonnegative,
    check_positive,
)
from .problems import Problem, curvatures

__all__ = [
    "Network",
    "breast_cancer_data",
    "by_feature",
    "digits_data",
    "layer_backward",
    "logistic_regression",
    "mlp_digits",
    "softmax_regression",
    "stock_prices",
]


# ----------------------------------------------------------------------------------------------------
# Stock prices


def stock_prices(field: str = "close"):
    """Daily prices of one stock (Google), 2004-08-19 to 2008-10-14: 1047 trading days, from matplotlib.

    The data is matplotlib's bundled sample file ``goog.npz`` (``matplotlib.cbook.get_sample_data``), so it
    works offline. Its ``price_data`` is a record array with the fields ``date``, ``open``, ``high``,
    ``low``, ``close``, ``volume`` and ``adj_close``.

    Parameters
    ----------
    field : str
        Which column to return as the values (default the closing price, in US dollars).

    Returns
    -------
    dates : numpy.ndarray of datetime64[D], shape (1047,)
    values : numpy.ndarray of float, shape (1047,)

    Examples
    --------
    >>> dates, close = stock_prices()
    >>> len(close), str(dates[0]), str(dates[-1]), float(close[0])
    (1047, '2004-08-19', '2008-10-14', 100.34)
    """
    from matplotlib.cbook import get_sample_data

    # The path, then NumPy: matplotlib < 3.8 returns an open file for asfileobj=True, later an NpzFile.
    with np.load(get_sample_data("goog.npz", asfileobj=False)) as data:
        table = data["price_data"]
    fields = [name for name in table.dtype.names if name != "date"]
    if field not in fields:
        raise ValueError(f"stock_prices: field must be one of {fields}, got {field!r}.")
    return table["date"].astype("datetime64[D]"), table[field].astype(float)


# ----------------------------------------------------------------------------------------------------
# Parameters of a linear classifier, per input feature


def by_feature(values, n_classes: int, reduce=np.mean) -> np.ndarray:
    """One number per input feature from a linear classifier's flat parameters: ``reduce`` over the classes.

    The parameter of feature ``j`` and class ``c`` sits at index ``j * n_classes + c`` (the softmax model's
    layout), so ``values`` of shape ``(..., n_features * n_classes)`` becomes ``(..., n_features)``.

    Examples
    --------
    >>> by_feature(np.arange(6.0), n_classes=3).tolist()  # features 0 and 1, three classes each
    [1.0, 4.0]
    >>> by_feature(np.arange(6.0), n_classes=2, reduce=np.max).tolist()
    [1.0, 3.0, 5.0]
    """
    values = np.asarray(values, dtype=float)
    if values.shape[-1] % n_classes:
        raise ValueError(
            f"by_feature: the last axis ({values.shape[-1]}) is not a whole number of groups of "
            f"n_classes = {n_classes}."
        )
    return reduce(values.reshape(*values.shape[:-1], -1, n_classes), axis=-1)


# ----------------------------------------------------------------------------------------------------
# The bundled data sets as problems


def _bundled_table(filename: str, skiprows: int, loader: str) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of a data set bundled with scikit-learn: its CSV file, last column the label.

    The file is read straight from scikit-learn's package folder, which saves the second that importing
    scikit-learn takes; if it is not where it used to be, ``sklearn.datasets.<loader>()`` is used instead.
    Nothing is downloaded either way.
    """
    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.submodule_search_locations[0], "datasets", "data", filename) if spec else None
    if path is not None and path.is_file():
        table = np.loadtxt(path, delimiter=",", skiprows=skiprows)
        return table[:, :-1], table[:, -1]
    import sklearn.datasets

    data = getattr(sklearn.datasets, loader)()
    return data.data.astype(float), data.target.astype(float)


def breast_cancer_data() -> tuple[np.ndarray, np.ndarray]:
    """The breast-cancer features (569, 30) and labels (569,), as bundled with scikit-learn."""
    return _bundled_table("breast_cancer.csv", skiprows=1, loader="load_breast_cancer")


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + exp(-z)), without overflow


def logistic_regression(standardize: bool = True, l2: float = 1e-3, batch_size: int = 32) -> Problem:
    """Logistic regression on scikit-learn's bundled breast-cancer data (569 tumours, 30 features).

    ``f(w) = mean(log(1 + exp(z)) - y z) + l2/2 |w|**2`` with ``z = X w``; ``X`` carries a column of ones
    for the intercept (the last weight), so ``d = 31``. With ``standardize=False`` the raw features span five
    orders of magnitude and the problem is badly conditioned; standardising each feature fixes most of that.
    ``sample_grad`` draws a mini-batch of ``batch_size`` rows (with replacement) per step and per point.

    The minimiser is computed once with Newton's method; ``mu`` and ``L`` are the Hessian's extreme
    eigenvalues there.
    """
    standardize = check_bool("logistic_regression", "standardize", standardize)
    l2 = check_nonnegative("logistic_regression", "l2", l2, "It is the weight of an L2 penalty.")
    batch_size = check_count("logistic_regression", "batch_size", batch_size, 1)
    features, y = breast_cancer_data()
    if standardize:
        features = (features - features.mean(axis=0)) / features.std(axis=0)
    X = np.hstack([features, np.ones((len(features), 1))])
    n, d = X.shape
    X.setflags(write=False)

    def f(w):
        z = w @ X.T
        return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1) + 0.5 * l2 * np.sum(w**2, axis=-1)

    def grad(w):
        return (_sigmoid(w @ X.T) - y) @ X / n + l2 * w

    def hessian(w):
        p = _sigmoid(X @ w)
        return (X.T * (p * (1 - p))) @ X / n + l2 * np.eye(d)

    def sample_grad(w, rng):
        w = np.asarray(w, dtype=float)
        idx = rng.integers(0, n, size=w.shape[:-1] + (batch_size,))
        Xb, yb = X[idx], y[idx]  # (..., B, d), (..., B)
        r = _sigmoid(np.einsum("...bd,...d->...b", Xb, w)) - yb
        return np.einsum("...b,...bd->...d", r, Xb) / batch_size + l2 * w

    w = np.zeros(d)
    for _ in range(100):  # Newton's method with backtracking; converges in a few dozen steps
        direction = np.linalg.solve(hessian(w), grad(w))
        t, f_w = 1.0, f(w)
        while f(w - t * direction) > f_w and t > 1e-10:
            t /= 2
        w = w - t * direction
        if np.linalg.norm(grad(w)) < 1e-12:
            break
    mu, L = curvatures(hessian, w)
    gram = np.linalg.eigvalsh(X.T @ X / n)
    kind = "standardised" if standardize else "raw"
    return Problem(
        name=f"logistic regression ({kind} features)",
        f=f,
        grad=grad,
        x0=np.zeros(d),
        bounds=tuple((min(float(v) - 1.0, -1.0), max(float(v) + 1.0, 1.0)) for v in w),  # holds start 0
        minimizer=w,
        f_min=float(f(w)),
        mu=mu,
        L=L,
        hessian=hessian,
        sample_grad=sample_grad,
        description=f"Breast-cancer logistic regression, {kind} features, mini-batches of {batch_size}.",
        info={
            "X": X,
            "y": y,
            "batch_size": batch_size,
            "l2": l2,
            "feature_condition_number": gram[-1] / gram[0],
        },
    )


def digits_data() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 handwritten digits (8×8 pixels, values 0–16) and labels 0–9 bundled with scikit-learn."""
    pixels, labels = _bundled_table("digits.csv.gz", skiprows=0, loader="load_digits")
    return pixels, labels.astype(int)


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_regression(l2: float = 1e-4, batch_size: int = 32) -> Problem:
    """Multinomial logistic regression on scikit-learn's bundled handwritten digits: sparse features.

    Each image's 64 pixels, scaled to [0, 1], plus a constant 1 are its 65 features; the model has one weight
    per feature and class, flattened to ``d = 650`` (index ``feature * 10 + class``). The loss is the mean
    cross-entropy plus ``l2/2 |w|**2``. Many border pixels are almost never inked, so their features are
    rarely non-zero: ``info["pixel_activity"]`` is the fraction of images in which each pixel is.
    ``sample_grad``
    draws a mini-batch of ``batch_size`` images (with replacement) per step and per point;
    ``info["accuracy"](w)`` is the fraction of images classified right.

    The minimum is not computed (``f_min`` and ``minimizer`` are None); ``L`` bounds the curvature from above
    (``λmax(XᵀX)/(2n) + l2``) and ``mu = l2`` from below.
    """
    l2 = check_nonnegative("softmax_regression", "l2", l2, "It is the weight of an L2 penalty.")
    batch_size = check_count("softmax_regression", "batch_size", batch_size, 1)
    pixels, labels = digits_data()
    X = np.hstack([pixels / 16.0, np.ones((len(pixels), 1))])
    n, features, classes = len(X), X.shape[1], 10
    Y = np.eye(classes)[labels]
    X.setflags(write=False)

    def weights(w):
        return np.asarray(w, dtype=float).reshape(np.shape(w)[:-1] + (features, classes))

    rows = np.arange(n)

    def f(w):
        z = X @ weights(w)  # (..., n, classes)
        zmax = z.max(axis=-1)
        log_norm = zmax + np.log(np.exp(z - zmax[..., None]).sum(axis=-1))
        cross_entropy = np.mean(log_norm - z[..., rows, labels], axis=-1)
        return cross_entropy + 0.5 * l2 * np.sum(np.square(w), axis=-1)

    def grad(w):
        W = weights(w)
        residual = _softmax(X @ W) - Y  # (..., n, classes)
        g = X.T @ residual / n + l2 * W  # (features, n) @ (..., n, classes)
        return g.reshape(np.shape(w))

    def sample_grad(w, rng):
        W = weights(w)
        idx = rng.integers(0, n, size=W.shape[:-2] + (batch_size,))
        Xb, Yb = X[idx], Y[idx]  # (..., B, features), (..., B, classes)
        residual = _softmax(Xb @ W) - Yb  # (..., B, classes)
        g = (
            np.swapaxes(Xb, -1, -2) @ residual / batch_size + l2 * W
        )  # batched matmul: ~20x faster than einsum
        return g.reshape(np.shape(w))

    def accuracy(w):
        return np.mean(np.argmax(X @ weights(w), axis=-1) == labels, axis=-1)

    d = features * classes
    L = float(np.linalg.eigvalsh(X.T @ X / n)[-1] / 2 + l2)
    return Problem(
        name="softmax regression (digits)",
        f=f,
        grad=grad,
        x0=np.zeros(d),
        bounds=tuple((-1.0, 1.0) for _ in range(d)),
        mu=l2,
        L=L,
        sample_grad=sample_grad,
        description=f"Digits: 10 classes, 650 weights, batches of {batch_size}; many pixels rarely inked.",
        info={
            "X": X,
            "y": labels,
            "pixel_activity": np.mean(pixels > 0, axis=0),
            "accuracy": accuracy,
            "batch_size": batch_size,
            "l2": l2,
            "shape": (features, classes),
        },
    )


# ----------------------------------------------------------------------------------------------------
# A multilayer perceptron on the digits

#: Seeds the digits' train/test split. It is fixed, so that every network (any seed, any architecture)
#: trains on the same images and is tested on the same others.
_SPLIT_SEED = 20240611
_CLASSES = 10


@functools.lru_cache(maxsize=1)
def _digits_split() -> tuple[np.ndarray, ...]:
    """The digits' fixed stratified split, read once: ``X_train, y_train, X_test, y_test, train, test``.

    A quarter of the images of each class (rounded to the nearest whole number: 451 in all) is drawn for the
    test split with a generator of its own; the rest (1346) is the training split. Features are the pixels
    divided by 16 (in [0, 1]), as in :func:`softmax_regression`. The arrays are read-only (they are shared).
    """
    pixels, labels = digits_data()
    rng = np.random.default_rng(_SPLIT_SEED)
    test = []
    for c in range(_CLASSES):
        members = np.flatnonzero(labels == c)
        test.append(rng.choice(members, size=(len(members) + 2) // 4, replace=False))
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(len(labels)), test)
    features = pixels / 16.0
    arrays = (features[train], labels[train], features[test], labels[test], train, test)
    for array in arrays:
        array.setflags(write=False)
    return arrays


def _relu(z):
    return np.maximum(z, 0.0)


def _tanh_in_place(z):
    """``tanh(z) = 1 - 2 / (exp(2z) + 1)``, written over ``z`` (a fresh pre-activation).

    About twice as fast as ``np.tanh``, whose float64 loop NumPy does not vectorise on most CPUs, and within
    2e-16 of it. For ``z > 354`` ``exp`` gives inf and the result 1, as it should.
    """
    with np.errstate(over="ignore"):
        np.multiply(z, 2.0, out=z)
        np.exp(z, out=z)
    z += 1.0
    np.divide(-2.0, z, out=z)
    z += 1.0
    return z


def _sigmoid_in_place(z):
    """``1 / (1 + exp(-z))`` written over ``z``; ``exp`` gives inf for ``z < -709`` and the result 0."""
    with np.errstate(over="ignore"):
        np.negative(z, out=z)
        np.exp(z, out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


# name: (phi, its derivative written with the activation a = phi(z), the initialisation scheme); phi may
# overwrite its argument, always a fresh pre-activation
_ACTIVATIONS = {
    "tanh": (_tanh_in_place, lambda a: 1.0 - a * a, "Glorot"),  # tanh' = 1 - tanh²
    "sigmoid": (_sigmoid_in_place, lambda a: a * (1.0 - a), "Glorot"),  # sigmoid' = sigmoid (1 - sigmoid)
    "relu": (_relu, lambda a: a > 0, "He"),  # relu' = 1 where z > 0, else 0
}


def _layers(x: np.ndarray, shapes) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``(W, b)`` of every layer, views into the flat parameters ``x`` of shape ``(..., d)``.

    Layer by layer, the weights ``W`` (fan_in × fan_out, row-major), then the bias ``b`` (fan_out).
    """
    lead, start, layers = x.shape[:-1], 0, []
    for fan_in, fan_out in shapes:
        W = x[..., start : start + fan_in * fan_out].reshape(*lead, fan_in, fan_out)
        start += fan_in * fan_out
        layers.append((W, x[..., start : start + fan_out]))
        start += fan_out
    return layers


def _times(a: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``a @ W`` for every point; when all the points share one ``a`` (the images, 2-D) and ``W`` is a stack
    of weights (..., fan_in, fan_out), as one matrix product of ``a`` with all of them side by side (one
    large BLAS call, several times faster than a small one per point)."""
    if a.ndim == 2 and W.ndim > 2:
        return np.moveaxis(np.tensordot(a, W, axes=([1], [-2])), 0, -2)
    return a @ W


def _forward(layers, X: np.ndarray, phi) -> tuple[list[np.ndarray], np.ndarray]:
    """The forward pass (N1)-(N2): the input of every layer ``[a_0 = X, a_1, ..., a_{L-1}]``, and the logits.

    Shapes: ``X`` is (n, 64) or (..., n, 64); every ``a_l`` is (..., n, width of layer l); the logits
    ``z`` are (..., n, 10). ``@`` on stacked arrays multiplies each point's matrices at once.
    """
    activations = [X]
    for W, b in layers[:-1]:
        activations.append(phi(_times(activations[-1], W) + b[..., None, :]))  # (N1)
    W, b = layers[-1]
    return activations, activations[-1] @ W + b[..., None, :]  # (N2)


def _cross_entropy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(N3) the mean over images of ``log sum_k exp(z_k) - z_y``, log-sum-exp taken after subtracting the
    largest logit (so ``exp`` never overflows). ``z``: (..., n, 10), ``y``: (n,) labels; returns (...)."""
    shifted = z - z.max(axis=-1, keepdims=True)  # <= 0
    log_norm = np.log(np.exp(shifted).sum(axis=-1))  # the sum is >= 1 (the largest term is exp(0))
    return np.mean(log_norm - shifted[..., np.arange(len(y)), y], axis=-1)


def _activation(owner: str, activation) -> tuple:
    """``(phi, phi', init scheme)`` of the activation named ``activation``, or a clear error."""
    if not isinstance(activation, str) or activation not in _ACTIVATIONS:
        raise ValueError(
            f"{owner}: activation must be one of {', '.join(map(repr, _ACTIVATIONS))}, got {activation!r}. "
            "It is the function φ applied after every hidden layer."
        )
    return _ACTIVATIONS[activation]


def layer_backward(a, W, delta, activation):
    """One layer of the backward pass: ``(dW, db, delta_below)``, (N5)-(N6) of :func:`mlp_digits`.

    ``a`` (..., n, fan_in) is the layer's input, ``W`` (..., fan_in, fan_out) its weights, ``delta``
    (..., n, fan_out) the gradient of the loss with respect to its pre-activation, the ``/ n`` of (N4)
    already in it. ``dW = aᵀ δ`` and ``db = Σ_i δ_i`` (N5); ``delta_below = (δ Wᵀ) ⊙ φ'`` (N6), where
    ``activation`` names ``φ`` of the layer below ("tanh", "sigmoid" or "relu") and ``φ'`` is written with
    ``a = φ(z)``: ``1 - a**2``, ``a * (1 - a)``, ``a > 0``. ``activation=None``: ``a`` is the images, no
    layer below, and ``delta_below`` is None.

    >>> a, W, delta = np.array([[0.5, -0.5]]), np.array([[1.0], [2.0]]), np.array([[0.25]])
    >>> [part.tolist() for part in layer_backward(a, W, delta, "tanh")]  # 1 - a**2 = 0.75
    [[[0.125], [-0.125]], [0.25], [[0.1875, 0.375]]]
    """
    dW = np.swapaxes(a, -1, -2) @ delta  # (N5) dW = aᵀ δ
    db = delta.sum(axis=-2)  # (N5) db = Σ_i δ_i
    if activation is None:
        return dW, db, None
    dphi = _activation("layer_backward", activation)[1]
    return dW, db, (delta @ np.swapaxes(W, -1, -2)) * dphi(a)  # (N6) δ = (δ Wᵀ) ⊙ φ'(z), a = φ(z)


def _backward(layers, activations, delta: np.ndarray, activation: str) -> list:
    """The backward pass (N5)-(N6), from the last layer to the first: the gradient ``(dW, db)`` of each layer.

    ``delta`` is the gradient of the loss with respect to the logits, (N4); :func:`layer_backward` carries it
    back through the layers as the gradient with respect to each layer's pre-activation ``z_l``.
    """
    grads = []
    for layer in reversed(range(len(layers))):
        below = activation if layer > 0 else None  # the first layer's input is the images
        dW, db, delta = layer_backward(activations[layer], layers[layer][0], delta, below)
        grads.append((dW, db))
    return grads[::-1]


def _flatten(grads) -> np.ndarray:
    """The layers' ``(dW, db)`` as one flat vector per point, in the layout of the parameters."""
    parts = []
    for dW, db in grads:
        parts += [dW.reshape(*db.shape[:-1], dW.shape[-2] * dW.shape[-1]), db]
    return np.concatenate(parts, axis=-1)


def _tile(slices, d: int) -> bool:
    """True if ``slices`` are non-empty slices that cover ``range(d)`` exactly once, in order."""
    end = 0  # where the slices so far stop: the next must start there
    for part in slices:
        if not isinstance(part, slice) or part.start != end or part.step not in (None, 1):
            return False
        if not isinstance(part.stop, (int, np.integer)) or part.stop <= end:
            return False
        end = part.stop
    return len(slices) > 0 and end == d


@dataclass(frozen=True, eq=False, repr=False, kw_only=True)
class Network(Problem):
    """A :class:`~lessons_lib.problems.Problem` whose flat parameters are the layers of a neural network.

    Besides the fields of a Problem:

    Attributes
    ----------
    layer_slices : tuple of slice
        One per layer, from the input to the output: where that layer's weights and bias sit in the flat
        vector (its weight matrix, fan_in × fan_out, row-major, then its bias). Together they cover
        ``range(d)`` exactly once, in order.
    accuracy : callable
        ``(..., d) -> (...)``: the fraction of the test images classified right.
    """

    layer_slices: tuple
    accuracy: Callable

    def __post_init__(self):
        super().__post_init__()
        owner = f"Network {self.name!r}"
        if not callable(self.accuracy):
            raise TypeError(f"{owner}: accuracy must be a function of x, got {self.accuracy!r}.")
        slices = tuple(self.layer_slices) if isinstance(self.layer_slices, (tuple, list)) else ()
        if not _tile(slices, self.dim):
            raise ValueError(
                f"{owner}: layer_slices must be one slice per layer that together cover range({self.dim}) "
                f"once, in order, got {self.layer_slices!r}. Each is where a layer's weights and bias sit."
            )
        object.__setattr__(self, "layer_slices", slices)

    @property
    def n_layers(self) -> int:
        """The number of layers with weights: the hidden ones and the output layer."""
        return len(self.layer_slices)

    def layer_norms(self, v) -> np.ndarray:
        """The Euclidean norm of each layer's part of ``v``, shape ``(..., d) -> (..., n_layers)``.

        ``v`` is any vector in the layout of the parameters: a point, a gradient, a step.
        """
        v = self._points("Network.layer_norms", "v", v)
        return np.stack([np.linalg.norm(v[..., part], axis=-1) for part in self.layer_slices], axis=-1)

    def __repr__(self):
        sizes = [part.stop - part.start for part in self.layer_slices]
        return (
            f"Network({self.name!r}, dim={self.dim}, parameters per layer={sizes}"
            f"{', stochastic' if self.stochastic else ''})"
        )


def _hidden_widths(owner: str, hidden) -> tuple[int, ...]:
    """``hidden`` as a tuple of widths >= 1, or a clear error."""
    if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, (bool, np.bool_)):
        raise TypeError(
            f"{owner}: hidden must be a sequence of layer widths such as (32, 32), got the number "
            f"{hidden!r}. For one hidden layer of {hidden!r} units write hidden=({hidden!r},); for none, "
            "hidden=()."
        )
    if not isinstance(hidden, (tuple, list, range)) and not (
        isinstance(hidden, np.ndarray) and hidden.ndim == 1
    ):
        raise TypeError(
            f"{owner}: hidden must be a sequence of layer widths such as (32, 32), got {hidden!r} of type "
            f"{type(hidden).__name__}. Each is the number of units of one hidden layer."
        )
    return tuple(
        check_count(owner, f"hidden[{i}]", width, 1, "It is the number of units of a hidden layer.")
        for i, width in enumerate(hidden)
    )


def mlp_digits(
    hidden=(32, 32), activation: str = "tanh", *, batch_size: int = 32, seed: int = 0, init_gain: float = 1.0
) -> Network:
    """A multilayer perceptron on scikit-learn's bundled handwritten digits, trained with NumPy alone.

    The 64 pixels of an image, divided by 16 (in [0, 1]), go through the hidden layers of widths ``hidden``
    and activation ``φ`` to 10 logits, one per digit; the loss is the mean cross-entropy on the training
    split (1346 images), and ``accuracy`` is measured on the test split (451 images). The split is fixed
    and stratified (a quarter of each digit is held out), the same for every ``seed`` and architecture:
    ``seed`` only changes the initialisation. With ``hidden=()`` the model is softmax regression.

    With ``a_0 = X`` (n × 64), layers ``l = 1..L`` and ``δ`` the gradient with respect to a pre-activation:

    (N1)  a_l = φ(a_{l-1} W_l + b_l)               for the hidden layers, l < L
    (N2)  z = a_{L-1} W_L + b_L                     the logits, n × 10
    (N3)  f = mean_i [log Σ_k exp(z_ik) - z_{i,y_i}]  (log-sum-exp shifted by max_k z_ik: no overflow)
    (N4)  δ_L = (softmax(z) - onehot(y)) / n
    (N5)  ∂f/∂W_l = a_{l-1}ᵀ δ_l,  ∂f/∂b_l = Σ_i δ_l,i
    (N6)  δ_{l-1} = (δ_l W_lᵀ) ⊙ φ'(z_{l-1})       with φ' = 1 - a² (tanh), a(1 - a) (sigmoid), [z > 0] (relu)

    ``grad`` is (N1)-(N2) keeping every ``a_l``, then (N4)-(N6) layer by layer: backpropagation, exact.
    ``sample_grad(x, rng)`` does the same on ``batch_size`` training images drawn with replacement,
    ``rng.integers(0, 1346, size=x.shape[:-1] + (batch_size,))``, anew for every point and every call.
    Every function takes points of shape ``(..., d)``: a batch of networks (seeds, settings) is one array.

    Parameters
    ----------
    hidden : sequence of int >= 1
        The widths of the hidden layers, from the input on; ``()`` for none. ``(32,)`` is one layer.
    activation : {"tanh", "sigmoid", "relu"}
        ``φ`` of the hidden layers.
    batch_size : int >= 1
        Images per mini-batch of ``sample_grad``.
    seed : int >= 0
        Seeds ``numpy.random.default_rng`` for the initial weights ``x0``.
    init_gain : float > 0
        Multiplies the standard deviation of the initial weights; 1 is the scheme's own scale.

    Returns
    -------
    Network
        ``x0`` is the initialisation; ``layer_slices`` where each layer sits in ``x``; ``layer_norms(v)``
        the norm of each layer's part of a gradient or a step; ``accuracy(x)`` on the test split.
        ``info`` holds ``hidden``, ``activation``, ``init`` (the scheme), ``init_gain``, ``init_std`` (per
        layer), ``layer_shapes`` ((fan_in, fan_out) per layer), ``batch_size``, ``n_train``, ``n_test``,
        ``X_train``, ``y_train``, ``X_test``, ``y_test``, ``train_index`` and ``test_index`` (rows of
        :func:`digits_data`), ``X`` and ``y`` (the training split again, under the names the other problems
        give the data they average over), and the functions ``train_accuracy(x)`` and ``test_loss(x)``.
        The minimum, the minimiser and the curvatures are not known (None); ``bounds`` are (-1, 1) per
        coordinate.

    Notes
    -----
    The initial weights are drawn from ``N(0, std²)`` and the biases are 0. For tanh and sigmoid the scheme
    is Glorot's (Xavier's), ``std = init_gain * sqrt(2 / (fan_in + fan_out))``; for relu, He's,
    ``std = init_gain * sqrt(2 / fan_in)`` (relu zeroes half of its inputs, so twice the variance).
    Why it matters with depth: each layer multiplies the variance of the activations on the way forward,
    and of the backpropagated ``δ`` on the way back, by about ``fan · std² · E[φ'²]``. The scheme makes that
    factor about 1, so the signals and the gradients keep their size from layer to layer at any depth. At
    ``init_gain`` g it is about ``g²`` per layer: below 1 the activations shrink geometrically on the way in
    (tanh's halve from layer to layer at g = 0.5) and ``δ`` on the way back, so the gradients of every
    layer, the early ones too, shrink geometrically with depth, like ``g**(L-1)`` (vanishing gradients);
    above 1 relu's activations, loss and gradients grow geometrically (exploding), while tanh and sigmoid
    saturate (``|a|`` near 1 or ``a`` near 0 or 1, where ``φ'`` is near 0). Sigmoid's slope at 0 is 1/4 and
    its outputs are not centred, so even at gain 1 its gradients shrink from the output layer to the input
    layer (``layer_norms`` falls several-fold per layer), as Glorot and Bengio describe; tanh's do not.

    For full-batch gradient descent with :func:`lessons_lib.run` (which uses ``sample_grad`` when a problem
    has one), run ``dataclasses.replace(net, sample_grad=None)``.

    Conventions
    -----------
    PyTorch ``torch.nn.init.xavier_normal_(w, gain)`` and ``kaiming_normal_(w, nonlinearity="relu")`` draw
    the same standard deviations (PyTorch's ``calculate_gain`` suggests 5/3 for tanh where we use 1; an
    ``nn.Linear`` left alone is uniform in ±1/sqrt(fan_in) instead). Keras' ``glorot_normal`` and
    ``he_normal`` keep the same standard deviation but truncate the normal at two of them; ``Dense``
    defaults to ``glorot_uniform``.
    ``W`` is fan_in × fan_out and a layer computes ``a W + b``, as Keras' kernel; PyTorch's ``nn.Linear``
    stores the transpose, ``weight`` fan_out × fan_in, and computes ``a weightᵀ + bias``. The loss is
    PyTorch's ``nn.CrossEntropyLoss()`` on the logits, Keras'
    ``SparseCategoricalCrossentropy(from_logits=True)``.

    References
    ----------
    D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating errors",
    Nature, 1986. X. Glorot, Y. Bengio, "Understanding the difficulty of training deep feedforward neural
    networks", AISTATS 2010. K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers: surpassing
    human-level performance on ImageNet classification", ICCV 2015.

    Examples
    --------
    >>> net = mlp_digits(hidden=(32, 32), activation="tanh", seed=0)
    >>> net.name, net.dim, net.n_layers, net.info["n_train"], net.info["n_test"]
    ('MLP 64-32-32-10 tanh (digits)', 3466, 3, 1346, 451)
    >>> [net.x0[part].size for part in net.layer_slices]  # 64*32 + 32, 32*32 + 32, 32*10 + 10
    [2080, 1056, 330]
    >>> round(float(net.f(net.x0)), 2)  # near log(10) = 2.30: the untrained net guesses
    2.34
    >>> net.layer_norms(net.grad(net.x0)).shape, net.f(np.stack([net.x0, net.x0])).shape
    ((3,), (2,))
    """
    owner = "mlp_digits"
    widths = _hidden_widths(owner, hidden)
    phi, _, scheme = _activation(owner, activation)
    batch_size = check_count(owner, "batch_size", batch_size, 1)
    seed = check_count(
        owner, "seed", seed, 0, "It seeds numpy.random.default_rng, which draws the initial weights x0."
    )
    init_gain = check_positive(
        owner, "init_gain", init_gain, "It multiplies the spread of the initial weights; 1 is the scheme's."
    )
    X_train, y_train, X_test, y_test, train_index, test_index = _digits_split()
    n_train = len(y_train)
    Y_train = np.eye(_CLASSES)[y_train]  # one-hot labels, n_train × 10
    sizes = (X_train.shape[1], *widths, _CLASSES)
    shapes = tuple(zip(sizes[:-1], sizes[1:], strict=True))  # (fan_in, fan_out) of each layer
    ends = np.cumsum([0] + [fan_in * fan_out + fan_out for fan_in, fan_out in shapes]).tolist()
    layer_slices = tuple(slice(a, b) for a, b in zip(ends[:-1], ends[1:], strict=True))
    d = ends[-1]
    check_memory(
        owner,
        f"hidden = {widths}",
        8.0 * (d + n_train * sum(sizes)),
        "That is the parameters and one forward pass over the training images; use narrower layers.",
    )

    # x0: the weights of each layer drawn with the scheme's standard deviation, the biases 0
    rng = np.random.default_rng(seed)
    stds = tuple(
        init_gain * math.sqrt(2.0 / (fan_in + fan_out) if scheme == "Glorot" else 2.0 / fan_in)
        for fan_in, fan_out in shapes
    )
    x0 = np.concatenate(
        [
            np.concatenate([std * rng.standard_normal(fan_in * fan_out), np.zeros(fan_out)])
            for (fan_in, fan_out), std in zip(shapes, stds, strict=True)
        ]
    )

    network = None  # the finished problem, bound below: the functions check their points with it

    def points(owner, x):
        return network._points(owner, "x", x)

    def f(x):
        _, z = _forward(_layers(points("Network.f", x), shapes), X_train, phi)
        return _cross_entropy(z, y_train)

    def grad(x):
        layers = _layers(points("Network.grad", x), shapes)
        activations, z = _forward(layers, X_train, phi)
        delta = (_softmax(z) - Y_train) / n_train  # (N4)
        return _flatten(_backward(layers, activations, delta, activation))

    def sample_grad(x, rng):
        x = points("Network.sample_grad", x)
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"Network.sample_grad: rng must be a numpy.random.Generator, got {type(rng).__name__}. "
                "Make one with numpy.random.default_rng(seed)."
            )
        idx = rng.integers(0, n_train, size=x.shape[:-1] + (batch_size,))  # with replacement, per point
        layers = _layers(x, shapes)
        activations, z = _forward(layers, X_train[idx], phi)
        delta = (_softmax(z) - Y_train[idx]) / batch_size  # (N4) on the mini-batch
        return _flatten(_backward(layers, activations, delta, activation))

    def accuracy(x):
        _, z = _forward(_layers(points("Network.accuracy", x), shapes), X_test, phi)
        return np.mean(np.argmax(z, axis=-1) == y_test, axis=-1)

    def train_accuracy(x):
        _, z = _forward(_layers(points("Network.train_accuracy", x), shapes), X_train, phi)
        return np.mean(np.argmax(z, axis=-1) == y_train, axis=-1)

    def test_loss(x):
        _, z = _forward(_layers(points("Network.test_loss", x), shapes), X_test, phi)
        return _cross_entropy(z, y_test)

    network = Network(
        name=f"MLP {'-'.join(map(str, sizes))} {activation} (digits)",
        f=f,
        grad=grad,
        x0=x0,
        bounds=tuple((-1.0, 1.0) for _ in range(d)),
        sample_grad=sample_grad,
        description=(
            (
                f"A perceptron with {len(widths)} hidden {activation} layer{'s' * (len(widths) > 1)}"
                if widths
                else "Softmax regression (no hidden layer)"
            )
            + f" on {n_train} digits, mini-batches of {batch_size}; accuracy on {len(y_test)} held-out ones."
        ),
        layer_slices=layer_slices,
        accuracy=accuracy,
        info={
            "hidden": widths,
            "activation": activation,
            "init": f"{scheme} normal",
            "init_gain": init_gain,
            "init_std": stds,
            "seed": seed,
            "layer_shapes": shapes,
            "batch_size": batch_size,
            "n_train": n_train,
            "n_test": len(y_test),
            "X": X_train,  # the data f and sample_grad average over, under the names of the other problems
            "y": y_train,
            "X_train": X_train,
            "y_train": y_train,
            "X_test": X_test,
            "y_test": y_test,
            "train_index": train_index,
            "test_index": test_index,
            "train_accuracy": train_accuracy,
            "test_loss": test_loss,
        },
    )
    return network
