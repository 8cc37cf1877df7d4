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

References: B. T. Polyak (1964); G. Goh, "Why Momentum Really Works", Distill (2017).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "gd_rate",
    "iteration_matrix",
    "momentum_rate",
    "optimal_gd",
    "optimal_gd_rate",
    "optimal_momentum",
    "optimal_momentum_rate",
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
