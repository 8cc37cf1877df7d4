"""The data the course learns from, all bundled with its packages (nothing is downloaded).

* :func:`breast_cancer_data` and :func:`digits_data` read scikit-learn's bundled tables;
  :func:`logistic_regression` and :func:`softmax_regression` make them problems of the course (losses,
  exact and mini-batch gradients), and :func:`by_feature` reads a linear classifier's parameters per input
  feature;
* :func:`stock_prices` is matplotlib's sample series of daily stock prices (lesson 01).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from ._validate import (
    check_bool,
    check_count,
    check_nonnegative,
)
from .problems import Problem, curvatures

__all__ = [
    "breast_cancer_data",
    "by_feature",
    "digits_data",
    "logistic_regression",
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
