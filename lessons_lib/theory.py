"""What theory says about gradient descent and momentum on a quadratic (lesson 02).

On ``f(x) = x·Hx / 2`` every eigen-direction of ``H`` with curvature ``λ`` moves on its own. For momentum, one
coordinate and its velocity evolve linearly, ``(x, v)_{k+1} = A (x, v)_k``, and the error shrinks by the
spectral radius ``ρ(A)`` per step (asymptotically): the **rate**. Rates below 1 converge; smaller is faster.

With the summed (heavy-ball) form and ``a = lr`` — or the averaged form and ``a = lr (1 - beta)``, the same
algorithm — the characteristic polynomial of ``A`` is

    z**2 - (1 + beta - a λ) z + beta                               heavy ball
    z**2 - (1 + beta) (1 - a λ) z + beta (1 - a λ)                 Nesterov

so heavy ball converges for ``0 < a λ < 2 + 2 beta``. With ``lr = (2 / (sqrt(L) + sqrt(mu)))**2`` and
``beta = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))**2`` every direction contracts by
``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``, against ``(kappa - 1) / (kappa + 1)`` for the best gradient
descent.

With noisy gradients (noise of variance ``sigma**2``), the iterates do not settle on the minimum but spread
about it: :func:`iterate_variance` solves for that spread exactly, and :func:`noise_floor` gives the expected
``f - f*`` it leaves. :func:`steady_step` and :func:`halving_gradient` say where RMSProp's ``eps`` takes
over from the gradient.

References: B. T. Polyak (1964); G. Goh, "Why Momentum Really Works", Distill (2017).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_nonnegative, check_positive

__all__ = [
    "diagonal_condition_number",
    "gd_rate",
    "halving_gradient",
    "iterate_variance",
    "iteration_matrix",
    "momentum_rate",
    "noise_floor",
    "optimal_gd",
    "optimal_gd_rate",
    "optimal_momentum",
    "optimal_momentum_rate",
    "steady_step",
]


def _effective_lr(lr, beta, averaged):
    return lr * (1 - beta) if averaged else lr


def iteration_matrix(lr, beta, curvature, *, averaged=True, nesterov=False) -> np.ndarray:
    """The 2×2 matrix ``A`` of one coordinate of momentum on a quadratic: ``(x, v)_{k+1} = A (x, v)_k``.

    ``v`` is the velocity of the form chosen by ``averaged`` (see :class:`lessons_lib.Momentum`).

    >>> iteration_matrix(0.1, 0.5, 2.0, averaged=False)
    array([[ 0.8 , -0.05],
           [ 2.  ,  0.5 ]])
    """
    lam = float(curvature)
    w = (1 - beta) if averaged else 1.0  # v' = beta v + w g, with g = lam x
    if nesterov:  # x' = x - lr (w g + beta v') = (1 - lr w lam (1 + beta)) x - lr beta**2 v
        return np.array([[1 - lr * w * lam * (1 + beta), -lr * beta**2], [w * lam, beta]])
    return np.array([[1 - lr * w * lam, -lr * beta], [w * lam, beta]])  # x' = x - lr v'


def momentum_rate(lr, beta, curvatures, *, averaged=True, nesterov=False) -> np.ndarray:
    """The asymptotic rate (spectral radius) of momentum, the worst over ``curvatures``.

    ``lr`` and ``beta`` broadcast against each other, so a whole (lr, beta) grid is one call. Values of 1 or
    more mean the iteration does not converge.

    >>> round(float(momentum_rate(0.1, 0.0, [1.0, 10.0], averaged=False)), 6)  # beta = 0 is gradient descent
    0.9
    """
    lr, beta = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(beta, dtype=float))
    a = _effective_lr(lr, beta, averaged)[..., None]
    b = beta[..., None]
    lam = np.asarray(curvatures, dtype=float)
    if nesterov:
        trace, det = (1 + b) * (1 - a * lam), b * (1 - a * lam)
    else:
        trace, det = 1 + b - a * lam, b * np.ones_like(a * lam)
    root = np.sqrt((trace**2 - 4 * det).astype(complex))
    rho = np.maximum(np.abs((trace + root) / 2), np.abs((trace - root) / 2))
    return rho.max(axis=-1)


def gd_rate(lr, curvatures) -> np.ndarray:
    """The rate of gradient descent, ``max |1 - lr λ|`` over ``curvatures`` (broadcasts over ``lr``)."""
    lr = np.asarray(lr, dtype=float)[..., None]
    return np.abs(1 - lr * np.asarray(curvatures, dtype=float)).max(axis=-1)


def optimal_gd(mu: float, L: float) -> float:
    """The learning rate ``2 / (L + mu)`` that gives gradient descent its best rate."""
    return 2 / (L + mu)


def optimal_gd_rate(kappa: float) -> float:
    """``(kappa - 1) / (kappa + 1)``: gradient descent's best rate at condition number ``kappa``."""
    return (kappa - 1) / (kappa + 1)


def optimal_momentum(mu: float, L: float, *, averaged: bool = False) -> tuple[float, float]:
    """Polyak's ``(lr, beta)`` for heavy-ball momentum on curvatures in ``[mu, L]``.

    ``lr = (2 / (sqrt(L) + sqrt(mu)))**2`` and ``beta = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))**2`` in
    the summed form; with ``averaged=True`` the learning rate is divided by ``1 - beta`` to match.
    """
    s_L, s_mu = np.sqrt(L), np.sqrt(mu)
    lr = (2 / (s_L + s_mu)) ** 2
    beta = ((s_L - s_mu) / (s_L + s_mu)) ** 2
    return (float(lr / (1 - beta)) if averaged else float(lr)), float(beta)


def optimal_momentum_rate(kappa: float) -> float:
    """``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``: heavy ball's best rate at condition number ``kappa``."""
    return (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)


# ----------------------------------------------------------------------------------------------------
# Noisy gradients: what the iterates' spread settles to


def iterate_variance(lr, beta, sigma, curvature, *, averaged: bool = True):
    """Stationary variance of one coordinate of momentum on a quadratic with noisy gradients.

    The gradient is ``curvature * x + sigma * noise`` (independent standard normal noise every step). In the
    summed form with ``a = lr`` (averaged form: ``a = lr * (1 - beta)``) the coordinate is an AR(2) process,
    ``x' = (1 + beta - a λ) x - beta x_prev - a sigma noise``, whose variance is

        a sigma**2 (1 + beta) / ((1 - beta) λ (2 (1 + beta) - a λ)).

    In the averaged form this is ``lr sigma**2 / (λ (2 - lr λ (1 - beta) / (1 + beta)))``: gradient descent's
    ``lr sigma**2 / (λ (2 - lr λ))`` with ``lr λ`` multiplied by lesson 01's variance factor
    ``(1 - beta) / (1 + beta)``. ``beta = 0`` gives gradient descent. Infinite outside the stable region.

    Examples
    --------
    >>> float(iterate_variance(0.1, 0.0, 1.0, 10.0))  # gradient descent: lr σ² / (λ (2 - lr λ))
    0.01
    >>> round(float(iterate_variance(0.1, 0.9, 1.0, 10.0)), 6)
    0.005135
    """
    lr, beta, lam = (np.asarray(v, dtype=float) for v in (lr, beta, curvature))
    a = lr * (1 - beta) if averaged else lr
    denominator = (1 - beta) * lam * (2 * (1 + beta) - a * lam)
    with np.errstate(divide="ignore"):
        var = a * sigma**2 * (1 + beta) / denominator
    return np.where((denominator > 0) & (a > 0), var, np.inf)


def noise_floor(lr, beta, sigma, curvatures, *, averaged: bool = True):
    """Predicted mean of ``f - f*`` in the steady state: ``sum over λ of λ/2 × iterate_variance``.

    For gradient descent (``beta = 0``) it is lesson 00's ``sum lr sigma**2 / (2 (2 - lr λ))``.

    Examples
    --------
    >>> round(float(noise_floor(0.15, 0.0, 1.0, [1.0, 10.0])), 4)  # lesson 00's table
    0.1905
    >>> round(float(noise_floor(0.15, 0.9, 1.0, [1.0, 10.0])), 4)
    0.0767
    """
    lams = np.asarray(curvatures, dtype=float)
    lr = np.asarray(lr, dtype=float)[..., None]
    beta = np.asarray(beta, dtype=float)[..., None]
    return np.sum(lams / 2 * iterate_variance(lr, beta, sigma, lams, averaged=averaged), axis=-1)


# ----------------------------------------------------------------------------------------------------
# Where eps takes over in RMSProp's step


def steady_step(g, *, lr: float, eps: float, eps_in_sqrt: bool = False):
    """The step RMSProp (or Adam) takes once a constant gradient ``g`` has filled its average, ``s = g**2``.

    ``lr * |g| / (|g| + eps)`` with eps outside the root (PyTorch), ``lr * |g| / sqrt(g**2 + eps)`` with
    eps inside (Keras, optax): about ``lr`` for large gradients, and ``lr * |g| / eps`` (outside) or
    ``lr * |g| / sqrt(eps)`` (inside) once ``|g|`` is small, like gradient descent.

    Examples
    --------
    >>> steady_step(np.array([1e-8, 1.0]), lr=0.1, eps=1e-8)
    array([0.05, 0.1 ])
    >>> round(float(steady_step(1e-4, lr=0.1, eps=1e-8, eps_in_sqrt=True)), 4)  # already down by a third
    0.0707
    """
    g = np.abs(np.asarray(g, dtype=float))
    lr = check_positive("steady_step", "lr", lr)
    eps = check_nonnegative("steady_step", "eps", eps)
    with np.errstate(invalid="ignore", divide="ignore"):
        return lr * g / (np.sqrt(g**2 + eps) if eps_in_sqrt else g + eps)


def halving_gradient(eps: float, *, eps_in_sqrt: bool = False) -> float:
    """The gradient size at which :func:`steady_step` is half of ``lr``: ``eps`` (outside the root) or
    ``sqrt(eps / 3)`` (inside: ``g / sqrt(g**2 + eps) = 1/2`` gives ``4 g**2 = g**2 + eps``).

    Examples
    --------
    >>> halving_gradient(1e-8)
    1e-08
    >>> round(halving_gradient(1e-8, eps_in_sqrt=True), 7)  # optax's default: steps halve below 6e-5
    5.77e-05
    """
    eps = check_positive("halving_gradient", "eps", eps)
    return float(np.sqrt(eps / 3)) if eps_in_sqrt else eps


def diagonal_condition_number(hessian) -> float:
    """Condition number of ``D^(-1/2) H D^(-1/2)``, ``D = diag(H)``: ``H`` with each coordinate rescaled.

    Rescaling every coordinate by its own curvature (Jacobi scaling) removes the part of the ill-conditioning
    that comes from coordinates of different scales, and leaves the part that comes from correlations between
    them. No diagonal rescaling does much better: van der Sluis (1969) showed that Jacobi scaling is within a
    factor ``d`` of the best one. A per-coordinate method (Adagrad, RMSProp, Adam) can at most hope for this.

    >>> H = np.array([[1e4, 0.0], [0.0, 1.0]])      # badly scaled, uncorrelated
    >>> float(np.linalg.cond(H)), diagonal_condition_number(H)
    (10000.0, 1.0)
    >>> R = np.array([[1.0, 0.99], [0.99, 1.0]])   # well scaled, correlated: rescaling cannot help
    >>> round(diagonal_condition_number(R), 6)
    199.0

    References
    ----------
    A. van der Sluis, "Condition numbers and equilibration of matrices", Numerische Mathematik 14, 1969.
    """
    H = np.asarray(hessian, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.allclose(H, H.T):
        raise ValueError(
            f"diagonal_condition_number: hessian must be a symmetric square matrix, got {H.shape}."
        )
    d = np.sqrt(np.diag(H))
    if not np.all(d > 0):
        raise ValueError("diagonal_condition_number: the diagonal of the hessian must be > 0 (a minimum).")
    eig = np.linalg.eigvalsh(H / np.outer(d, d))
    if eig[0] <= 0:
        raise ValueError("diagonal_condition_number: the hessian must be positive definite (a minimum).")
    return float(eig[-1] / eig[0])
